// React hooks over the API client. Each view owns an AbortController: when
// its question changes or it goes away, the request in flight is
// cancelled, so a slow answer never overwrites a newer one.

import { useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { whenIdle } from '../lib/idle';
import { ApiError, cached, getJSON, isAbort } from './client';

// ---- One commit per answer ----
//
// Answers that arrive together (a profile's panels) would be rendered by
// React in one long task, and each would be painted only once all of them
// had been drawn. Instead each answer is committed on its own (flushSync:
// its render, its commit and its effects, which draw its charts, in one
// task), and the next one waits until the browser has painted that frame,
// so that a panel shows as soon as its own work is done.
//
// Answers that only add context to what is shown (the intervals before and
// after a timeline's scope) are background answers: they are committed
// once no other answer is loading or waiting, so that they never delay one.

const commits: (() => void)[] = [];
const background: (() => void)[] = [];
let committing = false;

/** Calls fn once the next frame has been painted (a hidden tab paints none: then after 100 ms). */
export function afterNextPaint(fn: () => void) {
  let done = false;
  const go = () => {
    if (done) return;
    done = true;
    fn();
  };
  requestAnimationFrame(() => setTimeout(go, 0));
  setTimeout(go, 100);
}

function commitNext() {
  lastActivity = performance.now();
  const job = commits.shift() ?? (inflight === 0 ? background.shift() : undefined);
  if (!job) {
    committing = false;
    return;
  }
  try {
    flushSync(job);
  } finally {
    afterNextPaint(commitNext);
  }
}

function startCommitting() {
  if (committing || (commits.length === 0 && (background.length === 0 || inflight > 0))) return;
  committing = true;
  commitNext();
}

/**
 * Commits job's state updates in a task of their own, after the commits
 * queued before it have been painted; a background job waits until no
 * other answer is loading or waiting.
 */
export function commitAlone(job: () => void, inBackground = false) {
  (inBackground ? background : commits).push(job);
  startCommitting();
}

// ---- Quiet moments ----

/** Answers loading (background ones aside). */
let inflight = 0;
let lastActivity = 0;

function activity(delta: number) {
  inflight += delta;
  lastActivity = performance.now();
  // In a task of its own: the answer that just settled is queued first.
  if (inflight === 0) setTimeout(startCommitting, 0);
}

/**
 * Resolves when the browser is idle and no answer is waiting to be
 * committed: the moment for a short step of preparation (a chart's code
 * run once) that an answer arriving meanwhile would wait for.
 */
export function whenIdleBetweenAnswers(): Promise<void> {
  return whenIdle().then(() => (committing || commits.length > 0 ? new Promise<void>((r) => setTimeout(r, 30)).then(whenIdleBetweenAnswers) : undefined));
}

/**
 * Resolves once no answer has been loading or waiting to be committed for
 * quietMs, and the browser is idle: the moment for work that the current
 * view does not need yet (preparing the next tab's charts).
 */
export function whenSettled(quietMs = 300): Promise<void> {
  const busy = () => inflight > 0 || committing || background.length > 0;
  return new Promise((resolve) => {
    const check = () => {
      const quiet = performance.now() - lastActivity;
      if (busy() || quiet < quietMs) {
        setTimeout(check, Math.max(50, quietMs - quiet));
        return;
      }
      void whenIdle().then(() => (busy() ? check() : resolve()));
    };
    check();
  });
}

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
 * which spares a loading state. A background loader's answer (context that
 * no view waits for) is committed once no other answer is loading or
 * waiting.
 */
export function useLoader<T>(
  key: string | null,
  load: (signal: AbortSignal, fresh: boolean) => Promise<T>,
  peek?: () => T | undefined,
  options: { background?: boolean } = {},
): ApiState<T> {
  const inBackground = !!options.background;
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
    // Already loading this key (the first render said so): no render for nothing.
    setState((s) => (s.key === key && s.loading && !s.error ? s : { key, data: s.data, error: undefined, loading: true }));
    let counted = !inBackground;
    if (counted) activity(1);
    const settled = () => {
      if (counted) activity(-1);
      counted = false;
    };
    loadRef
      .current(ctl.signal, fresh)
      .finally(settled)
      .then((data) => {
        if (ctl.signal.aborted) return;
        performance.mark(`panel-data:${key}`);
        commitAlone(() => {
          if (ctl.signal.aborted) return;
          arrivedRef.current = key;
          setState({ key, data, loading: false });
        }, inBackground);
      })
      .catch((err: unknown) => {
        if (ctl.signal.aborted || isAbort(err)) return;
        setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: toApiError(err), loading: false }));
      });
    return () => {
      ctl.abort();
      settled();
    };
    // inBackground is fixed for a loader's life.
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
