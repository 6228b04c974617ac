// A count that opens the raw events behind it.

import { formatCount } from '../lib/format';
import { useOpenEvents, type EventsRequest } from './EventsDrawer';

/**
 * A number of calls; when req is given, activating it opens the records it
 * counts. kind colours failures.
 */
export function CountButton({ value, kind, req, what }: { value: number; kind?: 'success' | 'failure'; req?: EventsRequest; what: string }) {
  const open = useOpenEvents();
  const cls = 'count' + (kind === 'failure' && value > 0 ? ' failure' : '') + (kind === 'success' ? ' success' : '');
  if (!req || value === 0) return <span className={cls}>{formatCount(value)}</span>;
  return (
    <button
      type="button"
      className={cls + ' count-button'}
      onClick={() => open({ ...req, outcome: kind ?? 'all', expected: value, description: what })}
      aria-label={`${formatCount(value)} ${what}: show the raw events`}
      title="Show the raw events"
    >
      {formatCount(value)}
    </button>
  );
}
