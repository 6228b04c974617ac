// A finding's overview, as Detective's: the finding, the entities it
// involves (filterable by type, each with a "See profile" pivot carrying
// the finding's window as scope), other findings on the same entities,
// and a side panel with the full finding as GuardDuty delivered it.

import { useMemo, useState, type ReactNode } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { getJSON, runLimited, urls } from '../../api/client';
import type { AssociatedFinding, AssociatedFindings, Finding, InvolvedEntity, Scope } from '../../api/types';
import { useApi, useLoader } from '../../api/useApi';
import { usePageTitle } from '../../app/usePageTitle';
import { CopyButton } from '../../components/CopyButton';
import { EntityIcon, TypeBadge, typeInfo } from '../../components/entityTypes';
import { EntityLink } from '../../components/EntityLink';
import { Panel } from '../../components/Panel';
import { SeverityBadge, severityLevel, severityNames } from '../../components/Severity';
import { Empty, ErrorState, Loading, Truncated } from '../../components/States';
import { Time } from '../../components/Time';
import { formatCount, formatDuration } from '../../lib/format';
import { useTrailEntry } from '../../nav/trail';
import { entityHref, parseFindingLocation, scopeCarry } from '../../nav/urls';
import { useScopeReport, useUrlScope } from '../../scope/ScopeContext';
import { resolveScope } from '../../scope/scope';
import { FindingGroups } from '../groups/FindingGroups';
import { FindingsTable } from '../entity/panels/FindingsPanel';

/**
 * Extra parameters of a pivot from a finding: instances and addresses
 * open with the finding named, so that their flow rows with its peers are
 * marked and can be narrowed to them.
 */
function pivotExtra(type: string, findingId: string): Record<string, string | undefined> {
  return type === 'Ec2Instance' || type === 'IpAddress' ? { finding: findingId } : {};
}

function InvolvedPanel({ finding, scope }: { finding: Finding; scope: Scope }) {
  const [types, setTypes] = useState<Set<string>>(new Set());
  const [text, setText] = useState('');
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const e of finding.entities) m.set(e.type, (m.get(e.type) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => typeInfo(a[0]).name.localeCompare(typeInfo(b[0]).name));
  }, [finding.entities]);
  const t = text.trim().toLowerCase();
  const shown = finding.entities.filter((e) => (types.size === 0 || types.has(e.type)) && (!t || `${e.label} ${e.id}`.toLowerCase().includes(t)));
  const carry = scopeCarry(scope);
  return (
    <Panel
      id="involved-entities"
      title="Involved entities"
      description="Every entity the finding names. Their profiles open on the finding's scope."
    >
      <div className="table-tools">
        <div className="sev-filter" role="group" aria-label="Entity types">
          {counts.map(([type, n]) => (
            <button
              key={type}
              type="button"
              className="chip toggle"
              aria-pressed={types.has(type)}
              data-entity-type={type}
              onClick={() =>
                setTypes((s) => {
                  const next = new Set(s);
                  if (next.has(type)) next.delete(type);
                  else next.add(type);
                  return next;
                })
              }
            >
              <EntityIcon type={type} size={13} /> {typeInfo(type).name} {n}
            </button>
          ))}
        </div>
        <label className="inline-field">
          <span>Find</span>
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name or id" />
        </label>
      </div>
      {shown.length === 0 ? (
        <Empty>No entity matches.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="involved-table">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Entity</th>
                <th scope="col">Identifier</th>
                <th scope="col">
                  <span className="visually-hidden">Profile</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e: InvolvedEntity) => (
                <tr key={`${e.type}/${e.id}`} data-entity-type={e.type} data-entity-id={e.id}>
                  <td>
                    <TypeBadge type={e.type} />
                  </td>
                  <td className="wrap">
                    <EntityLink type={e.type} id={e.id} label={e.label} carry={carry} extra={pivotExtra(e.type, finding.id)} />
                  </td>
                  <td className="wrap mono small">{e.id !== e.label ? e.id : ''}</td>
                  <td>
                    <Link
                      to={entityHref(e.type, e.id, carry, pivotExtra(e.type, finding.id))}
                      className="button"
                      aria-label={`See the profile of ${e.label || e.id}`}
                      data-testid="see-profile"
                    >
                      See profile
                    </Link>
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

/**
 * Other findings naming the same entities during the finding's window.
 * Accounts are left out: every finding of the account would be related.
 */
function RelatedPanel({ finding, scope }: { finding: Finding; scope: Scope }) {
  const refs = finding.entities.filter((e) => e.type !== 'AwsAccount' && e.type !== 'Finding').slice(0, 20);
  const key = `${finding.id}-${scope.scopeStart}-${scope.scopeEnd}`;
  const { data, error, loading, reload } = useLoader<{ findings: AssociatedFinding[]; failed: number }>(key, async (signal) => {
    const res = await runLimited(
      refs.map((r) => () => getJSON<AssociatedFindings>(urls.panel(r.type, r.id, 'associated-findings', scope), signal)),
      4,
    );
    const byId = new Map<string, AssociatedFinding>();
    let failed = 0;
    for (const r of res) {
      if (r.status === 'rejected') {
        failed++;
        continue;
      }
      for (const f of r.value.findings) if (f.id !== finding.id) byId.set(f.id, f);
    }
    return { findings: [...byId.values()], failed };
  });
  return (
    <Panel
      id="related-findings"
      title="Related findings"
      description="Other findings that name one of these entities (accounts aside) during the scope."
    >
      {error && <ErrorState error={error} retry={reload} />}
      {!data && loading && <Loading />}
      {data && data.failed > 0 && <Truncated>The findings of {data.failed} entities could not be read.</Truncated>}
      {data && (data.findings.length === 0 ? <Empty>No other finding names these entities during the scope.</Empty> : <FindingsTable findings={data.findings} currentScope={scope} />)}
    </Panel>
  );
}

function prettyAdditionalInfo(detail: unknown): string | undefined {
  const v = (detail as { service?: { additionalInfo?: { value?: unknown } } } | null)?.service?.additionalInfo?.value;
  if (typeof v !== 'string') return undefined;
  try {
    return JSON.stringify(JSON.parse(v), null, 2);
  } catch {
    return undefined;
  }
}

function DetailsPanel({ finding }: { finding: Finding }) {
  const json = useMemo(() => JSON.stringify(finding.detail, null, 2), [finding.detail]);
  const extra = useMemo(() => prettyAdditionalInfo(finding.detail), [finding.detail]);
  const row = (label: string, value: ReactNode) => (
    <div className="kv">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <Panel id="finding-details" title="Finding details" className="finding-side">
      <dl className="kv-grid">
        {row('Severity', <SeverityBadge score={finding.severity} />)}
        {row('Type', <span className="mono">{finding.type}</span>)}
        {row('Account', <EntityLink type="AwsAccount" id={finding.account} />)}
        {row('Region', finding.region)}
        {row('Resource type', finding.resourceType || '–')}
        {row('Action type', finding.actionType || '–')}
        {row('First observed', <Time value={finding.firstSeen} seconds />)}
        {row('Last observed', <Time value={finding.lastSeen} seconds />)}
        {row('Created', <Time value={finding.createdAt} seconds />)}
        {row('Updated', <Time value={finding.updatedAt} seconds />)}
        {row('Count', formatCount(finding.count))}
        {row('Versions received', formatCount(finding.versions))}
        {row('Archived', finding.archived ? 'Yes' : 'No')}
        {finding.arn && (
          <div className="kv wide">
            <dt>ARN</dt>
            <dd className="mono small">
              {finding.arn} <CopyButton text={finding.arn} label="ARN" />
            </dd>
          </div>
        )}
      </dl>
      {extra && (
        <details>
          <summary>Additional information (decoded)</summary>
          <pre className="json" data-testid="finding-additional-info">
            {extra}
          </pre>
        </details>
      )}
      <div className="drilldown-head">
        <h3>The finding as GuardDuty delivered it</h3>
        <CopyButton text={json} label="the finding JSON" />
      </div>
      <pre className="json" data-testid="finding-json">
        {json}
      </pre>
    </Panel>
  );
}

/** The finding overview route: /findings/<id>. */
export default function FindingPage() {
  const location = useLocation();
  const id = parseFindingLocation(location.pathname) ?? '';
  const urlScope = useUrlScope();
  const { data, error, reload } = useApi<Finding>(id ? urls.finding(id) : null);
  const finding = data && data.id === id ? data : undefined;
  const scope: Scope | undefined = finding ? resolveScope(urlScope, finding.defaultScope) : undefined;
  useScopeReport({ effective: scope, defaultScope: finding?.defaultScope, defaultLabel: "the finding's window", findingWindow: finding?.defaultScope });
  usePageTitle(finding ? finding.title : `Finding ${id}`);
  useTrailEntry(finding ? finding.title : '', 'Finding');

  if (error && !finding) {
    return (
      <div className="page">
        <h1>
          Finding <code>{id}</code>
        </h1>
        <ErrorState error={error} retry={reload} what="The finding" />
      </div>
    );
  }
  if (!finding || !scope) return <Loading label="Loading the finding…" />;
  const level = severityLevel(finding.severity);
  return (
    <div className="page" data-testid="page-finding" data-finding-id={finding.id}>
      <header className="profile-head">
        <div className="profile-title">
          <EntityIcon type="Finding" size={28} />
          <div>
            <h1 tabIndex={-1}>{finding.title}</h1>
            <div className="finding-meta">
              <SeverityBadge score={finding.severity} />
              <span className="mono small">{finding.type}</span>
              <span>
                Account <EntityLink type="AwsAccount" id={finding.account} noIcon />
              </span>
              <span>{finding.region}</span>
              <span>
                Observed <Time value={finding.firstSeen} /> → <Time value={finding.lastSeen} /> ({formatDuration(finding.lastSeen - finding.firstSeen || 1)})
              </span>
              {finding.archived && <span className="tag">archived</span>}
            </div>
          </div>
        </div>
        <span className="visually-hidden">Severity {severityNames[level]}</span>
      </header>
      {finding.description && <p className="lead">{finding.description}</p>}
      <FindingGroups id={finding.id} />
      <div className="finding-layout">
        <div className="tab-panel">
          <InvolvedPanel finding={finding} scope={scope} />
          <RelatedPanel finding={finding} scope={scope} />
        </div>
        <DetailsPanel finding={finding} />
      </div>
    </div>
  );
}
