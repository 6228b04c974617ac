// User preferences that persist across visits.

import { createStore, useStore } from './store';

/** How times are shown and entered: UTC (the default, as logs are) or local. */
export type TimeZoneMode = 'utc' | 'local';

export const timeZoneStore = createStore<TimeZoneMode>('trailhound.timeZone', 'local', 'utc', (v) =>
  v === 'utc' || v === 'local' ? v : undefined,
);

/** Reads the time-zone preference. */
export function useTimeZone(): TimeZoneMode {
  return useStore(timeZoneStore);
}

/**
 * What opening a finding does to the scope: follow the finding's own
 * window (Detective's behaviour) or keep the scope the analyst is in.
 */
export type PivotMode = 'follow' | 'keep';

export const pivotModeStore = createStore<PivotMode>('trailhound.pivotMode', 'local', 'follow', (v) =>
  v === 'follow' || v === 'keep' ? v : undefined,
);

/** Reads the pivot-mode preference. */
export function usePivotMode(): PivotMode {
  return useStore(pivotModeStore);
}

/** The longest name kept, as the server keeps it (in characters). */
export const analystNameMax = 128;

/**
 * Cleans a name as the server cleans it before recording it: control
 * characters (line breaks, escapes, bidirectional overrides) dropped,
 * spaces collapsed and trimmed, at most analystNameMax characters.
 */
export function cleanAnalystName(v: string): string {
  const cleaned = v
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029\uFFFD]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
  return [...cleaned].slice(0, analystNameMax).join('');
}

/**
 * The analyst's name, kept in this browser: the console sends it as the
 * X-Trailhound-User header of every change (group edits, investigations),
 * which the audit trail records. Empty when not set; the server then
 * records "anonymous". It names, it does not authenticate.
 */
export const analystNameStore = createStore<string>('trailhound.analyst', 'local', '', (v) => (typeof v === 'string' ? cleanAnalystName(v) : undefined));

/** Reads the analyst's name ('' when not set). */
export function useAnalystName(): string {
  return useStore(analystNameStore);
}
