import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";
import { ConfigurationEditDialog } from "../components/ConfigurationEditDialog";
import { ReferenceCard } from "../components/ReferenceCard";
import { Uploader } from "../components/Uploader";
import {
  Badge,
  ConfirmDialog,
  Empty,
  ErrorBox,
  Loading,
  ProgressBar,
  ResourceTable,
  SelectField,
  TextField,
  formatBytes,
  formatDate,
} from "../components/ui";
import { api } from "../lib/api";
import { useAction, useInterval, useLoad } from "../lib/hooks";
import type {
  Dataset,
  DatasetHealth,
  DocumentRow,
  Job,
  Page,
  Progress,
  SearchResult,
} from "../lib/types";

export function DatasetDetail() {
  const name = useParams().name ?? "";
  const base = `/datasets/${encodeURIComponent(name)}`;
  const navigate = useNavigate();
  const dataset = useLoad(() => api.get<Dataset>(base), [base]);
  const health = useLoad(() => api.get<DatasetHealth>(`${base}/health`), [base]);
  const progress = useLoad(() => api.get<Progress>(`${base}/progress`), [base]);
  const failed = useLoad(() => api.get<Page<Job>>(`${base}/jobs?state=failed`), [base]);
  const documents = useLoad(() => api.get<Page<DocumentRow>>(`${base}/documents`), [base]);
  const [deleting, setDeleting] = useState(false);
  const [editing, setEditing] = useState(false);
  const [deletingDoc, setDeletingDoc] = useState<DocumentRow | null>(null);

  const refresh = () => {
    void progress.reload();
    void failed.reload();
    void documents.reload();
    void health.reload();
  };
  const ingesting = (progress.data?.files_pending ?? 0) > 0;
  // Ingestion moves on the server: follow it while files are pending.
  useInterval(refresh, 1000, ingesting);

  if (dataset.error) return <ErrorBox error={dataset.error} />;
  if (!dataset.data) return <Loading what="the dataset" />;
  const p = progress.data;

  return (
    <section>
      <div className="page-head">
        <h1>
          Dataset <span className="mono">{name}</span>
        </h1>
        {health.data ? <Badge status={health.data.status} /> : null}
        <button type="button" className="secondary" onClick={() => setEditing(true)}>
          Edit dataset
        </button>
        <button type="button" className="danger" onClick={() => setDeleting(true)}>
          Delete dataset
        </button>
      </div>
      <p className="muted">
        {dataset.data.dtype} · {health.data?.detail}
        {dataset.data.summary ? ` · ${dataset.data.summary}` : ""}
        {dataset.data.tags.length ? ` · ${dataset.data.tags.join(", ")}` : ""}
      </p>
      {health.data ? (
        <dl className="stats">
          <div>
            <dt>Documents</dt>
            <dd>{health.data.documents}</dd>
          </div>
          <div>
            <dt>Chunks</dt>
            <dd>{health.data.chunks}</dd>
          </div>
          <div>
            <dt>Failed jobs</dt>
            <dd>{health.data.failed_jobs}</dd>
          </div>
          <div>
            <dt>Embedder</dt>
            <dd>{health.data.embedder ?? "—"}</dd>
          </div>
        </dl>
      ) : null}

      <h2>Upload</h2>
      <Uploader dataset={name} onUploaded={refresh} />

      <h2>Ingestion</h2>
      {p && p.files_total > 0 ? (
        <div className="ingestion" aria-live="polite">
          <ProgressBar
            value={p.files_total ? (p.files_done + p.files_failed) / p.files_total : 0}
            label="Ingestion progress"
          />
          <p data-testid="ingestion-status">
            {ingesting
              ? `Ingesting: ${p.files_done} of ${p.files_total} files done, ${p.files_pending} pending`
              : `Ingestion complete: ${p.files_done} of ${p.files_total} files, ${p.chunks} chunks`}
            {p.files_failed ? `, ${p.files_failed} failed` : ""}
            {ingesting && p.eta_seconds != null ? ` · about ${Math.ceil(p.eta_seconds)} s left` : ""}
          </p>
        </div>
      ) : (
        <p className="muted">Nothing ingested yet: upload files above.</p>
      )}
      {failed.data && failed.data.items.length > 0 ? (
        <FailedJobs jobs={failed.data.items} base={base} onRetried={refresh} />
      ) : null}

      <h2>Documents</h2>
      <ResourceTable
        what="documents"
        list={documents}
        empty={
          <Empty title="No documents">
            <p>Drop files above; they appear here once ingested.</p>
          </Empty>
        }
        columns={[
          "File",
          "Format",
          "Size",
          "Chunks",
          "Status",
          "Added",
          <span className="visually-hidden">Actions</span>,
        ]}
        row={(d) => (
          <>
            <td>{d.file_name}</td>
            <td>{d.format}</td>
            <td>{formatBytes(d.size_bytes)}</td>
            <td>{d.chunk_count}</td>
            <td>
              <Badge status={d.status} />
              {d.error ? <span className="field-error"> {d.error}</span> : null}
            </td>
            <td>{formatDate(d.created_at)}</td>
            <td>
              <button
                type="button"
                className="danger small"
                onClick={() => setDeletingDoc(d)}
                aria-label={`Delete ${d.file_name}`}
              >
                Delete
              </button>
            </td>
          </>
        )}
      />

      <h2>Test search</h2>
      <SearchPanel base={base} />

      {editing ? (
        <ConfigurationEditDialog
          collection="datasets"
          kind="dataset"
          typeName={dataset.data.dtype}
          resource={dataset.data}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            if (saved !== name) navigate(`/datasets/${encodeURIComponent(saved)}`, { replace: true });
            else {
              void dataset.reload();
              void health.reload();
            }
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete dataset ${name}?`}
          message="Its documents, chunks and vectors are deleted. Endpoints that use it must be changed first."
          confirmLabel="Delete dataset"
          onConfirm={async () => {
            await api.delete(base);
            navigate("/datasets");
          }}
          onClose={() => setDeleting(false)}
        />
      ) : null}
      {deletingDoc ? (
        <ConfirmDialog
          title={`Delete ${deletingDoc.file_name}?`}
          message="The document and its chunks leave the dataset."
          confirmLabel="Delete document"
          onConfirm={async () => {
            await api.delete(`${base}/documents/${deletingDoc.id}`);
            refresh();
          }}
          onClose={() => setDeletingDoc(null)}
        />
      ) : null}
    </section>
  );
}

function FailedJobs({ jobs, base, onRetried }: { jobs: Job[]; base: string; onRetried: () => void }) {
  const retry = useAction(async (job: Job) => {
    await api.post(`${base}/jobs/${job.id}/retry`);
    onRetried();
  });
  return (
    <div className="failed-jobs">
      <h3>Failed files</h3>
      <ErrorBox error={retry.error} />
      <ul>
        {jobs.map((j) => (
          <li key={j.id}>
            <strong>{j.file_name}</strong>: <span className="field-error">{j.error}</span>{" "}
            <span className="muted">({j.attempts} attempts)</span>{" "}
            <button
              type="button"
              className="small"
              disabled={retry.busy}
              onClick={() => void retry.run(j)}
            >
              Retry {j.file_name}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function SearchPanel({ base }: { base: string }) {
  const [query, setQuery] = useState("");
  const [searchType, setSearchType] = useState("hybrid");
  const [limit, setLimit] = useState("5");
  const [threshold, setThreshold] = useState("0");
  const [result, setResult] = useState<SearchResult | null>(null);
  const search = useAction(async () => {
    setResult(
      await api.post<SearchResult>(`${base}/search`, {
        query,
        search_type: searchType,
        limit: Number(limit),
        similarity_threshold: Number(threshold),
      }),
    );
  });
  const { fields, busy, error } = search;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void search.run();
  };

  return (
    <div>
      <form onSubmit={submit} noValidate className="inline-form">
        <TextField label="Query" value={query} onChange={setQuery} error={fields.query} />
        <SelectField
          label="Search type"
          value={searchType}
          onChange={setSearchType}
          options={["hybrid", "vector", "keyword"].map((v) => ({ value: v, label: v }))}
        />
        <TextField label="Results" type="number" value={limit} onChange={setLimit} error={fields.limit} />
        <TextField
          label="Minimum score"
          type="number"
          value={threshold}
          onChange={setThreshold}
          error={fields.similarity_threshold}
        />
        <button type="submit" disabled={busy}>
          {busy ? "Searching…" : "Search"}
        </button>
      </form>
      <ErrorBox error={error} />
      {result && result.documents.length === 0 ? (
        <Empty title="No matches">
          <p>Try other words, or lower the minimum score.</p>
        </Empty>
      ) : null}
      {result ? (
        <ol className="results">
          {result.documents.map((r, i) => (
            <li key={`${r.document_id}-${i}`}>
              <ReferenceCard reference={r} number={i + 1} />
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
