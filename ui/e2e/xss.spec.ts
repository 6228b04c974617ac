// Log fields are attacker-controlled. The hostile fixture
// (ui/e2e/fixtures/hostile) puts markup and quotes where an attacker can:
// a user agent `<img src=x onerror=alert(1)>`, an IAM user whose name and
// ARN hold a <script>, a role session named a"b'c, and a GuardDuty finding
// whose title and location hold markup. Every page that shows them must
// show them as text: no element is created from them, no script runs, no
// dialog opens (the harness fails the test on a dialog, a console error, a
// CSP violation or window.__xss being set), and the document carries the
// Content-Security-Policy.

import { test, expect, entityLink, entityPath, expectStrictCSP, findingPath, hostile, panel, title, type Scope } from './harness';
import { openPanel } from './views';
import type { Page } from '@playwright/test';

/** Elements that only injected markup could have created. */
async function expectNoInjectedElements(page: Page): Promise<void> {
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('[onerror], [onload], [onmouseover], [onclick]')).toHaveCount(0);
  await expect(page.locator('body script')).toHaveCount(0);
  await expect(page.locator('svg[onload]')).toHaveCount(0);
}

async function open(page: Page, path: string): Promise<void> {
  const res = await page.goto(path);
  expectStrictCSP(res!.headers());
  await page.waitForLoadState('networkidle');
}

const day: Scope = { scopeStart: hostile.scope.scopeStart - 10 * 3600, scopeEnd: hostile.scope.scopeEnd + 13 * 3600 };

test.describe('hostile log data renders as text', () => {
  test('a user agent with an <img onerror>', async ({ page }) => {
    await open(page, entityPath('UserAgent', hostile.alertUserAgent, day));
    await expect(title(page)).toHaveText(hostile.alertUserAgent);
    // The user who sent it is linked, its name shown as text.
    const p = await openPanel(page, 'resource-interaction', /resource interaction/i);
    await expect(entityLink(p, 'AwsUser', hostile.userId).first()).toHaveText(hostile.userName);
    await expectNoInjectedElements(page);
  });

  test('a user whose name and ARN hold a <script>', async ({ page }) => {
    await open(page, entityPath('AwsUser', hostile.userId, day));
    await expect(title(page)).toHaveText(hostile.userName);
    await expect(page.getByRole('main')).toContainText(hostile.userArn);
    const p = await openPanel(page, 'new-user-agents', /new behavior/i);
    await expect(p.getByText(hostile.alertUserAgent, { exact: true }).first()).toBeVisible();
    await expectNoInjectedElements(page);
  });

  test('a role session named with quotes', async ({ page }) => {
    await open(page, entityPath('AwsRoleSession', hostile.sessionId, day));
    await expect(title(page)).toHaveText(hostile.sessionName);
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/entities/AwsRoleSession/${hostile.sessionId}`);
    // Started by the hostile user, named as text.
    await expect(entityLink(panel(page, 'details'), 'AwsUser', hostile.userId).first()).toHaveText(hostile.userName);
    const p = await openPanel(page, 'new-user-agents', /new behavior/i);
    await expect(p.getByText(hostile.flagUserAgent, { exact: true }).first()).toBeVisible();
    await expectNoInjectedElements(page);
  });

  test('a finding whose title holds markup', async ({ page }) => {
    await open(page, findingPath(hostile.findingId));
    await expect(title(page)).toHaveText(hostile.findingTitle);
    await expect(entityLink(panel(page, 'involved-entities'), 'AwsUser', hostile.userId).first()).toHaveText(hostile.userName);
    await expectNoInjectedElements(page);
  });

  test('search results and the findings list', async ({ page }) => {
    await open(page, '/search');
    const box = page.getByRole('searchbox').first();
    await box.fill('*HOSTILE*');
    await box.press('Enter');
    const main = page.getByRole('main');
    await expect(entityLink(main, 'AwsRoleSession', hostile.sessionId).first()).toHaveText(hostile.sessionName);
    await expect(entityLink(main, 'AwsUser', hostile.userId).first()).toHaveText(hostile.userName);
    await expectNoInjectedElements(page);

    await open(page, '/findings');
    await expect(page.getByText(hostile.findingTitle, { exact: true }).first()).toBeVisible();
    await expectNoInjectedElements(page);
  });

  test('a user agent named ".." opens, with its calls and its user', async ({ page }) => {
    // The console names such an entity in the query, as the API does.
    await open(page, `/entities/UserAgent?id=..&scopeStart=${day.scopeStart}&scopeEnd=${day.scopeEnd}`);
    await expect(title(page)).toHaveText(hostile.dotsUserAgent);
    await expect(panel(page, 'api-call-volume').getByTestId('volume-totals')).toContainText('1 calls in scope');
    const p = await openPanel(page, 'resource-interaction', /resource interaction/i);
    await p.getByRole('link', { name: '..', exact: true }).first().click();
    await expect(page).toHaveURL(new RegExp(`/entities/AwsUser/${hostile.dotsUserId}`));
    await expect(title(page)).toHaveText('..');
    await expectNoInjectedElements(page);
  });

  test('the raw records of the hostile user', async ({ page }) => {
    await open(page, entityPath('AwsUser', hostile.userId, day));
    await panel(page, 'api-call-volume').getByRole('button', { name: /show the raw events/ }).first().click();
    const drawer = page.getByTestId('events-drawer');
    await expect(drawer).toBeVisible();
    await drawer.getByTestId('events-row').first().click();
    const record = drawer.getByTestId('events-record');
    await expect(record).toContainText(`"userAgent": "${hostile.alertUserAgent}"`);
    await expect(record).toContainText(hostile.userArn);
    await expectNoInjectedElements(page);
  });
});
