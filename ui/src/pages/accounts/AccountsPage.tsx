// Accounts: every AWS account seen in the data, with its sources, regions,
// data freshness and activity, each linked to its profile.

import { useMemo } from 'react';
import { urls } from '../../api/client';
import type { SearchResult, SearchResults, Summary, Usage } from '../../api/types';
import { useApi } from '../../api/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { EntityLink } from '../../components/EntityLink';
import { Panel } from '../../components/Panel';
import { SortTh, useSort, type SortAccessors } from '../../components/sort';
import { Empty, ErrorState, Loading, Truncated, Updating } from '../../components/States';
import { Time } from '../../components/Time';
import { formatAgo, formatCount } from '../../lib/format';
import { sourceName } from '../../lib/sources';
import { useAccountFilter } from '../../nav/accountFilter';
import { useTrailEntry } from '../../nav/trail';
import { useScopeReport, useUrlScope } from '../../scope/ScopeContext';
import { scopeParams } from '../../scope/scope';

interface Row extends SearchResult {
  sources: { source: string; records: number; latestRecord: number; latestIngest: number }[];
  regions: string[];
  latestIngest: number;
}

const accessors: SortAccessors<Row> = {
  account: (r) => r.id,
  activity: (r) => r.activity,
  sources: (r) => r.sources.length,
  regions: (r) => r.regions.length,
  firstSeen: (r) => r.firstSeen,
  lastSeen: (r) => r.lastSeen,
  latestIngest: (r) => r.latestIngest,
};

/** The accounts page. */
export default function AccountsPage() {
  usePageTitle('Accounts');
  useTrailEntry('Accounts', 'accounts');
  const urlScope = useUrlScope();
  const accounts = useApi<SearchResults>(urls.search({ type: 'AwsAccount', limit: 1000, ...scopeParams(urlScope) }));
  const summary = useApi<Summary>(urls.summary());
  const usage = useApi<Usage>(urls.usage());
  const effective =
    urlScope.scopeStart !== undefined && urlScope.scopeEnd !== undefined ? { scopeStart: urlScope.scopeStart, scopeEnd: urlScope.scopeEnd } : accounts.data?.scope;
  useScopeReport({ effective, defaultLabel: 'all data' });

  const rows = useMemo<Row[]>(() => {
    const fresh = summary.data?.freshness ?? [];
    const series = usage.data?.series ?? [];
    return (accounts.data?.results ?? []).map((a) => {
      const sources = fresh.filter((f) => f.account === a.id).map((f) => ({ source: f.source, records: f.records, latestRecord: f.latestRecord, latestIngest: f.latestIngest }));
      const regions = [...new Set(series.filter((s) => s.account === a.id).map((s) => s.region))].sort();
      return { ...a, sources, regions, latestIngest: Math.max(0, ...sources.map((s) => s.latestIngest)) };
    });
  }, [accounts.data, summary.data, usage.data]);
  const { sorted, sort, toggle } = useSort(rows, accessors, { key: 'activity', dir: 'desc' });
  const filter = useAccountFilter();
  const checked = new Set(filter.accounts);
  const toggleAccount = (id: string) => {
    const n = new Set(checked);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    filter.set([...n]);
  };

  return (
    <div className="page" data-testid="page-accounts">
      <div className="page-head">
        <div>
          <h1 tabIndex={-1}>Accounts</h1>
          <p className="muted">
            Every AWS account seen in the data: its sources, regions and how fresh its data is. Tick accounts to narrow the findings, the summary and
            search to them, on every page.
          </p>
        </div>
      </div>
      <Panel id="accounts" title={accounts.data ? `${formatCount(accounts.data.total)} accounts` : 'Accounts'}>
        <Updating active={accounts.loading && !!accounts.data} />
        {accounts.error && <ErrorState error={accounts.error} retry={accounts.reload} what="The accounts" />}
        {!accounts.data && accounts.loading && <Loading />}
        {(summary.error || usage.error) && <Truncated>Sources, regions or freshness could not be read for every account.</Truncated>}
        {accounts.data && accounts.data.cursor && <Truncated>The first 1,000 accounts are listed.</Truncated>}
        {accounts.data &&
          (rows.length === 0 ? (
            <Empty>No account has been seen yet: ingest some logs first.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="table" data-testid="accounts-table">
                <thead>
                  <tr>
                    <SortTh label="Account" column="account" sort={sort} onSort={toggle} firstDir="asc" />
                    <SortTh label={effective ? 'Calls in scope' : 'Calls'} column="activity" sort={sort} onSort={toggle} className="num" />
                    <SortTh label="Sources (latest record)" column="sources" sort={sort} onSort={toggle} />
                    <SortTh label="Regions" column="regions" sort={sort} onSort={toggle} />
                    <SortTh label="First observed" column="firstSeen" sort={sort} onSort={toggle} />
                    <SortTh label="Last observed" column="lastSeen" sort={sort} onSort={toggle} />
                    <SortTh label="Latest ingest" column="latestIngest" sort={sort} onSort={toggle} />
                    <th scope="col">Filter</th>
                  </tr>
                </thead>
                <tbody>
                  {sorted.map((r) => (
                    <tr key={r.id} data-account={r.id} className={checked.has(r.id) ? 'selected' : undefined}>
                      <td>
                        <EntityLink type="AwsAccount" id={r.id} label={r.label} />
                        {r.account && r.account !== r.id && <span className="row-sub">seen in the trail of {r.account}</span>}
                      </td>
                      <td className="num">{formatCount(r.activity)}</td>
                      <td className="wrap">
                        {r.sources.length === 0 ? (
                          <span className="muted">none of its own</span>
                        ) : (
                          r.sources.map((s) => (
                            <span key={s.source} className="tag" title={`${formatCount(s.records)} records; latest ${new Date(s.latestRecord * 1000).toISOString()}`}>
                              {sourceName(s.source)} · {formatAgo(s.latestRecord)}
                            </span>
                          ))
                        )}
                      </td>
                      <td className="wrap">{r.regions.length ? r.regions.join(', ') : <span className="muted">–</span>}</td>
                      <td>
                        <Time value={r.firstSeen} />
                      </td>
                      <td>
                        <Time value={r.lastSeen} />
                      </td>
                      <td>{r.latestIngest ? <Time value={r.latestIngest} /> : <span className="muted">–</span>}</td>
                      <td>
                        <input
                          type="checkbox"
                          checked={checked.has(r.id)}
                          onChange={() => toggleAccount(r.id)}
                          aria-label={`Narrow the console to account ${r.id}`}
                          data-testid="account-filter-check"
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
      </Panel>
    </div>
  );
}
