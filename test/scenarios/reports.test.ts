import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

const CHECKOUT = 'reports0checkout0events000000000';
const SEARCH = 'reports0search0events00000000000';
const ORG = `
users:
  - { name: alice, email: alice@example.com, contact_methods: [{ name: email, type: email, address: alice@example.com }] }
  - { name: bob, email: bob@example.com, contact_methods: [{ name: email, type: email, address: bob@example.com }] }
  - { name: carol, email: carol@example.com, contact_methods: [{ name: email, type: email, address: carol@example.com }] }
  - { name: dave, email: dave@example.com, contact_methods: [{ name: email, type: email, address: dave@example.com }] }
teams:
  - name: payments
    members: [{ user: alice }, { user: bob }]
escalation_policies:
  - name: checkout
    levels:
      - { targets: [{ user: alice }], delay_minutes: 5 }
      - { targets: [{ user: bob }] }
  - name: search
    levels:
      - { targets: [{ user: carol }], delay_minutes: 45 }
      - { targets: [{ user: dave }] }
services:
  - name: Checkout
    team: payments
    escalation_policy: checkout
    integrations: [{ name: events, type: events_v2, key: ${CHECKOUT} }]
  - name: Search
    escalation_policy: search
    integrations: [{ name: events, type: events_v2, key: ${SEARCH} }]
response_targets:
  critical: { acknowledge: 5m, resolve: 15m }
  warning: { acknowledge: 30m, resolve: 1h }
`;

/**
 * A month of alerts with every figure worked out by hand (see each expectation). March 2026 is
 * the period (since=30d at 31 March 00:00 UTC); one critical alert on 20 February is the previous
 * period. Key k1 flaps: it resolves and fires again within the hour twice.
 *
 *   alert  service   severity  opened (UTC)       ack after  resolved after
 *   P      Checkout  critical  20 Feb 10:00       4m         6m
 *   A1     Checkout  critical  1 Mar 10:00  (k1)  2m         10m
 *   A2     Checkout  critical  2 Mar 10:00  (k1)  8m         20m      reaches level 2 at 5m
 *   A3     Checkout  critical  2 Mar 10:30  (k1)  -          4m
 *   A4     Checkout  critical  2 Mar 11:00  (k1)  1m         5m
 *   A5     Search    medium    5 Mar 12:00  (k2)  40m        50m      fires twice more while open
 *   A6     Search    medium    6 Mar 23:30  (k3)  -          2h       reaches level 2 at 45m
 *   A7     Search    info      10 Mar 09:00 (k4)  -          open     reaches level 2 at 45m
 */
describe.each(storeKinds)('reports on $name', (kind) => {
  let h: Harness;
  // The month is only read: one fixture per database serves every test.
  beforeAll(async () => {
    h = await Harness.start(kind, { orgYaml: ORG, start: '2026-02-20T10:00:00Z' });
    const to = async (iso: string) => {
      h.clock.advance(Date.parse(iso) - h.clock.now());
      await h.app.tick();
    };
    const send = async (key: string, routing: string, action: string, severity = 'critical') => {
      const r = await h.enqueue({ routing_key: routing, event_action: action, dedup_key: key, payload: { summary: `${key} firing`, source: 'prometheus', severity } });
      expect(r.status).toBe(202);
      await h.app.tick();
    };
    const life = async (key: string, routing: string, severity: string, opened: string, ackMin: number | null, resolveMin: number | null, repeats = 0, during: [number, () => Promise<void>][] = []) => {
      const t = Date.parse(opened);
      await to(opened);
      for (let i = 0; i <= repeats; i++) await send(key, routing, 'trigger', severity);
      const steps: [number, () => Promise<void>][] = [...during];
      if (ackMin !== null) steps.push([ackMin, () => send(key, routing, 'acknowledge', severity)]);
      if (resolveMin !== null) steps.push([resolveMin, () => send(key, routing, 'resolve', severity)]);
      for (const [min, action] of steps.sort((a, b) => a[0] - b[0])) {
        // The engine runs (and escalates what is due) before the action.
        await to(new Date(t + min * 60_000).toISOString());
        await action();
      }
    };
    const alertId = async (key: string) => ((await h.api('GET', `/api/v1/alerts?status=triggered,acknowledged,resolved&limit=100`)).body.alerts as { id: number; dedup_key: string }[]).filter((a) => a.dedup_key === key).sort((a, b) => b.id - a.id)[0]!.id;
    const incident = { id: 0 };
    const declare = async (body: Record<string, unknown>) => {
      const r = await h.api('POST', '/api/v1/incidents', body);
      expect(r.status).toBe(201);
      return ((r.body.incident ?? r.body) as { id: number }).id;
    };
    const status = async (id: number, to: string) =>
      expect((await h.app.http.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: { authorization: `Bearer ${h.adminToken}` }, payload: { status: to } })).statusCode).toBe(200);
    await life('p', CHECKOUT, 'critical', '2026-02-20T10:00:00Z', 4, 6);
    await life('k1', CHECKOUT, 'critical', '2026-03-01T10:00:00Z', 2, 10);
    // I4: A1 was acknowledged before the incident was declared (0 s); resolved 10 min in.
    await to('2026-03-01T10:20:00Z');
    incident.id = await declare({ title: 'checkout errors', severity: 'critical', alerts: [await alertId('k1')] });
    await to('2026-03-01T10:30:00Z');
    await status(incident.id, 'resolved');
    // I1: declared 3 min after A2 opened; A2 acknowledged at 8 min: 300 s, not over the 5 min target. Resolved at 10:50: 2820 s.
    let i1 = 0;
    await life('k1', CHECKOUT, 'critical', '2026-03-02T10:00:00Z', 8, 20, 0, [[3, async () => void (i1 = await declare({ title: 'checkout down', severity: 'critical', alerts: [await alertId('k1')] }))]]);
    await life('k1', CHECKOUT, 'critical', '2026-03-02T10:30:00Z', null, 4);
    await to('2026-03-02T10:50:00Z');
    await status(i1, 'resolved');
    await life('k1', CHECKOUT, 'critical', '2026-03-02T11:00:00Z', 1, 5);
    await life('k2', SEARCH, 'warning', '2026-03-05T12:00:00Z', 40, 50, 2);
    // I2: no alerts; the first status update 12 min in (720 s), resolved after an hour.
    await to('2026-03-06T09:00:00Z');
    const i2 = await declare({ title: 'payments slow', severity: 'critical' });
    await to('2026-03-06T09:12:00Z');
    expect((await h.api('POST', `/api/v1/incidents/${i2}/updates`, { impact: 'payments slow', actions: 'scaling up' })).status).toBe(201);
    await to('2026-03-06T10:00:00Z');
    await status(i2, 'resolved');
    await life('k3', SEARCH, 'warning', '2026-03-06T23:30:00Z', null, 120);
    await life('k4', SEARCH, 'info', '2026-03-10T09:00:00Z', null, null);
    // I3: medium, with A7 (never acknowledged); identified 20 min in; still open.
    await to('2026-03-10T09:30:00Z');
    const i3 = await declare({ title: 'search degraded', severity: 'medium', alerts: [await alertId('k4')] });
    await to('2026-03-10T09:50:00Z');
    await status(i3, 'identified');
    await to('2026-03-10T10:00:00Z');
    await to('2026-03-31T00:00:00Z');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('computes MTTA and MTTR by severity against the targets, with the trend against February', async () => {
    const r = await h.api('GET', '/api/v1/reports/response?since=30d');
    expect(r.status).toBe(200);
    expect(r.body.from).toBe('2026-03-01T00:00:00.000Z');
    expect(r.body.previous).toEqual({ from: '2026-01-30T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' });
    const [critical, medium, info] = r.body.groups as Record<string, unknown>[];
    // TTA 120, 480, 60 s: mean 220, median 120, p95 = 120 + 0.9 × 360 = 444.
    // TTR 600, 1200, 240, 300 s: mean 585, median (300 + 600) / 2 = 450, p95 = 600 + 0.85 × 600 = 1110.
    expect(critical).toEqual({
      key: 'critical',
      alerts: 4,
      acknowledged: 3,
      resolved: 4,
      time_to_acknowledge: { count: 3, mean: 220, median: 120, p95: 444 },
      time_to_resolve: { count: 4, mean: 585, median: 450, p95: 1110 },
      target: { acknowledge: 300, resolve: 900 },
      // A2 was acknowledged after 8 min and resolved after 20; A3 resolved unacknowledged in 4 min.
      breached: { acknowledge: { breached: 1, of: 4, share: 0.25 }, resolve: { breached: 1, of: 4, share: 0.25 } },
      previous: { alerts: 1, time_to_acknowledge_mean: 240, time_to_resolve_mean: 360 },
      // 4 alerts against 1; (220 - 240) / 240; (585 - 360) / 360.
      trend: { alerts: 3, time_to_acknowledge: -0.0833, time_to_resolve: 0.625 },
    });
    // "warning" in the targets is the medium level of the default scale.
    expect(medium).toMatchObject({
      key: 'medium',
      alerts: 2,
      acknowledged: 1,
      resolved: 2,
      time_to_acknowledge: { count: 1, mean: 2400, median: 2400, p95: 2400 },
      // 3000 and 7200: p95 = 3000 + 0.95 × 4200 = 6990.
      time_to_resolve: { count: 2, mean: 5100, median: 5100, p95: 6990 },
      target: { acknowledge: 1800, resolve: 3600 },
      breached: { acknowledge: { breached: 2, of: 2, share: 1 }, resolve: { breached: 1, of: 2, share: 0.5 } },
      trend: { alerts: null, time_to_acknowledge: null, time_to_resolve: null },
    });
    expect(info).toMatchObject({
      key: 'info',
      alerts: 1,
      acknowledged: 0,
      resolved: 0,
      time_to_acknowledge: { count: 0, mean: null, median: null, p95: null },
      target: { acknowledge: null, resolve: null },
      breached: { acknowledge: null, resolve: null },
    });
    // TTA 60, 120, 480, 2400: mean 765, median 300, p95 = 480 + 0.85 × 1920 = 2112.
    // TTR 240, 300, 600, 1200, 3000, 7200: mean 2090, median 900, p95 = 3000 + 0.75 × 4200 = 6150.
    expect(r.body.total).toMatchObject({
      alerts: 7,
      time_to_acknowledge: { count: 4, mean: 765, median: 300, p95: 2112 },
      time_to_resolve: { count: 6, mean: 2090, median: 900, p95: 6150 },
      breached: { acknowledge: { breached: 3, of: 6, share: 0.5 }, resolve: { breached: 2, of: 6, share: 0.3333 } },
    });
  });

  it('measures incidents by severity: first acknowledgement, update or status change, and resolution, against the targets', async () => {
    const r = await h.api('GET', '/api/v1/reports/response?since=30d&by=service');
    const { groups, total } = r.body.incidents as { groups: Record<string, unknown>[]; total: Record<string, unknown> };
    // TTA 0 (I4), 300 (I1), 720 (I2): mean 340, median 300, p95 = 300 + 0.9 × 420 = 678.
    // TTR 600, 2820, 3600: mean 2340, median 2820, p95 = 2820 + 0.9 × 780 = 3522.
    // I1's 300 s is not over the 5 min target; I2's 720 s is. I1 and I2 took longer than 15 min to resolve.
    expect(groups).toEqual([
      {
        key: 'critical',
        incidents: 3,
        acknowledged: 3,
        resolved: 3,
        time_to_acknowledge: { count: 3, mean: 340, median: 300, p95: 678 },
        time_to_resolve: { count: 3, mean: 2340, median: 2820, p95: 3522 },
        target: { acknowledge: 300, resolve: 900 },
        breached: { acknowledge: { breached: 1, of: 3, share: 0.3333 }, resolve: { breached: 2, of: 3, share: 0.6667 } },
      },
      {
        // I3: identified after 20 min, inside the 30 min target; open for three weeks, past the hour.
        key: 'medium',
        incidents: 1,
        acknowledged: 1,
        resolved: 0,
        time_to_acknowledge: { count: 1, mean: 1200, median: 1200, p95: 1200 },
        time_to_resolve: { count: 0, mean: null, median: null, p95: null },
        target: { acknowledge: 1800, resolve: 3600 },
        breached: { acknowledge: { breached: 0, of: 1, share: 0 }, resolve: { breached: 1, of: 1, share: 1 } },
      },
    ]);
    // TTA 0, 300, 720, 1200: mean 555, median 510, p95 = 720 + 0.85 × 480 = 1128.
    expect(total).toEqual({
      key: 'all',
      incidents: 4,
      acknowledged: 4,
      resolved: 3,
      time_to_acknowledge: { count: 4, mean: 555, median: 510, p95: 1128 },
      time_to_resolve: { count: 3, mean: 2340, median: 2820, p95: 3522 },
      target: null,
      breached: { acknowledge: { breached: 1, of: 4, share: 0.25 }, resolve: { breached: 3, of: 4, share: 0.75 } },
    });

    const res = await h.app.http.inject({ method: 'GET', url: '/api/v1/reports/response?since=30d&of=incidents&format=csv', headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(res.headers['content-disposition']).toContain('incident-response.csv');
    const rows = parseCsv(res.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => [x.severity, x.incidents, x.tta_mean_s, x.tta_p95_s, x.ttr_median_s, x.acknowledge_breached, x.resolve_breached, x.resolve_measured])).toEqual([
      ['critical', '3', '340', '678', '2820', '1', '2', '3'],
      ['medium', '1', '1200', '1200', '', '0', '1', '1'],
      ['all', '4', '555', '1128', '2820', '1', '3', '4'],
    ]);
    expect((await h.api('GET', '/api/v1/reports/response?of=everything')).status).toBe(400);
  });

  it('groups by team and policy, and its CSV holds the same figures', async () => {
    const team = await h.api('GET', '/api/v1/reports/response?since=30d&by=team');
    expect((team.body.groups as { key: string; alerts: number }[]).map((g) => [g.key, g.alerts])).toEqual([
      ['(no team)', 3],
      ['payments', 4],
    ]);
    const policy = await h.api('GET', '/api/v1/reports/response?since=30d&by=policy');
    expect((policy.body.groups as { key: string; alerts: number }[]).map((g) => [g.key, g.alerts])).toEqual([
      ['checkout', 4],
      ['search', 3],
    ]);

    const res = await h.app.http.inject({ method: 'GET', url: '/api/v1/reports/response?since=30d&format=csv', headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parseCsv(res.body, { columns: true }) as Record<string, string>[];
    const json = (await h.api('GET', '/api/v1/reports/response?since=30d')).body;
    const groups = [...(json.groups as unknown[]), json.total] as unknown as {
      key: string;
      alerts: number;
      time_to_acknowledge: { mean: number | null; p95: number | null };
      time_to_resolve: { median: number | null };
      breached: { acknowledge: { breached: number } | null };
    }[];
    expect(rows.map((x) => [x.key, Number(x.alerts), x.mtta_mean_s, x.mtta_p95_s, x.mttr_median_s, x.acknowledge_breached])).toEqual(
      groups.map((g) => [g.key, g.alerts, String(g.time_to_acknowledge.mean ?? ''), String(g.time_to_acknowledge.p95 ?? ''), String(g.time_to_resolve.median ?? ''), String(g.breached.acknowledge?.breached ?? '')]),
    );
  });

  it('reports noise: daily volume in a time zone, the noisiest and flapping keys, unacknowledged resolutions and escalations', async () => {
    const r = await h.api('GET', '/api/v1/reports/noise?since=30d&tz=Asia/Kolkata');
    expect(r.status).toBe(200);
    const days = r.body.days as string[];
    const on = (series: { key: string; counts: number[] }[], key: string) =>
      Object.fromEntries(days.flatMap((d, i) => ((series.find((s) => s.key === key)?.counts[i] ?? 0) > 0 ? [[d, series.find((s) => s.key === key)!.counts[i]]] : [])));
    const bySeverity = r.body.by_severity as { key: string; counts: number[]; total: number }[];
    expect(bySeverity.map((s) => [s.key, s.total])).toEqual([
      ['critical', 4],
      ['medium', 2],
      ['info', 1],
    ]);
    expect(on(bySeverity, 'critical')).toEqual({ '2026-03-01': 1, '2026-03-02': 3 });
    // A6 opened at 23:30 UTC on 6 March: 05:00 on 7 March in Kolkata.
    expect(on(bySeverity, 'medium')).toEqual({ '2026-03-05': 1, '2026-03-07': 1 });
    const la = await h.api('GET', '/api/v1/reports/noise?since=30d&tz=America/Los_Angeles');
    const laDays = la.body.days as string[];
    expect([laDays[0], laDays.at(-1), laDays.length]).toEqual(['2026-02-28', '2026-03-30', 31]);
    const laMedium = (la.body.by_severity as { key: string; counts: number[] }[]).find((s) => s.key === 'medium')!;
    expect(laDays.filter((_, i) => laMedium.counts[i]! > 0)).toEqual(['2026-03-05', '2026-03-06']);

    expect((r.body.noisiest as Record<string, unknown>[]).map((a) => [a.service, a.dedup_key, a.opened, a.repeats, a.resolved_without_ack, a.quick_refires])).toEqual([
      ['Checkout', 'k1', 4, 0, 1, 2],
      ['Search', 'k2', 1, 2, 0, 0],
      ['Search', 'k3', 1, 0, 1, 0],
      ['Search', 'k4', 1, 0, 0, 0],
    ]);
    expect((r.body.flapping as { dedup_key: string }[]).map((a) => a.dedup_key)).toEqual(['k1']);
    expect(r.body.resolved_without_ack).toEqual({ count: 2, of: 6, share: 0.3333 });
    expect(r.body.escalations).toEqual([
      { policy: 'checkout', level: 1, alerts: 4, share: 1 },
      { policy: 'checkout', level: 2, alerts: 1, share: 0.25 },
      { policy: 'search', level: 1, alerts: 3, share: 1 },
      { policy: 'search', level: 2, alerts: 2, share: 0.6667 },
    ]);

    const res = await h.app.http.inject({ method: 'GET', url: '/api/v1/reports/noise?since=30d&tz=Asia/Kolkata&format=csv', headers: { authorization: `Bearer ${h.adminToken}` } });
    const rows = parseCsv(res.body, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(days.length);
    expect(rows.find((x) => x.day === '2026-03-02')).toMatchObject({ 'severity:critical': '3', 'service:Checkout': '3', 'service:Search': '0' });
  });

  it('refuses a bad range or zone, naming the field', async () => {
    const bad = async (q: string) => {
      const r = await h.api('GET', `/api/v1/reports/${q}`);
      expect(r.status).toBe(400);
      const e = r.body.error as { field?: string; problems?: { field: string }[] };
      return e.field ?? e.problems?.[0]?.field;
    };
    expect(await bad('response?since=soon')).toBe('since');
    expect(await bad('response?by=colour')).toBe('by');
    expect(await bad('response?since=400d')).toBe('from');
    expect(await bad('noise?tz=Mars/Olympus')).toBe('tz');
  });
});
