import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again; `quiet` keeps the current data on screen meanwhile (polling). */
  reload: (quiet?: boolean) => Promise<void>;
}

/**
 * Loads `load()` when `key` changes (a string of the inputs, e.g. the query), dropping answers of stale keys.
 * `load` receives an AbortSignal cancelled when the key changes or the page goes away.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const controller = useRef<AbortController | null>(null);

  const run = useCallback(async (quiet: boolean) => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    if (!quiet) setState((s) => ({ ...s, loading: true, error: undefined }));
    try {
      const data = await loadRef.current(current.signal);
      if (!current.signal.aborted) setState({ data, error: undefined, loading: false });
    } catch (error) {
      if (current.signal.aborted) return;
      setState((s) => ({ data: quiet ? s.data : undefined, error, loading: false }));
    }
  }, []);

  useEffect(() => {
    void run(false);
    return () => controller.current?.abort();
  }, [key, run]);

  return { ...state, reload: (quiet = false) => run(quiet) };
}

/** Calls `tick` every `intervalMs` while `active`, without overlapping calls. */
export function usePolling(tick: () => Promise<void>, intervalMs: number, active: boolean): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const next = () => {
      timer = setTimeout(async () => {
        await tickRef.current().catch(() => {});
        if (!stopped) next();
      }, intervalMs);
    };
    next();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [intervalMs, active]);
}

/**
 * Cursor pagination (newest first): the cursors of the pages seen so far, so that "previous" goes back without
 * the API knowing about pages. Reset when the filters change.
 */
export function useCursorPages(filtersKey: string) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [seenKey, setSeenKey] = useState(filtersKey);
  if (seenKey !== filtersKey) {
    setSeenKey(filtersKey);
    setCursors([null]);
  }
  const cursor = cursors[cursors.length - 1] ?? null;
  return {
    cursor,
    pageNumber: cursors.length,
    hasPrevious: cursors.length > 1,
    next: (nextCursor: string) => setCursors((c) => [...c, nextCursor]),
    previous: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
  };
}

/**
 * Field errors are for what the user sent: once a field is edited again, its message goes until the next submit.
 * `edited(field)` marks a field; `visible(errors)` drops the messages of edited fields; `reset()` on submit.
 */
export function useEditedFields() {
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  return {
    edited: (field: string) => setEdited((s) => (s.has(field) ? s : new Set(s).add(field))),
    visible: <T extends Record<string, string | undefined>>(errors: T): Record<string, string | undefined> =>
      Object.fromEntries(Object.entries(errors).filter(([field]) => !edited.has(field))),
    reset: () => setEdited(new Set()),
  };
}
