// Create a dataset or a model: pick a type, and fill the form its schema generates.
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { api } from "../lib/api";
import { useAction, useLoad } from "../lib/hooks";
import type { TypeInfo } from "../lib/types";
import { SchemaForm, defaultsFor } from "./SchemaForm";
import { ErrorBox, FormActions, Loading, SelectField, TagsField, TextField, splitTags } from "./ui";

interface Props {
  /** "datasets" or "models": the collection under /api/v1. */
  collection: "datasets" | "models";
  /** The body's type field: "dtype" or "mtype". */
  typeField: "dtype" | "mtype";
  onCreated: (name: string) => void;
  onCancel: () => void;
  /** Type-specific helpers under the configuration (models: list the provider's models). */
  extra?: (
    typeName: string,
    configuration: Record<string, unknown>,
    setConfiguration: (c: Record<string, unknown>) => void,
  ) => ReactNode;
}

export function TypedCreateForm({ collection, typeField, onCreated, onCancel, extra }: Props) {
  const types = useLoad(() => api.get<TypeInfo[]>(`/${collection}/types`), [collection]);
  const [typeName, setTypeName] = useState("");
  const [name, setName] = useState("");
  const [summary, setSummary] = useState("");
  const [tags, setTags] = useState("");
  const [configuration, setConfiguration] = useState<Record<string, unknown>>({});

  const chosen = types.data?.find((t) => t.name === typeName);
  useEffect(() => {
    if (!typeName && types.data?.length) setTypeName(types.data[0].name);
  }, [types.data, typeName]);
  useEffect(() => {
    if (chosen) setConfiguration(defaultsFor(chosen.configuration_schema));
  }, [chosen]);

  const create = useAction(async () => {
    await api.post(`/${collection}`, {
      name,
      [typeField]: typeName,
      summary,
      tags: splitTags(tags),
      configuration,
    });
    onCreated(name);
  });
  if (types.loading && !types.data) return <Loading what="types" />;
  if (types.error) return <ErrorBox error={types.error} />;
  const { fields, busy, error } = create;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void create.run();
  };

  return (
    <form onSubmit={submit} noValidate>
      <SelectField
        label="Type"
        value={typeName}
        onChange={setTypeName}
        options={(types.data ?? []).map((t) => ({ value: t.name, label: t.title }))}
        error={fields[typeField]}
        hint={chosen?.description}
      />
      <TextField
        label="Name"
        value={name}
        onChange={setName}
        required
        error={fields.name}
        hint="Letters, digits, '.', '_' and '-'."
      />
      <TextField label="Summary" value={summary} onChange={setSummary} error={fields.summary} />
      <TagsField value={tags} onChange={setTags} error={fields.tags} />
      {chosen ? (
        <fieldset className="nested">
          <legend>{chosen.title} configuration</legend>
          <SchemaForm
            schema={chosen.configuration_schema}
            value={configuration}
            onChange={setConfiguration}
            errors={fields}
            path="configuration"
          />
        </fieldset>
      ) : null}
      {chosen && extra ? extra(typeName, configuration, setConfiguration) : null}
      <ErrorBox error={error} />
      <FormActions onCancel={onCancel} busy={busy} label="Create" busyLabel="Creating…" />
    </form>
  );
}
