// The end of the story: the EC2 instances the attacker launched, who
// launched them and when, and their traffic to mining pools on stratum
// ports, then the pool's address and every instance that talked to it.

import {
  test,
  expect,
  bytes,
  entitiesOf,
  entityLink,
  entityURL,
  expectSameView,
  findingPath,
  isoTime,
  panel,
  scenario,
  scopeOf,
  title,
  type ApiFlowDetails,
  type ApiFlows,
  type ApiInteraction,
  type Scope,
} from './harness';
import { openPanel } from './views';

const stratumPorts = [3333, 4444, 14444];

test.describe('crypto-mining', () => {
  test('the launched instances and their flows to mining pools', async ({ page, api, truth, openFresh }) => {
    test.setTimeout(180_000);
    const s = scenario(truth, 'crypto-mining');
    const instances = entitiesOf(s, 'Ec2Instance');
    const attacker = entitiesOf(s, 'AwsUser')[0];
    expect(instances.length, 'instances launched by the attacker').toBeGreaterThan(0);
    const findingId = s.startHere!.replace(/^Finding\//, '');
    const finding = await api.finding(findingId);
    const instanceId = finding.entities.find((e) => e.type === 'Ec2Instance')?.id ?? instances[0];
    expect(instances).toContain(instanceId);
    const scope: Scope = finding.defaultScope;

    await test.step('the finding names the instance', async () => {
      await page.goto(findingPath(findingId));
      await expect(title(page)).toHaveText(finding.title);
      await expect(entityLink(panel(page, 'involved-entities'), 'Ec2Instance', instanceId).first()).toBeVisible();
    });

    const instance = await api.entity('Ec2Instance', instanceId);
    await test.step('the instance: launched by the attacker, and when', async () => {
      await page.getByRole('link', { name: `See the profile of ${instanceId}` }).click();
      await expect(page).toHaveURL(entityURL('Ec2Instance', instanceId));
      expect(scopeOf(page.url())).toEqual(scope);
      await expect(title(page)).toHaveText(instanceId);
      const createdBy = instance.facts.find((f) => f.name === 'created_by');
      const createdAt = instance.facts.find((f) => f.name === 'created_at');
      expect(createdBy?.entity).toEqual({ type: 'AwsUser', id: attacker });
      const launcher = await api.entity('AwsUser', attacker);
      const details = panel(page, 'details');
      await expect(entityLink(details.locator('[data-fact="created_by"]'), 'AwsUser', attacker).first()).toHaveText(launcher.label);
      await expect(details.locator(`[data-fact="created_at"] time[datetime="${createdAt!.value}"]`)).toBeVisible();
      const type = instance.facts.find((f) => f.name === 'instance_type');
      expect(type, 'the instance type is known').toBeTruthy();
      await expect(details.locator('[data-fact="instance_type"]')).toContainText(type!.value);
    });

    let pool = '';
    await test.step('VPC flows: traffic to the pools on stratum ports', async () => {
      const volume = await openPanel(page, 'vpc-flow-volume', /VPC flow/i);
      const flows = await api.panel<ApiFlows>('Ec2Instance', instanceId, 'vpc-flow-volume', { ...scope });
      await expect(volume.getByTestId('flow-totals')).toContainText(bytes(flows.totals.inbound));
      await expect(volume.getByTestId('flow-totals')).toContainText(bytes(flows.totals.outbound));

      // One row per peer, ports, protocol and direction: the instance
      // connects out to the pools' stratum ports.
      const details = await api.panel<ApiFlowDetails>('Ec2Instance', instanceId, 'vpc-flow-details', { ...scope });
      const toPools = details.rows.filter((r) => stratumPorts.includes(r.remotePort));
      expect(toPools.length, 'flows to stratum ports').toBeGreaterThan(0);
      for (const r of toPools) {
        expect(r.direction).toBe('outbound');
        expect(s.entities, 'the pools are in the ground truth').toContain(`IpAddress/${r.peer.id}`);
      }
      pool = toPools[0].peer.id;
      const p = panel(page, 'vpc-flow-details');
      await expect(p).toBeVisible();
      const table = p.getByTestId('flow-table');
      await expect(table.locator('tbody tr')).toHaveCount(details.rows.length);
      for (const r of toPools) {
        const row = table.locator(`tr[data-peer="${r.peerLabel}"][data-port="${r.remotePort}"]`);
        await expect(row, `${r.peerLabel}:${r.remotePort}`).toBeVisible();
        await expect(row).toContainText('Outbound');
        await expect(row).toContainText(bytes(r.inboundBytes));
        await expect(row).toContainText(bytes(r.outboundBytes));
        await expect(entityLink(row, 'IpAddress', r.peer.id)).toBeVisible();
      }
      await expectSameView(page, openFresh);
    });

    await test.step('an interval of the flow chart is chosen from the keyboard', async () => {
      const vol = await api.panel<{ buckets: { start: number; inbound: number; outbound: number }[] }>('Ec2Instance', instanceId, 'vpc-flow-volume', {
        ...scope,
      });
      const busiest = vol.buckets.reduce((a, b) => (b.outbound > a.outbound ? b : a));
      // The chart's intervals as a table, each with a button that selects it.
      await page.getByTestId('flow-volume-table-toggle').focus();
      await page.keyboard.press('Enter');
      const table = page.getByTestId('flow-volume-table');
      await expect(table.locator('tbody tr')).toHaveCount(vol.buckets.length);
      const select = table.locator('tbody tr').nth(vol.buckets.indexOf(busiest)).getByRole('button', { name: 'Details' });
      await select.focus();
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(new RegExp(`[?&]flowBucket=${busiest.start}(&|$)`));
      await expect(select).toHaveAttribute('aria-pressed', 'true');
      // The details list the flows of that interval, as the API does.
      const inBucket = await api.panel<ApiFlowDetails>('Ec2Instance', instanceId, 'vpc-flow-details', { ...scope, bucket: busiest.start });
      await expect(panel(page, 'vpc-flow-details').getByTestId('flow-table').locator('tbody tr')).toHaveCount(inBucket.rows.length);
      // Pressed again, it goes back to the whole scope.
      await page.keyboard.press('Enter');
      await expect(page).not.toHaveURL(/flowBucket=/);
      await expect(select).toHaveAttribute('aria-pressed', 'false');
    });

    await test.step("the pool's address: the instances that exchanged traffic with it, and since when", async () => {
      await entityLink(panel(page, 'vpc-flow-details'), 'IpAddress', pool).first().click();
      await expect(page).toHaveURL(entityURL('IpAddress', pool));
      expect(scopeOf(page.url()), 'the scope comes along').toEqual(scope);
      await expect(title(page)).toHaveText(pool);
      const p = await openPanel(page, 'resource-interaction', /resource interaction/i);
      const ri = await api.panel<ApiInteraction>('IpAddress', pool, 'resource-interaction', { ...scope });
      const rows = ri.rows.filter((r) => r.relation === 'instance');
      expect(rows.map((r) => r.entity.id)).toContain(instanceId);
      const table = p.getByTestId('interaction-instance');
      await expect(table.locator('tbody tr')).toHaveCount(rows.length);
      for (const r of rows) {
        expect(instances, 'every instance talking to the pool was launched by the attacker').toContain(r.entity.id);
        const row = table.locator('tbody tr').filter({ has: entityLink(page, 'Ec2Instance', r.entity.id) });
        await expect(row).toContainText(bytes(r.bytes ?? 0));
        await expect(row.locator(`time[datetime="${isoTime(r.firstSeen)}"]`)).toBeVisible();
      }
      await expectSameView(page, openFresh);
    });
  });
});
