import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { EndpointEditDialog } from "../components/EndpointEditDialog";
import { PolicyEditor } from "../components/PolicyEditor";
import { AvailabilityView, PublishDialog } from "../components/PublishDialog";
import { Badge, ConfirmDialog, Empty, ErrorBox, Loading, formatDate } from "../components/ui";
import { api } from "../lib/api";
import { useAction, useLoad } from "../lib/hooks";
import type { Availability, EndpointDetail as Detail, PublishResponse, UsageSummary } from "../lib/types";

export function EndpointDetail() {
  const slug = useParams().slug ?? "";
  const base = `/endpoints/${slug}`;
  const navigate = useNavigate();
  const endpoint = useLoad(() => api.get<Detail>(base), [base]);
  const usage = useLoad(
    () => api.get<UsageSummary>(`/analytics/summary?endpoint=${encodeURIComponent(slug)}`),
    [slug],
  );
  const [publishing, setPublishing] = useState(false);
  const [unpublishing, setUnpublishing] = useState(false);
  const [unpublished, setUnpublished] = useState<PublishResponse | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [editing, setEditing] = useState(false);
  const [availability, setAvailability] = useState<Availability | null>(null);
  const check = useAction(async () =>
    setAvailability(await api.post<Availability>(`${base}/check-availability`, {})),
  );

  if (endpoint.error) return <ErrorBox error={endpoint.error} />;
  if (!endpoint.data) return <Loading what="the endpoint" />;
  const e = endpoint.data;
  const publishedTo = e.published_to ?? [];

  return (
    <section>
      <div className="page-head">
        <h1>{e.name}</h1>
        <Badge status={e.health.status} />
        <Link className="button-like" to={`${base}/playground`}>
          Open playground
        </Link>
        <button type="button" className="secondary" onClick={() => setEditing(true)}>
          Edit endpoint
        </button>
        <button type="button" className="danger" onClick={() => setDeleting(true)}>
          Delete endpoint
        </button>
      </div>
      {e.summary ? <p>{e.summary}</p> : null}
      {e.description ? <p className="description">{e.description}</p> : null}
      <dl className="meta">
        <div>
          <dt>Slug</dt>
          <dd className="mono">{e.slug}</dd>
        </div>
        <div>
          <dt>Response type</dt>
          <dd>{e.response_type}</dd>
        </div>
        <div>
          <dt>Dataset</dt>
          <dd>{e.dataset ? <Link to={`/datasets/${encodeURIComponent(e.dataset)}`}>{e.dataset}</Link> : "—"}</dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd>{e.model ? <Link to={`/models/${encodeURIComponent(e.model)}`}>{e.model}</Link> : "—"}</dd>
        </div>
        <div>
          <dt>Tags</dt>
          <dd>{e.tags.join(", ") || "—"}</dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>{formatDate(e.updated_at)}</dd>
        </div>
      </dl>

      <h2>Health</h2>
      <p>
        <Badge status={e.health.status} /> {e.health.detail}
      </p>
      <ul>
        {e.health.dataset ? (
          <li>
            Dataset {e.health.dataset.name}: <Badge status={e.health.dataset.status} /> {e.health.dataset.detail}
          </li>
        ) : null}
        {e.health.model ? (
          <li>
            Model {e.health.model.name}: <Badge status={e.health.model.status} /> {e.health.model.detail}
          </li>
        ) : null}
        <li>
          {e.health.recent_queries} recent queries, {(e.health.recent_error_rate * 100).toFixed(0)}% errors
        </li>
      </ul>

      <h2>Published to</h2>
      {publishedTo.length === 0 ? (
        <p className="muted">{e.published ? "Published." : "Not published to any marketplace yet."}</p>
      ) : (
        <ul aria-label="Published to">
          {publishedTo.map((p) => (
            <li key={p.marketplace_id}>
              {p.marketplace_name}: <Badge status={p.status} />
              {p.error ? <span className="field-error"> {p.error}</span> : null}{" "}
              <span className="muted">
                {p.published_at ? `since ${formatDate(p.published_at)}` : `updated ${formatDate(p.updated_at)}`}
                {p.next_attempt_at ? `, next try ${formatDate(p.next_attempt_at)}` : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
      <div className="actions left">
        <button type="button" className="secondary" onClick={() => void check.run()} disabled={check.busy}>
          {check.busy ? "Checking…" : "Check Availability"}
        </button>
        <button type="button" onClick={() => setPublishing(true)}>
          Publish to SyftHub
        </button>
        {e.published || publishedTo.length ? (
          <button type="button" className="danger" onClick={() => setUnpublishing(true)}>
            Unpublish from SyftHub
          </button>
        ) : null}
      </div>
      <ErrorBox error={check.error} />
      {availability ? <AvailabilityView availability={availability} /> : null}
      {unpublished ? (
        <ul aria-label="Unpublish results">
          {unpublished.results.map((r) => (
            <li key={r.marketplace_id}>
              {r.marketplace_name}: {r.success ? "unpublished" : <span className="field-error">{r.error ?? r.message}</span>}
            </li>
          ))}
        </ul>
      ) : null}

      <h2>Usage (last 7 days)</h2>
      {usage.data && usage.data.queries === 0 ? (
        <Empty title="No queries yet">
          <p>Try the <Link to={`${base}/playground`}>playground</Link>; queries appear here.</p>
        </Empty>
      ) : null}
      {usage.data && usage.data.queries > 0 ? (
        <dl className="stats">
          <div>
            <dt>Queries</dt>
            <dd>{usage.data.queries}</dd>
          </div>
          <div>
            <dt>Users</dt>
            <dd>{usage.data.unique_users}</dd>
          </div>
          <div>
            <dt>Denied</dt>
            <dd>{usage.data.denials + usage.data.rate_limited}</dd>
          </div>
          <div>
            <dt>Errors</dt>
            <dd>{usage.data.errors}</dd>
          </div>
          <div>
            <dt>Avg latency</dt>
            <dd>{usage.data.average_latency_ms?.toFixed(0) ?? "—"} ms</dd>
          </div>
          <div>
            <dt>Earned</dt>
            <dd>{usage.data.total_cost.toFixed(4)}</dd>
          </div>
        </dl>
      ) : null}

      <h2>Policies</h2>
      <PolicyEditor slug={slug} />

      {editing ? (
        <EndpointEditDialog
          endpoint={e}
          onClose={() => setEditing(false)}
          onSaved={(newSlug) => {
            setEditing(false);
            if (newSlug !== slug) navigate(`/endpoints/${newSlug}`);
            else void endpoint.reload();
          }}
        />
      ) : null}
      {publishing ? (
        <PublishDialog slug={slug} onClose={() => setPublishing(false)} onPublished={() => void endpoint.reload()} />
      ) : null}
      {unpublishing ? (
        <ConfirmDialog
          title={`Unpublish ${e.name}?`}
          message="It leaves marketplace search, stops taking queries through SyftHub, and existing integrations break. Its local configuration stays."
          confirmLabel="Unpublish"
          onConfirm={async () => {
            setUnpublished(await api.post<PublishResponse>(`${base}/unpublish`, {}));
            await endpoint.reload();
          }}
          onClose={() => setUnpublishing(false)}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete endpoint ${e.name}?`}
          message="The endpoint and its policies are deleted; callers get 404 from now on."
          confirmLabel="Delete endpoint"
          onConfirm={async () => {
            await api.delete(base);
            navigate("/endpoints");
          }}
          onClose={() => setDeleting(false)}
        />
      ) : null}
    </section>
  );
}
