import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/** /api/v1/postmortems and /api/v1/incidents/:id/postmortem: markdown export, filters, bad input. */
const ORG = `
users:
  - name: alice
    email: alice@example.com
  - name: bob
    email: bob@example.com
incident_policy:
  commander_required_for: [critical]
postmortems:
  required_for:
    - severities: [critical]
  deadlines: { draft: 72h }
`;

describe.each(storeKinds)('post-mortems API on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, token = h!.adminToken) => {
    const res = await h!.app.http.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as Record<string, unknown> }) });
    return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), text: res.body, body: res.headers['content-type']?.toString().startsWith('application/json') ? (res.json() as Record<string, unknown>) : {} };
  };
  const declare = async (title: string, severity: string) => ((await call('POST', '/api/v1/incidents', { title, severity, commander: 'alice' })).body.incident as { id: number }).id;

  it('exports markdown by post-mortem number (.md or ?format=markdown) and lists with filters', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const p1 = await declare('Checkout down', 'critical');
    const p3 = await declare('Slow search', 'medium');
    await h.advanceMinutes(45);
    expect((await call('PATCH', `/api/v1/incidents/${p1}`, { status: 'resolved' })).status).toBe(200);
    const started = await call('POST', `/api/v1/incidents/${p3}/postmortem`);
    expect(started.status).toBe(201);
    expect((await call('POST', `/api/v1/incidents/${p3}/postmortem`)).status).toBe(409);

    const pm = (await call('GET', `/api/v1/incidents/${p1}/postmortem`)).body.postmortem as { id: number; markdown_url: string; deadlines: { stage: string; due_at: string }[] };
    expect(pm.deadlines.find((d) => d.stage === 'draft')!.due_at).toBe('2026-03-11T08:45:00.000Z');
    // Nothing written yet: the export is the draft from the record.
    const md = await call('GET', pm.markdown_url);
    expect(md.status).toBe(200);
    expect(md.type).toContain('text/markdown');
    expect(md.text).toContain('# Incident Post-Mortem: Checkout down');
    expect(md.text).toContain('**Duration:** 2026-03-08 08:00 - 2026-03-08 08:45 UTC (45m)');
    expect((await call('PATCH', `/api/v1/incidents/${p1}/postmortem`, { body: '# Checkout down\n\nOur words.' })).status).toBe(200);
    expect((await call('GET', `/api/v1/postmortems/${pm.id}?format=markdown`)).text).toBe('# Checkout down\n\nOur words.');
    expect((await call('GET', `/api/v1/incidents/${p1}/postmortem?format=markdown`)).text).toBe('# Checkout down\n\nOur words.');
    expect(((await call('GET', `/api/v1/postmortems/${pm.id}`)).body.postmortem as { body: string }).body).toBe('# Checkout down\n\nOur words.');

    const ids = async (q: string) => ((await call('GET', `/api/v1/postmortems${q}`)).body.postmortems as { incident: { id: number } }[]).map((p) => p.incident.id);
    expect(await ids('')).toEqual([p3, p1]);
    expect(await ids('?required=true')).toEqual([p1]);
    expect(await ids('?required=false')).toEqual([p3]);
    expect(await ids('?status=open')).toEqual([p3, p1]);
    expect(await ids('?status=complete')).toEqual([]);
    expect(await ids('?overdue=true')).toEqual([]);
    // A day on: the one started by hand has no text yet (initial report overdue); p1's text was saved.
    h.clock.advanceMinutes(25 * 60);
    expect(await ids('?overdue=true')).toEqual([p3]);
    expect((await call('PATCH', `/api/v1/incidents/${p1}/postmortem`, { owner: 'bob' })).status).toBe(200);
    expect(await ids('?owner=bob')).toEqual([p1]);
    const tl = ((await call('GET', `/api/v1/incidents/${p1}`)).body.timeline as { kind: string; message: string }[]).filter((e) => e.kind === 'postmortem_owner');
    expect(tl.map((e) => e.message)).toEqual(['bob owns the post-mortem']);
  });

  it('bad input gets a 400 naming the field and stores nothing', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const id = await declare('Checkout down', 'critical');
    expect((await call('GET', `/api/v1/incidents/${id}/postmortem`)).status).toBe(404);
    expect((await call('POST', `/api/v1/incidents/${id}/postmortem/action-items`, { title: 'x' })).body).toMatchObject({ error: { code: 'not_found' } });
    expect((await call('POST', `/api/v1/incidents/${id}/postmortem`)).status).toBe(201);

    const bad = async (method: 'GET' | 'POST' | 'PATCH', url: string, body: unknown, field: string, message?: string) => {
      const r = await call(method, url, body);
      expect(r.status, `${url} ${JSON.stringify(body)}`).toBe(400);
      const err = (r.body as { error: { field: string; message: string; problems: { field: string; message: string }[] } }).error;
      expect(err.problems.map((p) => p.field)).toContain(field);
      if (message) expect(err.problems.find((p) => p.field === field)!.message).toBe(message);
    };
    const items = `/api/v1/incidents/${id}/postmortem/action-items`;
    await bad('POST', items, { title: '  ' }, 'title', 'must not be empty; say what will be done, e.g. "Alert on replica lag"');
    await bad('POST', items, { title: 'Fix', owner: 'carol' }, 'owner', 'no user named "carol"');
    await bad('POST', items, { title: 'Fix', due_at: 'friday' }, 'due_at', 'must be a date such as 2026-03-20 or a time such as 2026-03-20T17:00:00Z');
    await bad('POST', items, { title: 'Fix', status: 'finished' }, 'status', 'use one of open, in_progress, done, wont_do');
    await bad('POST', items, { title: 'Fix', link: 'javascript:alert(1)' }, 'link', 'must be an http(s) URL, e.g. https://tracker.example.com/OPS-12');
    await bad('POST', items, { title: 'Fix', colour: 'red' }, 'colour', 'unknown field');
    const pmUrl = `/api/v1/incidents/${id}/postmortem`;
    await bad('PATCH', pmUrl, { status: 'complete' }, 'status', 'use draft or in_review; complete it with POST …/postmortem/complete');
    await bad('PATCH', pmUrl, { status: 'in_review' }, 'status', `write the post-mortem before sending it to review: watchkeeper postmortem draft ${id} --save`);
    await bad('PATCH', pmUrl, { owner: 'carol' }, 'owner');
    await bad('PATCH', pmUrl, { meeting_held_at: 'yesterday' }, 'meeting_held_at');
    await bad('PATCH', pmUrl, { meeting_held_at: '2026-03-09T08:00:00Z' }, 'meeting_held_at', 'must not be in the future; record the meeting once it was held');
    await bad('GET', '/api/v1/postmortems?status=done', undefined, 'status[0]');
    await bad('GET', '/api/v1/postmortems?owner=carol', undefined, 'owner');
    await bad('GET', '/api/v1/postmortems/abc', undefined, 'id');
    await bad('GET', '/api/v1/incidents/x/postmortem', undefined, 'id');
    await bad('POST', `/api/v1/incidents/${id}/postmortem/draft`, { force: 'yes' }, 'force');

    const pm = (await call('GET', pmUrl)).body.postmortem as { status: string; owner: string | null; meeting_held_at: string | null; action_items: unknown[]; body: string };
    expect(pm).toMatchObject({ status: 'draft', owner: null, meeting_held_at: null, action_items: [], body: '' });

    // A viewer reads but cannot change.
    const viewer = await createToken(h.app.ctx, systemTestActor, { name: 'viewer', role: 'viewer' });
    expect((await call('GET', pmUrl, undefined, viewer.token)).status).toBe(200);
    expect((await call('PATCH', pmUrl, { body: 'x' }, viewer.token)).status).toBe(403);

    // Items: add, change, remove; complete refuses an open incident.
    const added = await call('POST', items, { title: 'Add a canary', owner: 'bob', due_at: '2026-03-20T17:00:00+01:00' });
    expect(added.status).toBe(201);
    const item = added.body.action_item as { id: number; due_at: string };
    expect(item.due_at).toBe('2026-03-20T16:00:00.000Z');
    await bad('PATCH', `/api/v1/action-items/${item.id}`, { owner: 'zed' }, 'owner');
    expect((await call('PATCH', `/api/v1/action-items/${item.id}`, { status: 'in_progress', owner: null })).body.action_item).toMatchObject({ status: 'in_progress', owner: null });
    expect((await call('DELETE', `/api/v1/action-items/${item.id}`)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/action-items/${item.id}`)).status).toBe(404);
    const done = await call('POST', `${pmUrl}/complete`);
    expect(done.status).toBe(409);
    expect((done.body as { error: { message: string } }).error.message).toBe(`incident #${id} is investigating; resolve it before completing its post-mortem: watchkeeper incident resolve ${id}`);
  });
});
