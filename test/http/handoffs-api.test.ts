import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import type { ApiError } from './support.js';

/**
 * /api/v1/handoffs: notes, mark read, hand over, watch items; bad input answered with the field
 * and nothing changed; who may do what. The Mahavishnu handbook's schedules: week of 2026-02-16
 * primary alice, shadow bob; from Monday 2026-02-23 00:00 UTC primary charlie, shadow alice.
 */
const MAHAVISHNU = 'examples/handbooks/mahavishnu.yaml';
const KEY = 'mahavishnu0events0v2000000000000';
const errorOf = (res: { body: Record<string, unknown> }) => (res.body as unknown as ApiError).error;

describe.each(storeKinds)('handoffs API on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });
  const tokenFor = async (user: string | null, role = 'responder') => (await createToken(h.app.ctx, systemTestActor, { name: `${user ?? 'nobody'} ${role}`, role, user })).token;

  it('watch items: written by the person on call for the shift under way, listed, changed and removed; bad input names the field', async () => {
    h = await Harness.start(kind, { orgFile: MAHAVISHNU, start: '2026-02-18T12:00:00Z' });
    const alice = await tokenFor('alice');
    const bob = await tokenFor('bob');
    const charlie = await tokenFor('charlie');
    const manager = await tokenFor('eng-manager', 'manager');
    const viewer = await tokenFor('diana', 'viewer');
    await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: 'disk', payload: { summary: 'db1 disk 85% full', source: 'db1', severity: 'warning' } });
    await h.tick();

    const count = async () => ((await h.api('GET', '/api/v1/handoffs/watch-items?user=alice')).body.items as unknown[]).length;
    const bad = async (body: unknown, token = alice) => {
      const res = await h.api('POST', '/api/v1/handoffs/watch-items', body, token);
      return { status: res.status, field: errorOf(res)?.field, message: errorOf(res)?.message };
    };
    expect(await bad({})).toEqual({ status: 400, field: 'text', message: 'text: required: say what to keep an eye on and why' });
    expect(await bad({ text: '   ' })).toMatchObject({ status: 400, field: 'text' });
    expect(await bad({ text: 'x'.repeat(501) })).toMatchObject({ status: 400, field: 'text', message: 'text: must be at most 500 characters; link an alert for the details' });
    expect(await bad({ text: 'watch', alert_id: 'one' })).toMatchObject({ status: 400, field: 'alert_id' });
    expect(await bad({ text: 'watch', alert_id: 999 })).toEqual({ status: 400, field: 'alert_id', message: 'alert_id: no alert #999' });
    expect(await bad({ text: 'watch', colour: 'red' })).toMatchObject({ status: 400, field: 'colour', message: 'colour: unknown field' });
    expect(await bad({ text: 'watch', schedule: 'nope' })).toMatchObject({ status: 404 });
    expect(await bad({ text: 'watch', user: 'zed' }, manager)).toMatchObject({ status: 400, field: 'user' });
    // Charlie is not on call now; bob (shadow) may not write for alice; a viewer may not write at all.
    expect(await bad({ text: 'watch' }, charlie)).toMatchObject({ status: 409, message: 'charlie is not on call now; watch items belong to the shift under way' });
    expect(await bad({ text: 'watch', user: 'alice' }, bob)).toMatchObject({ status: 403 });
    expect(await bad({ text: 'watch' }, viewer)).toMatchObject({ status: 403 });
    // The admin token is nobody's: it must name the person on call.
    expect(await bad({ text: 'watch' }, h.adminToken)).toEqual({ status: 400, field: 'user', message: 'user: this token is not a person’s; name the user on call' });
    expect(await count()).toBe(0);

    const created = await h.api('POST', '/api/v1/handoffs/watch-items', { text: '  db1 disk grows 2% a day  ', alert_id: 1 }, alice);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      item: { schedule: 'mahavishnu-primary', user: 'alice', text: 'db1 disk grows 2% a day', alert_id: 1, shift_start: '2026-02-16T00:00:00.000Z', created_by: 'alice' },
      shift: { schedule: 'mahavishnu-primary', start: '2026-02-16T00:00:00.000Z', end: '2026-02-23T00:00:00.000Z' },
    });
    h.clock.advanceMinutes(1);
    const byManager = await h.api('POST', '/api/v1/handoffs/watch-items', { text: 'deploy freeze until Friday', user: 'alice' }, manager);
    expect(byManager.status).toBe(201);
    const id = (created.body.item as { id: string }).id;

    const mine = await h.api('GET', '/api/v1/handoffs/watch-items', undefined, alice);
    expect((mine.body.items as { text: string }[]).map((i) => i.text)).toEqual(['db1 disk grows 2% a day', 'deploy freeze until Friday']);
    expect(mine.body.shifts).toEqual([{ schedule: 'mahavishnu-primary', start: '2026-02-16T00:00:00.000Z', end: '2026-02-23T00:00:00.000Z' }]);

    expect((await h.api('PUT', `/api/v1/handoffs/watch-items/${id}`, { text: 'db1 disk grows 3% a day' }, bob)).status).toBe(403);
    expect(errorOf(await h.api('PUT', `/api/v1/handoffs/watch-items/${id}`, { text: '' }, alice)).field).toBe('text');
    const edited = await h.api('PUT', `/api/v1/handoffs/watch-items/${id}`, { text: 'db1 disk grows 3% a day', alert_id: null }, alice);
    expect(edited.body.item).toMatchObject({ text: 'db1 disk grows 3% a day', alert_id: null });
    expect((await h.api('DELETE', `/api/v1/handoffs/watch-items/${(byManager.body.item as { id: string }).id}`, undefined, alice)).status).toBe(200);
    expect((await h.api('DELETE', '/api/v1/handoffs/watch-items/nope', undefined, alice)).status).toBe(404);
    expect(await count()).toBe(1);

    // After the handoff the item belongs to the note: it can no longer change.
    h.clock.advance(Date.parse('2026-02-23T00:00:30Z') - h.clock.now());
    await h.tick();
    const late = await h.api('PUT', `/api/v1/handoffs/watch-items/${id}`, { text: 'too late' }, alice);
    expect({ status: late.status, message: errorOf(late).message }).toEqual({ status: 409, message: 'that shift has been handed over; the handoff note keeps the item as it was' });
    const notes = (await h.api('GET', '/api/v1/handoffs?schedule=mahavishnu-primary')).body.notes as { id: number }[];
    const note = await h.api('GET', `/api/v1/handoffs/${notes[0]?.id}`);
    expect(note.body.watch_items).toMatchObject([{ text: 'db1 disk grows 3% a day', author: 'alice', alert_id: null }]);
    const audit = (await h.api('GET', '/api/v1/audit?limit=50')).body.entries as { action: string }[];
    expect(audit.map((e) => e.action).filter((a) => a.startsWith('watch_item.'))).toEqual(['watch_item.delete', 'watch_item.update', 'watch_item.create', 'watch_item.create']);
  });

  it('notes: listed for me and my schedules, read by the incoming person or a manager, handed over by either person; others are refused', async () => {
    h = await Harness.start(kind, { orgFile: MAHAVISHNU, start: '2026-02-22T23:50:00Z' });
    const alice = await tokenFor('alice');
    const bob = await tokenFor('bob');
    const charlie = await tokenFor('charlie');
    const diana = await tokenFor('diana');
    const viewer = await tokenFor('vp-eng', 'viewer');
    await h.tick();
    await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: 'api', payload: { summary: 'API down', source: 'api', severity: 'critical' } });
    await h.tick();
    expect((await h.api('POST', '/api/v1/alerts/1/acknowledge', {}, alice)).status).toBe(200);
    await h.advanceMinutes(10);

    // Charlie: the primary note is his (incoming); the shadow note (bob -> alice) is his team's.
    const list = await h.api('GET', '/api/v1/handoffs', undefined, charlie);
    expect(list.status).toBe(200);
    expect(list.body.unread).toBe(1);
    const notes = list.body.notes as { id: number; schedule: string; outgoing: string; incoming: string; summary: { total: number } }[];
    expect(notes.map((n) => `${n.schedule}: ${n.outgoing} -> ${n.incoming}`).sort()).toEqual(['mahavishnu-primary: alice -> charlie', 'mahavishnu-shadow: bob -> alice']);
    const primary = notes.find((n) => n.schedule === 'mahavishnu-primary')?.id as number;
    expect(((await h.api('GET', '/api/v1/handoffs?mine=true', undefined, charlie)).body.notes as { schedule: string }[]).map((n) => n.schedule)).toEqual(['mahavishnu-primary']);
    expect(errorOf(await h.api('GET', '/api/v1/handoffs?mine=true')).field).toBe('mine');
    expect(((await h.api('GET', '/api/v1/handoffs?user=bob')).body.notes as { schedule: string }[]).map((n) => n.schedule)).toEqual(['mahavishnu-shadow']);
    expect(((await h.api('GET', '/api/v1/handoffs?unread=true', undefined, alice)).body.notes as { schedule: string }[]).map((n) => n.schedule)).toEqual(['mahavishnu-shadow']);

    // Bad input names the field.
    expect(errorOf(await h.api('GET', '/api/v1/handoffs/twelve')).field).toBe('id');
    expect(errorOf(await h.api('GET', '/api/v1/handoffs?limit=0')).field).toBe('limit');
    expect(errorOf(await h.api('GET', '/api/v1/handoffs?unread=yes')).field).toBe('unread');
    expect(errorOf(await h.api('GET', '/api/v1/handoffs?unread=true')).field).toBe('user');
    expect(errorOf(await h.api('GET', '/api/v1/handoffs?user=zed')).field).toBe('user');
    expect((await h.api('GET', '/api/v1/handoffs?schedule=nope')).status).toBe(404);
    expect((await h.api('GET', '/api/v1/handoffs/999')).status).toBe(404);
    expect((await h.api('POST', '/api/v1/handoffs/999/read', {}, charlie)).status).toBe(404);

    // Who may mark read and hand over.
    const refused = await h.api('POST', `/api/v1/handoffs/${primary}/read`, {}, diana);
    expect({ status: refused.status, message: errorOf(refused).message }).toEqual({ status: 403, message: `only charlie or a manager can mark read handoff note ${primary}` });
    expect((await h.api('POST', `/api/v1/handoffs/${primary}/read`, {}, alice)).status).toBe(403);
    expect((await h.api('POST', `/api/v1/handoffs/${primary}/read`, {}, viewer)).status).toBe(403);
    expect((await h.api('POST', `/api/v1/handoffs/${primary}/hand-over`, {}, bob)).status).toBe(403);
    expect((await h.api('GET', `/api/v1/handoffs/${primary}`)).body).toMatchObject({ read_at: null, hand_over: { count: 1 } });
    // The outgoing person may hand over; the incoming person reads.
    const moved = await h.api('POST', `/api/v1/handoffs/${primary}/hand-over`, {}, alice);
    expect(moved.body).toMatchObject({ handed_over: [1], note: { handed_over_by: 'alice', handed_over_count: 1 } });
    const read = await h.api('POST', `/api/v1/handoffs/${primary}/read`, {}, charlie);
    expect(read.body).toMatchObject({ read_by: 'charlie', read_at: '2026-02-23T00:00:00.000Z' });
    // Reading twice keeps the first time; an admin may read any.
    h.clock.advanceMinutes(5);
    expect((await h.api('POST', `/api/v1/handoffs/${primary}/read`, {}, charlie)).body).toMatchObject({ read_at: '2026-02-23T00:00:00.000Z' });
    expect((await h.api('GET', '/api/v1/handoffs', undefined, charlie)).body.unread).toBe(0);
    const alert = (await h.api('GET', '/api/v1/alerts/1')).body.alert as { acknowledged_by: string };
    expect(alert.acknowledged_by).toBe('charlie');
  });
});
