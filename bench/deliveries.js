// Deliveries: (1) pages per second through the outbox alone, and (2) how fast the first message
// about a critical alert arrives while 10,000 alerts arrive within a minute, mostly low-urgency
// noise, with the noise limits on (src/notify/throttle.ts). Real `watchkeeper serve` child
// processes on SQLite; email to a real SMTP server (smtp-server) and webhooks to an HTTP receiver,
// both in a worker thread of this process.
//
//   npm run bench:deliveries                # builds, then: node bench/deliveries.js
//   node bench/deliveries.js --pages-alerts 3000 --storm 10000 --storm-seconds 60
//
// Phase 1, throughput: a server with --roles api,engine (no notifier) takes --pages-alerts alerts,
// each paging one person by email and by webhook, and stops; the outbox now holds their pages. A
// server with --roles api,notify and WATCHKEEPER_DELIVERY_LIMITS=off then delivers them: pages per
// second from its first delivery to its last, so ingest is not part of the figure.
//
// Phase 2, storm: a fresh server with every role and the default noise limits. 30 services, each
// paging its own on-call person by email and webhook at once. --storm alerts arrive evenly over
// --storm-seconds: one critical alert per second (round robin over the services, so each person
// gets about two a minute) and low-urgency noise for the rest, on the same services and people.
// Measured: time from sending a critical alert to the first message naming it on either channel.
// Target: p99 under 1 s. The noise goes out in bundles within the caps; the figures say how many
// messages carried it. Prints figures; asserts nothing.

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
  serverLogLines,
  sleep,
  startServer,
  stopServer,
  systemCpu,
  table,
  waitHealthy,
} from './common.js';

const TARGET_P99_MS = 1000;
const SERVICES = 30;

const { values: flags } = parseArgs({
  options: {
    'pages-alerts': { type: 'string' },
    storm: { type: 'string' },
    'storm-seconds': { type: 'string' },
    drain: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (flags.help) {
  console.log(`usage: node bench/deliveries.js [--pages-alerts N (3000)] [--storm N (10000)] [--storm-seconds S (60)] [--drain SECONDS (90)]

--pages-alerts: alerts queued for the throughput phase (two pages each).
--storm, --storm-seconds: alerts in the storm and over how long they arrive (one critical per second).
--drain: how long to wait after the last alert for messages still on their way.`);
  process.exit(0);
}

const PAGES_ALERTS = positive('pages-alerts', flags['pages-alerts'], 3000);
const STORM = positive('storm', flags.storm, 10_000);
const STORM_S = positive('storm-seconds', flags['storm-seconds'], 60);
const DRAIN_S = positive('drain', flags.drain, 90);

const pad = (n) => String(n).padStart(2, '0');
const keyOf = (i) => `bench0deliv0svc${pad(i)}`.padEnd(32, '0');

function orgYaml(hookBase) {
  const users = [];
  const policies = [];
  const services = [];
  for (let i = 0; i < SERVICES; i++) {
    users.push(`  - name: oncall-${pad(i)}
    email: oncall-${pad(i)}@bench.test
    contact_methods:
      - { name: mail, type: email, address: oncall-${pad(i)}@bench.test }
      - { name: hook, type: webhook, address: "${hookBase}/oncall-${pad(i)}" }
      - { name: chat, type: slack, address: UBENCH${pad(i)} }
      - { name: phone, type: sms, address: "+141555501${pad(i)}" }
    notification_rules:
      - { contact_method: mail, delay_minutes: 0 }
      - { contact_method: hook, delay_minutes: 0 }
      - { contact_method: chat, delay_minutes: 0 }
      - { contact_method: phone, delay_minutes: 0 }`);
    policies.push(`  - name: p${pad(i)}
    levels:
      - targets: [{ user: oncall-${pad(i)} }]
        delay_minutes: 30`);
    services.push(`  - name: Service ${pad(i)}
    escalation_policy: p${pad(i)}
    integrations:
      - { name: pd, type: events_v2, key: ${keyOf(i)} }`);
  }
  return `users:\n${users.join('\n')}\nescalation_policies:\n${policies.join('\n')}\nservices:\n${services.join('\n')}\n`;
}

function startReceivers(keyPattern) {
  const worker = new Worker(new URL('./delivery-receivers.js', import.meta.url), { workerData: { keyPattern } });
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
  const ask = (msg, reply) =>
    new Promise((resolve) => {
      waiters.set(reply, resolve);
      worker.postMessage(msg);
    });
  return readyP.then((ports) => ({
    ...ports,
    counts: () => ask('counts', 'counts'),
    collect: () => ask('collect', 'collected'),
    reset: () => ask('reset', 'reset'),
    close: () => ask('close', 'closed'),
  }));
}

/** Sends `total` PagerDuty triggers evenly over `seconds`; `alertFor(i)` gives key, service, severity. */
async function sendPaced(baseUrl, total, seconds, alertFor) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  onCleanup(() => agent.destroy());
  const url = new URL('/v2/enqueue', baseUrl);
  const sent = new Map();
  const statuses = new Map();
  let failures = 0;
  let finished = 0;
  let done;
  const allDone = new Promise((resolve) => {
    done = resolve;
  });
  const send = (i) => {
    const a = alertFor(i);
    const body = JSON.stringify({ routing_key: keyOf(a.service), event_action: 'trigger', dedup_key: a.key, payload: { summary: `Bench ${a.key}`, source: 'bench.example', severity: a.severity } });
    const entry = { at: performance.timeOrigin + performance.now(), status: 0, critical: a.severity === 'critical' };
    sent.set(a.key, entry);
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => {
        entry.status = res.statusCode;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (++finished === total) done();
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      failures++;
      if (++finished === total) done();
    });
    req.end(body);
  };
  const rate = total / seconds;
  const start = performance.now();
  let i = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (i < due) send(i++);
    await sleep(1);
  }
  const lastSentAt = performance.timeOrigin + performance.now();
  await Promise.race([allDone, sleep(60_000)]);
  agent.destroy();
  return { sent, statuses, failures, lastSentAt, sendSeconds: (performance.now() - start) / 1000 };
}

function serverEnv(receivers, baseUrl, limits) {
  return {
    DATABASE_URL: '',
    WATCHKEEPER_SMTP_URL: `smtp://127.0.0.1:${receivers.smtpPort}`,
    WATCHKEEPER_ENGINE_INTERVAL_MS: '1000',
    WATCHKEEPER_INGEST_RATE_LIMIT: '0',
    WATCHKEEPER_LOG_LEVEL: 'warn',
    WATCHKEEPER_PUBLIC_URL: baseUrl,
    WATCHKEEPER_DELIVERY_LIMITS: limits,
    WATCHKEEPER_SLACK_BOT_TOKEN: 'xoxb-bench',
    WATCHKEEPER_SLACK_SIGNING_SECRET: 'bench-signing-secret',
    WATCHKEEPER_SLACK_API_URL: `http://127.0.0.1:${receivers.providersPort}/api/`,
    WATCHKEEPER_TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    WATCHKEEPER_TWILIO_AUTH_TOKEN: 'bench-auth-token',
    WATCHKEEPER_TWILIO_FROM: '+14155552671',
    WATCHKEEPER_TWILIO_API_URL: `http://127.0.0.1:${receivers.providersPort}`,
  };
}

function outboxLines(dbFile) {
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("select case priority when 0 then 'high' else 'low' end as urgency, status, count(*) as n, sum(bundle_id is not null) as bundled from pages group by 1, 2 order by 1, 2").all();
      return rows.map((r) => `  ${r.urgency} urgency ${r.status}: ${int(r.n)}${r.bundled ? ` (${int(r.bundled)} carried in another page's message)` : ''}`);
    } finally {
      db.close();
    }
  } catch (err) {
    return [`  outbox: could not read ${dbFile}: ${err.message}`];
  }
}

// ---------------------------------------------------------------------------------------------

async function throughput(receivers, run) {
  const dir = makeTempDir('wk-bench-deliveries-');
  const orgFile = path.join(dir, 'org.yaml');
  fs.writeFileSync(orgFile, orgYaml(`http://127.0.0.1:${receivers.webhookPort}`));
  const dbFile = path.join(dir, 'watchkeeper.db');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const common = ['--data-dir', dir, '--port', String(port), '--host', '127.0.0.1', '--org', orgFile];

  console.log(`\nPhase 1: ${int(PAGES_ALERTS)} alerts queued by a server without a notifier, then delivered by one with WATCHKEEPER_DELIVERY_LIMITS=off`);
  const filler = startServer({ args: [...common, '--roles', 'api,engine'], env: serverEnv(receivers, baseUrl, 'off'), label: 'queueing server' });
  await waitHealthy(filler, baseUrl);
  const q = await sendPaced(baseUrl, PAGES_ALERTS, Math.max(1, PAGES_ALERTS / 1000), (i) => ({ key: `dl-${run}-p-${i}`, service: i % SERVICES, severity: 'critical' }));
  const queued = q.statuses.get(202) ?? 0;
  await stopServer(filler);
  const expected = queued * 4;

  await receivers.reset();
  const tStart = performance.now();
  const server = startServer({ args: [...common, '--roles', 'api,notify'], env: serverEnv(receivers, baseUrl, 'off'), label: 'delivering server' });
  let firstAt = null;
  let lastAt = null;
  let lastCount = -1;
  let lastChange = performance.now();
  for (;;) {
    const c = await receivers.counts();
    const got = c.total;
    const t = performance.now();
    if (got > 0 && firstAt === null) firstAt = t;
    if (got !== lastCount) {
      lastCount = got;
      lastChange = t;
      lastAt = t;
    }
    if (got >= expected || t - lastChange > 5000 || t - tStart > DRAIN_S * 1000) break;
    await sleep(20);
  }
  const cpu = cpuSeconds(server.child.pid);
  await stopServer(server);
  const span = lastAt !== null && firstAt !== null ? (lastAt - firstAt) / 1000 : NaN;
  table([
    ['queued', `${int(queued)} alerts (202), ${int(expected)} pages (email, webhook, Slack, SMS)`],
    ['delivered', `${int(lastCount)} / ${int(expected)} messages received`],
    ['pages per second', `${fmt(lastCount / span, 0)} (first to last delivery, ${fmt(span, 2)} s; polling granularity 20 ms)`],
    ['from process start', `${fmt(((lastAt ?? NaN) - tStart) / 1000, 2)} s to the last delivery, start-up included`],
    ['server CPU', cpu === null ? 'n/a' : `${fmt(cpu, 1)} s`],
  ]);
  for (const l of outboxLines(dbFile)) console.log(l);
  for (const l of serverLogLines(server)) console.log(l);
}

async function storm(receivers, run) {
  const dir = makeTempDir('wk-bench-storm-');
  const orgFile = path.join(dir, 'org.yaml');
  fs.writeFileSync(orgFile, orgYaml(`http://127.0.0.1:${receivers.webhookPort}`));
  const dbFile = path.join(dir, 'watchkeeper.db');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const criticalEvery = Math.max(1, Math.round(STORM / STORM_S));
  console.log(`\nPhase 2: ${int(STORM)} alerts over ${STORM_S} s (${int(STORM / STORM_S)}/s), one critical every ${criticalEvery} (one a second), the rest low-urgency noise;`);
  console.log(`         ${SERVICES} services, each paging its own person by email, webhook, Slack and SMS; default noise limits`);

  await receivers.reset();
  const server = startServer({ args: ['--data-dir', dir, '--port', String(port), '--host', '127.0.0.1', '--org', orgFile, '--roles', 'api,engine,notify'], env: serverEnv(receivers, baseUrl, 'on') });
  await waitHealthy(server, baseUrl);
  const cpu0 = cpuSeconds(server.child.pid);
  const sys0 = systemCpu();
  const t0 = performance.now();
  let crit = 0;
  const r = await sendPaced(baseUrl, STORM, STORM_S, (i) =>
    i % criticalEvery === 0 ? { key: `dl-${run}-c-${i}`, service: crit++ % SERVICES, severity: 'critical' } : { key: `dl-${run}-n-${i}`, service: i % SERVICES, severity: 'info' },
  );
  const criticals = [...r.sent].filter(([, s]) => s.critical && s.status === 202);
  const noise = [...r.sent].filter(([, s]) => !s.critical && s.status === 202);
  // Wait for every critical alert and for the noise to settle.
  const tDrain = performance.now();
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    const c = await receivers.counts();
    if (c.keys !== last) {
      last = c.keys;
      lastChange = performance.now();
    }
    if (c.keys >= criticals.length + noise.length || performance.now() - lastChange > 10_000 || performance.now() - tDrain > DRAIN_S * 1000) break;
    await sleep(100);
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = cpuSeconds(server.child.pid);
  const sys1 = systemCpu();
  const got = await receivers.collect();
  const firstAt = new Map(got.first);
  const lat = criticals.map(([k, s]) => (firstAt.has(k) ? firstAt.get(k) - s.at : Infinity)).sort((a, b) => a - b);
  const arrived = lat.filter(Number.isFinite);
  const noiseSeen = noise.filter(([k]) => firstAt.has(k)).length;
  const noiseLat = noise.filter(([k]) => firstAt.has(k)).map(([k, s]) => firstAt.get(k) - s.at).sort((a, b) => a - b);
  const other = [...r.statuses].filter(([s]) => s !== 202).map(([s, c]) => `${c}×${s}`);
  const serverCpu = cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / wall;
  const othersCpu = sys0 && sys1 && serverCpu !== null ? (sys1.busy - sys0.busy) / wall - serverCpu : null;

  table([
    ['sent', `${int(r.sent.size)} alerts in ${fmt(r.sendSeconds, 1)} s; 202: ${int(r.statuses.get(202) ?? 0)}${other.length ? `, other: ${other.join(', ')}` : ''}${r.failures ? `, connection errors: ${r.failures}` : ''}`],
    ['critical alerts', `${int(criticals.length)}; first message arrived for ${int(arrived.length)}`],
    ['critical: first delivery ms', `p50 ${fmt(percentile(arrived, 50), 1)}   p90 ${fmt(percentile(arrived, 90), 1)}   p99 ${fmt(percentile(lat, 99), 1)}   max ${fmt(percentile(lat, 100), 1)}`],
    ['noise alerts', `${int(noise.length)}; named in some message: ${int(noiseSeen)} (email lists 10 alerts per bundle, webhooks list all)`],
    ['noise: first delivery s', `p50 ${fmt(percentile(noiseLat, 50) / 1000, 1)}   p99 ${fmt(percentile(noiseLat, 99) / 1000, 1)}   (held by the limits, then bundled)`],
    ['messages', `${['email', 'webhook', 'slack', 'sms'].map((c) => `${c} ${int(got.messages[c])} (${int(got.bundles[c])} bundles)`).join(', ')}, for ${int(SERVICES)} people`],
    ['CPU (share of one core)', `server ${serverCpu === null ? 'n/a' : `${fmt(serverCpu * 100, 0)}%`}, other processes incl. this one ${othersCpu === null ? 'n/a' : `${fmt(Math.max(0, othersCpu) * 100, 0)}%`}`],
  ]);
  for (const p of got.problems) console.log(`  receiver problem: ${p}`);
  const stop = await stopServer(server);
  console.log(`  server stopped in ${stop.ms} ms (exit code ${stop.code})`);
  for (const l of serverLogLines(server)) console.log(`  ${l}`);
  console.log('  outbox after stop:');
  for (const l of outboxLines(dbFile)) console.log(l);
  const p99 = percentile(lat, 99);
  console.log(`\nTarget critical first delivery p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'NOT met'} (p99 ${fmt(p99, 1)} ms)`);
}

async function main() {
  console.log(`Watchkeeper deliveries benchmark: outbox throughput, then critical first delivery inside a ${int(STORM)}-alert storm`);
  for (const l of machineLines()) console.log(l);
  console.log('store:   SQLite (WAL) in a temporary directory; receivers in a worker thread: SMTP (smtp-server), HTTP webhook, Slack Web API and Twilio REST stand-ins');
  const run = randomBytes(3).toString('hex');
  const receivers = await startReceivers(`dl-${run}-[cnp]-\\d+`);
  await throughput(receivers, run);
  await storm(receivers, run);
  await Promise.race([receivers.close(), sleep(5000)]);
}

runBenchmark('bench/deliveries.js', main, { timeLimitMs: (PAGES_ALERTS / 500 + STORM_S + 3 * DRAIN_S + 180) * 1000 });
