import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * SLA clocks on the fake clock, with the Mother-Harness P1 targets (acknowledge 5 minutes, first
 * update 15, resolve 60) and DeltaCrown's breach consequences: an unacknowledged critical incident
 * pages the secondary on-call; one not resolved in time notifies leadership and requires a
 * post-mortem. The clock starts Sunday 2026-03-08 08:00 UTC.
 */
const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods: [{ name: work, type: email, address: alice@example.com }]
  - name: carol
    email: carol@example.com
    contact_methods: [{ name: work, type: email, address: carol@example.com }]
  - name: dave
    email: dave@example.com
    contact_methods: [{ name: work, type: email, address: dave@example.com }]
teams:
  - name: leadership
    members: [{ user: dave, role: vp }]
schedules:
  - name: secondary
    time_zone: UTC
    layers:
      - name: weekly
        participants: [carol]
        turn: 1 week
        start: "2026-03-02T00:00"
escalation_policies:
  - name: ops
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 30
services:
  - name: Orchestrator
    escalation_policy: ops
incident_policy:
  sla:
    critical: { acknowledge: 5m, first_update: 15m, resolve: 1h }
  breach_actions:
    - clock: acknowledge
      severities: [critical]
      page: [{ schedule: secondary }]
    - clock: resolve
      notify: [{ team: leadership }]
      require_postmortem: true
`;

interface Clock {
  clock: string;
  target_ms: number;
  due_at: string;
  state: string;
  met_at: string | null;
}
interface Detail {
  incident: { id: number; sla: Clock[] };
  timeline: { at: string; kind: string; message: string; data: unknown; actor: { name: string } }[];
}

const at = (base: number, minutes: number) => new Date(base + minutes * 60_000).toISOString();

describe.each(storeKinds)('incident SLA clocks on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const get = async (id: number) => (await h!.api('GET', `/api/v1/incidents/${id}`)).body as unknown as Detail;
  const states = async (id: number) => Object.fromEntries((await get(id)).incident.sla.map((c) => [c.clock, c.state]));
  const resolve = async (id: number) => (await h!.app.http.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: { authorization: `Bearer ${h!.adminToken}` }, payload: { status: 'resolved' } })).statusCode;
  const breachNotices = () => h!.store.db.selectFrom('notices').select(['destination', 'subject', 'data', 'body']).where('kind', '=', 'incident_sla_breach').orderBy('id').execute();

  it('nobody acts on a critical incident: clocks go at risk, then breach at the minute; the secondary is paged and leadership told once; a post-mortem is required', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const t0 = h.clock.now();
    const declared = await h.api('POST', '/api/v1/incidents', { title: 'Orchestrator completely down', severity: 'P1', services: ['Orchestrator'] });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    const d0 = declared.body as unknown as Detail;
    const id = d0.incident.id;
    expect(d0.incident.sla).toEqual([
      { clock: 'acknowledge', target_ms: 300_000, due_at: at(t0, 5), at_risk_at: at(t0, 4), state: 'on_track', met_at: null, elapsed_ms: 0 },
      { clock: 'first_update', target_ms: 900_000, due_at: at(t0, 15), at_risk_at: at(t0, 12), state: 'on_track', met_at: null, elapsed_ms: 0 },
      { clock: 'resolve', target_ms: 3_600_000, due_at: at(t0, 60), at_risk_at: at(t0, 48), state: 'on_track', met_at: null, elapsed_ms: 0 },
    ]);

    await h.advanceMinutes(3);
    expect(await states(id)).toEqual({ acknowledge: 'on_track', first_update: 'on_track', resolve: 'on_track' });
    await h.advanceMinutes(1);
    expect(await states(id)).toEqual({ acknowledge: 'at_risk', first_update: 'on_track', resolve: 'on_track' });
    expect(await breachNotices()).toEqual([]);

    // 5 minutes: the acknowledge clock breaches; the secondary on call (carol) is paged, once.
    await h.advanceMinutes(1);
    await h.tick();
    await h.tick();
    expect(await states(id)).toEqual({ acknowledge: 'breached', first_update: 'on_track', resolve: 'on_track' });
    let notices = await breachNotices();
    expect(notices.map((n) => n.destination)).toEqual(['carol@example.com']);
    expect(notices[0]!.subject).toBe(`Incident #${id}: acknowledge SLA breached (critical, target 5m)`);
    expect(notices[0]!.body).toContain(`Incident #${id} "Orchestrator completely down" (critical, investigating) breached its acknowledge SLA at 08:05 UTC: nobody acknowledged it within 5m.`);
    expect(JSON.parse(notices[0]!.data)).toMatchObject({ incident: id, clock: 'acknowledge', paged: true });
    let d = await get(id);
    const breaches = d.timeline.filter((e) => e.kind === 'sla_breached');
    expect(breaches).toHaveLength(1);
    expect(breaches[0]).toMatchObject({
      at: at(t0, 5),
      message: 'acknowledge SLA breached: nobody acknowledged it within 5m (due 08:05 UTC); paged carol',
      data: { clock: 'acknowledge', target_ms: 300_000, due_at: at(t0, 5) },
      actor: { name: 'Watchkeeper' },
    });
    await h.tick();
    expect(h.smtp.messages.filter((m) => m.to.includes('carol@example.com') && m.text.includes('acknowledge SLA breached'))).toHaveLength(1);

    // 12 and 15 minutes: the first update clock; it has no breach action but is on the record.
    await h.advanceMinutes(7);
    expect(await states(id)).toEqual({ acknowledge: 'breached', first_update: 'at_risk', resolve: 'on_track' });
    await h.advanceMinutes(2);
    expect((await states(id)).first_update).toBe('at_risk');
    await h.advanceMinutes(1);
    expect((await states(id)).first_update).toBe('breached');

    // 60 minutes: resolve breaches; leadership is told and a post-mortem is required.
    await h.advanceMinutes(32);
    expect((await states(id)).resolve).toBe('on_track');
    await h.advanceMinutes(1);
    expect((await states(id)).resolve).toBe('at_risk');
    await h.advanceMinutes(12);
    await h.tick();
    notices = await breachNotices();
    expect(notices.map((n) => `${n.destination} ${JSON.parse(n.data).clock} ${JSON.parse(n.data).paged}`)).toEqual(['carol@example.com acknowledge true', 'dave@example.com resolve false']);
    d = await get(id);
    expect(d.timeline.filter((e) => ['sla_breached', 'postmortem_required'].includes(e.kind)).map((e) => ({ at: e.at, kind: e.kind, data: e.data }))).toEqual([
      { at: at(t0, 5), kind: 'sla_breached', data: { clock: 'acknowledge', target_ms: 300_000, due_at: at(t0, 5) } },
      { at: at(t0, 15), kind: 'sla_breached', data: { clock: 'first_update', target_ms: 900_000, due_at: at(t0, 15) } },
      { at: at(t0, 60), kind: 'sla_breached', data: { clock: 'resolve', target_ms: 3_600_000, due_at: at(t0, 60) } },
      { at: at(t0, 60), kind: 'postmortem_required', data: { reason: 'resolve SLA breached (critical, target 1h)' } },
    ]);

    // Resolved late: the resolve clock stays breached, with when it stopped; nothing more happens.
    await h.advanceMinutes(10);
    expect(await resolve(id)).toBe(200);
    await h.advanceMinutes(60);
    d = await get(id);
    expect(d.incident.sla.map((c) => [c.clock, c.state, c.met_at])).toEqual([
      ['acknowledge', 'breached', at(t0, 70)],
      ['first_update', 'breached', at(t0, 70)],
      ['resolve', 'breached', at(t0, 70)],
    ]);
    expect(d.timeline.filter((e) => e.kind === 'sla_breached')).toHaveLength(3);
    expect(await breachNotices()).toHaveLength(2);
    // The list shows the clocks too.
    const list = (await h.api('GET', '/api/v1/incidents')).body as unknown as { incidents: { id: number; sla: Clock[] }[] };
    expect(list.incidents.find((x) => x.id === id)!.sla.map((c) => c.state)).toEqual(['breached', 'breached', 'breached']);
  });

  it('an incident handled in time meets every clock and breaches nothing', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const t0 = h.clock.now();
    const created = await h.api('POST', '/api/v1/alerts', { service: 'Orchestrator', summary: 'All task executions failing', severity: 'critical' });
    const alertId = (created.body.alert as { id: number }).id;
    const id = ((await h.api('POST', '/api/v1/incidents', { title: 'Orchestrator down', alerts: [alertId] })).body as unknown as Detail).incident.id;
    await h.advanceMinutes(2);
    expect((await h.api('POST', `/api/v1/alerts/${alertId}/acknowledge`, {})).status).toBe(200);
    await h.advanceMinutes(8);
    expect((await h.api('POST', `/api/v1/incidents/${id}/updates`, { status: 'identified', impact: 'All task executions fail', actions: 'Rolling back' })).status).toBe(201);
    await h.advanceMinutes(30);
    expect(await resolve(id)).toBe(200);
    await h.advanceMinutes(120);
    const d = await get(id);
    expect(d.incident.sla.map((c) => [c.clock, c.state, c.met_at])).toEqual([
      ['acknowledge', 'met', at(t0, 2)],
      ['first_update', 'met', at(t0, 10)],
      ['resolve', 'met', at(t0, 40)],
    ]);
    expect(d.timeline.filter((e) => e.kind === 'sla_breached' || e.kind === 'postmortem_required')).toEqual([]);
    expect(await breachNotices()).toEqual([]);
  });

  it('a breach found late, after the clock stopped, is recorded but pages nobody', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const id = ((await h.api('POST', '/api/v1/incidents', { title: 'Orchestrator slow', severity: 'critical' })).body as unknown as Detail).incident.id;
    // The engine does not run between 0 and 30 minutes; the incident was resolved at 20.
    h.clock.advanceMinutes(20);
    expect(await resolve(id)).toBe(200);
    await h.advanceMinutes(10);
    const d = await get(id);
    expect(d.timeline.filter((e) => e.kind === 'sla_breached').map((e) => e.message)).toEqual([
      'acknowledge SLA breached: nobody acknowledged it within 5m (due 08:05 UTC); found after the clock stopped (met late); nobody paged',
      'first update SLA breached: no status update was posted within 15m (due 08:15 UTC)',
    ]);
    expect(await breachNotices()).toEqual([]);
  });

  it('two engines that find the same breach record it once and page once', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const other = h.newApp(h.store.another ? await h.store.another() : h.store);
    try {
      const id = ((await h.api('POST', '/api/v1/incidents', { title: 'Orchestrator degraded', severity: 'critical' })).body as unknown as Detail).incident.id;
      h.clock.advanceMinutes(6);
      await Promise.all([h.app.engine.tick(), other.engine.tick(), h.app.engine.tick(), other.engine.tick()]);
      expect((await get(id)).timeline.filter((e) => e.kind === 'sla_breached')).toHaveLength(1);
      expect((await breachNotices()).map((n) => n.destination)).toEqual(['carol@example.com']);
    } finally {
      await other.stop();
    }
  });
});
