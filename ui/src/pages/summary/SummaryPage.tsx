// The summary, the console's landing page, as Detective's Summary: newly
// observed geolocations, findings by severity, the roles, users and
// instances with the most activity, and (beyond Detective) how fresh the
// data of each account and source is.

import { Fragment, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { urls } from '../../api/client';
import type { SeverityBand, Summary, SummaryGeolocation, SummaryPrincipal } from '../../api/types';
import { useApi } from '../../api/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { LazyWorldMap, usePreloadWorldMap, type MapPoint } from '../../charts/LazyWorldMap';
import { Sparkline } from '../../charts/Sparkline';
import { EntityLink } from '../../components/EntityLink';
import { Panel } from '../../components/Panel';
import { SeverityBadge, severityColors } from '../../components/Severity';
import { SortTh, useSort, type SortAccessors } from '../../components/sort';
import { Empty, ErrorState, Loading, Truncated, Updating } from '../../components/States';
import { Time } from '../../components/Time';
import { formatAgo, formatBytes, formatCount, formatDate } from '../../lib/format';
import { useTimeZone } from '../../lib/prefs';
import { useAccountFilter } from '../../nav/accountFilter';
import { useTrailEntry } from '../../nav/trail';
import { withQuery } from '../../nav/urls';
import { ScopeCarry, useCarry, useScopeReport, useUrlScope } from '../../scope/ScopeContext';
import { scopeParams } from '../../scope/scope';
import { placeName } from '../../lib/places';
import { sourceName } from '../../lib/sources';
import { ActiveGroupsPanel } from '../groups/ActiveGroupsPanel';

function geoKey(g: SummaryGeolocation): string {
  return [g.country, g.region ?? '', g.city ?? ''].join('|');
}

function GeolocationsPanel({ summary }: { summary: Summary }) {
  const [selected, setSelected] = useState<string | undefined>();
  const [open, setOpen] = useState<Set<string>>(new Set());
  // The same points while the answer is the same: new points redraw the map.
  const points = useMemo<MapPoint[]>(
    () =>
      summary.newGeolocations
        .filter((g) => g.latitude !== undefined && g.longitude !== undefined)
        .map((g) => ({
      key: geoKey(g),
      name: placeName(g),
      countryName: g.countryName,
      latitude: g.latitude!,
      longitude: g.longitude!,
      success: g.success,
      failure: g.failure,
      isNew: true,
          detail: g.principals.map((p) => p.label || p.entity.id).slice(0, 3).join(', ') + (g.principals.length > 3 ? '…' : ''),
        })),
    [summary.newGeolocations],
  );
  const toggle = (k: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });
  return (
    <Panel
      id="new-geolocations"
      title="Newly observed geolocations"
      description="Places that API calls of any principal came from during the scope and from none during the baseline."
    >
      {summary.newGeolocations.length === 0 ? (
        <Empty>No newly observed geolocation during the scope.</Empty>
      ) : (
        <div className="geo-layout">
          <LazyWorldMap
            points={points}
            selectedKey={selected}
            onSelect={(k) => {
              setSelected(k);
              setOpen((s) => new Set(s).add(k));
              document.getElementById(`geo-${k}`)?.scrollIntoView({ block: 'nearest' });
            }}
            height={360}
            ariaLabel={`Map of ${summary.newGeolocations.length} newly observed geolocations`}
          />
          <div>
            {summary.newGeolocationsTruncated && <Truncated>More places were new than the 100 shown.</Truncated>}
            <div className="table-wrap scroll-y" style={{ maxHeight: 380 }}>
              <table className="table" data-testid="summary-geo-table">
                <thead>
                  <tr>
                    <th scope="col">Location</th>
                    <th scope="col" className="num">
                      Successful
                    </th>
                    <th scope="col" className="num">
                      Failed
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {summary.newGeolocations.map((g) => {
                    const k = geoKey(g);
                    const isOpen = open.has(k);
                    return (
                      <Fragment key={k}>
                        <tr id={`geo-${k}`} className={selected === k ? 'selected' : undefined} data-place={placeName(g)}>
                          <td className="wrap">
                            <div className="name-wrap">
                              <button
                                type="button"
                                className="expander"
                                aria-expanded={isOpen}
                                aria-label={`${isOpen ? 'Hide' : 'Show'} the principals of ${placeName(g)}`}
                                onClick={() => toggle(k)}
                              >
                                {isOpen ? '▾' : '▸'}
                              </button>
                              <div className="name-body">
                                {placeName(g)}
                                <span className="row-sub">
                                  {g.principals.length} principal{g.principals.length === 1 ? '' : 's'}
                                </span>
                              </div>
                            </div>
                          </td>
                          <td className="num">{formatCount(g.success)}</td>
                          <td className={'num' + (g.failure ? ' failure' : '')}>{formatCount(g.failure)}</td>
                        </tr>
                        {isOpen &&
                          g.principals.map((p) => (
                            <tr key={`${k}-${p.entity.type}/${p.entity.id}`} className="depth-1">
                              <td className="wrap" style={{ paddingLeft: 34 }}>
                                <EntityLink type={p.entity.type} id={p.entity.id} label={p.label} extra={{ tab: 'new-behavior' }} />
                              </td>
                              <td className="num">{formatCount(p.success)}</td>
                              <td className={'num' + (p.failure ? ' failure' : '')}>{formatCount(p.failure)}</td>
                            </tr>
                          ))}
                      </Fragment>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </div>
        </div>
      )}
    </Panel>
  );
}

const bandInfo: { key: 'high' | 'medium' | 'low'; name: string; range: string; color: string; sev: string }[] = [
  { key: 'high', name: 'High and critical', range: '7 and above', color: severityColors.high, sev: 'critical,high' },
  { key: 'medium', name: 'Medium', range: '4 to 6.9', color: severityColors.medium, sev: 'medium' },
  { key: 'low', name: 'Low', range: 'below 4', color: severityColors.low, sev: 'low' },
];

function FindingsPanel({ summary }: { summary: Summary }) {
  const carry = useCarry();
  return (
    <Panel
      id="findings"
      title="Findings by severity"
      description="The latest versions of findings observed during the scope, the most recently seen of each severity."
      actions={
        <Link to={withQuery('/findings', carry)} className="button">
          All findings
        </Link>
      }
    >
      <div className="band-grid">
        {bandInfo.map((b) => {
          const band: SeverityBand = summary.findings[b.key];
          return (
            <section key={b.key} className="band" style={{ borderTop: `3px solid ${b.color}` }} data-testid={`findings-band-${b.key}`}>
              <div className="band-head">
                <h3>
                  {b.name} <span className="muted small">({b.range})</span>
                </h3>
                <Link to={withQuery('/findings', { ...carry, sev: b.sev })} className="band-count" aria-label={`${band.count} ${b.name} findings`}>
                  {formatCount(band.count)}
                </Link>
              </div>
              {band.latest.length === 0 ? (
                <p className="muted small">None.</p>
              ) : (
                <ul>
                  {band.latest.map((f) => (
                    <li key={f.id}>
                      <SeverityBadge score={f.severity} /> <EntityLink type="Finding" id={f.id} label={f.title} noIcon />
                      <span className="row-sub">
                        {f.type} · {f.account}
                        {f.region ? ` · ${f.region}` : ''} · last seen <Time value={f.lastSeen} />
                        {f.archived ? ' · archived' : ''}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          );
        })}
      </div>
    </Panel>
  );
}

const principalAccessors: SortAccessors<SummaryPrincipal> = {
  name: (p) => p.label || p.entity.id,
  account: (p) => p.account,
  success: (p) => p.success,
  failure: (p) => p.failure,
  total: (p) => p.success + p.failure,
};

function PrincipalsPanel({ id, title, rows }: { id: string; title: string; rows: SummaryPrincipal[] }) {
  const tz = useTimeZone();
  const { sorted, sort, toggle } = useSort(rows, principalAccessors, { key: 'total', dir: 'desc' });
  const first = rows[0]?.series[0]?.start;
  const last = rows[0]?.series[rows[0].series.length - 1]?.start;
  return (
    <Panel
      id={id}
      title={title}
      description={
        first && last ? `Calls during the scope; the timeline shows the 7 days ${formatDate(first, tz)} to ${formatDate(last + 86400, tz)}.` : 'Calls during the scope.'
      }
    >
      {rows.length === 0 ? (
        <Empty>No calls during the scope.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid={`${id}-table`}>
            <thead>
              <tr>
                <SortTh label="Principal" column="name" sort={sort} onSort={toggle} firstDir="asc" />
                <SortTh label="Account" column="account" sort={sort} onSort={toggle} firstDir="asc" />
                <SortTh label="Successful" column="success" sort={sort} onSort={toggle} className="num" />
                <SortTh label="Failed" column="failure" sort={sort} onSort={toggle} className="num" />
                <th scope="col">7 days</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((p) => (
                <tr key={`${p.entity.type}/${p.entity.id}`}>
                  <td className="wrap">
                    <EntityLink type={p.entity.type} id={p.entity.id} label={p.label} />
                  </td>
                  <td>{p.account ? <EntityLink type="AwsAccount" id={p.account} noIcon /> : <span className="muted">–</span>}</td>
                  <td className="num">{formatCount(p.success)}</td>
                  <td className={'num' + (p.failure ? ' failure' : '')}>{formatCount(p.failure)}</td>
                  <td>
                    <Sparkline points={p.series} label={`Daily calls of ${p.label || p.entity.id}`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function InstancesPanel({ summary }: { summary: Summary }) {
  return (
    <Panel
      id="top-instances"
      title="EC2 instances with the most traffic volume"
      description="VPC flow bytes of the hours that start within the scope, for flow records that name their instance."
    >
      {summary.topInstances.length === 0 ? (
        <Empty>No flow records naming an instance during the scope.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="top-instances-table">
            <thead>
              <tr>
                <th scope="col">Instance</th>
                <th scope="col">Account</th>
                <th scope="col" className="num">
                  Inbound
                </th>
                <th scope="col" className="num">
                  Outbound
                </th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col" className="num">
                  Rejected
                </th>
              </tr>
            </thead>
            <tbody>
              {summary.topInstances.map((i) => (
                <tr key={i.entity.id}>
                  <td>
                    <EntityLink type={i.entity.type} id={i.entity.id} />
                  </td>
                  <td>{i.account ? <EntityLink type="AwsAccount" id={i.account} noIcon /> : <span className="muted">–</span>}</td>
                  <td className="num">{formatBytes(i.bytesIn)}</td>
                  <td className="num">{formatBytes(i.bytesOut)}</td>
                  <td className="num">
                    <strong>{formatBytes(i.total)}</strong>
                  </td>
                  <td className={'num' + (i.rejectedBytes ? ' failure' : '')}>{formatBytes(i.rejectedBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function FreshnessPanel({ summary }: { summary: Summary }) {
  const latest = Math.max(0, ...summary.freshness.map((f) => f.latestRecord));
  return (
    <Panel
      id="freshness"
      title="Data freshness"
      description="Per account and source: the records stored, the time of the latest one, and when it was ingested. A delivery that stalled shows here."
    >
      {summary.freshness.length === 0 ? (
        <Empty>No data has been ingested yet.</Empty>
      ) : (
        <div className="table-wrap scroll-y" style={{ maxHeight: 360 }}>
          <table className="table compact" data-testid="freshness-table">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Source</th>
                <th scope="col" className="num">
                  Records
                </th>
                <th scope="col">Latest record</th>
                <th scope="col">Ingested</th>
              </tr>
            </thead>
            <tbody>
              {summary.freshness.map((f) => {
                const lag = latest - f.latestRecord;
                const stale = f.source !== 'guardduty' && lag > 6 * 3600;
                return (
                  <tr key={`${f.account}/${f.source}`} data-stale={stale}>
                    <td>
                      <EntityLink type="AwsAccount" id={f.account} noIcon />
                    </td>
                    <td>{sourceName(f.source)}</td>
                    <td className="num">{formatCount(f.records)}</td>
                    <td>
                      <Time value={f.latestRecord} />
                      {stale && (
                        <span className="tag tag-new" title="More than 6 hours behind the latest record of any source">
                          {formatAgo(f.latestRecord, latest).replace(' ago', '')} behind
                        </span>
                      )}
                    </td>
                    <td>
                      <Time value={f.latestIngest} /> <span className="muted small">({formatAgo(f.latestIngest)})</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

/** The summary page. */
export default function SummaryPage() {
  const urlScope = useUrlScope();
  usePageTitle('Summary');
  useTrailEntry('Summary', 'summary');
  // The summary shows new places on a map: it is prepared while the answer is computed.
  usePreloadWorldMap(true, false);
  const { data: raw, error, loading, reload } = useApi<Summary>(urls.summary(scopeParams(urlScope)));
  const accountFilter = useAccountFilter();
  const accountKey = accountFilter.accounts.join(',');
  // The account filter narrows what names an account: a new place keeps
  // the calls of the filter's principals only. The severity counts of the
  // API cover every account.
  const data = useMemo<Summary | undefined>(() => {
    if (!raw || !accountKey) return raw;
    const only = new Set(accountKey.split(','));
    const band = (b: SeverityBand): SeverityBand => ({ count: b.count, latest: b.latest.filter((f) => only.has(f.account)) });
    return {
      ...raw,
      topRoles: raw.topRoles.filter((p) => p.account && only.has(p.account)),
      topUsers: raw.topUsers.filter((p) => p.account && only.has(p.account)),
      topInstances: raw.topInstances.filter((i) => i.account && only.has(i.account)),
      freshness: raw.freshness.filter((f) => only.has(f.account)),
      newGeolocations: raw.newGeolocations.flatMap((g) => {
        const principals = g.principals.filter((p) => p.account && only.has(p.account));
        if (principals.length === 0) return [];
        const success = principals.reduce((n, p) => n + p.success, 0);
        const failure = principals.reduce((n, p) => n + p.failure, 0);
        return [{ ...g, principals, success, failure }];
      }),
      findings: { high: band(raw.findings.high), medium: band(raw.findings.medium), low: band(raw.findings.low) },
    };
  }, [raw, accountKey]);
  useScopeReport({ effective: raw?.scope, baseline: raw?.baseline, defaultLabel: 'the last 24 hours of data' });
  // The groups of the scope: the URL's when it names both ends (asked
  // alongside the summary), else the summary's default once it is known.
  const groupsScope =
    urlScope.scopeStart !== undefined && urlScope.scopeEnd !== undefined ? { scopeStart: urlScope.scopeStart, scopeEnd: urlScope.scopeEnd } : raw?.scope;
  return (
    <ScopeCarry effective={raw?.scope}>
      <div className="page" data-testid="page-summary">
        <div className="page-head">
          <div>
            <h1 tabIndex={-1}>Summary</h1>
            <p className="muted">What happened during the scope, compared with the 45 days before it.</p>
          </div>
        </div>
        {error && <ErrorState error={error} retry={reload} what="The summary" />}
        {!data && loading && <Loading label="Loading the summary…" />}
        {data && (
          <>
            <Updating active={loading} />
            {accountKey && (
              <Truncated>
                Narrowed to the accounts of the filter (newly observed places: the calls of their principals only), except the counts of findings by
                severity, which cover every account.
              </Truncated>
            )}
            <ActiveGroupsPanel scope={groupsScope} />
            <FindingsPanel summary={data} />
            <GeolocationsPanel summary={data} />
            <div className="grid-2">
              <PrincipalsPanel id="top-roles" title="Roles with the most API call volume" rows={data.topRoles} />
              <PrincipalsPanel id="top-users" title="Users with the most API call volume" rows={data.topUsers} />
            </div>
            <InstancesPanel summary={data} />
            <FreshnessPanel summary={data} />
          </>
        )}
      </div>
    </ScopeCarry>
  );
}
