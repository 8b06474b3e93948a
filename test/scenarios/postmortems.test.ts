import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Post-mortems on the fake clock, with Clipper's rules (every P1, a P2 over 2 hours, security
 * incidents, SLO breaches) and the handbook deadlines (initial report 24 h, draft 48 h, meeting
 * 7 d, action items assigned 14 d). The clock starts Sunday 2026-03-08 08:00 UTC.
 */
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
incident_policy:
  commander_required_for: [critical]
postmortems:
  required_for:
    - severities: [critical]
    - severities: [high]
      lasting_over: 2h
    - class: security
    - sla_breach: true
`;

interface Deadline {
  stage: string;
  due_at: string;
  met_at: string | null;
  reminded_at: string | null;
  state: string;
}
interface Postmortem {
  id: number;
  status: string;
  required: boolean;
  reasons: string[];
  reminded: string | null;
  body: string;
  deadlines: Deadline[];
  action_items: { id: number; title: string; owner: string | null; status: string; overdue: boolean }[];
  incident: { status: string };
}

const at = (base: number, minutes: number) => new Date(base + minutes * 60_000).toISOString();

describe.each(storeKinds)('post-mortems on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: Record<string, unknown>) => {
    const res = await h!.app.http.inject({ method, url, headers: { authorization: `Bearer ${h!.adminToken}` }, ...(body === undefined ? {} : { payload: body }) });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const pmOf = async (id: number) => (await call('GET', `/api/v1/incidents/${id}/postmortem`)).body.postmortem as Postmortem;
  const events = async (id: number, kind: string) =>
    ((await call('GET', `/api/v1/incidents/${id}`)).body.timeline as { kind: string; message: string; at: string }[]).filter((e) => e.kind === kind);
  const notices = (kind: string) => h!.store.db.selectFrom('notices').select(['kind', 'destination', 'subject', 'body']).where('kind', '=', kind).orderBy('id').execute();

  it('a critical incident resolved needs a post-mortem: draft due in 48 h, one reminder at the deadline, no close until complete, complete closes', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const t0 = h.clock.now();
    const declared = await call('POST', '/api/v1/incidents', { title: 'Orchestrator down', severity: 'critical', services: ['Orchestrator'], commander: 'bob' });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    const id = (declared.body.incident as { id: number }).id;
    await h.advanceMinutes(20);
    expect((await call('POST', `/api/v1/incidents/${id}/notes`, { moment: 'root_cause_identified', text: 'bad config in 1.42' })).status).toBe(201);
    await h.advanceMinutes(40);

    // Resolved at 60 minutes: the rules require a post-mortem, the commander is told.
    expect((await call('PATCH', `/api/v1/incidents/${id}`, { status: 'resolved' })).status).toBe(200);
    let pm = await pmOf(id);
    expect(pm).toMatchObject({ status: 'draft', required: true, reasons: ['critical incident'], reminded: 'bob', body: '' });
    expect(pm.deadlines.map((d) => [d.stage, d.due_at, d.state])).toEqual([
      ['initial_report', at(t0, 60 + 24 * 60), 'due'],
      ['draft', at(t0, 60 + 48 * 60), 'due'],
      ['meeting', at(t0, 60 + 7 * 24 * 60), 'due'],
      ['action_items_assigned', at(t0, 60 + 14 * 24 * 60), 'due'],
    ]);
    expect((await events(id, 'postmortem_started')).map((e) => e.message)).toEqual(['post-mortem required: critical incident; draft due 2026-03-10 09:00 UTC; owner bob']);
    await h.tick();
    const told = await notices('postmortem_required');
    expect(told.map((n) => [n.destination, n.subject])).toEqual([['bob@example.com', `Incident #${id}: post-mortem required (draft due 2026-03-10 09:00 UTC)`]]);
    expect(h.smtp.messages.filter((m) => m.to.includes('bob@example.com') && m.text.includes('needs a post-mortem: critical incident.'))).toHaveLength(1);

    // Closing before the post-mortem is complete is refused, with the next step.
    const refused = await call('PATCH', `/api/v1/incidents/${id}`, { status: 'closed' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'conflict', field: 'status', message: `status: incident #${id} needs its post-mortem complete before it closes; completing it closes the incident: watchkeeper postmortem complete ${id}` } });

    // The draft is saved within the day: the initial report is met, no reminder for it.
    await h.advanceMinutes(60);
    const drafted = await call('POST', `/api/v1/incidents/${id}/postmortem/draft`, {});
    expect(drafted.status, JSON.stringify(drafted.body)).toBe(200);
    pm = drafted.body.postmortem as Postmortem;
    expect(pm.body).toContain('# Incident Post-Mortem: Orchestrator down');
    expect(pm.body).toContain('## Root Cause\n\nbad config in 1.42');
    expect(pm.deadlines[0]).toMatchObject({ stage: 'initial_report', state: 'met', met_at: at(t0, 120) });

    // One minute before the draft deadline nothing; at it, one reminder, recorded once.
    await h.advanceMinutes(48 * 60 - 61);
    expect(await events(id, 'postmortem_overdue')).toEqual([]);
    await h.advanceMinutes(1);
    await h.advanceMinutes(30);
    const overdue = await events(id, 'postmortem_overdue');
    expect(overdue.map((e) => [e.at, e.message])).toEqual([[at(t0, 60 + 48 * 60), 'post-mortem draft for review overdue: due 2026-03-10 09:00 UTC; reminded bob']]);
    const due = await notices('postmortem_due');
    expect(due.map((n) => [n.destination, n.subject])).toEqual([['bob@example.com', `Incident #${id}: post-mortem draft for review overdue (due 2026-03-10 09:00 UTC)`]]);
    expect(due[0]!.body).toContain('To meet it, send the draft to review.');
    expect((await pmOf(id)).deadlines.find((d) => d.stage === 'draft')).toMatchObject({ state: 'overdue', reminded_at: at(t0, 60 + 48 * 60) });

    // Edited text is kept: a new draft without force is refused, naming the field.
    expect((await call('PATCH', `/api/v1/incidents/${id}/postmortem`, { body: '# Our post-mortem\n\nWritten by people.' })).status).toBe(200);
    const redraft = await call('POST', `/api/v1/incidents/${id}/postmortem/draft`, {});
    expect(redraft.status).toBe(409);
    expect(redraft.body).toMatchObject({ error: { field: 'force' } });
    expect((await pmOf(id)).body).toBe('# Our post-mortem\n\nWritten by people.');

    // To review, meeting held, complete: the incident closes with it.
    expect((await call('PATCH', `/api/v1/incidents/${id}/postmortem`, { status: 'in_review', meeting_held_at: at(t0, 60 + 48 * 60) })).status).toBe(200);
    pm = await pmOf(id);
    expect(pm.deadlines.map((d) => d.state)).toEqual(['met', 'met', 'met', 'due']);
    const done = await call('POST', `/api/v1/incidents/${id}/postmortem/complete`);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.postmortem).toMatchObject({ status: 'complete', incident: { status: 'closed' } });
    expect((await events(id, 'status_changed')).map((e) => e.message).pop()).toBe('status resolved → closed by test admin');
    // Nothing is owed once complete: the action-items deadline passes without a reminder.
    await h.advanceMinutes(15 * 24 * 60);
    expect(await events(id, 'postmortem_overdue')).toHaveLength(1);
  });

  it('an overdue action item reminds its owner once per due date', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const declared = await call('POST', '/api/v1/incidents', { title: 'Orchestrator slow', severity: 'critical', commander: 'bob' });
    const id = (declared.body.incident as { id: number }).id;
    await h.advanceMinutes(30);
    expect((await call('PATCH', `/api/v1/incidents/${id}`, { status: 'resolved' })).status).toBe(200);
    const added = await call('POST', `/api/v1/incidents/${id}/postmortem/action-items`, { title: 'Alert on queue depth', owner: 'alice', due_at: '2026-03-09', link: 'https://tracker.example.com/OPS-7' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const item = added.body.action_item as { id: number; due_at: string; owner: string };
    expect(item).toMatchObject({ owner: 'alice', due_at: '2026-03-10T00:00:00.000Z', status: 'open' });
    expect((await pmOf(id)).deadlines.find((d) => d.stage === 'action_items_assigned')).toMatchObject({ state: 'met' });

    // Due at the end of 2026-03-09 (UTC): the owner hears once, however long it stays open.
    h.clock.set('2026-03-09T23:59:00Z');
    await h.tick();
    expect(await notices('action_item_due')).toEqual([]);
    await h.advanceMinutes(1);
    await h.advanceMinutes(600);
    let reminders = await notices('action_item_due');
    expect(reminders.map((n) => [n.destination, n.subject])).toEqual([['alice@example.com', `Action item overdue: Alert on queue depth (incident #${id})`]]);
    expect(reminders[0]!.body).toContain('Tracked at: https://tracker.example.com/OPS-7');
    expect((await events(id, 'action_item_overdue')).map((e) => e.message)).toEqual(['action item "Alert on queue depth" overdue: due 2026-03-10 00:00 UTC; reminded alice']);

    // A new due date arms the reminder again; done items are left alone.
    expect((await call('PATCH', `/api/v1/action-items/${item.id}`, { due_at: '2026-03-12T12:00:00Z' })).status).toBe(200);
    h.clock.set('2026-03-12T12:00:00Z');
    await h.tick();
    reminders = await notices('action_item_due');
    expect(reminders).toHaveLength(2);
    expect((await call('PATCH', `/api/v1/action-items/${item.id}`, { status: 'done', due_at: '2026-03-13' })).status).toBe(200);
    h.clock.set('2026-03-15T12:00:00Z');
    await h.tick();
    expect(await notices('action_item_due')).toHaveLength(2);
  });

  it('two engines that find the same missed deadline and overdue item record each once and remind once', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const other = h.newApp(h.store.another ? await h.store.another() : h.store);
    try {
      const id = ((await call('POST', '/api/v1/incidents', { title: 'Orchestrator degraded', severity: 'critical', commander: 'bob' })).body.incident as { id: number }).id;
      expect((await call('PATCH', `/api/v1/incidents/${id}`, { status: 'resolved' })).status).toBe(200);
      expect((await call('POST', `/api/v1/incidents/${id}/postmortem/action-items`, { title: 'Add a canary', owner: 'alice', due_at: '2026-03-08T12:00:00Z' })).status).toBe(201);
      h.clock.advanceMinutes(25 * 60);
      await Promise.all([h.app.engine.tick(), other.engine.tick(), h.app.engine.tick(), other.engine.tick()]);
      expect((await events(id, 'postmortem_overdue')).map((e) => e.message)).toEqual(['post-mortem initial report overdue: due 2026-03-09 08:00 UTC; reminded bob']);
      expect(await events(id, 'action_item_overdue')).toHaveLength(1);
      expect((await notices('postmortem_due')).map((n) => n.destination)).toEqual(['bob@example.com']);
      expect((await notices('action_item_due')).map((n) => n.destination)).toEqual(['alice@example.com']);
    } finally {
      await other.stop();
    }
  });

  it('needs none for a short medium incident, but an SLA breach or a security alert makes one required', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const mk = async (title: string, severity: string) => ((await call('POST', '/api/v1/incidents', { title, severity })).body.incident as { id: number }).id;
    const quiet = await mk('Slow dashboard', 'medium');
    const breached = await mk('Queue backlog', 'medium');
    const asked = await mk('Replica lag', 'low');
    const fired = await h.api('POST', '/api/v1/alerts', { service: 'Orchestrator', summary: 'Unexpected admin login', severity: 'low', class: 'security' });
    expect(fired.status, JSON.stringify(fired.body)).toBe(201);
    const secId = ((await call('POST', '/api/v1/incidents', { title: 'Suspicious login', alerts: [(fired.body.alert as { id: number }).id] })).body.incident as { id: number }).id;
    // What the SLA clocks record when a clock breaches or a breach action asks for a post-mortem.
    const row = (incident: number, kind: string, data: unknown) => ({ incident_id: incident, at: h!.clock.now(), kind, actor_kind: 'system', actor_id: null, actor_name: 'Watchkeeper', surface: 'engine', message: kind, data: JSON.stringify(data) });
    await h.store.db.insertInto('incident_events').values([row(breached, 'sla_breached', { clock: 'resolve', target_ms: 3_600_000 }), row(asked, 'postmortem_required', { reason: 'resolve SLA breached on a customer-facing service' })]).execute();
    await h.advanceMinutes(30);
    for (const id of [quiet, breached, asked, secId]) expect((await call('PATCH', `/api/v1/incidents/${id}`, { status: 'resolved' })).status).toBe(200);

    expect((await call('GET', `/api/v1/incidents/${quiet}/postmortem`)).status).toBe(404);
    expect((await pmOf(breached)).reasons).toEqual(['SLA breached (resolve)']);
    expect((await pmOf(asked)).reasons).toEqual(['resolve SLA breached on a customer-facing service']);
    expect((await pmOf(secId)).reasons).toEqual(['security alert attached']);
    // No commander: the miss is recorded with the next step instead of a reminder.
    expect((await events(breached, 'postmortem_started'))[0]!.message).toContain('no commander to own it, assign an owner');

    // The quiet one closes as before; a post-mortem can still be started by hand afterwards.
    expect((await call('PATCH', `/api/v1/incidents/${quiet}`, { status: 'closed' })).status).toBe(200);
    const started = await call('POST', `/api/v1/incidents/${quiet}/postmortem`);
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body.postmortem).toMatchObject({ required: false, status: 'draft', incident: { status: 'closed' } });
    const list = (await call('GET', '/api/v1/postmortems?required=true')).body.postmortems as { incident: { id: number } }[];
    expect(list.map((p) => p.incident.id).sort()).toEqual([breached, asked, secId].sort());
  });
});
