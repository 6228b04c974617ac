// Finding groups and investigations (issue 6) on the crypto-mining incident
// of the generated organization: from the summary the analyst sees the
// active groups, opens the incident's group, reads why each finding is in
// it, runs an investigation on its principal, finds the scenario's ATT&CK
// tactics among the indicators (truth.json), and downloads the report. The
// group's graph draws its nodes in every layout, and the groups list
// filters and sorts as the API does.

import type { Page, Request } from '@playwright/test';
import { readFileSync } from 'node:fs';
import {
  test,
  expect,
  entitiesOf,
  entityLink,
  entityURL,
  findingLink,
  hostile,
  panel,
  scenario,
  screenshot,
  scopeOf,
  title,
  type Api,
  type Scope,
  type TruthScenario,
} from './harness';

// ---- The API's answers (docs/api.md, "Finding groups", "Investigations") ----

interface GroupSummary {
  id: string;
  title: string;
  status: string;
  severity: number;
  tactics: { id: string; name: string }[];
  findingCount: number;
  entityCount: number;
  firstSeen: number;
  lastSeen: number;
  scope: Scope;
}

interface GroupList {
  groups: GroupSummary[];
  total: number;
}

interface Reason {
  kind: string;
  finding?: string;
  entity?: { type: string; id: string };
  gapSeconds: number;
}

interface GroupDetail extends GroupSummary {
  findings: { id: string; title: string; type: string; reasons: Reason[] }[];
  entities: { type: string; id: string; label?: string; findings: string[] }[];
}

interface GroupGraph {
  nodes: { key: string; type: string }[];
  edges: unknown[];
}

interface Investigation {
  id: string;
  entity: { type: string; id: string };
  label?: string;
  status: string;
  severity: string;
  severityReasons: string[];
  scope: Scope;
  indicators: { type: string; tactic?: string; severity: string; ipAddress?: string }[];
}

/** The scenario's ATT&CK tactics, as truth.json lists them. */
function tacticsOf(s: TruthScenario): string[] {
  return ((s as TruthScenario & { tactics?: { name: string }[] }).tactics ?? []).map((t) => t.name);
}

/** The active group that holds a finding. */
async function groupOf(api: Api, finding: string): Promise<GroupDetail> {
  const list = await api.get<GroupList>('/groups', { finding });
  expect(list.groups, `active groups holding finding ${finding}`).toHaveLength(1);
  return api.get<GroupDetail>(`/groups/${list.groups[0].id}`);
}

/** Follows a downloaded file: its name and its text. */
async function download(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await d.path();
  return { name: d.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

test.describe('finding groups and investigations', () => {
  test('from the summary to a downloaded report', async ({ page, api, truth, request }, testInfo) => {
    test.setTimeout(240_000);
    const s = scenario(truth, 'crypto-mining');
    const userId = entitiesOf(s, 'AwsUser')[0];
    const group = await groupOf(api, s.startHere!.replace(/^Finding\//, ''));
    const user = await api.entity('AwsUser', userId);

    await test.step('the summary lists the active groups of its scope, the incident among them', async () => {
      // The summary's default scope (the last 24 hours of data) holds the incident.
      const { scope } = await api.get<{ scope: Scope }>('/summary');
      const active = await api.get<GroupList>('/groups', { limit: 8, ...scope });
      await page.goto('/summary');
      await expect(title(page)).toHaveText('Summary');
      const p = panel(page, 'active-groups');
      await expect(p.getByRole('heading', { level: 2 })).toHaveText('Active finding groups');
      await expect(p.locator('tbody tr[data-group-id]')).toHaveCount(active.groups.length);
      // Most severe first, as the API sorts them.
      const ids = await p.locator('tbody tr[data-group-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-group-id')));
      expect(ids).toEqual(active.groups.map((g) => g.id));
      const row = p.locator(`tr[data-group-id="${group.id}"]`);
      await expect(row).toContainText(group.title);
      for (const t of group.tactics) await expect(row.locator(`[data-tactic="${t.name}"]`)).toBeVisible();
      await expect(p.getByTestId('all-groups')).toHaveText(`All ${active.total} active groups`);
      // The list it opens is that of the same scope.
      expect(scopeOf(new URL((await p.getByTestId('all-groups').getAttribute('href'))!, page.url()).toString())).toEqual(scope);
      await row.getByTestId('group-link').click();
    });

    await test.step('the group says why each finding is in it', async () => {
      await expect(page).toHaveURL(new RegExp(`/groups/${group.id}(\\?|$)`));
      await expect(title(page)).toHaveText(group.title);
      await expect(page.getByTestId('group-status')).toHaveText('active');
      // The scope shown is the group's window, which pivots carry.
      await expect(page.getByTestId('scope-summary')).toHaveAttribute('data-scope-start', String(group.scope.scopeStart));
      const table = page.getByTestId('group-findings-table');
      await expect(table.locator('tbody tr[data-finding-id]')).toHaveCount(group.findings.length);
      // Every finding of the incident is in the group.
      for (const id of s.findingIds) await expect(table.locator(`tr[data-finding-id="${id}"]`), `finding ${id}`).toHaveCount(1);
      const numbers = new Map(group.findings.map((m, i) => [m.id, i + 1]));
      for (const m of group.findings) {
        const row = table.locator(`tr[data-finding-id="${m.id}"]`);
        await expect(findingLink(row, m.id).first()).toBeVisible();
        const why = row.getByTestId('group-reason');
        const r = m.reasons[0];
        if (r.kind === 'first') {
          await expect(why).toHaveText('First finding of the group.');
          continue;
        }
        expect(['shared-entity', 'related-entity']).toContain(r.kind);
        // The shared entity, the member it joined through, and the time between them.
        await expect(entityLink(why, r.entity!.type, r.entity!.id).first(), `shared entity of ${m.id}`).toBeVisible();
        await expect(why).toContainText(`#${numbers.get(r.finding!)}`);
        await expect(why).toContainText(r.gapSeconds === 0 ? 'observed at overlapping times' : /observed .* apart/);
      }
      // The principal is among the involved entities, and its profile opens with the group's scope.
      const entities = panel(page, 'group-entities');
      const link = entityLink(entities, 'AwsUser', userId).first();
      await expect(link).toBeVisible();
      const href = new URL((await link.getAttribute('href'))!, page.url());
      expect(Number(href.searchParams.get('scopeStart'))).toBe(group.scope.scopeStart);
      expect(Number(href.searchParams.get('scopeEnd'))).toBe(group.scope.scopeEnd);
      await expect(panel(page, 'group-tactics').locator('[data-observed="true"]')).toHaveCount(group.tactics.length);
      await expect(page.getByTestId('group-graph')).toHaveAttribute('data-layout', 'radial');
      await screenshot(page, testInfo, 'group');
    });

    let inv: Investigation;
    await test.step('run an investigation on its principal', async () => {
      const control = page.getByTestId('group-investigate');
      await control.getByTestId('group-investigate-target').selectOption({ label: `${user.label} (AwsUser)` });
      await control.getByTestId('run-investigation').click();
      await expect(page).toHaveURL(/\/investigations\/[^/?]+/);
      const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
      // The report follows the run until it is done.
      await expect(page.getByTestId('page-investigation')).toHaveAttribute('data-status', 'SUCCESSFUL', { timeout: 120_000 });
      inv = await api.get<Investigation>(`/investigations/${id}`);
      expect(inv.entity).toEqual({ type: 'AwsUser', id: userId });
      await expect(title(page)).toHaveText(`Investigation of ${user.label}`);
      expect(scopeOf(page.url())).toEqual(inv.scope);
    });

    await test.step("the indicators hold the scenario's tactics", async () => {
      const expected = tacticsOf(s);
      expect(expected.length).toBeGreaterThan(0);
      const observed = new Set(inv.indicators.filter((i) => i.type === 'TTP_OBSERVED').map((i) => i.tactic));
      for (const t of expected) expect(observed, `tactic ${t} among the TTP indicators`).toContain(t);
      await expect(page.getByTestId('investigation-severity')).toHaveAttribute('data-severity', inv.severity);
      await expect(page.getByTestId('severity-reasons').locator('li')).toHaveCount(inv.severityReasons.length);
      const tree = page.getByTestId('ttp-tree');
      for (const t of expected) await expect(tree.locator(`[data-tactic="${t}"]`), `tactic ${t} in the TTP mapping`).toBeVisible();
      const ttps = page.getByTestId('indicators-TTP_OBSERVED');
      for (const t of expected) {
        const shown = inv.indicators.some((i) => i.type === 'TTP_OBSERVED' && i.tactic === t && i.severity !== 'INFORMATIONAL');
        if (shown) await expect(ttps.locator(`tr[data-tactic="${t}"]`).first(), `indicator of ${t}`).toBeVisible();
      }
      // Drill-downs open over the investigation's scope.
      const ip = inv.indicators.find((i) => i.type === 'TTP_OBSERVED' && i.ipAddress && i.severity !== 'INFORMATIONAL')!.ipAddress!;
      const link = entityLink(ttps, 'IpAddress', ip).first();
      const href = new URL((await link.getAttribute('href'))!, page.url());
      expect(Number(href.searchParams.get('scopeStart'))).toBe(inv.scope.scopeStart);
      expect(Number(href.searchParams.get('scopeEnd'))).toBe(inv.scope.scopeEnd);
      await screenshot(page, testInfo, 'investigation');
    });

    await test.step('download the report', async () => {
      const html = await download(page, 'report-html');
      expect(html.name).toBe(`investigation-${inv.id}.html`);
      expect(html.text).toContain(userId);
      expect(html.text).toContain(user.label);
      const md = await download(page, 'report-md');
      expect(md.name).toBe(`investigation-${inv.id}.md`);
      expect(md.text).toContain(userId);
      const json = await download(page, 'report-json');
      expect(json.name).toBe(`investigation-${inv.id}.json`);
      expect((JSON.parse(json.text) as Investigation).entity).toEqual({ type: 'AwsUser', id: userId });
      // What the links serve: the type of each format, as an attachment.
      const types: Record<string, string> = { 'report-html': 'text/html', 'report-md': 'text/markdown', 'report-json': 'application/json' };
      for (const [testId, type] of Object.entries(types)) {
        const res = await request.get((await page.getByTestId(testId).getAttribute('href'))!);
        expect(res.ok()).toBe(true);
        expect(res.headers()['content-type'], testId).toContain(type);
        expect(res.headers()['content-disposition'], testId).toContain('attachment');
      }
    });

    await test.step('the investigation is listed, and archiving it moves it out of the active list', async () => {
      await page.getByTestId('investigation-archive').click();
      await expect(page.getByTestId('page-investigation')).toHaveAttribute('data-state', 'ARCHIVED');
      await page.goto('/investigations');
      await expect(title(page)).toHaveText('Investigations');
      await expect(page.locator(`tr[data-investigation-id="${inv.id}"]`)).toHaveCount(0);
      await page.getByTestId('investigations-state-archived').click();
      await expect(page.locator(`tr[data-investigation-id="${inv.id}"]`)).toBeVisible();
      await expect(panel(page, 'recommended')).toBeVisible();
      await expect(entityLink(panel(page, 'recommended'), 'AwsUser', userId).first()).toBeVisible();
    });
  });

  test('the group graph draws its nodes, lazily, in every layout', async ({ page, api, truth }) => {
    const s = scenario(truth, 'crypto-mining');
    const group = await groupOf(api, s.startHere!.replace(/^Finding\//, ''));
    const graph = await api.get<GroupGraph>(`/groups/${group.id}/graph`);
    const flat = await api.get<GroupGraph>(`/groups/${group.id}/graph`, { aggregate: false });
    expect(graph.nodes.some((n) => n.type === 'FindingAggregate'), 'similar findings aggregated').toBe(true);
    const scripts: string[] = [];
    page.on('request', (r: Request) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    const cytoscape = () => scripts.filter((p) => /Cytoscape/i.test(p));

    await page.goto('/summary');
    await expect(panel(page, 'active-groups')).toBeVisible();
    await page.waitForLoadState('networkidle');
    expect(cytoscape(), 'no graph code before a graph is shown').toEqual([]);

    await page.goto(`/groups/${group.id}`);
    const g = page.getByTestId('group-graph');
    await expect(g).toHaveAttribute('data-layout', 'radial');
    expect(cytoscape().length, 'the graph code loads with the graph').toBeGreaterThan(0);
    await expect(g).toHaveAttribute('data-nodes', String(graph.nodes.length));
    await expect(g.locator('canvas').first()).toBeVisible();

    for (const layout of ['circle', 'force', 'grid', 'radial']) {
      const runs = Number(await g.getAttribute('data-layout-runs'));
      await page.getByTestId(`graph-layout-${layout}`).click();
      await expect(g).toHaveAttribute('data-layout', layout);
      await expect(g).toHaveAttribute('data-layout-runs', String(runs + 1));
      expect(new URL(page.url()).searchParams.get('layout')).toBe(layout === 'radial' ? null : layout);
    }

    // Each finding as its own node.
    await page.getByTestId('graph-aggregate').uncheck();
    await expect(g).toHaveAttribute('data-nodes', String(flat.nodes.length));
    await page.getByTestId('graph-aggregate').check();
    await expect(g).toHaveAttribute('data-nodes', String(graph.nodes.length));

    // The replay starts with the first finding and ends with the whole group.
    await page.getByTestId('graph-timeline-toggle').check();
    await expect(page.getByTestId('graph-timeline-label')).toContainText(`of ${group.findings.length} findings`);
    const first = Number(await g.getAttribute('data-nodes'));
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(graph.nodes.length);
    const slider = page.getByTestId('graph-timeline-slider');
    await slider.focus();
    await page.keyboard.press('End');
    await expect(g).toHaveAttribute('data-nodes', String(graph.nodes.length));
    await expect(page.getByTestId('graph-timeline-label')).toContainText(`${group.findings.length} of ${group.findings.length} findings`);
  });

  test('the groups list filters and sorts as the API does', async ({ page, api, truth }, testInfo) => {
    const s = scenario(truth, 'crypto-mining');
    const group = await groupOf(api, s.startHere!.replace(/^Finding\//, ''));
    const all = await api.get<GroupList>('/groups', { limit: 1000 });
    await page.goto('/groups');
    await expect(title(page)).toHaveText('Finding groups');
    const rows = page.getByTestId('groups-table').locator('tbody tr[data-group-id]');
    await expect(rows).toHaveCount(all.groups.length);
    await expect(panel(page, 'groups-list').getByRole('heading', { level: 2 })).toHaveText(`${all.total} active group${all.total === 1 ? '' : 's'}`);
    await screenshot(page, testInfo, 'groups');

    // A tactic of the incident keeps its group.
    const tactic = group.tactics[0].name;
    const withTactic = await api.get<GroupList>('/groups', { tactic, limit: 1000 });
    await page.getByTestId('groups-tactic').selectOption(tactic);
    await expect(rows).toHaveCount(withTactic.groups.length);
    await expect(page.locator(`tr[data-group-id="${group.id}"]`)).toBeVisible();
    expect(new URL(page.url()).searchParams.get('tactic')).toBe(tactic);

    // An entity of the incident, typed as <type>/<id>.
    await page.getByTestId('groups-tactic').selectOption('');
    const userId = entitiesOf(s, 'AwsUser')[0];
    const byEntity = await api.get<GroupList>('/groups', { entity: `AwsUser/${userId}` });
    await page.getByTestId('groups-entity').fill(`AwsUser/${userId}`);
    await page.getByTestId('groups-apply').click();
    await expect(rows).toHaveCount(byEntity.groups.length);
    await expect(page.locator(`tr[data-group-id="${group.id}"]`)).toBeVisible();

    // Most findings first.
    await page.goto('/groups');
    await page.locator('[data-sort-column="findingCount"]').click();
    const sorted = await api.get<GroupList>('/groups', { sort: '-findingCount', limit: 1000 });
    await expect(rows.first()).toHaveAttribute('data-group-id', sorted.groups[0].id);
    expect(new URL(page.url()).searchParams.get('sort')).toBe('-findingCount');

    // Severity bands.
    await page.locator('[data-testid="groups-filters"] [data-severity="low"]').click();
    const low = await api.get<GroupList>('/groups', { severity: 'low', limit: 1000 });
    await expect(rows).toHaveCount(low.groups.length);
    expect(new URL(page.url()).searchParams.get('severity')).toBe('low');
  });

  test('the groups list and the summary follow the scope and the account filter', async ({ page, api, truth }) => {
    const s = scenario(truth, 'crypto-mining');
    const group = await groupOf(api, s.startHere!.replace(/^Finding\//, ''));
    const rows = page.getByTestId('groups-table').locator('tbody tr[data-group-id]');

    // The incident's window keeps its group and the groups active then.
    const inScope = await api.get<GroupList>('/groups', { ...group.scope, limit: 1000 });
    const all = await api.get<GroupList>('/groups', { limit: 1000 });
    expect(inScope.groups.map((g) => g.id)).toContain(group.id);
    await page.goto(`/groups?scopeStart=${group.scope.scopeStart}&scopeEnd=${group.scope.scopeEnd}`);
    await expect(rows).toHaveCount(inScope.groups.length);
    await expect(page.locator(`tr[data-group-id="${group.id}"]`)).toBeVisible();
    await expect(panel(page, 'groups-list').getByRole('heading', { level: 2 })).toHaveText(
      `${inScope.total} active group${inScope.total === 1 ? '' : 's'} in this scope`,
    );
    await expect(page.getByTestId('scope-summary')).toHaveAttribute('data-scope-start', String(group.scope.scopeStart));

    // Before the first group was observed, none is active: an honest empty state.
    const first = Math.min(...(await api.get<GroupList>('/groups', { status: 'any', limit: 1000 })).groups.map((g) => g.firstSeen));
    const before: Scope = { scopeStart: Math.floor(first / 3600) * 3600 - 7200, scopeEnd: Math.floor(first / 3600) * 3600 - 3600 };
    expect((await api.get<GroupList>('/groups', before)).total).toBe(0);
    await page.goto(`/groups?scopeStart=${before.scopeStart}&scopeEnd=${before.scopeEnd}`);
    await expect(panel(page, 'groups-list').getByTestId('state-empty')).toContainText('No finding group active in this scope.');
    await expect(rows).toHaveCount(0);
    // Clearing the scope lists every group again.
    await page.getByTestId('groups-all-time').click();
    await expect(rows).toHaveCount(all.groups.length);
    expect(scopeOf(page.url())).toBeUndefined();

    // The summary's panel follows its scope too.
    await page.goto(`/summary?scopeStart=${before.scopeStart}&scopeEnd=${before.scopeEnd}`);
    const p = panel(page, 'active-groups');
    await expect(p.getByTestId('state-empty')).toContainText('No finding group active in this scope');
    await expect(p.locator('tbody tr[data-group-id]')).toHaveCount(0);
    await page.goto(`/summary?scopeStart=${group.scope.scopeStart}&scopeEnd=${group.scope.scopeEnd}`);
    const top = await api.get<GroupList>('/groups', { ...group.scope, limit: 8 });
    await expect(p.locator('tbody tr[data-group-id]')).toHaveCount(top.groups.length);
    await expect(p.locator(`tr[data-group-id="${group.id}"]`)).toBeVisible();

    // And the account filter: the incident's account keeps its groups only.
    const account = s.account;
    const ofAccount = await api.get<GroupList>('/groups', { ...group.scope, account, limit: 8 });
    await page.goto(`/summary?scopeStart=${group.scope.scopeStart}&scopeEnd=${group.scope.scopeEnd}&accounts=${account}`);
    await expect(p.locator('tbody tr[data-group-id]')).toHaveCount(ofAccount.groups.length);
    await expect(p.locator(`tr[data-group-id="${group.id}"]`)).toBeVisible();
  });

  test('the group graph is usable from the keyboard', async ({ page, api, truth }) => {
    const s = scenario(truth, 'crypto-mining');
    const group = await groupOf(api, s.startHere!.replace(/^Finding\//, ''));
    const graph = await api.get<{ nodes: { key: string; type: string; id: string; label: string }[] }>(`/groups/${group.id}/graph`);
    await page.goto(`/groups/${group.id}`);
    const g = page.getByTestId('group-graph');
    await expect(g).toHaveAttribute('data-layout', 'radial');
    const canvas = page.getByTestId('group-graph-canvas');
    const live = page.getByTestId('graph-selection');

    // The graph is one stop in the tab order, right after the timeline toggle.
    await page.getByTestId('graph-timeline-toggle').focus();
    await page.keyboard.press('Tab');
    await expect(canvas).toBeFocused();
    await expect(canvas).toHaveAttribute('role', 'application');
    // Reached with the keyboard, a node is selected at once and named.
    const keys = new Set(graph.nodes.map((n) => n.key));
    await expect(canvas).not.toHaveAttribute('data-selected-node', '');
    const firstKey = (await canvas.getAttribute('data-selected-node'))!;
    expect(keys.has(firstKey), `selected ${firstKey} is a node of the graph`).toBe(true);
    await expect(live).toContainText(`of ${graph.nodes.length}`);

    // N walks every node, one at a time, and comes back to the first.
    const seen = new Set<string>([firstKey]);
    for (let i = 1; i < graph.nodes.length; i++) {
      await page.keyboard.press('n');
      await expect(canvas).not.toHaveAttribute('data-selected-node', [...seen].pop()!);
      seen.add((await canvas.getAttribute('data-selected-node'))!);
    }
    expect(seen).toEqual(keys);
    await page.keyboard.press('n');
    await expect(canvas).toHaveAttribute('data-selected-node', firstKey);

    // An arrow key moves to another node; Escape clears the selection.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    expect(keys.has((await canvas.getAttribute('data-selected-node'))!)).toBe(true);
    await page.keyboard.press('Escape');
    await expect(canvas).toHaveAttribute('data-selected-node', '');
    await expect(live).toHaveText('No node selected.');

    // Select an entity, as the details beside the graph show it, and open its profile with Enter.
    await page.keyboard.press('Home');
    let key = (await canvas.getAttribute('data-selected-node'))!;
    for (let i = 0; i < graph.nodes.length && /^(Finding|FindingAggregate)\//.test(key); i++) {
      await page.keyboard.press('n');
      await expect(canvas).not.toHaveAttribute('data-selected-node', key);
      key = (await canvas.getAttribute('data-selected-node'))!;
    }
    const node = graph.nodes.find((n) => n.key === key)!;
    expect(node, 'an entity node').toBeTruthy();
    await expect(page.getByTestId('graph-node-details')).toHaveAttribute('data-node-key', key);
    await expect(live).toContainText('Enter opens its profile');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(entityURL(node.type, node.id));
    // With the group's scope.
    expect(scopeOf(page.url())).toEqual(group.scope);
  });

  test('edits are recorded with the name the analyst set', async ({ page, api, truth }) => {
    // Split a finding out of the privilege-escalation group (no other test uses it).
    const s = scenario(truth, 'privilege-escalation');
    const group = await groupOf(api, s.findingIds[0]);
    expect(group.findings.length, 'a group with findings to split').toBeGreaterThan(1);
    const name = 'Zoë <b>Reyes</b>';
    await page.goto(`/groups/${group.id}`);
    await expect(title(page)).toHaveText(group.title);

    // Set the name in the header: kept in the browser, shown as text.
    await expect(page.getByTestId('analyst-name')).toHaveText('Set your name');
    await page.getByTestId('analyst-name').click();
    await page.getByTestId('analyst-name-input').fill(`  ${name}\u202e `);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('analyst-name')).toHaveText(name);
    await expect(page.getByTestId('analyst-name')).toBeFocused();
    await page.reload();
    await expect(page.getByTestId('analyst-name')).toHaveText(name);

    // The edit says who it will be recorded as, and the request names the analyst.
    const last = group.findings[group.findings.length - 1];
    await page.getByTestId('group-findings-table').locator(`tr[data-finding-id="${last.id}"]`).getByTestId('group-split').click();
    await expect(page.getByTestId('confirm-edit-who')).toHaveText(`The audit trail will record it as made by ${name}.`);
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url().includes(`/api/v1/groups/${group.id}/split`)),
      page.getByTestId('confirm-edit-ok').click(),
    ]);
    // The name goes as its UTF-8 bytes (header values are bytes).
    const sent = req.headers()['x-trailhound-user'] ?? '';
    expect([sent, Buffer.from(sent, 'latin1').toString('utf8')]).toContain(name);
    await expect(page.getByTestId('edit-notice')).toBeVisible();

    // The audit trail shows who did it, as the server recorded it.
    const audit = await api.get<{ edits: { who: string; action: string }[] }>(`/groups/${group.id}/audit`);
    expect(audit.edits.map((e) => e.who)).toContain(name);
    const row = page.getByTestId('group-audit-table').locator('tbody tr').filter({ hasText: name });
    await expect(row).toHaveCount(1);
    await expect(row.locator('td').nth(1)).toHaveText(name);
    await expect(page.locator('b', { hasText: 'Reyes' })).toHaveCount(0);
  });

  test('hostile log data in a group renders as text', async ({ page, api }) => {
    const group = await groupOf(api, hostile.findingId);
    await page.goto(`/groups/${group.id}`);
    await expect(title(page)).toHaveText(group.title);
    const row = page.getByTestId('group-findings-table').locator(`tr[data-finding-id="${hostile.findingId}"]`);
    await expect(findingLink(row, hostile.findingId).first()).toHaveText(hostile.findingTitle);
    await expect(entityLink(panel(page, 'group-entities'), 'AwsUser', hostile.userId).first()).toHaveText(hostile.userName);
    await expect(page.getByTestId('group-investigate-target').locator('option').first()).toHaveText(`${hostile.userName} (AwsUser)`);
    await expect(page.getByTestId('group-graph')).toHaveAttribute('data-layout', 'radial');
    await expect(page.locator('img[src="x"], svg[onload]')).toHaveCount(0);
  });
});
