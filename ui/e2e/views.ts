// Helpers that drive the console's widgets: profile tabs, panels, nested
// activity tables, charts and the map. They go through roles and names
// where the console offers them, through its test hooks (data-testid,
// data-row-*) for table rows, and through the pointer on charts.

import { expect, type Locator, type Page } from '@playwright/test';
import { n, panel, type ApiVolume, type Counts } from './harness';

/** Selects the tab whose name matches, inside scope (a page or a panel). */
export async function openTab(scope: Page | Locator, name: RegExp): Promise<void> {
  const tab = scope.getByRole('tab', { name }).first();
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
}

/** The tab list of an entity profile (Overview, New behavior, ...). */
export function profileTabs(page: Page): Locator {
  return page.getByRole('tablist', { name: /profile/i });
}

/**
 * Shows a panel of the profile: it is on the current tab, or on the tab
 * whose name matches (types with a single tab have no tab list).
 */
export async function openPanel(page: Page, id: string, tab: RegExp): Promise<Locator> {
  const p = panel(page, id);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  if (!(await p.isVisible())) await openTab(profileTabs(page), tab);
  await expect(p).toBeVisible();
  return p;
}

/**
 * The row of a nested activity table (IP → API → caller and so on) at
 * any depth, by kind (ip, api, caller) and label as the API gives them.
 */
export function activityRow(scope: Locator, kind: 'ip' | 'api' | 'caller', label: string): Locator {
  return scope.locator(`tr[data-row-kind="${kind}"][data-row-label="${label.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"]`).first();
}

/** Checks a row's successful and failed counts (its 2nd and 3rd cells). */
export async function expectCounts(row: Locator, c: Counts): Promise<void> {
  await expect(row).toBeVisible();
  await expect(row.locator('td').nth(1)).toHaveText(n(c.success));
  await expect(row.locator('td').nth(2)).toHaveText(n(c.failure));
}

/** The bucket with the most calls, and its index. */
export function spikeOf(v: ApiVolume): { index: number; bucket: { start: number } & Counts } {
  let index = 0;
  v.buckets.forEach((b, i) => {
    const top = v.buckets[index];
    if (b.success + b.failure > top.success + top.failure) index = i;
  });
  return { index, bucket: v.buckets[index] };
}

function pad(x: number): string {
  return String(x).padStart(2, '0');
}

/** "2026-11-04 01:29", as the console shows times in UTC. */
export function utcMinute(epoch: number): string {
  const t = new Date(epoch * 1000);
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
}

/**
 * Reads the first "YYYY-MM-DD HH:MM[:SS]" of a text as UTC epoch seconds,
 * with its precision (60 when the seconds are not shown).
 */
function firstTime(text: string): { t: number; precision: number } | undefined {
  const m = /(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  return { t: Date.UTC(y, mo - 1, d, h, mi, sec) / 1000, precision: m[6] === undefined ? 60 : 1 };
}

/**
 * The chart or map of a panel: the element with role img around the
 * canvas, whose accessible name says what is drawn.
 */
export function chartOf(p: Locator): Locator {
  return p.getByRole('img').filter({ has: p.page().locator('canvas') }).first();
}

/**
 * Clicks the bar of a bucket on a panel's timeline, as an analyst clicking
 * the spike would: the pointer hovers the chart, reads the bucket under it
 * from the tooltip, moves by the difference until the tooltip names the
 * wanted bucket, and clicks there.
 */
export async function clickBucket(page: Page, panelId: string, v: ApiVolume, index: number): Promise<void> {
  const chart = chartOf(panel(page, panelId));
  await expect(chart).toBeVisible();
  // Centred in the viewport, clear of the sticky header.
  await chart.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const target = v.buckets[index].start;
  const box = (await chart.boundingBox())!;
  const y = box.y + box.height / 2;
  const width = box.width / v.buckets.length;
  let x = box.x + box.width / 2;
  for (let i = 0; i < 16; i++) {
    await page.mouse.move(x, y);
    const shown = firstTime(await chart.innerText().catch(() => ''));
    if (shown === undefined) {
      // Between bars or outside the plot: move on.
      x += width / 3;
      if (x > box.x + box.width) x = box.x + 2;
      continue;
    }
    // Buckets start at the scope's start, which may fall between minutes.
    const off = Math.round((Math.floor(target / shown.precision) * shown.precision - shown.t) / v.bucketSeconds);
    if (off === 0) {
      await page.mouse.click(x, y);
      return;
    }
    x = Math.min(box.x + box.width - 2, Math.max(box.x + 2, x + off * width * 0.9));
  }
  throw new Error(`no point of the ${panelId} chart shows the bucket of ${utcMinute(target)}`);
}

/** The colour the map draws newly observed places in. */
export const newPlaceColor = '#f03e3e';

/** The colour the map fills the countries of newly observed places with. */
export const newCountryFill = '#ffe3d6';

/**
 * Counts the pixels of a chart's canvas close to a colour (#rrggbb): a
 * marker or area drawn in that colour shows up, whatever its position.
 */
export async function pixelsOfColor(chart: Locator, hex: string): Promise<number> {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return chart.locator('canvas').first().evaluate(
    (canvas: HTMLCanvasElement, rgb: number[]) => {
      const ctx = canvas.getContext('2d');
      if (!ctx) return 0;
      const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let count = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - rgb[0]) < 12 && Math.abs(d[i + 1] - rgb[1]) < 12 && Math.abs(d[i + 2] - rgb[2]) < 12 && d[i + 3] > 200) count++;
      }
      return count;
    },
    [r, g, b],
  );
}
