// Small external stores for state that outlives one view: preferences in
// localStorage, the investigation trail and pins in sessionStorage (one
// investigation per browser tab). Components read them with useStore.

import { useSyncExternalStore } from 'react';

/** A value with subscribers, optionally persisted in a Web Storage. */
export interface Store<T> {
  get(): T;
  set(next: T | ((prev: T) => T)): void;
  subscribe(fn: () => void): () => void;
}

function storageOf(kind: 'local' | 'session'): Storage | undefined {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return undefined; // storage disabled: state lives in memory only
  }
}

/**
 * Creates a store persisted under key. validate turns what was stored
 * (possibly by an older version, possibly edited by hand) into a value, or
 * returns undefined to use the initial value.
 */
export function createStore<T>(
  key: string,
  kind: 'local' | 'session',
  initial: T,
  validate: (raw: unknown) => T | undefined,
): Store<T> {
  const storage = storageOf(kind);
  let value = initial;
  try {
    const raw = storage?.getItem(key);
    if (raw != null) value = validate(JSON.parse(raw)) ?? initial;
  } catch {
    value = initial;
  }
  const subs = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      value = typeof next === 'function' ? (next as (prev: T) => T)(value) : next;
      try {
        storage?.setItem(key, JSON.stringify(value));
      } catch {
        // quota or disabled storage: keep the value in memory
      }
      subs.forEach((fn) => fn());
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

/** Reads a store and re-renders when it changes. */
export function useStore<T>(store: Store<T>): T {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
