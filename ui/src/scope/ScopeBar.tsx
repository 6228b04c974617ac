// The scope bar, on every page: presets, start and end in UTC or local
// time, the baseline the scope is compared with, and whether opening a
// finding follows its window or keeps the scope.

import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { Scope } from '../api/types';
import { formatDuration, formatTime, fromInputValue, toInputValue, zoneLabel } from '../lib/format';
import { pivotModeStore, timeZoneStore, usePivotMode, useTimeZone } from '../lib/prefs';
import { loadDataEnd, useDataEnd } from './dataEnd';
import { presets, sameScope, defaultBaselineSeconds } from './scope';
import { useScopeState } from './ScopeContext';

function ScopeText({ scope, testId }: { scope: Scope; testId: string }) {
  const tz = useTimeZone();
  return (
    <span data-testid={testId} data-scope-start={scope.scopeStart} data-scope-end={scope.scopeEnd}>
      <time dateTime={new Date(scope.scopeStart * 1000).toISOString()}>{formatTime(scope.scopeStart, tz)}</time>
      {' → '}
      <time dateTime={new Date(scope.scopeEnd * 1000).toISOString()}>{formatTime(scope.scopeEnd, tz)}</time>{' '}
      <span className="muted">
        {zoneLabel(tz, scope.scopeStart)} · {formatDuration(scope.scopeEnd - scope.scopeStart)}
      </span>
    </span>
  );
}

/** The scope bar. */
export function ScopeBar() {
  const { url, report, setScope } = useScopeState();
  const tz = useTimeZone();
  const pivot = usePivotMode();
  const dataEnd = useDataEnd();
  const id = useId();
  const startRef = useRef<HTMLInputElement>(null);

  const effective: Scope | undefined =
    report.effective ?? (url.scopeStart !== undefined && url.scopeEnd !== undefined ? { scopeStart: url.scopeStart, scopeEnd: url.scopeEnd } : undefined);
  const baseline: Scope | undefined =
    report.baseline ?? (effective ? { scopeStart: effective.scopeStart - defaultBaselineSeconds, scopeEnd: effective.scopeStart } : undefined);
  const isDefault = url.scopeStart === undefined && url.scopeEnd === undefined;
  const disabled = !!report.notApplicable;

  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [custom, setCustom] = useState(false);
  const [problem, setProblem] = useState('');
  useEffect(() => {
    setStart(effective ? toInputValue(effective.scopeStart, tz) : '');
    setEnd(effective ? toInputValue(effective.scopeEnd, tz) : '');
    setProblem('');
  }, [effective?.scopeStart, effective?.scopeEnd, tz]);

  const activePreset =
    !custom && effective && dataEnd !== undefined && effective.scopeEnd === dataEnd
      ? presets.find((p) => effective.scopeEnd - effective.scopeStart === p.seconds)?.id
      : undefined;

  async function applyPreset(seconds: number) {
    setCustom(false);
    const e = await loadDataEnd();
    setScope({ scopeStart: e - seconds, scopeEnd: e });
  }

  function apply(ev: FormEvent) {
    ev.preventDefault();
    const s = fromInputValue(start, tz);
    const e = fromInputValue(end, tz);
    if (s === undefined || e === undefined) {
      setProblem('Enter the start and the end as YYYY-MM-DD HH:MM.');
      return;
    }
    if (e - s < 60) {
      setProblem('The end must be at least a minute after the start.');
      return;
    }
    setProblem('');
    setCustom(false);
    setScope({ scopeStart: s, scopeEnd: e });
  }

  return (
    <section className="scope-bar" aria-label="Scope time" data-testid="scope-bar">
      <form className="scope-row" onSubmit={apply}>
        <span className="scope-label" id={`${id}-label`}>
          Scope
        </span>
        <div className="segmented" role="group" aria-labelledby={`${id}-label`}>
          {presets.map((p) => (
            <button
              key={p.id}
              type="button"
              aria-pressed={activePreset === p.id}
              title={`${p.title} of data`}
              aria-label={`${p.title} of data`}
              data-testid={`scope-preset-${p.id}`}
              disabled={disabled}
              onClick={() => applyPreset(p.seconds)}
            >
              {p.label}
            </button>
          ))}
          <button
            type="button"
            aria-pressed={custom || (!activePreset && !!effective)}
            data-testid="scope-preset-custom"
            disabled={disabled}
            onClick={() => {
              setCustom(true);
              startRef.current?.focus();
            }}
          >
            Custom
          </button>
        </div>
        <label className="scope-input">
          <span>Start ({tz === 'utc' ? 'UTC' : 'local'})</span>
          <input
            ref={startRef}
            type="text"
            inputMode="numeric"
            spellCheck={false}
            placeholder="YYYY-MM-DD HH:MM"
            title="A time in the zone chosen at the right, an ISO 8601 time with its zone (2026-11-26T02:03:33Z), or epoch seconds"
            value={start}
            disabled={disabled}
            onChange={(e) => {
              setStart(e.target.value);
              setCustom(true);
            }}
            data-testid="scope-start"
          />
        </label>
        <span aria-hidden="true">→</span>
        <label className="scope-input">
          <span>End</span>
          <input
            type="text"
            inputMode="numeric"
            spellCheck={false}
            placeholder="YYYY-MM-DD HH:MM"
            title="A time in the zone chosen at the right, an ISO 8601 time with its zone (2026-11-26T02:03:33Z), or epoch seconds"
            value={end}
            disabled={disabled}
            onChange={(e) => {
              setEnd(e.target.value);
              setCustom(true);
            }}
            data-testid="scope-end"
          />
        </label>
        <button type="submit" className="primary" disabled={disabled} data-testid="scope-apply">
          Apply
        </button>
        <div className="segmented" role="group" aria-label="Time zone">
          <button type="button" aria-pressed={tz === 'utc'} onClick={() => timeZoneStore.set('utc')} data-testid="tz-utc">
            UTC
          </button>
          <button type="button" aria-pressed={tz === 'local'} onClick={() => timeZoneStore.set('local')} data-testid="tz-local">
            Local
          </button>
        </div>
        <label className="switch" title="When you open a finding, set the scope to the finding's first-to-last observed window (as Detective does), or keep the current scope.">
          <input
            type="checkbox"
            checked={pivot === 'follow'}
            onChange={(e) => pivotModeStore.set(e.target.checked ? 'follow' : 'keep')}
            data-testid="scope-follow"
          />
          <span>Follow finding's window</span>
        </label>
      </form>
      <div className="scope-row scope-info" aria-live="polite">
        {problem && (
          <span className="problem" role="alert">
            {problem}
          </span>
        )}
        {disabled ? (
          <span className="muted" data-testid="scope-not-applicable">
            {report.notApplicable}
          </span>
        ) : effective ? (
          <>
            <ScopeText scope={effective} testId="scope-summary" />
            {isDefault && report.defaultLabel && <span className="tag">default: {report.defaultLabel}</span>}
            {!isDefault && report.defaultScope && !sameScope(report.defaultScope, effective) && (
              <button type="button" className="link-button" onClick={() => setScope(null)} data-testid="scope-reset">
                Reset to {report.defaultLabel ?? 'default'}
              </button>
            )}
            {report.findingWindow && !sameScope(report.findingWindow, effective) && (
              <span className="notice" data-testid="scope-differs">
                The scope differs from the finding's window.{' '}
                <button type="button" className="link-button" onClick={() => setScope(report.findingWindow!)}>
                  Align to the finding
                </button>
              </span>
            )}
            {baseline && (
              <span className="baseline" title="Activity in scope is compared with this period: &quot;newly observed&quot; means absent from it.">
                Baseline <ScopeText scope={baseline} testId="scope-baseline" />
              </span>
            )}
          </>
        ) : (
          <span className="muted" data-testid="scope-summary">
            {url.scopeStart !== undefined || url.scopeEnd !== undefined ? 'Loading the scope…' : 'All data (no scope set)'}
          </span>
        )}
      </div>
    </section>
  );
}
