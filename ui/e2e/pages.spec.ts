// Every page type of the console, checked against the API and saved as a
// full-page screenshot (ui/test-results/screenshots/, and attached to the
// test's report): summary, findings list, finding, each entity type's
// profile, search, usage and accounts.

import {
  test,
  expect,
  entitiesOf,
  entityLink,
  entityPath,
  expectSameView,
  findingLink,
  findingPath,
  n,
  panel,
  ref,
  scenario,
  screenshot,
  title,
  type Api,
  type ApiSearch,
  type Truth,
} from './harness';
import type { Page } from '@playwright/test';
import { chartOf, newCountryFill, newPlaceColor, pixelsOfColor, profileTabs } from './views';

interface Summary {
  scope: { scopeStart: number; scopeEnd: number };
  newGeolocations: { country: string; countryName?: string; principals: { entity: { type: string; id: string } }[] }[];
  topUsers: { entity: { type: string; id: string }; label?: string; success: number; failure: number }[];
  topRoles: { entity: { type: string; id: string }; label?: string }[];
  findings: Record<'high' | 'medium' | 'low', { count: number; latest: { id: string; title: string }[] }>;
  freshness: { account: string; source: string; records: number }[];
}

interface Usage {
  totalMonthlyUSD: number;
  charges: { account: string; monthlyUSD: number }[];
  prunedBefore?: number;
}

const usd = (v: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(v);

test('summary: new places, top principals, findings by severity, freshness', async ({ page, api, truth, openFresh }, testInfo) => {
  const summary = await api.get<Summary>('/summary');
  await page.goto('/summary');
  await expect(title(page)).toHaveText('Summary');

  // Every attack from a new country shows up among the newly observed
  // places: the country the ground truth names for it is listed.
  const geo = panel(page, 'new-geolocations');
  await expect(geo.locator('tbody tr[data-place]')).toHaveCount(summary.newGeolocations.length);
  let named = 0;
  for (const s of truth.scenarios) {
    const place = summary.newGeolocations.find((g) => g.countryName && s.description.includes(`(${g.countryName}`));
    if (!place) continue;
    named++;
    await expect(geo.locator('tbody tr[data-place]').filter({ hasText: place.countryName! }).first(), `${s.name}: ${place.countryName}`).toBeVisible();
  }
  expect(named, 'scenarios whose new country the summary shows').toBeGreaterThanOrEqual(3);
  // On the map, the new places' countries are filled and their markers drawn.
  const map = chartOf(geo);
  await expect(map).toHaveAccessibleName(new RegExp(`${summary.newGeolocations.length} newly observed`));
  await expect.poll(() => pixelsOfColor(map, newCountryFill), { message: 'new countries filled on the map' }).toBeGreaterThan(10);
  await expect.poll(() => pixelsOfColor(map, newPlaceColor), { message: 'new-place markers on the map' }).toBeGreaterThan(10);
  await expect(geo.getByRole('link', { name: /DB-IP/ })).toBeVisible();

  const users = panel(page, 'top-users');
  const victim = entitiesOf(scenario(truth, 'compromised-access-key'), 'AwsUser')[0];
  expect(summary.topUsers.map((u) => u.entity.id), 'the compromised user is among the most active').toContain(victim);
  await expect(users.locator('tbody tr')).toHaveCount(summary.topUsers.length);
  for (const u of summary.topUsers) {
    const row = users.locator('tbody tr').filter({ has: entityLink(page, u.entity.type, u.entity.id) });
    await expect(row.locator('td').nth(2)).toHaveText(n(u.success));
    await expect(row.locator('td').nth(3)).toHaveText(n(u.failure));
  }
  await expect(panel(page, 'top-roles').locator('tbody tr')).toHaveCount(summary.topRoles.length);

  for (const band of ['high', 'medium', 'low'] as const) {
    const b = summary.findings[band];
    const box = page.getByTestId(`findings-band-${band}`);
    await expect(box.getByRole('link', { name: new RegExp(`^${b.count} `) })).toHaveText(n(b.count));
    for (const f of b.latest) await expect(findingLink(box, f.id).first()).toBeVisible();
  }
  const fresh = panel(page, 'freshness');
  await expect(fresh.locator('tbody tr')).toHaveCount(summary.freshness.length);
  for (const f of summary.freshness) {
    const row = fresh.locator('tbody tr').filter({ has: entityLink(page, 'AwsAccount', f.account) }).filter({ hasText: n(f.records) });
    await expect(row.first(), `freshness of ${f.account} ${f.source}`).toBeVisible();
  }
  await screenshot(page, testInfo, 'summary');
  await expectSameView(page, openFresh);
});

test('findings list: every finding, each linked to its overview', async ({ page, api, truth }, testInfo) => {
  const all = await api.get<ApiSearch>('/search', { type: 'Finding', limit: 1000 });
  const expected = new Set(truth.scenarios.flatMap((s) => s.findingIds));
  for (const id of expected) expect(all.results.map((r) => r.id)).toContain(id);
  await page.goto('/findings');
  await expect(title(page)).toContainText(/Findings/i);
  const main = page.getByRole('main');
  await expect(page.getByTestId('findings-total')).toHaveText(n(all.total));
  await expect(main.locator('tbody tr[data-finding-id]')).toHaveCount(all.total);
  for (const r of all.results) await expect(findingLink(main, r.id).first(), r.label).toBeAttached();
  await screenshot(page, testInfo, 'findings');
});

test('finding overview', async ({ page, api, truth, openFresh }, testInfo) => {
  const s = scenario(truth, 'instance-credential-exfiltration');
  const id = s.startHere!.replace(/^Finding\//, '');
  const f = await api.finding(id);
  await page.goto(findingPath(id));
  await expect(title(page)).toHaveText(f.title);
  await expect(page.getByText(f.type).first()).toBeVisible();
  const involved = panel(page, 'involved-entities');
  for (const e of f.entities) await expect(entityLink(involved, e.type, e.id).first(), `${e.type} ${e.label}`).toBeVisible();
  await screenshot(page, testInfo, 'finding');
  await expectSameView(page, openFresh);
});

/** One entity of each type, from the ground truth where it names one. */
async function samples(api: Api, truth: Truth): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const s of truth.scenarios) {
    for (const e of s.entities.map(ref)) if (e.type !== 'Finding' && !out.has(e.type)) out.set(e.type, e.id);
    if (!out.has('AwsAccount')) out.set('AwsAccount', s.account);
  }
  for (const type of ['FederatedUser', 'S3Bucket', 'AutonomousSystem', 'AwsService', 'AwsRole', 'AwsRoleSession']) {
    if (out.has(type)) continue;
    const r = await api.get<ApiSearch>('/search', { type, limit: 1 });
    if (r.results[0]) out.set(type, r.results[0].id);
  }
  return out;
}

/**
 * Visits every tab of a profile and returns the panel ids shown, checking
 * each panel's title against the API's.
 */
async function panelsOnTabs(page: Page, titles: Map<string, string>): Promise<Set<string>> {
  const seen = new Set<string>();
  const collect = async () => {
    await page.waitForLoadState('networkidle');
    for (const el of await page.locator('[data-testid^="panel-"]').filter({ visible: true }).all()) {
      const id = (await el.getAttribute('data-testid'))!.replace(/^panel-/, '');
      if (!titles.has(id)) continue;
      seen.add(id);
      await expect(el.getByRole('heading', { level: 2 }).first(), `title of panel ${id}`).toHaveText(titles.get(id)!);
    }
  };
  const tabs = profileTabs(page).getByRole('tab');
  const count = await tabs.count();
  if (count === 0) await collect();
  for (let i = 0; i < count; i++) {
    await tabs.nth(i).click();
    await collect();
  }
  return seen;
}

test('entity profiles of every type show their panels', async ({ page, api, truth }, testInfo) => {
  test.setTimeout(300_000);
  const titles = await api.panelTitles();
  const picks = await samples(api, truth);
  for (const [type, id] of picks) {
    await test.step(`${type} ${id}`, async () => {
      const e = await api.entity(type, id);
      await page.goto(entityPath(type, id));
      await expect(title(page)).toContainText(e.label);
      await screenshot(page, testInfo, `profile-${type}`);
      const shown = await panelsOnTabs(page, titles);
      expect.soft([...shown].sort(), `panels of ${type} on its profile`).toEqual([...e.panels].sort());
    });
  }
});

test('search: one box across types, a CIDR block, and browsing a type', async ({ page, api, truth }, testInfo) => {
  const s = scenario(truth, 'compromised-access-key');
  const ip = entitiesOf(s, 'IpAddress')[0];
  const net = ip.split('.').slice(0, 3).join('.') + '.0/24';
  const found = await api.get<ApiSearch>('/search', { q: net });
  expect(found.results.map((r) => r.id)).toContain(ip);

  await page.goto('/search');
  await expect(title(page)).toHaveText('Search');
  const box = page.getByRole('searchbox').first();
  await box.fill(net);
  await box.press('Enter');
  const results = panel(page, 'search-results');
  await expect(results.getByRole('heading', { level: 2 })).toHaveText(new RegExp(`^${n(found.total)} results?`));
  await expect(results.locator('tbody tr')).toHaveCount(Math.min(found.total, 50));
  await expect(entityLink(results, 'IpAddress', ip).first()).toBeVisible();
  expect(new URL(page.url()).searchParams.get('q')).toBe(net);

  // Browsing every user, most active first, with their activity.
  const users = await api.get<ApiSearch>('/search', { type: 'AwsUser', limit: 50 });
  await box.fill('');
  await box.press('Enter');
  await page.getByTestId('search-type').selectOption('AwsUser');
  await expect(results.getByRole('heading', { level: 2 })).toHaveText(new RegExp(`^${n(users.total)} results?`));
  await expect(results.locator('tbody tr')).toHaveCount(users.results.length);
  for (const u of users.results) {
    const row = results.locator(`tbody tr[data-entity-type="AwsUser"][data-entity-id="${u.id}"]`);
    await expect(row.locator('td').nth(3), u.label).toHaveText(n(u.activity));
  }
  await screenshot(page, testInfo, 'search');
});

test('usage: volume and the Detective price it would cost', async ({ page, api }, testInfo) => {
  const usage = await api.get<Usage>('/usage');
  await page.goto('/usage');
  await expect(title(page)).toHaveText('Usage');
  await expect(page.getByTestId('usage-total-usd')).toHaveText(usd(usage.totalMonthlyUSD));
  const charges = page.getByTestId('usage-charges-table');
  await expect(charges.locator('tbody tr')).toHaveCount(usage.charges.length);
  for (const c of usage.charges.slice(0, 5)) {
    await expect(charges.locator('tbody tr').filter({ hasText: c.account }).filter({ hasText: usd(c.monthlyUSD) }).first()).toBeVisible();
  }
  // The retention note shows exactly when the store was pruned.
  await expect(page.getByTestId('usage-pruned')).toHaveCount(usage.prunedBefore ? 1 : 0);
  await screenshot(page, testInfo, 'usage');
});

test('accounts: every account seen, with a link to its profile', async ({ page, api, truth }, testInfo) => {
  const accounts = await api.get<ApiSearch>('/search', { type: 'AwsAccount', limit: 1000 });
  // The organization's accounts, and the hostile fixture's.
  const org = new Set(truth.accounts.map((a) => a.id));
  expect(accounts.results.filter((a) => org.has(a.id)).length).toBeGreaterThanOrEqual(truth.accounts.length - 1);
  await page.goto('/accounts');
  await expect(title(page)).toHaveText('Accounts');
  const list = panel(page, 'accounts');
  await expect(list.getByRole('heading', { level: 2 })).toHaveText(`${n(accounts.total)} accounts`);
  await expect(list.locator('tbody tr')).toHaveCount(accounts.results.length);
  for (const a of accounts.results) {
    const row = list.locator(`tbody tr[data-account="${a.id}"]`);
    await expect(entityLink(row, 'AwsAccount', a.id)).toBeVisible();
    await expect(row.locator('td').nth(1), `calls of ${a.id}`).toHaveText(n(a.activity));
  }
  await screenshot(page, testInfo, 'accounts');
});
