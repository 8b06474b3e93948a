import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

const KEY = 'load0report0events00000000000000';
const ORG = `
users:
  - name: priya
    email: priya@example.com
    time_zone: Asia/Kolkata
    contact_methods:
      - { name: work, type: email, address: priya@example.com }
      - { name: personal, type: email, address: priya@home.example.com }
  - name: lee
    email: lee@example.com
    time_zone: America/Los_Angeles
    contact_methods: [{ name: work, type: email, address: lee@example.com }]
  - name: sam
    email: sam@example.com
    contact_methods: [{ name: work, type: email, address: sam@example.com }]
teams:
  - name: platform
    members: [{ user: priya }, { user: lee }, { user: sam }]
schedules:
  - name: primary
    time_zone: UTC
    layers:
      - { name: weekly, participants: [priya, lee], turn: 1 week, start: "2026-03-02T00:00" }
escalation_policies:
  - name: primary
    levels: [{ targets: [{ schedule: primary }] }]
services:
  - name: API
    escalation_policy: primary
    integrations: [{ name: events, type: events_v2, key: ${KEY} }]
comp_time:
  per_week_on_call: 1
  schedules: [primary]
`;

/**
 * Two weeks of pages, each worked out by hand in the person's own zone. Priya (Asia/Kolkata,
 * UTC+5:30) is on call 2-9 March, Lee (America/Los_Angeles) 9-16 March, after the US moved to
 * daylight time (UTC-7) on 8 March. Priya has two email methods: both are one interruption.
 *
 *   UTC               local                    band
 *   Tue 3 Mar 05:00   Tue 10:30 Kolkata        business
 *   Tue 3 Mar 14:00   Tue 19:30 Kolkata        off
 *   Tue 3 Mar 20:00   Wed 01:30 Kolkata        sleep
 *   Sat 7 Mar 06:00   Sat 11:30 Kolkata        off (weekend)
 *   Mon 9 Mar 17:00   Mon 10:00 Los Angeles    business
 *   Tue 10 Mar 15:30  Tue 08:30 Los Angeles    business (07:30, sleep, if the zone were ignored)
 *   Wed 11 Mar 05:30  Tue 22:30 Los Angeles    sleep
 *   Thu 12 Mar 01:30  Wed 18:30 Los Angeles    off
 */
const PAGES = ['2026-03-03T05:00:00Z', '2026-03-03T14:00:00Z', '2026-03-03T20:00:00Z', '2026-03-07T06:00:00Z', '2026-03-09T17:00:00Z', '2026-03-10T15:30:00Z', '2026-03-11T05:30:00Z', '2026-03-12T01:30:00Z'];

describe.each(storeKinds)('on-call load report on $name', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start(kind, { orgYaml: ORG, start: '2026-03-02T00:00:00Z' });
    for (const [i, at] of PAGES.entries()) {
      h.clock.advance(Date.parse(at) - h.clock.now());
      await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: `a${i}`, payload: { summary: `alert ${i}`, source: 's', severity: 'critical' } });
      await h.app.tick();
      h.clock.advance(60_000);
      await h.enqueue({ routing_key: KEY, event_action: 'resolve', dedup_key: `a${i}` });
    }
    h.clock.advance(Date.parse('2026-03-16T00:00:00Z') - h.clock.now());
    await h.app.tick();
    // Priya takes half a day off on Thursday 12 March (her date: it starts 18:30 UTC the day before).
    const taken = await h.api('POST', '/api/v1/comp-time', { user: 'priya', day: '2026-03-12', days: 0.5, note: 'after the Tuesday night page' });
    expect(taken.status).toBe(201);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("counts interruptions by band in each person's zone, hours on call, and the spread across the team", async () => {
    const r = await h.api('GET', '/api/v1/reports/load?since=14d');
    expect(r.status).toBe(200);
    expect(r.body.people).toEqual([
      // A week on call earns a day off; Priya took half of hers.
      { user: 'lee', time_zone: 'America/Los_Angeles', interruptions: { business: 2, off: 1, sleep: 1, total: 4 }, hours_on_call: 168, comp_time: { earned_days: 1, taken_days: 0, balance_days: 1, extra_days: 0, extra: [] }, incidents_worked: 0, hours_in_incidents: 0 },
      { user: 'priya', time_zone: 'Asia/Kolkata', interruptions: { business: 1, off: 2, sleep: 1, total: 4 }, hours_on_call: 168, comp_time: { earned_days: 1, taken_days: 0.5, balance_days: 0.5, extra_days: 0, extra: [] }, incidents_worked: 0, hours_in_incidents: 0 },
    ]);
    expect(r.body.teams).toEqual([
      {
        team: 'platform',
        // 4 interruptions at most against a mean of 8 / 3.
        spread: 1.5,
        members: [
          { user: 'lee', interruptions: 4, interruption_share: 0.5, hours_on_call: 168, hours_share: 0.5 },
          { user: 'priya', interruptions: 4, interruption_share: 0.5, hours_on_call: 168, hours_share: 0.5 },
          { user: 'sam', interruptions: 0, interruption_share: 0, hours_on_call: 0, hours_share: 0 },
        ],
      },
    ]);
  });

  it('clips hours on call to the period and exports one CSV row per person', async () => {
    const r = await h.api('GET', '/api/v1/reports/load?from=2026-03-08T12:00:00Z&to=2026-03-10T00:00:00Z');
    // Priya until 9 March 00:00 (12 h), Lee from then (24 h); no page in the window but Mon 17:00.
    expect((r.body.people as { user: string; hours_on_call: number; interruptions: { total: number } }[]).map((p) => [p.user, p.hours_on_call, p.interruptions.total])).toEqual([
      ['lee', 24, 1],
      ['priya', 12, 0],
    ]);
    const res = await h.app.http.inject({ method: 'GET', url: '/api/v1/reports/load?since=14d&format=csv', headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(parseCsv(res.body, { columns: true })).toEqual([
      { user: 'lee', time_zone: 'America/Los_Angeles', interruptions: '4', business_hours: '2', off_hours: '1', sleep_hours: '1', hours_on_call: '168', comp_days_earned: '1', comp_days_taken: '0', comp_days_balance: '1', incidents_worked: '0', hours_in_incidents: '0', comp_days_extra: '0' },
      { user: 'priya', time_zone: 'Asia/Kolkata', interruptions: '4', business_hours: '1', off_hours: '2', sleep_hours: '1', hours_on_call: '168', comp_days_earned: '1', comp_days_taken: '0.5', comp_days_balance: '0.5', incidents_worked: '0', hours_in_incidents: '0', comp_days_extra: '0' },
    ]);
  });

  it('records time off only for yourself unless a manager, and refuses bad input naming the field', async () => {
    const lee = (await createToken(h.app.ctx, systemTestActor, { name: 'lee cli', role: 'responder', user: 'lee' })).token;
    const forbidden = await h.api('POST', '/api/v1/comp-time', { user: 'priya', day: '2026-03-13', days: 1 }, lee);
    expect(forbidden.status).toBe(403);
    const fieldOf = async (body: Record<string, unknown>) => {
      const r = await h.api('POST', '/api/v1/comp-time', body, lee);
      expect(r.status).toBe(400);
      const e = r.body.error as { field?: string; problems?: { field: string }[] };
      return e.field ?? e.problems?.[0]?.field;
    };
    expect(await fieldOf({ user: 'lee', day: '13/03/2026', days: 1 })).toBe('day');
    expect(await fieldOf({ user: 'lee', day: '2026-03-13', days: 0 })).toBe('days');
    expect(await fieldOf({ user: 'nobody', day: '2026-03-13', days: 1 })).toBe('user');
    const list = await h.api('GET', '/api/v1/comp-time?since=30d');
    expect((list.body.entries as { user: string; day: string; days: number }[]).map((e) => [e.user, e.day, e.days])).toEqual([['priya', '2026-03-12', 0.5]]);
  });
});
