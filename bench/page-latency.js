// Page latency: time from an alert being sent to POST /v2/enqueue until its page reaches
// (a) a real SMTP server and (b) a webhook receiver, at a steady rate (default 1,000 alerts/s),
// against a real `watchkeeper serve --roles api,engine,notify` child process on SQLite.
//
//   npm run bench:page-latency               # builds, then: node bench/page-latency.js
//   node bench/page-latency.js --duration 10 --rate 1000
//
// Every alert pages one person by email and by webhook at once (bench/org-latency.yaml), so each
// alert should produce exactly one email and one webhook call. Target: p99 under 250 ms.
// Prints figures; asserts nothing.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  cpuSeconds,
  fmt,
  freePort,
  int,
  machineLines,
  makeTempDir,
  onCleanup,
  percentile,
  positive,
  runBenchmark,
  ROOT,
  scrapeMetrics,
  serverLogLines,
  sleep,
  startServer,
  stopServer,
  systemCpu,
  table,
  waitHealthy,
} from './common.js';

const ROUTING_KEY = 'bench0latency0events0v2000000000'; // bench/org-latency.yaml
const TARGET_P99_MS = 250;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string' },
    rate: { type: 'string' },
    warmup: { type: 'string' },
    drain: { type: 'string' },
    channels: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (flags.help) {
  console.log(`usage: node bench/page-latency.js [--duration SECONDS (10)] [--rate ALERTS_PER_S (1000)] [--warmup SECONDS (2)] [--drain SECONDS (30)] [--channels both|email|webhook]

--drain is how long to wait after the last alert for pages still on their way.
--channels: page each alert by email and webhook (both, the default) or by one of them only.`);
  process.exit(0);
}

const DURATION_S = positive('duration', flags.duration, 10);
const RATE = positive('rate', flags.rate, 1000);
const WARMUP_S = flags.warmup === '0' ? 0 : positive('warmup', flags.warmup, 2);
const DRAIN_S = positive('drain', flags.drain, 30);
const CHANNELS = flags.channels === undefined || flags.channels === 'both' ? ['email', 'webhook'] : [flags.channels];
if (!CHANNELS.every((c) => c === 'email' || c === 'webhook')) {
  console.error('--channels must be both, email or webhook');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Receivers (worker thread)

function startReceivers(secret, keyPattern) {
  const worker = new Worker(new URL('./page-receivers.js', import.meta.url), { workerData: { secret, keyPattern } });
  onCleanup(() => worker.terminate());
  const waiters = new Map();
  let ready;
  const readyP = new Promise((resolve, reject) => {
    ready = resolve;
    worker.once('error', reject);
  });
  worker.on('message', (m) => {
    if (m.type === 'ready') return ready(m);
    const w = waiters.get(m.type);
    if (w) {
      waiters.delete(m.type);
      w(m);
    }
  });
  worker.on('error', (err) => {
    throw err;
  });
  const ask = (msg, reply) =>
    new Promise((resolve) => {
      waiters.set(reply, resolve);
      worker.postMessage(msg);
    });
  return readyP.then((ports) => ({
    ...ports,
    counts: () => ask('counts', 'counts'),
    collect: () => ask('collect', 'collected'),
    phase: (prefix) => ask({ type: 'phase', prefix }, 'phase'),
    close: () => ask('close', 'closed'),
  }));
}

// ---------------------------------------------------------------------------------------------
// Paced sender

/**
 * Sends `rate` PagerDuty triggers per second for `seconds`, each with a dedup key of its own that
 * also appears in the summary. Returns per key the time the request was handed to the socket
 * pool (the start of the measured latency) and when the 202 came back.
 */
async function sendPaced(baseUrl, { rate, seconds, keyFor }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  onCleanup(() => agent.destroy());
  const url = new URL('/v2/enqueue', baseUrl);
  const total = Math.round(rate * seconds);
  const sent = new Map(); // key -> { at, acked, status }
  const statuses = new Map();
  const lags = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let failures = 0;
  let done;
  const allDone = new Promise((resolve) => {
    done = resolve;
  });
  let finished = 0;
  const finish = () => {
    if (++finished === total) done();
  };

  const send = (i, scheduled) => {
    const key = keyFor(i);
    const body = JSON.stringify({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: key,
      payload: { summary: `Latency probe ${key}`, source: `host-${i % 64}.bench.example`, severity: 'critical', component: 'api', group: 'bench' },
    });
    const at = performance.timeOrigin + performance.now();
    lags.push(at - scheduled);
    const entry = { at, acked: null, status: 0 };
    sent.set(key, entry);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        entry.status = res.statusCode;
        entry.acked = performance.timeOrigin + performance.now();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        inFlight--;
        finish();
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      failures++;
      inFlight--;
      finish();
    });
    req.end(body);
  };

  const start = performance.timeOrigin + performance.now();
  let i = 0;
  while (i < total) {
    const elapsed = performance.timeOrigin + performance.now() - start;
    const due = Math.min(total, Math.floor((elapsed * rate) / 1000) + 1);
    while (i < due) {
      send(i, start + (i * 1000) / rate);
      i++;
    }
    await sleep(1);
  }
  const lastSentAt = performance.timeOrigin + performance.now();
  const sendSeconds = (lastSentAt - start) / 1000;
  await Promise.race([allDone, sleep(60_000)]);
  agent.destroy();
  lags.sort((a, b) => a - b);
  return { sent, statuses, failures, total, sendSeconds, lastSentAt, lags, maxInFlight };
}

/**
 * Waits until every acknowledged alert's pages arrived, progress stops for 5 s, or drainS passes.
 * Returns how long after the last alert was sent the waiting ended.
 */
async function drain(receivers, expected, drainS, lastSentAt) {
  const t0 = performance.now();
  const since = () => performance.timeOrigin + performance.now() - lastSentAt;
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const c = await receivers.counts();
    const got = c.email + c.webhook;
    if (CHANNELS.every((ch) => c[ch] >= expected)) return { waitedMs: since(), complete: true };
    if (got !== last) {
      last = got;
      lastChange = performance.now();
    }
    if (performance.now() - lastChange > 5000 || performance.now() - t0 > drainS * 1000) return { waitedMs: since(), complete: false };
    await sleep(50);
  }
}

function latencyRows(channel, sent, acked, arrived) {
  const lat = [];
  const afterAck = [];
  let duplicates = 0;
  for (const [key, at, n] of arrived) {
    const s = sent.get(key);
    if (!s) continue;
    lat.push(at - s.at);
    if (s.acked) afterAck.push(at - s.acked);
    if (n > 1) duplicates += n - 1;
  }
  lat.sort((a, b) => a - b);
  afterAck.sort((a, b) => a - b);
  const p = (q) => fmt(percentile(lat, q), 1);
  const p99 = percentile(lat, 99);
  return {
    p99,
    rows: [
      [`${channel}: pages received`, `${int(lat.length)} / ${int(acked)} expected${duplicates ? `   (+${duplicates} duplicate deliveries)` : ''}`],
      [`${channel}: latency ms`, `p50 ${p(50)}   p90 ${p(90)}   p99 ${p(99)}   max ${p(100)}`],
      [`${channel}: after the 202 ms`, `p50 ${fmt(percentile(afterAck, 50), 1)}   p99 ${fmt(percentile(afterAck, 99), 1)}   (the delivery part alone)`],
      [`${channel}: p99 vs target`, Number.isFinite(p99) ? `${p99 < TARGET_P99_MS ? 'under' : 'OVER'} ${TARGET_P99_MS} ms` : 'n/a'],
    ],
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  console.log(`Watchkeeper page latency benchmark: ${int(RATE)} alerts/s for ${DURATION_S} s, each paged by email (SMTP) and webhook`);
  for (const l of machineLines()) console.log(l);

  const run = randomBytes(3).toString('hex');
  const secret = randomBytes(24).toString('hex');
  const receivers = await startReceivers(secret, `pl-${run}-[a-z]+-\\d+`);

  const dir = makeTempDir('wk-bench-latency-');
  // The org file names a placeholder webhook URL; point it at this run's receiver.
  const orgText = fs.readFileSync(path.join(ROOT, 'bench', 'org-latency.yaml'), 'utf8');
  const hookUrl = `http://127.0.0.1:${receivers.webhookPort}/watchkeeper-page`;
  const orgFile = path.join(dir, 'org-latency.yaml');
  let org = orgText.replace(/http:\/\/127\.0\.0\.1:\d+\/watchkeeper-page/, hookUrl);
  // One channel only: drop the other channel's notification rule.
  if (!CHANNELS.includes('email')) org = org.replace(/\n\s*- contact_method: work-email\n\s*delay_minutes: 0/, '');
  if (!CHANNELS.includes('webhook')) org = org.replace(/\n\s*- contact_method: pager-hook\n\s*delay_minutes: 0/, '');
  fs.writeFileSync(orgFile, org);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dbFile = path.join(dir, 'watchkeeper.db');
  console.log(`store:   SQLite ${dbFile} (WAL; a 202 waits for fdatasync of the WAL: the server default)`);
  console.log(`server:  --roles api,engine,notify, WATCHKEEPER_ENGINE_INTERVAL_MS=1000, email to smtp://127.0.0.1:${receivers.smtpPort}, webhook to ${hookUrl} (signed)`);
  console.log('latency: from handing the request to the HTTP client to the page fully received (SMTP end of DATA;');
  console.log('         webhook request body read); receivers run in a worker thread of this process.');

  const server = startServer({
    args: ['--data-dir', dir, '--port', String(port), '--host', '127.0.0.1', '--org', orgFile, '--roles', 'api,engine,notify'],
    env: {
      DATABASE_URL: '',
      WATCHKEEPER_SMTP_URL: `smtp://127.0.0.1:${receivers.smtpPort}`,
      WATCHKEEPER_ENGINE_INTERVAL_MS: '1000',
      WATCHKEEPER_INGEST_RATE_LIMIT: '0',
      // Every alert pages the same person: with the noise limits on they would go out as bundles,
      // and this measures single pages through the outbox (bench/deliveries.js measures the limits).
      WATCHKEEPER_DELIVERY_LIMITS: 'off',
      WATCHKEEPER_LOG_LEVEL: 'warn',
      WATCHKEEPER_PUBLIC_URL: baseUrl,
      WK_BENCH_WEBHOOK_SECRET: secret,
    },
  });
  const t0 = performance.now();
  await waitHealthy(server, baseUrl);
  console.log(`         pid ${server.child.pid}, healthy after ${Math.round(performance.now() - t0)} ms`);

  if (WARMUP_S > 0) {
    await receivers.phase(`pl-${run}-warm-`);
    const w = await sendPaced(baseUrl, { rate: RATE, seconds: WARMUP_S, keyFor: (i) => `pl-${run}-warm-${i}` });
    const acked = [...w.sent.values()].filter((s) => s.status === 202).length;
    const d = await drain(receivers, acked, DRAIN_S, w.lastSentAt);
    console.log(
      `warm-up: ${int(w.total)} alerts in ${WARMUP_S} s; ${d.complete ? 'all pages arrived' : 'pages still missing when waiting stopped'} ${fmt(d.waitedMs / 1000, 2)} s after the last alert was sent; not counted below`,
    );
  }
  await receivers.phase(`pl-${run}-run-`);

  const m0 = await scrapeMetrics(baseUrl);
  const cpu0 = cpuSeconds(server.child.pid);
  const sys0 = systemCpu();
  const self0 = process.cpuUsage();
  const tRun = performance.now();
  const r = await sendPaced(baseUrl, { rate: RATE, seconds: DURATION_S, keyFor: (i) => `pl-${run}-run-${i}` });
  const ackedKeys = [...r.sent].filter(([, s]) => s.status === 202).length;
  const d = await drain(receivers, ackedKeys, DRAIN_S, r.lastSentAt);
  const wall = (performance.now() - tRun) / 1000;
  const cpu1 = cpuSeconds(server.child.pid);
  const sys1 = systemCpu();
  const self1 = process.cpuUsage(self0);
  const m1 = await scrapeMetrics(baseUrl);
  const got = await receivers.collect();

  const ackLat = [...r.sent.values()].filter((s) => s.acked).map((s) => s.acked - s.at);
  ackLat.sort((a, b) => a - b);
  const other = [...r.statuses].filter(([s]) => s !== 202).map(([s, c]) => `${c}×${s}`);
  const serverCpu = cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / wall;
  const selfCpu = (self1.user + self1.system) / 1e6 / wall;
  const othersCpu = sys0 && sys1 && serverCpu !== null ? (sys1.busy - sys0.busy) / wall - serverCpu - selfCpu : null;
  const dm = (k) => (m1.get(k) ?? 0) - (m0.get(k) ?? 0);

  console.log(`\nLoad: ${int(r.total)} alerts, one request each, over ${fmt(r.sendSeconds, 2)} s (${int(r.total / r.sendSeconds)}/s)`);
  table([
    ['202 received', `${int(ackedKeys)}${other.length ? `   other: ${other.join(', ')}` : ''}${r.failures ? `   connection errors: ${r.failures}` : ''}`],
    ['ingest latency ms (to 202)', `p50 ${fmt(percentile(ackLat, 50), 1)}   p99 ${fmt(percentile(ackLat, 99), 1)}   max ${fmt(percentile(ackLat, 100), 1)}`],
    ['sender lag behind schedule', `p50 ${fmt(percentile(r.lags, 50), 1)} ms   p99 ${fmt(percentile(r.lags, 99), 1)} ms   (requests in flight at most ${r.maxInFlight})`],
    ['last page', `${d.complete ? 'all pages arrived' : 'pages still missing when waiting stopped'} ${fmt(d.waitedMs / 1000, 2)} s after the last alert was sent`],
    [
      'CPU (share of one core)',
      `server ${serverCpu === null ? 'n/a' : `${fmt(serverCpu * 100, 0)}%`}, this process (sender + receivers) ${fmt(selfCpu * 100, 0)}%, other processes ${othersCpu === null ? 'n/a' : `${fmt(Math.max(0, othersCpu) * 100, 0)}%`}`,
    ],
  ]);

  console.log(`\nPages (each alert: ${CHANNELS.map((c) => `one ${c}`).join(', ')}):`);
  const worst = [];
  for (const ch of CHANNELS) {
    const l = latencyRows(ch, r.sent, ackedKeys, got.arrivals[ch]);
    worst.push(l.p99);
    table(l.rows);
    if (got.unmatched[ch]) console.log(`  ${ch}: ${got.unmatched[ch]} page(s) that matched no alert of this run`);
    for (const p of got.problems[ch]) console.log(`  ${ch} problem: ${p}`);
  }
  const sentN = (ch) => dm(`watchkeeper_deliveries_total{channel="${ch}",outcome="sent"}`);
  const failedN = (ch) => dm(`watchkeeper_deliveries_total{channel="${ch}",outcome="failed"}`);
  const cycles = dm('watchkeeper_engine_cycle_seconds_count');
  console.log(`\nServer view (/metrics during the run): deliveries sent email ${int(sentN('email'))}, webhook ${int(sentN('webhook'))}; failed email ${int(failedN('email'))}, webhook ${int(failedN('webhook'))}`);
  console.log(`  engine cycles (engine + notifier loops): ${int(cycles)}, mean ${fmt((dm('watchkeeper_engine_cycle_seconds_sum') / Math.max(1, cycles)) * 1000, 1)} ms`);

  const stop = await stopServer(server);
  console.log(`\nserver stopped with SIGTERM in ${stop.ms} ms (exit code ${stop.code}${stop.signal ? `, signal ${stop.signal}` : ''}${stop.killed ? '; did not stop in time, killed' : ''})`);
  for (const l of serverLogLines(server)) console.log(l);

  // What the outbox says, read back from the file.
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('select channel, status, count(*) as n from pages group by channel, status order by channel, status').all();
      console.log(`outbox after stop (warm-up included): ${rows.map((x) => `${x.channel} ${x.status} ${int(x.n)}`).join(', ')}`);
      const errors = db.prepare("select outcome, error, count(*) as n from page_attempts where outcome != 'sent' group by outcome, error order by n desc limit 5").all();
      for (const e of errors) console.log(`  ${e.n}× ${e.outcome}: ${e.error}`);
    } finally {
      db.close();
    }
  } catch (err) {
    console.log(`outbox: could not read ${dbFile}: ${err.message}`);
  }
  await Promise.race([receivers.close(), sleep(5000)]);

  const p99 = Math.max(...worst.map((x) => (Number.isFinite(x) ? x : Infinity)));
  console.log(`\nTarget p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'NOT met'} (worst channel p99 ${fmt(p99, 1)} ms)`);
}

runBenchmark('bench/page-latency.js', main, { timeLimitMs: (WARMUP_S + DURATION_S + 2 * DRAIN_S + 120) * 1000 });
