// The raw-events drawer: from any number, the CloudTrail records behind
// it, a page at a time, with the full JSON of one record and CSV / NDJSON
// downloads of them all.

import { createContext, useCallback, useContext, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, urls } from '../api/client';
import type { ActivityFilters, FlowFilters, Ref, Scope } from '../api/types';
import { EntityLink } from '../components/EntityLink';
import { ErrorState, Loading, Empty, Truncated } from '../components/States';
import { Time } from '../components/Time';
import { formatBytes, formatCount, formatWindow, protocolName } from '../lib/format';
import { useTimeZone } from '../lib/prefs';
import { RecordStream, type RawRecord } from './recordStream';

/** What the drawer lists: an entity's records in a window, filtered. */
export interface EventsRequest {
  entity: Ref;
  label?: string;
  window: Scope;
  /** The records' source; default: the entity's (CloudTrail for callers, flows for instances). */
  source?: 'cloudtrail' | 'vpcflow' | 'guardduty';
  filters?: ActivityFilters | FlowFilters;
  /** Show only successful or failed calls at first (the analyst clicked such a count). */
  outcome?: Outcome;
  /** How many records the number clicked counted, if known. */
  expected?: number;
  /** What the number was ("Failed calls of ListUsers from 1.2.3.4"). */
  description?: string;
}

/** Which calls the drawer lists: all, successful (no error code) or failed. */
export type Outcome = 'all' | 'success' | 'failure';

const EventsCtx = createContext<(r: EventsRequest) => void>(() => undefined);

/** Opens the raw-events drawer. */
export function useOpenEvents() {
  return useContext(EventsCtx);
}

const pageSize = 50;

/** How the filters read in the drawer's header. */
const filterNames: Record<string, string> = {
  api: 'API is',
  notApi: 'API is not',
  apiContains: 'API name contains',
  service: 'service contains',
  notService: 'service does not contain',
  ip: 'source address is',
  notIp: 'source address is not',
  ipClass: 'address class is',
  instance: 'peer instance is',
  localPort: 'local port is',
  remotePort: 'remote port is',
  port: 'either port is',
  direction: 'direction is',
  protocol: 'protocol is',
  action: 'action is',
  finding: 'peer named by finding',
};

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
}

function field(r: RawRecord, path: string): unknown {
  let v: unknown = r;
  for (const k of path.split('.')) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function recordTime(r: RawRecord): number | undefined {
  const t = field(r, 'eventTime');
  if (typeof t !== 'string') return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

/** A failed call, or a rejected flow. */
function isFailure(r: RawRecord): boolean {
  if (typeof field(r, 'action') === 'string' && field(r, 'srcAddr') !== undefined) return field(r, 'action') === 'REJECT';
  return !!field(r, 'errorCode');
}

function matches(r: RawRecord, o: Outcome): boolean {
  return o === 'all' || (o === 'failure') === isFailure(r);
}

function flowTime(r: RawRecord): number | undefined {
  const t = field(r, 'start');
  return typeof t === 'number' ? t : undefined;
}

function findingTime(r: RawRecord): number | undefined {
  const t = field(r, 'updatedAt');
  if (typeof t !== 'string') return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

function Drawer({ req, onClose }: { req: EventsRequest; onClose: () => void }) {
  const tz = useTimeZone();
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const [outcome, setOutcome] = useState<Outcome>(req.outcome ?? 'all');
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState<number | null>(null);
  const [, setTick] = useState(0);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const params = useMemo(
    () => ({
      entity: `${req.entity.type}/${req.entity.id}`,
      source: req.source,
      scopeStart: req.window.scopeStart,
      scopeEnd: req.window.scopeEnd,
      ...(req.filters ?? {}),
    }),
    [req],
  );
  const streamRef = useRef<RecordStream | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    const s = new RecordStream(urls.events({ ...params, format: 'ndjson' }), ctl.signal);
    streamRef.current = s;
    setError(null);
    setPage(0);
    setSelected(null);
    return () => {
      ctl.abort();
      s.cancel();
    };
  }, [params]);

  const visible = (s: RecordStream | null) => (s ? (outcome === 'all' ? s.records : s.records.filter((r) => matches(r, outcome))) : []);

  // Read until the page is full (or the records end).
  useEffect(() => {
    const s = streamRef.current;
    if (!s) return;
    let live = true;
    (async () => {
      setLoading(true);
      try {
        let want = s.records.length;
        while (!s.done && visible(s).length < (page + 1) * pageSize + 1) {
          want += pageSize * 2;
          await s.fill(want);
          if (!live) return;
          setTick((t) => t + 1);
        }
      } catch (err) {
        if (!live || (err instanceof DOMException && err.name === 'AbortError')) return;
        setError(err instanceof ApiError ? err : new ApiError('internal', String(err), 0));
      } finally {
        if (live) setLoading(false);
      }
    })();
    return () => {
      live = false;
    };
  }, [page, outcome, params]);

  // Focus the drawer when it opens, and close it with Escape.
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
        return;
      }
      // Keep the focus inside the drawer while it is open.
      if (e.key === 'Tab' && ref.current) {
        const items = [...ref.current.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input:not([disabled]), [tabindex="0"]')].filter(
          (el) => el.offsetParent !== null,
        );
        if (!items.length) return;
        const first = items[0];
        const last = items[items.length - 1];
        const active = document.activeElement;
        if (e.shiftKey && (active === first || active === ref.current)) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && active === last) {
          e.preventDefault();
          first.focus();
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus?.();
    };
  }, [onClose]);

  const s = streamRef.current;
  const source = s?.source ?? req.source ?? 'cloudtrail';
  const isFlow = source === 'vpcflow';
  const rows = visible(s);
  const from = page * pageSize;
  const pageRows = rows.slice(from, from + pageSize);
  const more = !!s && (!s.done || rows.length > from + pageSize);
  const sel = selected !== null ? rows[selected] : undefined;
  const usedScope = s?.scope ?? req.window;
  const filterText = Object.entries(req.filters ?? {})
    .filter(([, v]) => v)
    .map(([k, v]) => {
      const name = isFlow && (k === 'ip' || k === 'notIp') ? (k === 'ip' ? 'peer address is' : 'peer address is not') : (filterNames[k] ?? k);
      return `${name} ${String(v).split(',').join(' or ')}`;
    });
  const csv = urls.events({ ...params, format: 'csv' });
  const ndjson = urls.events({ ...params, format: 'ndjson' });

  return (
    <div className="drawer-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="events-drawer"
        tabIndex={-1}
        ref={ref}
      >
        <header className="drawer-head">
          <div>
            <h2 id={titleId}>Raw events</h2>
            <p className="drawer-sub">
              <EntityLink type={req.entity.type} id={req.entity.id} label={req.label} />{' '}
              <span className="muted">
                {formatWindow(usedScope, tz)}
              </span>
            </p>
            {req.description && <p className="drawer-sub">{req.description}</p>}
            {filterText.length > 0 && (
              <ul className="chips" aria-label="Filters">
                {filterText.map((f) => (
                  <li key={f} className="chip">
                    {f}
                  </li>
                ))}
              </ul>
            )}
          </div>
          <button type="button" className="icon-button close" aria-label="Close raw events" onClick={onClose}>
            ✕
          </button>
        </header>
        <div className="drawer-toolbar">
          <div className="segmented" role="group" aria-label="Records listed" data-testid="events-outcome" hidden={source === 'guardduty'}>
            {(['all', 'success', 'failure'] as const).map((o) => (
              <button
                key={o}
                type="button"
                aria-pressed={outcome === o}
                data-outcome={o}
                onClick={() => {
                  setOutcome(o);
                  setPage(0);
                  setSelected(null);
                }}
              >
                {o === 'all' ? (isFlow ? 'All flows' : 'All calls') : o === 'success' ? (isFlow ? 'Accepted' : 'Successful') : isFlow ? 'Rejected' : 'Failed'}
              </button>
            ))}
          </div>
          <span className="muted" data-testid="events-count">
            {rows.length === 0
              ? loading
                ? 'Reading…'
                : 'No records'
              : `Records ${formatCount(from + 1)}–${formatCount(from + pageRows.length)} of ${s?.done ? formatCount(rows.length) : `${formatCount(rows.length)}+`}`}
            {req.expected !== undefined && outcome === (req.outcome ?? 'all') && s?.done && rows.length !== req.expected && (
              <span className="notice"> the number clicked counted {formatCount(req.expected)}</span>
            )}
          </span>
          <div className="pager">
            <button type="button" disabled={page === 0} onClick={() => setPage((p) => p - 1)} aria-label="Previous page of records">
              ‹ Previous
            </button>
            <button type="button" disabled={!more || loading} onClick={() => setPage((p) => p + 1)} aria-label="Next page of records">
              Next ›
            </button>
          </div>
          <span className="downloads">
            Download all:{' '}
            <a href={csv} download="events.csv" data-testid="events-csv">
              CSV
            </a>{' '}
            <a href={ndjson} download="events.ndjson" data-testid="events-ndjson">
              NDJSON
            </a>
          </span>
        </div>
        {error && <ErrorState error={error} what="The records" />}
        {s?.done && rows.length === 0 && !error && (
          <Empty>{outcome !== 'all' ? 'No record of this outcome among these records.' : 'No record matches.'}</Empty>
        )}
        {pageRows.length > 0 && (
          <div className="drawer-body">
            <div className="table-wrap events-table">
              <table className="table compact" data-source={source}>
                <thead>
                  {source === 'vpcflow' ? (
                    <tr>
                      <th scope="col">Start ({tz === 'utc' ? 'UTC' : 'local'})</th>
                      <th scope="col">Source</th>
                      <th scope="col">Destination</th>
                      <th scope="col">Protocol</th>
                      <th scope="col" className="num">
                        Bytes
                      </th>
                      <th scope="col" className="num">
                        Packets
                      </th>
                      <th scope="col">Action</th>
                    </tr>
                  ) : source === 'guardduty' ? (
                    <tr>
                      <th scope="col">Updated ({tz === 'utc' ? 'UTC' : 'local'})</th>
                      <th scope="col">Severity</th>
                      <th scope="col">Type</th>
                      <th scope="col">Title</th>
                    </tr>
                  ) : (
                    <tr>
                      <th scope="col">Time ({tz === 'utc' ? 'UTC' : 'local'})</th>
                      <th scope="col">API</th>
                      <th scope="col">Caller</th>
                      <th scope="col">Source IP</th>
                      <th scope="col">Error</th>
                    </tr>
                  )}
                </thead>
                <tbody>
                  {pageRows.map((r, i) => {
                    const idx = from + i;
                    const open = (t: number | undefined) => (
                      <button type="button" className="link-button" onClick={() => setSelected(idx)} data-testid="events-row">
                        {t ? <Time value={t} seconds /> : `Record ${idx + 1}`}
                      </button>
                    );
                    const cls = idx === selected ? 'selected' : undefined;
                    if (source === 'vpcflow') {
                      return (
                        <tr key={idx} className={cls} aria-selected={idx === selected}>
                          <td>{open(flowTime(r))}</td>
                          <td className="mono small">
                            {str(field(r, 'srcAddr'))}:{str(field(r, 'srcPort'))}
                          </td>
                          <td className="mono small">
                            {str(field(r, 'dstAddr'))}:{str(field(r, 'dstPort'))}
                          </td>
                          <td>{protocolName(Number(field(r, 'protocol')))}</td>
                          <td className="num">{formatBytes(Number(field(r, 'bytes')) || 0)}</td>
                          <td className="num">{formatCount(Number(field(r, 'packets')) || 0)}</td>
                          <td className={isFailure(r) ? 'failure' : undefined}>{str(field(r, 'action'))}</td>
                        </tr>
                      );
                    }
                    if (source === 'guardduty') {
                      return (
                        <tr key={idx} className={cls} aria-selected={idx === selected}>
                          <td>{open(findingTime(r))}</td>
                          <td>{str(field(r, 'severity'))}</td>
                          <td className="wrap mono small">{str(field(r, 'type'))}</td>
                          <td className="wrap">{str(field(r, 'title'))}</td>
                        </tr>
                      );
                    }
                    const ident = str(field(r, 'userIdentity.arn')) || str(field(r, 'userIdentity.principalId')) || str(field(r, 'userIdentity.type'));
                    return (
                      <tr key={idx} className={cls} aria-selected={idx === selected}>
                        <td>{open(recordTime(r))}</td>
                        <td className="wrap">
                          <span className="muted">{str(field(r, 'eventSource')).replace('.amazonaws.com', '')}:</span>
                          {str(field(r, 'eventName'))}
                        </td>
                        <td className="wrap clip" title={ident}>
                          {ident}
                        </td>
                        <td>{str(field(r, 'sourceIPAddress'))}</td>
                        <td className={isFailure(r) ? 'failure' : undefined}>{str(field(r, 'errorCode'))}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {sel && (
              <section className="record" aria-label="Record" data-testid="events-record">
                <div className="record-head">
                  <h3>
                    {source === 'vpcflow'
                      ? `Line ${str(field(sel, 'line'))} of ${str(field(sel, 'object')).split('/').pop()}`
                      : source === 'guardduty'
                        ? str(field(sel, 'type'))
                        : str(field(sel, 'eventName'))}{' '}
                    <span className="muted">{str(field(sel, source === 'cloudtrail' ? 'eventID' : 'id'))}</span>
                  </h3>
                  <button type="button" className="link-button" onClick={() => setSelected(null)}>
                    Hide
                  </button>
                </div>
                <pre className="json">{JSON.stringify(sel, null, 2)}</pre>
              </section>
            )}
          </div>
        )}
        {loading && rows.length === 0 && !error && <Loading label="Reading records…" />}
        {s && !s.done && rows.length > 0 && <Truncated>More records follow: page on, or download them all.</Truncated>}
      </div>
    </div>
  );
}

/** Provides the drawer to the whole console. */
export function EventsProvider({ children }: { children: ReactNode }) {
  const [req, setReq] = useState<EventsRequest | null>(null);
  const open = useCallback((r: EventsRequest) => setReq(r), []);
  const close = useCallback(() => setReq(null), []);
  return (
    <EventsCtx.Provider value={open}>
      {children}
      {req && <Drawer req={req} onClose={close} />}
    </EventsCtx.Provider>
  );
}
