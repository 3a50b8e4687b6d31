import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";
import { ConfigurationEditDialog } from "../components/ConfigurationEditDialog";
import { Badge, ConfirmDialog, ErrorBox, Loading, TextField, formatDate } from "../components/ui";
import { ApiError, api, stream } from "../lib/api";
import { useAction, useLoad } from "../lib/hooks";
import type { Model, ModelHealth } from "../lib/types";

export function ModelDetail() {
  const name = useParams().name ?? "";
  const base = `/models/${encodeURIComponent(name)}`;
  const navigate = useNavigate();
  const model = useLoad(() => api.get<Model>(base), [base]);
  const [health, setHealth] = useState<ModelHealth | null>(null);
  const test = useAction(async () => setHealth(await api.get<ModelHealth>(`${base}/health`)));
  const [deleting, setDeleting] = useState(false);
  const [editing, setEditing] = useState(false);

  if (model.error) return <ErrorBox error={model.error} />;
  if (!model.data) return <Loading what="the model" />;

  return (
    <section>
      <div className="page-head">
        <h1>
          Model <span className="mono">{name}</span>
        </h1>
        <button type="button" className="secondary" onClick={() => setEditing(true)}>
          Edit model
        </button>
        <button type="button" className="danger" onClick={() => setDeleting(true)}>
          Delete model
        </button>
      </div>
      <p className="muted">
        {model.data.mtype}
        {model.data.summary ? ` · ${model.data.summary}` : ""}
        {model.data.tags.length ? ` · ${model.data.tags.join(", ")}` : ""}
      </p>
      <h2>Configuration</h2>
      <dl className="meta">
        {Object.entries(model.data.configuration).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd className="mono">{v === null ? "—" : typeof v === "string" ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
      <h2>Connection</h2>
      <button type="button" onClick={() => void test.run()} disabled={test.busy}>
        {test.busy ? "Testing…" : "Test connection"}
      </button>
      <ErrorBox error={test.error} />
      {health ? (
        <p role="status">
          <Badge status={health.status} /> {health.detail} ({health.response_time_ms} ms,{" "}
          {health.model_listed === null
            ? "model list unknown"
            : health.model_listed
              ? "the provider lists this model"
              : "the provider does not list this model"}
          , checked {formatDate(health.checked_at)})
        </p>
      ) : null}
      <h2>Test chat</h2>
      <ChatPanel base={base} />
      {editing ? (
        <ConfigurationEditDialog
          collection="models"
          kind="model"
          typeName={model.data.mtype}
          resource={model.data}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            setHealth(null);
            if (saved !== name) navigate(`/models/${encodeURIComponent(saved)}`, { replace: true });
            else void model.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete model ${name}?`}
          message="Endpoints that use it must be changed first."
          confirmLabel="Delete model"
          onConfirm={async () => {
            await api.delete(base);
            navigate("/models");
          }}
          onClose={() => setDeleting(false)}
        />
      ) : null}
    </section>
  );
}

function ChatPanel({ base }: { base: string }) {
  const [question, setQuestion] = useState("");
  const [answer, setAnswer] = useState("");
  const [usage, setUsage] = useState<string>("");
  const chat = useAction(async () => {
    setAnswer("");
    setUsage("");
    await stream(`${base}/chat`, { messages: question, stream: true }, (event) => {
      const data = event.data as Record<string, unknown> | null;
      if (event.event === "delta") setAnswer((a) => a + String(data?.content ?? ""));
      else if (event.event === "final") {
        const result = (data?.result ?? {}) as Record<string, unknown>;
        const u = (result.usage ?? {}) as Record<string, unknown>;
        setUsage(
          `${u.prompt_tokens ?? "?"} prompt + ${u.completion_tokens ?? "?"} completion tokens, cost ${result.cost ?? 0}`,
        );
      } else if (event.event === "error") throw new ApiError(502, data);
    });
  });
  const { fields, busy, error } = chat;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void chat.run();
  };

  return (
    <form onSubmit={submit} noValidate>
      <TextField label="Message" value={question} onChange={setQuestion} multiline error={fields.messages} />
      <button type="submit" disabled={busy || !question.trim()}>
        {busy ? "Streaming…" : "Send"}
      </button>
      <ErrorBox error={error} />
      {answer ? (
        <div className="answer" aria-live="polite">
          {answer}
        </div>
      ) : null}
      {usage ? <p className="muted">{usage}</p> : null}
    </form>
  );
}
