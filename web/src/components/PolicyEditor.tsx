// An endpoint's policies: each edited through the form its type's schema generates.
import { useState, type FormEvent } from "react";
import { api } from "../lib/api";
import { useAction, useLoad } from "../lib/hooks";
import type { Page, Policy, TypeInfo } from "../lib/types";
import { SchemaForm, defaultsFor } from "./SchemaForm";
import { ConfirmDialog, Empty, ErrorBox, FormActions, Loading, SelectField, TextField } from "./ui";

export function PolicyEditor({ slug }: { slug: string }) {
  const types = useLoad(() => api.get<TypeInfo[]>("/policies/types"), []);
  const policies = useLoad(
    () => api.get<Page<Policy>>(`/policies?endpoint=${encodeURIComponent(slug)}&limit=1000`),
    [slug],
  );
  const [adding, setAdding] = useState(false);

  if (types.error) return <ErrorBox error={types.error} />;
  if (!types.data || !policies.data) return <Loading what="policies" />;
  const typeOf = (name: string) => types.data?.find((t) => t.name === name);

  return (
    <div className="policies">
      {policies.data.items.length === 0 && !adding ? (
        <Empty title="No policies">
          <p>Anyone with a valid token may query, as often as they like, for free. Add a policy to limit who, how often, or at what price.</p>
        </Empty>
      ) : null}
      {policies.data.items.map((p) => (
        <PolicyItem key={p.id} policy={p} type={typeOf(p.policy_type)} onChanged={policies.reload} />
      ))}
      {adding ? (
        <NewPolicy
          slug={slug}
          types={types.data}
          onDone={() => {
            setAdding(false);
            void policies.reload();
          }}
          onCancel={() => setAdding(false)}
        />
      ) : (
        <button type="button" onClick={() => setAdding(true)}>
          Add policy
        </button>
      )}
    </div>
  );
}

function NewPolicy(props: { slug: string; types: TypeInfo[]; onDone: () => void; onCancel: () => void }) {
  const { slug, types, onDone, onCancel } = props;
  const [typeName, setTypeName] = useState(types[0]?.name ?? "");
  const chosen = types.find((t) => t.name === typeName);
  const [name, setName] = useState(typeName.replace(/_/g, "-"));
  const [configuration, setConfiguration] = useState<Record<string, unknown>>(
    chosen ? defaultsFor(chosen.configuration_schema) : {},
  );
  const add = useAction(async () => {
    await api.post("/policies", { name, policy_type: typeName, endpoint: slug, configuration });
    onDone();
  });
  const { fields, error } = add;

  const pick = (next: string) => {
    setTypeName(next);
    setName(next.replace(/_/g, "-"));
    const t = types.find((x) => x.name === next);
    setConfiguration(t ? defaultsFor(t.configuration_schema) : {});
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void add.run();
  };

  return (
    <form onSubmit={submit} noValidate className="card" aria-label="New policy">
      <h3>New policy</h3>
      <SelectField
        label="Policy type"
        value={typeName}
        onChange={pick}
        options={types.map((t) => ({ value: t.name, label: t.title }))}
        hint={chosen?.description}
        error={fields.policy_type}
      />
      <TextField label="Policy name" value={name} onChange={setName} error={fields.name} required />
      {chosen ? (
        <SchemaForm
          schema={chosen.configuration_schema}
          value={configuration}
          onChange={setConfiguration}
          errors={fields}
          path="configuration"
        />
      ) : null}
      <ErrorBox error={error} />
      <FormActions onCancel={onCancel} busy={add.busy} label="Add policy" busyLabel="Adding…" />
    </form>
  );
}

function PolicyItem({ policy, type, onChanged }: { policy: Policy; type?: TypeInfo; onChanged: () => Promise<void> }) {
  const [configuration, setConfiguration] = useState(policy.configuration);
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const save = useAction(async () => {
    setSaved(false);
    await api.patch(`/policies/${policy.id}`, { configuration });
    setSaved(true);
    await onChanged();
  });
  const { fields, error } = save;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };

  return (
    <form onSubmit={submit} noValidate className="card" aria-label={`Policy ${policy.name}`}>
      <h3>
        {policy.name} <span className="muted">({type?.title ?? policy.policy_type})</span>
      </h3>
      {type ? (
        <SchemaForm
          schema={type.configuration_schema}
          value={configuration}
          onChange={(v) => {
            setSaved(false);
            setConfiguration(v);
          }}
          errors={fields}
          path="configuration"
          editing
        />
      ) : (
        <pre>{JSON.stringify(policy.configuration, null, 2)}</pre>
      )}
      <ErrorBox error={error} />
      {saved ? <p className="ok" role="status">Saved.</p> : null}
      <div className="actions">
        <button type="button" className="danger" onClick={() => setDeleting(true)}>
          Delete policy
        </button>
        <button type="submit">Save policy</button>
      </div>
      {deleting ? (
        <ConfirmDialog
          title={`Delete policy ${policy.name}?`}
          message="The endpoint stops applying it at once."
          confirmLabel="Delete policy"
          onConfirm={async () => {
            await api.delete(`/policies/${policy.id}`);
            await onChanged();
          }}
          onClose={() => setDeleting(false)}
        />
      ) : null}
    </form>
  );
}
