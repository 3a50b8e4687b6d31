// Hand-rolled SVG charts: enough for the dashboard, no chart library. Each chart has a text
// alternative (its aria-label lists the values).

export interface Datum {
  label: string;
  value: number;
}

function describe(title: string, data: Datum[], unit: string): string {
  return `${title}: ${data.map((d) => `${d.label} ${round(d.value)}${unit}`).join(", ")}`;
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** Vertical bars over time (or any ordered labels). */
export function ColumnChart({ title, data, unit = "" }: { title: string; data: Datum[]; unit?: string }) {
  const width = 600;
  const height = 160;
  const max = Math.max(1, ...data.map((d) => d.value));
  const slot = data.length ? width / data.length : width;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={describe(title, data, unit)}>
        {data.map((d, i) => {
          const h = (d.value / max) * height;
          return (
            <g key={d.label}>
              <rect x={i * slot + slot * 0.15} y={height - h} width={slot * 0.7} height={h} className="bar">
                <title>{`${d.label}: ${round(d.value)}${unit}`}</title>
              </rect>
              {data.length <= 14 ? (
                <text x={i * slot + slot / 2} y={height + 14} textAnchor="middle" className="axis">
                  {d.label}
                </text>
              ) : null}
            </g>
          );
        })}
        <line x1={0} x2={width} y1={height} y2={height} className="baseline" />
      </svg>
    </figure>
  );
}

/** Horizontal bars with their values: outcomes, top users, latency per endpoint. */
export function BarList({ title, data, unit = "" }: { title: string; data: Datum[]; unit?: string }) {
  const max = Math.max(1, ...data.map((d) => d.value));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {data.length === 0 ? <p className="muted">No data yet.</p> : null}
      <ul className="barlist" aria-label={describe(title, data, unit)}>
        {data.map((d) => (
          <li key={d.label}>
            <span className="barlist-label">{d.label}</span>
            <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" className="barlist-bar">
              <rect x={0} y={0} height={10} width={(d.value / max) * 100} className="bar" />
            </svg>
            <span className="barlist-value">
              {round(d.value)}
              {unit}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
