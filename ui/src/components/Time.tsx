// A time, shown in the analyst's chosen zone, with the exact UTC instant
// in the title.

import { formatTime, isoTime } from '../lib/format';
import { useTimeZone } from '../lib/prefs';

/** A time (epoch seconds). */
export function Time({ value, seconds }: { value: number | undefined | null; seconds?: boolean }) {
  const tz = useTimeZone();
  if (!value) return <span className="muted">–</span>;
  return (
    <time dateTime={isoTime(value)} title={isoTime(value)}>
      {formatTime(value, tz, seconds)}
    </time>
  );
}
