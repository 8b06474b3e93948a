// Reports over a large record: how long the response (MTTA/MTTR of alerts and incidents), noise
// and on-call load reports take over 1,000,000 alerts (each with a page) and 10,000 incidents (each
// with 3 attached alerts and 2 status updates) spread over 30 days, on SQLite and, when
// WATCHKEEPER_BENCH_DATABASE_URL is set, on PostgreSQL (in a schema of its own, dropped after).
//
//   npm run bench:reports                     # builds, then: node bench/reports.js
//   WATCHKEEPER_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node bench/reports.js
//   node bench/reports.js --alerts 200000 --incidents 2000 --runs 3
//   WATCHKEEPER_DIST=/tmp/dist node bench/reports.js   # a dist/ built elsewhere
//
// The rows are written with one INSERT … SELECT per table (the database generates them). On SQLite
// the rollup triggers run for every row, as in production (a few minutes); on PostgreSQL the
// rollups are built afterwards, as the upgrade migration does (see seed()). Each
// report is run --runs times after one warm-up; the median and the slowest are printed. Target:
// each report under 1 s on both databases. Prints figures; asserts nothing.

import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'kysely';
import { fmt, int, machineLines, makeTempDir, onCleanup, positive, runBenchmark } from './common.js';

const DIST = process.env.WATCHKEEPER_DIST ?? new URL('../dist/', import.meta.url).pathname;
const { openStore } = await import(path.join(DIST, 'store/db.js'));
const { parseOrgYaml } = await import(path.join(DIST, 'config/org.js'));
const { applyOrg } = await import(path.join(DIST, 'commands/apply-org.js'));
const { loadOrg } = await import(path.join(DIST, 'store/org.repo.js'));
const { responseReport, noiseReport } = await import(path.join(DIST, 'commands/reports.js'));
const { loadReport } = await import(path.join(DIST, 'commands/load-report.js'));
const { backfillReportRollups } = await import(path.join(DIST, 'store/migrations/026-report-rollups.js'));

const { values: flags } = parseArgs({
  options: { alerts: { type: 'string' }, incidents: { type: 'string' }, runs: { type: 'string' }, stores: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (flags.help) {
  console.log('usage: node bench/reports.js [--alerts N (1000000)] [--incidents N (10000)] [--runs N (3)] [--stores sqlite|postgres|both (both)]');
  process.exit(0);
}
const STORES = flags.stores ?? 'both';
if (!['sqlite', 'postgres', 'both'].includes(STORES)) {
  console.error('--stores must be sqlite, postgres or both');
  process.exit(2);
}
const ALERTS = positive('alerts', flags.alerts, 1_000_000);
const INCIDENTS = positive('incidents', flags.incidents, 10_000);
const RUNS = positive('runs', flags.runs, 3);
const TARGET_MS = 1000;
const DAY = 86_400_000;
const TO = Date.parse('2026-03-31T00:00:00Z');
const FROM = TO - 30 * DAY;

const people = Array.from({ length: 10 }, (_, i) => `engineer-${i}`);
const ORG = `
severities:
  levels:
    - { name: critical, urgency: high }
    - { name: warning, urgency: low }
    - { name: info, urgency: low }
users:
${people.map((p, i) => `  - { name: ${p}, email: ${p}@example.com, time_zone: ${['UTC', 'Asia/Kolkata', 'America/Los_Angeles', 'Europe/Berlin'][i % 4]}, contact_methods: [{ name: email, type: email, address: ${p}@example.com }] }`).join('\n')}
teams:
  - name: platform
    members: [${people.map((p) => `{ user: ${p} }`).join(', ')}]
schedules:
  - name: primary
    layers:
      - { name: weekly, participants: [${people.join(', ')}], turn: 1 week, start: "2026-01-05T09:00" }
escalation_policies:
  - name: default
    levels:
      - { targets: [{ schedule: primary }], delay_minutes: 5 }
      - { targets: [{ user: engineer-0 }] }
services:
${Array.from({ length: 20 }, (_, i) => `  - { name: service-${i}, team: platform, escalation_policy: default }`).join('\n')}
response_targets:
  critical: { acknowledge: 5m, resolve: 30m }
  warning: { acknowledge: 30m, resolve: 2h }
`;

const actor = { kind: 'system', id: null, name: 'bench', surface: 'engine' };

/** One alert per row of a generated series: spread evenly over the 30 days, 1 in 5 never acknowledged. */
async function seed(store) {
  const org = await loadOrg(store.db);
  const services = [...org.services.values()].map((s) => s.id);
  const policy = [...org.policies.values()][0].id;
  const users = [...org.users.values()].map((u) => u.id);
  const cm = [...org.contactMethods.values()][0].id;
  // On PostgreSQL the rows go in as a restore would and the rollups are then built as the upgrade
  // migration builds them: the row triggers (run once per alert in production) would make these
  // million-row INSERT … SELECTs take the better part of an hour. On SQLite they run as in production.
  const restore = store.dialect === 'postgres';
  if (restore) for (const t of ['alerts', 'pages']) await sql`alter table ${sql.table(t)} disable trigger user`.execute(store.db);
  const step = Math.floor((30 * DAY) / ALERTS);
  const series = store.dialect === 'postgres' ? sql`select g - 1 as i from generate_series(cast(1 as bigint), ${sql.lit(ALERTS)}) g` : sql`with recursive n(i) as (select 0 union all select i + 1 from n where i < ${sql.lit(ALERTS - 1)}) select i from n`;
  const svc = sql.raw(`${services.map((s, i) => `when ${i} then '${s}'`).join(' ')} end`);
  const usr = sql.raw(`${users.map((u, i) => `when ${i} then '${u}'`).join(' ')} end`);
  await sql`
    insert into alerts (service_id, dedup_key, open_key, status, severity, summary, source, links, images, labels, count, first_seen_at, last_seen_at, created_at, updated_at,
      acknowledged_at, resolved_at, escalation_policy_id, escalation_level, escalation_cycle, level_started_at, notify_seq)
    select case (s.i % ${sql.lit(services.length)}) ${svc}, 'key-' || (s.i % 5000), null, 'resolved',
      case (s.i % 10) when 0 then 'critical' when 1 then 'critical' when 2 then 'info' else 'warning' end,
      'alert ' || (s.i % 5000), 'bench', '[]', '[]', '{}', 1 + (s.i % 3), ${sql.lit(FROM)} + s.i * ${sql.lit(step)}, ${sql.lit(FROM)} + s.i * ${sql.lit(step)}, ${sql.lit(FROM)} + s.i * ${sql.lit(step)}, ${sql.lit(FROM)} + s.i * ${sql.lit(step)},
      case when s.i % 5 = 0 then null else ${sql.lit(FROM)} + s.i * ${sql.lit(step)} + (s.i % 900) * 1000 end,
      ${sql.lit(FROM)} + s.i * ${sql.lit(step)} + (s.i % 7200) * 1000,
      ${sql.lit(policy)}, 0, 0, ${sql.lit(FROM)} + s.i * ${sql.lit(step)}, 1
    from (${series}) s`.execute(store.db);
  await sql`
    insert into pages (page_key, alert_id, notify_seq, level, cycle, user_id, contact_method_id, rule_id, channel, destination, status, created_at, next_attempt_at, attempts, sent_at)
    select 'p' || a.id, a.id, 1, case when a.id % 20 = 0 then 1 else 0 end, 0, case (a.id % ${sql.lit(users.length)}) ${usr}, ${sql.lit(cm)}, null, 'email', 'x@example.com', 'sent', a.created_at, a.created_at, 1, a.created_at + 2000
    from alerts a`.execute(store.db);

  // Incidents spread over the same 30 days: 1 in 4 critical, resolved 10 min to 4 h after being
  // declared (1 in 50 still open), 3 alerts attached (opened around the declaration, so some were
  // acknowledged before it), the first status update 1 to 30 min in, a second one later.
  const istep = Math.floor((30 * DAY) / INCIDENTS);
  const astep = Math.max(1, Math.floor(ALERTS / INCIDENTS));
  const iseries = store.dialect === 'postgres' ? sql`select g - 1 as i from generate_series(cast(1 as bigint), ${sql.lit(INCIDENTS)}) g` : sql`with recursive n(i) as (select 0 union all select i + 1 from n where i < ${sql.lit(INCIDENTS - 1)}) select i from n`;
  const declared = sql`${sql.lit(FROM)} + s.i * ${sql.lit(istep)}`;
  await sql`
    insert into incidents (slug, title, summary, status, severity, services, declared_at, declared_by, updated_at, identified_at, monitoring_at, resolved_at, closed_at, last_update_at, next_update_at)
    select 'bench-' || s.i, 'incident ' || s.i, '', case when s.i % 50 = 0 then 'investigating' else 'resolved' end, case when s.i % 4 = 0 then 'critical' else 'warning' end, '[]',
      ${declared}, 'bench', ${declared}, case when s.i % 3 = 0 then ${declared} + (s.i % 40) * 60000 else null end, null,
      case when s.i % 50 = 0 then null else ${declared} + 600000 + (s.i % 230) * 60000 end, null, ${declared} + 60000 + (s.i % 30) * 60000, null
    from (${iseries}) s`.execute(store.db);
  await sql`
    insert into incident_alerts (incident_id, alert_id, attached_at, attached_by, detached_at)
    select i.id, a.id, i.declared_at, 'bench', null
    from incidents i join alerts a on a.id in (1 + (i.id - 1) * ${sql.lit(astep)}, 2 + (i.id - 1) * ${sql.lit(astep)}, 3 + (i.id - 1) * ${sql.lit(astep)})`.execute(store.db);
  await sql`
    insert into incident_updates (incident_id, at, status, impact, actions, next_update_at, visibility, author_kind, author_id, author_name)
    select id, last_update_at, 'investigating', 'checkout slow', 'rolling back', cast(null as bigint), 'internal', 'system', null, 'bench' from incidents
    union all
    select id, last_update_at + 1800000, 'identified', 'checkout slow', 'rolled back', cast(null as bigint), 'internal', 'system', null, 'bench' from incidents`.execute(store.db);
  if (restore) {
    await backfillReportRollups(store.db);
    for (const t of ['alerts', 'pages']) await sql`alter table ${sql.table(t)} enable trigger user`.execute(store.db);
  }
  // What the databases do in the background after a bulk load: SQLite folds the write-ahead log
  // back into the database file (a 400 MB log slows every read); autovacuum gathers statistics and
  // the visibility map index-only scans need.
  if (store.dialect === 'sqlite') await sql`pragma wal_checkpoint(truncate)`.execute(store.db);
  if (store.dialect === 'postgres') {
    for (const t of ['alerts', 'pages', 'incidents', 'incident_alerts', 'incident_updates', 'report_alert_days', 'report_alert_times', 'report_interruptions']) await sql`vacuum analyze ${sql.table(t)}`.execute(store.db);
  }
}

async function time(fn) {
  await fn(); // warm-up
  const ms = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)], max: ms.at(-1) };
}

async function benchStore(label, store) {
  const t0 = performance.now();
  const ctx = { store, clock: { now: () => TO }, org: { invalidate() {} }, bus: { publish() {} }, log: { info() {}, warn() {} } };
  await applyOrg(ctx, parseOrgYaml(ORG), actor);
  await seed(store);
  const seeded = (performance.now() - t0) / 1000;
  const org = await loadOrg(store.db);
  // As a person asks it: "the last 30 days" at 14:37, so both ends fall inside a day.
  const period = { from: TO - 30 * DAY - 33_780_000, to: TO - 33_780_000 };
  const rows = [];
  for (const [name, fn] of [
    ['response (alerts + incidents, by severity)', () => responseReport(store.db, org, period, 'severity', TO)],
    ['response by service', () => responseReport(store.db, org, period, 'service', TO)],
    ['noise', () => noiseReport(store.db, org, period, 'Europe/London')],
    ['on-call load (interruptions)', () => loadReport(store.db, org, period)],
  ]) {
    const r = await time(fn);
    rows.push([label, name, `${fmt(r.median, 0)} ms`, `${fmt(r.max, 0)} ms`, r.median < TARGET_MS ? 'met' : 'MISSED']);
  }
  return { rows, seeded };
}

await runBenchmark(
  'reports',
  async () => {
    const results = [];
    if (STORES !== 'postgres') {
      const dir = makeTempDir('wk-bench-reports-');
      const sqlite = await openStore({ sqlitePath: path.join(dir, 'bench.db') });
      onCleanup(() => sqlite.close());
      const s = await benchStore('sqlite', sqlite);
      results.push(...s.rows);
      console.log(`sqlite: seeded ${int(ALERTS)} alerts and pages, ${int(INCIDENTS)} incidents in ${fmt(s.seeded)} s`);
    }

    const url = process.env.WATCHKEEPER_BENCH_DATABASE_URL;
    if (url && STORES !== 'sqlite') {
      const schema = `wk_bench_${process.pid}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      onCleanup(async () => {
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      });
      const store = await openStore({ databaseUrl: url, pgSchema: schema, poolSize: 4 });
      onCleanup(() => store.close());
      const p = await benchStore('postgres', store);
      results.push(...p.rows);
      console.log(`postgres: seeded ${int(ALERTS)} alerts and pages, ${int(INCIDENTS)} incidents in ${fmt(p.seeded)} s`);
    } else if (STORES !== 'sqlite') {
      console.log('postgres: skipped (set WATCHKEEPER_BENCH_DATABASE_URL to run it)');
    }
    console.log('');
    console.log(`Reports over ${int(ALERTS)} alerts and ${int(INCIDENTS)} incidents in 30 days, ${RUNS} runs each (target: under ${TARGET_MS} ms):`);
    const all = [['store', 'report', 'median', 'slowest', 'target'], ...results];
    const widths = all[0].map((_, i) => Math.max(...all.map((r) => r[i].length)));
    for (const r of all) console.log(`  ${r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}`);
    console.log('');
    for (const line of machineLines()) console.log(line);
  },
  { timeLimitMs: 60 * 60_000 },
);
