// React hooks over the API client. Each view owns an AbortController: when
// its question changes or it goes away, the request in flight is
// cancelled, so a slow answer never overwrites a newer one.

import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, cached, getJSON, isAbort } from './client';

/** The state of one request. data stays while a new request loads. */
export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Asks again, bypassing the cache. */
  reload: () => void;
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError('internal', err instanceof Error ? err.message : String(err), 0);
}

/**
 * GETs url (an API URL from urls.*) and follows its changes. A null url
 * asks nothing.
 */
export function useApi<T>(url: string | null): ApiState<T> {
  return useLoader<T>(
    url,
    (signal, fresh) => getJSON<T>(url as string, signal, fresh),
    () => (url ? cached<T>(url) : undefined),
  );
}

/**
 * Runs an asynchronous loader keyed by key: the loader runs again when the
 * key changes, with an AbortSignal that fires when it changes again or the
 * component unmounts. peek returns a synchronous answer (a cache hit),
 * which spares a loading state.
 */
export function useLoader<T>(
  key: string | null,
  load: (signal: AbortSignal, fresh: boolean) => Promise<T>,
  peek?: () => T | undefined,
): ApiState<T> {
  const [state, setState] = useState<{ key: string | null; data?: T; error?: ApiError; loading: boolean }>(() => {
    const hit = peek?.();
    return { key, data: hit, loading: key !== null && hit === undefined };
  });
  const peekRef = useRef(peek);
  peekRef.current = peek;
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const freshRef = useRef(false);
  const arrivedRef = useRef<string | null>(null);

  useEffect(() => {
    if (key === null) {
      setState({ key, loading: false });
      return;
    }
    const ctl = new AbortController();
    const fresh = freshRef.current;
    freshRef.current = false;
    if (!fresh) {
      const hit = peekRef.current?.();
      if (hit !== undefined) {
        setState((s) => (s.key === key && s.data === hit && !s.loading ? s : { key, data: hit, loading: false }));
        return;
      }
    }
    setState((s) => ({ key, data: s.data, error: undefined, loading: true }));
    loadRef
      .current(ctl.signal, fresh)
      .then((data) => {
        if (ctl.signal.aborted) return;
        performance.mark(`panel-data:${key}`);
        arrivedRef.current = key;
        setState({ key, data, loading: false });
      })
      .catch((err: unknown) => {
        if (ctl.signal.aborted || isAbort(err)) return;
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: toApiError(err), loading: false }));
      });
    return () => ctl.abort();
  }, [key, generation]);

  // The render time of an answer, for the console benchmark (ui/bench):
  // panel-paint:<key> is marked once the frame showing the answer has been
  // drawn (a timeout queued in the next animation frame runs after that
  // frame's paint), panel-data:<key> when it was read.
  useEffect(() => {
    const k = arrivedRef.current;
    if (k === null || k !== state.key) return;
    arrivedRef.current = null;
    requestAnimationFrame(() => setTimeout(() => performance.mark(`panel-paint:${k}`), 0));
  }, [state]);

  const reload = useCallback(() => {
    freshRef.current = true;
    setGeneration((g) => g + 1);
  }, []);

  return { data: state.data, error: state.error, loading: state.loading, reload };
}
