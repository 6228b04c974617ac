// The console is served, with its security headers, and can reach the API.

import { test, expect, expectStrictCSP, title } from './harness';

test('the console loads with a strict Content-Security-Policy and talks to the API', async ({ page, api }) => {
  const res = await page.goto('/');
  expect(res, 'document response').not.toBeNull();
  expect(res!.status()).toBe(200);

  const headers = res!.headers();
  expectStrictCSP(headers);
  expect(headers['x-content-type-options']).toBe('nosniff');

  await expect(page).toHaveTitle(/Trailhound/);
  await expect(title(page)).toBeVisible();

  // The page's own origin answers API calls (connect-src 'self'), with
  // what the API answers the tests directly.
  const fromPage = await page.evaluate(async () => {
    const r = await fetch('/api/v1/panels', { headers: { Accept: 'application/json' } });
    return { status: r.status, type: r.headers.get('content-type'), body: (await r.json()) as unknown };
  });
  expect(fromPage.status).toBe(200);
  expect(fromPage.type).toContain('application/json');
  const titles = await api.panelTitles();
  expect(titles.size).toBeGreaterThan(0);
  expect(fromPage.body).toEqual(await api.get('/panels'));
});

test('an unknown API route answers a JSON error, not the console', async ({ api, request }) => {
  const res = await request.get('/api/v1/no-such-route');
  expect(res.status()).toBe(404);
  expect(res.headers()['content-type']).toContain('application/json');
  const body = (await res.json()) as { error?: { code?: string } };
  expect(body.error?.code).toBe('not_found');
  // A console route that is not an asset gets the application.
  const page = await request.get('/entities/AwsUser/AIDAEXAMPLE');
  expect(page.status()).toBe(200);
  expect(page.headers()['content-type']).toContain('text/html');
  expect(page.headers()['content-security-policy']).toContain("script-src 'self'");
  expect((await api.panelTitles()).get('api-call-volume')).toBeTruthy();
});
