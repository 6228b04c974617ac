// The harness of the browser tests: every test gets pages that fail it on
// a console error, an uncaught exception, a Content-Security-Policy
// violation, a JavaScript dialog or a sign of injected script; an API
// client to ask the server the same questions the console asks; the
// generator's ground truth; and helpers for the console's conventions
// (routes, scope parameters, panels, screenshots).
//
// scripts/e2e.sh sets TRAILHOUND_URL (the server) and TRAILHOUND_TRUTH
// (truth.json of the generated organization).

import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  test as base,
  expect,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
  type TestInfo,
} from '@playwright/test';

export { expect };

// ---- Ground truth (internal/synth.Truth) ----

/** One staged attack of the generated organization. */
export interface TruthScenario {
  name: string;
  title: string;
  description: string;
  account: string;
  start: string;
  end: string;
  /** "<Namespace>/<id>" references. */
  entities: string[];
  eventIds: string[];
  findingIds: string[];
  findingTypes: string[];
  flowRecords: number;
  startHere?: string;
}

/** The generator's ground truth, truth.json. */
export interface Truth {
  seed: number;
  company: string;
  start: string;
  end: string;
  accounts: { id: string; name: string; regions: string[] }[];
  scenarios: TruthScenario[];
}

let truthCache: Truth | undefined;

/** Reads the ground truth named by TRAILHOUND_TRUTH. */
export function loadTruth(): Truth {
  if (!truthCache) {
    const path = process.env.TRAILHOUND_TRUTH;
    if (!path) throw new Error('TRAILHOUND_TRUTH is not set: run the browser tests with make e2e');
    truthCache = JSON.parse(readFileSync(path, 'utf8')) as Truth;
  }
  return truthCache;
}

/** Returns the scenario of that name, failing when the data lacks it. */
export function scenario(truth: Truth, name: string): TruthScenario {
  const s = truth.scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`truth.json has no scenario ${name}: regenerate the test data (scripts/e2e.sh)`);
  return s;
}

/** A reference split into type and id (the id may hold slashes). */
export interface Ref {
  type: string;
  id: string;
}

/** Splits "<Namespace>/<id>" at the first slash. */
export function ref(s: string): Ref {
  const i = s.indexOf('/');
  return { type: s.slice(0, i), id: s.slice(i + 1) };
}

/** The scenario's entities of one type, in truth.json's order. */
export function entitiesOf(s: TruthScenario, type: string): string[] {
  return s.entities.map(ref).filter((r) => r.type === type).map((r) => r.id);
}

// ---- The hostile fixture (ui/e2e/fixtures/hostile) ----

/** What the hostile fixture holds; every string must render as text. */
export const hostile = {
  account: '123456789012',
  userId: 'AIDAHOSTILEEXAMPLE001',
  userName: '<script>window.__xss=1</script>',
  userArn: 'arn:aws:iam::123456789012:user/<script>window.__xss=1</script>',
  roleId: 'AROAHOSTILEEXAMPLE002',
  sessionName: `a"b'c`,
  sessionId: `AROAHOSTILEEXAMPLE002:a"b'c`,
  alertUserAgent: '<img src=x onerror=alert(1)>',
  // A user and a user agent named "..", which a browser would take for
  // path navigation in a URL's path however it is escaped.
  dotsUserId: 'AIDAHOSTILEEXAMPLE003',
  dotsUserAgent: '..',
  flagUserAgent: '"><svg onload=window.__xss=1>',
  ip: '198.51.100.23',
  findingId: 'e2e00000000000000000000000000001',
  findingTitle: `<img src=x onerror=alert(1)> called APIs as a"b'c`,
  scope: { scopeStart: Date.UTC(2026, 10, 4, 10) / 1000, scopeEnd: Date.UTC(2026, 10, 4, 11) / 1000 },
};

// ---- Routes and scope ----

/** A scope: [scopeStart, scopeEnd) in epoch seconds. */
export interface Scope {
  scopeStart: number;
  scopeEnd: number;
}

/** The query string of a scope, as the console and the API take it. */
export function scopeQuery(s?: Scope): string {
  return s ? `?scopeStart=${s.scopeStart}&scopeEnd=${s.scopeEnd}` : '';
}

/** The console route of an entity profile. */
export function entityPath(type: string, id: string, s?: Scope): string {
  return `/entities/${type}/${encodeURIComponent(id)}${scopeQuery(s)}`;
}

/** The console route of a finding. */
export function findingPath(id: string, s?: Scope): string {
  return `/findings/${encodeURIComponent(id)}${scopeQuery(s)}`;
}

/** Reads the scope from a console URL, if it carries one. */
export function scopeOf(url: string): Scope | undefined {
  const q = new URL(url).searchParams;
  const a = q.get('scopeStart');
  const b = q.get('scopeEnd');
  if (a === null || b === null) return undefined;
  return { scopeStart: Number(a), scopeEnd: Number(b) };
}

/** The directives of a Content-Security-Policy header, by name. */
export function cspDirectives(header: string): Map<string, string[]> {
  return new Map(
    header
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map((d) => [d[0].toLowerCase(), d.slice(1)] as const),
  );
}

/** Checks that a document response carries a strict policy for scripts. */
export function expectStrictCSP(headers: Record<string, string>): void {
  const csp = headers['content-security-policy'] ?? '';
  const d = cspDirectives(csp);
  expect(d.get('script-src') ?? d.get('default-src'), `script sources in "${csp}"`).toEqual(["'self'"]);
  expect(d.get('object-src'), `object-src in "${csp}"`).toEqual(["'none'"]);
  expect(d.get('base-uri'), `base-uri in "${csp}"`).toEqual(["'none'"]);
  expect(d.get('frame-ancestors'), `frame-ancestors in "${csp}"`).toEqual(["'none'"]);
}

/** A URL path matcher for an entity profile, with any query string. */
export function entityURL(type: string, id: string): RegExp {
  const p = `/entities/${type}/${encodeURIComponent(id)}`;
  return new RegExp(`^[^?#]*${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:[?#]|$)`);
}

/** A URL path matcher for a finding, with any query string. */
export function findingURL(id: string): RegExp {
  return new RegExp(`^[^?#]*/findings/${encodeURIComponent(id)}(?:[?#]|$)`);
}

/** Formats a count as the console shows counts (en-US grouping). */
export function n(v: number): string {
  return v.toLocaleString('en-US');
}

/** Formats a size as the console does: binary units (KB = 1024 bytes, as AWS bills). */
export function bytes(v: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let x = v;
  let i = 0;
  while (Math.abs(x) >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return i === 0 ? `${x} B` : `${x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0)} ${units[i]}`;
}

/** An epoch time as the ISO 8601 UTC instant of a <time datetime>. */
export function isoTime(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
}

// ---- Page conventions agreed with the console ----

/** The panel container of a panel id (data-testid="panel-<id>"). */
export function panel(page: Page, id: string): Locator {
  return page.getByTestId(`panel-${id}`);
}

/** The titles of the panels on the page, in order. */
export function panelHeadings(page: Page): Locator {
  return page.locator('[data-testid^="panel-"]').getByRole('heading', { level: 2 });
}

/** The page title (the one h1). */
export function title(page: Page): Locator {
  return page.getByRole('heading', { level: 1 });
}

/** The visible links to an entity's profile (with any query), anywhere in the container. */
export function entityLink(scope: Page | Locator, type: string, id: string): Locator {
  return linkTo(scope, `/entities/${type}/${encodeURIComponent(id)}`);
}

/** The visible links to a finding (with any query), anywhere in the container. */
export function findingLink(scope: Page | Locator, id: string): Locator {
  return linkTo(scope, `/findings/${encodeURIComponent(id)}`);
}

function linkTo(scope: Page | Locator, path: string): Locator {
  const p = cssString(path);
  return scope.locator(`a[href="${p}"], a[href^="${p}?"], a[href^="${p}#"]`).filter({ visible: true });
}

function cssString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/**
 * Saves a full-page screenshot of the page under
 * ui/test-results/screenshots/<name>.png and attaches it to the test's
 * report, once the page has settled (no request in flight).
 */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  const shots = join(testInfo.project.outputDir, 'screenshots');
  mkdirSync(shots, { recursive: true });
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

// ---- The API ----

/** Query parameters: an object of strings and numbers (a Scope, filters). */
export type Params = object;

/** GETs from the JSON API under /api/v1. */
export class Api {
  constructor(private readonly request: APIRequestContext) {}

  /** GETs path (under /api/v1) with query parameters and decodes the JSON. */
  async get<T>(path: string, params: Params = {}): Promise<T> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.set(k, String(v));
    const qs = q.toString();
    const res = await this.request.get(`/api/v1${path}${qs ? '?' + qs : ''}`);
    if (!res.ok()) throw new Error(`GET ${path}: ${res.status()} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** An entity's profile header. */
  entity(type: string, id: string): Promise<ApiEntity> {
    return this.get<ApiEntity>(`/entities/${type}/${encodeURIComponent(id)}`);
  }

  /** One panel of an entity's profile. */
  panel<T>(type: string, id: string, panelId: string, params: Params = {}): Promise<T> {
    return this.get<T>(`/entities/${type}/${encodeURIComponent(id)}/panels/${panelId}`, params);
  }

  /** A finding, latest version. */
  finding(id: string): Promise<ApiFinding> {
    return this.get<ApiFinding>(`/findings/${encodeURIComponent(id)}`);
  }

  /** The panel titles by id. */
  async panelTitles(): Promise<Map<string, string>> {
    const { panels } = await this.get<{ panels: { id: string; title: string }[] }>('/panels');
    return new Map(panels.map((p) => [p.id, p.title]));
  }
}

/** Counts of successful and failed calls. */
export interface Counts {
  success: number;
  failure: number;
}

export interface ApiEntity {
  type: string;
  id: string;
  label: string;
  arn?: string;
  account?: string;
  firstSeen: number;
  lastSeen: number;
  defaultScope: Scope;
  facts: { name: string; value: string; time: number; entity?: Ref }[];
  ip?: { class: string; country?: string; countryName?: string; city?: string; asn?: number; asOrg?: string };
  panels: string[];
}

export interface ApiFinding {
  id: string;
  type: string;
  title: string;
  severity: number;
  account: string;
  region: string;
  firstSeen: number;
  lastSeen: number;
  entities: { type: string; id: string; label: string }[];
  defaultScope: Scope;
}

export interface ApiVolume {
  scope: Scope;
  bucketSeconds: number;
  buckets: ({ start: number } & Counts)[];
  totals: Counts;
  baselineTotals: Counts;
}

export interface ApiActivityRow extends Counts {
  kind: 'ip' | 'api' | 'caller';
  label: string;
  entity?: Ref;
  service?: string;
  api?: string;
  children?: ApiActivityRow[];
}

export interface ApiActivity {
  totals: Counts;
  byIp: ApiActivityRow[];
  byApi: ApiActivityRow[];
  byCaller: ApiActivityRow[];
}

export interface ApiGeolocations {
  locations: ({
    country: string;
    countryName?: string;
    city?: string;
    isNewForEntireAccount: boolean;
    addresses: ({ entity: Ref } & Counts)[];
  } & Counts)[];
}

export interface ApiInteraction {
  rows: { relation: string; entity: Ref; label: string; calls: number; bytes?: number; firstSeen: number; lastSeen: number }[];
}

export interface ApiFlows {
  totals: { inbound: number; outbound: number };
  rows: { peer?: Ref; peerLabel: string; port: number; protocol: number; direction: string; action: string; bytes: number }[];
}

export interface ApiFlowDetails {
  rows: {
    key: string;
    peer: Ref;
    peerLabel: string;
    localPort: number;
    remotePort: number;
    protocol: number;
    direction: 'inbound' | 'outbound';
    inboundBytes: number;
    outboundBytes: number;
    accepted: number;
    rejected: number;
  }[];
  totalRows: number;
}

export interface ApiSearch {
  results: { type: string; id: string; label: string; account?: string; activity: number }[];
  total: number;
}

// ---- Guards ----

/**
 * Watches every page of a browser context: console errors, uncaught
 * exceptions, dialogs and CSP violations become problems, and the pages
 * carry a flag that injected script would set (window.__xss).
 */
class Guard {
  readonly problems: string[] = [];

  async watch(context: BrowserContext): Promise<void> {
    await context.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    const onPage = (page: Page) => {
      page.on('console', (msg) => {
        if (msg.type() === 'error') this.problems.push(`console error on ${page.url()}: ${msg.text()}`);
      });
      page.on('pageerror', (err) => this.problems.push(`uncaught exception on ${page.url()}: ${err.message}`));
      page.on('dialog', (d) => {
        this.problems.push(`${d.type()} dialog on ${page.url()}: ${d.message()}`);
        void d.dismiss().catch(() => {});
      });
    };
    context.pages().forEach(onPage);
    context.on('page', onPage);
  }

  /** Reads the flags of the context's open pages; call before closing it. */
  async inspect(context: BrowserContext): Promise<void> {
    for (const page of context.pages()) {
      if (page.isClosed()) continue;
      const flags = await page
        .evaluate(() => {
          const w = window as unknown as { __xss?: unknown; __csp?: string[] };
          return { xss: w.__xss, csp: w.__csp ?? [] };
        })
        .catch(() => undefined);
      if (!flags) continue;
      if (flags.xss !== undefined) this.problems.push(`injected script ran on ${page.url()}: window.__xss = ${String(flags.xss)}`);
      for (const v of flags.csp) this.problems.push(`CSP violation on ${page.url()}: ${v}`);
    }
  }
}

interface Fixtures {
  guard: Guard;
  api: Api;
  truth: Truth;
  /** Opens url in a new browser context, as a colleague given the link would. */
  openFresh: (url: string) => Promise<Page>;
}

/** The test function of every spec: Playwright's, with the guards on. */
export const test = base.extend<Fixtures>({
  guard: async ({}, use) => {
    await use(new Guard());
  },
  context: async ({ context, guard }, use) => {
    await guard.watch(context);
    await use(context);
    await guard.inspect(context);
    expect(guard.problems, 'console errors, exceptions, dialogs, CSP violations or injected script').toEqual([]);
  },
  api: async ({ request }, use) => {
    await use(new Api(request));
  },
  truth: async ({}, use) => {
    await use(loadTruth());
  },
  openFresh: async ({ browser, baseURL, guard }, use) => {
    const opened: BrowserContext[] = [];
    await use(async (url: string) => {
      const ctx = await freshContext(browser, baseURL);
      opened.push(ctx);
      await guard.watch(ctx);
      const page = await ctx.newPage();
      await page.goto(url);
      return page;
    });
    for (const ctx of opened) {
      await guard.inspect(ctx);
      await ctx.close();
    }
  },
});

function freshContext(browser: Browser, baseURL: string | undefined): Promise<BrowserContext> {
  return browser.newContext({ baseURL, viewport: { width: 1280, height: 720 }, locale: 'en-US', timezoneId: 'UTC' });
}

/**
 * Checks that the page's URL, opened in a fresh browser, shows the same
 * view: the same title, the same scope in the URL and the same panel
 * headings.
 */
export async function expectSameView(page: Page, openFresh: (url: string) => Promise<Page>): Promise<Page> {
  await page.waitForLoadState('networkidle');
  const url = page.url();
  const heading = (await title(page).innerText()).trim();
  const panels = await panelHeadings(page).allInnerTexts();
  const other = await openFresh(url);
  await expect(title(other)).toHaveText(heading);
  expect(scopeOf(other.url()), `scope of ${url} reopened`).toEqual(scopeOf(url));
  await expect(panelHeadings(other)).toHaveText(panels);
  return other;
}
