// One way to call the Space: the owner key and tenant on every request, and errors turned
// into ApiError, whose field errors (from 422 bodies) forms show beside their fields.
import { loadSession } from "./session";

export const API = "/api/v1";

interface ValidationItem {
  loc: (string | number)[];
  msg: string;
}

export class ApiError extends Error {
  readonly status: number;
  /** Messages by field path, e.g. "configuration.limits.0.rate" (the "body" part dropped). */
  readonly fields: Record<string, string>;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const detail = (body as { detail?: unknown } | null)?.detail;
    const fields: Record<string, string> = {};
    let message: string;
    if (Array.isArray(detail)) {
      for (const item of detail as ValidationItem[]) {
        const path = item.loc.slice(1).join(".");
        fields[path] = fields[path] ? `${fields[path]} ${item.msg}` : item.msg;
      }
      message = (detail as ValidationItem[])
        .map((i) => `${i.loc.slice(1).join(".") || "request"}: ${i.msg}`)
        .join("; ");
    } else if (typeof detail === "string") {
      message = detail;
    } else {
      message = `The Space answered ${status}.`;
    }
    super(message);
    this.status = status;
    this.fields = fields;
    this.body = body;
  }
}

export function authHeaders(): Record<string, string> {
  const session = loadSession();
  const headers: Record<string, string> = {};
  if (session) {
    headers.Authorization = `Bearer ${session.key}`;
    if (session.tenant) headers["X-Tenant-Name"] = session.tenant;
  }
  return headers;
}

async function parse(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

/** Listeners told when the key is refused, so the app can return to sign-in. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders(), ...extraHeaders };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(API + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = await parse(response);
  if (!response.ok) {
    if (response.status === 401) unauthorizedListeners.forEach((l) => l());
    throw new ApiError(response.status, parsed);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  delete: <T>(path: string) => request<T>("DELETE", path),
};

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A server-sent event: its `event:` name (default "message") and parsed `data:`. */
export interface StreamEvent {
  event: string;
  data: unknown;
}

/** Parse server-sent events out of text chunks; returns the events and the unfinished rest. */
export function parseSse(buffer: string): { events: StreamEvent[]; rest: string } {
  const events: StreamEvent[] = [];
  const blocks = buffer.replace(/\r\n/g, "\n").split("\n\n");
  const rest = blocks.pop() ?? "";
  for (const block of blocks) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (!data.length) continue;
    const raw = data.join("\n");
    if (raw === "[DONE]") {
      events.push({ event: "done", data: null });
      continue;
    }
    try {
      events.push({ event, data: JSON.parse(raw) });
    } catch {
      events.push({ event, data: raw });
    }
  }
  return { events, rest };
}

/** POST a body that asks to stream and call `onEvent` for each event as it arrives. */
export async function stream(
  path: string,
  body: unknown,
  onEvent: (event: StreamEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const response = await fetch(API + path, {
    method: "POST",
    headers: { ...authHeaders(), "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok || !response.body) {
    throw new ApiError(response.status, await parse(response));
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const parsed = parseSse(buffer);
    buffer = parsed.rest;
    parsed.events.forEach(onEvent);
  }
  if (buffer.trim()) parseSse(buffer + "\n\n").events.forEach(onEvent);
}

/** Upload one file with progress (fetch cannot report upload progress; XHR can). */
export function uploadFile(
  dataset: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${API}/datasets/${encodeURIComponent(dataset)}/files`);
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = { detail: xhr.responseText };
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body);
      } else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new Error("The upload failed: the Space could not be reached."));
    const form = new FormData();
    form.append("files", file, file.name);
    xhr.send(form);
  });
}
