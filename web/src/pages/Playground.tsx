// Ask an endpoint as its owner (the preview route runs the whole pipeline, policies included)
// and watch the answer stream in; numbered citations open the chunks they cite.
import { useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { ReferenceCard } from "../components/ReferenceCard";
import { Dialog, ErrorBox, TextField } from "../components/ui";
import { ApiError, stream } from "../lib/api";
import { splitCitations } from "../lib/citations";
import type { Reference } from "../lib/types";

interface Final {
  cost?: number;
  currency?: string;
  policy_metadata?: { outcome: string; entries: { policy_type: string; policy?: string; status: string }[] };
  summary?: { usage?: { prompt_tokens?: number; completion_tokens?: number } };
}

export function Playground() {
  const slug = useParams().slug ?? "";
  const [question, setQuestion] = useState("");
  const [asEmail, setAsEmail] = useState("");
  const [limit, setLimit] = useState("5");
  const [maxTokens, setMaxTokens] = useState("300");
  const [answer, setAnswer] = useState("");
  const [sources, setSources] = useState<Reference[] | null>(null);
  const [final, setFinal] = useState<Final | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState<number | null>(null);
  const abort = useRef<AbortController | null>(null);
  const fields = error instanceof ApiError ? error.fields : {};

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setBusy(true);
    setError(null);
    setAnswer("");
    setSources(null);
    setFinal(null);
    const query = asEmail.trim() ? `?as_email=${encodeURIComponent(asEmail.trim())}` : "";
    try {
      await stream(
        `/endpoints/${slug}/preview${query}`,
        {
          messages: question,
          stream: true,
          limit: Number(limit),
          max_tokens: Number(maxTokens),
          similarity_threshold: 0,
        },
        ({ data }) => {
          const event = data as Record<string, unknown> | null;
          if (!event) return;
          if (event.error) setError(new ApiError(Number(event.status_code ?? 502), event.error));
          else if (event.references) {
            setSources(((event.references as { documents: Reference[] }).documents ?? []));
          } else if (event.summary && "policy_metadata" in event) setFinal(event as Final);
          else if (event.summary) {
            const delta = (event.summary as { message?: { content?: string } }).message?.content ?? "";
            setAnswer((a) => a + delta);
          } else if ("policy_metadata" in event) setFinal(event as Final);
        },
        controller.signal,
      );
    } catch (err) {
      if (!controller.signal.aborted) setError(err);
    } finally {
      setBusy(false);
    }
  };

  const parts = splitCitations(answer, sources?.length ?? 0);
  const opened = open !== null && sources ? sources[open - 1] : null;

  return (
    <section>
      <div className="page-head">
        <h1>
          Playground: <span className="mono">{slug}</span>
        </h1>
        <Link to={`/endpoints/${slug}`}>Back to the endpoint</Link>
      </div>
      <form onSubmit={submit} noValidate className="card">
        <TextField label="Question" value={question} onChange={setQuestion} multiline error={fields.messages} />
        <div className="row">
          <TextField
            label="Ask as (email)"
            value={asEmail}
            onChange={setAsEmail}
            hint="Apply the policies as this caller; empty: you, the owner."
          />
          <TextField label="Sources to retrieve" type="number" value={limit} onChange={setLimit} error={fields.limit} />
          <TextField label="Max tokens" type="number" value={maxTokens} onChange={setMaxTokens} error={fields.max_tokens} />
        </div>
        <button type="submit" disabled={busy || !question.trim()}>
          {busy ? "Answering…" : "Ask"}
        </button>
      </form>
      <ErrorBox error={error} />
      {answer || busy ? (
        <div className="answer" aria-live="polite" aria-busy={busy} data-testid="answer">
          <h2>Answer</h2>
          <p>
            {parts.map((part, i) =>
              "text" in part ? (
                <span key={i}>{part.text}</span>
              ) : (
                <button
                  key={i}
                  type="button"
                  className="citation"
                  onClick={() => setOpen(part.cite)}
                  aria-label={`Open source ${part.cite}`}
                >
                  [{part.cite}]
                </button>
              ),
            )}
          </p>
        </div>
      ) : null}
      {sources ? (
        <div>
          <h2>Sources</h2>
          {sources.length === 0 ? <p className="muted">No chunk matched this question.</p> : null}
          <ol className="sources">
            {sources.map((s, i) => (
              <li key={`${s.document_id}-${i}`}>
                <button type="button" className="link" onClick={() => setOpen(i + 1)}>
                  [{i + 1}] {String(s.metadata?.file_name ?? s.document_id)}
                </button>{" "}
                <span className="score">score {s.similarity_score.toFixed(3)}</span>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      {final ? (
        <p className="muted" data-testid="final">
          Policy outcome: {final.policy_metadata?.outcome ?? "—"} · cost {final.cost ?? 0} {final.currency ?? ""}
          {final.summary?.usage
            ? ` · ${final.summary.usage.prompt_tokens ?? 0} prompt + ${final.summary.usage.completion_tokens ?? 0} completion tokens`
            : ""}
        </p>
      ) : null}
      {opened ? (
        <Dialog title={`Source ${open}`} onClose={() => setOpen(null)}>
          <ReferenceCard reference={opened} number={open ?? 0} />
        </Dialog>
      ) : null}
    </section>
  );
}
