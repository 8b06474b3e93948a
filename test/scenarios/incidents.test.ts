import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * A critical incident on the fake clock, as the Mother-Harness handbook runs one: declared from a
 * critical alert with a commander, who is told; no status update for 15 minutes brings one
 * reminder, recorded on the timeline; an update moves the next deadline 15 minutes on; resolved,
 * then closed. The clock starts Sunday 2026-03-08 08:00 UTC.
 */
const KEY = 'mh000orchestrator0events0v200000';
const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods: [{ name: work, type: email, address: alice@example.com }]
  - name: bob
    email: bob@example.com
    contact_methods: [{ name: work, type: email, address: bob@example.com }]
escalation_policies:
  - name: ops
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 30
services:
  - name: Orchestrator
    escalation_policy: ops
    integrations:
      - name: prometheus
        type: events_v2
        key: ${KEY}
incident_policy:
  update_every: { critical: 15m, high: 30m, medium: 1h }
  commander_required_for: [critical]
`;

interface TimelineRow {
  at: string;
  kind: string;
  message: string;
  actor: { name: string };
}
interface Detail {
  incident: { id: number; number: string; status: string; severity: string; next_update_at: string | null; update_overdue: boolean; commander: string | null; slug: string; services: { name: string }[] };
  alerts: { id: number; status: string }[];
  timeline: TimelineRow[];
  updates: { status: string; impact: string; next_update_at: string | null }[];
}

const at = (base: number, minutes: number) => new Date(base + minutes * 60_000).toISOString();

describe.each(storeKinds)('incidents on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const get = async (id: number) => (await h!.api('GET', `/api/v1/incidents/${id}`)).body as unknown as Detail;
  const notices = (to: string) => h!.smtp.messages.filter((m) => m.to.includes(to) && /^X-Watchkeeper-Notice: /m.test(m.raw));
  const patch = async (id: number, body: Record<string, unknown>) => {
    const res = await h!.app.http.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: { authorization: `Bearer ${h!.adminToken}` }, payload: body });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };

  it('declared from a critical alert: commander told, one reminder per missed update, update resets the clock, resolved, closed', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const t0 = h.clock.now();
    expect((await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: 'orch-down', payload: { summary: 'Orchestrator down', source: 'prom', severity: 'critical' } })).status).toBe(202);
    await h.tick();
    const alertId = ((await h.api('GET', '/api/v1/alerts')).body.alerts as { id: number }[])[0]!.id;
    h.smtp.clear();

    const declared = await h.api('POST', '/api/v1/incidents', { title: 'Orchestrator completely down', alerts: [alertId], commander: 'bob' });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    const d0 = declared.body as unknown as Detail;
    const id = d0.incident.id;
    expect(d0.incident).toMatchObject({ number: `#${id}`, status: 'investigating', severity: 'critical', commander: 'bob', slug: '20260308-orchestrator-completely-down', next_update_at: at(t0, 15), services: [{ name: 'Orchestrator' }] });
    expect(d0.timeline.map((e) => e.kind)).toEqual(['declared', 'alert_attached', 'role_assigned']);

    await h.tick();
    const told = notices('bob@example.com');
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain(`made you Incident Commander of incident #${id} "Orchestrator completely down" (critical, investigating)`);
    h.smtp.clear();

    // 14 minutes: nothing owed yet.
    await h.advanceMinutes(14);
    expect((await get(id)).timeline.filter((e) => e.kind === 'update_overdue')).toEqual([]);
    expect(notices('bob@example.com')).toEqual([]);

    // 15 minutes without an update: one reminder to the commander, recorded once.
    await h.advanceMinutes(1);
    await h.advanceMinutes(1);
    await h.tick();
    let d = await get(id);
    const overdue = d.timeline.filter((e) => e.kind === 'update_overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]).toMatchObject({ at: at(t0, 15), message: 'status update overdue: due 08:15 UTC; reminded bob', actor: { name: 'Watchkeeper' } });
    expect(d.incident).toMatchObject({ next_update_at: at(t0, 30), update_overdue: false });
    const reminders = notices('bob@example.com');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.text).toContain(`The status update for incident #${id} "Orchestrator completely down" (critical, investigating) was due at 08:15 UTC; critical incidents get one every 15 minutes.`);
    expect(notices('alice@example.com')).toEqual([]);
    h.smtp.clear();

    // An update at 16 minutes: the next one is due 15 minutes later, and no reminder comes at 30.
    const up = await h.api('POST', `/api/v1/incidents/${id}/updates`, { status: 'identified', impact: 'All task executions fail', actions: 'Rolling back the 07:50 deploy' });
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    d = up.body as unknown as Detail;
    expect(d.incident).toMatchObject({ status: 'identified', next_update_at: at(t0, 31) });
    expect(d.updates[0]).toMatchObject({ status: 'identified', impact: 'All task executions fail', next_update_at: at(t0, 31) });
    await h.advanceMinutes(14);
    expect((await get(id)).timeline.filter((e) => e.kind === 'update_overdue')).toHaveLength(1);
    await h.advanceMinutes(1);
    expect((await get(id)).timeline.filter((e) => e.kind === 'update_overdue')).toHaveLength(2);

    // The attached alert's acknowledgement shows on the incident's timeline.
    await h.advanceMinutes(2);
    expect((await h.api('POST', `/api/v1/alerts/${alertId}/acknowledge`, {})).status).toBe(200);
    await h.advanceMinutes(3);
    expect((await h.api('POST', `/api/v1/incidents/${id}/notes`, { moment: 'mitigation_applied', text: 'rollback done' })).status).toBe(201);

    // Resolved at 40 minutes: nothing is owed any more.
    await h.advanceMinutes(4);
    expect((await patch(id, { status: 'resolved' })).status).toBe(200);
    d = await get(id);
    expect(d.incident).toMatchObject({ status: 'resolved', next_update_at: null });
    await h.advanceMinutes(120);
    d = await get(id);
    expect(d.timeline.filter((e) => e.kind === 'update_overdue')).toHaveLength(2);
    expect(d.timeline.map((e) => e.kind)).toEqual([
      'declared',
      'alert_attached',
      'role_assigned',
      'update_overdue',
      'status_changed',
      'update',
      'update_overdue',
      'alert_acknowledged',
      'key_moment',
      'status_changed',
    ]);

    // Closed is final.
    expect((await patch(id, { status: 'closed' })).status).toBe(200);
    const again = await patch(id, { status: 'investigating' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'conflict', message: `incident #${id} is closed; closed is final. Declare a new incident` } });
    expect((await h.api('GET', '/api/v1/incidents')).body.incidents).toEqual([]);
    expect(((await h.api('GET', '/api/v1/incidents?status=closed')).body.incidents as { id: number }[]).map((x) => x.id)).toEqual([id]);
  });

  it('runs the Mother-Harness procedure from its handbook file: P1 needs a commander, who is paged, and P1 updates every 15 minutes', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/handbooks/mother-harness.yaml' });
    const t0 = h.clock.now();
    const created = await h.api('POST', '/api/v1/alerts', { service: 'Mother-Harness Orchestrator', summary: 'All task executions failing', severity: 'P1' });
    const alertId = (created.body.alert as { id: number }).id;
    const refused = await h.api('POST', '/api/v1/incidents', { title: 'Orchestrator down', alerts: [alertId] });
    expect(refused.body).toMatchObject({ error: { field: 'commander' } });

    const declared = await h.api('POST', '/api/v1/incidents', { title: 'Orchestrator down', alerts: [alertId], commander: 'eng-manager' });
    const d = declared.body as unknown as Detail & { roles: { role_name: string }[] };
    expect(d.incident).toMatchObject({ severity: 'critical', commander: 'eng-manager', next_update_at: at(t0, 15) });
    expect(d.roles.map((r) => r.role_name)).toEqual(['Incident Commander']);
    const notice = await h.store.db.selectFrom('notices').select(['kind', 'destination', 'data']).where('kind', '=', 'incident_role').executeTakeFirstOrThrow();
    expect(notice).toMatchObject({ destination: 'eng-manager@mother-harness.example.com' });
    expect(JSON.parse(notice.data)).toMatchObject({ paged: true, role_name: 'Incident Commander' });

    const ops = await h.api('POST', `/api/v1/incidents/${d.incident.id}/roles`, { role: 'ops_lead', user: 'primary-oncall' });
    expect((ops.body as unknown as { roles: { role_name: string; user: string }[] }).roles.map((r) => `${r.role_name}: ${r.user}`)).toEqual(['Incident Commander: eng-manager', 'Ops Lead: primary-oncall']);
    await h.advanceMinutes(15);
    expect((await get(d.incident.id)).timeline.filter((e) => e.kind === 'update_overdue').map((e) => e.message)).toEqual(['status update overdue: due 08:15 UTC; reminded eng-manager']);
  });

  it('two engines that find the same missed update record it once and remind once', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const other = h.newApp(h.store.another ? await h.store.another() : h.store);
    try {
      const declared = await h.api('POST', '/api/v1/incidents', { title: 'Orchestrator degraded', severity: 'P1', commander: 'bob' });
      const id = (declared.body as unknown as Detail).incident.id;
      h.clock.advanceMinutes(16);
      await Promise.all([h.app.engine.tick(), other.engine.tick(), h.app.engine.tick(), other.engine.tick()]);
      const d = await get(id);
      expect(d.timeline.filter((e) => e.kind === 'update_overdue')).toHaveLength(1);
      const reminders = await h.store.db.selectFrom('notices').select('kind').where('kind', '=', 'incident_update_due').execute();
      expect(reminders).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });
});
