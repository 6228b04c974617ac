import { defineConfig } from '@playwright/test';

// Browser tests of the console. scripts/e2e.sh (make e2e) prepares the data,
// starts `trailhound serve` and passes its URL in TRAILHOUND_URL and the
// generator's ground truth in TRAILHOUND_TRUTH; run it rather than this
// directly. The browser is Debian's Chromium, never a downloaded one.

const baseURL = process.env.TRAILHOUND_URL;
if (!baseURL) {
  throw new Error('TRAILHOUND_URL is not set: run the browser tests with make e2e (scripts/e2e.sh)');
}

export default defineConfig({
  testDir: './e2e',
  // Screenshots, traces and the server's log of the run (E2E_OUTPUT moves
  // them, so that two runs on one machine do not clean each other's).
  outputDir: process.env.E2E_OUTPUT || './test-results',
  // A loaded two-core machine runs the server and the browser side by side:
  // pages get generous time, and two workers at most.
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 2,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  use: {
    browserName: 'chromium',
    baseURL,
    viewport: { width: 1280, height: 720 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      // Without these Chromium reaches for the network (updates, sync,
      // field trials) and logs every failure on a machine without one.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
});
