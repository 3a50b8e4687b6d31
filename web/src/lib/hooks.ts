import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "./api";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Load once per change of `deps`; `reload` loads again (after a change the page made). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await loadRef.current());
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, deps);
  return { data, error, loading, reload };
}

/** Call `tick` every `ms` while `active`; for progress that the server moves on its own. */
export function useInterval(tick: () => void, ms: number, active: boolean): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => tickRef.current(), ms);
    return () => clearInterval(id);
  }, [ms, active]);
}

export interface Action<A extends unknown[]> {
  /** Run the action; its error (if any) lands in `error`, never thrown. True when it worked. */
  run: (...args: A) => Promise<boolean>;
  busy: boolean;
  error: unknown;
  /** The server's field errors from a 422, by dotted path ("configuration.model"). */
  fields: Record<string, string>;
}

/** A button's or form's server call: busy while it runs, its error kept for display. */
export function useAction<A extends unknown[]>(act: (...args: A) => Promise<unknown>): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await act(...args);
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, fields: error instanceof ApiError ? error.fields : {} };
}
