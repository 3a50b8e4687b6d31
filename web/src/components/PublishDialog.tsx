// Publish an endpoint to marketplaces: check the slug's availability first, choose where,
// and see each marketplace's result.
import { useState } from "react";
import { Link } from "react-router";
import { api } from "../lib/api";
import { useAction, useLoad } from "../lib/hooks";
import type { Availability, Marketplace, Page, PublishResponse } from "../lib/types";
import { Badge, Dialog, Empty, ErrorBox, Loading } from "./ui";

export function AvailabilityView({ availability }: { availability: Availability }) {
  return (
    <div className="availability" role="status" aria-label="Availability">
      <p>
        Locally:{" "}
        {availability.local.ready ? (
          <Badge status="healthy">ready</Badge>
        ) : (
          <Badge status="unhealthy">not ready</Badge>
        )}
      </p>
      {availability.local.problems.length ? (
        <ul>
          {availability.local.problems.map((p) => (
            <li key={p} className="field-error">
              {p}
            </li>
          ))}
        </ul>
      ) : null}
      <ul>
        {availability.marketplaces.map((m) => (
          <li key={m.marketplace_id}>
            {m.marketplace_name}:{" "}
            {m.available === true ? (
              <Badge status="healthy">slug available</Badge>
            ) : m.available === false ? (
              <Badge status="unhealthy">slug taken</Badge>
            ) : (
              <Badge status="degraded">unknown</Badge>
            )}
            {m.error ? <span className="field-error"> {m.error}</span> : <span className="muted"> {m.message}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function PublishDialog({ slug, onClose, onPublished }: { slug: string; onClose: () => void; onPublished: () => void }) {
  const marketplaces = useLoad(() => api.get<Page<Marketplace>>("/marketplaces?limit=1000"), []);
  const [all, setAll] = useState(true);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [availability, setAvailability] = useState<Availability | null>(null);
  const [result, setResult] = useState<PublishResponse | null>(null);
  const check = useAction(async () => {
    const body = all ? {} : { marketplace_ids: [...chosen] };
    setAvailability(await api.post<Availability>(`/endpoints/${slug}/check-availability`, body));
  });
  const publish = useAction(async () => {
    const body = all
      ? { publish_to_all_marketplaces: true }
      : { marketplace_ids: [...chosen], publish_to_all_marketplaces: false };
    setResult(await api.post<PublishResponse>(`/endpoints/${slug}/publish`, body));
    onPublished();
  });
  const busy = check.busy || publish.busy;

  const items = marketplaces.data?.items ?? [];
  return (
    <Dialog title="Publish to SyftHub" onClose={onClose}>
      {marketplaces.error ? <ErrorBox error={marketplaces.error} /> : null}
      {marketplaces.loading && !marketplaces.data ? <Loading what="marketplaces" /> : null}
      {marketplaces.data && items.length === 0 ? (
        <Empty title="No marketplace connected">
          <p>
            Add one in <Link to="/settings">Settings → Marketplaces</Link>, then publish.
          </p>
        </Empty>
      ) : null}
      {items.length > 0 ? (
        <fieldset>
          <legend>Where to publish</legend>
          <div className="field checkbox">
            <input id="publish-all" type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
            <label htmlFor="publish-all">All marketplaces</label>
          </div>
          {items.map((m) => (
            <div className="field checkbox" key={m.id}>
              <input
                id={`mp-${m.id}`}
                type="checkbox"
                disabled={all}
                checked={all || chosen.has(m.id)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.target.checked) next.add(m.id);
                  else next.delete(m.id);
                  setChosen(next);
                }}
              />
              <label htmlFor={`mp-${m.id}`}>
                {m.name} <span className="muted">({m.url})</span> <Badge status={m.status} />
              </label>
            </div>
          ))}
        </fieldset>
      ) : null}
      {availability ? <AvailabilityView availability={availability} /> : null}
      {result ? (
        <ul className="results" aria-label="Publish results">
          {result.results.map((r) => (
            <li key={r.marketplace_id}>
              <strong>{r.marketplace_name}</strong>:{" "}
              {r.success ? <Badge status="published">published</Badge> : <Badge status="failed">failed</Badge>}{" "}
              {r.success ? r.message : <span className="field-error">{r.error ?? r.message}</span>}
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorBox error={check.error ?? publish.error} />
      <div className="actions">
        <button type="button" className="secondary" onClick={onClose}>
          {result ? "Close" : "Cancel"}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => void check.run()}
          disabled={busy || items.length === 0}
        >
          {check.busy ? "Checking…" : "Check Availability"}
        </button>
        <button
          type="button"
          onClick={() => void publish.run()}
          disabled={busy || items.length === 0 || (!all && chosen.size === 0)}
        >
          {publish.busy ? "Publishing…" : "Publish"}
        </button>
      </div>
    </Dialog>
  );
}
