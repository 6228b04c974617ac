// The scope shared by the scope bar, the page and every link. The URL is
// the source of truth for a scope the analyst chose; when the URL names
// none, the page reports the default it used (an entity's last day of
// activity, a finding's window), and links carry that, so that the scope
// comes along on every pivot exactly as shown.

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import type { Scope } from '../api/types';
import { afterNextPaint } from '../api/useApi';
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
  /** The account filter's parameter value. */
  accounts: string;
  report: ScopeReport;
  setReport: (path: string, r: ScopeReport) => void;
  setScope: (s: Scope | null) => void;
  carry: Carry;
}

// The state in parts, so that a component subscribes only to what it
// reads: a page's report (which changes as its answers arrive) renders the
// scope bar again, not the page nor its links.
const Ctx = createContext<ScopeContextValue | null>(null);
const UrlCtx = createContext<{ url: UrlScope; accounts: string } | null>(null);
const ActionsCtx = createContext<Pick<ScopeContextValue, 'setReport' | 'setScope'> | null>(null);
/** What links carry (to profiles, to findings): links render again only when it changes. */
const CarryCtx = createContext<{ scope: Carry; finding: Carry }>({ scope: {}, finding: {} });

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
  const carry = useStableCarry(carryOf(url, report.effective, accounts));
  const links = useLinkCarry(carry);

  const value = useMemo(() => ({ url, accounts, report, setReport, setScope, carry }), [url, accounts, report, setReport, setScope, carry]);
  const urlValue = useMemo(() => ({ url, accounts }), [url, accounts]);
  const actions = useMemo(() => ({ setReport, setScope }), [setReport, setScope]);
  return (
    <Ctx.Provider value={value}>
      <UrlCtx.Provider value={urlValue}>
        <ActionsCtx.Provider value={actions}>
          <CarryCtx.Provider value={links}>{children}</CarryCtx.Provider>
        </ActionsCtx.Provider>
      </UrlCtx.Provider>
    </Ctx.Provider>
  );
}

/**
 * What links carry: the URL's scope when it names one, else the scope the
 * page shows (effective); the account filter comes along with it.
 */
function carryOf(url: UrlScope, effective: Scope | undefined, accounts: string): Carry {
  let c: Carry;
  if (hasUrlScope(url)) {
    c = {};
    if (url.scopeStart !== undefined) c.scopeStart = String(url.scopeStart);
    if (url.scopeEnd !== undefined) c.scopeEnd = String(url.scopeEnd);
  } else {
    c = scopeCarry(effective);
  }
  if (accounts) c = { ...c, [accountsParam]: accounts };
  return c;
}

/** The same object while the parameters are the same, so that links do not render again for nothing. */
function useStableCarry(c: Carry): Carry {
  const key = JSON.stringify(c);
  return useMemo(() => c, [key]);
}

/**
 * The carries of links to profiles and to findings: a finding opens on its
 * own window (the default) and takes only the account filter, or keeps the
 * scope. Read once here rather than by every link.
 */
function useLinkCarry(carry: Carry): { scope: Carry; finding: Carry } {
  const mode = usePivotMode();
  return useMemo(() => {
    const accounts = carry[accountsParam];
    const finding = mode === 'keep' ? carry : accounts ? { [accountsParam]: accounts } : {};
    return { scope: carry, finding };
  }, [carry, mode]);
}

/**
 * Gives the links below it the carry of the scope the page shows
 * (effective) in the same render as the answer that names it. Without it
 * they would learn it only once the page's report has reached the scope
 * bar, one render later, and every link of the page would render twice.
 */
export function ScopeCarry({ effective, children }: { effective: Scope | undefined; children: ReactNode }) {
  const { url, accounts } = useUrlContext();
  const links = useLinkCarry(useStableCarry(carryOf(url, effective, accounts)));
  return <CarryCtx.Provider value={links}>{children}</CarryCtx.Provider>;
}

function useScopeContext(): ScopeContextValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('scope context missing');
  return v;
}

function useUrlContext() {
  const v = useContext(UrlCtx);
  if (!v) throw new Error('scope context missing');
  return v;
}

function useScopeActions() {
  const v = useContext(ActionsCtx);
  if (!v) throw new Error('scope context missing');
  return v;
}

/** The scope the URL names (possibly nothing). */
export function useUrlScope(): UrlScope {
  return useUrlContext().url;
}

/** Sets the scope (in the URL), or clears it with null. */
export function useSetScope(): (s: Scope | null) => void {
  return useScopeActions().setScope;
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
  const { setReport } = useScopeActions();
  const location = useLocation();
  const key = JSON.stringify(r);
  useEffect(() => {
    // After the frame that shows the page's answer: the scope bar follows
    // a frame later rather than delaying it (links already carry the
    // scope, ScopeCarry).
    let live = true;
    afterNextPaint(() => {
      if (live) setReport(location.pathname, JSON.parse(key) as ScopeReport);
    });
    return () => {
      live = false;
    };
  }, [key, location.pathname, setReport]);
}

/** The parameters every link carries: the scope shown now. */
export function useCarry(): Carry {
  return useContext(CarryCtx).scope;
}

/**
 * The parameters a link to a finding carries: none when findings open on
 * their own window (the default), the current scope otherwise.
 */
export function useFindingCarry(): Carry {
  return useContext(CarryCtx).finding;
}
