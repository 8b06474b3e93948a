// Home page load: how long a signed-in person waits for the home page of the web UI, with
// 10,000 open alerts in the store, in a real headless Chromium against a real
// `watchkeeper serve` on SQLite. Target: interactive in under 1 s.
//
//   npm run bench:ui-home                     # builds, then: node bench/ui-home.js
//   node bench/ui-home.js --alerts 10000 --loads 10
//
// "Interactive" is when the open-alert counts are on screen and the page answers a click: the
// time from starting the navigation to the alert count link being visible and enabled, then a
// click on it landing on the alert list. Needs /usr/bin/chromium (Debian's chromium package).
// Prints figures; asserts nothing.

import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { fmt, freePort, int, machineLines, makeTempDir, onCleanup, percentile, positive, runBenchmark, ROOT, serverLogLines, startServer, stopServer, waitHealthy } from './common.js';

const ROUTING_KEY = 'demo0checkout0events0v2000000000'; // examples/demo.yaml
const CHROMIUM = process.env.WATCHKEEPER_CHROMIUM ?? '/usr/bin/chromium';
const TARGET_MS = 1000;

const { values: flags } = parseArgs({
  options: {
    alerts: { type: 'string' },
    loads: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log('usage: node bench/ui-home.js [--alerts N (10000)] [--loads N (10)]');
  process.exit(0);
}
const ALERTS = Math.round(positive('alerts', flags.alerts, 10_000));
const LOADS = Math.round(positive('loads', flags.loads, 10));

/** Opens ALERTS alerts through /v2/enqueue, 16 requests at a time. */
async function seed(baseUrl) {
  let next = 0;
  const one = async () => {
    while (next < ALERTS) {
      const i = next++;
      const res = await fetch(`${baseUrl}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          routing_key: ROUTING_KEY,
          event_action: 'trigger',
          dedup_key: `home-${i}`,
          payload: { summary: `Bench alert ${i}: error rate above threshold on host-${i % 50}`, source: `host-${i % 50}`, severity: ['critical', 'error', 'warning', 'info'][i % 4] },
        }),
      });
      if (res.status !== 202) throw new Error(`seeding alert ${i}: HTTP ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, one));
}

/** The gzipped size of the JavaScript index.html loads before anything else. */
function initialJs() {
  const dist = path.join(ROOT, 'web', 'dist');
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="([^"]+\.js)"/g)].map((m) => m[1]);
  return files.reduce((sum, f) => sum + gzipSync(fs.readFileSync(path.join(dist, f.replace(/^\//, '')))).length, 0);
}

async function main() {
  console.log(`Watchkeeper web UI benchmark: home page load with ${int(ALERTS)} open alerts`);
  for (const l of machineLines()) console.log(l);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}; install it with apt-get install chromium, or set WATCHKEEPER_CHROMIUM`);
  if (!fs.existsSync(path.join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('the web UI is not built; run npm run build:web (npm run bench:ui-home does)');
  console.log(`ui:      initial JavaScript ${fmt(initialJs() / 1024, 1)} KB gzipped (budget 300 KB)`);

  const dir = makeTempDir('wk-bench-ui-');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = startServer({
    args: ['--data-dir', dir, '--port', String(port), '--host', '127.0.0.1'],
    env: { DATABASE_URL: '', WATCHKEEPER_INGEST_RATE_LIMIT: '0', WATCHKEEPER_LOG_LEVEL: 'warn', WATCHKEEPER_PUBLIC_URL: baseUrl },
  });
  await waitHealthy(server, baseUrl);
  const t0 = performance.now();
  await seed(baseUrl);
  console.log(`store:   SQLite in ${dir}; ${int(ALERTS)} alerts opened through /v2/enqueue in ${fmt((performance.now() - t0) / 1000, 1)} s`);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  onCleanup(() => browser.close());
  const context = await browser.newContext();
  const page = await context.newPage();
  const password = fs.readFileSync(path.join(dir, 'admin-password'), 'utf8').trim();
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email', { exact: true }).fill('alice@example.com');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/`);
  console.log(`browser: ${CHROMIUM} ${browser.version()}, headless, signed in as alice; browser cache kept between loads`);

  const countLink = page.getByRole('link', { name: /^[\d,.\s\u202f]+ triggered alerts$/ });
  const interactive = [];
  const counts = new Set();
  for (let i = 0; i < LOADS; i++) {
    await page.goto('about:blank');
    const start = performance.now();
    await page.goto(`${baseUrl}/`, { waitUntil: 'commit' });
    await countLink.waitFor({ state: 'visible', timeout: 10_000 });
    await countLink.click({ trial: true }); // actionable: visible, stable, enabled, receives events
    interactive.push(performance.now() - start);
    counts.add((await countLink.getAttribute('aria-label')) ?? '');
  }
  // The click a person makes next really lands on the list.
  await countLink.click();
  await page.waitForURL(/\/alerts\?/);

  interactive.sort((a, b) => a - b);
  console.log(`\nHome page, ${LOADS} loads (navigation start to counts on screen and clickable)`);
  console.log(`  min ${fmt(interactive[0], 0)} ms   p50 ${fmt(percentile(interactive, 50), 0)} ms   max ${fmt(interactive[interactive.length - 1], 0)} ms`);
  console.log(`  the page showed: ${[...counts].join(', ')}`);
  await browser.close();
  const stop = await stopServer(server);
  console.log(`\nserver stopped with SIGTERM in ${stop.ms} ms (exit code ${stop.code})`);
  for (const l of serverLogLines(server)) console.log(l);
  const worst = interactive[interactive.length - 1];
  console.log(`\nTarget interactive < ${TARGET_MS} ms: ${worst < TARGET_MS ? 'met' : 'NOT met'} (slowest of ${LOADS} loads ${fmt(worst, 0)} ms)`);
}

runBenchmark('bench/ui-home.js', main, { timeLimitMs: 300_000 });
