// Usage: the volume ingested per account, region and source over the 30
// days of the latest data, projected to a month, and what Amazon
// Detective would charge for it.

import { useMemo, useState } from 'react';
import { urls } from '../../api/client';
import type { Usage, UsageCharge, UsageSeries } from '../../api/types';
import { useApi } from '../../api/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { TimeBarsChart, type TimeBucket } from '../../charts/TimeBarsChart';
import { EntityLink } from '../../components/EntityLink';
import { Panel } from '../../components/Panel';
import { SortTh, useSort, type SortAccessors } from '../../components/sort';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { formatBytes, formatCount, formatDate, formatUSD } from '../../lib/format';
import { useTimeZone } from '../../lib/prefs';
import { useTrailEntry } from '../../nav/trail';
import { useScopeReport } from '../../scope/ScopeContext';
import { sourceName } from '../../lib/sources';

const sourceColors: Record<string, string> = { cloudtrail: '#1c7ed6', vpcflow: '#0ca678', guardduty: '#c92a2a' };

const seriesAccessors: SortAccessors<UsageSeries> = {
  account: (s) => s.account,
  region: (s) => s.region,
  source: (s) => s.source,
  events: (s) => s.events,
  bytes: (s) => s.bytes,
  projected: (s) => s.projectedBytes,
  lastSeen: (s) => s.lastSeen,
};

const chargeAccessors: SortAccessors<UsageCharge> = {
  account: (c) => c.account,
  region: (c) => c.region,
  gb: (c) => c.projectedGB,
  usd: (c) => c.monthlyUSD,
};

/** The usage page. */
export default function UsagePage() {
  usePageTitle('Usage');
  useTrailEntry('Usage', 'usage');
  const tz = useTimeZone();
  useScopeReport({ notApplicable: 'Usage covers the 30 days ending with the latest data; the scope does not apply here.' });
  const { data, error, loading, reload } = useApi<Usage>(urls.usage());
  const [metric, setMetric] = useState<'bytes' | 'events'>('bytes');
  const sources = useMemo(() => [...new Set((data?.series ?? []).map((s) => s.source))].sort(), [data]);
  const buckets = useMemo<TimeBucket[]>(() => {
    if (!data) return [];
    const days = new Map<number, Record<string, number>>();
    for (const s of data.series) {
      for (const d of s.days) {
        const v = days.get(d.start) ?? {};
        v[s.source] = (v[s.source] ?? 0) + d[metric];
        days.set(d.start, v);
      }
    }
    return [...days.entries()].sort((a, b) => a[0] - b[0]).map(([start, values]) => ({ start, values }));
  }, [data, metric]);
  const series = useMemo(() => sources.map((s) => ({ key: s, name: sourceName(s), color: sourceColors[s] ?? '#868e96' })), [sources]);
  const s1 = useSort(data?.series ?? [], seriesAccessors, { key: 'projected', dir: 'desc' });
  const s2 = useSort(data?.charges ?? [], chargeAccessors, { key: 'usd', dir: 'desc' });

  return (
    <div className="page" data-testid="page-usage">
      <div className="page-head">
        <div>
          <h1 tabIndex={-1}>Usage</h1>
          <p className="muted">
            What was ingested, projected to a month, and what Amazon Detective would charge for that volume (an order of magnitude: Detective meters
            its own way).
          </p>
        </div>
      </div>
      {error && <ErrorState error={error} retry={reload} what="The usage" />}
      {!data && loading && <Loading />}
      {data && (
        <>
          <div className="stat-row" data-testid="usage-stats">
            <div className="stat">
              <div className="stat-value">{formatBytes(data.totalProjectedBytes)}</div>
              <div className="stat-label">projected per month</div>
            </div>
            <div className="stat">
              <div className="stat-value" data-testid="usage-total-usd">
                {formatUSD(data.totalMonthlyUSD)}
              </div>
              <div className="stat-label">Detective's monthly price for it</div>
            </div>
            <div className="stat">
              <div className="stat-value">{data.coveredDays} d</div>
              <div className="stat-label">
                of data in the window {formatDate(data.windowStart, tz)} – {formatDate(data.windowEnd - 1, tz)}
              </div>
            </div>
          </div>
          {data.prunedBefore ? (
            <p className="muted" data-testid="usage-pruned">
              The records before {formatDate(data.prunedBefore, tz)} were removed (retention): the volumes count what is kept.
            </p>
          ) : null}
          <Panel
            id="usage-volume"
            title="Ingested volume per day"
            description="Object sizes as delivered (compressed when they were) or records, by source, for every account."
            actions={
              <div className="segmented" role="group" aria-label="Measure">
                <button type="button" aria-pressed={metric === 'bytes'} onClick={() => setMetric('bytes')}>
                  Bytes
                </button>
                <button type="button" aria-pressed={metric === 'events'} onClick={() => setMetric('events')}>
                  Records
                </button>
              </div>
            }
          >
            {buckets.length === 0 ? (
              <Empty>Nothing was ingested in the window.</Empty>
            ) : (
              <TimeBarsChart
                buckets={buckets}
                bucketSeconds={86400}
                series={series}
                format={metric === 'bytes' ? formatBytes : formatCount}
                ariaLabel="Ingested volume per day and source"
                height={240}
              />
            )}
          </Panel>
          <Panel id="usage-charges" title="Projected monthly cost in Amazon Detective" description="Per account and region, priced at Detective's tiers.">
            <div className="grid-2">
              <div className="table-wrap scroll-y">
                <table className="table" data-testid="usage-charges-table">
                  <thead>
                    <tr>
                      <SortTh label="Account" column="account" sort={s2.sort} onSort={s2.toggle} firstDir="asc" />
                      <SortTh label="Region" column="region" sort={s2.sort} onSort={s2.toggle} firstDir="asc" />
                      <SortTh label="Projected per month" column="gb" sort={s2.sort} onSort={s2.toggle} className="num" />
                      <SortTh label="Monthly price" column="usd" sort={s2.sort} onSort={s2.toggle} className="num" />
                    </tr>
                  </thead>
                  <tbody>
                    {s2.sorted.map((c) => (
                      <tr key={`${c.account}/${c.region}`}>
                        <td>
                          <EntityLink type="AwsAccount" id={c.account} noIcon />
                        </td>
                        <td>{c.region}</td>
                        <td className="num">{formatBytes(c.projectedBytes)}</td>
                        <td className="num">{formatUSD(c.monthlyUSD)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div>
                <h3>Detective's price tiers</h3>
                <table className="table compact" data-testid="usage-tiers">
                  <thead>
                    <tr>
                      <th scope="col">Monthly volume</th>
                      <th scope="col" className="num">
                        Price per GB
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {(() => {
                      let from = 0;
                      return data.tiers.map((t, i) => {
                        const label = t.upToGB ? `${formatCount(from)} – ${formatCount(from + t.upToGB)} GB` : `over ${formatCount(from)} GB`;
                        from += t.upToGB;
                        return (
                          <tr key={i}>
                            <td>{label}</td>
                            <td className="num">{formatUSD(t.usdPerGB)}</td>
                          </tr>
                        );
                      });
                    })()}
                  </tbody>
                </table>
              </div>
            </div>
          </Panel>
          <Panel id="usage-series" title="Volume per account, region and source" description="The window's records and bytes, and the bytes projected to 30 days.">
            <div className="table-wrap scroll-y">
              <table className="table compact" data-testid="usage-series-table">
                <thead>
                  <tr>
                    <SortTh label="Account" column="account" sort={s1.sort} onSort={s1.toggle} firstDir="asc" />
                    <SortTh label="Region" column="region" sort={s1.sort} onSort={s1.toggle} firstDir="asc" />
                    <SortTh label="Source" column="source" sort={s1.sort} onSort={s1.toggle} firstDir="asc" />
                    <SortTh label="Records" column="events" sort={s1.sort} onSort={s1.toggle} className="num" />
                    <SortTh label="Bytes" column="bytes" sort={s1.sort} onSort={s1.toggle} className="num" />
                    <SortTh label="Projected per month" column="projected" sort={s1.sort} onSort={s1.toggle} className="num" />
                    <SortTh label="Latest record" column="lastSeen" sort={s1.sort} onSort={s1.toggle} />
                  </tr>
                </thead>
                <tbody>
                  {s1.sorted.map((s) => (
                    <tr key={`${s.account}/${s.region}/${s.source}`}>
                      <td>
                        <EntityLink type="AwsAccount" id={s.account} noIcon />
                      </td>
                      <td>{s.region}</td>
                      <td>{sourceName(s.source)}</td>
                      <td className="num">{formatCount(s.events)}</td>
                      <td className="num">{formatBytes(s.bytes)}</td>
                      <td className="num">{formatBytes(s.projectedBytes)}</td>
                      <td>
                        <Time value={s.lastSeen} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Panel>
        </>
      )}
    </div>
  );
}
