// An investigation's report: the overview (the entity, its scope, the
// severity and the reasons for it), the TTP mapping (tactic → technique →
// API calls with their successes, failures and source addresses), the
// indicators grouped by type with drill-downs into profiles over the
// investigation's scope, the recommended next steps, the source addresses
// and entities examined, and the notes on what could not be checked. The
// page follows a running investigation until it is done; the report
// downloads as JSON, HTML or Markdown to attach to a ticket.

import { Fragment, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useParams } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import type { Ref } from '../../api/types';
import { usePageTitle } from '../../app/usePageTitle';
import { EntityLink } from '../../components/EntityLink';
import { TypeBadge } from '../../components/entityTypes';
import { Panel } from '../../components/Panel';
import { SeverityBadge } from '../../components/Severity';
import { Empty, ErrorState, Loading } from '../../components/States';
import { Time } from '../../components/Time';
import { CopyButton } from '../../components/CopyButton';
import { formatCount, formatWindow } from '../../lib/format';
import { useTimeZone } from '../../lib/prefs';
import { accountsParam } from '../../nav/accountFilter';
import { useTrailEntry } from '../../nav/trail';
import { scopeCarry, type Carry } from '../../nav/urls';
import { useCarry, useScopeReport, useUrlScope } from '../../scope/ScopeContext';
import { hasUrlScope, resolveScope, sameScope } from '../../scope/scope';
import { GroupLink } from '../groups/GroupLink';
import { TacticsChain, attackUrl, tacticRank } from '../groups/TacticsChain';
import { investigationUrls, pollMillis, reportFormats, setInvestigationState } from './api';
import { InvestigationSeverityBadge, StateBadge, StatusBadge, severityRank } from './InvestigationSeverity';
import { RunInvestigationButton } from './RunInvestigationButton';
import { indicatorTitles, indicatorTypes, type Indicator, type Investigation, type Location } from './types';
import '../groups/groups.css';
import './investigations.css';

/** A place in words, from the most to the least precise part. */
function placeText(l?: Location): string {
  if (!l) return '';
  return [l.city, l.region, l.countryName ?? l.country].filter(Boolean).join(', ');
}

/** Renders entity references as links that open over the investigation's scope. */
type LinkFn = (r: Ref, label?: string) => ReactNode;

function Counts({ i }: { i: Indicator }) {
  if (i.apiSuccessCount === undefined && i.apiFailureCount === undefined) {
    return <span className="muted">{i.count ? `${formatCount(i.count)} records` : '–'}</span>;
  }
  return (
    <span className="nowrap">
      <span className="success">{formatCount(i.apiSuccessCount ?? 0)}</span> / <span className={i.apiFailureCount ? 'failure' : 'muted'}>{formatCount(i.apiFailureCount ?? 0)}</span>
    </span>
  );
}

function Ip({ ip, link }: { ip?: string; link: LinkFn }) {
  return ip ? <>{link({ type: 'IpAddress', id: ip })}</> : <span className="muted">–</span>;
}

function NewFor({ i }: { i: Indicator }) {
  if (i.isNewForEntireAccount === undefined) return null;
  return i.isNewForEntireAccount ? <span className="tag tag-new">new for the account</span> : <span className="tag">known to the account</span>;
}

/** The columns that are particular to each indicator type. */
function typeColumns(type: string, link: LinkFn): { title: string; cell: (i: Indicator) => ReactNode; num?: boolean }[] {
  switch (type) {
    case 'TTP_OBSERVED':
      return [
        { title: 'Tactic', cell: (i) => <span className="tag">{i.tactic}</span> },
        {
          title: 'Technique',
          cell: (i) => (
            <>
              <span className="mono small">{i.techniqueId}</span> {i.technique}
              {i.procedure && <span className="row-sub">{i.procedure}</span>}
            </>
          ),
        },
        { title: 'API call', cell: (i) => (i.apiName ? <span className="mono small">{i.apiName}</span> : <span className="muted">{i.source}</span>) },
        { title: 'Successful / failed', cell: (i) => <Counts i={i} /> },
        { title: 'IP address', cell: (i) => <Ip ip={i.ipAddress} link={link} /> },
      ];
    case 'IMPOSSIBLE_TRAVEL':
      return [
        {
          title: 'From',
          cell: (i) => (
            <>
              <Ip ip={i.startingIpAddress} link={link} />
              <span className="row-sub">{placeText(i.startingLocation)}</span>
            </>
          ),
        },
        {
          title: 'To',
          cell: (i) => (
            <>
              <Ip ip={i.endingIpAddress} link={link} />
              <span className="row-sub">{placeText(i.endingLocation)}</span>
            </>
          ),
        },
        { title: 'Time between', cell: (i) => (i.hourlyTimeDelta !== undefined ? `${i.hourlyTimeDelta.toFixed(2)} h` : '–'), num: true },
        { title: 'Distance', cell: (i) => (i.distanceKm !== undefined ? `${formatCount(Math.round(i.distanceKm))} km` : '–'), num: true },
        { title: 'Speed', cell: (i) => (i.speedKmh !== undefined ? `${formatCount(Math.round(i.speedKmh))} km/h` : '–'), num: true },
      ];
    case 'FLAGGED_IP_ADDRESS':
      return [
        { title: 'IP address', cell: (i) => <Ip ip={i.ipAddress} link={link} /> },
        { title: 'Reason (threat list)', cell: (i) => i.reason },
        { title: 'List', cell: (i) => <span className="mono small">{i.listSource}</span> },
        { title: 'Successful / failed', cell: (i) => <Counts i={i} /> },
      ];
    case 'NEW_GEOLOCATION':
      return [
        {
          title: 'Location',
          cell: (i) => (
            <>
              {placeText(i.location) || <span className="muted">unknown</span>} <NewFor i={i} />
            </>
          ),
        },
        { title: 'IP address', cell: (i) => <Ip ip={i.ipAddress} link={link} /> },
        { title: 'Successful / failed', cell: (i) => <Counts i={i} /> },
      ];
    case 'NEW_ASO':
      return [
        {
          title: 'Autonomous system organization',
          cell: (i) => (
            <>
              {link({ type: 'AutonomousSystem', id: `AS${i.asn}` }, `${i.aso ?? ''} (AS${i.asn})`)} <NewFor i={i} />
            </>
          ),
        },
        { title: 'IP address', cell: (i) => <Ip ip={i.ipAddress} link={link} /> },
        { title: 'Successful / failed', cell: (i) => <Counts i={i} /> },
      ];
    case 'NEW_USER_AGENT':
      return [
        {
          title: 'User agent',
          cell: (i) => (
            <>
              {i.userAgent ? link({ type: 'UserAgent', id: i.userAgent }) : <span className="muted">–</span>} <NewFor i={i} />
            </>
          ),
        },
        { title: 'Successful / failed', cell: (i) => <Counts i={i} /> },
      ];
    case 'RELATED_FINDING':
      return [
        {
          title: 'Finding',
          cell: (i) => (
            <>
              {i.findingId ? link({ type: 'Finding', id: i.findingId }, i.title || i.findingId) : i.title}
              <span className="row-sub mono">{i.findingType}</span>
            </>
          ),
        },
        { title: 'GuardDuty severity', cell: (i) => (i.findingSeverity !== undefined ? <SeverityBadge score={i.findingSeverity} /> : '–') },
        {
          title: 'ATT&CK',
          cell: (i) =>
            i.tactic ? (
              <>
                <span className="tag">{i.tactic}</span> {i.techniqueId && <span className="mono small">{i.techniqueId}</span>} {i.technique}
              </>
            ) : (
              <span className="muted">–</span>
            ),
        },
        { title: 'IP address', cell: (i) => <Ip ip={i.ipAddress} link={link} /> },
      ];
    case 'RELATED_FINDING_GROUP':
      return [
        { title: 'Finding group', cell: (i) => (i.groupId ? <GroupLink id={i.groupId} title={i.title} icon /> : i.title) },
        { title: 'Highest finding severity', cell: (i) => (i.findingSeverity !== undefined ? <SeverityBadge score={i.findingSeverity} /> : '–') },
      ];
  }
  return [];
}

/** Links for the drill-down targets an indicator's columns do not show already. */
function Drilldowns({ i, link, shown }: { i: Indicator; link: LinkFn; shown: Set<string> }) {
  const rest = (i.entities ?? []).filter((e) => !shown.has(`${e.type}/${e.id}`) && e.type !== 'FindingGroup');
  if (!rest.length) return null;
  return (
    <div className="drilldowns">
      {rest.map((e) => (
        <span key={`${e.type}/${e.id}`}>{link(e)}</span>
      ))}
    </div>
  );
}

/** The references an indicator's own columns link to. */
function shownRefs(i: Indicator): Set<string> {
  const s = new Set<string>();
  for (const ip of [i.ipAddress, i.startingIpAddress, i.endingIpAddress]) if (ip) s.add(`IpAddress/${ip}`);
  if (i.userAgent) s.add(`UserAgent/${i.userAgent}`);
  if (i.asn) s.add(`AutonomousSystem/AS${i.asn}`);
  if (i.findingId) s.add(`Finding/${i.findingId}`);
  return s;
}

function IndicatorTable({ type, rows, link, investigated }: { type: string; rows: Indicator[]; link: LinkFn; investigated: Ref }) {
  const cols = typeColumns(type, link);
  const showPrincipal = rows.some((i) => i.principal && (i.principal.type !== investigated.type || i.principal.id !== investigated.id));
  return (
    <div className="table-wrap">
      <table className="table indicator-table" data-testid={`indicators-${type}`}>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            {cols.map((c) => (
              <th key={c.title} scope="col" className={c.num ? 'num' : undefined}>
                {c.title}
              </th>
            ))}
            {showPrincipal && <th scope="col">Principal</th>}
            <th scope="col">Observed</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((i, n) => (
            <Fragment key={n}>
              <tr data-indicator-type={i.type} data-severity={i.severity} data-tactic={i.tactic} className="indicator-row">
                <td>
                  <InvestigationSeverityBadge severity={i.severity} />
                </td>
                {cols.map((c) => (
                  <td key={c.title} className={c.num ? 'num' : 'wrap'}>
                    {c.cell(i)}
                  </td>
                ))}
                {showPrincipal && <td className="wrap">{i.principal ? link(i.principal) : <span className="muted">–</span>}</td>}
                <td className="small">
                  {i.firstSeen ? (
                    <>
                      <Time value={i.firstSeen} />
                      {i.lastSeen && i.lastSeen !== i.firstSeen ? (
                        <>
                          <br />
                          <span className="muted">to</span> <Time value={i.lastSeen} />
                        </>
                      ) : null}
                    </>
                  ) : (
                    <span className="muted">–</span>
                  )}
                </td>
              </tr>
              <tr className="indicator-reason">
                <td />
                <td colSpan={cols.length + (showPrincipal ? 2 : 1)} className="wrap">
                  <span className="muted small">{i.severityReason}</span>
                  <Drilldowns i={i} link={link} shown={shownRefs(i)} />
                </td>
              </tr>
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function IndicatorsPanel({ inv, link }: { inv: Investigation; link: LinkFn }) {
  const [showInfo, setShowInfo] = useState(false);
  const info = inv.indicators.filter((i) => i.severity === 'INFORMATIONAL').length;
  const byType = useMemo(() => {
    const m = new Map<string, Indicator[]>();
    for (const i of inv.indicators) {
      if (!showInfo && i.severity === 'INFORMATIONAL') continue;
      const l = m.get(i.type) ?? [];
      l.push(i);
      m.set(i.type, l);
    }
    for (const l of m.values()) l.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
    return m;
  }, [inv.indicators, showInfo]);
  const types = [...indicatorTypes.filter((t) => byType.has(t)), ...[...byType.keys()].filter((t) => !(indicatorTypes as readonly string[]).includes(t))];
  return (
    <Panel
      id="investigation-indicators"
      title={`Indicators (${formatCount(inv.indicators.length)})`}
      description="Indicators of compromise by type, each with its severity and why; addresses, user agents, networks and findings open over the investigation's scope."
      actions={
        info > 0 ? (
          <label className="check">
            <input type="checkbox" checked={showInfo} onChange={(e) => setShowInfo(e.target.checked)} data-testid="show-informational" />
            Show {formatCount(info)} informational (routine)
          </label>
        ) : undefined
      }
    >
      {inv.indicators.length === 0 ? (
        <Empty>No indicator of compromise during the scope.</Empty>
      ) : types.length === 0 ? (
        <Empty>Every indicator is informational (routine activity); show them with the switch above.</Empty>
      ) : (
        types.map((t) => (
          <section key={t} className="indicator-group" id={`indicators-${t}`} data-testid="indicator-group" data-indicator-type={t}>
            <h3>
              {indicatorTitles[t] ?? t} <span className="muted small">({formatCount(byType.get(t)!.length)})</span> <code className="muted small">{t}</code>
            </h3>
            <IndicatorTable type={t} rows={byType.get(t)!} link={link} investigated={inv.entity} />
          </section>
        ))
      )}
    </Panel>
  );
}

/** The TTP mapping: tactic → technique → the calls or behaviors, with outcomes and addresses. */
function TTPPanel({ inv, link }: { inv: Investigation; link: LinkFn }) {
  const ttps = inv.indicators.filter((i) => i.type === 'TTP_OBSERVED');
  const tactics = [...inv.tactics].sort((a, b) => tacticRank(a.tactic) - tacticRank(b.tactic));
  return (
    <Panel
      id="investigation-ttps"
      title="TTP mapping"
      description="The MITRE ATT&CK tactics observed in kill-chain order, their techniques, and the API calls or behaviors behind each with their successes, failures and source addresses."
    >
      {tactics.length === 0 ? (
        <Empty>No call or behavior maps to an ATT&amp;CK technique during the scope.</Empty>
      ) : (
        <>
          <TacticsChain tactics={tactics.map((t) => ({ id: t.tacticId, name: t.tactic }))} label="Tactics observed" />
          <ol className="ttp-tree" data-testid="ttp-tree">
            {tactics.map((t) => (
              <li key={t.tacticId || t.tactic} className="ttp-tactic" data-tactic={t.tactic}>
                <div className="ttp-tactic-head">
                  <strong>{t.tactic}</strong>{' '}
                  <a href={attackUrl(t.tacticId)} target="_blank" rel="noopener noreferrer" className="mono small">
                    {t.tacticId}
                  </a>{' '}
                  <InvestigationSeverityBadge severity={t.severity} />
                </div>
                <ul className="ttp-techniques">
                  {t.techniques.map((q) => {
                    const rows = ttps
                      .filter((i) => i.tactic === t.tactic && i.techniqueId === q.techniqueId)
                      .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
                    return (
                      <li key={q.techniqueId} data-technique={q.techniqueId}>
                        <div className="ttp-technique-head">
                          <a href={attackUrl(q.techniqueId)} target="_blank" rel="noopener noreferrer" className="mono small">
                            {q.techniqueId}
                          </a>{' '}
                          {q.technique} <InvestigationSeverityBadge severity={q.severity} />
                        </div>
                        <table className="table compact ttp-calls">
                          <colgroup>
                            <col style={{ width: '44%' }} />
                            <col style={{ width: '11%' }} />
                            <col style={{ width: '11%' }} />
                            <col style={{ width: '20%' }} />
                            <col style={{ width: '14%' }} />
                          </colgroup>
                          <thead>
                            <tr>
                              <th scope="col">Call or behavior</th>
                              <th scope="col" className="num">
                                Successful
                              </th>
                              <th scope="col" className="num">
                                Failed
                              </th>
                              <th scope="col">IP address</th>
                              <th scope="col">Severity</th>
                            </tr>
                          </thead>
                          <tbody>
                            {rows.map((i, n) => (
                              <tr key={n} data-api={i.apiName ?? ''}>
                                <td className="wrap">
                                  {i.apiName ? <span className="mono small">{i.apiName}</span> : i.procedure}
                                  {i.apiName && i.procedure && <span className="row-sub">{i.procedure}</span>}
                                </td>
                                <td className="num">{i.apiSuccessCount !== undefined ? formatCount(i.apiSuccessCount) : <span className="muted">–</span>}</td>
                                <td className={'num' + (i.apiFailureCount ? ' failure' : '')}>
                                  {i.apiFailureCount !== undefined ? formatCount(i.apiFailureCount) : <span className="muted">–</span>}
                                </td>
                                <td>
                                  <Ip ip={i.ipAddress} link={link} />
                                </td>
                                <td>
                                  <InvestigationSeverityBadge severity={i.severity} />
                                </td>
                              </tr>
                            ))}
                            {rows.length === 0 &&
                              q.procedures.map((p) => (
                                <tr key={p}>
                                  <td className="wrap mono small" colSpan={5}>
                                    {p}
                                  </td>
                                </tr>
                              ))}
                          </tbody>
                        </table>
                      </li>
                    );
                  })}
                </ul>
              </li>
            ))}
          </ol>
        </>
      )}
    </Panel>
  );
}

function OverviewPanel({ inv }: { inv: Investigation }) {
  const counts = indicatorTypes.filter((t) => inv.indicatorCounts[t]);
  return (
    <Panel id="investigation-overview" title="Overview">
      <div className="inv-overview">
        <div className="inv-severity" data-testid="investigation-severity" data-severity={inv.severity}>
          <span className="muted small">Severity</span>
          <InvestigationSeverityBadge severity={inv.severity} />
        </div>
        <div className="inv-summary">
          {inv.summary && <p className="lead">{inv.summary}</p>}
          {inv.severityReasons.length > 0 && (
            <>
              <h3>Why this severity</h3>
              <ol className="severity-reasons" data-testid="severity-reasons">
                {inv.severityReasons.map((r, i) => (
                  <li key={i}>{r}</li>
                ))}
              </ol>
            </>
          )}
          {counts.length > 0 && (
            <ul className="chips" aria-label="Indicators by type">
              {counts.map((t) => (
                <li key={t} className="chip" data-indicator-type={t}>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => document.getElementById(`indicators-${t}`)?.scrollIntoView({ block: 'start', behavior: 'smooth' })}
                  >
                    {indicatorTitles[t] ?? t}
                  </button>{' '}
                  <strong>{formatCount(inv.indicatorCounts[t])}</strong>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </Panel>
  );
}

function NextStepsPanel({ inv }: { inv: Investigation }) {
  return (
    <Panel id="investigation-next-steps" title="Recommended next steps" description="Most urgent first.">
      {inv.nextSteps.length === 0 ? (
        <Empty>Nothing to do: no indicator calls for action.</Empty>
      ) : (
        <ol className="next-steps" data-testid="next-steps">
          {inv.nextSteps.map((s, i) => (
            <li key={i}>{s}</li>
          ))}
        </ol>
      )}
    </Panel>
  );
}

const familiarityText: Record<string, string> = {
  known: 'known: the principal used it during the baseline',
  account: 'known to the account: another principal used it',
  new: 'new, but nothing else about it is',
  unfamiliar: 'unfamiliar',
  internal: 'internal (private address)',
  service: 'an AWS service on the principal’s behalf',
};

function AddressesPanel({ inv, link }: { inv: Investigation; link: LinkFn }) {
  return (
    <Panel id="investigation-addresses" title={`Source addresses (${formatCount(inv.addresses.length)})`} description="Where the calls came from, most calls first, and what the baseline knew of each.">
      {inv.addresses.length === 0 ? (
        <Empty>No call during the scope.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="investigation-addresses-table">
            <thead>
              <tr>
                <th scope="col">IP address</th>
                <th scope="col">Location</th>
                <th scope="col">Network</th>
                <th scope="col" className="num">
                  Successful
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
                <th scope="col">Familiarity</th>
              </tr>
            </thead>
            <tbody>
              {inv.addresses.map((a) => (
                <tr key={a.ip} data-familiarity={a.familiarity}>
                  <td>{link({ type: 'IpAddress', id: a.ip })}</td>
                  <td className="wrap">{placeText(a.location) || <span className="muted">unknown</span>}</td>
                  <td className="wrap">{a.asn ? link({ type: 'AutonomousSystem', id: `AS${a.asn}` }, `${a.aso ?? ''} (AS${a.asn})`) : <span className="muted">–</span>}</td>
                  <td className="num">{formatCount(a.success)}</td>
                  <td className={'num' + (a.failure ? ' failure' : '')}>{formatCount(a.failure)}</td>
                  <td className="wrap">
                    <span className={'tag' + (a.familiarity === 'unfamiliar' ? ' tag-new' : '')}>{familiarityText[a.familiarity] ?? a.familiarity}</span>
                    {a.flagged && (
                      <span className="tag tag-reject" title={a.flagged.source}>
                        flagged: {a.flagged.reason}
                      </span>
                    )}
                    {a.why && a.why.length > 0 && (
                      <ul className="plain-list small muted">
                        {a.why.map((w, i) => (
                          <li key={i}>{w}</li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="attribution">
        <a href="https://db-ip.com" target="_blank" rel="noopener noreferrer">
          IP Geolocation by DB-IP
        </a>
      </p>
    </Panel>
  );
}

function InvolvedPanel({ inv, link }: { inv: Investigation; link: LinkFn }) {
  return (
    <Panel id="investigation-involved" title="Entities examined" description="The entity and those whose activity counted as its own: the role sessions it started, the access keys used.">
      {inv.involved.length === 0 ? (
        <Empty>No activity of the entity during the scope.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table compact" data-testid="investigation-involved-table">
            <thead>
              <tr>
                <th scope="col">Entity</th>
                <th scope="col">How</th>
                <th scope="col">Account</th>
                <th scope="col" className="num">
                  Calls
                </th>
              </tr>
            </thead>
            <tbody>
              {inv.involved.map((e) => (
                <tr key={`${e.entity.type}/${e.entity.id}`}>
                  <td className="wrap">{link(e.entity, e.label)}</td>
                  <td>{e.role}</td>
                  <td>{e.account ?? <span className="muted">–</span>}</td>
                  <td className="num">{formatCount(e.calls)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function Downloads({ inv }: { inv: Investigation }) {
  return (
    <div className="downloads" role="group" aria-label="Download the report">
      <span className="muted small">Report</span>
      {reportFormats.map((f) => (
        <a
          key={f.id}
          className="button"
          href={investigationUrls.report(inv.id, f.id)}
          download
          data-testid={`report-${f.id}`}
          title={`Download the report as ${f.label}`}
        >
          ⤓ {f.label}
        </a>
      ))}
    </div>
  );
}

function Report({ inv, reload, loading }: { inv: Investigation; reload: () => void; loading: boolean }) {
  const tz = useTimeZone();
  const urlScope = useUrlScope();
  const carryNow = useCarry();
  const name = inv.label || inv.entity.id;
  usePageTitle(`Investigation of ${name}`);
  useTrailEntry(`Investigation of ${name}`, 'investigations');
  const shown = resolveScope(urlScope, inv.scope);
  useScopeReport({ effective: shown, baseline: sameScope(shown, inv.scope) ? inv.baseline : undefined, defaultScope: inv.scope, defaultLabel: "the investigation's scope" });
  const carry: Carry = { ...scopeCarry(inv.scope), ...(carryNow[accountsParam] ? { [accountsParam]: carryNow[accountsParam] } : {}) };
  const link: LinkFn = (r, label) => <EntityLink type={r.type} id={r.id} label={label} carry={r.type === 'Finding' ? undefined : carry} />;
  const [archiving, setArchiving] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();

  async function toggleState() {
    setArchiving(true);
    setProblem(undefined);
    try {
      await setInvestigationState(inv.id, inv.state === 'ARCHIVED' ? 'ACTIVE' : 'ARCHIVED');
      reload();
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    } finally {
      setArchiving(false);
    }
  }

  return (
    <div className="page" data-testid="page-investigation" data-investigation-id={inv.id} data-status={inv.status} data-state={inv.state}>
      <header className="inv-head" data-testid="investigation-header">
        <div className="inv-title">
          <div className="group-badges">
            <span className="muted small">Investigation</span>
            <StatusBadge status={inv.status} error={inv.error} />
            <StateBadge state={inv.state} />
            {loading && inv.status !== 'RUNNING' && <span className="muted small">updating…</span>}
          </div>
          <h1 tabIndex={-1}>Investigation of {name}</h1>
          <div className="group-facts">
            <span>
              <TypeBadge type={inv.entity.type} /> {link(inv.entity, inv.label)} <CopyButton text={inv.entity.id} label="id" />
            </span>
            {inv.account && (
              <span>
                Account <EntityLink type="AwsAccount" id={inv.account} noIcon carry={carry} />
              </span>
            )}
          </div>
          {inv.arn && <div className="mono small muted">{inv.arn}</div>}
          <div className="group-facts small">
            <span data-testid="investigation-scope">
              Scope <strong>{formatWindow(inv.scope, tz)}</strong>
            </span>
            <span className="muted">baseline {formatWindow(inv.baseline, tz)}</span>
            <span className="muted">
              started <Time value={inv.createdAt} />
            </span>
          </div>
        </div>
        <div className="inv-actions">
          {inv.status === 'SUCCESSFUL' && <Downloads inv={inv} />}
          {inv.status !== 'RUNNING' && (
            <button type="button" onClick={toggleState} disabled={archiving} data-testid="investigation-archive">
              {archiving ? 'Saving…' : inv.state === 'ARCHIVED' ? 'Unarchive' : 'Archive'}
            </button>
          )}
          {problem && (
            <span className="problem" role="alert">
              {problem}
            </span>
          )}
        </div>
      </header>
      {hasUrlScope(urlScope) && !sameScope(shown, inv.scope) && (
        <div className="notice scope-notice" data-testid="investigation-scope-differs">
          This investigation covers {formatWindow(inv.scope, tz)}; the scope bar shows {formatWindow(shown, tz)}.{' '}
          <RunInvestigationButton entity={inv.entity} label={inv.label} scope={shown} compact text="Investigate the scope shown" />
        </div>
      )}
      {inv.status === 'RUNNING' && (
        <div className="panel">
          <div className="panel-body">
            <Loading label="The investigation is running: examining the calls of the scope against the 45 days before it…" />
          </div>
        </div>
      )}
      {inv.status === 'FAILED' && (
        <div className="state state-error" role="alert" data-testid="investigation-failed">
          <strong>The investigation failed</strong>
          <span className="error-message">{inv.error || 'No reason was recorded.'}</span>
          <RunInvestigationButton entity={inv.entity} label={inv.label} scope={inv.scope} compact text="Run it again" />
        </div>
      )}
      {inv.status === 'SUCCESSFUL' && (
        <>
          <OverviewPanel inv={inv} />
          <TTPPanel inv={inv} link={link} />
          <IndicatorsPanel inv={inv} link={link} />
          <NextStepsPanel inv={inv} />
          <AddressesPanel inv={inv} link={link} />
          <InvolvedPanel inv={inv} link={link} />
          {inv.notes.length > 0 && (
            <Panel id="investigation-notes" title="Notes" description="What could not be checked, and why.">
              <ul className="notes">
                {inv.notes.map((n, i) => (
                  <li key={i}>{n}</li>
                ))}
              </ul>
            </Panel>
          )}
        </>
      )}
    </div>
  );
}

/** The investigation route: /investigations/<id>. */
export default function InvestigationPage() {
  const { id = '' } = useParams();
  const { data, error, loading, reload } = useApi<Investigation>(id ? investigationUrls.investigation(id) : null);
  const running = data?.id === id && data.status === 'RUNNING';
  // A running investigation is asked about again until it is done.
  useEffect(() => {
    if (!running) return;
    const t = window.setTimeout(reload, pollMillis);
    return () => window.clearTimeout(t);
  }, [running, data, reload]);
  if (error && !(data && data.id === id)) {
    return (
      <div className="page narrow" data-testid="page-investigation">
        <h1 tabIndex={-1}>Investigation</h1>
        <ErrorState error={error} retry={reload} what="The investigation" />
      </div>
    );
  }
  if (!data || data.id !== id) {
    return (
      <div className="page" data-testid="page-investigation">
        <Loading label="Loading the investigation…" />
      </div>
    );
  }
  return <Report key={data.id} inv={data} reload={reload} loading={loading} />;
}
