// Sortable tables: a hook that sorts rows by a column and header cells
// that are buttons announcing the sort (aria-sort).

import { useMemo, useState, type ReactNode } from 'react';

export type SortDir = 'asc' | 'desc';

export interface SortState {
  key: string;
  dir: SortDir;
}

/** How to read a column's sort value from a row. */
export type SortAccessors<T> = Record<string, (row: T) => string | number | boolean | undefined | null>;

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null || a === '') return 1;
  if (b === undefined || b === null || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' });
}

/** Sorts rows by the chosen column; the sort is stable. */
export function useSort<T>(rows: T[], accessors: SortAccessors<T>, initial: SortState, controlled?: [SortState, (s: SortState) => void]) {
  const [own, setOwn] = useState<SortState>(initial);
  const [sort, setSort] = controlled ?? [own, setOwn];
  const sorted = useMemo(() => {
    const acc = accessors[sort.key];
    if (!acc) return rows;
    const withIndex = rows.map((r, i) => [r, i] as const);
    withIndex.sort((x, y) => {
      const c = compare(acc(x[0]), acc(y[0]));
      const d = sort.dir === 'asc' ? c : -c;
      // Missing values sort last in both directions.
      const ax = acc(x[0]);
      const ay = acc(y[0]);
      const mx = ax === undefined || ax === null || ax === '';
      const my = ay === undefined || ay === null || ay === '';
      if (mx !== my) return mx ? 1 : -1;
      return d || x[1] - y[1];
    });
    return withIndex.map((x) => x[0]);
  }, [rows, sort, accessors]);
  function toggle(key: string, firstDir: SortDir = 'desc') {
    setSort(sort.key === key ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: firstDir });
  }
  return { sorted, sort, toggle, setSort };
}

/** A header cell that sorts its column when activated. */
export function SortTh({
  label,
  column,
  sort,
  onSort,
  firstDir = 'desc',
  className,
}: {
  label: ReactNode;
  column: string;
  sort: SortState;
  onSort: (key: string, firstDir?: SortDir) => void;
  firstDir?: SortDir;
  className?: string;
}) {
  const active = sort.key === column;
  return (
    <th scope="col" aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className={className}>
      <button type="button" className="sort-button" onClick={() => onSort(column, firstDir)} data-sort-column={column}>
        {label}
        <span className="sort-mark" aria-hidden="true">
          {active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}
