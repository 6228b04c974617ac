// The analyst's story of issue 5 on the compromised-access-key incident of
// the generated organization: from the GuardDuty finding to the user, the
// spike of its API calls, the attacker's address, the new country, and the
// address's profile. Every step is checked against the ground truth and
// the API, and every step's URL is reopened in a fresh browser.

import {
  test,
  expect,
  entitiesOf,
  entityLink,
  entityURL,
  expectSameView,
  findingLink,
  findingURL,
  isoTime,
  n,
  panel,
  scenario,
  scopeOf,
  title,
  type ApiActivity,
  type ApiEntity,
  type ApiGeolocations,
  type ApiInteraction,
  type ApiVolume,
  type Scope,
} from './harness';
import { activityRow, chartOf, clickBucket, expectCounts, newPlaceColor, openPanel, openTab, pixelsOfColor, spikeOf } from './views';

test.describe('compromised access key', () => {
  test('from the finding to the attacker, step by step', async ({ page, api, truth, openFresh }) => {
    test.setTimeout(240_000);
    const s = scenario(truth, 'compromised-access-key');
    const findingId = s.startHere!.replace(/^Finding\//, '');
    const userId = entitiesOf(s, 'AwsUser')[0];
    const attackerIp = entitiesOf(s, 'IpAddress')[0];
    const key = entitiesOf(s, 'AccessKey')[0];
    const finding = await api.finding(findingId);
    const user = await api.entity('AwsUser', userId);
    const titles = await api.panelTitles();
    // A finding opens on its own window, and pivots carry it.
    const scope: Scope = finding.defaultScope;

    await test.step('open the finding from the findings list', async () => {
      await page.goto('/findings');
      await expect(title(page)).toHaveText('Findings');
      const link = findingLink(page.getByRole('main'), findingId).first();
      await expect(link).toBeVisible();
      await link.click();
      await expect(page).toHaveURL(findingURL(findingId));
      await expect(title(page)).toHaveText(finding.title);
      await expect(page.getByText(finding.type).first()).toBeVisible();
      expect(scopeOf(page.url()) ?? scope).toEqual(scope);
      await expectSameView(page, openFresh);
    });

    await test.step('the finding names the involved entities', async () => {
      expect(finding.entities.map((e) => `${e.type}/${e.id}`)).toEqual(
        expect.arrayContaining([`AwsUser/${userId}`, `AccessKey/${key}`, `IpAddress/${attackerIp}`]),
      );
      const involved = panel(page, 'involved-entities');
      await expect(involved.locator('tbody tr')).toHaveCount(finding.entities.length);
      for (const e of finding.entities) {
        await expect(entityLink(involved, e.type, e.id).first(), `link to ${e.type} ${e.label}`).toBeVisible();
      }
    });

    await test.step("open the user: the finding's scope comes along", async () => {
      await page.getByRole('link', { name: `See the profile of ${user.label}` }).click();
      await expect(page).toHaveURL(entityURL('AwsUser', userId));
      expect(scopeOf(page.url())).toEqual(scope);
      await expect(title(page)).toHaveText(user.label);
      await expect(page.getByTestId('scope-bar')).toBeVisible();
      const findings = panel(page, 'associated-findings');
      await expect(findings.getByRole('heading', { level: 2 })).toHaveText(titles.get('associated-findings')!);
      await expect(findingLink(findings, findingId).first()).toBeVisible();
      await expectSameView(page, openFresh);
    });

    let volume!: ApiVolume;
    await test.step('API-call volume: successful and failed calls in the scope', async () => {
      volume = await api.panel<ApiVolume>('AwsUser', userId, 'api-call-volume', { ...scope });
      expect(volume.totals.failure, 'the reconnaissance is mostly denied').toBeGreaterThan(volume.totals.success);
      const p = panel(page, 'api-call-volume');
      await expect(p.getByRole('heading', { level: 2 })).toHaveText(titles.get('api-call-volume')!);
      const totals = p.getByTestId('volume-totals');
      await expect(totals).toContainText(`${n(volume.totals.success + volume.totals.failure)} calls in scope`);
      await expect(totals).toContainText(`${n(volume.totals.success)} successful`);
      await expect(totals).toContainText(`${n(volume.totals.failure)} failed`);
      await expect(chartOf(p)).toHaveAccessibleName(new RegExp(`${n(volume.totals.failure)} failed`));
    });

    await test.step('click the spike: the calls of that interval by IP, API and access key', async () => {
      const spike = spikeOf(volume);
      await clickBucket(page, 'api-call-volume', volume, spike.index);
      await expect.poll(() => new URL(page.url()).searchParams.get('bucket')).toBe(String(spike.bucket.start));
      const details = await api.panel<ApiActivity>('AwsUser', userId, 'activity-details', { ...scope, bucket: spike.bucket.start });
      expect(details.totals).toEqual({ success: spike.bucket.success, failure: spike.bucket.failure });
      const p = panel(page, 'activity-details');
      await expect(p).toContainText(`${n(details.totals.success)} successful`);
      await expect(p).toContainText(`${n(details.totals.failure)} failed`);

      await openTab(p, /IP address/);
      const ipRow = details.byIp.find((r) => r.label === attackerIp);
      expect(ipRow, 'the attacker address in the spike').toBeTruthy();
      await expectCounts(activityRow(p, 'ip', attackerIp), ipRow!);
      await expect(entityLink(p, 'IpAddress', attackerIp).first()).toBeVisible();

      await openTab(p, /API method/);
      for (const r of details.byApi.slice(0, 5)) await expectCounts(activityRow(p, 'api', r.label), r);

      await openTab(p, /access key/i);
      const keyRow = details.byCaller.find((r) => r.label === key);
      expect(keyRow, 'the stolen key in the spike').toBeTruthy();
      await expectCounts(activityRow(p, 'caller', key), keyRow!);
      await expectSameView(page, openFresh);
    });

    await test.step('open the address: which APIs it called, and the failures', async () => {
      await openTab(panel(page, 'activity-details'), /IP address/);
      await entityLink(panel(page, 'activity-details'), 'IpAddress', attackerIp).first().click();
      await expect(page).toHaveURL(entityURL('IpAddress', attackerIp));
      expect(scopeOf(page.url()), 'the scope comes along').toEqual(scope);
      await expect(title(page)).toHaveText(attackerIp);
      const details = await api.panel<ApiActivity>('IpAddress', attackerIp, 'activity-details', { ...scope });
      const p = panel(page, 'activity-details');
      await expect(p).toContainText(`${n(details.totals.failure)} failed`);
      await openTab(p, /API method/);
      // Denied calls: the attempt to create a user fails.
      const denied = details.byApi.filter((r) => r.failure > 0 && r.success === 0);
      expect(denied.map((r) => r.api)).toContain('CreateUser');
      for (const r of denied) await expectCounts(activityRow(p, 'api', r.label), r);
      await expectSameView(page, openFresh);
    });

    await test.step("narrow the address's calls to the user, then to the user or any Create call", async () => {
      const p = panel(page, 'activity-details');
      const bar = p.getByTestId('activity-filters');
      await bar.getByTestId('filter-property').selectOption('resource');
      await bar.getByTestId('filter-value').fill(userId);
      await bar.getByTestId('filter-add').click();
      await expect.poll(() => new URL(page.url()).searchParams.get('af_resource')).toBe(userId);
      const mine = await api.panel<ApiActivity>('IpAddress', attackerIp, 'activity-details', { ...scope, resource: userId });
      expect(mine.totals.success + mine.totals.failure, "the user's calls from the address").toBeGreaterThan(0);
      await expect(p).toContainText(`${n(mine.totals.success)} successful`);
      await expect(p).toContainText(`${n(mine.totals.failure)} failed`);

      await bar.getByTestId('filter-property').selectOption('apiContains');
      await bar.getByTestId('filter-value').fill('Create');
      await bar.getByTestId('filter-add').click();
      await p.getByTestId('filter-match').selectOption('any');
      await expect.poll(() => new URL(page.url()).searchParams.get('af_match')).toBe('any');
      const either = await api.panel<ApiActivity>('IpAddress', attackerIp, 'activity-details', { ...scope, resource: userId, apiContains: 'Create', match: 'any' });
      const both = await api.panel<ApiActivity>('IpAddress', attackerIp, 'activity-details', { ...scope, resource: userId, apiContains: 'Create' });
      expect(either.totals.success + either.totals.failure).toBeGreaterThanOrEqual(both.totals.success + both.totals.failure);
      await expect(p).toContainText(`${n(either.totals.success)} successful`);
      await expect(p).toContainText(`${n(either.totals.failure)} failed`);
      await expectSameView(page, openFresh);
      await bar.getByRole('button', { name: 'Clear filters' }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('af_resource')).toBeNull();
      // Every filter change is a step of the history: back to the address
      // as it was opened, so that the next step's Back returns to the user.
      do await page.goBack();
      while (new URL(page.url()).search.includes('af_'));
      await expect(page).toHaveURL(entityURL('IpAddress', attackerIp));
    });

    let geo!: ApiGeolocations;
    await test.step('behavior: the new country stands out on the map', async () => {
      await page.goBack();
      await expect(page).toHaveURL(entityURL('AwsUser', userId));
      const p = await openPanel(page, 'new-geolocations', /new behavior/i);
      geo = await api.panel<ApiGeolocations>('AwsUser', userId, 'new-geolocations', { ...scope });
      const place = geo.locations.find((l) => l.addresses.some((a) => a.entity.id === attackerIp));
      expect(place, `${attackerIp} among the new places`).toBeTruthy();
      // The ground truth names the country in the scenario's description.
      expect(s.description).toContain(place!.countryName!);
      await expect(p.getByRole('heading', { level: 2 })).toHaveText(titles.get('new-geolocations')!);
      await expect(p.getByTestId('new-geo-count')).toHaveText(n(geo.locations.length));
      const row = p.locator('tbody tr').filter({ hasText: place!.countryName! }).first();
      await expect(row).toHaveAttribute('data-new', 'true');
      await expect(row).toContainText('New');
      await expect(row).toContainText(n(place!.failure));
      const map = chartOf(p);
      await expect(map).toHaveAccessibleName(new RegExp(`${geo.locations.length} newly observed`));
      await expect.poll(() => pixelsOfColor(map, newPlaceColor), { message: 'a new-place marker on the map' }).toBeGreaterThan(10);
      await expect(p.getByRole('link', { name: /DB-IP/ })).toBeVisible();

      // The unexpected country's calls: the APIs called from there.
      await p.getByRole('button', { name: new RegExp(`Details of .*${place!.countryName}`) }).click();
      const ips = place!.addresses.map((a) => a.entity.id).join(',');
      const fromThere = await api.panel<ApiActivity>('AwsUser', userId, 'activity-details', { ...scope, ip: ips });
      const drill = p.getByTestId('geo-details');
      await expect(drill).toContainText(place!.countryName!);
      await expect(drill).toContainText(`${n(fromThere.totals.success)} successful`);
      await expect(drill).toContainText(`${n(fromThere.totals.failure)} failed`);
      for (const r of fromThere.byApi.slice(0, 5)) await expectCounts(activityRow(drill, 'api', r.label), r);
      await expectSameView(page, openFresh);
    });

    await test.step("pivot to the address's profile: resource interaction, scope kept", async () => {
      await entityLink(page.getByTestId('geo-details'), 'IpAddress', attackerIp).first().click();
      await expect(page).toHaveURL(entityURL('IpAddress', attackerIp));
      expect(scopeOf(page.url()), 'the scope comes along').toEqual(scope);
      const p = await openPanel(page, 'resource-interaction', /resource interaction/i);
      const ri = await api.panel<ApiInteraction>('IpAddress', attackerIp, 'resource-interaction', { ...scope });
      const callers = ri.rows.filter((r) => r.relation === 'caller');
      expect(callers.map((r) => r.entity.id)).toContain(userId);
      await expect(p.getByRole('heading', { level: 2 })).toHaveText(titles.get('resource-interaction')!);
      await expect(p.locator('tbody tr')).toHaveCount(ri.rows.length);
      for (const r of callers) {
        const row = p.locator('tbody tr').filter({ has: entityLink(page, r.entity.type, r.entity.id) });
        await expect(row, r.label).toBeVisible();
        await expect(row).toContainText(n(r.calls));
        await expect(row.locator(`time[datetime="${isoTime(r.firstSeen)}"]`)).toBeVisible();
      }
      await expectSameView(page, openFresh);
    });

    await test.step('the trail lists every pivot', async () => {
      const trail = page.getByTestId('trail');
      await expect(trail).toBeVisible();
      await trail.getByRole('button', { name: /trail/i }).click();
      const history = page.getByTestId('trail-history');
      await expect(history).toBeVisible();
      await expect(findingLink(history, findingId).first()).toBeVisible();
      await expect(entityLink(history, 'AwsUser', userId).first()).toBeVisible();
      await expect(entityLink(history, 'IpAddress', attackerIp).first()).toBeVisible();
      // Going back to a step of the trail restores it, scope included.
      await findingLink(history, findingId).first().click();
      await expect(page).toHaveURL(findingURL(findingId));
      await expect(title(page)).toHaveText(finding.title);
    });
  });

  test('a pasted Amazon Detective URL opens the finding', async ({ page, api, truth }) => {
    const s = scenario(truth, 'compromised-access-key');
    const findingId = s.startHere!.replace(/^Finding\//, '');
    const f = await api.finding(findingId);
    const scope: Scope = { scopeStart: f.defaultScope.scopeStart - 3600, scopeEnd: f.defaultScope.scopeEnd + 3600 };
    const q = `scopeStart=${scope.scopeStart}&scopeEnd=${scope.scopeEnd}`;
    const detective = `https://console.aws.amazon.com/detective/home?region=${f.region}#findings/GuardDuty/${findingId}?${q}`;

    // Pasted into the search box every page has.
    await page.goto('/summary');
    const box = page.getByRole('combobox', { name: /Detective link/i });
    await box.fill(detective);
    await box.press('Enter');
    await expect(page).toHaveURL(findingURL(findingId));
    expect(scopeOf(page.url())).toEqual(scope);
    await expect(title(page)).toHaveText(f.title);

    // The same link with Trailhound's address in place of Detective's.
    await page.goto(`/detective/home?region=${f.region}#findings/GuardDuty/${findingId}?${q}`);
    await expect(page).toHaveURL(findingURL(findingId));
    expect(scopeOf(page.url())).toEqual(scope);
    await expect(title(page)).toHaveText(f.title);

    // The current format, and an entity.
    const userId = entitiesOf(s, 'AwsUser')[0];
    const user: ApiEntity = await api.entity('AwsUser', userId);
    await page.goto(`/detective/home?region=${f.region}#entities/AwsUser/${userId}?${q}`);
    await expect(page).toHaveURL(entityURL('AwsUser', userId));
    expect(scopeOf(page.url())).toEqual(scope);
    await expect(title(page)).toHaveText(user.label);
  });

  test('the finding opened from search', async ({ page, api, truth }) => {
    const s = scenario(truth, 'compromised-access-key');
    const findingId = s.startHere!.replace(/^Finding\//, '');
    const f = await api.finding(findingId);
    await page.goto('/search');
    const box = page.getByRole('searchbox').first();
    await box.fill(findingId);
    await box.press('Enter');
    const link = findingLink(page.getByRole('main'), findingId).first();
    await expect(link).toBeVisible();
    await link.click();
    await expect(page).toHaveURL(findingURL(findingId));
    await expect(title(page)).toHaveText(f.title);
  });
});

test.describe('privilege escalation', () => {
  test("the backdoor user's creator and creation time", async ({ page, api, truth, openFresh }) => {
    const s = scenario(truth, 'privilege-escalation');
    // The backdoor user is attacker-made, not a victim, so truth.json does
    // not list it: find it by the name the scenario gives it.
    const match = s.description.match(/backdoor user (\S+)/);
    expect(match, 'the scenario names its backdoor user').toBeTruthy();
    const name = match![1];
    const found = await api.get<{ results: { type: string; id: string; label: string }[] }>('/search', { type: 'AwsUser', q: name });
    expect(found.results).toHaveLength(1);
    const backdoor: ApiEntity = await api.entity('AwsUser', found.results[0].id);
    const createdBy = backdoor.facts.find((f) => f.name === 'created_by');
    const createdAt = backdoor.facts.find((f) => f.name === 'created_at');
    expect(createdBy?.entity, 'the API names the creator').toBeTruthy();
    expect(createdAt, 'the API gives the creation time').toBeTruthy();
    const creator = await api.entity(createdBy!.entity!.type, createdBy!.entity!.id);
    // The creator is one of the scenario's compromised users.
    expect(s.entities).toContain(`${creator.type}/${creator.id}`);

    await page.goto(`/entities/AwsUser/${encodeURIComponent(backdoor.id)}`);
    await expect(title(page)).toHaveText(name);
    const details = page.getByTestId('panel-details');
    const by = details.locator('[data-fact="created_by"]');
    await expect(by).toContainText('Created by');
    await expect(entityLink(by, creator.type, creator.id).first()).toHaveText(creator.label);
    const at = details.locator('[data-fact="created_at"]');
    await expect(at).toContainText('Created at');
    await expect(at.locator(`time[datetime="${createdAt!.value}"]`)).toBeVisible();
    await expectSameView(page, openFresh);
  });
});
