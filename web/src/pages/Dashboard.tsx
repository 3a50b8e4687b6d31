import { Link } from "react-router";
import { BarList, ColumnChart } from "../components/charts";
import { Badge, Empty, ErrorBox, Loading, formatDate } from "../components/ui";
import { api } from "../lib/api";
import { useLoad } from "../lib/hooks";
import type {
  Dataset,
  Endpoint,
  EndpointUsage,
  Model,
  Page,
  ServiceHealth,
  TimeBucket,
  TopUser,
  UsageSummary,
} from "../lib/types";

interface Overview {
  health: ServiceHealth;
  datasets: Page<Dataset>;
  models: Page<Model>;
  endpoints: Page<Endpoint>;
  summary: UsageSummary;
  series: TimeBucket[];
  users: TopUser[];
  perEndpoint: EndpointUsage[];
}

async function loadOverview(): Promise<Overview> {
  const [health, datasets, models, endpoints, summary, series, users, perEndpoint] = await Promise.all([
    api.get<ServiceHealth>("/health"),
    api.get<Page<Dataset>>("/datasets?limit=20"),
    api.get<Page<Model>>("/models?limit=20"),
    api.get<Page<Endpoint>>("/endpoints?limit=20"),
    api.get<UsageSummary>("/analytics/summary"),
    api.get<TimeBucket[]>("/analytics/timeseries?bucket=day"),
    api.get<TopUser[]>("/analytics/top-users?limit=5"),
    api.get<EndpointUsage[]>("/analytics/endpoints"),
  ]);
  return { health, datasets, models, endpoints, summary, series, users, perEndpoint };
}

function day(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

/** One bucket per UTC day of the range, zero where the Space recorded no query. */
export function everyDay(series: TimeBucket[], since: string, until: string): TimeBucket[] {
  const byDay = new Map(series.map((b) => [b.start.slice(0, 10), b]));
  const days: TimeBucket[] = [];
  const end = new Date(until);
  for (let d = new Date(since.slice(0, 10) + "T00:00:00Z"); d <= end; d.setUTCDate(d.getUTCDate() + 1)) {
    const key = d.toISOString().slice(0, 10);
    days.push(
      byDay.get(key) ?? { start: `${key}T00:00:00Z`, queries: 0, successes: 0, denials: 0, rate_limited: 0, errors: 0, cost: 0 },
    );
  }
  return days;
}

export function Dashboard() {
  const overview = useLoad(loadOverview, []);
  if (overview.error) return <ErrorBox error={overview.error} />;
  if (!overview.data) return <Loading what="the dashboard" />;
  const { health, datasets, models, endpoints, summary, users, perEndpoint } = overview.data;
  const series = everyDay(overview.data.series, summary.since, summary.until);

  const recent = [
    ...datasets.items.map((d) => ({ what: `Dataset ${d.name}`, to: `/datasets/${encodeURIComponent(d.name)}`, at: d.updated_at })),
    ...models.items.map((m) => ({ what: `Model ${m.name}`, to: `/models/${encodeURIComponent(m.name)}`, at: m.updated_at })),
    ...endpoints.items.map((e) => ({ what: `Endpoint ${e.name}`, to: `/endpoints/${e.slug}`, at: e.updated_at })),
  ]
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, 8);

  return (
    <section>
      <div className="page-head">
        <h1>Dashboard</h1>
        <Badge status={health.status === "ok" ? "healthy" : "degraded"}>
          {health.status === "ok" ? "Healthy" : "Degraded"}
        </Badge>
        <span className="muted">
          v{health.version} · database {health.database.backend} {health.database.status} · up{" "}
          {Math.round(health.uptime_seconds / 60)} min
        </span>
      </div>
      <dl className="stats">
        <div>
          <dt>Datasets</dt>
          <dd>
            <Link to="/datasets">{datasets.total}</Link>
          </dd>
        </div>
        <div>
          <dt>Models</dt>
          <dd>
            <Link to="/models">{models.total}</Link>
          </dd>
        </div>
        <div>
          <dt>Endpoints</dt>
          <dd>
            <Link to="/endpoints">{endpoints.total}</Link>
          </dd>
        </div>
        <div>
          <dt>Queries (7 days)</dt>
          <dd>{summary.queries}</dd>
        </div>
        <div>
          <dt>Earned (7 days)</dt>
          <dd>{summary.total_cost.toFixed(4)}</dd>
        </div>
      </dl>

      {datasets.total === 0 ? (
        <Empty title="Start here">
          <ol>
            <li>
              <Link to="/datasets">Create a dataset</Link> and drop documents on it.
            </li>
            <li>
              <Link to="/models">Connect a model</Link> (optional, for written answers).
            </li>
            <li>
              <Link to="/endpoints/new">Create an endpoint</Link> and try it in its playground.
            </li>
          </ol>
        </Empty>
      ) : null}

      <h2>Usage, last 7 days</h2>
      {summary.queries === 0 ? (
        <p className="muted">No queries yet. Ask an endpoint in its playground, or publish it so others can.</p>
      ) : null}
      <div className="charts">
        <ColumnChart title="Queries per day" data={series.map((b) => ({ label: day(b.start), value: b.queries }))} />
        <BarList
          title="Outcomes"
          data={[
            { label: "answered", value: summary.successes },
            { label: "denied", value: summary.denials },
            { label: "rate limited", value: summary.rate_limited },
            { label: "errors", value: summary.errors },
          ]}
        />
        <BarList
          title="Latency"
          unit=" ms"
          data={[
            ...(summary.average_latency_ms != null ? [{ label: "average", value: summary.average_latency_ms }] : []),
            ...(summary.p95_latency_ms != null ? [{ label: "95th percentile", value: summary.p95_latency_ms }] : []),
            ...perEndpoint
              .filter((e) => e.average_latency_ms != null)
              .map((e) => ({ label: e.endpoint_slug, value: e.average_latency_ms ?? 0 })),
          ]}
        />
        <BarList title="Top users" data={users.map((u) => ({ label: u.sender, value: u.queries }))} />
        <ColumnChart title="Cost per day" data={series.map((b) => ({ label: day(b.start), value: b.cost }))} />
      </div>

      <h2>Recent activity</h2>
      {recent.length === 0 ? <p className="muted">Nothing yet.</p> : null}
      <ul className="activity">
        {recent.map((r) => (
          <li key={r.to}>
            <Link to={r.to}>{r.what}</Link> <span className="muted">changed {formatDate(r.at)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
