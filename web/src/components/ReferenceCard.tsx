import type { Reference } from "../lib/types";

/** A retrieved chunk: its score, where it came from, and the text itself. */
export function ReferenceCard({ reference, number }: { reference: Reference; number: number }) {
  const meta = reference.metadata ?? {};
  const source = String(meta.file_name ?? meta.title ?? reference.document_id);
  return (
    <article className="reference" aria-label={`Source ${number}: ${source}`}>
      <header>
        <span className="ref-number">[{number}]</span> <strong>{source}</strong>{" "}
        <span className="score">score {reference.similarity_score.toFixed(3)}</span>
      </header>
      <pre className="chunk">{reference.content}</pre>
      {Object.keys(meta).length ? (
        <details>
          <summary>Metadata</summary>
          <dl className="meta">
            {Object.entries(meta).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{typeof v === "string" ? v : JSON.stringify(v)}</dd>
              </div>
            ))}
          </dl>
        </details>
      ) : null}
    </article>
  );
}
