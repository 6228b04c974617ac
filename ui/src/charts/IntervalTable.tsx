// The intervals of a timeline chart as table rows, each with a Details
// button that selects it: the keyboard's way to choose an interval the
// pointer would click on the chart.

import type { ReactNode } from 'react';
import { formatClock, formatTime, zoneLabel } from '../lib/format';
import { useTimeZone } from '../lib/prefs';

/** A value column of the table. */
export interface IntervalColumn<B> {
  header: string;
  cell: (b: B) => ReactNode;
  /** Extra class of the cell (it is always numeric). */
  className?: (b: B) => string;
}

/** Lists the buckets of a chart, one row each. */
export function IntervalTable<B extends { start: number }>({
  buckets,
  bucketSeconds,
  columns,
  selected,
  onDetails,
  caption,
  testId,
}: {
  buckets: B[];
  bucketSeconds: number;
  columns: IntervalColumn<B>[];
  /** The start of the selected interval, if one is. */
  selected?: number;
  onDetails: (b: B) => void;
  caption: string;
  testId: string;
}) {
  const tz = useTimeZone();
  return (
    <div className="table-wrap scroll-y">
      <table className="table compact" data-testid={testId}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Interval ({zoneLabel(tz)})</th>
            {columns.map((c) => (
              <th key={c.header} scope="col" className="num">
                {c.header}
              </th>
            ))}
            <th scope="col">
              <span className="visually-hidden">Select</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {buckets.map((b) => {
            // Sub-minute intervals show their seconds.
            const seconds = b.start % 60 !== 0;
            return (
              <tr key={b.start} className={selected === b.start ? 'selected' : undefined}>
                <td>
                  {formatTime(b.start, tz, seconds)} – {formatClock(b.start + bucketSeconds, tz, seconds)}
                </td>
                {columns.map((c) => (
                  <td key={c.header} className={'num' + (c.className ? c.className(b) : '')}>
                    {c.cell(b)}
                  </td>
                ))}
                <td>
                  <button type="button" className="link-button" aria-pressed={selected === b.start} onClick={() => onDetails(b)}>
                    Details
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
