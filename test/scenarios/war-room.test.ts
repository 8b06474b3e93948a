import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { SlackApiServer } from '../helpers/slack-server.js';
import { storeKinds, type StoreKind } from '../helpers/stores.js';

/**
 * War rooms and stakeholders on the fake clock, as the Mother-Harness handbook runs a P1 ("any P1
 * incident lasting >30 minutes" gets a war room, channel #incident-YYYYMMDD-description, archived
 * after the post-mortem) and as QAWave tells Customer Success within 30 minutes for P1/P2. Slack is
 * the local Web API stand-in; the clock starts Sunday 2026-03-08 08:00 UTC.
 */
const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const FRANK = 'U0FRANK001';
const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods: [{ name: work, type: email, address: alice@example.com }, { name: slack, type: slack, address: ${ALICE} }]
  - name: bob
    email: bob@example.com
    contact_methods: [{ name: work, type: email, address: bob@example.com }, { name: slack, type: slack, address: ${BOB} }]
  - name: carol
    email: carol@example.com
    contact_methods: [{ name: work, type: email, address: carol@example.com }]
  - name: dave
    email: dave@example.com
    contact_methods: [{ name: work, type: email, address: dave@example.com }]
  - name: erin
    email: erin@example.com
    contact_methods: [{ name: work, type: email, address: erin@example.com }]
  - name: frank
    email: frank@example.com
    contact_methods: [{ name: slack, type: slack, address: ${FRANK} }]
teams:
  - name: customer-success
    members: [{ user: carol }, { user: dave }, { user: erin }]
incident_policy:
  update_every: { critical: 15m, high: 30m }
  commander_required_for: [critical]
  war_room: { after: 30m, severities: [critical] }
  stakeholders:
    - name: customer-success
      severities: [critical, high]
      within: 30m
      notify: [{ team: customer-success }, { channel: "#cs-incidents" }]
`;

interface Event {
  at: string;
  kind: string;
  message: string;
}
interface Detail {
  incident: { id: number; status: string };
  timeline: Event[];
}
interface WarRoomState {
  war_room: { state: string; channel: string | null; channel_id: string | null; opened_by: string | null } | null;
  slack_connected: boolean;
  stakeholders: { name: string; people: string[]; channels: string[]; told_at: string | null; first_update_at: string | null }[];
}

const at = (base: number, minutes: number) => new Date(base + minutes * 60_000).toISOString();

describe.each(storeKinds)('war rooms and stakeholders on $name', (kind: StoreKind) => {
  let h: Harness | null = null;
  let slack: SlackApiServer | null = null;
  afterEach(async () => {
    await h?.stop();
    await slack?.stop();
    h = null;
    slack = null;
  });

  const start = async (withSlack = true) => {
    if (withSlack) {
      slack = new SlackApiServer();
      await slack.start();
      slack.addMember(ALICE, 'alice@example.com');
      slack.addMember(BOB, 'bob@example.com');
      slack.addMember(FRANK, 'frank@example.com');
      slack.channels.set('cs-incidents', 'C0CSINCID1');
    }
    h = await Harness.start(kind, { orgYaml: ORG, ...(slack ? { slack: { botToken: slack.token, signingSecret: null, apiUrl: slack.apiUrl } } : {}) });
    return h;
  };
  const get = async (id: number) => (await h!.api('GET', `/api/v1/incidents/${id}`)).body as unknown as Detail;
  const kinds = async (id: number, k: string) => (await get(id)).timeline.filter((e) => e.kind === k);
  const notices = (kindName: string) => h!.store.db.selectFrom('notices').innerJoin('users', 'users.id', 'notices.user_id').select(['users.name', 'notices.subject', 'notices.body', 'notices.channel']).where('notices.kind', '=', kindName).orderBy('notices.id').execute();
  const patch = async (id: number, body: Record<string, unknown>) => {
    const res = await h!.app.http.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: { authorization: `Bearer ${h!.adminToken}` }, payload: body });
    return res.statusCode;
  };

  it('tells customer-success at declaration, prompts a war room once at 30 minutes, opens the channel, posts updates there and archives it on close', async () => {
    await start();
    const t0 = h!.clock.now();
    const declared = await h!.api('POST', '/api/v1/incidents', { title: 'Checkout down', severity: 'critical', commander: 'bob' });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    const id = (declared.body as unknown as Detail).incident.id;
    expect((await h!.api('POST', `/api/v1/incidents/${id}/roles`, { role: 'ops_lead', user: 'alice' })).status).toBe(200);

    // Declared: the stakeholders are told, each person once, and their Slack channel.
    await h!.tick();
    expect((await kinds(id, 'stakeholders_told')).map((e) => e.message)).toEqual(['told customer-success (3 people, #cs-incidents)']);
    const told = await notices('incident_stakeholder');
    expect(told.map((n) => n.name).sort()).toEqual(['carol', 'dave', 'erin']);
    expect(told[0]!.body).toContain(`Incident #${id} "Checkout down" (critical, investigating) was declared by test admin; bob leads the response.`);
    expect(told[0]!.body).toContain('The first stakeholder update comes within 30m.');
    expect(h!.smtp.messages.filter((m) => m.to.includes('carol@example.com'))).toHaveLength(1);
    expect(slack!.messages('#cs-incidents').map((m) => m.text)).toEqual([expect.stringContaining(`Incident #${id} "Checkout down" (critical, investigating)`)]);

    // 29 minutes: nothing yet.
    await h!.advanceMinutes(29);
    expect(await kinds(id, 'war_room_prompted')).toEqual([]);
    expect(await kinds(id, 'stakeholder_update_overdue')).toEqual([]);

    // 30 minutes open: one prompt to the commander, however many ticks; the missed stakeholder update reminds him too (no comms lead).
    await h!.advanceMinutes(1);
    await h!.tick();
    await h!.advanceMinutes(1);
    const prompts = await kinds(id, 'war_room_prompted');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatchObject({ at: at(t0, 30), message: 'open 30 min: prompted bob to open a war room' });
    const prompt = await notices('incident_war_room');
    expect(prompt.filter((n) => n.channel === 'email').map((n) => [n.name, n.subject])).toEqual([['bob', `Incident #${id} has been open 30 min: open a war room — watchkeeper incident war-room ${id}`]]);
    expect((await kinds(id, 'stakeholder_update_overdue')).map((e) => e.message)).toEqual(['no stakeholder update for customer-success within 30m; reminded bob']);
    expect((await notices('stakeholder_update_due')).filter((n) => n.channel === 'email').map((n) => n.subject)).toEqual([`Incident #${id}: no stakeholder update for customer-success within 30m`]);

    // Opened: the channel is created with the handbook's name and both role holders invited.
    const opened = await h!.api('POST', `/api/v1/incidents/${id}/war-room`);
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    expect((opened.body as unknown as WarRoomState).war_room).toMatchObject({ state: 'open', channel: '#incident-20260308-checkout-down', channel_id: null, opened_by: 'test admin' });
    await h!.tick();
    expect(slack!.callsOf('conversations.create').map((c) => c.body.name)).toEqual(['incident-20260308-checkout-down']);
    const channelId = slack!.channels.get('incident-20260308-checkout-down')!;
    expect([...slack!.channelMembers.get(channelId)!].sort()).toEqual([ALICE, BOB, 'U0BOTUSER1'].sort());
    const room = (await h!.api('GET', `/api/v1/incidents/${id}/war-room`)).body as unknown as WarRoomState;
    expect(room.war_room).toMatchObject({ state: 'open', channel_id: channelId });
    expect((await kinds(id, 'war_room_channel')).map((e) => e.message)).toEqual(['Slack channel #incident-20260308-checkout-down created; invited alice, bob']);
    expect((await h!.api('POST', `/api/v1/incidents/${id}/war-room`)).body).toMatchObject({ error: { code: 'conflict', message: `incident #${id} already has a war room (#incident-20260308-checkout-down), opened by test admin` } });

    // People given a role later are invited too, when Slack knows them.
    expect((await h!.api('POST', `/api/v1/incidents/${id}/roles`, { role: 'sme', user: 'frank' })).status).toBe(200);
    expect((await h!.api('POST', `/api/v1/incidents/${id}/roles`, { role: 'sme', user: 'carol' })).status).toBe(200);
    await h!.tick();
    await h!.tick();
    expect(slack!.channelMembers.get(channelId)!.has(FRANK)).toBe(true);
    expect((await kinds(id, 'war_room_invite')).map((e) => e.message)).toEqual([
      'invited frank to #incident-20260308-checkout-down',
      'carol not invited to #incident-20260308-checkout-down: no Slack member ID known (add a Slack contact method)',
    ]);

    // A status update after opening lands in the channel.
    expect((await h!.api('POST', `/api/v1/incidents/${id}/updates`, { status: 'identified', impact: 'EU checkout fails', actions: 'Rolling back 1.42' })).status).toBe(201);
    await h!.tick();
    await h!.tick();
    const inRoom = slack!.messages(channelId).map((m) => m.text);
    expect(inRoom).toHaveLength(1);
    expect(inRoom[0]).toContain(`Status update on incident #${id}`);
    expect(inRoom[0]).toContain('Impact: EU checkout fails');
    expect(inRoom[0]).toContain('Current actions: Rolling back 1.42');

    // A stakeholder update goes to the group and its channel.
    h!.smtp.clear();
    const su = await h!.api('POST', `/api/v1/incidents/${id}/stakeholder-updates`, { message: 'EU checkout is failing; fix rolling out, next update 09:15 UTC' });
    expect(su.status, JSON.stringify(su.body)).toBe(201);
    expect(su.body.sent).toEqual([{ name: 'customer-success', people: 3, channels: ['#cs-incidents'] }]);
    await h!.tick();
    expect(h!.smtp.messages.filter((m) => m.to.includes('dave@example.com')).map((m) => m.text)).toEqual([expect.stringContaining('EU checkout is failing; fix rolling out, next update 09:15 UTC')]);
    expect(slack!.messages('#cs-incidents')).toHaveLength(2);
    expect((await kinds(id, 'stakeholder_update')).map((e) => e.message)).toEqual(['stakeholder update sent to customer-success (3 people, #cs-incidents): EU checkout is failing; fix rolling out, next update 09:15 UTC']);

    // Closed: the channel is archived.
    expect(await patch(id, { status: 'resolved' })).toBe(200);
    expect(await patch(id, { status: 'closed' })).toBe(200);
    await h!.tick();
    await h!.tick();
    expect(slack!.callsOf('conversations.archive').map((c) => c.body.channel)).toEqual([channelId]);
    expect(slack!.archived.has(channelId)).toBe(true);
    expect((await kinds(id, 'war_room_archived')).map((e) => e.message)).toEqual(['Slack channel #incident-20260308-checkout-down archived: the incident is closed']);
    expect(((await h!.api('GET', `/api/v1/incidents/${id}/war-room`)).body as unknown as WarRoomState).war_room).toMatchObject({ state: 'archived' });
    await h!.advanceMinutes(60);
    expect(slack!.callsOf('conversations.archive')).toHaveLength(1);
  });

  it('gives a taken channel name a suffix', async () => {
    await start();
    slack!.channels.set('incident-20260308-search-slow', 'C0OLDROOM1');
    const id = ((await h!.api('POST', '/api/v1/incidents', { title: 'Search slow', severity: 'critical', commander: 'bob' })).body as unknown as Detail).incident.id;
    expect((await h!.api('POST', `/api/v1/incidents/${id}/war-room`)).status).toBe(201);
    await h!.tick();
    expect(slack!.callsOf('conversations.create').map((c) => c.body.name)).toEqual(['incident-20260308-search-slow', 'incident-20260308-search-slow-2']);
    expect(((await h!.api('GET', `/api/v1/incidents/${id}/war-room`)).body as unknown as WarRoomState).war_room).toMatchObject({ channel: '#incident-20260308-search-slow-2', channel_id: slack!.channels.get('incident-20260308-search-slow-2') });
  });

  it('waits out a Slack rate limit, says who could not be invited, and records a refusal on the timeline', async () => {
    await start();
    const id = ((await h!.api('POST', '/api/v1/incidents', { title: 'Login broken', severity: 'critical', commander: 'bob' })).body as unknown as Detail).incident.id;
    expect((await h!.api('POST', `/api/v1/incidents/${id}/roles`, { role: 'sme', user: 'carol' })).status).toBe(200);
    slack!.script('conversations.create', { status: 429, retryAfter: 20 });
    expect((await h!.api('POST', `/api/v1/incidents/${id}/war-room`)).status).toBe(201);
    await h!.tick();
    expect(slack!.channels.has('incident-20260308-login-broken')).toBe(false);
    await h!.advanceMinutes(1);
    expect(slack!.channels.has('incident-20260308-login-broken')).toBe(true);
    expect((await kinds(id, 'war_room_channel')).map((e) => e.message)).toEqual(['Slack channel #incident-20260308-login-broken created; invited bob; not invited (no Slack member ID known): carol']);

    // A second incident whose channel Slack refuses: the refusal is on its timeline, with the fix.
    const other = ((await h!.api('POST', '/api/v1/incidents', { title: 'Search down', severity: 'critical', commander: 'bob' })).body as unknown as Detail).incident.id;
    slack!.script('conversations.create', { error: 'missing_scope' });
    expect((await h!.api('POST', `/api/v1/incidents/${other}/war-room`)).status).toBe(201);
    await h!.tick();
    expect((await kinds(other, 'slack_failed')).map((e) => e.message)).toEqual([
      'creating the war room channel failed after 1 attempt(s): the Slack app lacks a permission (missing_scope): add it under OAuth & Permissions → Bot Token Scopes, reinstall the app, then restart',
    ]);
    // Updates do not wait for a channel that will not come, and closing archives nothing.
    expect((await h!.api('POST', `/api/v1/incidents/${other}/updates`, { impact: 'Search fails', actions: 'Restarting' })).status).toBe(201);
    await h!.advanceMinutes(1);
    expect(await h!.store.db.selectFrom('incident_slack_jobs').select('status').where('incident_id', '=', other).where('status', 'in', ['pending', 'sending']).execute()).toEqual([]);
    expect(await patch(other, { status: 'resolved' })).toBe(200);
    expect(await patch(other, { status: 'closed' })).toBe(200);
    await h!.advanceMinutes(1);
    expect(slack!.callsOf('conversations.archive')).toEqual([]);
    expect((await kinds(other, 'war_room_archived')).map((e) => e.message)).toEqual(['war room closed with the incident']);
  });

  it('Mother-Harness: "Any P1 incident lasting >30 minutes" prompts its Incident Commander to open a war room', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/handbooks/mother-harness.yaml' });
    const p1 = ((await h.api('POST', '/api/v1/incidents', { title: 'Orchestrator down', severity: 'P1', commander: 'eng-manager' })).body as unknown as Detail).incident.id;
    const p2 = ((await h.api('POST', '/api/v1/incidents', { title: 'Orchestrator slow', severity: 'P2', commander: 'primary-oncall' })).body as unknown as Detail).incident.id;
    await h.advanceMinutes(30);
    expect((await kinds(p1, 'war_room_prompted')).map((e) => e.message)).toEqual(['open 30 min: prompted eng-manager to open a war room']);
    expect(await kinds(p2, 'war_room_prompted')).toEqual([]);
  });

  it('QAWave: "Notify Customer Success within 30 minutes" for P1/P2: the commander is reminded when no stakeholder update was sent', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/handbooks/qawave.yaml' });
    const p2 = ((await h.api('POST', '/api/v1/incidents', { title: 'Backend error rate', severity: 'P2', commander: 'secondary-oncall' })).body as unknown as Detail).incident.id;
    const p1 = ((await h.api('POST', '/api/v1/incidents', { title: 'Backend down', severity: 'P1', commander: 'primary-oncall' })).body as unknown as Detail).incident.id;
    await h.advanceMinutes(20);
    expect((await h.api('POST', `/api/v1/incidents/${p1}/stakeholder-updates`, { message: 'Backend down for all customers; fix under way' })).status).toBe(201);
    await h.advanceMinutes(10);
    expect((await kinds(p2, 'stakeholder_update_overdue')).map((e) => e.message)).toEqual(['no stakeholder update for customer-success within 30m; reminded secondary-oncall']);
    expect(await kinds(p1, 'stakeholder_update_overdue')).toEqual([]);
  });

  it('two engines prompt once and tell stakeholders once', async () => {
    await start(false);
    const other = h!.newApp(h!.store.another ? await h!.store.another() : h!.store);
    try {
      const id = ((await h!.api('POST', '/api/v1/incidents', { title: 'Orchestrator down', severity: 'critical', commander: 'bob' })).body as unknown as Detail).incident.id;
      await Promise.all([h!.app.engine.tick(), other.engine.tick(), h!.app.engine.tick(), other.engine.tick()]);
      h!.clock.advanceMinutes(31);
      await Promise.all([h!.app.engine.tick(), other.engine.tick(), h!.app.engine.tick(), other.engine.tick()]);
      expect(await kinds(id, 'war_room_prompted')).toHaveLength(1);
      expect(await kinds(id, 'stakeholders_told')).toHaveLength(1);
      expect(await kinds(id, 'stakeholder_update_overdue')).toHaveLength(1);
      expect((await notices('incident_stakeholder')).filter((n) => n.name === 'carol')).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });

  it('without Slack: told when the severity is raised into the rule, war room on the record only, no reminder after an update', async () => {
    await start(false);
    const id = ((await h!.api('POST', '/api/v1/incidents', { title: 'Billing lag', severity: 'medium' })).body as unknown as Detail).incident.id;
    await h!.tick();
    expect(await kinds(id, 'stakeholders_told')).toEqual([]);
    expect((await h!.api('POST', `/api/v1/incidents/${id}/stakeholder-updates`, { message: 'x' })).body).toMatchObject({
      error: { code: 'conflict', message: 'no stakeholder rule covers medium incidents; add one under incident_policy.stakeholders in the org file' },
    });

    await h!.advanceMinutes(5);
    expect(await patch(id, { severity: 'high' })).toBe(200);
    await h!.tick();
    expect((await kinds(id, 'stakeholders_told')).map((e) => e.message)).toEqual(['told customer-success (3 people, not #cs-incidents: Slack is not connected)']);

    // An update within the 30 minutes: no reminder.
    await h!.advanceMinutes(10);
    expect((await h!.api('POST', `/api/v1/incidents/${id}/stakeholder-updates`, { message: 'Invoices are 20 minutes late' })).status).toBe(201);
    await h!.advanceMinutes(40);
    expect(await kinds(id, 'stakeholder_update_overdue')).toEqual([]);
    // high is not a war room severity: no prompt.
    expect(await kinds(id, 'war_room_prompted')).toEqual([]);

    const opened = await h!.api('POST', `/api/v1/incidents/${id}/war-room`);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ slack_connected: false, war_room: { state: 'open', channel: null } });
    expect((await kinds(id, 'war_room_opened')).map((e) => e.message)).toEqual(['war room opened by test admin; Slack is not connected, so no channel was created']);
    expect(await patch(id, { status: 'resolved' })).toBe(200);
    expect(await patch(id, { status: 'closed' })).toBe(200);
    await h!.tick();
    expect((await kinds(id, 'war_room_archived')).map((e) => e.message)).toEqual(['war room closed with the incident']);
    expect((await h!.api('POST', `/api/v1/incidents/${id}/war-room`)).body).toMatchObject({ error: { code: 'conflict', message: `incident #${id} is closed; a war room is for open incidents` } });
  });

  it('refuses unknown and malformed incident numbers and an empty stakeholder update, storing nothing', async () => {
    await start(false);
    const id = ((await h!.api('POST', '/api/v1/incidents', { title: 'Checkout down', severity: 'critical', commander: 'bob' })).body as unknown as Detail).incident.id;
    expect(await h!.api('POST', '/api/v1/incidents/999/war-room')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await h!.api('POST', '/api/v1/incidents/abc/war-room')).toMatchObject({ status: 400, body: { error: { field: 'id' } } });
    expect(await h!.api('POST', '/api/v1/incidents/999/stakeholder-updates', { message: 'hi' })).toMatchObject({ status: 404 });
    expect(await h!.api('POST', `/api/v1/incidents/${id}/stakeholder-updates`, { message: '   ' })).toMatchObject({ status: 400, body: { error: { field: 'message' } } });
    expect(await h!.api('POST', `/api/v1/incidents/${id}/stakeholder-updates`, {})).toMatchObject({ status: 400, body: { error: { field: 'message' } } });
    expect(await h!.api('POST', `/api/v1/incidents/${id}/stakeholder-updates`, { message: 'x'.repeat(4001) })).toMatchObject({ status: 400, body: { error: { field: 'message' } } });
    expect(await kinds(id, 'stakeholder_update')).toEqual([]);
    expect(await h!.store.db.selectFrom('incident_war_rooms').selectAll().execute()).toEqual([]);
  });
});
