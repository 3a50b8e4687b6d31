// Small shared pieces: labelled fields, error and empty states, badges, progress, dialogs.
import { useEffect, useId, useRef, type ReactNode } from "react";
import { ApiError, errorMessage } from "../lib/api";
import { useAction, type Loaded } from "../lib/hooks";
import type { Page } from "../lib/types";

/** The ids a control's aria-describedby names: its hint and its error, when present. */
export function describedBy(id: string, hint?: unknown, error?: unknown): string | undefined {
  return [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
}

/** A field's hint and the server's error, under the control, named by `describedBy`. */
export function FieldHelp({ id, hint, error }: { id: string; hint?: ReactNode; error?: string }) {
  return (
    <>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  type?: string;
  required?: boolean;
  multiline?: boolean;
  placeholder?: string;
  autoComplete?: string;
}

/** A labelled input with its hint and the server's error beside it. */
export function TextField(props: TextFieldProps) {
  const id = useId();
  const { label, value, onChange, error, hint, type = "text", required, multiline } = props;
  const common = {
    id,
    value,
    required,
    placeholder: props.placeholder,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy(id, hint, error),
  };
  return (
    <div className="field">
      <FieldLabel id={id} label={label} required={required} />
      {multiline ? (
        <textarea {...common} rows={4} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type={type}
          autoComplete={props.autoComplete ?? "off"}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      <FieldHelp id={id} hint={hint} error={error} />
    </div>
  );
}

interface SelectFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
  error?: string;
  hint?: string;
}

export function SelectField({ label, value, onChange, options, error, hint }: SelectFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        onChange={(e) => onChange(e.target.value)}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldHelp id={id} hint={hint} error={error} />
    </div>
  );
}

/** An error that is not about one field (or all of them, when no field matched). */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const fieldsShown = error instanceof ApiError && Object.keys(error.fields).length > 0;
  return (
    <div className="error-box" role="alert">
      {fieldsShown ? "Some fields need attention: " : null}
      {errorMessage(error)}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function Badge({ status, children }: { status: string; children?: ReactNode }) {
  return <span className={`badge badge-${status}`}>{children ?? status}</span>;
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const percent = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-text">{percent}%</span>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
}

/** A modal dialog: focus moves in on open, Tab stays inside, Escape closes, focus returns. */
export function Dialog({ title, onClose, children }: DialogProps) {
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const box = ref.current;
    const first = box?.querySelector<HTMLElement>(
      "input, select, textarea, button:not(.dialog-close), [href]",
    );
    (first ?? box)?.focus();
    return () => previous?.focus();
  }, []);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== "Tab" || !ref.current) return;
    const focusable = Array.from(
      ref.current.querySelectorAll<HTMLElement>(
        "a[href], button:not([disabled]), input:not([disabled]), select, textarea",
      ),
    );
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <div className="dialog-backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        ref={ref}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <div className="dialog-head">
          <h2 id={`${id}-title`}>{title}</h2>
          <button type="button" className="dialog-close secondary" onClick={onClose} aria-label="Close dialog">
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

interface ConfirmProps {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/** Asks before a destructive action; shows the server's refusal if it comes. */
export function ConfirmDialog({ title, message, confirmLabel, onConfirm, onClose }: ConfirmProps) {
  const confirm = useAction(async () => {
    await onConfirm();
    onClose();
  });
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="dialog-body">{message}</div>
      <ErrorBox error={confirm.error} />
      <div className="actions">
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={confirm.busy} onClick={() => void confirm.run()}>
          {confirm.busy ? "Working…" : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString();
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

interface ResourceTableProps<T extends { id: string }> {
  what: string;
  list: Loaded<Page<T>>;
  /** Shown when the list is empty: what to do next. */
  empty: ReactNode;
  columns: ReactNode[];
  /** The cells of one row. */
  row: (item: T) => ReactNode;
}

/** A loaded page of resources as a table, with its loading, error and empty states. */
export function ResourceTable<T extends { id: string }>({ what, list, empty, columns, row }: ResourceTableProps<T>) {
  const items = list.data?.items;
  return (
    <>
      <ErrorBox error={list.error} />
      {list.loading && !items ? <Loading what={what} /> : null}
      {items && items.length === 0 ? empty : null}
      {items && items.length > 0 ? (
        <table>
          <thead>
            <tr>
              {columns.map((c, i) => (
                <th scope="col" key={i}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.id}>{row(item)}</tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

/** "a, b,,c " as the API's list of tags. */
/** Tags typed as one comma-separated line; send them through splitTags. */
export function TagsField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string }) {
  return <TextField label="Tags" value={value} onChange={onChange} error={error} hint="Comma-separated." />;
}

export function splitTags(text: string): string[] {
  return text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

/** A control's label, marked when the field is required. */
export function FieldLabel({ id, label, required }: { id: string; label: ReactNode; required?: boolean }) {
  return (
    <label htmlFor={id}>
      {label}
      {required ? <span aria-hidden="true"> *</span> : null}
    </label>
  );
}

/** A form's Cancel and submit buttons; the submit one says what is happening while busy. */
export function FormActions(props: { onCancel: () => void; busy: boolean; label: string; busyLabel: string }) {
  return (
    <div className="actions">
      <button type="button" className="secondary" onClick={props.onCancel}>
        Cancel
      </button>
      <button type="submit" disabled={props.busy}>
        {props.busy ? props.busyLabel : props.label}
      </button>
    </div>
  );
}
