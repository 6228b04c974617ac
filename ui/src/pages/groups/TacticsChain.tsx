// MITRE ATT&CK tactics as a chain in kill-chain order: the steps an
// attack went through, from the earliest to the most severe. Groups and
// investigations both show their tactics this way.

import type { Tactic } from './types';
import './tactics.css';

/** The ATT&CK Enterprise tactics in kill-chain order (internal/groups.Tactics). */
export const attackTactics: Tactic[] = [
  { id: 'TA0043', name: 'Reconnaissance' },
  { id: 'TA0042', name: 'Resource Development' },
  { id: 'TA0001', name: 'Initial Access' },
  { id: 'TA0002', name: 'Execution' },
  { id: 'TA0003', name: 'Persistence' },
  { id: 'TA0004', name: 'Privilege Escalation' },
  { id: 'TA0005', name: 'Defense Evasion' },
  { id: 'TA0006', name: 'Credential Access' },
  { id: 'TA0007', name: 'Discovery' },
  { id: 'TA0008', name: 'Lateral Movement' },
  { id: 'TA0009', name: 'Collection' },
  { id: 'TA0011', name: 'Command and Control' },
  { id: 'TA0010', name: 'Exfiltration' },
  { id: 'TA0040', name: 'Impact' },
];

/** The kill-chain position of a tactic name (unknown names last). */
export function tacticRank(name: string): number {
  const i = attackTactics.findIndex((t) => t.name.toLowerCase() === name.toLowerCase());
  return i < 0 ? attackTactics.length : i;
}

/** The ATT&CK page of a tactic or technique id (TA0040, T1496, T1078.004). */
export function attackUrl(id: string): string {
  if (/^TA\d{4}$/.test(id)) return `https://attack.mitre.org/tactics/${id}/`;
  const m = /^T(\d{4})(?:\.(\d{3}))?$/.exec(id);
  if (!m) return 'https://attack.mitre.org/';
  return m[2] ? `https://attack.mitre.org/techniques/T${m[1]}/${m[2]}/` : `https://attack.mitre.org/techniques/T${m[1]}/`;
}

/**
 * A tactics chain. With counts, each step says how many findings (or
 * indicators) it holds; with full, the whole kill chain is drawn and the
 * steps not observed are faded, so the analyst sees where in an attack the
 * group sits.
 */
export function TacticsChain({
  tactics,
  counts,
  full,
  compact,
  label = 'Tactics chain',
}: {
  tactics: Tactic[];
  counts?: Record<string, number>;
  full?: boolean;
  compact?: boolean;
  label?: string;
}) {
  if (!tactics.length && !full) return <span className="muted small">No ATT&amp;CK tactic</span>;
  const seen = new Set(tactics.map((t) => t.name));
  const steps = full ? attackTactics : [...tactics].sort((a, b) => tacticRank(a.name) - tacticRank(b.name));
  return (
    <ol className={'tactics-chain' + (compact ? ' compact' : '') + (full ? ' full' : '')} aria-label={label} data-testid="tactics-chain">
      {steps.map((t) => {
        const on = seen.has(t.name);
        return (
          <li key={t.id || t.name} className={on ? 'on' : 'off'} data-tactic={t.name} data-observed={on} title={`${t.name} (${t.id})`}>
            <span className="tactic-name">{t.name}</span>
            {!compact && on && counts && counts[t.name] !== undefined && <span className="tactic-count">{counts[t.name]}</span>}
          </li>
        );
      })}
    </ol>
  );
}
