// Configuration forms generated from a type's JSON schema (pydantic's output), so a new
// plug-in type gets a form without console code. Handles what the Space's types use:
// string, integer, number, boolean, enum, arrays of scalars or of objects, nested objects,
// $ref into $defs, nullable fields (anyOf with null), `format: password` for secrets.
import { useId, useRef, type ReactNode } from "react";
import type { JsonSchema } from "../lib/types";
import { FieldHelp, FieldLabel, describedBy } from "./ui";

type Value = unknown;
type Obj = Record<string, Value>;

export const REDACTED = "**********";

/** Follow a `$ref` and fold `anyOf: [X, null]` into X marked nullable. */
export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema & { nullable?: boolean } {
  let current = schema;
  if (current.$ref) {
    const name = current.$ref.split("/").pop() ?? "";
    current = { ...root.$defs?.[name], ...withoutRef(current) };
  }
  if (current.anyOf) {
    const options = current.anyOf.filter((o) => o.type !== "null");
    const nullable = options.length < current.anyOf.length;
    if (options.length === 1) {
      const { anyOf: _drop, ...rest } = current;
      void _drop;
      return { ...resolve(options[0], root), ...rest, nullable };
    }
  }
  return current;
}

function withoutRef(schema: JsonSchema): JsonSchema {
  const { $ref: _ref, ...rest } = schema;
  void _ref;
  return rest;
}

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return "enum";
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== "null") : schema.type;
  if (t) return t;
  if (schema.properties) return "object";
  return "string";
}

/** A starting value: declared defaults, and for required fields with no default the first
 * example (rate limits start at "10/m") or one item for arrays that need at least one. */
export function defaultsFor(schema: JsonSchema, root: JsonSchema = schema): Obj {
  const out: Obj = {};
  const required = new Set(schema.required ?? []);
  for (const [key, raw] of Object.entries(schema.properties ?? {})) {
    const field = resolve(raw, root);
    const value = defaultValue(field, root, required.has(key));
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function defaultValue(field: JsonSchema, root: JsonSchema, required: boolean): Value {
  if (field.default !== undefined) return field.default;
  const kind = typeOf(field);
  if (kind === "array") {
    if ((field.minItems ?? 0) > 0 && field.items) {
      const item = resolve(field.items, root);
      return [typeOf(item) === "object" ? defaultsFor(item, root) : (item.examples?.[0] ?? "")];
    }
    return [];
  }
  if (kind === "object") return defaultsFor(field, root);
  if (required && field.examples?.length) return field.examples[0];
  if (kind === "boolean" && required) return false;
  return undefined;
}

function same(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The configuration part of a PATCH: only the keys the form changed. The Space merges it over
 * what it stores, so a key left out is kept; a field the owner emptied is sent as its schema
 * default (or null), and a stored secret left alone ("**********") or emptied is left out. */
export function configurationPatch(schema: JsonSchema, original: Obj, edited: Obj): Obj {
  const patch: Obj = {};
  for (const [key, value] of Object.entries(edited)) {
    if (!same(value, original[key])) patch[key] = value;
  }
  for (const [key, before] of Object.entries(original)) {
    if (key in edited || before === null || before === undefined || before === REDACTED) continue;
    const raw = schema.properties?.[key];
    const fallback = raw ? resolve(raw, schema).default : undefined;
    if (!same(fallback ?? null, before)) patch[key] = fallback ?? null;
  }
  return patch;
}

interface FormProps {
  schema: JsonSchema;
  value: Obj;
  onChange: (value: Obj) => void;
  /** Field errors from the server, keyed by dotted path. */
  errors?: Record<string, string>;
  /** The path of `value` in the request body, e.g. "configuration". */
  path?: string;
  /** Stored secrets are shown as "leave empty to keep". */
  editing?: boolean;
}

export function SchemaForm({ schema, value, onChange, errors = {}, path = "", editing }: FormProps) {
  return (
    <ObjectFields
      schema={schema}
      root={schema}
      value={value}
      onChange={onChange}
      errors={errors}
      path={path}
      editing={!!editing}
    />
  );
}

interface ObjectProps {
  schema: JsonSchema;
  root: JsonSchema;
  value: Obj;
  onChange: (value: Obj) => void;
  errors: Record<string, string>;
  path: string;
  editing: boolean;
}

function ObjectFields({ schema, root, value, onChange, errors, path, editing }: ObjectProps) {
  const required = new Set(schema.required ?? []);
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([key, raw]) => (
        <Field
          key={key}
          name={key}
          schema={resolve(raw, root)}
          root={root}
          required={required.has(key)}
          value={value[key]}
          onChange={(v) => {
            const next = { ...value };
            if (v === undefined) delete next[key];
            else next[key] = v;
            onChange(next);
          }}
          errors={errors}
          path={path ? `${path}.${key}` : key}
          editing={editing}
        />
      ))}
    </>
  );
}

interface FieldProps {
  name: string;
  schema: JsonSchema & { nullable?: boolean };
  root: JsonSchema;
  required: boolean;
  value: Value;
  onChange: (value: Value) => void;
  errors: Record<string, string>;
  path: string;
  editing: boolean;
}

function humanize(name: string): string {
  const words = name.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function Field(props: FieldProps) {
  const { name, schema, root, required, value, onChange, errors, path, editing } = props;
  const id = useId();
  const label = schema.title ?? humanize(name);
  const kind = typeOf(schema);
  const error = errors[path];
  const help = <FieldHelp id={id} hint={schema.description} error={error} />;
  const common = {
    id,
    name: path,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy(id, schema.description, error),
    required: required && !(editing && schema.format === "password"),
  };

  if (kind === "object") {
    return (
      <fieldset className="nested">
        <legend>{label}</legend>
        <ObjectFields
          schema={schema}
          root={root}
          value={(value as Obj) ?? {}}
          onChange={onChange}
          errors={errors}
          path={path}
          editing={editing}
        />
        {help}
      </fieldset>
    );
  }

  if (kind === "array") {
    const items = (Array.isArray(value) ? value : []) as Value[];
    const itemSchema = resolve(schema.items ?? { type: "string" }, root);
    if (typeOf(itemSchema) === "object") {
      return (
        <fieldset className="nested">
          <legend>{label}</legend>
          {items.map((item, index) => (
            <div className="array-item" key={index}>
              <ObjectFields
                schema={itemSchema}
                root={root}
                value={(item as Obj) ?? {}}
                onChange={(v) => onChange(items.map((old, i) => (i === index ? v : old)))}
                errors={errors}
                path={`${path}.${index}`}
                editing={editing}
              />
              <button
                type="button"
                className="secondary"
                onClick={() => onChange(items.filter((_, i) => i !== index))}
                aria-label={`Remove ${label} ${index + 1}`}
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            className="secondary"
            onClick={() => onChange([...items, defaultsFor(itemSchema, root)])}
          >
            Add {label.toLowerCase()}
          </button>
          {help}
        </fieldset>
      );
    }
    // Scalars: one per line, the easiest list to type and paste.
    return (
      <div className="field">
        <label htmlFor={id}>
          {label} <span className="hint-inline">(one per line)</span>
        </label>
        <textarea
          {...common}
          rows={Math.max(2, items.length + 1)}
          value={items.join("\n")}
          onChange={(e) => {
            const lines = e.target.value.split("\n");
            onChange(lines.length === 1 && lines[0] === "" ? [] : lines);
          }}
          onBlur={(e) =>
            onChange(
              e.target.value
                .split("\n")
                .map((l) => l.trim())
                .filter(Boolean),
            )
          }
        />
        {help}
      </div>
    );
  }

  if (kind === "boolean") {
    return (
      <div className="field checkbox">
        <input
          {...common}
          required={false}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
        />
        <label htmlFor={id}>{label}</label>
        {help}
      </div>
    );
  }

  if (kind === "enum") {
    const options = schema.enum ?? [];
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <select
          {...common}
          value={value === undefined || value === null ? "" : String(value)}
          onChange={(e) => {
            const picked = options.find((o) => String(o) === e.target.value);
            onChange(e.target.value === "" ? undefined : picked);
          }}
        >
          {!required || value === undefined ? <option value="">(default)</option> : null}
          {options.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
        {help}
      </div>
    );
  }

  if (kind === "integer" || kind === "number") {
    const min = schema.minimum ?? schema.exclusiveMinimum;
    const max = schema.maximum ?? schema.exclusiveMaximum;
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          {...common}
          type="number"
          inputMode={kind === "integer" ? "numeric" : "decimal"}
          step={kind === "integer" ? 1 : "any"}
          min={min}
          max={max}
          value={value === undefined || value === null ? "" : String(value)}
          placeholder={schema.nullable ? "not set" : undefined}
          onChange={(e) => {
            const text = e.target.value;
            if (text === "") onChange(undefined);
            else onChange(kind === "integer" ? parseInt(text, 10) : parseFloat(text));
          }}
        />
        {help}
      </div>
    );
  }

  return <TextInput {...props} id={id} label={label} common={common} help={help} />;
}

interface TextProps extends FieldProps {
  id: string;
  label: string;
  common: Record<string, unknown> & { id: string };
  help: ReactNode;
}

function TextInput({ name, schema, required, value, onChange, editing, id, label, common, help }: TextProps) {
  const initial = useRef(value);
  const secret = schema.format === "password";
  // On an edit, a secret left out (or sent back redacted) keeps its stored value.
  const stored = secret && (value === REDACTED || (editing && initial.current === REDACTED));
  const clearable = secret && editing && initial.current === REDACTED && schema.nullable;
  const long = (schema.maxLength ?? 0) > 1000 || /prompt|public_key/.test(name);
  const text = value === undefined || value === null || value === REDACTED ? "" : String(value);
  const cleared = clearable && value === null;
  const placeholder = cleared
    ? "Removed when saved"
    : stored
    ? "Stored; leave empty to keep it"
    : schema.examples?.length
      ? `e.g. ${String(schema.examples[0])}`
      : undefined;
  const change = (next: string) => onChange(next === "" ? undefined : next);
  return (
    <div className="field">
      <FieldLabel id={id} label={label} required={required} />
      {long ? (
        <textarea {...common} rows={4} value={text} onChange={(e) => change(e.target.value)} />
      ) : (
        <input
          {...common}
          type={secret ? "password" : schema.format === "uri" ? "url" : "text"}
          autoComplete={secret ? "new-password" : "off"}
          value={text}
          placeholder={placeholder}
          maxLength={schema.maxLength}
          disabled={cleared}
          onChange={(e) => change(e.target.value)}
        />
      )}
      {help}
      {clearable ? (
        <span className="clear-secret">
          <input
            id={`${id}-clear`}
            type="checkbox"
            checked={cleared}
            onChange={(e) => onChange(e.target.checked ? null : REDACTED)}
          />
          <label htmlFor={`${id}-clear`}>Remove the stored {label.toLowerCase()}</label>
        </span>
      ) : null}
    </div>
  );
}
