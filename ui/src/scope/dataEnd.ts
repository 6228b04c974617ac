// The end of the data: presets ("last 24 h") end there rather than at the
// wall clock, so that investigating logs ingested after the fact works the
// same as watching live ones.

import { useEffect, useState } from 'react';
import { getJSON, urls } from '../api/client';
import type { SearchResults } from '../api/types';
import { ceilHour } from './scope';

let pending: Promise<number> | undefined;
let known: number | undefined;

/**
 * Resolves the end of the hour of the latest activity of any account, or
 * of the current hour when the store is empty or unreachable.
 */
export function loadDataEnd(): Promise<number> {
  if (known !== undefined) return Promise.resolve(known);
  if (!pending) {
    pending = getJSON<SearchResults>(urls.search({ type: 'AwsAccount', limit: 1000 }))
      .then((r) => {
        const last = r.results.reduce((m, x) => Math.max(m, x.lastSeen || 0), 0);
        known = ceilHour(last > 0 ? last : Date.now() / 1000);
        return known;
      })
      .catch(() => {
        pending = undefined;
        return ceilHour(Date.now() / 1000);
      });
  }
  return pending;
}

/** The end of the data, once known. */
export function useDataEnd(): number | undefined {
  const [end, setEnd] = useState(known);
  useEffect(() => {
    let live = true;
    loadDataEnd().then((e) => live && setEnd(e));
    return () => {
      live = false;
    };
  }, []);
  return end;
}
