import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/** /api/v1/incidents/:id/war-room and /stakeholder-updates: who may act, what the state shows, the OpenAPI document. */
const ORG = `
users:
  - name: alice
    email: alice@example.com
  - name: carol
    email: carol@example.com
  - name: vera
    email: vera@example.com
    role: viewer
teams:
  - name: customer-success
    members: [{ user: carol }]
incident_policy:
  war_room: { after: 30m, severities: [critical] }
  stakeholders:
    - name: customer-success
      severities: [critical]
      within: 30m
      notify: [{ team: customer-success }, { channel: "#cs-incidents" }]
`;

describe.each(storeKinds)('war room API on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  it('shows the stakeholder groups and the war room; a viewer may read but not open or send', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const id = ((await h.api('POST', '/api/v1/incidents', { title: 'Checkout down', severity: 'critical', commander: 'alice' })).body.incident as { id: number }).id;
    await h.tick();
    const vera = (await createToken(h.app.ctx, systemTestActor, { name: 'vera', role: 'viewer', user: 'vera' })).token;

    const state = await h.api('GET', `/api/v1/incidents/${id}/war-room`, undefined, vera);
    expect(state.status).toBe(200);
    expect(state.body).toEqual({
      war_room: null,
      slack_connected: false,
      stakeholders: [{ name: 'customer-success', people: ['carol'], channels: ['#cs-incidents'], within_minutes: 30, told_at: '2026-03-08T08:00:00.000Z', first_update_due_at: '2026-03-08T08:30:00.000Z', first_update_at: null }],
    });
    expect((await h.api('POST', `/api/v1/incidents/${id}/war-room`, undefined, vera)).status).toBe(403);
    expect((await h.api('POST', `/api/v1/incidents/${id}/stakeholder-updates`, { message: 'hello' }, vera)).status).toBe(403);
    expect(await h.store.db.selectFrom('incident_war_rooms').selectAll().execute()).toEqual([]);

    await h.advanceMinutes(10);
    const sent = await h.api('POST', `/api/v1/incidents/${id}/stakeholder-updates`, { message: 'Checkout is down for everyone', extra: 1 });
    expect(sent).toMatchObject({ status: 400, body: { error: { code: 'invalid' } } });
    const ok = await h.api('POST', `/api/v1/incidents/${id}/stakeholder-updates`, { message: 'Checkout is down for everyone' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ sent: [{ name: 'customer-success', people: 1, channels: [] }], stakeholders: [{ first_update_at: '2026-03-08T08:10:00.000Z', first_update_due_at: null }] });

    const opened = await h.api('POST', `/api/v1/incidents/${id}/war-room`);
    expect(opened).toMatchObject({ status: 201, body: { war_room: { state: 'open', channel: null, opened_by: 'test admin', opened_at: '2026-03-08T08:10:00.000Z', prompted_at: null } } });
    // Opened before the 30 minutes: no prompt comes.
    await h.advanceMinutes(30);
    expect((await h.api('GET', `/api/v1/incidents/${id}`)).body.timeline).not.toContainEqual(expect.objectContaining({ kind: 'war_room_prompted' }));

    const doc = (await h.api('GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/incidents/{id}/war-room'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/incidents/{id}/stakeholder-updates'] ?? {})).toEqual(['post']);
  });
});
