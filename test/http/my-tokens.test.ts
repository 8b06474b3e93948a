import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import { DEMO, type ApiError } from './support.js';

/**
 * /api/v1/me/tokens: anyone signed in lists, creates and revokes their own API tokens (the
 * Profile page). A token is at most its person's role, is created only from a web session, works
 * at once as that person, and stops working when revoked; nobody sees or revokes another's.
 * Demo organisation: alice is an admin, bob a responder.
 */
const BOB_PASSWORD = 'bob-has-a-long-password';
const ALICE_PASSWORD = 'correct horse battery staple';

describe.each(storeKinds)('own API tokens on $name', (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    expect((await h.api('PUT', '/api/v1/users/bob/password', { password: BOB_PASSWORD })).status).toBe(204);
    expect((await h.api('PUT', '/api/v1/users/alice/password', { password: ALICE_PASSWORD })).status).toBe(204);
  });
  afterEach(async () => {
    await h.stop();
  });

  interface Reply {
    status: number;
    body: Record<string, unknown>;
  }
  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, auth: { cookie?: string; csrf?: string; token?: string }, body?: unknown): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (auth.cookie) headers.cookie = `wk_session=${auth.cookie}`;
    if (auth.csrf) headers['x-csrf-token'] = auth.csrf;
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    const res = await h.app.http.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.body ? (res.json() as Record<string, unknown>) : {} };
  };
  const signIn = async (email: string, password: string) => {
    const res = await h.app.http.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
    expect(res.statusCode).toBe(200);
    const cookie = /wk_session=([^;]+)/.exec(String(res.headers['set-cookie'] ?? ''))?.[1] as string;
    return { cookie, csrf: (res.json() as { csrf_token: string }).csrf_token };
  };
  const errorOf = (r: Reply) => (r.body as unknown as ApiError).error;
  const tokenCount = async () => Number((await h.store.db.selectFrom('api_tokens').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('creates a token as the signed-in person, which works at once as them, lists it and revokes it', async () => {
    const bob = await signIn('bob@example.com', BOB_PASSWORD);
    expect((await call('GET', '/api/v1/me/tokens', bob)).body).toEqual({ tokens: [] });

    const created = await call('POST', '/api/v1/me/tokens', bob, { name: 'laptop CLI' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'laptop CLI', role: 'responder', token: expect.any(String) });
    const token = created.body.token as string;
    expect(await call('GET', '/api/v1/me', { token })).toMatchObject({ status: 200, body: { role: 'responder', user: 'bob' } });

    const listed = await call('GET', '/api/v1/me/tokens', bob);
    expect(listed.body.tokens).toEqual([expect.objectContaining({ id: created.body.id, name: 'laptop CLI', role: 'responder', user: 'bob', token_hint: token.slice(0, 7), revoked_at: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    // The token lists its person's tokens too, but cannot make another.
    expect((await call('GET', '/api/v1/me/tokens', { token })).body.tokens).toHaveLength(1);
    const minted = await call('POST', '/api/v1/me/tokens', { token }, { name: 'sneaky' });
    expect(minted.status).toBe(403);
    expect(errorOf(minted).message).toBe('create tokens from a signed-in session (the Profile page of the web UI), not with a token');

    // The audit log names bob.
    const audit = (await h.api('GET', '/api/v1/audit')).body as { entries: { action: string; actor: { name: string } }[] };
    expect(audit.entries.find((e) => e.action === 'token.create')?.actor.name).toBe('bob');

    const revoked = await call('DELETE', `/api/v1/me/tokens/${created.body.id as string}`, bob);
    expect(revoked).toEqual({ status: 200, body: { revoked: created.body.id } });
    expect((await call('GET', '/api/v1/me', { token })).status).toBe(401);
    expect(((await call('GET', '/api/v1/me/tokens', bob)).body.tokens as { revoked_at: string | null }[])[0]?.revoked_at).toEqual(expect.any(String));
  });

  it('refuses a role above the person’s own, a missing name and an unknown field, storing nothing', async () => {
    const bob = await signIn('bob@example.com', BOB_PASSWORD);
    const before = await tokenCount();
    const cases: { body: unknown; field: string; message: string }[] = [
      { body: { name: 'ci', role: 'admin' }, field: 'role', message: 'role: can be at most your own role (responder)' },
      { body: { name: 'ci', role: 'boss' }, field: 'role', message: 'role: must be one of viewer, responder, manager, admin' },
      { body: { name: '  ' }, field: 'name', message: 'name: must be 1 to 100 characters' },
      { body: {}, field: 'name', message: expect.stringMatching(/^name: /) as unknown as string },
      { body: { name: 'ci', user: 'alice' }, field: 'user', message: 'user: unknown field' },
    ];
    for (const c of cases) {
      const res = await call('POST', '/api/v1/me/tokens', bob, c.body);
      expect({ body: c.body, status: res.status }).toEqual({ body: c.body, status: 400 });
      expect(errorOf(res)).toMatchObject({ code: 'invalid', field: c.field, message: c.message });
    }
    expect(await tokenCount()).toBe(before);
    // A lower role than one's own is fine.
    expect((await call('POST', '/api/v1/me/tokens', bob, { name: 'dashboard', role: 'viewer' })).body).toMatchObject({ role: 'viewer' });
  });

  it('shows and revokes only one’s own tokens', async () => {
    const alice = await signIn('alice@example.com', ALICE_PASSWORD);
    const bob = await signIn('bob@example.com', BOB_PASSWORD);
    const hers = await call('POST', '/api/v1/me/tokens', alice, { name: 'alice laptop' });
    expect(hers.status).toBe(201);
    expect((await call('GET', '/api/v1/me/tokens', bob)).body.tokens).toEqual([]);
    const res = await call('DELETE', `/api/v1/me/tokens/${hers.body.id as string}`, bob);
    expect(res.status).toBe(404);
    expect((await call('GET', '/api/v1/me', { token: hers.body.token as string })).status).toBe(200);
    // The harness's admin token belongs to no person.
    const none = await h.api('GET', '/api/v1/me/tokens');
    expect(none.status).toBe(403);
  });
});
