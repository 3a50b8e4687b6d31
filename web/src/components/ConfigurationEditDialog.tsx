// Change a dataset's or a model's name, summary, tags and configuration, with the form its
// type's schema generates, prefilled with what the Space stores. Only what changed is sent; a
// stored secret ("**********") is kept unless a new one is typed or it is removed.
import { useState, type FormEvent } from "react";
import { api } from "../lib/api";
import { useAction, useLoad } from "../lib/hooks";
import type { TypeInfo } from "../lib/types";
import { SchemaForm, configurationPatch } from "./SchemaForm";
import { Dialog, ErrorBox, FormActions, Loading, TagsField, TextField, splitTags } from "./ui";

type Obj = Record<string, unknown>;

interface Resource {
  name: string;
  summary: string;
  tags: string[];
  configuration: Obj;
}

interface Props {
  /** "datasets" or "models": the collection under /api/v1. */
  collection: "datasets" | "models";
  /** The resource's type name (its dtype or mtype). */
  typeName: string;
  resource: Resource;
  /** "dataset" or "model", for the title. */
  kind: string;
  onClose: () => void;
  /** Called with the (possibly new) name once the Space accepted the change. */
  onSaved: (name: string) => void;
}

export function ConfigurationEditDialog({ collection, typeName, resource, kind, onClose, onSaved }: Props) {
  const types = useLoad(() => api.get<TypeInfo[]>(`/${collection}/types`), [collection]);
  const [name, setName] = useState(resource.name);
  const [summary, setSummary] = useState(resource.summary);
  const [tags, setTags] = useState(resource.tags.join(", "));
  const [configuration, setConfiguration] = useState<Obj>(resource.configuration);
  const type = types.data?.find((t) => t.name === typeName);

  const save = useAction(async () => {
    const body: Obj = {};
    if (name !== resource.name) body.name = name;
    if (summary !== resource.summary) body.summary = summary;
    const tagList = splitTags(tags);
    if (tagList.join(",") !== resource.tags.join(",")) body.tags = tagList;
    if (type) {
      const patch = configurationPatch(type.configuration_schema, resource.configuration, configuration);
      if (Object.keys(patch).length) body.configuration = patch;
    }
    if (Object.keys(body).length) await api.patch(`/${collection}/${encodeURIComponent(resource.name)}`, body);
    onSaved(name);
  });
  const { fields, busy, error } = save;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };

  return (
    <Dialog title={`Edit ${kind} ${resource.name}`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <TextField
          label="Name"
          value={name}
          onChange={setName}
          required
          error={fields.name}
          hint="Endpoints that use it follow a rename; API calls by the old name stop working."
        />
        <TextField label="Summary" value={summary} onChange={setSummary} error={fields.summary} />
        <TagsField value={tags} onChange={setTags} error={fields.tags} />
        {types.loading && !types.data ? <Loading what="the type's form" /> : null}
        <ErrorBox error={types.error} />
        {types.data && !type ? (
          <p className="field-error">
            The Space no longer offers the type {typeName}, so its configuration cannot be edited here.
          </p>
        ) : null}
        {type ? (
          <fieldset className="nested">
            <legend>{type.title} configuration</legend>
            <SchemaForm
              schema={type.configuration_schema}
              value={configuration}
              onChange={setConfiguration}
              errors={fields}
              path="configuration"
              editing
            />
          </fieldset>
        ) : null}
        <ErrorBox error={error} />
        <FormActions onCancel={onClose} busy={busy} label="Save" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
