// A new endpoint in four steps: what it answers with, its dataset, its model, its words.
import { useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { ErrorBox, SelectField, TagsField, TextField } from "../components/ui";
import { ApiError, api } from "../lib/api";
import { useLoad } from "../lib/hooks";
import type { Dataset, Model, Page, ResponseType } from "../lib/types";

const RESPONSE_TYPES: { value: ResponseType; label: string; hint: string }[] = [
  { value: "both", label: "Answer with sources (RAG)", hint: "Search the dataset, then let the model answer citing the results." },
  { value: "raw", label: "Sources only", hint: "Return the matching chunks; no model needed." },
  { value: "summary", label: "Model only", hint: "The model answers alone; no dataset." },
];

const STEPS = ["Response type", "Dataset", "Model", "Details"] as const;

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
}

/** Which wizard step shows a server error for a field. */
const FIELD_STEP: Record<string, number> = { response_type: 0, dataset: 1, model: 2 };

export function EndpointWizard() {
  const navigate = useNavigate();
  const datasets = useLoad(() => api.get<Page<Dataset>>("/datasets?limit=1000"), []);
  const models = useLoad(() => api.get<Page<Model>>("/models?limit=1000"), []);
  const [step, setStep] = useState(0);
  const [responseType, setResponseType] = useState<ResponseType>("both");
  const [dataset, setDataset] = useState("");
  const [model, setModel] = useState("");
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugTouched, setSlugTouched] = useState(false);
  const [summary, setSummary] = useState("");
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState("");
  const [systemPrompt, setSystemPrompt] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = error instanceof ApiError ? error.fields : {};

  const needsDataset = responseType !== "summary";
  const needsModel = responseType !== "raw";
  const steps = STEPS.map((label, i) => ({
    label,
    skipped: (i === 1 && !needsDataset) || (i === 2 && !needsModel),
  }));
  const move = (direction: 1 | -1) => {
    let next = step + direction;
    while (steps[next]?.skipped) next += direction;
    setStep(Math.max(0, Math.min(STEPS.length - 1, next)));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (step < STEPS.length - 1) {
      move(1);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.post("/endpoints", {
        name,
        slug,
        summary,
        description,
        tags: tags.split(",").map((t) => t.trim()).filter(Boolean),
        response_type: responseType,
        dataset: needsDataset ? dataset || null : null,
        model: needsModel ? model || null : null,
        system_prompt: systemPrompt,
      });
      navigate(`/endpoints/${slug}`);
    } catch (err) {
      setError(err);
      if (err instanceof ApiError) {
        const first = Object.keys(err.fields).map((f) => FIELD_STEP[f]).find((s) => s !== undefined);
        if (first !== undefined) setStep(first);
      }
    } finally {
      setBusy(false);
    }
  };

  const datasetOptions = (datasets.data?.items ?? []).map((d) => ({ value: d.name, label: d.name }));
  const modelOptions = (models.data?.items ?? []).map((m) => ({
    value: m.name,
    label: `${m.name} (${String(m.configuration.model ?? m.mtype)})`,
  }));

  return (
    <section>
      <h1>New endpoint</h1>
      <ol className="steps" aria-label="Steps">
        {steps.map((s, i) => (
          <li key={s.label} aria-current={i === step ? "step" : undefined} className={s.skipped ? "skipped" : ""}>
            {i + 1}. {s.label}
            {s.skipped ? " (not needed)" : ""}
          </li>
        ))}
      </ol>
      <form onSubmit={submit} noValidate className="card">
        {step === 0 ? (
          <fieldset>
            <legend>What should the endpoint answer with?</legend>
            {RESPONSE_TYPES.map((r) => (
              <div className="radio" key={r.value}>
                <input
                  type="radio"
                  id={`rt-${r.value}`}
                  name="response_type"
                  value={r.value}
                  checked={responseType === r.value}
                  onChange={() => setResponseType(r.value)}
                  aria-describedby={`rt-${r.value}-hint`}
                />
                <label htmlFor={`rt-${r.value}`}>{r.label}</label>
                <span className="hint" id={`rt-${r.value}-hint`}>
                  {r.hint}
                </span>
              </div>
            ))}
            {fields.response_type ? <p className="field-error" role="alert">{fields.response_type}</p> : null}
          </fieldset>
        ) : null}
        {step === 1 ? (
          datasetOptions.length ? (
            <SelectField
              label="Dataset"
              value={dataset}
              onChange={setDataset}
              options={[{ value: "", label: "(choose a dataset)" }, ...datasetOptions]}
              error={fields.dataset}
              hint="Questions are answered from its documents."
            />
          ) : (
            <p>
              No datasets yet. <Link to="/datasets">Create a dataset</Link> and upload documents first.
            </p>
          )
        ) : null}
        {step === 2 ? (
          modelOptions.length ? (
            <SelectField
              label="Model"
              value={model}
              onChange={setModel}
              options={[{ value: "", label: "(choose a model)" }, ...modelOptions]}
              error={fields.model}
            />
          ) : (
            <p>
              No models yet. <Link to="/models">Connect a model</Link> first, or go back and
              choose "Sources only".
            </p>
          )
        ) : null}
        {step === 3 ? (
          <>
            <TextField
              label="Name"
              value={name}
              required
              onChange={(v) => {
                setName(v);
                if (!slugTouched) setSlug(slugify(v));
              }}
              error={fields.name}
            />
            <TextField
              label="Slug"
              value={slug}
              required
              onChange={(v) => {
                setSlug(v);
                setSlugTouched(true);
              }}
              error={fields.slug}
              hint="Its address: 3-63 lowercase letters, digits and hyphens."
            />
            <TextField label="Summary" value={summary} onChange={setSummary} error={fields.summary} />
            <TextField label="Description" value={description} onChange={setDescription} multiline error={fields.description} hint="Markdown." />
            <TagsField value={tags} onChange={setTags} error={fields.tags} />
            {needsModel ? (
              <TextField
                label="System prompt"
                value={systemPrompt}
                onChange={setSystemPrompt}
                multiline
                error={fields.system_prompt}
                hint="Instructions for the model; empty uses the Space's default."
              />
            ) : null}
          </>
        ) : null}
        <ErrorBox error={error} />
        <div className="actions">
          {step > 0 ? (
            <button type="button" className="secondary" onClick={() => move(-1)}>
              Back
            </button>
          ) : null}
          <button type="submit" disabled={busy}>
            {step < STEPS.length - 1 ? "Next" : busy ? "Creating…" : "Create endpoint"}
          </button>
        </div>
      </form>
    </section>
  );
}
