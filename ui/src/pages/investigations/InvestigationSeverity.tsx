// Severity and status of investigations as Detective names them
// (INFORMATIONAL to CRITICAL; RUNNING, SUCCESSFUL, FAILED), in the
// console's severity colours.

import type { InvestigationSeverity, InvestigationState, InvestigationStatus } from './types';

const levels: Record<string, string> = { CRITICAL: 'critical', HIGH: 'high', MEDIUM: 'medium', LOW: 'low', INFORMATIONAL: 'info' };

/** The rank of a severity: 1 for INFORMATIONAL to 5 for CRITICAL, 0 for none. */
export function severityRank(s: string | undefined): number {
  return ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].indexOf(s ?? '') + 1;
}

/** A severity word with its first letter capitalized: "Critical". */
export function severityWord(s: string): string {
  return s.charAt(0) + s.slice(1).toLowerCase();
}

/** An investigation or indicator severity as a coloured pill. */
export function InvestigationSeverityBadge({ severity }: { severity?: InvestigationSeverity | string }) {
  if (!severity) return <span className="muted">–</span>;
  const level = levels[severity] ?? 'info';
  return (
    <span className={`severity severity-${level}`} data-severity={severity} title={`Severity ${severity}`}>
      {severityWord(severity)}
    </span>
  );
}

/** The status of a run, with a spinner while it runs. */
export function StatusBadge({ status, error }: { status: InvestigationStatus; error?: string }) {
  return (
    <span className={`run-status run-${status.toLowerCase()}`} data-status={status} title={error ? `Failed: ${error}` : undefined}>
      {status === 'RUNNING' && <span className="spinner small" aria-hidden="true" />}
      {status === 'RUNNING' ? 'Running' : status === 'SUCCESSFUL' ? 'Successful' : 'Failed'}
    </span>
  );
}

/** The review state: active, or archived once reviewed. */
export function StateBadge({ state }: { state: InvestigationState }) {
  return (
    <span className={'tag' + (state === 'ARCHIVED' ? '' : ' tag-accept')} data-state={state}>
      {state === 'ARCHIVED' ? 'Archived' : 'Active'}
    </span>
  );
}
