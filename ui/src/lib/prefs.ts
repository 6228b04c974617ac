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
