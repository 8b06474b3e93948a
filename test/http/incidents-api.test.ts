import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/** /api/v1/incidents: declare, change, roles, updates, notes, alerts; bad input names the field and changes nothing. */
const KEY = 'api00checkout000events0v20000000';
const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods: [{ name: work, type: email, address: alice@example.com }]
  - name: bob
    email: bob@example.com
    contact_methods:
      - { name: work, type: email, address: bob@example.com }
      - { name: pager, type: email, address: bob-pager@example.com }
    notification_rules:
      - { contact_method: work, delay_minutes: 0, urgency: low }
      - { contact_method: pager, delay_minutes: 0, urgency: high }
escalation_policies:
  - name: ops
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 30
services:
  - name: Checkout
    escalation_policy: ops
    integrations: [{ name: events, type: events_v2, key: ${KEY} }]
  - name: Payments
    escalation_policy: ops
incident_policy:
  update_every: { critical: 15m, high: 30m }
  commander_required_for: [critical]
  roles:
    comms_lead: { name: Comms Lead }
`;

interface Detail {
  incident: { id: number; status: string; severity: string; commander: string | null; title: string; next_update_at: string | null; services: { name: string }[] };
  roles: { role: string; role_name: string; user: string }[];
  alerts: { id: number; detached_at: string | null }[];
  timeline: { kind: string; message: string; actor: { name: string } }[];
}

describe.each(storeKinds)('incidents API on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token = h!.adminToken) => {
    const res = await h!.app.http.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> & { error?: { code: string; message: string; field?: string; problems?: { field: string; message: string }[] } } };
  };
  const count = async () => Number((await h!.store.db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const trigger = async (dedup: string, severity: string) => {
    expect((await h!.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: dedup, payload: { summary: `${dedup} failing`, source: 'test', severity } })).status).toBe(202);
    await h!.tick();
    return ((await h!.api('GET', '/api/v1/alerts')).body.alerts as { id: number; summary: string }[]).find((a) => a.summary === `${dedup} failing`)!.id;
  };

  it('refuses bad input naming each field, and changes nothing', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    let r = await call('POST', '/api/v1/incidents', { title: ' ', severity: 'urgent', services: ['Nope'], commander: 'zed' });
    expect(r.status).toBe(400);
    expect(r.body.error!.problems).toEqual([
      { field: 'title', message: 'must not be empty; say what is broken, e.g. "Checkout returns 5xx"' },
      { field: 'severity', message: 'unknown severity "urgent"; use one of critical, high, medium, low, info or an alias' },
      { field: 'services[0]', message: 'no service named "Nope"' },
      { field: 'commander', message: 'no user named "zed"' },
    ]);
    // A critical incident needs a commander; an admin token is nobody, so it cannot be one.
    r = await call('POST', '/api/v1/incidents', { title: 'Checkout down', severity: 'P1' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ field: 'commander', message: 'commander: required for critical incidents: name who leads the response (a user name, e.g. alice)' });
    r = await call('POST', '/api/v1/incidents', { title: 'Checkout down', severity: 'high', alerts: [999] });
    expect(r.body.error).toMatchObject({ field: 'alerts[0]', message: 'alerts[0]: no alert #999' });
    r = await call('POST', '/api/v1/incidents', { title: 'x', severity: 'high', colour: 'red' });
    expect(r.body.error).toMatchObject({ field: 'colour', message: 'colour: unknown field' });
    r = await call('POST', '/api/v1/incidents', { title: 'Slow', alerts: [] });
    expect(r.body.error).toMatchObject({ field: 'severity' });
    expect(await count()).toBe(0);

    const ok = await call('POST', '/api/v1/incidents', { title: 'Payments slow', severity: 'high', services: ['payments'] });
    expect(ok.status).toBe(201);
    const id = (ok.body as unknown as Detail).incident.id;
    for (const [body, field, message] of [
      [{ status: 'fixed' }, 'status', 'status: use one of investigating, identified, monitoring, resolved, closed'],
      [{ severity: 'urgent' }, 'severity', 'severity: unknown severity "urgent"; use one of critical, high, medium, low, info or an alias'],
      [{ title: '' }, 'title', 'title: must not be empty'],
    ] as const) {
      r = await call('PATCH', `/api/v1/incidents/${id}`, body);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ field, message });
    }
    r = await call('PATCH', `/api/v1/incidents/${id}`, { status: 'closed' });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ field: 'status', message: 'status: only a resolved incident can be closed; resolve it first (it is investigating)' });
    // Raising to critical with nobody to lead it is refused too.
    r = await call('PATCH', `/api/v1/incidents/${id}`, { severity: 'critical' });
    expect(r.body.error).toMatchObject({ field: 'severity', message: 'severity: critical incidents need a commander; assign one first (role commander)' });
    r = await call('POST', `/api/v1/incidents/${id}/updates`, { impact: '', actions: ' ' });
    expect(r.body.error!.problems!.map((p) => p.field)).toEqual(['impact', 'actions']);
    r = await call('POST', `/api/v1/incidents/${id}/roles`, { role: 'scribe', user: 'bob' });
    expect(r.body.error).toMatchObject({ field: 'role', message: 'role: use one of commander, ops_lead, comms_lead, sme' });
    r = await call('POST', `/api/v1/incidents/${id}/roles`, { role: 'sme', user: 'zed' });
    expect(r.body.error).toMatchObject({ field: 'user', message: 'user: no user named "zed"' });
    r = await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'x', moment: 'fixed' });
    expect(r.body.error).toMatchObject({ field: 'moment' });
    r = await call('GET', '/api/v1/incidents/abc');
    expect(r.body.error).toMatchObject({ field: 'id', message: 'id: must be an incident number, e.g. 12' });
    expect((await call('GET', '/api/v1/incidents/99')).status).toBe(404);
    expect((await call('GET', '/api/v1/incidents?status=fixed')).body.error).toMatchObject({ field: 'status' });

    const d = (await call('GET', `/api/v1/incidents/%2312`.replace('12', String(id)))).body as unknown as Detail;
    expect(d.incident).toMatchObject({ status: 'investigating', severity: 'high', title: 'Payments slow', commander: null, services: [{ name: 'Payments' }] });
    expect(d.timeline.map((e) => e.kind)).toEqual(['declared']);
  });

  it('a person declaring a critical incident leads it; roles notify, or page on request; alerts attach and detach; audited', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const alice = await createToken(h.app.ctx, systemTestActor, { name: 'alice cli', role: 'responder', user: 'alice' });
    const a1 = await trigger('checkout-5xx', 'critical');
    const a2 = await trigger('checkout-latency', 'error');
    h.smtp.clear();

    const live: string[] = [];
    h.app.ctx.bus.on('change', (e) => live.push(e.type));
    let r = await call('POST', '/api/v1/incidents', { title: 'Checkout errors', alerts: [a1] }, alice.token);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    // Live views (the UI's event stream) hear of it.
    expect(live).toContain('incident.updated');
    let d = r.body as unknown as Detail;
    const id = d.incident.id;
    expect(d.incident).toMatchObject({ severity: 'critical', commander: 'alice' });
    expect(d.roles).toEqual([expect.objectContaining({ role: 'commander', role_name: 'Incident Commander', user: 'alice' })]);
    await h.tick();
    expect(h.smtp.messages.filter((m) => /^X-Watchkeeper-Notice: /m.test(m.raw))).toEqual([]);

    // Comms lead: a notice to bob's low-urgency method. SME with page: his high-urgency one.
    r = await call('POST', `/api/v1/incidents/${id}/roles`, { role: 'comms_lead', user: 'bob' }, alice.token);
    expect(r.status).toBe(200);
    await h.tick();
    let mail = h.smtp.messages.filter((m) => m.to.some((t) => t.startsWith('bob')));
    expect(mail.map((m) => m.to[0])).toEqual(['bob@example.com']);
    expect(mail[0]!.text).toContain(`alice made you Comms Lead of incident #${id} "Checkout errors" (critical, investigating).`);
    h.smtp.clear();
    r = await call('POST', `/api/v1/incidents/${id}/roles`, { role: 'sme', user: 'bob', page: true }, alice.token);
    await h.tick();
    mail = h.smtp.messages.filter((m) => m.to.some((t) => t.startsWith('bob')));
    expect(mail.map((m) => m.to[0])).toEqual(['bob-pager@example.com']);
    expect(mail[0]!.text).toContain('made you Subject-matter expert');
    expect((await call('POST', `/api/v1/incidents/${id}/roles`, { role: 'sme', user: 'bob' })).status).toBe(409);

    // Handing over command relieves alice; relieving the only commander of a critical incident is refused.
    r = await call('POST', `/api/v1/incidents/${id}/roles`, { role: 'commander', user: 'bob' });
    d = r.body as unknown as Detail;
    expect(d.incident.commander).toBe('bob');
    expect(d.roles.map((x) => `${x.role}:${x.user}`)).toEqual(['comms_lead:bob', 'sme:bob', 'commander:bob']);
    r = await call('POST', `/api/v1/incidents/${id}/roles/relieve`, { role: 'commander', user: 'bob' });
    expect(r.status).toBe(409);
    r = await call('POST', `/api/v1/incidents/${id}/roles/relieve`, { role: 'sme', user: 'bob' });
    expect((r.body as unknown as Detail).roles.map((x) => x.role)).toEqual(['comms_lead', 'commander']);

    // Alerts: attach a later one, refuse it twice, detach it.
    r = await call('POST', `/api/v1/incidents/${id}/alerts`, { alerts: [a2] });
    expect((r.body as unknown as Detail).alerts.map((a) => a.id)).toEqual([a1, a2]);
    r = await call('POST', `/api/v1/incidents/${id}/alerts`, { alerts: [a2] });
    expect(r.body.error).toMatchObject({ field: 'alerts[0]', message: `alerts[0]: alert #${a2} is already attached` });
    const other = await call('POST', '/api/v1/incidents', { title: 'Latency', severity: 'high', alerts: [a2] });
    expect(other.body.error).toMatchObject({ field: 'alerts[0]', message: `alerts[0]: alert #${a2} is in incident #${id}; detach it there first` });
    r = await call('DELETE', `/api/v1/incidents/${id}/alerts/${a2}`);
    expect((r.body as unknown as Detail).alerts.find((a) => a.id === a2)!.detached_at).not.toBeNull();
    expect((await call('DELETE', `/api/v1/incidents/${id}/alerts/${a2}`)).status).toBe(404);

    // Title and severity changes are on the timeline; list filters by status.
    r = await call('PATCH', `/api/v1/incidents/${id}`, { title: 'Checkout errors in EU', severity: 'high', status: 'monitoring' });
    d = r.body as unknown as Detail;
    expect(d.incident).toMatchObject({ title: 'Checkout errors in EU', severity: 'high', status: 'monitoring' });
    expect(d.timeline.slice(-3).map((e) => e.message)).toEqual(['title changed to "Checkout errors in EU"', 'severity critical → high', 'status investigating → monitoring by test admin']);
    expect(((await call('GET', '/api/v1/incidents?status=open')).body.incidents as { id: number }[]).map((x) => x.id)).toEqual([id]);
    expect((await call('GET', '/api/v1/incidents?status=resolved')).body.incidents).toEqual([]);
    expect(((await call('GET', `/api/v1/incidents?alert=${a1}`)).body.incidents as { id: number }[]).map((x) => x.id)).toEqual([id]);
    expect((await call('GET', `/api/v1/incidents?alert=${a2}`)).body.incidents).toEqual([]);

    const audit = (await call('GET', '/api/v1/audit?limit=100')).body.entries as { action: string; actor: { name: string } | string }[];
    const actions = audit.map((e) => e.action).filter((a) => a.startsWith('incident.'));
    expect(actions.sort()).toEqual(['incident.alerts.attach', 'incident.alerts.detach', 'incident.declare', 'incident.role.assign', 'incident.role.assign', 'incident.role.assign', 'incident.role.relieve', 'incident.update'].sort());
  });

  it('incident_policy round-trips through export and apply', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const exported = await call('GET', '/api/v1/config');
    expect(exported.body.incident_policy).toEqual({ update_every: { critical: '15m', high: '30m' }, commander_required_for: ['critical'], roles: { comms_lead: { name: 'Comms Lead' } } });
    const applied = await call('POST', '/api/v1/config/apply', { config: exported.body });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.changes).toEqual([]);
    const file = exported.body as { incident_policy: { update_every: Record<string, string> } };
    file.incident_policy.update_every.critical = '10m';
    const changed = await call('POST', '/api/v1/config/apply', { config: file, diff: true });
    expect(changed.body.changes).toEqual([{ action: 'update', kind: 'incident_policy', name: 'incident_policy', fields: [expect.objectContaining({ before: '15m', after: '10m' })] }]);
    expect((await call('GET', '/api/v1/config')).body.incident_policy).toMatchObject({ update_every: { critical: '10m', high: '30m' } });
  });
});
