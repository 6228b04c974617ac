// The nested tables of activity details: IP address → API → caller, API →
// IP address → caller, caller → IP address → API, with successful and
// failed calls at every level. Every identifier links to its profile and
// every count opens the raw records it counts.

import { Fragment, useMemo, useState, type ReactNode } from 'react';
import type { ActivityFilters, ActivityRow, IPInfo, Ref, Scope } from '../../../api/types';
import { EntityLink } from '../../../components/EntityLink';
import { SortTh, useSort, type SortAccessors } from '../../../components/sort';
import { Empty, Truncated } from '../../../components/States';
import { CountButton } from '../../../events/CountButton';
import type { EventsRequest } from '../../../events/EventsDrawer';
import { formatCount } from '../../../lib/format';

/** The place of an address, as "City, Region, Country · AS123 Org". */
export function placeText(loc: IPInfo | undefined): string {
  if (!loc) return '';
  const place = [loc.city, loc.region, loc.countryName ?? loc.country].filter(Boolean).join(', ');
  const as = loc.asn ? `AS${loc.asn}${loc.asOrg ? ' ' + loc.asOrg : ''}` : '';
  const cls = loc.class && loc.class !== 'public' ? `${loc.class} address` : '';
  return [place, as, cls].filter(Boolean).join(' · ');
}

interface Path {
  ip?: string;
  api?: string;
  caller?: Ref;
  callerLabel?: string;
  /** The source is a service name, not an address: no ip filter can name it. */
  noAddress?: boolean;
}

function extend(path: Path, row: ActivityRow): Path {
  if (row.kind === 'ip') {
    return row.entity?.type === 'IpAddress' ? { ...path, ip: row.entity.id } : { ...path, noAddress: true };
  }
  if (row.kind === 'api') return { ...path, api: row.service && row.api ? `${row.service}:${row.api}` : row.label };
  return { ...path, caller: row.entity, callerLabel: row.label };
}

function describe(path: Path, kind: 'success' | 'failure'): string {
  const parts = [kind === 'failure' ? 'failed calls' : 'successful calls'];
  if (path.api) parts.push(`of ${path.api}`);
  if (path.ip) parts.push(`from ${path.ip}`);
  if (path.callerLabel) parts.push(`by ${path.callerLabel}`);
  return parts.join(' ');
}

function NameCell({ row }: { row: ActivityRow }) {
  if (row.kind === 'ip') {
    return (
      <>
        {row.entity ? <EntityLink type={row.entity.type} id={row.entity.id} label={row.label} /> : <span className="mono">{row.label}</span>}
        {row.location && <span className="row-sub">{placeText(row.location)}</span>}
      </>
    );
  }
  if (row.kind === 'api') {
    return (
      <>
        <span className="api-name">{row.api || row.label}</span>
        {row.service && <span className="row-sub">{row.service}</span>}
      </>
    );
  }
  return row.entity ? <EntityLink type={row.entity.type} id={row.entity.id} label={row.label} /> : <span>{row.label}</span>;
}

function rowKey(row: ActivityRow): string {
  return `${row.kind}:${row.entity ? row.entity.type + '/' + row.entity.id : row.label}`;
}

const accessors: SortAccessors<ActivityRow> = {
  name: (r) => r.label,
  success: (r) => r.success,
  failure: (r) => r.failure,
  total: (r) => r.success + r.failure,
};

export interface ActivityTableProps {
  rows: ActivityRow[];
  /** The first column's header ("IP address", "API method", ...). */
  nameHeader: string;
  /** The profile's entity, whose records the counts open. */
  entity: Ref;
  entityLabel?: string;
  window: Scope;
  filters: ActivityFilters;
  testId?: string;
  /** Expand every first-level row at first (drill-downs with few rows). */
  expandAll?: boolean;
}

const topLimit = 100;
const childLimit = 25;

/** Nested, expandable, sortable activity rows. */
export function ActivityTable({ rows, nameHeader, entity, entityLabel, window, filters, testId, expandAll }: ActivityTableProps) {
  const [text, setText] = useState('');
  const [showAll, setShowAll] = useState(false);
  const [open, setOpen] = useState<Set<string>>(() => {
    if (expandAll || rows.length === 1) return new Set(rows.map((r) => '>' + rowKey(r)));
    return new Set();
  });
  const [moreChildren, setMoreChildren] = useState<Set<string>>(new Set());
  const filtered = useMemo(() => {
    const t = text.trim().toLowerCase();
    if (!t) return rows;
    return rows.filter((r) => `${r.label} ${r.service ?? ''} ${placeText(r.location)}`.toLowerCase().includes(t));
  }, [rows, text]);
  const { sorted, sort, toggle } = useSort(filtered, accessors, { key: 'total', dir: 'desc' });
  const top = showAll ? sorted : sorted.slice(0, topLimit);

  function req(path: Path): EventsRequest | undefined {
    if (path.noAddress) return undefined;
    const f: ActivityFilters = { ...filters };
    if (path.ip) {
      f.ip = path.ip;
      delete f.notIp;
      delete f.ipClass;
    }
    if (path.api) f.api = path.api;
    const target = path.caller ?? entity;
    return { entity: target, label: path.caller ? path.callerLabel : entityLabel, window, filters: f };
  }

  function toggleOpen(key: string) {
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(key)) n.delete(key);
      else n.add(key);
      return n;
    });
  }

  function render(row: ActivityRow, depth: number, parentKey: string, path: Path): ReactNode {
    const key = parentKey + '>' + rowKey(row);
    const p = extend(path, row);
    const kids = row.children ?? [];
    const isOpen = open.has(key);
    const showKids = moreChildren.has(key) ? kids : kids.slice(0, childLimit);
    return (
      <Fragment key={key}>
        <tr className={`depth-${depth}`} data-row-kind={row.kind} data-row-label={row.label}>
          <td className="name-cell">
            <div className="name-wrap" style={{ paddingLeft: depth * 22 }}>
              {kids.length > 0 ? (
                <button
                  type="button"
                  className="expander"
                  aria-expanded={isOpen}
                  aria-label={`${isOpen ? 'Collapse' : 'Expand'} ${row.label}`}
                  onClick={() => toggleOpen(key)}
                >
                  {isOpen ? '▾' : '▸'}
                </button>
              ) : (
                <span className="expander-space" />
              )}
              <div className="name-body">
                <NameCell row={row} />
              </div>
            </div>
          </td>
          <td className="num">
            <CountButton value={row.success} kind="success" req={req(p)} what={describe(p, 'success')} />
          </td>
          <td className="num">
            <CountButton value={row.failure} kind="failure" req={req(p)} what={describe(p, 'failure')} />
          </td>
          <td className="num">{formatCount(row.success + row.failure)}</td>
        </tr>
        {isOpen && showKids.map((c) => render(c, depth + 1, key, p))}
        {isOpen && kids.length > showKids.length && (
          <tr className={`depth-${depth + 1}`}>
            <td colSpan={4} style={{ paddingLeft: (depth + 1) * 22 + 28 }}>
              <button type="button" className="link-button" onClick={() => setMoreChildren((s) => new Set(s).add(key))}>
                Show {kids.length - showKids.length} more
              </button>
            </td>
          </tr>
        )}
      </Fragment>
    );
  }

  return (
    <div className="activity-table">
      <div className="table-tools">
        <label className="inline-field">
          <span>Find</span>
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder={`${nameHeader}…`} />
        </label>
        <span className="muted">
          {formatCount(filtered.length)} {filtered.length === 1 ? 'row' : 'rows'}
        </span>
      </div>
      {filtered.length === 0 ? (
        <Empty>{rows.length === 0 ? 'No calls in this window.' : 'No row matches.'}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table nested" data-testid={testId}>
            <thead>
              <tr>
                <SortTh label={nameHeader} column="name" sort={sort} onSort={toggle} firstDir="asc" />
                <SortTh label="Successful" column="success" sort={sort} onSort={toggle} className="num" />
                <SortTh label="Failed" column="failure" sort={sort} onSort={toggle} className="num" />
                <SortTh label="Total" column="total" sort={sort} onSort={toggle} className="num" />
              </tr>
            </thead>
            <tbody>{top.map((r) => render(r, 0, '', {}))}</tbody>
          </table>
        </div>
      )}
      {!showAll && sorted.length > topLimit && (
        <Truncated>
          Showing the first {topLimit} of {formatCount(sorted.length)} rows.{' '}
          <button type="button" className="link-button" onClick={() => setShowAll(true)}>
            Show all
          </button>
        </Truncated>
      )}
    </div>
  );
}
