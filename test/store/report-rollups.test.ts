import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseReport } from '../../src/commands/reports.js';
import { loadReport } from '../../src/commands/load-report.js';
import type { Conn } from '../../src/store/db.js';
import { backfillReportRollups, MEASURES } from '../../src/store/migrations/026-report-rollups.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds, type TestStore } from '../helpers/stores.js';

const KEY = 'rollups0events00000000000000000a';
const ORG = `
users:
  - { name: alice, email: alice@example.com, contact_methods: [{ name: email, type: email, address: alice@example.com }, { name: work, type: email, address: alice@work.example.com }] }
  - { name: bob, email: bob@example.com, contact_methods: [{ name: email, type: email, address: bob@example.com }] }
escalation_policies:
  - name: first
    levels:
      - { targets: [{ user: alice }], delay_minutes: 5 }
      - { targets: [{ user: bob }] }
  - name: second
    levels: [{ targets: [{ user: bob }] }]
services:
  - name: API
    escalation_policy: first
    integrations: [{ name: events, type: events_v2, key: ${KEY} }]
  - name: Web
    escalation_policy: second
response_targets:
  critical: { acknowledge: 5m, resolve: 15m }
  warning: { acknowledge: 30m, resolve: 1h }
`;

const DAY = 86_400_000;
const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** The rollups and the same sums computed from the rows, side by side, zero rows left out. */
async function both(db: Conn) {
  const days = async (q: ReturnType<typeof sql>) => ((await q.execute(db)).rows as Record<string, unknown>[]).map((r) => Object.values(r).map((v) => (typeof v === 'string' && !/^-?\d+$/.test(v) ? v : n(v))));
  const rawDays = await days(sql`select * from (
      select created_at / ${sql.lit(DAY)} as day, service_id, severity, coalesce(escalation_policy_id, '') as policy_id, count(*) as alerts, count(acknowledged_at) as acknowledged,
        count(resolved_at) as resolved, coalesce(sum(acknowledged_at - created_at), 0) as tta_sum_ms, coalesce(sum(resolved_at - created_at), 0) as ttr_sum_ms
      from alerts group by 1, 2, 3, 4) x order by 1, 2, 3, 4`);
  // On PostgreSQL each connection writes rows of its own: summed, as the reports do.
  const rolledDays = await days(sql`select * from (
      select day, service_id, severity, policy_id, sum(alerts) as alerts, sum(acknowledged) as acknowledged, sum(resolved) as resolved, sum(tta_sum_ms) as tta_sum_ms, sum(ttr_sum_ms) as ttr_sum_ms
      from report_alert_days group by 1, 2, 3, 4) x
    where alerts <> 0 or acknowledged <> 0 or resolved <> 0 or tta_sum_ms <> 0 or ttr_sum_ms <> 0 order by 1, 2, 3, 4`);
  const rawTimes = await days(
    sql`select * from (${sql.join(
      MEASURES.map(
        (m) => sql`select created_at / ${sql.lit(DAY)} as day, service_id, severity, coalesce(escalation_policy_id, '') as policy_id, ${sql.lit(m.name)} as measure, (${m.value(sql.raw('alerts'))}) / 1000 as s,
          count(*) as n, sum(case when (${m.value(sql.raw('alerts'))}) % 1000 <> 0 then 1 else 0 end) as inexact from alerts where ${m.when(sql.raw('alerts'))} group by 1, 2, 3, 4, 5, 6`,
      ),
      sql` union all `,
    )}) x order by 1, 2, 3, 4, 5, 6`,
  );
  const rolledTimes = await days(sql`select * from (
      select day, service_id, severity, policy_id, measure, s, sum(n) as n, sum(inexact) as inexact from report_alert_times group by 1, 2, 3, 4, 5, 6) x
    where n <> 0 or inexact <> 0 order by 1, 2, 3, 4, 5, 6`);
  const rawInt = await days(sql`select user_id, quarter, count(*) as n from (
      select user_id, min(sent_at) / 900000 as quarter from pages where sent_at is not null and user_id not like 'channel:%' group by alert_id, notify_seq, user_id) x group by 1, 2 order by 1, 2`);
  const rolledInt = await days(sql`select user_id, quarter, n from report_interruptions where n <> 0 order by 1, 2`);
  return { rawDays, rolledDays, rawTimes, rolledTimes, rawInt, rolledInt };
}

async function expectInStep(db: Conn) {
  const b = await both(db);
  expect(b.rolledDays).toEqual(b.rawDays);
  expect(b.rolledTimes).toEqual(b.rawTimes);
  expect(b.rolledInt).toEqual(b.rawInt);
}

describe.each(storeKinds)('report rollups on $name', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start(kind, { orgYaml: ORG, start: '2026-03-01T22:00:00Z' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('stay equal to the sums over the alerts and pages through every kind of change', async () => {
    const db = h.store.db;
    const send = async (key: string, action: string, severity = 'critical') => {
      expect((await h.enqueue({ routing_key: KEY, event_action: action, dedup_key: key, payload: { summary: `${key} firing`, source: 's', severity } })).status).toBe(202);
      await h.app.tick();
    };
    // Through the product: pages are sent (two methods for alice: one interruption), acknowledged, escalated, resolved.
    await send('a', 'trigger');
    await send('b', 'trigger', 'warning');
    h.clock.advance(90_500);
    await send('a', 'acknowledge');
    h.clock.advance(6 * 60_000);
    await h.app.tick();
    await send('b', 'resolve');
    h.clock.advance(2 * 3_600_000);
    await send('a', 'resolve');
    await send('c', 'trigger');
    await expectInStep(db);
    expect(n((await sql<{ c: unknown }>`select count(*) as c from pages where sent_at is not null`.execute(db)).rows[0]?.c)).toBeGreaterThan(2);

    // Straight in the tables, as the bench and a restore would: many alerts over several days, fractions of seconds.
    const service = (await sql<{ id: string; escalation_policy_id: string }>`select id, escalation_policy_id from services order by name`.execute(db)).rows;
    const t0 = Date.parse('2026-02-25T00:00:00Z');
    for (let i = 0; i < 60; i++) {
      const s = service[i % 2]!;
      const at = t0 + i * 7_777_777;
      await sql`insert into alerts (service_id, dedup_key, open_key, status, severity, summary, source, links, images, labels, count, first_seen_at, last_seen_at, created_at, updated_at,
          acknowledged_at, resolved_at, escalation_policy_id, escalation_level, escalation_cycle, level_started_at, notify_seq)
        values (${s.id}, ${`k${i}`}, ${i % 7 === 0 ? `${s.id}\nk${i}` : null}, ${i % 7 === 0 ? 'triggered' : 'resolved'}, ${['critical', 'warning', 'info'][i % 3]!}, 's', 'bench', '[]', '[]', '{}', 1, ${at}, ${at}, ${at}, ${at},
          ${i % 4 === 0 ? null : at + (i % 5) * 60_000 + (i % 2) * 250}, ${i % 7 === 0 ? null : at + 300_000 + i * 1000}, ${s.escalation_policy_id}, 0, 0, ${at}, 1)`.execute(db);
    }
    await expectInStep(db);

    // Every column the reports read changes; rows go away (retention, a deleted service's cascade).
    await sql`update alerts set severity = 'warning' where id % 3 = 0`.execute(db);
    await sql`update alerts set acknowledged_at = created_at + 123456 where id % 5 = 1`.execute(db);
    await sql`update alerts set resolved_at = null, status = 'triggered', open_key = 'reopened-' || cast(id as text) where id % 11 = 2`.execute(db);
    await sql`update alerts set created_at = created_at - ${sql.lit(DAY)} where id % 13 = 4`.execute(db);
    await sql`update alerts set count = count + 1, updated_at = updated_at + 1`.execute(db);
    await sql`update alerts set escalation_policy_id = null where id % 4 = 3`.execute(db);
    await expectInStep(db);
    await sql`update pages set sent_at = sent_at + 3600000 where id % 2 = 0 and sent_at is not null`.execute(db);
    await expectInStep(db);
    await sql`delete from pages where id % 3 = 0`.execute(db);
    await sql`delete from alerts where id % 6 = 5`.execute(db);
    await expectInStep(db);

    // An existing database gets the same rows from the migration's backfill.
    const before = await both(db);
    for (const t of ['report_alert_days', 'report_alert_times', 'report_interruptions']) await sql`delete from ${sql.table(t)}`.execute(db);
    await backfillReportRollups(db);
    const after = await both(db);
    expect([after.rolledDays, after.rolledTimes, after.rolledInt]).toEqual([before.rolledDays, before.rolledTimes, before.rolledInt]);
    expect(after.rolledDays.length).toBeGreaterThan(5);
  });

  it.runIf(kind.name === 'postgres')('let two connections open alerts of the same services in opposite orders without waiting on each other', async () => {
    const other = await (h.store as TestStore).another!();
    try {
      const service = (await sql<{ id: string }>`select id from services order by name`.execute(h.store.db)).rows.map((r) => r.id);
      const at = Date.parse('2026-03-01T12:00:00Z');
      const open = (db: Conn, serviceId: string, key: string) =>
        sql`insert into alerts (service_id, dedup_key, open_key, status, severity, summary, source, links, images, labels, count, first_seen_at, last_seen_at, created_at, updated_at,
            escalation_level, escalation_cycle, level_started_at, notify_seq)
          values (${serviceId}, ${key}, ${`${serviceId}\n${key}`}, 'triggered', 'critical', 's', 's', '[]', '[]', '{}', 1, ${at}, ${at}, ${at}, ${at}, 0, 0, ${at}, 0)`.execute(db);
      let firstOpened!: () => void;
      let secondOpened!: () => void;
      const first = new Promise<void>((r) => (firstOpened = r));
      const second = new Promise<void>((r) => (secondOpened = r));
      // Without a row per connection the second insert of each would wait for the other: a deadlock.
      await Promise.all([
        h.store.db.transaction().execute(async (trx) => {
          await open(trx, service[0]!, 'x1');
          firstOpened();
          await second;
          await open(trx, service[1]!, 'x2');
        }),
        other.db.transaction().execute(async (trx) => {
          await first;
          await open(trx, service[1]!, 'y1');
          secondOpened();
          await open(trx, service[0]!, 'y2');
        }),
      ]);
    } finally {
      await other.close();
    }
    await expectInStep(h.store.db);
  });

  it('give the report the same figures as the alerts themselves, whatever the edges of the range', async () => {
    const db = h.store.db;
    const org = await h.app.ctx.org.get(db);
    const now = h.clock.now();
    for (const [from, to] of [
      ['2026-02-24T13:17:00Z', '2026-03-02T05:00:00Z'],
      ['2026-02-26T00:00:00Z', '2026-03-01T00:00:00Z'],
      ['2026-02-27T08:00:00Z', '2026-02-27T20:00:00Z'],
      ['2026-02-20T00:00:01Z', '2026-03-02T23:59:59Z'],
    ] as const) {
      const period = { from: Date.parse(from), to: Date.parse(to) };
      for (const by of ['severity', 'service', 'policy'] as const) {
        expect(await responseReport(db, org, period, by, now)).toEqual(await responseReport(db, org, period, by, now, { rollups: false }));
      }
      expect(await loadReport(db, org, period)).toEqual(await loadReport(db, org, period, { rollups: false }));
    }
  });
});
