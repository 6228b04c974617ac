// "Run investigation": starts an automated investigation of an entity and
// opens its report, which follows the run until it is done. Profiles of
// the investigable types, finding groups and the recommended list mount
// it. Without an explicit scope it investigates the scope shown.

import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../../api/client';
import type { Ref, Scope } from '../../api/types';
import { formatWindow } from '../../lib/format';
import { useTimeZone } from '../../lib/prefs';
import { accountsParam } from '../../nav/accountFilter';
import { scopeCarry, withQuery } from '../../nav/urls';
import { useCarry } from '../../scope/ScopeContext';
import { startInvestigation } from './api';
import { investigableTypes } from './types';
import './run.css';

/** The console path of an investigation's report. */
export function investigationPath(id: string): string {
  return `/investigations/${encodeURIComponent(id)}`;
}

/** Whether an entity type can be investigated. */
export function isInvestigable(type: string): boolean {
  return investigableTypes.includes(type);
}

/** A button that investigates entity over scope (or the scope shown). Renders nothing for other types. */
export function RunInvestigationButton({
  entity,
  label,
  scope,
  compact,
  text,
}: {
  entity: Ref;
  /** The entity's name, for the button's description. */
  label?: string;
  scope?: Scope;
  /** A small secondary button ("Investigate"), for tables. */
  compact?: boolean;
  /** The button's text instead of the default. */
  text?: string;
}) {
  const navigate = useNavigate();
  const carry = useCarry();
  const tz = useTimeZone();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  if (!isInvestigable(entity.type)) return null;
  const shown = carry.scopeStart && carry.scopeEnd ? { scopeStart: Number(carry.scopeStart), scopeEnd: Number(carry.scopeEnd) } : undefined;
  const s = scope ?? shown;
  const name = label || entity.id;

  async function run() {
    setBusy(true);
    setError(undefined);
    try {
      const inv = await startInvestigation(entity, s);
      navigate(withQuery(investigationPath(inv.id), { ...scopeCarry(inv.scope), [accountsParam]: carry[accountsParam] }));
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
      setBusy(false);
    }
  }

  return (
    <span className="run-investigation">
      <button
        type="button"
        className={compact ? 'small-button' : 'primary'}
        onClick={run}
        disabled={busy}
        data-testid="run-investigation"
        data-entity-type={entity.type}
        data-entity-id={entity.id}
        title={`Investigate ${name} ${s ? `over ${formatWindow(s, tz)}` : 'over its last day of activity'}: indicators of compromise mapped to MITRE ATT&CK, with a severity`}
      >
        {busy ? 'Starting…' : (text ?? (compact ? 'Investigate' : 'Run investigation'))}
      </button>
      {error && (
        <span className="problem" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
