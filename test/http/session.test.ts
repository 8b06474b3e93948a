import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapPassword } from '../../src/app.js';
import { MINUTE } from '../../src/domain/clock.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import { CHECKOUT_EVENTS_KEY, DEMO, type ApiError } from './support.js';

/**
 * Signing in to the web UI: passwords, the session cookie, CSRF on changes, the sign-in limit,
 * session expiry on the harness's fake clock, and the open-alert summary the home page reads.
 */
const ALICE_PASSWORD = 'correct horse battery staple';
const BOB_PASSWORD = 'bob-has-a-long-password';
const DAY = 24 * 60 * MINUTE;

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

describe.each(storeKinds)('web sign-in on $name', (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    expect((await h.api('PUT', '/api/v1/users/alice/password', { password: ALICE_PASSWORD })).status).toBe(204);
    expect((await h.api('PUT', '/api/v1/users/bob/password', { password: BOB_PASSWORD })).status).toBe(204);
  });
  afterEach(async () => {
    await h.stop();
  });

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, opts: { cookie?: string; csrf?: string; body?: unknown } = {}): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.cookie = `wk_session=${opts.cookie}`;
    if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
    const res = await h.app.http.inject({ method, url, headers, ...(opts.body === undefined ? {} : { payload: opts.body as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.body ? (res.json() as Record<string, unknown>) : {}, headers: res.headers };
  };
  const signIn = async (email: string, password: string) => {
    const res = await call('POST', '/api/v1/session', { body: { email, password } });
    const setCookie = String(res.headers['set-cookie'] ?? '');
    const cookie = /wk_session=([^;]+)/.exec(setCookie)?.[1];
    return { res, setCookie, cookie, csrf: res.body.csrf_token as string | undefined };
  };
  const errorOf = (r: Reply) => (r.body as unknown as ApiError).error;
  const sessionCount = async () => Number((await h.store.db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('signs in with email and password and sets an HttpOnly, SameSite=Strict cookie', async () => {
    const s = await signIn('ALICE@example.com', ALICE_PASSWORD);
    expect(s.res.status).toBe(200);
    expect(s.res.body.user).toMatchObject({ name: 'alice', email: 'alice@example.com', role: 'admin', time_zone: 'Europe/London' });
    expect(s.csrf).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(s.setCookie).toMatch(/HttpOnly/);
    expect(s.setCookie).toMatch(/SameSite=Strict/);
    expect(s.setCookie).toMatch(/Path=\//);
    expect(s.setCookie).not.toMatch(/Secure/); // the harness's public URL is http
    // The store keeps a hash, never the cookie itself.
    const row = await h.store.db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
    expect(row.id).not.toBe(s.cookie);
    expect(row.id).toMatch(/^[0-9a-f]{64}$/);

    const me = await call('GET', '/api/v1/session', { cookie: s.cookie! });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { name: 'alice' }, csrf_token: s.csrf });
    const alerts = await call('GET', '/api/v1/alerts', { cookie: s.cookie! });
    expect(alerts.status).toBe(200);
  });

  it('refuses a wrong password or an unknown email alike, and opens no session', async () => {
    const wrong = await signIn('alice@example.com', 'not the password at all');
    const unknown = await signIn('nobody@example.com', ALICE_PASSWORD);
    for (const r of [wrong, unknown]) {
      expect(r.res.status).toBe(401);
      expect(errorOf(r.res).message).toBe('wrong email or password');
      expect(r.cookie).toBeUndefined();
    }
    // carol has no password: she cannot sign in with anything.
    expect((await signIn('carol@example.com', '')).res.status).toBe(400);
    expect((await signIn('carol@example.com', 'anything-long-enough')).res.status).toBe(401);
    expect(await sessionCount()).toBe(0);
  });

  it('names the field of a bad sign-in body', async () => {
    const r = await call('POST', '/api/v1/session', { body: { email: 'alice@example.com', pass: 'x' } });
    expect(r.status).toBe(400);
    const fields = (errorOf(r).problems ?? []).map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['password', 'pass']));
    expect(await sessionCount()).toBe(0);
  });

  it('needs the CSRF header for every change made with the cookie', async () => {
    const s = await signIn('alice@example.com', ALICE_PASSWORD);
    const body = { service: 'Checkout API', summary: 'from the UI', severity: 'critical' };
    const without = await call('POST', '/api/v1/alerts', { cookie: s.cookie!, body });
    expect(without.status).toBe(403);
    expect(errorOf(without).message).toMatch(/x-csrf-token/);
    const wrongToken = await call('POST', '/api/v1/alerts', { cookie: s.cookie!, csrf: 'x'.repeat(32), body });
    expect(wrongToken.status).toBe(403);
    expect((await h.api('GET', '/api/v1/alerts')).body.alerts).toEqual([]);

    const ok = await call('POST', '/api/v1/alerts', { cookie: s.cookie!, csrf: s.csrf!, body });
    expect(ok.status).toBe(201);
    // Actions taken in the UI are on the timeline as the person, through the UI.
    const id = (ok.body.alert as { id: number }).id;
    expect((await call('POST', `/api/v1/alerts/${id}/acknowledge`, { cookie: s.cookie!, csrf: s.csrf!, body: {} })).status).toBe(200);
    const detail = await h.api('GET', `/api/v1/alerts/${id}`);
    const ack = (detail.body.timeline as { kind: string; actor: { name: string }; surface: string }[]).find((e) => e.kind === 'acknowledged');
    expect(ack).toMatchObject({ actor: { name: 'alice' }, surface: 'ui' });
  });

  it('applies the user role to a session', async () => {
    const bob = await signIn('bob@example.com', BOB_PASSWORD);
    expect(bob.res.body.user).toMatchObject({ role: 'responder' });
    const r = await call('POST', '/api/v1/tokens', { cookie: bob.cookie!, csrf: bob.csrf!, body: { name: 'x', role: 'admin' } });
    expect(r.status).toBe(403);
    expect(errorOf(r).message).toBe('this needs the admin role; you are signed in as bob, a responder');
  });

  it('signs out: the cookie stops working at once', async () => {
    const s = await signIn('alice@example.com', ALICE_PASSWORD);
    expect((await call('DELETE', '/api/v1/session', { cookie: s.cookie! })).status).toBe(403);
    const out = await call('DELETE', '/api/v1/session', { cookie: s.cookie!, csrf: s.csrf! });
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/wk_session=;/);
    const after = await call('GET', '/api/v1/alerts', { cookie: s.cookie! });
    expect(after.status).toBe(401);
    expect(errorOf(after).message).toBe('your session has ended; sign in again');
    expect(await sessionCount()).toBe(0);
  });

  it('ends a session after a week unused, and keeps a used one for at most 30 days', async () => {
    const idle = await signIn('alice@example.com', ALICE_PASSWORD);
    const busy = await signIn('bob@example.com', BOB_PASSWORD);
    for (let day = 1; day <= 6; day++) {
      h.clock.advance(DAY);
      expect((await call('GET', '/api/v1/session', { cookie: busy.cookie! })).status).toBe(200);
    }
    h.clock.advance(DAY + MINUTE);
    expect((await call('GET', '/api/v1/session', { cookie: idle.cookie! })).status).toBe(401);
    for (let day = 8; day < 30; day++) {
      expect((await call('GET', '/api/v1/session', { cookie: busy.cookie! })).status).toBe(200);
      h.clock.advance(DAY);
    }
    h.clock.advance(DAY);
    expect((await call('GET', '/api/v1/session', { cookie: busy.cookie! })).status).toBe(401);
  });

  it('limits failed sign-ins per email for 15 minutes, without locking out other people', async () => {
    for (let i = 0; i < 10; i++) expect((await signIn('alice@example.com', `guess number ${i}`)).res.status).toBe(401);
    const limited = await signIn('alice@example.com', ALICE_PASSWORD);
    expect(limited.res.status).toBe(429);
    expect(errorOf(limited.res).message).toBe('too many failed sign-ins; try again in 15 minutes, or ask an admin to set a new password');
    expect(Number(limited.res.headers['retry-after'])).toBe(900);
    expect((await signIn('bob@example.com', BOB_PASSWORD)).res.status).toBe(200);
    h.clock.advance(15 * MINUTE);
    expect((await signIn('alice@example.com', ALICE_PASSWORD)).res.status).toBe(200);
  });

  it('lets people change their own password with the current one; admins reset others', async () => {
    const bob = await signIn('bob@example.com', BOB_PASSWORD);
    const other = await signIn('bob@example.com', BOB_PASSWORD);
    const put = (body: unknown) => call('PUT', '/api/v1/users/bob/password', { cookie: bob.cookie!, csrf: bob.csrf!, body });

    const noCurrent = await put({ password: 'a-new-long-password' });
    expect(noCurrent.status).toBe(400);
    expect(errorOf(noCurrent)).toMatchObject({ field: 'current_password', message: 'current_password: does not match your current password' });
    const short = await put({ password: 'short', current_password: BOB_PASSWORD });
    expect(short.status).toBe(400);
    expect(errorOf(short)).toMatchObject({ field: 'password', message: 'password: must be at least 12 characters' });
    const alices = await call('PUT', '/api/v1/users/alice/password', { cookie: bob.cookie!, csrf: bob.csrf!, body: { password: 'taking-over-alice' } });
    expect(alices.status).toBe(403);
    expect((await signIn('bob@example.com', BOB_PASSWORD)).res.status).toBe(200); // nothing changed so far

    expect((await put({ password: 'a-new-long-password', current_password: BOB_PASSWORD })).status).toBe(204);
    // The session that changed it stays; every other session of bob's ends.
    expect((await call('GET', '/api/v1/session', { cookie: bob.cookie! })).status).toBe(200);
    expect((await call('GET', '/api/v1/session', { cookie: other.cookie! })).status).toBe(401);
    expect((await signIn('bob@example.com', BOB_PASSWORD)).res.status).toBe(401);
    expect((await signIn('bob@example.com', 'a-new-long-password')).res.status).toBe(200);

    // An admin token resets it without knowing it, and the change is on the audit log.
    expect((await h.api('PUT', '/api/v1/users/bob/password', { password: 'reset-by-the-admin' })).status).toBe(204);
    expect((await signIn('bob@example.com', 'reset-by-the-admin')).res.status).toBe(200);
    expect((await h.api('PUT', '/api/v1/users/nobody/password', { password: 'reset-by-the-admin' })).status).toBe(404);
    const audit = (await h.api('GET', '/api/v1/audit?limit=1000')).body.entries as { action: string; entity: { name: string } }[];
    expect(audit.filter((e) => e.action === 'user.password' && e.entity.name === 'bob')).toHaveLength(3);
    // Passwords are never stored as given.
    const stored = await h.store.db.selectFrom('user_passwords').select('password_hash').execute();
    expect(stored.every((r) => r.password_hash.startsWith('scrypt$') && !r.password_hash.includes('reset-by-the-admin'))).toBe(true);
  });

  it('counts open alerts by severity and service for the home page', async () => {
    const trigger = (dedup: string, severity: string) =>
      h.enqueue({ routing_key: CHECKOUT_EVENTS_KEY, event_action: 'trigger', dedup_key: dedup, payload: { summary: dedup, source: 'test', severity } });
    await trigger('a', 'critical');
    await trigger('b', 'critical');
    await trigger('c', 'warning');
    await trigger('d', 'info');
    await h.api('POST', '/api/v1/alerts', { service: 'Payments', summary: 'p', severity: 'high' });
    const list = (await h.api('GET', '/api/v1/alerts')).body.alerts as { id: number; summary: string }[];
    const idOf = (s: string) => list.find((a) => a.summary === s)!.id;
    await h.api('POST', `/api/v1/alerts/${idOf('b')}/acknowledge`, {});
    await h.api('POST', `/api/v1/alerts/${idOf('d')}/resolve`, {});

    const s = (await h.api('GET', '/api/v1/alerts/summary')).body;
    expect(s.triggered).toBe(3);
    expect(s.acknowledged).toBe(1);
    expect(s.by_severity).toEqual([
      { severity: 'critical', triggered: 1, acknowledged: 1 },
      { severity: 'high', triggered: 1, acknowledged: 0 },
      { severity: 'medium', triggered: 1, acknowledged: 0 },
      { severity: 'low', triggered: 0, acknowledged: 0 },
      { severity: 'info', triggered: 0, acknowledged: 0 },
    ]);
    expect((s.by_service as { service: string; triggered: number; acknowledged: number }[]).map((x) => [x.service, x.triggered, x.acknowledged])).toEqual([
      ['Checkout API', 2, 1],
      ['Payments', 1, 0],
    ]);
  });

  it('gives the first admin a generated password on first start, once', async () => {
    await h.store.db.deleteFrom('user_passwords').execute();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-first-start-'));
    try {
      const first = await bootstrapPassword(h.app.ctx, dir);
      expect(first).toMatchObject({ file: path.join(dir, 'admin-password'), user: { name: 'alice', email: 'alice@example.com' } });
      expect(fs.statSync(first!.file).mode & 0o777).toBe(0o600);
      const password = fs.readFileSync(first!.file, 'utf8').trim();
      expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
      expect((await signIn('alice@example.com', password)).res.status).toBe(200);
      expect(await bootstrapPassword(h.app.ctx, dir)).toBeNull();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
