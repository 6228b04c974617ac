// The console's shell: header with navigation and search, the scope bar,
// the investigation trail, the routed page and the footer. Pages are
// loaded lazily so that the first load carries only this shell.

import { lazy, Suspense, useEffect, useRef, type RefObject } from 'react';
import { Link, NavLink, Route, Routes, useLocation } from 'react-router-dom';
import { whenIdleBetweenAnswers } from '../api/useApi';
import { AppLinkNavigator } from '../components/AppLink';
import { GlobalSearch } from '../components/GlobalSearch';
import { Loading } from '../components/States';
import { EventsProvider } from '../events/EventsDrawer';
import { TrailBar } from '../nav/TrailBar';
import { withQuery } from '../nav/urls';
import { ScopeBar } from '../scope/ScopeBar';
import { ScopeProvider, useCarry } from '../scope/ScopeContext';
import { AnalystName } from './AnalystName';
import { DetectiveRedirect } from './DetectiveRedirect';
import { NotFoundPage } from './NotFoundPage';
import { RootRedirect } from './RootRedirect';

// Page modules: loaded on first use, and fetched in the background once
// the first page is shown, so that later pivots do not wait for them.
const pageModules = {
  summary: () => import('../pages/summary/SummaryPage'),
  findings: () => import('../pages/findings/FindingsPage'),
  finding: () => import('../pages/findings/FindingPage'),
  search: () => import('../pages/search/SearchPage'),
  entity: () => import('../pages/entity/EntityPage'),
  usage: () => import('../pages/usage/UsagePage'),
  accounts: () => import('../pages/accounts/AccountsPage'),
  compare: () => import('../pages/compare/ComparePage'),
  groups: () => import('../pages/groups/GroupsPage'),
  group: () => import('../pages/groups/GroupPage'),
  investigations: () => import('../pages/investigations/InvestigationsPage'),
  investigation: () => import('../pages/investigations/InvestigationPage'),
};

const SummaryPage = lazy(pageModules.summary);
const FindingsPage = lazy(pageModules.findings);
const FindingPage = lazy(pageModules.finding);
const SearchPage = lazy(pageModules.search);
const EntityPage = lazy(pageModules.entity);
const UsagePage = lazy(pageModules.usage);
const AccountsPage = lazy(pageModules.accounts);
const ComparePage = lazy(pageModules.compare);
const GroupsPage = lazy(pageModules.groups);
const GroupPage = lazy(pageModules.group);
const InvestigationsPage = lazy(pageModules.investigations);
const InvestigationPage = lazy(pageModules.investigation);

/**
 * Fetches the page modules of the investigation story when the browser is
 * idle after the first page. Group and investigation reports (with their
 * graph library) load when opened.
 */
function usePrefetchPages() {
  useEffect(() => {
    const run = () => {
      const m = pageModules;
      for (const load of [m.summary, m.findings, m.finding, m.search, m.entity, m.accounts, m.usage, m.compare, m.groups, m.investigations]) {
        load().catch(() => undefined);
      }
    };
    const w = window as Window & { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number };
    const t = window.setTimeout(() => (w.requestIdleCallback ? w.requestIdleCallback(run, { timeout: 3000 }) : run()), 1500);
    return () => window.clearTimeout(t);
  }, []);
}

const nav = [
  { to: '/summary', label: 'Summary' },
  { to: '/findings', label: 'Findings' },
  { to: '/search', label: 'Search' },
  { to: '/groups', label: 'Finding groups' },
  { to: '/investigations', label: 'Investigations' },
  { to: '/accounts', label: 'Accounts' },
  { to: '/usage', label: 'Usage' },
];

function Header() {
  const carry = useCarry();
  return (
    <header className="topbar">
      <Link to={withQuery('/summary', carry)} className="brand" aria-label="Trailhound summary">
        <svg width="22" height="22" viewBox="0 0 16 16" aria-hidden="true">
          <path d="M2 12.5c2-1 3-3.5 5-3.5s2.5 2 4.5 1.5S14 7 14 5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
          <circle cx="3" cy="5" r="1.2" fill="currentColor" />
          <circle cx="6.5" cy="3.5" r="1.2" fill="currentColor" />
          <circle cx="10" cy="4.5" r="1.2" fill="currentColor" />
        </svg>
        Trailhound
      </Link>
      <nav aria-label="Main" className="main-nav">
        {nav.map((n) => (
          <NavLink key={n.to} to={withQuery(n.to, carry)} className={({ isActive }) => (isActive ? 'active' : undefined)}>
            {n.label}
          </NavLink>
        ))}
      </nav>
      <GlobalSearch />
      <AnalystName />
    </header>
  );
}

/** Moves focus to the page and scrolls to the top when the path changes. */
function FocusOnNavigate({ target }: { target: RefObject<HTMLElement | null> }) {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    // Leave the focus where the analyst is typing (the search box).
    const el = document.activeElement as HTMLElement | null;
    if (el && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return;
    target.current?.focus({ preventScroll: true });
  }, [pathname, target]);
  return null;
}

/**
 * The first chart a page draws costs two to three times the next one (its
 * code runs for the first time). When the console opens on a page whose
 * first view draws one — the summary's world map, a profile's timeline —
 * the chart's code is fetched alongside the page's and run once off screen
 * while the page's answers are computed.
 */
function usePrepareFirstChart() {
  useEffect(() => {
    const path = window.location.pathname;
    if (/^\/(summary)?$/.test(path)) {
      void import('../charts/LazyWorldMap').then((m) => m.preloadWorldMap()).catch(() => undefined);
    } else if (path.startsWith('/entities/')) {
      void import('../charts/TimeBarsChart')
        .then((chart) => chart.warmUpTimeline(whenIdleBetweenAnswers))
        .catch(() => undefined);
    }
  }, []);
}

function Shell() {
  const main = useRef<HTMLElement>(null);
  usePrefetchPages();
  usePrepareFirstChart();
  return (
    <EventsProvider>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <DetectiveRedirect />
      <AppLinkNavigator />
      <FocusOnNavigate target={main} />
      <div className="sticky-top">
        <Header />
        <ScopeBar />
        <TrailBar />
      </div>
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<Loading label="Loading the page…" />}>
          <Routes>
            <Route path="/" element={<RootRedirect />} />
            <Route path="/summary" element={<SummaryPage />} />
            <Route path="/findings" element={<FindingsPage />} />
            <Route path="/findings/*" element={<FindingPage />} />
            <Route path="/search" element={<SearchPage />} />
            <Route path="/entities/:namespace" element={<EntityPage />} />
            <Route path="/entities/:namespace/*" element={<EntityPage />} />
            <Route path="/usage" element={<UsagePage />} />
            <Route path="/accounts" element={<AccountsPage />} />
            <Route path="/compare" element={<ComparePage />} />
            <Route path="/groups" element={<GroupsPage />} />
            <Route path="/groups/:id" element={<GroupPage />} />
            <Route path="/investigations" element={<InvestigationsPage />} />
            <Route path="/investigations/:id" element={<InvestigationPage />} />
            <Route path="/detective/*" element={<Loading label="Opening the Detective link…" />} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </main>
      <footer className="footer">
        <span>Trailhound</span>
        <a href="https://db-ip.com" target="_blank" rel="noopener noreferrer" data-testid="dbip-attribution">
          IP Geolocation by DB-IP
        </a>
        <a href="/api/v1/panels" target="_blank" rel="noopener noreferrer">
          JSON API
        </a>
      </footer>
    </EventsProvider>
  );
}

/** The console. */
export function App() {
  return (
    <ScopeProvider>
      <Shell />
    </ScopeProvider>
  );
}
