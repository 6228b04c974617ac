// One finding group: what it holds and, beyond Detective, why. The header
// gives its severity, status, window and lineage; then the tactics chain
// in kill-chain order, the graph, each finding with the entity it shares
// with an earlier member and the time between them, the entities (and
// those ignored, with the reason), the evidence around its principals, and
// the analysts' edits: split a finding out, merge with another group, and
// the audit trail of both.

import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useParams } from 'react-router-dom';
import { useApi } from '../../api/useApi';
import type { Ref, Scope } from '../../api/types';
import { usePageTitle } from '../../app/usePageTitle';
import { CopyButton } from '../../components/CopyButton';
import { EntityLink } from '../../components/EntityLink';
import { TypeBadge } from '../../components/entityTypes';
import { Panel } from '../../components/Panel';
import { SeverityBadge } from '../../components/Severity';
import { Empty, ErrorState, Loading, Updating } from '../../components/States';
import { Time } from '../../components/Time';
import { formatCount, formatDuration, formatWindow } from '../../lib/format';
import { useAnalystName, useTimeZone } from '../../lib/prefs';
import { accountsParam } from '../../nav/accountFilter';
import { useTrailEntry } from '../../nav/trail';
import { scopeCarry } from '../../nav/urls';
import { useCarry, useScopeReport, useUrlScope } from '../../scope/ScopeContext';
import { resolveScope } from '../../scope/scope';
import { RunInvestigationButton, isInvestigable } from '../investigations/RunInvestigationButton';
import { groupUrls, mergeGroups, splitFinding } from './api';
import { GroupGraphPanel } from './GroupGraph';
import { GroupLink } from './GroupLink';
import { edgeKindText } from './graphModel';
import { TacticsChain } from './TacticsChain';
import type { Audit, EditResult, GroupDetail, GroupEntity, GroupList, GroupSummary, Member, Reason } from './types';
import './groups.css';

/** The scope an investigation from the group covers: whole hours, an hour either side of its findings. */
export function investigationScope(g: { firstSeen: number; lastSeen: number }): Scope {
  return { scopeStart: Math.floor(g.firstSeen / 3600) * 3600 - 3600, scopeEnd: Math.ceil((g.lastSeen + 1) / 3600) * 3600 + 3600 };
}

const principalOrder = ['AwsUser', 'AwsRole', 'FederatedUser', 'AwsRoleSession', 'AccessKey', 'Ec2Instance'];

/** The entities of the group an investigation can examine, principals first, most involved first. */
function investigable(entities: GroupEntity[]): GroupEntity[] {
  return entities
    .filter((e) => isInvestigable(e.type))
    .sort((a, b) => principalOrder.indexOf(a.type) - principalOrder.indexOf(b.type) || b.findings.length - a.findings.length || a.id.localeCompare(b.id));
}

function refKey(r: { type: string; id: string }): string {
  return `${r.type}/${r.id}`;
}

/** Labels of the group's entities, for references that carry none. */
function useLabels(group: GroupDetail): Map<string, string> {
  return useMemo(() => new Map(group.entities.filter((e) => e.label).map((e) => [refKey(e), e.label!])), [group.entities]);
}

/** A confirmation of an edit, in place: the edit is described, then confirmed or cancelled. */
function ConfirmBox({
  title,
  children,
  confirm,
  onConfirm,
  onCancel,
  busy,
  error,
}: {
  title: string;
  children: ReactNode;
  confirm: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy: boolean;
  error?: string;
}) {
  const ok = useRef<HTMLButtonElement>(null);
  const who = useAnalystName();
  useEffect(() => ok.current?.focus(), []);
  return (
    <div className="confirm-box" role="alertdialog" aria-label={title} data-testid="confirm-edit" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <strong>{title}</strong>
      <div>{children}</div>
      <div className="small" data-testid="confirm-edit-who">
        {who ? (
          <>
            The audit trail will record it as made by <strong>{who}</strong>.
          </>
        ) : (
          <>The audit trail will record it as made by “anonymous”: set your name with the button at the top right to sign your edits.</>
        )}
      </div>
      <div className="confirm-actions">
        <button type="button" className="primary" ref={ok} onClick={onConfirm} disabled={busy} data-testid="confirm-edit-ok">
          {busy ? 'Working…' : confirm}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        {error && (
          <span className="problem" role="alert">
            {error}
          </span>
        )}
      </div>
    </div>
  );
}

/** The reference to another member: its number in joining order, which scrolls to its row. */
function MemberRef({ id, numbers, members, onShow }: { id: string; numbers: Map<string, number>; members: Map<string, Member>; onShow: (id: string) => void }) {
  const n = numbers.get(id);
  const m = members.get(id);
  if (n === undefined) return <EntityLink type="Finding" id={id} noIcon />;
  return (
    <button type="button" className="link-button member-ref" onClick={() => onShow(id)} title={m ? `${m.title} (${m.type})` : id}>
      #{n}
    </button>
  );
}

function gapText(r: Reason): string {
  return r.gapSeconds === 0 ? 'observed at overlapping times' : `observed ${formatDuration(r.gapSeconds)} apart`;
}

/** Why a finding is in the group, in the API's structure. */
function ReasonView({
  r,
  labels,
  numbers,
  members,
  onShow,
}: {
  r: Reason;
  labels: Map<string, string>;
  numbers: Map<string, number>;
  members: Map<string, Member>;
  onShow: (id: string) => void;
}) {
  const link = (e: Ref) => <EntityLink type={e.type} id={e.id} label={labels.get(refKey(e))} />;
  switch (r.kind) {
    case 'first':
      return <span>First finding of the group.</span>;
    case 'analyst-merge':
      return (
        <span>
          Merged by <strong>{r.who || 'an analyst'}</strong>
          {r.at ? (
            <>
              {' '}
              at <Time value={r.at} />
            </>
          ) : null}
          {r.finding && (
            <>
              {' '}
              with the group of <MemberRef id={r.finding} numbers={numbers} members={members} onShow={onShow} />
            </>
          )}
          .
        </span>
      );
    case 'analyst-split':
      return (
        <span>
          Split out of its group by <strong>{r.who || 'an analyst'}</strong>
          {r.at ? (
            <>
              {' '}
              at <Time value={r.at} />
            </>
          ) : null}
          .
        </span>
      );
    case 'shared-entity':
    case 'related-entity':
      return (
        <div className="reason-body">
          <div>
            {r.kind === 'shared-entity' ? 'Shares' : 'Related through'} {r.entity ? link(r.entity) : <span className="muted">an entity</span>} with{' '}
            {r.finding ? <MemberRef id={r.finding} numbers={numbers} members={members} onShow={onShow} /> : 'an earlier finding'}
          </div>
          {r.named && r.entity && (
            <div className="reason-via">
              this finding's {link(r.named)} {edgeKindText[r.relation ?? ''] ?? r.relation} {link(r.entity)}
            </div>
          )}
          {r.viaNamed && r.entity && (
            <div className="reason-via">
              that finding's {link(r.viaNamed)} {edgeKindText[r.viaRelation ?? ''] ?? r.viaRelation} {link(r.entity)}
            </div>
          )}
          <div className="reason-gap" data-gap-seconds={r.gapSeconds}>
            {gapText(r)}
            {r.chained && (
              <span className="tag tag-chain" title="The gap is longer than the grouping window; the findings were related because their tactics follow each other in the kill chain.">
                beyond the window, in tactic order: {(r.tactics ?? []).join(' → ')}
              </span>
            )}
          </div>
        </div>
      );
    default:
      return <span>{r.text}</span>;
  }
}

function Header({ group, onInvestigate }: { group: GroupDetail; onInvestigate: ReactNode }) {
  const tz = useTimeZone();
  return (
    <header className="group-head" data-testid="group-header" data-status={group.status}>
      <div className="group-title">
        <div className="group-badges">
          <SeverityBadge score={group.severity} />
          <span className={'tag group-status ' + group.status} data-testid="group-status">
            {group.status}
          </span>
          {group.origin !== 'grouped' && <span className="tag">{group.origin === 'bridge' ? 'joined groups' : `made by ${group.origin}`}</span>}
          <span className="muted small">Finding group</span>
          <CopyButton text={group.id} label="id" />
        </div>
        <h1 tabIndex={-1}>{group.title}</h1>
        <div className="group-facts">
          <span>
            Observed <strong>{formatWindow({ scopeStart: group.firstSeen, scopeEnd: group.lastSeen }, tz)}</strong>
          </span>
          <span>
            {formatCount(group.findingCount)} finding{group.findingCount === 1 ? '' : 's'} · {formatCount(group.entityCount)} entit
            {group.entityCount === 1 ? 'y' : 'ies'} · {formatCount(group.principalCount)} principal{group.principalCount === 1 ? '' : 's'}
          </span>
          <span>
            Account{group.accounts.length === 1 ? '' : 's'}{' '}
            {group.accounts.map((a, i) => (
              <span key={a}>
                {i > 0 && ', '}
                <EntityLink type="AwsAccount" id={a} noIcon />
              </span>
            ))}
          </span>
        </div>
        <Lineage group={group} />
      </div>
      <div className="group-actions">{onInvestigate}</div>
    </header>
  );
}

const kindWords: Record<string, string> = { bridge: 'a finding joined it with other groups', merge: 'an analyst merged it', split: 'an analyst split it' };

function Lineage({ group }: { group: GroupDetail }) {
  if (!group.parents.length && !group.children.length) return null;
  return (
    <div className="group-lineage" data-testid="group-lineage">
      {group.status === 'inactive' && group.children.length > 0 && (
        <div className="lineage-row" data-testid="group-became">
          <strong>Inactive</strong>
          {group.closedAt ? (
            <>
              {' '}
              since <Time value={group.closedAt} />
            </>
          ) : null}
          , became{' '}
          {group.children.map((c, i) => (
            <span key={c.id} className="lineage-item">
              {i > 0 && ' and '}→ <GroupLink id={c.id} title={c.title} icon />
              <span className="muted small"> ({kindWords[c.kind] ?? c.kind})</span>
            </span>
          ))}
        </div>
      )}
      {group.parents.length > 0 && (
        <div className="lineage-row" data-testid="group-parents">
          Made from{' '}
          {group.parents.map((p, i) => (
            <span key={p.id} className="lineage-item">
              {i > 0 && ', '}← <GroupLink id={p.id} title={p.title} icon />
            </span>
          ))}
          <span className="muted small"> ({kindWords[group.parents[0].kind] ?? group.parents[0].kind})</span>
        </div>
      )}
    </div>
  );
}

function InvestigateControl({ group }: { group: GroupDetail }) {
  const candidates = useMemo(() => investigable(group.entities), [group.entities]);
  const [chosen, setChosen] = useState(0);
  if (!candidates.length) return <span className="muted small">No principal or instance to investigate.</span>;
  const c = candidates[Math.min(chosen, candidates.length - 1)];
  const scope = investigationScope(group);
  return (
    <div className="investigate-control" data-testid="group-investigate">
      {candidates.length > 1 && (
        <label className="inline-field">
          <span>Investigate</span>
          <select value={chosen} onChange={(e) => setChosen(Number(e.target.value))} data-testid="group-investigate-target">
            {candidates.map((e, i) => (
              <option key={refKey(e)} value={i}>
                {e.label ? `${e.label} (${e.type})` : `${e.id} (${e.type})`}
              </option>
            ))}
          </select>
        </label>
      )}
      <RunInvestigationButton
        entity={{ type: c.type, id: c.id }}
        label={c.label}
        scope={scope}
        text={candidates.length > 1 ? 'Run investigation' : `Run investigation on ${c.label || c.id}`}
      />
    </div>
  );
}

function TacticsPanel({ group }: { group: GroupDetail }) {
  const counts: Record<string, number> = {};
  for (const m of group.findings) if (m.tactic) counts[m.tactic] = (counts[m.tactic] ?? 0) + 1;
  const without = group.findings.filter((m) => !m.tactic).length;
  return (
    <Panel
      id="group-tactics"
      title="Tactics chain"
      description="The MITRE ATT&CK tactics of the group's findings in kill-chain order, with the number of findings of each; the steps not observed are faded."
    >
      <TacticsChain tactics={group.tactics} counts={counts} full />
      {without > 0 && (
        <p className="muted small">
          {without} finding{without === 1 ? '' : 's'} of a type that describes no step of an attack (a policy finding).
        </p>
      )}
    </Panel>
  );
}

function FindingsPanel({ group, onEdited }: { group: GroupDetail; onEdited: (r: EditResult, what: string) => void }) {
  const labels = useLabels(group);
  const numbers = useMemo(() => new Map(group.findings.map((m, i) => [m.id, i + 1])), [group.findings]);
  const members = useMemo(() => new Map(group.findings.map((m) => [m.id, m])), [group.findings]);
  const [highlight, setHighlight] = useState<string | undefined>();
  const [pending, setPending] = useState<Member | undefined>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const canSplit = group.status === 'active' && group.findings.length > 1;

  function show(id: string) {
    document.getElementById(`member-${id}`)?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    setHighlight(id);
    window.setTimeout(() => setHighlight((h) => (h === id ? undefined : h)), 2500);
  }

  async function split() {
    if (!pending) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const r = await splitFinding(group.id, pending.id);
      setPending(undefined);
      onEdited(r, `Finding #${numbers.get(pending.id)} was split out of the group.`);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Panel
      id="group-findings"
      title={`Findings (${formatCount(group.findings.length)})`}
      description="In the order they joined, each with why it is in the group: the entity it shares with an earlier finding (directly, or through the behavior graph) and the time between the two."
    >
      {pending && (
        <ConfirmBox
          title="Split this finding out of the group?"
          confirm="Split it out"
          onConfirm={split}
          onCancel={() => {
            setPending(undefined);
            setProblem(undefined);
          }}
          busy={busy}
          error={problem}
        >
          Finding #{numbers.get(pending.id)} <em>{pending.title}</em> will form a group of its own and the other findings a new group; this group
          becomes inactive and points at both. The edit is kept for later updates and rebuilds, and recorded in the audit trail.
        </ConfirmBox>
      )}
      <div className="table-wrap">
        <table className="table" data-testid="group-findings-table">
          <thead>
            <tr>
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Severity</th>
              <th scope="col">Finding</th>
              <th scope="col">Tactic</th>
              <th scope="col">Observed</th>
              <th scope="col">Why it is in the group</th>
              {canSplit && (
                <th scope="col">
                  <span className="visually-hidden">Edit</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {group.findings.map((m, i) => (
              <tr key={m.id} id={`member-${m.id}`} data-finding-id={m.id} className={highlight === m.id ? 'selected' : undefined}>
                <td className="num muted">{i + 1}</td>
                <td>
                  <SeverityBadge score={m.severity} />
                </td>
                <td className="wrap group-finding-cell">
                  <EntityLink type="Finding" id={m.id} label={m.title || m.type} noIcon />
                  {m.archived && <span className="tag">archived</span>}
                  <span className="row-sub mono">{m.type}</span>
                  <span className="row-sub">
                    {m.account} · {m.region}
                  </span>
                </td>
                <td>{m.tactic ? <span className="tag">{m.tactic}</span> : <span className="muted">–</span>}</td>
                <td className="small">
                  <Time value={m.firstSeen} />
                  <br />
                  <span className="muted">to</span> <Time value={m.lastSeen} />
                </td>
                <td className="wrap reason-cell" data-testid="group-reason" data-reason-kind={m.reasons.map((r) => r.kind).join(' ')}>
                  {m.reasons.map((r, j) => (
                    <div key={j} className="reason" data-reason-kind={r.kind} title={r.text}>
                      <ReasonView r={r} labels={labels} numbers={numbers} members={members} onShow={show} />
                    </div>
                  ))}
                </td>
                {canSplit && (
                  <td>
                    <button type="button" className="small-button" onClick={() => setPending(m)} data-testid="group-split">
                      Split out…
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}

function EntitiesPanel({ group }: { group: GroupDetail }) {
  const numbers = useMemo(() => new Map(group.findings.map((m, i) => [m.id, i + 1])), [group.findings]);
  const scope = investigationScope(group);
  return (
    <Panel
      id="group-entities"
      title={`Involved entities (${formatCount(group.entities.length)})`}
      description="The entities the findings name, and those that tie findings together through the behavior graph without being named. Profiles open with the group's scope."
    >
      {group.entities.length === 0 ? (
        <Empty>The findings name no entity used for grouping.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="group-entities-table">
            <thead>
              <tr>
                <th scope="col">Entity</th>
                <th scope="col">Type</th>
                <th scope="col">Findings</th>
                <th scope="col">Observed</th>
                <th scope="col">
                  <span className="visually-hidden">Investigate</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {group.entities.map((e) => (
                <tr key={refKey(e)} data-entity-type={e.type} data-entity-id={e.id}>
                  <td className="wrap">
                    <EntityLink type={e.type} id={e.id} label={e.label} />
                    {e.related && (
                      <span className="tag" title="No finding names it; the behavior graph relates it to entities the findings name.">
                        related, not named
                      </span>
                    )}
                  </td>
                  <td>
                    <TypeBadge type={e.type} />
                  </td>
                  <td className="wrap small">
                    {e.findings.length ? e.findings.map((f) => `#${numbers.get(f) ?? '?'}`).join(', ') : <span className="muted">–</span>}
                  </td>
                  <td className="small">
                    <Time value={e.firstSeen} /> → <Time value={e.lastSeen} />
                  </td>
                  <td>
                    <RunInvestigationButton entity={{ type: e.type, id: e.id }} label={e.label} scope={scope} compact />
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

function IgnoredPanel({ group }: { group: GroupDetail }) {
  const numbers = useMemo(() => new Map(group.findings.map((m, i) => [m.id, i + 1])), [group.findings]);
  return (
    <Panel
      id="group-ignored"
      title={`Ignored entities (${formatCount(group.ignored.length)})`}
      description="Entities the findings name that were not used to relate them, because they would tie unrelated incidents together."
    >
      {group.ignored.length === 0 ? (
        <Empty>Every entity the findings name was used.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table compact" data-testid="group-ignored-table">
            <thead>
              <tr>
                <th scope="col">Entity</th>
                <th scope="col">Why it was not used</th>
                <th scope="col">Findings</th>
              </tr>
            </thead>
            <tbody>
              {group.ignored.map((e) => (
                <tr key={refKey(e)}>
                  <td className="wrap">
                    <EntityLink type={e.type} id={e.id} />
                  </td>
                  <td className="wrap">{e.reason}</td>
                  <td className="wrap small">{e.findings.map((f) => `#${numbers.get(f) ?? '?'}`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function EvidencePanel({ group }: { group: GroupDetail }) {
  const tz = useTimeZone();
  const base = group.evidence[0]?.baseline;
  // Evidence covers a while before the first finding: its links open over that window.
  const current = useCarry();
  const carry = { ...scopeCarry(group.evidenceScope), ...(current[accountsParam] ? { [accountsParam]: current[accountsParam] } : {}) };
  return (
    <Panel
      id="group-evidence"
      title={`Evidence (${formatCount(group.evidence.length)})`}
      description={
        <>
          What the group's principals did during {formatWindow(group.evidenceScope, tz)} (from an hour before the first finding) that none of their calls
          did during the baseline{base ? ` (${formatWindow(base, tz)})` : ''}. Informational: new is not bad by itself.
        </>
      }
    >
      {group.evidence.length === 0 ? (
        <Empty>{group.evidenceStatus || 'Nothing new about the group’s principals during its window.'}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="group-evidence-table">
            <thead>
              <tr>
                <th scope="col">Evidence</th>
                <th scope="col">Principal</th>
                <th scope="col">Value</th>
                <th scope="col">Addresses</th>
                <th scope="col" className="num">
                  Successful
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
                <th scope="col">First observed</th>
              </tr>
            </thead>
            <tbody>
              {group.evidence.map((ev) => (
                <tr key={ev.id} data-evidence-type={ev.type}>
                  <td className="wrap">
                    {ev.title}
                    {ev.isNewForEntireAccount && !ev.type.endsWith('_ALL_ACCOUNTS') && <span className="tag tag-new">new for the account</span>}
                  </td>
                  <td className="wrap">
                    <EntityLink type={ev.entity.type} id={ev.entity.id} label={ev.label} carry={carry} />
                    {ev.principals && ev.principals.length > 1 && <span className="row-sub">and {ev.principals.length - 1} more</span>}
                  </td>
                  <td className="wrap">
                    {ev.related && ev.related.length > 0 ? (
                      ev.related.map((r) => <EntityLink key={refKey(r)} type={r.type} id={r.id} label={ev.value} carry={carry} />)
                    ) : ev.userAgent ? (
                      <EntityLink type="UserAgent" id={ev.userAgent} carry={carry} />
                    ) : (
                      <span className={ev.api ? 'mono small' : undefined}>{ev.value}</span>
                    )}
                  </td>
                  <td className="wrap">
                    {(ev.addresses ?? []).map((a) => (
                      <div key={refKey(a.entity)}>
                        <EntityLink type={a.entity.type} id={a.entity.id} carry={carry} />
                      </div>
                    ))}
                  </td>
                  <td className="num">{formatCount(ev.success)}</td>
                  <td className={'num' + (ev.failure ? ' failure' : '')}>{formatCount(ev.failure)}</td>
                  <td>
                    <Time value={ev.time} />
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

function MergeControl({ group, onEdited }: { group: GroupDetail; onEdited: (r: EditResult, what: string) => void }) {
  const { data } = useApi<GroupList>(groupUrls.list({ limit: 1000 }));
  const others = useMemo(() => {
    const mine = new Set(group.accounts);
    return (data?.groups ?? [])
      .filter((g) => g.id !== group.id)
      .sort((a, b) => Number(b.accounts.some((x) => mine.has(x))) - Number(a.accounts.some((x) => mine.has(x))) || b.severity - a.severity);
  }, [data, group.id, group.accounts]);
  const [other, setOther] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const target = others.find((g) => g.id === other);

  async function merge() {
    if (!target) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const r = await mergeGroups(group.id, target.id);
      setConfirming(false);
      setOther('');
      onEdited(r, `The group was merged with “${target.title}”.`);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="merge-control">
      <form
        className="table-tools"
        onSubmit={(e) => {
          e.preventDefault();
          if (target) setConfirming(true);
        }}
      >
        <label className="inline-field">
          <span>Merge with</span>
          <select value={other} onChange={(e) => setOther(e.target.value)} data-testid="group-merge-target" style={{ maxWidth: 520 }}>
            <option value="">Choose an active group…</option>
            {others.map((g) => (
              <option key={g.id} value={g.id}>
                {g.title} · severity {g.severity} · {g.accounts.join(', ')}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={!target} data-testid="group-merge">
          Merge…
        </button>
      </form>
      {confirming && target && (
        <ConfirmBox
          title="Merge these two groups?"
          confirm="Merge"
          onConfirm={merge}
          onCancel={() => {
            setConfirming(false);
            setProblem(undefined);
          }}
          busy={busy}
          error={problem}
        >
          The findings of this group and of <GroupLink id={target.id} title={target.title} /> will form one new group; both become inactive and point
          at it. The edit is kept for later updates and rebuilds, and recorded in the audit trail.
        </ConfirmBox>
      )}
    </div>
  );
}

function EditsPanel({ group, audit, onEdited }: { group: GroupDetail; audit: Audit | undefined; onEdited: (r: EditResult, what: string) => void }) {
  return (
    <Panel
      id="group-edits"
      title="Analyst edits"
      description="Split a finding out (from its row above) or merge this group with another. Edits are kept: later updates and rebuilds obey them."
    >
      {group.status === 'active' ? (
        <MergeControl group={group} onEdited={onEdited} />
      ) : (
        <p className="muted">This group is inactive and cannot be edited; edit the group it became.</p>
      )}
      <h3>Audit trail</h3>
      {!audit ? (
        <Loading label="Loading the audit trail…" />
      ) : audit.edits.length === 0 ? (
        <Empty>No analyst has edited this group.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table compact" data-testid="group-audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Edit</th>
                <th scope="col">Made</th>
              </tr>
            </thead>
            <tbody>
              {audit.edits.map((e) => (
                <tr key={e.seq} data-action={e.action}>
                  <td>
                    <Time value={e.at} seconds />
                  </td>
                  <td>{e.who}</td>
                  <td className="wrap">{e.text}</td>
                  <td className="wrap">
                    {e.results.map((id) => (
                      <div key={id}>{id === group.id ? <span className="muted">this group</span> : <GroupLink id={id} title={`group ${id.slice(0, 8)}`} />}</div>
                    ))}
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

function EditNotice({ notice, onClose }: { notice: { text: string; groups: GroupSummary[] }; onClose: () => void }) {
  return (
    <div className="edit-notice" role="status" data-testid="edit-notice">
      <span>{notice.text} Groups made: </span>
      {notice.groups.map((g, i) => (
        <span key={g.id}>
          {i > 0 && ', '}
          <GroupLink id={g.id} title={g.title} icon />
        </span>
      ))}
      <button type="button" className="icon-button small" aria-label="Dismiss" onClick={onClose}>
        ✕
      </button>
    </div>
  );
}

function Group({ group, reload, audit, reloadAudit, loading }: { group: GroupDetail; reload: () => void; audit?: Audit; reloadAudit: () => void; loading: boolean }) {
  const urlScope = useUrlScope();
  const scope = resolveScope(urlScope, group.scope);
  useScopeReport({ effective: scope, defaultScope: group.scope, defaultLabel: "the group's window" });
  usePageTitle(`${group.title} · Finding group`);
  useTrailEntry(group.title, 'FindingGroup');
  const [notice, setNotice] = useState<{ text: string; groups: GroupSummary[] } | undefined>();

  function edited(r: EditResult, what: string) {
    setNotice({ text: what, groups: r.groups });
    reload();
    reloadAudit();
  }

  return (
    <div className="page" data-testid="page-group" data-group-id={group.id}>
      <Updating active={loading} />
      <Header group={group} onInvestigate={<InvestigateControl group={group} />} />
      {notice && <EditNotice notice={notice} onClose={() => setNotice(undefined)} />}
      <TacticsPanel group={group} />
      <GroupGraphPanel group={group} />
      <FindingsPanel group={group} onEdited={edited} />
      <EntitiesPanel group={group} />
      <IgnoredPanel group={group} />
      <EvidencePanel group={group} />
      <EditsPanel group={group} audit={audit} onEdited={edited} />
    </div>
  );
}

/** The finding group route: /groups/<id>. */
export default function GroupPage() {
  const { id = '' } = useParams();
  const { data, error, loading, reload } = useApi<GroupDetail>(id ? groupUrls.group(id) : null);
  const audit = useApi<Audit>(id ? groupUrls.audit(id) : null);
  if (error && !data) {
    return (
      <div className="page narrow" data-testid="page-group">
        <h1 tabIndex={-1}>Finding group</h1>
        <ErrorState error={error} retry={reload} what="The finding group" />
      </div>
    );
  }
  if (!data || data.id !== id) {
    return (
      <div className="page" data-testid="page-group">
        <Loading label="Loading the finding group…" />
      </div>
    );
  }
  return <Group key={data.id} group={data} reload={reload} audit={audit.data?.group.id === data.id ? audit.data : undefined} reloadAudit={audit.reload} loading={loading} />;
}

