import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../src/app.js';
import { OIDC_CALLBACK_PATH, OidcSignIn, readOidcEnv, safeNext, type OidcOptions } from '../../src/auth/oidc.js';
import { MINUTE } from '../../src/domain/clock.js';
import { Harness } from '../helpers/harness.js';
import { TestBrowser, TestIdp } from '../helpers/oidc-idp.js';
import { storeKinds } from '../helpers/stores.js';
import { DEMO } from './support.js';

/**
 * Single sign-on through a real OpenID Connect provider (oidc-provider on 127.0.0.1): the whole
 * authorization code flow with PKCE, state and nonce, driven hop by hop as a browser would, with
 * Watchkeeper injected in-process. The harness's fake clock starts at the real time, because the
 * provider stamps its tokens with the real time; moving it shows that Watchkeeper judges flow and
 * ID token expiry by ctx.clock.
 */
const APP_ORIGIN = 'http://watchkeeper.test';
const REDIRECT_URI = `${APP_ORIGIN}${OIDC_CALLBACK_PATH}`;
const isCallback = (url: string) => url.startsWith(REDIRECT_URI);

describe.each(storeKinds)('OIDC single sign-on on $name', (kind) => {
  let idp: TestIdp;
  let h: Harness;
  let app: App;
  const apps: App[] = [];

  beforeAll(async () => {
    // ID tokens live 2 minutes, so that moving the fake clock past them is quick to show.
    idp = await TestIdp.start({ redirectUri: REDIRECT_URI, idTokenTtlSeconds: 120 });
  });
  afterAll(async () => {
    await idp.stop();
  });

  const options = (o: Partial<OidcOptions> = {}): OidcOptions => ({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, name: 'Test IdP', passwords: true, ...o });
  const newApp = (o: Partial<OidcOptions> | null = {}) => {
    const a = new App({ store: h.store, clock: h.clock, publicUrl: APP_ORIGIN, oidc: o === null ? null : options(o) });
    apps.push(a);
    return a;
  };

  beforeEach(async () => {
    h = await Harness.start(kind, { orgFile: DEMO, start: new Date().toISOString() });
    app = newApp();
    idp.accounts.clear();
    idp.accounts.set('alice-at-idp', { email: 'Alice@Example.COM', email_verified: true });
    idp.user = 'alice-at-idp';
  });
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.stop();
    await h.stop();
  });

  const browserFor = (a: App) =>
    new TestBrowser(APP_ORIGIN, async ({ url, cookie, userAgent }) => {
      const res = await a.http.inject({ method: 'GET', url, headers: { ...(cookie ? { cookie } : {}), 'user-agent': userAgent } });
      return { status: res.statusCode, headers: res.headers };
    });
  /** Start → provider → back at the callback (not yet followed). */
  const toCallback = async (b: TestBrowser, next = '/alerts/1') => {
    const start = await b.get(`${APP_ORIGIN}/api/v1/session/oidc/start?next=${encodeURIComponent(next)}`);
    expect(start.status).toBe(302);
    const flowCookie = b.cookie(APP_ORIGIN, 'wk_oidc');
    const { url } = await b.follow(start.location!, isCallback);
    return { start, callback: url, flowCookie };
  };
  /**
   * Why the sign-in failed, as the login page will show it: the reason travels in a short-lived
   * cookie the server sets, never in the URL, so a link cannot put words on our sign-in page.
   */
  const loginError = (r: { location: string | null; setCookies: string[] }) => {
    expect(r.location).toMatch(/^http:\/\/watchkeeper\.test\/login\?/);
    expect(new URL(r.location!).searchParams.get('error')).toBe('sso');
    const line = r.setCookies.find((c) => c.startsWith('wk_login_error='));
    expect(line).toMatch(/; Max-Age=120; Path=\/login; SameSite=Lax/);
    return decodeURIComponent(/^wk_login_error=([^;]*)/.exec(line!)![1]!);
  };
  const sessionCount = async () => Number((await h.store.db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const me = (a: App, cookie: string | undefined) => a.http.inject({ method: 'GET', url: '/api/v1/session', headers: cookie ? { cookie: `wk_session=${cookie}` } : {} });

  it('signs in through the provider: PKCE, state and nonce out; a session like a password sign-in back', async () => {
    const b = browserFor(app);
    const { start, callback, flowCookie } = await toCallback(b);

    const authorize = new URL(start.location!);
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('client_id')).toBe(idp.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(authorize.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const flowSetCookie = start.setCookies.find((c) => c.startsWith('wk_oidc='))!;
    expect(flowSetCookie).toMatch(/HttpOnly/);
    expect(flowSetCookie).toMatch(/SameSite=Lax/);
    expect(flowSetCookie).toMatch(/Path=\/api\/v1\/session\/oidc/);
    expect(flowCookie).toBeTruthy();
    // The verifier stays with Watchkeeper: the provider sees only its hash.
    expect(start.location).not.toContain(flowCookie!.split('.')[0]!);

    const back = await b.get(callback);
    expect(back.status).toBe(302);
    expect(back.location).toBe(`${APP_ORIGIN}/alerts/1`);
    const sessionSetCookie = back.setCookies.find((c) => c.startsWith('wk_session='))!;
    expect(sessionSetCookie).toMatch(/HttpOnly/);
    expect(sessionSetCookie).toMatch(/SameSite=Strict/);
    expect(b.cookie(APP_ORIGIN, 'wk_oidc')).toBeUndefined(); // the flow cookie is used once

    const session = await me(app, b.cookie(APP_ORIGIN, 'wk_session'));
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({ user: { name: 'alice', email: 'alice@example.com', role: 'admin' } });
    // The same session as a password sign-in: another process on the same store accepts it.
    expect((await me(h.app, b.cookie(APP_ORIGIN, 'wk_session'))).statusCode).toBe(200);

    const audit = (await h.api('GET', '/api/v1/audit?limit=100')).body.entries as { action: string; surface: string; actor: { name: string }; detail: Record<string, unknown> }[];
    const created = audit.filter((e) => e.action === 'session.create');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ surface: 'ui', actor: { name: 'alice' }, detail: { method: 'oidc', user_agent: b.userAgent } });
  });

  it('records password sign-ins with their method too', async () => {
    expect((await h.api('PUT', '/api/v1/users/bob/password', { password: 'bob-has-a-long-password' })).status).toBe(204);
    const r = await app.http.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'bob@example.com', password: 'bob-has-a-long-password' } });
    expect(r.statusCode).toBe(200);
    const audit = (await h.api('GET', '/api/v1/audit?limit=100')).body.entries as { action: string; surface: string; detail: Record<string, unknown> }[];
    expect(audit.find((e) => e.action === 'session.create')).toMatchObject({ surface: 'ui', detail: { method: 'password' } });
  });

  it('refuses an answer whose state is not the one this browser started', async () => {
    const b = browserFor(app);
    const { callback } = await toCallback(b);
    const forged = new URL(callback);
    forged.searchParams.set('state', 'an-attackers-state-value-00000000');
    const r = await b.get(forged.href);
    expect(loginError(r)).toBe('the answer from Test IdP does not belong to the sign-in this browser started (state does not match); start again from the sign-in page');
    expect(new URL(r.location!).searchParams.get('next')).toBe('/alerts/1');
    expect(b.cookie(APP_ORIGIN, 'wk_session')).toBeUndefined();
    expect(await sessionCount()).toBe(0);
  });

  it('refuses a callback without the flow cookie of the browser that started it (login CSRF)', async () => {
    const victim = browserFor(app);
    const attacker = browserFor(app);
    const { callback } = await toCallback(attacker);
    const r = await victim.get(callback);
    expect(loginError(r)).toBe('no sign-in with Test IdP is under way in this browser (it may have been finished already, or started in another tab); start again from the sign-in page');
    expect(await sessionCount()).toBe(0);
  });

  it('refuses a replayed callback, with or without the flow cookie', async () => {
    const b = browserFor(app);
    const { callback, flowCookie } = await toCallback(b);
    expect((await b.get(callback)).location).toBe(`${APP_ORIGIN}/alerts/1`);
    expect(await sessionCount()).toBe(1);

    // The browser no longer holds the flow cookie: nothing is under way.
    const again = await b.get(callback);
    expect(loginError(again)).toMatch(/^no sign-in with Test IdP is under way in this browser/);
    // Whoever kept a copy of the cookie too: the provider takes a code once.
    b.setCookie(APP_ORIGIN, 'wk_oidc', flowCookie);
    const replay = await b.get(callback);
    expect(loginError(replay)).toMatch(/^Test IdP refused the sign-in \(invalid_grant.*\); a sign-in link works once, start again from the sign-in page$/);
    expect(await sessionCount()).toBe(1);
  });

  it('refuses an email no Watchkeeper user has, saying what to do, and opens no session', async () => {
    idp.accounts.set('mallory', { email: 'mallory@example.org', email_verified: true });
    idp.user = 'mallory';
    const b = browserFor(app);
    const { callback } = await toCallback(b);
    const r = await b.get(callback);
    expect(loginError(r)).toBe('no Watchkeeper user has the email mallory@example.org; ask an admin to add you to the organisation file');
    expect(b.cookie(APP_ORIGIN, 'wk_session')).toBeUndefined();
    expect(await sessionCount()).toBe(0);
  });

  it('refuses an email the provider says is not verified, and accepts one it says nothing about', async () => {
    idp.accounts.set('unverified-bob', { email: 'bob@example.com', email_verified: false });
    idp.user = 'unverified-bob';
    const b = browserFor(app);
    const r = await b.get((await toCallback(b)).callback);
    expect(loginError(r)).toBe('Test IdP says your email bob@example.com is not verified; verify it with Test IdP and sign in again');
    expect(await sessionCount()).toBe(0);

    idp.accounts.set('plain-bob', { email: 'bob@example.com' });
    idp.user = 'plain-bob';
    const other = browserFor(app); // b is still signed in at the provider as unverified-bob
    const ok = await other.get((await toCallback(other)).callback);
    expect(ok.location).toBe(`${APP_ORIGIN}/alerts/1`);
    expect((await me(app, other.cookie(APP_ORIGIN, 'wk_session'))).json()).toMatchObject({ user: { name: 'bob' } });
  });

  it('says so when the provider releases no email', async () => {
    idp.accounts.set('no-email', {});
    idp.user = 'no-email';
    const b = browserFor(app);
    const r = await b.get((await toCallback(b)).callback);
    expect(loginError(r)).toBe('Test IdP did not say what your email is; ask whoever runs Test IdP to release the "email" claim to Watchkeeper');
    expect(await sessionCount()).toBe(0);
  });

  it('goes only to same-site paths after signing in', async () => {
    for (const next of ['//evil.example/steal', 'https://evil.example/', '/\\evil.example', '/api/v1/tokens']) {
      const b = browserFor(app);
      const r = await b.get((await toCallback(b, next)).callback);
      expect(r.status).toBe(302);
      expect(r.location).toBe(`${APP_ORIGIN}/`);
    }
    expect(safeNext('/alerts?status=triggered')).toBe('/alerts?status=triggered');
    expect(safeNext('/login?next=/x')).toBe('/');
    expect(safeNext('/alerts\r\nSet-Cookie: x=1')).toBe('/');
    expect(safeNext('/services/caf\u00e9 \u20ac')).toBe('/services/caf%C3%A9%20%E2%82%AC');
  });

  it('judges the flow and the ID token by the server clock', async () => {
    // A flow older than 10 minutes is refused before the code is used.
    const slow = browserFor(app);
    const late = await toCallback(slow);
    h.clock.advance(10 * MINUTE + 1000);
    expect(loginError(await slow.get(late.callback))).toBe('signing in with Test IdP took longer than 10 minutes; start again from the sign-in page');

    // Inside the flow's 10 minutes but past the ID token's 2: openid-client, told the server's
    // time, refuses the token.
    const b = browserFor(app);
    const { callback } = await toCallback(b);
    h.clock.advance(5 * MINUTE);
    const r = await b.get(callback);
    expect(loginError(r)).toMatch(/^the answer from Test IdP failed validation \(.*"exp" \(expiration time\) claim value, expiration is past current timestamp\); start again from the sign-in page, and check that this server's clock is right$/);
    expect(await sessionCount()).toBe(0);
  });

  it('tells the sign-in page which ways in there are, and lists the routes in the API document', async () => {
    const providers = async (a: App) => (await a.http.inject({ method: 'GET', url: '/api/v1/session/providers' })).json() as unknown;
    expect(await providers(h.app)).toEqual({ password: true, oidc: null });
    expect(await providers(app)).toEqual({ password: true, oidc: { name: 'Test IdP' } });
    expect(await providers(newApp({ name: 'Okta', passwords: false }))).toEqual({ password: false, oidc: { name: 'Okta' } });

    // Without OIDC the routes are not there at all.
    expect((await h.app.http.inject({ method: 'GET', url: '/api/v1/session/oidc/start' })).statusCode).toBe(404);
    const doc = (await h.api('GET', '/api/v1/openapi.json')).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/v1/session/providers');
    const withSso = (await app.http.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: { authorization: `Bearer ${h.adminToken}` } })).json() as { paths: Record<string, { get: { security: unknown[] } }> };
    expect(withSso.paths['/api/v1/session/oidc/start']?.get.security).toEqual([]);
    expect(withSso.paths['/api/v1/session/oidc/callback']?.get.security).toEqual([]);
  });

  it('refuses passwords when they are turned off, pointing at single sign-on', async () => {
    expect((await h.api('PUT', '/api/v1/users/alice/password', { password: 'correct horse battery staple' })).status).toBe(204);
    const ssoOnly = newApp({ name: 'Okta', passwords: false });
    const r = await ssoOnly.http.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'alice@example.com', password: 'correct horse battery staple' } });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ error: { code: 'forbidden', message: 'password sign-in is turned off on this server; sign in with Okta on the sign-in page (http://watchkeeper.test/login)' } });
    expect(await sessionCount()).toBe(0);
    // Single sign-on still works there.
    const b = browserFor(ssoOnly);
    expect((await b.get((await toCallback(b)).callback)).location).toBe(`${APP_ORIGIN}/alerts/1`);
  });

  it('checks the provider at start: a wrong issuer fails naming the variable; one not answering is a warning', async () => {
    await expect(new OidcSignIn(app.ctx, options()).check()).resolves.toBeNull();
    await expect(new OidcSignIn(app.ctx, options({ issuer: `${idp.issuer}/not-the-issuer` })).check()).rejects.toThrow(
      new RegExp(`^WATCHKEEPER_OIDC_ISSUER: discovery at ${idp.issuer}/not-the-issuer failed: .*HTTP 404.*; check the issuer URL`),
    );
    const warning = await new OidcSignIn(app.ctx, options({ issuer: 'http://127.0.0.1:9' })).check();
    expect(warning).toMatch(/^WATCHKEEPER_OIDC_ISSUER: http:\/\/127\.0\.0\.1:9 did not answer \(.*\); single sign-on will try again when someone signs in$/);

    // Signing in while the provider does not answer sends the person back with words, not a 500.
    const down = newApp({ issuer: 'http://127.0.0.1:9' });
    const r = await down.http.inject({ method: 'GET', url: '/api/v1/session/oidc/start?next=/services' });
    expect(r.statusCode).toBe(302);
    const u = new URL(String(r.headers.location), APP_ORIGIN);
    expect(u.pathname).toBe('/login');
    expect(u.searchParams.get('error')).toBe('sso');
    const reason = /wk_login_error=([^;]*)/.exec(String(r.headers['set-cookie']))?.[1];
    expect(decodeURIComponent(reason ?? '')).toMatch(/^Test IdP did not answer \(.*\); try again in a minute, or sign in with your password$/);
    expect(u.searchParams.get('next')).toBe('/services');
  });
});

describe('OIDC settings from the environment', () => {
  const full = { WATCHKEEPER_OIDC_ISSUER: 'https://example.okta.com', WATCHKEEPER_OIDC_CLIENT_ID: 'wk', WATCHKEEPER_OIDC_CLIENT_SECRET: 'a-secret-value-hunter2' };

  it('is off when nothing is set, and on with issuer, client ID and secret', () => {
    expect(readOidcEnv({})).toEqual({ oidc: null, problems: [] });
    expect(readOidcEnv(full)).toEqual({ oidc: { issuer: 'https://example.okta.com', clientId: 'wk', clientSecret: 'a-secret-value-hunter2', name: 'single sign-on', passwords: true }, problems: [] });
    expect(readOidcEnv({ ...full, WATCHKEEPER_OIDC_NAME: 'Okta', WATCHKEEPER_OIDC_PASSWORDS: 'off' }).oidc).toMatchObject({ name: 'Okta', passwords: false });
  });

  it('names every variable that is wrong, without echoing the secret', () => {
    expect(readOidcEnv({ WATCHKEEPER_OIDC_CLIENT_ID: 'wk', WATCHKEEPER_OIDC_PASSWORDS: 'maybe' }).problems).toEqual([
      { field: 'WATCHKEEPER_OIDC_ISSUER', message: "is required when WATCHKEEPER_OIDC_CLIENT_ID, WATCHKEEPER_OIDC_PASSWORDS are set: the URL of your identity provider's issuer, e.g. https://example.okta.com" },
      { field: 'WATCHKEEPER_OIDC_PASSWORDS', message: 'must be "on" or "off" (got "maybe")' },
    ]);
    const { oidc, problems } = readOidcEnv({ WATCHKEEPER_OIDC_ISSUER: 'http://idp.example.com', WATCHKEEPER_OIDC_CLIENT_SECRET: 'hunter2', WATCHKEEPER_OIDC_PASSWORDS: 'no' });
    expect(oidc).toBeNull();
    expect(problems.map((p) => p.field)).toEqual(['WATCHKEEPER_OIDC_ISSUER', 'WATCHKEEPER_OIDC_CLIENT_ID', 'WATCHKEEPER_OIDC_PASSWORDS']);
    expect(problems[0]!.message).toBe('must be the https:// URL of your identity provider\'s issuer, e.g. https://example.okta.com (http:// only on localhost) (got "http://idp.example.com")');
    expect(problems[2]!.message).toBe('must be "on" or "off" (got "no")');
    expect(JSON.stringify(problems)).not.toContain('hunter2');
    expect(readOidcEnv({ ...full, WATCHKEEPER_OIDC_CLIENT_SECRET: '' }).problems).toEqual([
      { field: 'WATCHKEEPER_OIDC_CLIENT_SECRET', message: 'is required with WATCHKEEPER_OIDC_ISSUER: the client secret your identity provider gave Watchkeeper' },
    ]);
    expect(readOidcEnv({ ...full, WATCHKEEPER_OIDC_ISSUER: 'http://localhost:9000/realms/x' }).problems).toEqual([]);
  });
});
