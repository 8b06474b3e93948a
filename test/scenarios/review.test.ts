import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

const KEY = 'review0api0events000000000000000';
const ORG = `
users:
  - { name: alice, email: alice@example.com, contact_methods: [{ name: email, type: email, address: alice@example.com }] }
  - { name: bob, email: bob@example.com, contact_methods: [{ name: email, type: email, address: bob@example.com }] }
  - { name: carol, email: carol@example.com, contact_methods: [{ name: email, type: email, address: carol@example.com }] }
teams:
  - name: ops
    members: [{ user: alice }, { user: bob }]
schedules:
  - name: primary
    time_zone: UTC
    layers:
      - { name: weekly, participants: [alice, bob], turn: 1 week, start: "2026-11-16T00:00" }
escalation_policies:
  - name: primary
    levels: [{ targets: [{ schedule: primary }] }]
services:
  - name: API
    team: ops
    escalation_policy: primary
    integrations: [{ name: events, type: events_v2, key: ${KEY} }]
response_targets:
  critical: { acknowledge: 5m, resolve: 1h }
comp_time:
  per_week_on_call: 1
  schedules: [primary]
  major_incident: { severities: [p1], over: 4h, days: 1 }
`;

type Json = Record<string, unknown>;

/**
 * The week of Monday 23 November 2026 (UTC), every figure worked out by hand. Bob is on call
 * (alice the week before, from 16 November). The week before holds one alert and one incident.
 *
 *   alert  key  opened (UTC)        ack after  resolved after  marked not actionable
 *   P      k3   Tue 17 Nov 10:00    4m         6m
 *   A1     k1   Tue 24 Nov 10:00    2m         10m             yes (alice)
 *   A2     k1   Tue 24 Nov 10:30    -          3m              yes (alice)
 *   A3     k1   Tue 24 Nov 11:00    10m        20m
 *   A4     k2   Wed 25 Nov 12:00    1m         90m             marked by bob, then unmarked
 *
 * A2 fires 20 minutes after A1 resolved and A3 27 minutes after A2 did: k1 flaps.
 *
 *   incident  severity  declared            resolved          roles
 *   P         critical  Wed 18 Nov 10:00    10:30             alice commander
 *   I1        critical  Thu 26 Nov 08:00    13:30 (5h30m)     alice commander from 08:00 and SME from
 *                                                             10:00; bob ops lead from 09:00; carol
 *                                                             posts a note at 10:00, holds no role
 *   I2        medium    Sat 28 Nov 20:00    still open        alice commander; bob SME 22:00-01:00
 */
describe.each(storeKinds)('on-call review on $name', (kind) => {
  let h: Harness;
  const tokens: Record<string, string> = {};
  let alerts: number[] = [];
  let i1 = 0;
  beforeAll(async () => {
    h = await Harness.start(kind, { orgYaml: ORG, start: '2026-11-16T00:00:00Z' });
    for (const name of ['alice', 'bob', 'carol']) tokens[name] = (await createToken(h.app.ctx, systemTestActor, { name: `${name} cli`, role: 'responder', user: name })).token;
    const to = async (iso: string) => {
      h.clock.advance(Date.parse(iso) - h.clock.now());
      await h.tick();
    };
    const send = async (key: string, action: string) => {
      const r = await h.enqueue({ routing_key: KEY, event_action: action, dedup_key: key, payload: { summary: `${key} firing`, source: 'prometheus', severity: 'critical' } });
      expect(r.status).toBe(202);
      await h.tick();
    };
    const life = async (key: string, opened: string, ackMin: number | null, resolveMin: number) => {
      await to(opened);
      await send(key, 'trigger');
      const id = Number(((await h.api('GET', '/api/v1/alerts?status=triggered')).body.alerts as { id: number }[])[0]!.id);
      const t = Date.parse(opened);
      if (ackMin !== null) {
        await to(new Date(t + ackMin * 60_000).toISOString());
        await send(key, 'acknowledge');
      }
      await to(new Date(t + resolveMin * 60_000).toISOString());
      await send(key, 'resolve');
      return id;
    };
    const incident = async (at: string, body: Json, token: string) => {
      await to(at);
      const r = await h.api('POST', '/api/v1/incidents', body, token);
      expect(r.status).toBe(201);
      return Number((r.body.incident as { id: number }).id);
    };
    const ok = async (r: Promise<{ status: number; body: Json }>) => expect((await r).status).toBeLessThan(300);

    await life('k3', '2026-11-17T10:00:00Z', 4, 6);
    const p = await incident('2026-11-18T10:00:00Z', { title: 'Login errors', severity: 'critical', commander: 'alice' }, h.adminToken);
    await to('2026-11-18T10:30:00Z');
    await ok(h.api('POST', `/api/v1/incidents/${p}/updates`, { status: 'resolved', impact: 'none now', actions: 'rolled back' }, tokens.alice));

    alerts = [await life('k1', '2026-11-24T10:00:00Z', 2, 10), await life('k1', '2026-11-24T10:30:00Z', null, 3), await life('k1', '2026-11-24T11:00:00Z', 10, 20), await life('k2', '2026-11-25T12:00:00Z', 1, 90)];

    i1 = await incident('2026-11-26T08:00:00Z', { title: 'Checkout down', severity: 'critical', commander: 'alice' }, tokens.alice!);
    await to('2026-11-26T09:00:00Z');
    await ok(h.api('POST', `/api/v1/incidents/${i1}/roles`, { role: 'ops_lead', user: 'bob' }));
    await to('2026-11-26T10:00:00Z');
    await ok(h.api('POST', `/api/v1/incidents/${i1}/roles`, { role: 'sme', user: 'alice' }));
    expect((await h.api('POST', `/api/v1/incidents/${i1}/notes`, { text: 'payments provider confirms an outage' }, tokens.carol)).status).toBeLessThan(300);
    await to('2026-11-26T13:30:00Z');
    await ok(h.api('POST', `/api/v1/incidents/${i1}/updates`, { status: 'resolved', impact: 'checkout works again', actions: 'failed over to the second provider' }, tokens.alice));

    const i2 = await incident('2026-11-28T20:00:00Z', { title: 'Search slow', severity: 'medium', commander: 'alice' }, h.adminToken);
    await to('2026-11-28T22:00:00Z');
    await ok(h.api('POST', `/api/v1/incidents/${i2}/roles`, { role: 'sme', user: 'bob' }));
    await to('2026-11-29T01:00:00Z');
    await ok(h.api('POST', `/api/v1/incidents/${i2}/roles/relieve`, { role: 'sme', user: 'bob' }));

    // Post-mortems keep their own tables; an action item of I1 due Friday is still open.
    await sql`insert into postmortems (incident_id, status, created_at, created_by, updated_at) values (${i1}, 'draft', ${Date.parse('2026-11-26T14:00:00Z')}, 'alice', ${Date.parse('2026-11-26T14:00:00Z')})`.execute(h.store.db);
    const pm = await sql<{ id: unknown }>`select id from postmortems where incident_id = ${i1}`.execute(h.store.db);
    await sql`insert into postmortem_action_items (postmortem_id, incident_id, title, owner_id, due_at, status, created_at, created_by, updated_at)
      values (${Number(pm.rows[0]!.id)}, ${i1}, 'Alert on provider error rate', (select id from users where name = 'bob'), ${Date.parse('2026-11-27T17:00:00Z')}, 'open', ${Date.parse('2026-11-26T14:00:00Z')}, 'alice', ${Date.parse('2026-11-26T14:00:00Z')})`.execute(h.store.db);

    await to('2026-11-30T10:00:00Z');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('marks an alert not actionable with a reason, on its timeline and the audit log, and unmarks it', async () => {
    const [a1, a2, , a4] = alerts as [number, number, number, number];
    const marked = await h.api('POST', `/api/v1/alerts/${a1}/not-actionable`, { reason: 'threshold too tight' }, tokens.alice);
    expect(marked.status).toBe(200);
    expect(marked.body.not_actionable).toEqual({ marked_at: '2026-11-30T10:00:00.000Z', marked_by: 'alice', reason: 'threshold too tight' });
    expect((await h.api('POST', `/api/v1/alerts/${a2}/not-actionable`, {}, tokens.alice)).status).toBe(200);
    expect((await h.api('POST', `/api/v1/alerts/${a4}/not-actionable`, { reason: 'deploy noise' }, tokens.bob)).status).toBe(200);
    const unmarked = await h.api('DELETE', `/api/v1/alerts/${a4}/not-actionable`, undefined, tokens.bob);
    expect(unmarked.body.not_actionable).toBeNull();
    // Unmarking again changes nothing.
    expect((await h.api('DELETE', `/api/v1/alerts/${a4}/not-actionable`, undefined, tokens.bob)).status).toBe(200);

    const detail = await h.api('GET', `/api/v1/alerts/${a1}`);
    expect(detail.body.not_actionable).toMatchObject({ marked_by: 'alice', reason: 'threshold too tight' });
    const kinds = (id: number) => h.api('GET', `/api/v1/alerts/${id}`).then((r) => (r.body.timeline as { kind: string; message: string }[]).filter((e) => e.kind.startsWith('not_actionable')).map((e) => [e.kind, e.message]));
    expect(await kinds(a1)).toEqual([['not_actionable', 'marked not actionable by alice via api: threshold too tight']]);
    expect(await kinds(a4)).toEqual([
      ['not_actionable', 'marked not actionable by bob via api: deploy noise'],
      ['not_actionable_cleared', 'not-actionable mark removed by bob via api'],
    ]);
    const audit = await h.store.db.selectFrom('audit_log').select(['action', 'actor_name', 'entity_id']).where('action', 'like', 'alert.not_actionable%').orderBy('id').execute();
    expect(audit.map((a) => [a.action, a.actor_name, a.entity_id])).toEqual([
      ['alert.not_actionable', 'alice', String(a1)],
      ['alert.not_actionable', 'alice', String(a2)],
      ['alert.not_actionable', 'bob', String(a4)],
      ['alert.not_actionable.clear', 'bob', String(a4)],
    ]);
  });

  it('refuses bad marks naming the field, and stores nothing', async () => {
    const field = async (url: string, body: unknown) => {
      const r = await h.api('POST', url, body, tokens.alice);
      expect(r.status).toBe(400);
      const e = r.body.error as { field?: string; problems?: { field: string }[] };
      return e.field ?? e.problems?.[0]?.field;
    };
    expect(await field(`/api/v1/alerts/${alerts[2]}/not-actionable`, { reason: 'x'.repeat(1001) })).toBe('reason');
    expect(await field(`/api/v1/alerts/${alerts[2]}/not-actionable`, { reason: 'fine', colour: 'red' })).toBe('colour');
    expect(await field('/api/v1/alerts/zero/not-actionable', {})).toBe('id');
    expect((await h.api('POST', '/api/v1/alerts/99999/not-actionable', {}, tokens.alice)).status).toBe(404);
    expect((await h.api('GET', `/api/v1/alerts/${alerts[2]}`)).body.not_actionable).toBeNull();
  });

  it('counts marks per service and alert in the noise report, with the false-positive rate, in JSON and CSV', async () => {
    const r = await h.api('GET', '/api/v1/reports/noise?from=2026-11-23T00:00:00Z&to=2026-11-30T00:00:00Z');
    expect(r.status).toBe(200);
    // 2 of the 4 alerts opened in the week; k1: 2 of its 3.
    expect(r.body.not_actionable).toEqual({
      marked: 2,
      opened: 4,
      false_positive_rate: 0.5,
      by_service: [{ service: 'API', marked: 2, opened: 4, rate: 0.5 }],
      by_alert: [{ service: 'API', dedup_key: 'k1', summary: 'k1 firing', marked: 2, opened: 3, rate: 0.6667 }],
      daily: [0, 2, 0, 0, 0, 0, 0],
    });
    const res = await h.app.http.inject({ method: 'GET', url: '/api/v1/reports/noise?from=2026-11-23T00:00:00Z&to=2026-11-30T00:00:00Z&format=csv', headers: { authorization: `Bearer ${h.adminToken}` } });
    const rows = parseCsv(res.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => [x.day, x.not_actionable])).toEqual([
      ['2026-11-23', '0'],
      ['2026-11-24', '2'],
      ['2026-11-25', '0'],
      ['2026-11-26', '0'],
      ['2026-11-27', '0'],
      ['2026-11-28', '0'],
      ['2026-11-29', '0'],
    ]);
  });

  it('counts incidents worked and hours in them per person, and the extra day off a long major incident earns', async () => {
    const r = await h.api('GET', '/api/v1/reports/load?from=2026-11-23T00:00:00Z&to=2026-11-30T00:00:00Z');
    expect(r.status).toBe(200);
    const people = r.body.people as { user: string; hours_on_call: number; incidents_worked: number; hours_in_incidents: number; comp_time: Json }[];
    // Alice: I1 08:00-13:30 as commander (her SME role from 10:00 overlaps: counted once), I2 from
    // Saturday 20:00 to the end of the week (28 h): 33.5 h. Bob: I1 09:00-13:30 and I2 22:00-01:00:
    // 7.5 h. Carol posted a note on I1: worked it, no hours.
    expect(people.map((p) => [p.user, p.hours_on_call, p.incidents_worked, p.hours_in_incidents])).toEqual([
      ['bob', 168, 2, 7.5],
      ['alice', 0, 2, 33.5],
      ['carol', 0, 1, 0],
    ]);
    // I1 was critical ("p1" in the file is its alias) and open 5h30m: one extra day for each of the
    // three. Earned: bob's week on call (1) + 1; alice and carol 1. Balance over the 30 days before
    // 30 Nov: alice's and bob's week each (1) + 1; carol 1.
    const reason = `worked incident #${i1} (critical, "Checkout down"), open 5h30m: more than 4h`;
    const extra = [{ incident: i1, days: 1, earned_at: '2026-11-26T13:30:00.000Z', reason }];
    expect(Object.fromEntries(people.map((p) => [p.user, p.comp_time]))).toEqual({
      bob: { earned_days: 2, taken_days: 0, balance_days: 2, extra_days: 1, extra },
      alice: { earned_days: 1, taken_days: 0, balance_days: 2, extra_days: 1, extra },
      carol: { earned_days: 1, taken_days: 0, balance_days: 1, extra_days: 1, extra },
    });
    const owed = await h.api('GET', '/api/v1/comp-time?since=30d&user=carol');
    expect(owed.body.extra).toEqual([{ user: 'carol', incident: i1, days: 1, earned_at: '2026-11-26T13:30:00.000Z', reason }]);

    // The week before: only alice's short incident, which earns nothing.
    const before = await h.api('GET', '/api/v1/reports/load?from=2026-11-16T00:00:00Z&to=2026-11-23T00:00:00Z');
    expect((before.body.people as { user: string; incidents_worked: number; hours_in_incidents: number; comp_time: { extra_days: number } }[]).map((p) => [p.user, p.incidents_worked, p.hours_in_incidents, p.comp_time.extra_days])).toEqual([
      ['alice', 1, 0.5, 0],
    ]);
  });

  it('builds the weekly review: incidents and trend, response against targets, SLA adherence, alerts to tune, overdue action items, load', async () => {
    const r = await h.api('GET', '/api/v1/reports/review?period=week&tz=UTC');
    expect(r.status).toBe(200);
    const b = r.body as Json;
    expect([b.title, b.from, b.to, b.previous]).toEqual(['On-call review: week of Mon 23 Nov 2026', '2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z', { from: '2026-11-16T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' }]);
    expect(b.incidents).toMatchObject({
      count: 2,
      previous: 1,
      trend: 1,
      by_severity: [
        { severity: 'critical', count: 1, previous: 1 },
        { severity: 'medium', count: 1, previous: 0 },
      ],
    });
    expect((b.incidents as { list: { title: string; resolved_at: string | null }[] }).list.map((i) => [i.title, i.resolved_at])).toEqual([
      ['Checkout down', '2026-11-26T13:30:00.000Z'],
      ['Search slow', null],
    ]);
    expect(b.alerts).toEqual({ opened: 4, previous: 1, trend: 3 });
    // TTA 120, 600, 60 s: mean 260. TTR 600, 180, 1200, 5400 s: mean 1845.
    const total = (b.response as { total: Json }).total;
    expect(total).toMatchObject({ alerts: 4, time_to_acknowledge: { count: 3, mean: 260 }, time_to_resolve: { count: 4, mean: 1845 } });
    // A3 acknowledged after 10 min, A4 resolved after 90: 3 of 4 each within target. I1 took 5h30m
    // against a 1 h target; I2 (medium) has none.
    expect(b.sla).toEqual({
      acknowledged_within_target: { met: 3, of: 4, share: 0.75 },
      resolved_within_target: { met: 3, of: 4, share: 0.75 },
      incidents_resolved_within_target: { met: 0, of: 1, share: 0 },
    });
    expect(b.tune).toEqual({
      noisiest: [
        { service: 'API', dedup_key: 'k1', summary: 'k1 firing', opened: 3, repeats: 0, quick_refires: 2, not_actionable: 2 },
        { service: 'API', dedup_key: 'k2', summary: 'k2 firing', opened: 1, repeats: 0, quick_refires: 0, not_actionable: 0 },
      ],
      flapping: [{ service: 'API', dedup_key: 'k1', summary: 'k1 firing', opened: 3, repeats: 0, quick_refires: 2, not_actionable: 2 }],
      not_actionable: { marked: 2, opened: 4, false_positive_rate: 0.5 },
    });
    expect(b.action_items).toEqual({ overdue: [{ id: expect.any(Number), incident: i1, title: 'Alert on provider error rate', owner: 'bob', due_at: '2026-11-27T17:00:00.000Z', status: 'open' }] });
    expect(b.load).toEqual({
      people: [
        { user: 'bob', interruptions: 4, sleep_hours_interruptions: 0, hours_on_call: 168, incidents_worked: 2, hours_in_incidents: 7.5 },
        { user: 'alice', interruptions: 0, sleep_hours_interruptions: 0, hours_on_call: 0, incidents_worked: 2, hours_in_incidents: 33.5 },
        { user: 'carol', interruptions: 0, sleep_hours_interruptions: 0, hours_on_call: 0, incidents_worked: 1, hours_in_incidents: 0 },
      ],
      // 4 interruptions at most against a mean of 4 / 2.
      teams: [{ team: 'ops', spread: 2 }],
    });

    // `at` picks the period holding it: the week before has one incident and one alert.
    const before = await h.api('GET', '/api/v1/reports/review?period=week&tz=UTC&at=2026-11-18T12:00:00Z');
    expect([before.body.from, (before.body.incidents as Json).count, (before.body.alerts as Json).opened]).toEqual(['2026-11-16T00:00:00.000Z', 1, 1]);
    const month = await h.api('GET', '/api/v1/reports/review?period=month&tz=UTC&at=2026-11-18T12:00:00Z');
    expect([month.body.title, month.body.to, (month.body.incidents as Json).count]).toEqual(['On-call review: November 2026', '2026-12-01T00:00:00.000Z', 3]);
  });

  it('renders the review as Markdown', async () => {
    const res = await h.app.http.inject({ method: 'GET', url: '/api/v1/reports/review?period=week&tz=UTC&format=markdown', headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/markdown/);
    const md = res.body;
    expect(md).toContain('# On-call review: week of Mon 23 Nov 2026\n');
    expect(md).toContain('2 declared (the week before: 1, +100%). Alerts opened: 4 (before: 1, +300%).');
    expect(md).toContain(`- #${i1} critical: Checkout down (declared Thu 26 Nov 2026 08:00, resolved after 5h 30m)`);
    expect(md).toContain('| critical | 4 | 4m | 5m | 31m | 1h | 1 of 4 | 1 of 4 |');
    expect(md).toContain('- Incidents resolved within target: 0 of 1 incidents (0%)');
    expect(md).toContain('False-positive rate: 2 of 4 alerts marked not actionable (50%).');
    expect(md).toContain(`- incident #${i1}: Alert on provider error rate (bob, due Fri 27 Nov 2026 17:00, open)`);
    expect(md).toContain('| bob | 4 | 0 | 168 | 2 | 7.5 |');
  });

  it('refuses a bad period, time or zone, naming the field', async () => {
    const bad = async (q: string) => {
      const r = await h.api('GET', `/api/v1/reports/review?${q}`);
      expect(r.status).toBe(400);
      const e = r.body.error as { field?: string; problems?: { field: string }[] };
      return e.field ?? e.problems?.[0]?.field;
    };
    expect(await bad('period=fortnight')).toBe('period');
    expect(await bad('at=last-monday')).toBe('at');
    expect(await bad('tz=Mars/Olympus')).toBe('tz');
    expect(await bad('format=pdf')).toBe('format');
    expect(await bad('period=week&at=2027-01-10T00:00:00Z')).toBe('at');
  });
});

const MAIL_ORG = `
users:
  - { name: alice, email: alice@example.com, contact_methods: [{ name: email, type: email, address: alice@example.com }] }
  - { name: bob, email: bob@example.com, contact_methods: [{ name: email, type: email, address: bob@example.com }] }
  - { name: carol, email: carol@example.com, contact_methods: [{ name: email, type: email, address: carol@example.com }] }
teams:
  - name: ops
    members: [{ user: alice }, { user: bob }]
review:
  send: weekly
  to: [ops, alice]
  day: monday
  time: "09:00"
  time_zone: America/New_York
`;

describe.each(storeKinds)('the weekly review email on $name', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start(kind, { orgYaml: MAIL_ORG, start: '2026-11-29T12:00:00Z' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('arrives once, Monday 09:00 in the configured zone, with two engines and a restart', async () => {
    const reviews = () => h.smtp.messages.filter((m) => /^X-Watchkeeper-Notice: review/m.test(m.raw));
    const at = async (iso: string, ...also: { tick(): Promise<void> }[]) => {
      h.clock.advance(Date.parse(iso) - h.clock.now());
      await Promise.all([h.tick(), ...also.map((a) => a.tick())]);
      await h.tick();
    };
    // Sunday: last Monday's review is days old; nothing is sent for it.
    await at('2026-11-29T12:00:00Z');
    // 08:59 in New York is 13:59 UTC (EST, UTC-5).
    await at('2026-11-30T13:59:00Z');
    expect(reviews()).toEqual([]);
    const second = h.newApp((await h.store.another?.()) ?? h.store);
    await at('2026-11-30T14:00:00Z', second);
    await second.tick();
    // The team and alice named twice: each member once.
    expect(reviews().map((m) => m.to[0]).sort()).toEqual(['alice@example.com', 'bob@example.com']);
    const mail = reviews()[0]!;
    expect(mail.text).toMatch(/^Subject: On-call review: week of Mon 23 Nov 2026$/m);
    expect(mail.text).toContain('Mon 23 Nov 2026 00:00 to Mon 30 Nov 2026 00:00 (America/New_York)');

    // A restarted engine, later that day and the next Monday morning's minute before: no repeat.
    await second.stop();
    const third = h.newApp((await h.store.another?.()) ?? h.store);
    await at('2026-11-30T18:00:00Z', third);
    await at('2026-12-07T13:59:00Z', third);
    expect(reviews()).toHaveLength(2);
    await third.stop();
    const sends = await h.store.db.selectFrom('review_sends').selectAll().execute();
    expect(sends.map((s) => [s.review_key, Number(s.recipients)])).toEqual([['weekly:2026-11-30', 2]]);
    // The next Monday's goes out on time.
    await at('2026-12-07T14:00:00Z');
    expect(reviews()).toHaveLength(4);
  });

});
