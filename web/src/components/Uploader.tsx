// Drop files (or choose them) to upload; each file shows its own upload progress.
import { useId, useState, type DragEvent } from "react";
import { errorMessage, uploadFile } from "../lib/api";
import { ProgressBar } from "./ui";

interface Upload {
  id: number;
  name: string;
  progress: number;
  error: string | null;
  done: boolean;
}

let nextId = 1;

export function Uploader({ dataset, onUploaded }: { dataset: string; onUploaded: () => void }) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [over, setOver] = useState(false);
  const inputId = useId();

  const update = (id: number, change: Partial<Upload>) =>
    setUploads((all) => all.map((u) => (u.id === id ? { ...u, ...change } : u)));

  const start = (files: File[]) => {
    for (const file of files) {
      const id = nextId++;
      setUploads((all) => [
        ...all,
        { id, name: file.name, progress: 0, error: null, done: false },
      ]);
      uploadFile(dataset, file, (p) => update(id, { progress: p })).then(
        () => {
          update(id, { done: true, progress: 1 });
          onUploaded();
        },
        (e: unknown) => update(id, { error: errorMessage(e) }),
      );
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    start(Array.from(e.dataTransfer.files));
  };

  return (
    <div>
      <div
        className={`dropzone${over ? " over" : ""}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="dropzone"
      >
        <p>Drop files here (txt, md, pdf, docx, html, csv, json)</p>
        <label htmlFor={inputId} className="button-like">
          Choose files
        </label>
        <input
          id={inputId}
          className="visually-hidden-input"
          type="file"
          multiple
          onChange={(e) => {
            start(Array.from(e.target.files ?? []));
            e.target.value = "";
          }}
        />
      </div>
      {uploads.length ? (
        <ul className="uploads" aria-label="Uploads">
          {uploads.map((u) => (
            <li key={u.id}>
              <span className="upload-name">{u.name}</span>
              <ProgressBar value={u.progress} label={`Upload of ${u.name}`} />
              {u.error ? (
                <span className="field-error" role="alert">
                  {u.error}
                </span>
              ) : u.done ? (
                <span className="ok">uploaded, queued for ingestion</span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
