// Change an endpoint's words and wiring; the Space re-lists a published one by itself.
import { useState, type FormEvent } from "react";
import { ApiError, api } from "../lib/api";
import type { Endpoint } from "../lib/types";
import { Dialog, ErrorBox, TextField } from "./ui";

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
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = error instanceof ApiError ? error.fields : {};

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await api.patch<Endpoint>(`/endpoints/${endpoint.slug}`, {
        name,
        slug,
        summary,
        description,
        tags: tags.split(",").map((t) => t.trim()).filter(Boolean),
        system_prompt: systemPrompt,
      });
      onSaved(saved.slug);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
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
        <TextField label="Tags" value={tags} onChange={setTags} error={fields.tags} hint="Comma-separated." />
        {endpoint.response_type !== "raw" ? (
          <TextField label="System prompt" value={systemPrompt} onChange={setSystemPrompt} multiline error={fields.system_prompt} />
        ) : null}
        <ErrorBox error={error} />
        <div className="actions">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            {busy ? "Saving…" : "Save"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
