// The scope shared by the scope bar, the page and every link. The URL is
// the source of truth for a scope the analyst chose; when the URL names
// none, the page reports the default it used (an entity's last day of
// activity, a finding's window), and links carry that, so that the scope
// comes along on every pivot exactly as shown.

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import type { Scope } from '../api/types';
import { usePivotMode } from '../lib/prefs';
import { accountsParam } from '../nav/accountFilter';
import { scopeCarry, type Carry } from '../nav/urls';
import { hasUrlScope, readUrlScope, scopeDependentParams, type UrlScope } from './scope';

/** What a page tells the scope bar about the scope it shows. */
export interface ScopeReport {
  /** The scope the page's answers cover. */
  effective?: Scope;
  /** The baseline of those answers. */
  baseline?: Scope;
  /** The page's default scope, when the URL names none. */
  defaultScope?: Scope;
  /** Says what the default is ("the finding's window"). */
  defaultLabel?: string;
  /** Set when the page does not use the scope at all, saying why. */
  notApplicable?: string;
  /** The window of the finding this page is about, if any. */
  findingWindow?: Scope;
}

interface ScopeContextValue {
  url: UrlScope;
  report: ScopeReport;
  setReport: (path: string, r: ScopeReport) => void;
  setScope: (s: Scope | null) => void;
  carry: Carry;
}

const Ctx = createContext<ScopeContextValue | null>(null);

/** Holds the scope state for the whole console. */
export function ScopeProvider({ children }: { children: ReactNode }) {
  const location = useLocation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const url = useMemo(() => readUrlScope(params), [params]);
  const [reports, setReports] = useState<{ path: string; report: ScopeReport }>({ path: '', report: {} });
  const report = reports.path === location.pathname ? reports.report : {};

  const setReport = useCallback((path: string, r: ScopeReport) => {
    setReports((prev) => (prev.path === path && JSON.stringify(prev.report) === JSON.stringify(r) ? prev : { path, report: r }));
  }, []);

  const setScope = useCallback(
    (s: Scope | null) => {
      const next = new URLSearchParams(location.search);
      for (const k of scopeDependentParams) next.delete(k);
      if (s) {
        next.set('scopeStart', String(s.scopeStart));
        next.set('scopeEnd', String(s.scopeEnd));
      } else {
        next.delete('scopeStart');
        next.delete('scopeEnd');
      }
      const q = next.toString();
      navigate(location.pathname + (q ? '?' + q : ''));
    },
    [location.pathname, location.search, navigate],
  );

  const accounts = params.get(accountsParam) ?? '';
  const carry = useMemo<Carry>(() => {
    let c: Carry;
    if (hasUrlScope(url)) {
      c = {};
      if (url.scopeStart !== undefined) c.scopeStart = String(url.scopeStart);
      if (url.scopeEnd !== undefined) c.scopeEnd = String(url.scopeEnd);
    } else {
      c = scopeCarry(report.effective);
    }
    // The account filter comes along with the scope.
    if (accounts) c = { ...c, [accountsParam]: accounts };
    return c;
  }, [url, report.effective, accounts]);

  const value = useMemo(() => ({ url, report, setReport, setScope, carry }), [url, report, setReport, setScope, carry]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

function useScopeContext(): ScopeContextValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('scope context missing');
  return v;
}

/** The scope the URL names (possibly nothing). */
export function useUrlScope(): UrlScope {
  return useScopeContext().url;
}

/** The scope state for the scope bar. */
export function useScopeState() {
  const { url, report, setScope } = useScopeContext();
  return { url, report, setScope };
}

/**
 * Reports the page's scope to the scope bar and to links. Call it with the
 * scope of the page's answers as they arrive.
 */
export function useScopeReport(r: ScopeReport) {
  const { setReport } = useScopeContext();
  const location = useLocation();
  const key = JSON.stringify(r);
  useEffect(() => {
    setReport(location.pathname, JSON.parse(key) as ScopeReport);
  }, [key, location.pathname, setReport]);
}

/** The parameters every link carries: the scope shown now. */
export function useCarry(): Carry {
  return useScopeContext().carry;
}

/**
 * The parameters a link to a finding carries: none when findings open on
 * their own window (the default), the current scope otherwise.
 */
export function useFindingCarry(): Carry {
  const carry = useCarry();
  const mode = usePivotMode();
  if (mode === 'keep') return carry;
  return carry[accountsParam] ? { [accountsParam]: carry[accountsParam] } : {};
}
