import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { PLATFORM_YAML } from '../helpers/platform-org.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Swap requests through /api/v1: bob asks diana to trade, diana is told and accepts (the swap is
 * made) or declines (nothing changes); only diana or a manager may accept; a request whose shift
 * is no longer bob's is refused on accept. The clock starts Sunday 2026-03-08 08:00 UTC: bob is on
 * platform-primary until Monday 03-09 00:00, then diana for a week (test/helpers/platform-org.ts).
 */
interface ApiErr {
  error: { code: string; message: string; field?: string; problems?: { field: string; message: string }[] };
}
interface SwapReq {
  id: number;
  schedule: string;
  requester: string;
  with: string;
  status: string;
  direction: string | null;
  decided_by: string | null;
}

const MINE = { start: '2026-03-08T12:00Z', end: '2026-03-09T00:00Z' };
const THEIRS = { start: '2026-03-09T00:00Z', end: '2026-03-10T00:00Z' };
const SHIFTS = '/api/v1/schedules/platform-primary/shifts?from=2026-03-08T00:00Z&to=2026-03-11T00:00Z';

describe.each(storeKinds)('swap requests API on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const errorOf = (res: { body: Record<string, unknown> }) => (res.body as unknown as ApiErr).error;
  const tokenFor = async (user: string, role = 'responder') => (await createToken(h.app.ctx, systemTestActor, { name: `${user}'s token`, role, user })).token;
  const notices = async () =>
    Promise.all(
      h.smtp.messages
        .filter((m) => /^X-Watchkeeper-Notice: /m.test(m.raw))
        .map(async (m) => {
          const p = await simpleParser(m.raw);
          return { to: (m.to[0] ?? '').split('@')[0], kind: String(p.headers.get('x-watchkeeper-notice')), subject: p.subject ?? '', text: p.text ?? '' };
        }),
    );
  const shifts = async () => ((await h.api('GET', SHIFTS)).body.final as { start: string; user: string }[]).map((s) => [s.start, s.user]);
  const UNCHANGED = [
    ['2026-03-02T00:00:00.000Z', 'bob'],
    ['2026-03-09T00:00:00.000Z', 'diana'],
  ];

  it('bob asks, diana is told and accepts: both shifts change in one go; only diana or a manager may accept', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const [bob, diana, charlie] = [await tokenFor('bob'), await tokenFor('diana'), await tokenFor('charlie')];

    const made = await h.api('POST', '/api/v1/schedules/platform-primary/swap-requests', { with: 'diana', mine: MINE, theirs: THEIRS, note: 'family dinner' }, bob);
    expect(made.status).toBe(201);
    const req = made.body.swap_request as SwapReq;
    expect(req).toMatchObject({ schedule: 'platform-primary', requester: 'bob', with: 'diana', status: 'pending', direction: 'outgoing' });
    expect(await shifts()).toEqual(UNCHANGED);

    await h.tick();
    const asked = (await notices()).filter((n) => n.kind === 'swap_request');
    expect(asked.map((n) => n.to)).toEqual(['diana']);
    expect(asked[0]?.subject).toBe('Swap request on platform-primary: bob asks to swap shifts with you');
    expect(asked[0]?.text).toContain('bob asks to swap on platform-primary: you take Sun 8 Mar 12:00 UTC – Mon 9 Mar 00:00 UTC, bob takes Mon 9 Mar 00:00 UTC – Tue 10 Mar 00:00 UTC.');
    expect(asked[0]?.text).toContain(`watchkeeper swap accept ${req.id}`);
    expect(asked[0]?.text).toContain('Note: family dinner');

    const incoming = (await h.api('GET', '/api/v1/swap-requests?status=pending', undefined, diana)).body.swap_requests as SwapReq[];
    expect(incoming.map((x) => [x.id, x.direction])).toEqual([[req.id, 'incoming']]);
    expect(((await h.api('GET', '/api/v1/swap-requests?status=pending', undefined, charlie)).body.swap_requests as SwapReq[]).length).toBe(0);

    const notYours = await h.api('POST', `/api/v1/swap-requests/${req.id}/accept`, {}, charlie);
    expect(notYours.status).toBe(403);
    expect(errorOf(notYours).message).toBe(`only diana (or a manager) can accept swap request ${req.id}`);
    expect((await h.api('POST', `/api/v1/swap-requests/${req.id}/cancel`, {}, diana)).status).toBe(403);
    expect(await shifts()).toEqual(UNCHANGED);

    const accepted = await h.api('POST', `/api/v1/swap-requests/${req.id}/accept`, {}, diana);
    expect(accepted.status).toBe(200);
    expect(accepted.body.swap_request).toMatchObject({ status: 'accepted', decided_by: 'diana' });
    expect(await shifts()).toEqual([
      ['2026-03-02T00:00:00.000Z', 'bob'],
      ['2026-03-08T12:00:00.000Z', 'diana'],
      ['2026-03-09T00:00:00.000Z', 'bob'],
      ['2026-03-10T00:00:00.000Z', 'diana'],
    ]);
    const again = await h.api('POST', `/api/v1/swap-requests/${req.id}/accept`, {}, diana);
    expect(again.status).toBe(409);
    expect(errorOf(again).message).toBe(`swap request ${req.id} is already accepted (by diana); it cannot be accepted`);

    await h.tick();
    const toBob = (await notices()).filter((n) => n.to === 'bob').map((n) => n.kind).sort();
    expect(toBob).toEqual(['schedule_change', 'swap_request']);
    const actions = ((await h.api('GET', '/api/v1/audit?limit=3')).body.entries as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(['swap_request.accept', 'schedule_override.swap', 'swap_request.create']);
  });

  it('a manager may accept for diana; declining or cancelling changes nothing and tells the other person', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const [bob, diana, alice] = [await tokenFor('bob'), await tokenFor('diana'), await tokenFor('alice', 'manager')];
    const ask = async () => ((await h.api('POST', '/api/v1/schedules/platform-primary/swap-requests', { with: 'diana', mine: MINE, theirs: THEIRS }, bob)).body.swap_request as SwapReq).id;

    const first = await ask();
    const declined = await h.api('POST', `/api/v1/swap-requests/${first}/decline`, {}, diana);
    expect(declined.status).toBe(200);
    expect(declined.body.swap_request).toMatchObject({ status: 'declined', decided_by: 'diana' });
    expect(await shifts()).toEqual(UNCHANGED);
    expect((await h.api('POST', `/api/v1/swap-requests/${first}/accept`, {}, diana)).status).toBe(409);

    const second = await ask();
    expect((await h.api('POST', `/api/v1/swap-requests/${second}/decline`, {}, bob)).status).toBe(403);
    expect((await h.api('POST', `/api/v1/swap-requests/${second}/cancel`, {}, bob)).body.swap_request).toMatchObject({ status: 'cancelled', decided_by: 'bob' });
    expect(await shifts()).toEqual(UNCHANGED);

    const third = await ask();
    expect((await h.api('POST', `/api/v1/swap-requests/${third}/accept`, {}, alice)).status).toBe(200);
    expect((await shifts())[1]).toEqual(['2026-03-08T12:00:00.000Z', 'diana']);

    await h.tick();
    const swapNotices = (await notices()).filter((n) => n.kind === 'swap_request').map((n) => `${n.to}: ${n.subject}`);
    expect(swapNotices).toContain(`bob: Swap declined on platform-primary: diana declined swap request ${first}`);
    expect(swapNotices).toContain(`diana: Swap cancelled on platform-primary: bob cancelled swap request ${second}`);
    expect(swapNotices).toContain('bob: Swap accepted on platform-primary: alice accepted your swap with diana');
    const all = (await h.api('GET', '/api/v1/swap-requests', undefined, bob)).body.swap_requests as SwapReq[];
    expect(all.map((x) => [x.id, x.status])).toEqual([
      [third, 'accepted'],
      [second, 'cancelled'],
      [first, 'declined'],
    ]);
  });

  it('refuses on accept a request whose shift is no longer the requester’s, saying why, and changes nothing', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const [bob, diana] = [await tokenFor('bob'), await tokenFor('diana')];
    const id = ((await h.api('POST', '/api/v1/schedules/platform-primary/swap-requests', { with: 'diana', mine: MINE, theirs: THEIRS }, bob)).body.swap_request as SwapReq).id;
    // Erin covers all of bob's half before diana answers.
    expect((await h.api('POST', '/api/v1/schedules/platform-primary/overrides', { ...MINE, user: 'erin', replaces: 'bob' })).status).toBe(201);
    const before = await shifts();

    const stale = await h.api('POST', `/api/v1/swap-requests/${id}/accept`, {}, diana);
    expect(stale.status).toBe(409);
    expect(errorOf(stale).message).toBe(`swap request ${id} can no longer be done: bob is not on call in schedule "platform-primary" between 2026-03-08T12:00:00.000Z and 2026-03-09T00:00:00.000Z. Decline it and ask for a new swap.`);
    expect(await shifts()).toEqual(before);
    expect(((await h.api('GET', '/api/v1/swap-requests', undefined, diana)).body.swap_requests as SwapReq[])[0]?.status).toBe('pending');
  });

  it('answers bad input with the field and stores nothing', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const bob = await tokenFor('bob');
    const post = (body: unknown, token = bob) => h.api('POST', '/api/v1/schedules/platform-primary/swap-requests', body, token);
    const fieldOf = async (body: unknown) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      return errorOf(res);
    };
    expect((await fieldOf({ mine: MINE, theirs: THEIRS })).field).toBe('with');
    expect((await fieldOf({ with: 'zed', mine: MINE, theirs: THEIRS })).message).toBe('with: no user named "zed"');
    expect((await fieldOf({ with: 'bob', mine: MINE, theirs: THEIRS })).field).toBe('with');
    expect((await fieldOf({ with: 'diana', mine: { ...MINE, end: MINE.start }, theirs: THEIRS })).field).toBe('mine.end');
    expect((await fieldOf({ with: 'diana', mine: { start: 'monday', end: MINE.end }, theirs: THEIRS })).field).toBe('mine.start');
    const notTheirs = await fieldOf({ with: 'alice', mine: MINE, theirs: THEIRS });
    expect(notTheirs.field).toBe('theirs');
    expect(notTheirs.message).toMatch(/alice is not on call in schedule "platform-primary"/);
    expect((await fieldOf({ with: 'diana', mine: THEIRS, theirs: MINE })).field).toBe('mine');
    // A token of no one cannot ask: a request is made by the person on call.
    expect((await post({ with: 'diana', mine: MINE, theirs: THEIRS }, h.adminToken)).status).toBe(403);
    expect((await h.api('POST', '/api/v1/schedules/nope/swap-requests', { with: 'diana', mine: MINE, theirs: THEIRS }, bob)).status).toBe(404);

    const badId = await h.api('POST', '/api/v1/swap-requests/seven/accept', {}, bob);
    expect(badId.status).toBe(400);
    expect(errorOf(badId).field).toBe('id');
    expect((await h.api('POST', '/api/v1/swap-requests/99/accept', {}, bob)).status).toBe(404);
    const badStatus = await h.api('GET', '/api/v1/swap-requests?status=maybe');
    expect(errorOf(badStatus).field).toBe('status');

    expect((await h.api('GET', '/api/v1/swap-requests')).body.swap_requests).toEqual([]);
    expect(await shifts()).toEqual(UNCHANGED);
  });
});
