// The findings list: every finding observed during the scope, filtered by
// severity, type, account and text, sorted by any column, with the filters
// in the URL. The findings come from the API's findings list, archived ones
// included (a filter hides them), up to maxFindings (or the URL's max). The
// browser filters and sorts them; when the scope holds more, the API
// filters instead, so that a filter finds what lies beyond the first ones.

import { useMemo } from 'react';
import { apiUrl, getJSON } from '../../api/client';
import type { AssociatedFinding, Scope } from '../../api/types';
import { useLoader } from '../../api/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { FindingCells, findingAccessors } from '../../components/FindingCells';
import { severityLevel, severityLevels, severityNames, type SeverityLevel } from '../../components/Severity';
import { SortTh, useSort, type SortState } from '../../components/sort';
import { Empty, ErrorState, Loading, Truncated, Updating } from '../../components/States';
import { downloadText, toCSV } from '../../lib/csv';
import { formatCount, isoTime } from '../../lib/format';
import { useAccountFilter } from '../../nav/accountFilter';
import { useTrailEntry } from '../../nav/trail';
import { useDataEnd } from '../../scope/dataEnd';
import { useScopeReport, useUrlScope } from '../../scope/ScopeContext';
import { useQueryState } from '../entity/usePanel';

interface Loaded {
  findings: AssociatedFinding[];
  accounts: number;
  total: number;
  facets: FindingsPage['facets'];
}

/** The filters the API applies, in its parameters. */
interface ServerFilters {
  severity?: string;
  type?: string;
  account?: string;
  q?: string;
  archived: 'any' | 'false';
}

/** One page of GET /api/v1/findings. */
interface FindingsPage {
  findings: AssociatedFinding[];
  total: number;
  cursor?: string;
  facets: Record<string, { value: string; count: number }[]>;
}

const defaultDays = 30;
const maxFindings = 10000;

/** Reads up to cap findings of the scope from the findings list, page by page, most severe first. */
async function loadFindings(scope: Scope, cap: number, signal: AbortSignal, filters: ServerFilters = { archived: 'any' }): Promise<Loaded> {
  const findings: AssociatedFinding[] = [];
  let cursor: string | undefined;
  let total = 0;
  let accounts = 0;
  let facets: FindingsPage['facets'] = {};
  do {
    const page = await getJSON<FindingsPage>(
      apiUrl('/findings', { ...filters, limit: Math.min(1000, cap - findings.length), cursor, scopeStart: scope.scopeStart, scopeEnd: scope.scopeEnd }),
      signal,
    );
    findings.push(...page.findings);
    total = page.total;
    accounts = Math.max(accounts, page.facets?.account?.length ?? 0);
    if (!cursor) facets = page.facets ?? {};
    cursor = page.cursor;
  } while (cursor && findings.length < cap);
  return { findings, accounts, total, facets };
}

/** The number of findings the page loads: the URL's max, within 1 to maxFindings. */
function findingsCap(v: string | null): number {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, maxFindings) : maxFindings;
}

/** The findings page. */
export default function FindingsPage() {
  usePageTitle('Findings');
  useTrailEntry('Findings', 'findings');
  const urlScope = useUrlScope();
  const dataEnd = useDataEnd();
  const { params, set } = useQueryState();

  const scope: Scope | undefined =
    urlScope.scopeStart !== undefined || urlScope.scopeEnd !== undefined
      ? {
          scopeStart: urlScope.scopeStart ?? (urlScope.scopeEnd ?? 0) - defaultDays * 86400,
          scopeEnd: urlScope.scopeEnd ?? dataEnd ?? Math.ceil(Date.now() / 1000),
        }
      : dataEnd !== undefined
        ? { scopeStart: dataEnd - defaultDays * 86400, scopeEnd: dataEnd }
        : undefined;
  const defaultScope = dataEnd !== undefined ? { scopeStart: dataEnd - defaultDays * 86400, scopeEnd: dataEnd } : undefined;
  useScopeReport({ effective: scope, defaultScope, defaultLabel: `the last ${defaultDays} days of data` });

  const cap = findingsCap(params.get('max'));
  const key = scope ? `${scope.scopeStart}-${scope.scopeEnd}-${cap}` : null;
  const whole = useLoader<Loaded>(key, (signal) => loadFindings(scope!, cap, signal));

  const sev = new Set((params.get('sev') ?? '').split(',').filter((s): s is SeverityLevel => severityLevels.includes(s as SeverityLevel)));
  const type = params.get('type') ?? '';
  const account = params.get('account') ?? '';
  const text = params.get('q') ?? '';
  const hideArchived = params.get('archived') === 'hide';
  const sortParam = params.get('sort') ?? 'severity';
  const sortState: SortState = { key: findingAccessors[sortParam.replace(/^-/, '')] ? sortParam.replace(/^-/, '') : 'severity', dir: sortParam.startsWith('-') ? 'asc' : 'desc' };

  const accountFilter = useAccountFilter();
  const accountKey = accountFilter.accounts.join(',');
  // More findings than loaded: the API filters, so that the filters reach
  // all of them; the browser still sorts.
  const truncated = !!whole.data && whole.data.total > whole.data.findings.length;
  const filtering = sev.size > 0 || !!type || !!account || !!text || hideArchived;
  const serverFilters: ServerFilters | null =
    truncated && (filtering || accountKey !== '')
      ? {
          severity: [...sev].sort().join(',') || undefined,
          type: type || undefined,
          account: account || accountKey || undefined,
          q: text.trim() || undefined,
          archived: hideArchived ? 'false' : 'any',
        }
      : null;
  const serverKey = key && serverFilters ? `${key}/${JSON.stringify(serverFilters)}` : null;
  const narrowed = useLoader<Loaded>(serverKey, (signal) => loadFindings(scope!, cap, signal, serverFilters!));
  const { data, error, loading, reload } = serverFilters ? narrowed : whole;
  const loaded = data?.findings;
  const all = useMemo(() => {
    const only = new Set(accountKey.split(',').filter(Boolean));
    return (loaded ?? []).filter((f) => only.size === 0 || only.has(f.account));
  }, [loaded, accountKey]);
  // Counts and choices: of the loaded findings, or of all of them (the
  // API's counts, its 50 most common types and accounts) when it holds
  // more than loaded.
  const facets = truncated ? whole.data?.facets : undefined;
  const counts = useMemo(() => {
    const c: Record<SeverityLevel, number> = { critical: 0, high: 0, medium: 0, low: 0 };
    if (facets?.severity) {
      for (const f of facets.severity) if (f.value in c) c[f.value as SeverityLevel] = f.count;
      return c;
    }
    for (const f of all) c[severityLevel(f.severity)]++;
    return c;
  }, [all, facets]);
  const types = useMemo(
    () => [...new Set([...all.map((f) => f.type), ...(facets?.type ?? []).map((f) => f.value), ...(type ? [type] : [])])].sort(),
    [all, facets, type],
  );
  const accounts = useMemo(
    () => [...new Set([...all.map((f) => f.account), ...(facets?.account ?? []).map((f) => f.value), ...(account ? [account] : [])])].sort(),
    [all, facets, account],
  );
  // The API matched the text (in ids, types, titles and descriptions).
  const server = serverFilters !== null;
  const filtered = useMemo(() => {
    const t = text.trim().toLowerCase();
    return all.filter(
      (f) =>
        (sev.size === 0 || sev.has(severityLevel(f.severity))) &&
        (!type || f.type === type) &&
        (!account || f.account === account) &&
        (!hideArchived || !f.archived) &&
        (!t || server || `${f.title} ${f.id} ${f.type} ${f.region}`.toLowerCase().includes(t)),
    );
  }, [all, sev, type, account, text, hideArchived, server]);
  const { sorted, sort, toggle } = useSort(filtered, findingAccessors, sortState, [
    sortState,
    (s: SortState) => set({ sort: (s.dir === 'asc' ? '-' : '') + s.key }, true),
  ]);

  function toggleSev(l: SeverityLevel) {
    const n = new Set(sev);
    if (n.has(l)) n.delete(l);
    else n.add(l);
    set({ sev: [...n].join(',') }, true);
  }

  function exportCSV() {
    downloadText(
      'trailhound-findings.csv',
      toCSV(
        ['severity', 'level', 'title', 'type', 'id', 'account', 'region', 'firstSeen', 'lastSeen', 'archived'],
        sorted.map((f) => [f.severity, severityLevel(f.severity), f.title, f.type, f.id, f.account, f.region, isoTime(f.firstSeen), isoTime(f.lastSeen), f.archived]),
      ),
    );
  }

  // How many findings the scope holds (in the account filter), and how
  // many of them match the filters.
  const overall = useMemo(() => {
    if (!truncated) return all.length;
    if (!accountKey) return whole.data?.total ?? 0;
    const only = new Set(accountKey.split(','));
    return (whole.data?.facets?.account ?? []).reduce((n, f) => n + (only.has(f.value) ? f.count : 0), 0);
  }, [truncated, all, accountKey, whole.data]);
  const matching = server ? (data?.total ?? 0) : sorted.length;
  return (
    <div className="page" data-testid="page-findings">
      <div className="page-head">
        <div>
          <h1 tabIndex={-1}>Findings</h1>
          <p className="muted">
            GuardDuty findings observed during the scope
            {data && (
              <>
                : <strong data-testid="findings-total">{formatCount(overall)}</strong>{' '}
                {accountFilter.accounts.length
                  ? `in the account filter (${accountFilter.accounts.length} account${accountFilter.accounts.length === 1 ? '' : 's'})`
                  : `in ${formatCount(whole.data?.accounts ?? data.accounts)} accounts`}
              </>
            )}
            .
          </p>
        </div>
        <button type="button" onClick={exportCSV} disabled={!sorted.length}>
          Export CSV
        </button>
      </div>
      <section className="panel" aria-label="Filters" data-testid="findings-filters">
        <div className="panel-body table-tools">
          <div className="sev-filter" role="group" aria-label="Severity">
            {severityLevels.map((l) => (
              <button key={l} type="button" className="chip toggle" aria-pressed={sev.has(l)} onClick={() => toggleSev(l)} data-severity={l}>
                <span className={`severity severity-${l}`}>{severityNames[l]}</span> {formatCount(counts[l])}
              </button>
            ))}
          </div>
          <label className="inline-field">
            <span>Type</span>
            <select value={type} onChange={(e) => set({ type: e.target.value }, true)} data-testid="findings-type">
              <option value="">All types</option>
              {types.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label className="inline-field">
            <span>Account</span>
            <select value={account} onChange={(e) => set({ account: e.target.value }, true)} data-testid="findings-account">
              <option value="">All accounts</option>
              {accounts.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
          <label className="inline-field">
            <span>Text</span>
            <input type="search" value={text} onChange={(e) => set({ q: e.target.value }, true)} placeholder="title, id, type, region" data-testid="findings-text" />
          </label>
          <label className="check">
            <input type="checkbox" checked={hideArchived} onChange={(e) => set({ archived: e.target.checked ? 'hide' : undefined }, true)} />
            Hide archived
          </label>
          {filtering && (
            <button type="button" className="link-button" onClick={() => set({ sev: undefined, type: undefined, account: undefined, q: undefined, archived: undefined }, true)}>
              Clear filters
            </button>
          )}
        </div>
      </section>
      <section className="panel" aria-labelledby="findings-list-title" data-testid="panel-findings-list">
        <header className="panel-head">
          <h2 id="findings-list-title">
            {filtering ? `${formatCount(matching)} of ${formatCount(overall)} findings` : `${formatCount(overall)} findings`}
          </h2>
        </header>
        <div className="panel-body">
          <Updating active={loading && !!data} />
          {error && <ErrorState error={error} retry={reload} what="The findings" />}
          {!data && (loading || !scope) && <Loading label="Loading the findings…" />}
          {data && data.total > data.findings.length && (
            <Truncated>
              {server
                ? `Showing the ${formatCount(data.findings.length)} most severe of the ${formatCount(data.total)} findings that match the filters; narrow them to see the others.`
                : `Showing the ${formatCount(data.findings.length)} most severe of ${formatCount(data.total)} findings; the filters search all of them, and narrowing the scope shows the others.`}
            </Truncated>
          )}
          {data &&
            (sorted.length === 0 ? (
              <Empty>{overall ? 'No finding matches the filters.' : 'No finding was observed during the scope.'}</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="findings-table">
                  <thead>
                    <tr>
                      <SortTh label="Severity" column="severity" sort={sort} onSort={toggle} />
                      <SortTh label="Title" column="title" sort={sort} onSort={toggle} firstDir="asc" />
                      <SortTh label="Type" column="type" sort={sort} onSort={toggle} firstDir="asc" />
                      <SortTh label="Account" column="account" sort={sort} onSort={toggle} firstDir="asc" />
                      <SortTh label="Region" column="region" sort={sort} onSort={toggle} firstDir="asc" />
                      <SortTh label="First observed" column="firstSeen" sort={sort} onSort={toggle} />
                      <SortTh label="Last observed" column="lastSeen" sort={sort} onSort={toggle} />
                    </tr>
                  </thead>
                  <tbody>
                    {sorted.map((f) => (
                      <tr key={f.id} data-finding-id={f.id}>
                        <FindingCells f={f} />
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
        </div>
      </section>
    </div>
  );
}
