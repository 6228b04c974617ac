// The tools around the story: the raw records behind a number, pinning
// entities to compare them side by side, and the scope bar.

import {
  test,
  expect,
  entitiesOf,
  entityLink,
  entityPath,
  expectSameView,
  n,
  panel,
  scenario,
  scopeOf,
  title,
  type ApiSearch,
  type ApiVolume,
  type Scope,
} from './harness';
import type { Locator } from '@playwright/test';

/**
 * Pages the raw-events drawer to its last page, where the count of
 * records read is final ("of 196", not "of 150+"), and checks it.
 */
async function pageToEnd(drawer: Locator, total: number): Promise<void> {
  const next = drawer.getByRole('button', { name: 'Next page of records' });
  const count = drawer.getByTestId('events-count');
  await expect(async () => {
    if (await next.isEnabled()) await next.click();
    await expect(count).toHaveText(new RegExp(`of ${n(total)}(?![+\\d,])`), { timeout: 1000 });
  }).toPass({ timeout: 60_000 });
}

test('the raw records behind a number', async ({ page, api, request, truth }) => {
  const s = scenario(truth, 'compromised-access-key');
  const userId = entitiesOf(s, 'AwsUser')[0];
  const f = await api.finding(s.startHere!.replace(/^Finding\//, ''));
  const scope = f.defaultScope;
  const res = await request.get('/api/v1/events', { params: { entity: `AwsUser/${userId}`, ...scope } });
  expect(res.ok()).toBe(true);
  const records = (await res.json()) as { eventID: string; eventName: string; errorCode?: string }[];
  // Every attacker call of the ground truth is among the records.
  const ids = new Set(records.map((r) => r.eventID));
  for (const id of s.eventIds) expect(ids.has(id), `event ${id}`).toBe(true);
  const failed = records.filter((r) => r.errorCode);
  const volume = await api.panel<ApiVolume>('AwsUser', userId, 'api-call-volume', { ...scope });
  expect(failed.length, 'the failed records are the failed calls counted').toBe(volume.totals.failure);

  await page.goto(entityPath('AwsUser', userId, scope));
  await expect(title(page)).toBeVisible();
  // The failed-calls number of the timeline opens its records.
  await panel(page, 'api-call-volume')
    .getByRole('button', { name: new RegExp(`^${n(volume.totals.failure)} failed .*raw events`) })
    .click();
  const drawer = page.getByTestId('events-drawer');
  await expect(drawer).toBeVisible();
  await expect(drawer.getByRole('heading', { level: 2 })).toHaveText('Raw events');
  const first = drawer.getByTestId('events-row').first();
  await expect(first).toBeVisible();
  // One record in full: its JSON as delivered.
  await first.click();
  await expect(drawer.getByTestId('events-record')).toContainText(`"eventID": "${failed[0].eventID}"`);
  await expect(drawer.getByTestId('events-record')).toContainText(`"errorCode": "${failed[0].errorCode}"`);
  // Paged to the end, the drawer has listed every failed record.
  await pageToEnd(drawer, failed.length);
  // All records, not only the failed ones, and their exports.
  await drawer.getByRole('button', { name: 'All calls' }).click();
  await pageToEnd(drawer, records.length);
  for (const format of ['csv', 'ndjson']) {
    const link = drawer.getByTestId(`events-${format}`);
    await expect(link, `${format} export`).toBeVisible();
    const href = new URL((await link.getAttribute('href'))!, page.url());
    expect(href.pathname).toBe('/api/v1/events');
    expect(href.searchParams.get('format')).toBe(format);
    expect(href.searchParams.get('entity')).toBe(`AwsUser/${userId}`);
    expect(Number(href.searchParams.get('scopeStart'))).toBe(scope.scopeStart);
    expect(Number(href.searchParams.get('scopeEnd'))).toBe(scope.scopeEnd);
    const exported = await request.get(href.pathname + href.search);
    expect(exported.ok()).toBe(true);
    const lines = (await exported.text()).trim().split('\n');
    expect(lines.length, `${format} lines`).toBe(records.length + (format === 'csv' ? 1 : 0));
  }
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
});

test('pinned entities compared side by side', async ({ page, api, truth, openFresh }) => {
  const s = scenario(truth, 'compromised-access-key');
  const userId = entitiesOf(s, 'AwsUser')[0];
  const ip = entitiesOf(s, 'IpAddress')[0];
  const f = await api.finding(s.startHere!.replace(/^Finding\//, ''));
  const scope = f.defaultScope;
  const user = await api.entity('AwsUser', userId);

  await page.goto(entityPath('AwsUser', userId, scope));
  await expect(title(page)).toHaveText(user.label);
  await page.getByTestId('pin-button').click();
  await expect(page.getByTestId('pin-button')).toHaveAttribute('aria-pressed', 'true');
  await page.goto(entityPath('IpAddress', ip, scope));
  await expect(title(page)).toHaveText(ip);
  await page.getByTestId('pin-button').click();
  const pins = page.getByRole('region', { name: 'Pinned entities' });
  await expect(entityLink(pins, 'AwsUser', userId)).toHaveText(user.label);
  await expect(entityLink(pins, 'IpAddress', ip)).toHaveText(ip);

  await pins.getByRole('link', { name: /compare/i }).click();
  await expect(title(page)).toHaveText(/compare/i);
  expect(scopeOf(page.url()), 'the comparison keeps the scope').toEqual(scope);
  const columns = page.getByTestId('compare-column');
  await expect(columns).toHaveCount(2);
  for (const [type, id] of [
    ['AwsUser', userId],
    ['IpAddress', ip],
  ]) {
    const v = await api.panel<ApiVolume>(type, id, 'api-call-volume', { ...scope });
    const column = columns.filter({ has: entityLink(page, type, id) });
    await expect(column).toContainText(`${n(v.totals.success)} successful, ${n(v.totals.failure)} failed`);
  }
  // Pins belong to this browser tab: a colleague given the URL sees the
  // same scope, with nothing pinned.
  const other = await openFresh(page.url());
  await expect(title(other)).toHaveText(/compare/i);
  await expect(other.getByText(/nothing is pinned/i)).toBeVisible();
});

test('the scope bar: presets and a custom window land in the URL', async ({ page, api, truth, openFresh }) => {
  const s = scenario(truth, 'compromised-access-key');
  const userId = entitiesOf(s, 'AwsUser')[0];
  const user = await api.entity('AwsUser', userId);
  await page.goto(entityPath('AwsUser', userId));
  const bar = page.getByTestId('scope-bar');
  await expect(bar).toBeVisible();
  // Without a scope in the URL the entity's default scope applies.
  const shown = bar.getByTestId('scope-summary');
  await expect(shown).toHaveAttribute('data-scope-start', String(user.defaultScope.scopeStart));
  await expect(shown).toHaveAttribute('data-scope-end', String(user.defaultScope.scopeEnd));
  await expect(bar.getByTestId('scope-baseline')).toHaveAttribute('data-scope-end', String(user.defaultScope.scopeStart));

  // "Last 7 days" ends at the end of the data (the hour of the latest activity).
  const accounts = await api.get<{ results: { lastSeen: number }[] }>('/search', { type: 'AwsAccount', limit: 1000 });
  const end = Math.ceil(Math.max(...accounts.results.map((a) => a.lastSeen)) / 3600) * 3600;
  await bar.getByRole('button', { name: 'Last 7 days of data' }).click();
  await expect.poll(() => scopeOf(page.url())).toEqual({ scopeStart: end - 7 * 86400, scopeEnd: end });
  const week = scopeOf(page.url()) as Scope;
  const v = await api.panel<ApiVolume>('AwsUser', userId, 'api-call-volume', { ...week });
  await expect(panel(page, 'api-call-volume').getByTestId('volume-totals')).toContainText(`${n(v.totals.failure)} failed`);
  await expectSameView(page, openFresh);

  // A custom window typed in UTC.
  const custom: Scope = { scopeStart: Date.UTC(2026, 10, 4, 0, 0) / 1000, scopeEnd: Date.UTC(2026, 10, 4, 6, 0) / 1000 };
  await bar.getByLabel(/^Start/).fill('2026-11-04 00:00');
  await bar.getByLabel(/^End/).fill('2026-11-04 06:00');
  await bar.getByRole('button', { name: 'Apply' }).click();
  await expect.poll(() => scopeOf(page.url())).toEqual(custom);
  const c = await api.panel<ApiVolume>('AwsUser', userId, 'api-call-volume', { ...custom });
  await expect(panel(page, 'api-call-volume').getByTestId('volume-totals')).toContainText(`${n(c.totals.success)} successful`);
});

test('the findings list filters by account and text, in the URL', async ({ page, api, truth, openFresh }) => {
  const s = scenario(truth, 'crypto-mining');
  const all = await api.get<ApiSearch>('/search', { type: 'Finding', limit: 1000 });
  const inAccount = all.results.filter((r) => r.account === s.account);
  expect(inAccount.length).toBeGreaterThan(0);
  await page.goto('/findings');
  const list = panel(page, 'findings-list');
  await expect(list.getByRole('heading', { level: 2 })).toHaveText(`${n(all.total)} findings`);
  await page.getByTestId('findings-account').selectOption(s.account);
  await expect(list.getByRole('heading', { level: 2 })).toHaveText(`${n(inAccount.length)} of ${n(all.total)} findings`);
  await expect(list.locator('tbody tr')).toHaveCount(inAccount.length);
  for (const f of inAccount) await expect(list.locator(`tr[data-finding-id="${f.id}"]`)).toBeVisible();
  expect(new URL(page.url()).searchParams.get('account')).toBe(s.account);
  await expectSameView(page, openFresh);

  // Text: the finding types of the scenario.
  const type = s.findingTypes[0];
  const ofType = inAccount.filter((r) => r.label === type);
  await page.getByTestId('findings-text').fill(type);
  await expect(list.locator('tbody tr')).toHaveCount(ofType.length);
});

test('the findings list filters all findings, beyond those it loads', async ({ page, api }) => {
  // All findings of all time, most severe first (the list's own order).
  const list = await api.get<{ findings: { id: string; type: string; firstSeen: number; lastSeen: number }[]; total: number }>('/findings', {
    archived: 'any',
    limit: 1000,
  });
  expect(list.total).toBeGreaterThan(3);
  // A type none of the three most severe findings has.
  const first = new Set(list.findings.slice(0, 3).map((f) => f.type));
  const type = list.findings.map((f) => f.type).find((t) => !first.has(t));
  expect(type).toBeDefined();
  const ofType = list.findings.filter((f) => f.type === type);

  // The page loads three; the type filter still finds every finding of it.
  const start = Math.min(...list.findings.map((f) => f.firstSeen));
  const end = Math.max(...list.findings.map((f) => f.lastSeen)) + 1;
  await page.goto(`/findings?max=3&scopeStart=${start}&scopeEnd=${end}`);
  const view = panel(page, 'findings-list');
  await expect(view.getByTestId('state-truncated')).toContainText('the filters search all of them');
  await expect(view.locator('tbody tr')).toHaveCount(3);
  await page.getByTestId('findings-type').selectOption(type!);
  await expect(view.getByRole('heading', { level: 2 })).toHaveText(`${n(ofType.length)} of ${n(list.total)} findings`);
  await expect(view.locator('tbody tr')).toHaveCount(Math.min(3, ofType.length));
  for (const f of ofType.slice(0, 3)) await expect(view.locator(`tr[data-finding-id="${f.id}"]`)).toBeVisible();
});
