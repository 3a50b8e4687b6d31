// Change an endpoint's words and wiring; the Space re-lists a published one by itself.
import { useState, type FormEvent } from "react";
import { api } from "../lib/api";
import { useAction } from "../lib/hooks";
import type { Endpoint } from "../lib/types";
import { Dialog, ErrorBox, FormActions, TagsField, TextField, splitTags } from "./ui";

interface Props {
  endpoint: Endpoint;
  onClose: () => void;
  onSaved: (slug: string) => void;
}

export function EndpointEditDialog({ endpoint, onClose, onSaved }: Props) {
  const [name, setName] = useState(endpoint.name);
  const [slug, setSlug] = useState(endpoint.slug);
  const [summary, setSummary] = useState(endpoint.summary);
  const [description, setDescription] = useState(endpoint.description);
  const [tags, setTags] = useState(endpoint.tags.join(", "));
  const [systemPrompt, setSystemPrompt] = useState(endpoint.system_prompt);
  const save = useAction(async () => {
    const saved = await api.patch<Endpoint>(`/endpoints/${endpoint.slug}`, {
      name,
      slug,
      summary,
      description,
      tags: splitTags(tags),
      system_prompt: systemPrompt,
    });
    onSaved(saved.slug);
  });
  const { fields, busy, error } = save;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };

  return (
    <Dialog title={`Edit ${endpoint.name}`} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <TextField label="Name" value={name} onChange={setName} required error={fields.name} />
        <TextField
          label="Slug"
          value={slug}
          onChange={setSlug}
          required
          error={fields.slug}
          hint="Changing the slug of a published endpoint means unpublishing and publishing again."
        />
        <TextField label="Summary" value={summary} onChange={setSummary} error={fields.summary} />
        <TextField label="Description" value={description} onChange={setDescription} multiline error={fields.description} hint="Markdown." />
        <TagsField value={tags} onChange={setTags} error={fields.tags} />
        {endpoint.response_type !== "raw" ? (
          <TextField label="System prompt" value={systemPrompt} onChange={setSystemPrompt} multiline error={fields.system_prompt} />
        ) : null}
        <ErrorBox error={error} />
        <FormActions onCancel={onClose} busy={busy} label="Save" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
