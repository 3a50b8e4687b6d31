import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { TypedCreateForm } from "../components/TypedCreateForm";
import { Dialog, Empty, ErrorBox, ResourceTable, SelectField, formatDate } from "../components/ui";
import { api } from "../lib/api";
import { useAction, useLoad } from "../lib/hooks";
import type { Model, Page } from "../lib/types";

export function Models() {
  const list = useLoad(() => api.get<Page<Model>>("/models?limit=1000"), []);
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  return (
    <section>
      <div className="page-head">
        <h1>Models</h1>
        <button type="button" onClick={() => setCreating(true)}>
          New model
        </button>
      </div>
      <ResourceTable
        what="models"
        list={list}
        empty={
          <Empty title="No models yet">
            <p>
              Connect a language model (OpenAI-compatible, Anthropic or Ollama) so endpoints can
              answer in words, not only with sources.
            </p>
          </Empty>
        }
        columns={["Name", "Type", "Model", "Created"]}
        row={(m) => (
          <>
            <td>
              <Link to={`/models/${encodeURIComponent(m.name)}`}>{m.name}</Link>
            </td>
            <td>{m.mtype}</td>
            <td className="mono">{String(m.configuration.model ?? "")}</td>
            <td>{formatDate(m.created_at)}</td>
          </>
        )}
      />
      {creating ? (
        <Dialog title="New model" onClose={() => setCreating(false)}>
          <TypedCreateForm
            collection="models"
            typeField="mtype"
            onCancel={() => setCreating(false)}
            onCreated={(name) => navigate(`/models/${encodeURIComponent(name)}`)}
            extra={(typeName, configuration, setConfiguration) => (
              <ProviderModels
                typeName={typeName}
                configuration={configuration}
                onPick={(model) => setConfiguration({ ...configuration, model })}
              />
            )}
          />
        </Dialog>
      ) : null}
    </section>
  );
}

interface ProviderModelsProps {
  typeName: string;
  configuration: Record<string, unknown>;
  onPick: (model: string) => void;
}

/** Ask the provider which models it offers, with the connection typed so far. */
function ProviderModels({ typeName, configuration, onPick }: ProviderModelsProps) {
  const [models, setModels] = useState<string[] | null>(null);
  const list = useAction(async () => {
    const answer = await api.post<{ models: string[] }>(`/models/types/${typeName}/actions/list-models`, {
      configuration,
    });
    setModels(answer.models);
  });
  return (
    <div className="provider-models">
      <button
        type="button"
        className="secondary"
        disabled={list.busy}
        onClick={() => void list.run()}
      >
        {list.busy ? "Asking the provider…" : "List the provider's models"}
      </button>
      <ErrorBox error={list.error} />
      {models && models.length === 0 ? <p className="muted">The provider lists no models.</p> : null}
      {models && models.length > 0 ? (
        <SelectField
          label="Provider's models"
          value={String(configuration.model ?? "")}
          onChange={onPick}
          options={[{ value: "", label: "(pick one)" }, ...models.map((m) => ({ value: m, label: m }))]}
        />
      ) : null}
    </div>
  );
}
