// The investigation trail: the views the analyst pivoted through in this
// browser tab, kept in sessionStorage so that a reload or a detour never
// loses the path that led here.

import { useEffect } from 'react';
import { useLocation, useNavigationType } from 'react-router-dom';
import { createStore } from '../lib/store';

/** One step of the trail. */
export interface TrailEntry {
  /** The path without query, identifying the view. */
  path: string;
  /** The full URL of the step, scope included, to return to it exactly. */
  url: string;
  title: string;
  /** An entity namespace, "Finding", or a page kind (summary, search...). */
  kind: string;
  at: number;
}

interface TrailState {
  entries: TrailEntry[];
  current: number;
}

const maxEntries = 100;

function validate(raw: unknown): TrailState | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as { entries?: unknown; current?: unknown };
  if (!Array.isArray(r.entries)) return undefined;
  const entries = r.entries.filter(
    (e): e is TrailEntry =>
      !!e && typeof e.path === 'string' && typeof e.url === 'string' && typeof e.title === 'string' && typeof e.kind === 'string' && typeof e.at === 'number',
  );
  const current = typeof r.current === 'number' && r.current < entries.length ? r.current : entries.length - 1;
  return { entries, current };
}

export const trailStore = createStore<TrailState>('trailhound.trail', 'session', { entries: [], current: -1 }, validate);

/** Empties the trail. */
export function clearTrail() {
  trailStore.set({ entries: [], current: -1 });
}

/**
 * Records the current view in the trail under title. A change of scope or
 * tab updates the current step; a pivot adds one; going back or forward
 * moves to the step already recorded.
 */
export function useTrailEntry(title: string, kind: string) {
  const location = useLocation();
  const navType = useNavigationType();
  useEffect(() => {
    if (!title) return;
    const entry: TrailEntry = { path: location.pathname, url: location.pathname + location.search, title, kind, at: Date.now() };
    trailStore.set((s) => {
      const entries = s.entries.slice();
      const cur = entries[s.current];
      if (cur && cur.path === entry.path) {
        entries[s.current] = { ...entry, at: cur.at };
        return { entries, current: s.current };
      }
      if (navType === 'POP') {
        for (let i = entries.length - 1; i >= 0; i--) {
          if (entries[i].path === entry.path) {
            entries[i] = { ...entry, at: entries[i].at };
            return { entries, current: i };
          }
        }
      }
      entries.push(entry);
      while (entries.length > maxEntries) entries.shift();
      return { entries, current: entries.length - 1 };
    });
  }, [location.pathname, location.search, title, kind, navType]);
}
