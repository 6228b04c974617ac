// The finding groups list: the probable incidents, most severe first, each
// with its tactics chain, its counts and when it was observed. Filters and
// sort are the API's (severity band, tactic, account, entity, finding,
// text; sort by any column) and live in the URL; the console's account
// filter applies when no account is chosen here. The list follows the
// scope: with one, it keeps the groups active in it (their first to last
// observed findings overlap it); without one, every group.

import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { getJSON } from '../../api/client';
import { useApi } from '../../api/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { EntityLink } from '../../components/EntityLink';
import { SeverityBadge, severityLevels, severityNames, type SeverityLevel } from '../../components/Severity';
import { SortTh, type SortState } from '../../components/sort';
import { Empty, ErrorState, Loading, Updating } from '../../components/States';
import { Time } from '../../components/Time';
import { formatCount } from '../../lib/format';
import { useAccountFilter } from '../../nav/accountFilter';
import { useTrailEntry } from '../../nav/trail';
import { useScopeReport, useSetScope, useUrlScope } from '../../scope/ScopeContext';
import { useQueryState, useUrlChoice } from '../entity/usePanel';
import { groupUrls, type GroupListParams } from './api';
import { GroupLink } from './GroupLink';
import { TacticsChain, attackTactics } from './TacticsChain';
import type { GroupList, GroupSummary } from './types';
import './groups.css';

const pageSize = 100;

/** Columns the API sorts by, and the direction a first click sorts. */
const sortColumns: Record<string, 'asc' | 'desc'> = {
  severity: 'desc',
  title: 'asc',
  findingCount: 'desc',
  entityCount: 'desc',
  firstSeen: 'desc',
  lastSeen: 'desc',
};

/** Reads the API's sort parameter ("-lastSeen" is descending) as a sort state. */
function readSort(v: string | null): SortState {
  const key = (v ?? '').replace(/^-/, '');
  if (!sortColumns[key]) return { key: 'severity', dir: 'desc' };
  return { key, dir: v!.startsWith('-') ? 'desc' : 'asc' };
}

const statuses = [
  { id: 'active', label: 'Active' },
  { id: 'inactive', label: 'Inactive' },
  { id: 'any', label: 'All' },
];

/** The text filters, edited together and applied on submit. */
function TextFilters({ values, onApply, accounts }: { values: Record<string, string>; onApply: (v: Record<string, string>) => void; accounts: string[] }) {
  const [draft, setDraft] = useState(values);
  const key = JSON.stringify(values);
  useEffect(() => setDraft(JSON.parse(key) as Record<string, string>), [key]);
  function submit(e: FormEvent) {
    e.preventDefault();
    onApply(Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, v.trim()])));
  }
  const field = (k: string, label: string, placeholder: string, width: number, list?: string) => (
    <label className="inline-field">
      <span>{label}</span>
      <input
        type="search"
        value={draft[k] ?? ''}
        onChange={(e) => setDraft({ ...draft, [k]: e.target.value })}
        placeholder={placeholder}
        style={{ width }}
        list={list}
        data-testid={`groups-${k}`}
      />
    </label>
  );
  return (
    <form className="group-text-filters" onSubmit={submit} aria-label="Filter the groups">
      {field('q', 'Text', 'title or group id', 200)}
      {field('account', 'Account', 'account id', 150, 'groups-accounts')}
      <datalist id="groups-accounts">
        {accounts.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      {field('entity', 'Entity', 'Type/id, e.g. AwsUser/AIDA…', 250)}
      {field('finding', 'Finding', 'finding id', 200)}
      <button type="submit" data-testid="groups-apply">
        Apply
      </button>
    </form>
  );
}

function GroupRow({ g }: { g: GroupSummary }) {
  return (
    <tr data-group-id={g.id} data-status={g.status}>
      <td>
        <SeverityBadge score={g.severity} />
      </td>
      <td className="wrap">
        <GroupLink id={g.id} title={g.title} />
        {g.status === 'inactive' && <span className="tag">inactive</span>}
        {g.origin !== 'grouped' && <span className="tag">{g.origin}</span>}
      </td>
      <td className="wrap">
        <TacticsChain tactics={g.tactics} compact />
      </td>
      <td className="num">{formatCount(g.findingCount)}</td>
      <td className="num">
        {formatCount(g.entityCount)}
        {g.principalCount > 0 && (
          <span className="row-sub">
            {g.principalCount} principal{g.principalCount === 1 ? '' : 's'}
          </span>
        )}
      </td>
      <td className="wrap">
        {g.accounts.map((a) => (
          <div key={a}>
            <EntityLink type="AwsAccount" id={a} noIcon />
          </div>
        ))}
      </td>
      <td>
        <Time value={g.firstSeen} />
      </td>
      <td>
        <Time value={g.lastSeen} />
      </td>
    </tr>
  );
}

/** The finding groups page. */
export default function GroupsPage() {
  usePageTitle('Finding groups');
  useTrailEntry('Finding groups', 'groups');
  const urlScope = useUrlScope();
  const setScope = useSetScope();
  const scoped = urlScope.scopeStart !== undefined || urlScope.scopeEnd !== undefined;
  useScopeReport({
    effective: urlScope.scopeStart !== undefined && urlScope.scopeEnd !== undefined ? { scopeStart: urlScope.scopeStart, scopeEnd: urlScope.scopeEnd } : undefined,
    defaultLabel: 'all data',
  });
  const { params, set } = useQueryState();
  const accountFilter = useAccountFilter();

  const [statusChoice, chooseStatus] = useUrlChoice('status', 'active');
  const status = statuses.some((s) => s.id === statusChoice) ? statusChoice : 'active';
  const sev = new Set((params.get('severity') ?? '').split(',').filter((s): s is SeverityLevel => severityLevels.includes(s as SeverityLevel)));
  const [tactic, chooseTactic] = useUrlChoice('tactic', '');
  const text = { q: params.get('q') ?? '', account: params.get('account') ?? '', entity: params.get('entity') ?? '', finding: params.get('finding') ?? '' };
  const sort = readSort(params.get('sort'));
  const accounts = text.account || accountFilter.accounts.join(',');

  const query: GroupListParams = {
    status: status === 'active' ? undefined : status,
    severity: [...sev].join(','),
    tactic,
    account: accounts,
    entity: text.entity,
    finding: text.finding,
    q: text.q,
    scopeStart: urlScope.scopeStart,
    scopeEnd: urlScope.scopeEnd,
    sort: params.get('sort') ? (sort.dir === 'desc' ? '-' : '') + sort.key : undefined,
    limit: pageSize,
  };
  const url = groupUrls.list(query);
  const { data, error, loading, reload } = useApi<GroupList>(url);

  // Further pages, appended to the first: reset whenever the question changes.
  const [more, setMore] = useState<{ url: string; groups: GroupSummary[]; cursor?: string; loading: boolean; error?: string }>({ url, groups: [], loading: false });
  const extra = more.url === url ? more : { url, groups: [], cursor: undefined, loading: false, error: undefined };
  const cursor = extra.groups.length ? extra.cursor : data?.cursor;
  async function loadMore() {
    if (!cursor) return;
    setMore({ ...extra, loading: true, error: undefined });
    try {
      const page = await getJSON<GroupList>(groupUrls.list({ ...query, cursor }));
      setMore({ url, groups: [...extra.groups, ...page.groups], cursor: page.cursor, loading: false });
    } catch (e) {
      setMore({ ...extra, loading: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  const rows = useMemo(() => [...(data?.groups ?? []), ...extra.groups], [data, extra.groups]);
  const seenAccounts = useMemo(() => [...new Set(rows.flatMap((g) => g.accounts))].sort(), [rows]);

  function toggleSev(l: SeverityLevel) {
    const n = new Set(sev);
    if (n.has(l)) n.delete(l);
    else n.add(l);
    set({ severity: [...n].join(',') }, true);
  }
  function onSort(key: string) {
    const dir = sort.key === key ? (sort.dir === 'asc' ? 'desc' : 'asc') : sortColumns[key];
    set({ sort: (dir === 'desc' ? '-' : '') + key }, true);
  }

  const filtering = sev.size > 0 || !!tactic || Object.values(text).some(Boolean);
  const statusWord = status === 'any' ? '' : status + ' ';
  return (
    <div className="page" data-testid="page-groups">
      <div className="page-head">
        <div>
          <h1 tabIndex={-1}>Finding groups</h1>
          <p className="muted">
            Related findings, the entities they share and the evidence around them, gathered into probable incidents. Each group says why each finding
            is in it.
          </p>
        </div>
        <div className="segmented" role="group" aria-label="Status">
          {statuses.map((s) => (
            <button
              key={s.id}
              type="button"
              aria-pressed={status === s.id}
              onClick={() => chooseStatus(s.id)}
              data-testid={`groups-status-${s.id}`}
            >
              {s.label}
            </button>
          ))}
        </div>
      </div>
      <section className="panel" aria-label="Filters" data-testid="groups-filters">
        <div className="panel-body table-tools">
          <div className="sev-filter" role="group" aria-label="Severity">
            {severityLevels.map((l) => (
              <button key={l} type="button" className="chip toggle" aria-pressed={sev.has(l)} onClick={() => toggleSev(l)} data-severity={l}>
                <span className={`severity severity-${l}`}>{severityNames[l]}</span>
              </button>
            ))}
          </div>
          <label className="inline-field">
            <span>Tactic</span>
            <select value={tactic} onChange={(e) => chooseTactic(e.target.value)} data-testid="groups-tactic">
              <option value="">All tactics</option>
              {attackTactics.map((t) => (
                <option key={t.id} value={t.name}>
                  {t.name} ({t.id})
                </option>
              ))}
            </select>
          </label>
          <TextFilters values={text} onApply={(v) => set(v, true)} accounts={seenAccounts} />
          {filtering && (
            <button
              type="button"
              className="link-button"
              onClick={() => set({ severity: undefined, tactic: undefined, q: undefined, account: undefined, entity: undefined, finding: undefined }, true)}
            >
              Clear filters
            </button>
          )}
        </div>
      </section>
      <section className="panel" aria-labelledby="groups-list-title" data-testid="panel-groups-list">
        <header className="panel-head">
          <div>
            <h2 id="groups-list-title">
              {data ? `${formatCount(data.total)} ${statusWord}group${data.total === 1 ? '' : 's'}` : 'Finding groups'}
              {scoped ? ' in this scope' : ''}
              {filtering ? ' matching the filters' : ''}
            </h2>
            <p className="panel-description">
              {scoped ? 'Active during the scope: their first to last observed findings overlap it.' : 'Whatever their time: no scope is set.'}
              {!text.account && accountFilter.accounts.length > 0 && <> With findings of the accounts of the account filter ({accountFilter.accounts.join(', ')}).</>}
            </p>
          </div>
        </header>
        <div className="panel-body">
          <Updating active={loading && !!data} />
          {error && <ErrorState error={error} retry={reload} what="The finding groups" />}
          {!data && loading && <Loading label="Loading the finding groups…" />}
          {data &&
            (rows.length === 0 ? (
              <Empty>
                {filtering
                  ? `No group${scoped ? ' active in this scope' : ''} matches the filters.`
                  : scoped
                    ? status === 'active'
                      ? 'No finding group active in this scope.'
                      : `No ${statusWord}finding group in this scope.`
                    : status === 'active'
                      ? 'No active finding group: groups appear as findings are ingested.'
                      : 'No finding group.'}
                {scoped && (
                  <>
                    {' '}
                    <button type="button" className="link-button" onClick={() => setScope(null)} data-testid="groups-all-time">
                      List the groups of all time
                    </button>
                  </>
                )}
              </Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="groups-table">
                  <thead>
                    <tr>
                      <SortTh label="Severity" column="severity" sort={sort} onSort={onSort} />
                      <SortTh label="Group" column="title" sort={sort} onSort={onSort} firstDir="asc" />
                      <th scope="col">Tactics</th>
                      <SortTh label="Findings" column="findingCount" sort={sort} onSort={onSort} className="num" />
                      <SortTh label="Entities" column="entityCount" sort={sort} onSort={onSort} className="num" />
                      <th scope="col">Accounts</th>
                      <SortTh label="First observed" column="firstSeen" sort={sort} onSort={onSort} />
                      <SortTh label="Last observed" column="lastSeen" sort={sort} onSort={onSort} />
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((g) => (
                      <GroupRow key={g.id} g={g} />
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
          {data && cursor && (
            <div className="pager">
              <span className="muted">
                {formatCount(rows.length)} of {formatCount(data.total)} shown
              </span>
              <button type="button" onClick={loadMore} disabled={extra.loading} data-testid="groups-more">
                {extra.loading ? 'Loading…' : 'Show more'}
              </button>
              {extra.error && (
                <span className="problem" role="alert">
                  {extra.error}
                </span>
              )}
            </div>
          )}
        </div>
      </section>
    </div>
  );
}
