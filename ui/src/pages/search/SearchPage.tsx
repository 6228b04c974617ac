// Search: one box across every type (or one type), with wildcards and
// CIDR blocks, and browsing every entity of a type as a sortable, paged
// table with activity sparklines; exportable as CSV. A Detective console
// link typed here opens the same view.

import { useEffect, useId, useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { getJSON, urls } from '../../api/client';
import type { APICallVolume, SearchResult, SearchResults } from '../../api/types';
import { useApi } from '../../api/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { Sparkline } from '../../charts/Sparkline';
import { searchableTypes, typeInfo, TypeBadge } from '../../components/entityTypes';
import { EntityLink } from '../../components/EntityLink';
import { SortTh, useSort, type SortAccessors } from '../../components/sort';
import { Empty, ErrorState, Loading, Truncated, Updating } from '../../components/States';
import { Time } from '../../components/Time';
import { downloadText, toCSV } from '../../lib/csv';
import { formatCount, isoTime } from '../../lib/format';
import { fromPastedURL } from '../../nav/detective';
import { useAccountFilter } from '../../nav/accountFilter';
import { useTrailEntry } from '../../nav/trail';
import { useScopeReport, useUrlScope } from '../../scope/ScopeContext';
import { scopeParams, type UrlScope } from '../../scope/scope';
import { useQueryState } from '../entity/usePanel';

/** Types whose profile has an API call volume, hence a sparkline. */
const volumeTypes = new Set(['AwsAccount', 'AwsUser', 'AwsRole', 'AwsRoleSession', 'FederatedUser', 'AwsService', 'IpAddress', 'UserAgent', 'AccessKey', 'S3Bucket']);

// Sparklines are fetched a few at a time, so a page of results does not
// flood the server.
let running = 0;
const queue: (() => void)[] = [];
function limited<T>(fn: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const run = () => {
      running++;
      fn()
        .then(resolve, reject)
        .finally(() => {
          running--;
          queue.shift()?.();
        });
    };
    if (running < 4) run();
    else queue.push(run);
  });
}

function RowSparkline({ r, scope }: { r: SearchResult; scope: UrlScope }) {
  const [v, setV] = useState<APICallVolume | null>(null);
  useEffect(() => {
    if (!volumeTypes.has(r.type)) return;
    const ctl = new AbortController();
    limited(() => (ctl.signal.aborted ? Promise.reject(new DOMException('aborted', 'AbortError')) : getJSON<APICallVolume>(urls.panel(r.type, r.id, 'api-call-volume', scopeParams(scope)), ctl.signal)))
      .then((x) => setV(x))
      .catch(() => undefined);
    return () => ctl.abort();
  }, [r.type, r.id, scope.scopeStart, scope.scopeEnd]);
  if (!volumeTypes.has(r.type)) return <span className="muted small">–</span>;
  if (!v) return <span className="muted small">…</span>;
  return <Sparkline points={v.buckets} label={`Calls of ${r.label || r.id}`} />;
}

const accessors: SortAccessors<SearchResult> = {
  type: (r) => typeInfo(r.type).name,
  name: (r) => r.label || r.id,
  account: (r) => r.account,
  activity: (r) => r.activity,
  firstSeen: (r) => r.firstSeen,
  lastSeen: (r) => r.lastSeen,
};

const patternHelp = 'Names, ids and ARNs, case-insensitive. * matches any run of characters, ? one character; without them the match is exact. Addresses also match CIDR blocks (10.0.0.0/16) and dotted wildcards (10.0.*.*). Leave empty to list every entity of the type.';

/** The search page. */
export default function SearchPage() {
  const urlScope = useUrlScope();
  const navigate = useNavigate();
  const location = useLocation();
  const { params, set } = useQueryState();
  const id = useId();
  const q = params.get('q') ?? '';
  const type = params.get('type') ?? '';
  const cursor = params.get('cursor') ?? undefined;
  const limit = Number(params.get('limit')) || 50;
  const [text, setText] = useState(q);
  const [exporting, setExporting] = useState<string | null>(null);
  useEffect(() => setText(q), [q]);
  usePageTitle(q ? `Search: ${q}` : type ? `${typeInfo(type).plural}` : 'Search');
  useTrailEntry(q ? `Search: ${q}` : type ? `All ${typeInfo(type).plural}` : 'Search', 'search');

  const searching = !!q || !!type;
  const { data, error, loading, reload } = useApi<SearchResults>(searching ? urls.search({ q, type: type || undefined, cursor, limit, ...scopeParams(urlScope) }) : null);
  const effective = urlScope.scopeStart !== undefined && urlScope.scopeEnd !== undefined ? { scopeStart: urlScope.scopeStart, scopeEnd: urlScope.scopeEnd } : data?.scope;
  useScopeReport({ effective, defaultLabel: 'all data' });
  const accountFilter = useAccountFilter();
  const shownResults = (data?.results ?? []).filter((r) => !r.account || accountFilter.has(r.account));
  const hidden = (data?.results.length ?? 0) - shownResults.length;
  const { sorted, sort, toggle } = useSort(shownResults, accessors, { key: 'activity', dir: 'desc' });
  const prev = ((location.state as { prev?: string[] } | null)?.prev ?? []) as string[];

  function submit(e: FormEvent) {
    e.preventDefault();
    const pasted = fromPastedURL(text);
    if (pasted) {
      navigate(pasted);
      return;
    }
    set({ q: text.trim(), cursor: undefined });
  }

  function page(next: string | undefined, stack: string[]) {
    const sp = new URLSearchParams(location.search);
    if (next) sp.set('cursor', next);
    else sp.delete('cursor');
    navigate(`${location.pathname}?${sp.toString()}`, { state: { prev: stack } });
  }

  async function exportAll() {
    const rows: SearchResult[] = [];
    let c: string | undefined;
    setExporting('Exporting…');
    try {
      do {
        const r = await getJSON<SearchResults>(urls.search({ q, type: type || undefined, cursor: c, limit: 1000, ...scopeParams(urlScope) }));
        rows.push(...r.results);
        c = r.cursor;
        setExporting(`Exporting… ${formatCount(rows.length)}`);
      } while (c && rows.length < 10000);
      downloadText(
        `trailhound-search-${new Date().toISOString().slice(0, 10)}.csv`,
        toCSV(
          ['type', 'id', 'label', 'arn', 'account', 'activity', 'firstSeen', 'lastSeen'],
          rows.map((r) => [r.type, r.id, r.label, r.arn ?? '', r.account ?? '', r.activity, r.firstSeen ? isoTime(r.firstSeen) : '', r.lastSeen ? isoTime(r.lastSeen) : '']),
        ),
      );
      setExporting(c ? 'Exported the first 10,000 results.' : null);
    } catch {
      setExporting('The export failed.');
    }
  }

  const from = (prev.length * limit) + 1;
  return (
    <div className="page" data-testid="page-search">
      <div className="page-head">
        <div>
          <h1 tabIndex={-1}>Search</h1>
          <p className="hint">{patternHelp}</p>
        </div>
      </div>
      <section className="panel" aria-label="Search form">
        <form className="panel-body search-form" onSubmit={submit} role="search">
          <label className="inline-field">
            <span>Type</span>
            <select value={type} onChange={(e) => set({ type: e.target.value, cursor: undefined })} data-testid="search-type">
              <option value="">All types</option>
              {searchableTypes.map((t) => (
                <option key={t} value={t}>
                  {typeInfo(t).name}
                </option>
              ))}
            </select>
          </label>
          <label htmlFor={`${id}-q`} className="visually-hidden">
            Pattern
          </label>
          <input
            id={`${id}-q`}
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="alice, AIDA*, arn:aws:iam::*:role/admin*, 203.0.113.0/24, or a Detective link"
            data-testid="search-input"
            spellCheck={false}
          />
          <button type="submit" className="primary">
            Search
          </button>
          {searching && (
            <button type="button" onClick={exportAll} disabled={!!exporting && exporting.startsWith('Exporting')} data-testid="search-export">
              Export CSV
            </button>
          )}
          {exporting && <span className="muted">{exporting}</span>}
        </form>
      </section>
      {!searching && (
        <Empty>
          Type a pattern, or choose a type to browse all its entities. Examples: <code>viktor*</code>, <code>AKIA*</code>, <code>10.0.0.0/8</code>,{' '}
          <code>*amazonaws.com</code>.
        </Empty>
      )}
      {searching && (
        <section className="panel" aria-labelledby={`${id}-results`} data-testid="panel-search-results">
          <header className="panel-head">
            <div>
              <h2 id={`${id}-results`}>
                {data ? `${formatCount(data.total)} result${data.total === 1 ? '' : 's'}` : 'Results'}
                {type && ` · ${typeInfo(type).plural}`}
              </h2>
              <p className="panel-description">
                Sorted by activity: the API calls each took part in{effective ? ' within the scope' : ' in all data'}. Column sorting orders this page.
              </p>
            </div>
            <div className="panel-actions">
              <label className="inline-field">
                <span>Per page</span>
                <select value={limit} onChange={(e) => set({ limit: e.target.value === '50' ? undefined : e.target.value, cursor: undefined })}>
                  {[25, 50, 100, 250].map((n) => (
                    <option key={n} value={n}>
                      {n}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          </header>
          <div className="panel-body">
            <Updating active={loading && !!data} />
            {error && <ErrorState error={error} retry={reload} what="The search" />}
            {!data && loading && <Loading label="Searching…" />}
            {data &&
              (data.results.length === 0 ? (
                <Empty>
                  Nothing matches <code>{q || '(everything)'}</code>
                  {type ? ` among ${typeInfo(type).plural.toLowerCase()}` : ''}. Without wildcards the match is exact: try <code>*{q}*</code>.
                </Empty>
              ) : (
                <>
                  <div className="table-wrap">
                    <table className="table" data-testid="search-table">
                      <thead>
                        <tr>
                          <SortTh label="Type" column="type" sort={sort} onSort={toggle} firstDir="asc" />
                          <SortTh label="Entity" column="name" sort={sort} onSort={toggle} firstDir="asc" />
                          <SortTh label="Account" column="account" sort={sort} onSort={toggle} firstDir="asc" />
                          <SortTh label="Activity" column="activity" sort={sort} onSort={toggle} className="num" />
                          <th scope="col">Calls over time</th>
                          <SortTh label="First observed" column="firstSeen" sort={sort} onSort={toggle} />
                          <SortTh label="Last observed" column="lastSeen" sort={sort} onSort={toggle} />
                        </tr>
                      </thead>
                      <tbody>
                        {sorted.map((r) => (
                          <tr key={`${r.type}/${r.id}`} data-entity-type={r.type} data-entity-id={r.id}>
                            <td>
                              <TypeBadge type={r.type} />
                            </td>
                            <td className="wrap">
                              <EntityLink type={r.type} id={r.id} label={r.label} noIcon />
                              {r.label && r.label !== r.id && <span className="row-sub mono">{r.id}</span>}
                            </td>
                            <td>{r.account ? <EntityLink type="AwsAccount" id={r.account} noIcon /> : <span className="muted">–</span>}</td>
                            <td className="num">{formatCount(r.activity)}</td>
                            <td>
                              <RowSparkline r={r} scope={urlScope} />
                            </td>
                            <td>
                              <Time value={r.firstSeen} />
                            </td>
                            <td>
                              <Time value={r.lastSeen} />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                  <div className="table-tools">
                    <span className="muted" data-testid="search-range">
                      {formatCount(from)}–{formatCount(from + data.results.length - 1)} of {formatCount(data.total)}
                    </span>
                    <button type="button" disabled={prev.length === 0} onClick={() => page(prev[prev.length - 1] || undefined, prev.slice(0, -1))}>
                      ‹ Previous
                    </button>
                    <button type="button" disabled={!data.cursor} onClick={() => page(data.cursor, [...prev, cursor ?? ''])} data-testid="search-next">
                      Next ›
                    </button>
                    {!effective && <span className="muted small">Sparklines show each entity's last day of activity; set a scope to compare the same time.</span>}
                  </div>
                  {hidden > 0 && (
                    <Truncated>
                      {formatCount(hidden)} result{hidden === 1 ? '' : 's'} of this page belong to accounts outside the account filter and are hidden.
                    </Truncated>
                  )}
                  {data.total > 10000 && <Truncated>Exports stop at 10,000 results; narrow the pattern for more.</Truncated>}
                </>
              ))}
          </div>
        </section>
      )}
    </div>
  );
}
