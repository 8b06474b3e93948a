import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * A critical incident from first alert to post-mortem draft, on the fake clock, as the Mother-Harness
 * handbook runs a P1: the alert pages the on-call person, who acknowledges; the incident is declared
 * from the alert and its commander is paged; no status update for 15 minutes brings an overdue
 * reminder; at 30 minutes the commander is prompted to open a war room; mitigation at 40, resolved
 * at 50; the post-mortem is required with its draft due 48 hours later, and the generated draft holds
 * every timeline event in order with the right durations.
 *
 * The clock starts Sunday 2026-03-08 08:00 UTC (the harness's default).
 */
const KEY = 'critical0incident0e2e00000000000';
const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods: [{ name: work, type: email, address: alice@example.com }]
  - name: bob
    email: bob@example.com
    contact_methods: [{ name: work, type: email, address: bob@example.com }]
escalation_policies:
  - name: checkout
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 15
services:
  - name: Checkout
    escalation_policy: checkout
    integrations:
      - { name: events, type: events_v2, key: ${KEY} }
incident_policy:
  update_every: { critical: 15m }
  commander_required_for: [critical]
  roles:
    commander: { name: Incident Commander, page: true }
  war_room: { after: 30m, severities: [critical] }
  sla:
    critical: { acknowledge: 5m, first_update: 15m, resolve: 60m }
postmortems:
  required_for:
    - severities: [critical]
`;

interface Event {
  at: string;
  kind: string;
  message: string;
}

const minutes = (t0: number, iso: string) => (Date.parse(iso) - t0) / 60_000;

describe.each(storeKinds)('a critical incident end to end on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  it('pages, reminds at 15, prompts a war room at 30, resolves at 50, and drafts a post-mortem due in 48 hours from the whole timeline', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const t0 = h.clock.now();
    const notices = (k: string) => h!.store.db.selectFrom('notices').select(['kind', 'destination', 'subject']).where('kind', '=', k).orderBy('id').execute();

    // 00:00 the alert fires and pages alice; 00:02 she acknowledges it.
    const fired = await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: 'checkout-5xx', payload: { summary: 'Checkout 5xx above 5%', source: 'prod', severity: 'critical' } });
    expect(fired.status).toBe(202);
    await h.tick();
    const alert = ((await h.api('GET', '/api/v1/alerts?status=triggered')).body.alerts as { id: number }[])[0]!;
    const pages = await h.store.db.selectFrom('pages').select(['alert_id']).where('alert_id', '=', alert.id).execute();
    expect(pages.length).toBeGreaterThan(0);
    await h.advanceMinutes(2);
    expect((await h.api('POST', `/api/v1/alerts/${alert.id}/acknowledge`, {})).status).toBe(200);

    // 00:03 declared from the alert by the API, with alice as commander: she is paged for the role.
    await h.advanceMinutes(1);
    const declared = await h.api('POST', '/api/v1/incidents', { title: 'Checkout failing', severity: 'critical', alerts: [alert.id], commander: 'alice' });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    const id = (declared.body.incident as { id: number }).id;
    const declaredAt = t0 + 3 * 60_000;
    await h.tick();
    const role = await notices('incident_role');
    expect(role.map((n) => n.destination)).toEqual(['alice@example.com']);
    const roleEvent = ((await h.api('GET', `/api/v1/incidents/${id}`)).body.timeline as Event[]).find((e) => e.kind === 'role_assigned');
    expect(roleEvent?.message).toMatch(/alice/);

    // No update for 15 minutes: at 00:18 the overdue reminder, once.
    await h.advanceMinutes(14);
    expect(await notices('incident_update_due')).toEqual([]);
    await h.advanceMinutes(1);
    await h.advanceMinutes(1);
    const due = await notices('incident_update_due');
    expect(due.map((n) => n.destination)).toEqual(['alice@example.com']);

    // 00:19 the first status update, a minute late.
    expect((await h.api('POST', `/api/v1/incidents/${id}/updates`, { status: 'identified', impact: 'Card payments fail for EU customers', actions: 'Rolling back release 1.42' })).status).toBe(201);

    // 00:33, 30 minutes after the declaration: the war-room prompt, once.
    await h.advanceMinutes(12);
    const timeline = async () => (await h!.api('GET', `/api/v1/incidents/${id}`)).body.timeline as Event[];
    expect((await timeline()).filter((e) => e.kind === 'war_room_prompted')).toEqual([]);
    await h.advanceMinutes(1);
    await h.advanceMinutes(1);
    const prompts = (await timeline()).filter((e) => e.kind === 'war_room_prompted');
    expect(prompts.map((e) => minutes(t0, e.at))).toEqual([33]);

    // 00:43 mitigation applied (key moment); 00:53 resolved: 50 minutes after the declaration.
    await h.advanceMinutes(10);
    expect((await h.api('POST', `/api/v1/incidents/${id}/notes`, { moment: 'mitigation_applied', text: 'Rolled back to 1.41' })).status).toBe(201);
    await h.advanceMinutes(10);
    expect((await h.api('PATCH', `/api/v1/incidents/${id}`, { status: 'resolved' })).status).toBe(200);
    const resolvedAt = declaredAt + 50 * 60_000;
    expect(h.clock.now()).toBe(resolvedAt);

    // The post-mortem is required, with the draft due 48 hours after the resolution.
    const pm = (await h.api('GET', `/api/v1/incidents/${id}/postmortem`)).body.postmortem as { required: boolean; reasons: string[]; deadlines: { stage: string; due_at: string }[] };
    expect(pm.required).toBe(true);
    expect(pm.deadlines.find((d) => d.stage === 'draft')?.due_at).toBe(new Date(resolvedAt + 48 * 3_600_000).toISOString());

    // The SLA clocks: acknowledged in time, first update late (16 min > 15), resolved in time (50 < 60).
    const sla = (await h.api('GET', `/api/v1/incidents/${id}`)).body.incident as { sla: { clock: string; state: string }[] };
    expect(Object.fromEntries(sla.sla.map((c) => [c.clock, c.state]))).toEqual({ acknowledge: 'met', first_update: 'breached', resolve: 'met' });

    // The draft: every timeline event in order, and the durations.
    const drafted = await h.api('POST', `/api/v1/incidents/${id}/postmortem/draft`, {});
    expect(drafted.status, JSON.stringify(drafted.body)).toBe(200);
    const body = (drafted.body.postmortem as { body: string }).body;
    expect(body).toContain('- Time to acknowledge: 2m (first alert to first acknowledgement)');
    expect(body).toContain('- Time to mitigate: 40m');
    expect(body).toContain('- Time to resolve: 50m');
    const events = await timeline();
    const rows = body
      .split('\n')
      .filter((l) => /^\| \d{4}-\d\d-\d\d \d\d:\d\d \|/.test(l))
      .map((l) => l.split(' | ')[2]!);
    expect(rows).toEqual(events.map((e) => e.kind.replace(/_/g, ' ')));
    // Minutes after the first alert, kind by kind: the whole story, in order.
    expect(events.map((e) => [minutes(t0, e.at), e.kind])).toEqual([
      [3, 'declared'],
      [3, 'alert_attached'],
      [3, 'role_assigned'],
      [18, 'update_overdue'],
      [18, 'sla_breached'],
      [19, 'status_changed'],
      [19, 'update'],
      [33, 'war_room_prompted'],
      // The next update was due at 00:34 (15 minutes after 00:19); the engine ran again at 00:43.
      [43, 'update_overdue'],
      [43, 'key_moment'],
      [53, 'update_overdue'],
      [53, 'status_changed'],
      [53, 'postmortem_started'],
    ]);
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
