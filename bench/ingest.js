// Ingest throughput: PagerDuty-style events through POST /v2/enqueue, one event per request,
// against a real `watchkeeper serve --roles api` child process with its default durable store
// (SQLite, WAL flushed to disk before each 202), or PostgreSQL with --database-url.
//
//   npm run bench:ingest                      # builds, then: node bench/ingest.js
//   node bench/ingest.js --duration 30 --connections 16
//   node bench/ingest.js --database-url postgres://user@127.0.0.1:5432/postgres
//
// Two runs: every event a new alert (unique dedup keys), then an alert storm where 90% of events
// repeat one of 100 dedup keys. Afterwards the server is stopped and the store is read back to
// check that every event answered 202 is stored. Prints figures; asserts nothing.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  cpuSeconds,
  fmt,
  freePort,
  fsyncProbe,
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

const ROUTING_KEY = 'bench0ingest0events0v20000000000'; // bench/org.yaml
const HOT_KEYS = 100;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    calibrate: { type: 'string' },
    'database-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (flags.help) {
  console.log(`usage: node bench/ingest.js [--duration SECONDS (15)] [--warmup SECONDS (2)] [--connections N (16)] [--calibrate SECONDS (5)] [--database-url postgres://…]

--calibrate first loads a bare node:http server that only parses each body as JSON
(bench/bare-json-server.js) with the same client and connections, so the figures can be read
against this machine's own ceiling; 0 skips it.

Runs against dist/ (npm run bench:ingest builds first). With --database-url the server uses a
temporary database wk_bench_<random> on that PostgreSQL server (or, without CREATE DATABASE
rights, a temporary schema), dropped at the end.`);
  process.exit(0);
}

const DURATION_S = positive('duration', flags.duration, 15);
const WARMUP_S = positive('warmup', flags.warmup, 2);
const CONNECTIONS = Math.round(positive('connections', flags.connections, 16));
const CALIBRATE_S = flags.calibrate === '0' ? 0 : positive('calibrate', flags.calibrate, 5);
const PG_URL = flags['database-url'] ?? null;

/** A PagerDuty Events API v2 trigger, about the size a real monitoring tool sends. */
function triggerBody(dedupKey, n) {
  return JSON.stringify({
    routing_key: ROUTING_KEY,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: `Bench: error rate above threshold on host-${n % 64} (${dedupKey})`,
      source: `host-${n % 64}.bench.example`,
      severity: 'critical',
      component: 'api',
      group: 'bench',
      class: 'error-rate',
      custom_details: { error_rate: 0.07, threshold: 0.05, n },
    },
    client: 'watchkeeper-bench',
  });
}

/**
 * One autocannon run. keyFor(n) gives the dedup key of the n-th request; every 202 is recorded
 * by the key the server echoes back, so the store can be checked against what was acknowledged.
 */
function cannon(baseUrl, { seconds, keyFor }) {
  const acked = new Map(); // dedup key -> number of 202s
  const statuses = new Map();
  let n = 0;
  let bodyBytes = 0;
  const result = new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections: CONNECTIONS,
        pipelining: 1,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            path: '/v2/enqueue',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => {
              const i = n++;
              req.body = triggerBody(keyFor(i), i);
              bodyBytes = req.body.length;
              return req;
            },
            onResponse: (status, body) => {
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
              if (status !== 202) return;
              const m = /"dedup_key":"([^"]+)"/.exec(String(body));
              if (m) acked.set(m[1], (acked.get(m[1]) ?? 0) + 1);
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    onCleanup(() => instance.stop());
  });
  return result.then((res) => ({ res, acked, statuses, bodyBytes }));
}

function cpuText(cpu0, cpu1, self, sys0, sys1, wall) {
  const server = cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / wall;
  const gen = (self.user + self.system) / 1e6 / wall;
  const others = server === null || !sys0 || !sys1 ? null : Math.max(0, (sys1.busy - sys0.busy) / wall - server - gen);
  const pct = (x) => (x === null ? 'n/a' : `${fmt(x * 100, 0)}%`);
  return `server ${pct(server)}, this load generator ${pct(gen)}, other processes ${pct(others)}${PG_URL ? ' (PostgreSQL included)' : ''}`;
}

async function measuredRun(name, baseUrl, server, keyFor) {
  const m0 = await scrapeMetrics(baseUrl);
  const cpu0 = cpuSeconds(server.child.pid);
  const self0 = process.cpuUsage();
  const sys0 = systemCpu();
  const t0 = performance.now();
  const r = await cannon(baseUrl, { seconds: DURATION_S, keyFor });
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = cpuSeconds(server.child.pid);
  const self1 = process.cpuUsage(self0);
  const sys1 = systemCpu();
  const m1 = await scrapeMetrics(baseUrl);
  const { res } = r;
  const d = (k) => (m1.get(k) ?? NaN) - (m0.get(k) ?? NaN);
  const batches = d('watchkeeper_ingest_batch_size_count');
  const batched = d('watchkeeper_ingest_batch_size_sum');
  const acks = [...r.acked.values()].reduce((a, b) => a + b, 0);
  const other = [...r.statuses].filter(([s]) => s !== 202).map(([s, c]) => `${c}×${s}`);

  console.log(`\n${name}`);
  table([
    ['requests/s (mean)', `${int(res.requests.mean)}   (stddev ${int(res.requests.stddev)}, min ${int(res.requests.min)} over 1 s samples)`],
    ['total events', `${int(res.requests.total)} in ${fmt(res.duration, 1)} s   (202 received: ${int(acks)})`],
    ['non-2xx', `${int(res.non2xx)}${other.length ? `   (${other.join(', ')})` : ''}   errors ${int(res.errors)}, timeouts ${int(res.timeouts)}`],
    ['latency ms', `p50 ${res.latency.p50}   p99 ${res.latency.p99}   max ${res.latency.max}   (mean ${fmt(res.latency.mean, 2)})`],
    ['group commit', Number.isFinite(batches) && batches > 0 ? `${int(batches)} transactions, ${fmt(batched / batches, 1)} events each on average, ${int(batches / wall)} commits/s` : 'n/a (no /metrics)'],
    ['CPU (share of one core)', cpuText(cpu0, cpu1, self1, sys0, sys1, wall)],
    ['request body', `${r.bodyBytes} bytes`],
  ]);
  return { ...r, acks };
}

/**
 * The same load against bench/bare-json-server.js: what one Node.js process answers per second on
 * this machine when it does nothing but parse the body, with this load generator beside it.
 */
async function calibrate() {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'bare-json-server.js'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  onCleanup(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`bench/bare-json-server.js exited with code ${code}`)));
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await cannon(baseUrl, { seconds: 1, keyFor: (i) => `cal-warm-${i}` });
  const cpu0 = cpuSeconds(child.pid);
  const t0 = performance.now();
  const { res } = await cannon(baseUrl, { seconds: CALIBRATE_S, keyFor: (i) => `cal-${i}` });
  const wall = (performance.now() - t0) / 1000;
  const cpu = (cpuSeconds(child.pid) - cpu0) / wall;
  child.kill('SIGTERM');
  await exited;
  return { rps: res.requests.mean, p99: res.latency.p99, cpu };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a temporary database (or schema) for the run.

async function preparePostgres(url) {
  const name = `wk_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    onCleanup(async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    });
    const u = new URL(url);
    u.pathname = `/${name}`;
    return { serverUrl: u.toString(), where: `database ${name} (temporary)` };
  } catch (err) {
    if (err.code !== '42501') throw err;
    // No CREATE DATABASE right: a schema of our own, picked through the connection's search_path.
    await admin.query(`create schema ${name}`);
    onCleanup(async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${name} cascade`);
      } finally {
        await c.end();
      }
    });
    const u = new URL(url);
    u.searchParams.set('options', `-c search_path=${name}`);
    return { serverUrl: u.toString(), where: `schema ${name} (temporary)` };
  } finally {
    await admin.end();
  }
}

/** Reads back what the store holds for keys starting with prefix: [{dedup_key, count}] */
async function storedAlerts(store, prefix) {
  const q = 'select dedup_key, count from alerts where substr(dedup_key, 1, LEN) = ?';
  if (store.kind === 'sqlite') {
    const db = new Database(store.file, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare(q.replace('LEN', String(prefix.length))).all(prefix);
      const extra = db
        .prepare(
          `select (select count(*) from pages p join alerts a on a.id = p.alert_id where substr(a.dedup_key, 1, ${prefix.length}) = ?) as pages,
                  (select count(*) from alert_events e join alerts a on a.id = e.alert_id where substr(a.dedup_key, 1, ${prefix.length}) = ?) as events`,
        )
        .get(prefix, prefix);
      return { rows, pages: extra.pages, events: extra.events };
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({ connectionString: store.url });
  await c.connect();
  try {
    await c.query('begin read only');
    const rows = (await c.query(q.replace('LEN', String(prefix.length)).replace('?', '$1'), [prefix])).rows.map((r) => ({ dedup_key: r.dedup_key, count: Number(r.count) }));
    const pages = Number((await c.query(`select count(*) as n from pages p join alerts a on a.id = p.alert_id where substr(a.dedup_key, 1, ${prefix.length}) = $1`, [prefix])).rows[0].n);
    const events = Number((await c.query(`select count(*) as n from alert_events e join alerts a on a.id = e.alert_id where substr(a.dedup_key, 1, ${prefix.length}) = $1`, [prefix])).rows[0].n);
    await c.query('commit');
    return { rows, pages, events };
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  console.log('Watchkeeper ingest benchmark: POST /v2/enqueue, one event per request');
  for (const l of machineLines()) console.log(l);

  const dir = makeTempDir('wk-bench-ingest-');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = { WATCHKEEPER_INGEST_RATE_LIMIT: '0', WATCHKEEPER_LOG_LEVEL: 'warn' };
  let store;
  if (PG_URL) {
    const p = await preparePostgres(PG_URL);
    env.DATABASE_URL = p.serverUrl;
    store = { kind: 'postgres', url: p.serverUrl, where: `PostgreSQL ${new URL(PG_URL).host}, ${p.where}` };
  } else {
    store = { kind: 'sqlite', file: path.join(dir, 'watchkeeper.db'), where: `SQLite ${path.join(dir, 'watchkeeper.db')} (WAL; a 202 waits for fdatasync of the WAL: the server default)` };
  }
  // An inherited DATABASE_URL must not silently switch a SQLite run to PostgreSQL.
  const serverEnv = PG_URL ? env : { ...env, DATABASE_URL: '' };

  console.log(`store:   ${store.where}`);
  if (store.kind === 'sqlite') {
    const f = fsyncProbe(dir);
    console.log(`disk:    4 KiB write + fdatasync in the data directory: p50 ${fmt(percentile(f, 50), 2)} ms, p99 ${fmt(percentile(f, 99), 2)} ms`);
  }
  console.log(`load:    ${CONNECTIONS} connections, pipelining 1, ${DURATION_S} s per run after a ${WARMUP_S} s warm-up (autocannon, in this process)`);
  console.log(
    'scope:   server started with --roles api: a 202 is sent only after the new alert, its timeline rows and\n' +
      '         its outbox page are committed. Delivery (the notify role) is not running here; it is measured\n' +
      '         by bench/page-latency.js.',
  );

  let ceiling = null;
  if (CALIBRATE_S > 0) {
    ceiling = await calibrate();
    console.log(
      `ceiling: a bare node:http server that only parses each body as JSON answers ${int(ceiling.rps)} req/s (p99 ${ceiling.p99} ms, ` +
        `${fmt(ceiling.cpu * 100, 0)}% of a core) under this load: the most any Node.js server can answer here`,
    );
  }

  const server = startServer({
    args: ['--data-dir', dir, '--port', String(port), '--host', '127.0.0.1', '--org', path.join(ROOT, 'bench', 'org.yaml'), '--roles', 'api'],
    env: serverEnv,
  });
  const t0 = performance.now();
  await waitHealthy(server, baseUrl);
  console.log(`server:  pid ${server.child.pid}, healthy after ${Math.round(performance.now() - t0)} ms`);

  const run = randomBytes(3).toString('hex');
  await cannon(baseUrl, { seconds: WARMUP_S, keyFor: (i) => `warm-${run}-${i}` });
  await sleep(200);

  const uniquePrefix = `u-${run}-`;
  const unique = await measuredRun('Run 1: every event a new alert (unique dedup_key)', baseUrl, server, (i) => `${uniquePrefix}${i}`);

  const stormPrefix = `s-${run}-`;
  // 9 of every 10 events repeat one of HOT_KEYS keys; the 10th is a new alert.
  const storm = await measuredRun(`Run 2: alert storm (90% of events repeat one of ${HOT_KEYS} dedup keys)`, baseUrl, server, (i) =>
    i % 10 === 9 ? `${stormPrefix}new-${i}` : `${stormPrefix}hot-${i % HOT_KEYS}`,
  );

  if (ceiling) {
    const share = (r) => `${int(r.res.requests.mean)} req/s, ${fmt((100 * r.res.requests.mean) / ceiling.rps, 0)}% of the bare server's ${int(ceiling.rps)}`;
    console.log(`\nAgainst this machine's ceiling: run 1 ${share(unique)}; run 2 ${share(storm)}`);
  }

  const stop = await stopServer(server);
  console.log(`\nserver stopped with SIGTERM in ${stop.ms} ms (exit code ${stop.code}${stop.signal ? `, signal ${stop.signal}` : ''}${stop.killed ? '; did not stop in time, killed' : ''})`);
  for (const l of serverLogLines(server)) console.log(l);

  console.log(`\nDurability: the ${store.kind === 'sqlite' ? 'SQLite file reopened read-only' : 'database read back'} after the server stopped`);
  const u = await storedAlerts(store, uniquePrefix);
  const stored = new Map(u.rows.map((r) => [r.dedup_key, r.count]));
  const missing = [...unique.acked.keys()].filter((k) => !stored.has(k));
  const unacked = u.rows.filter((r) => !unique.acked.has(r.dedup_key)).length;
  const repeated = u.rows.filter((r) => r.count !== 1).length;
  console.log('  Run 1 (unique keys):');
  table(
    [
      ['202 received', int(unique.acks)],
      ['alerts stored', int(u.rows.length)],
      ['answered 202 but not stored', `${int(missing.length)}${missing.length ? `   e.g. ${missing.slice(0, 3).join(', ')}` : ''}`],
      ['stored, no 202 seen', `${int(unacked)}   (requests in flight when the client stopped; at most ${CONNECTIONS})`],
      ['alerts with count ≠ 1', int(repeated)],
      ['rows per alert', `${fmt(u.events / Math.max(1, u.rows.length), 2)} timeline, ${fmt(u.pages / Math.max(1, u.rows.length), 2)} pages`],
      ['verdict', missing.length === 0 && unacked <= CONNECTIONS && repeated === 0 ? (unacked === 0 ? 'match' : `match (+${unacked} in flight at stop)`) : 'MISMATCH'],
    ],
    '    ',
  );

  const s = await storedAlerts(store, stormPrefix);
  const storedEvents = s.rows.reduce((a, r) => a + r.count, 0);
  const stormStored = new Map(s.rows.map((r) => [r.dedup_key, r.count]));
  const stormMissing = [...storm.acked].filter(([k, c]) => (stormStored.get(k) ?? 0) < c).length;
  console.log('  Run 2 (storm):');
  table(
    [
      ['202 received', `${int(storm.acks)} for ${int(storm.acked.size)} distinct keys`],
      ['alerts stored', `${int(s.rows.length)}, whose counts add up to ${int(storedEvents)} events`],
      ['keys with fewer events stored than 202s', int(stormMissing)],
      ['events stored, no 202 seen', `${int(storedEvents - storm.acks)}   (in flight at stop; at most ${CONNECTIONS})`],
      ['timeline rows', `${int(s.events)} (two per new alert, one per repeat); pages ${int(s.pages)} (one per new alert)`],
    ],
    '    ',
  );
}

// Two runs and the warm-up, plus generous time for start, stop and the read-back.
runBenchmark('bench/ingest.js', main, { timeLimitMs: (WARMUP_S + 2 * DURATION_S + CALIBRATE_S + 120) * 1000 });
