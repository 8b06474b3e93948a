import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { PLATFORM_YAML } from '../helpers/platform-org.js';
import { storeKinds } from '../helpers/stores.js';

/** GET /api/v1/me (what `watchkeeper login` checks) and the alert list's `silenced` filter. */
describe.each(storeKinds)('GET /api/v1/me and GET /api/v1/alerts?silenced ($name)', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('names the token, its role and its person, and a web session without a token', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const admin = await h.api('GET', '/api/v1/me');
    expect(admin.status).toBe(200);
    expect(admin.body).toEqual({ token: { id: expect.any(String), name: 'test admin' }, role: 'admin', user: null, public_url: h.app.ctx.publicUrl });

    const alice = await createToken(h.app.ctx, systemTestActor, { name: 'alice laptop', role: 'responder', user: 'alice' });
    expect((await h.api('GET', '/api/v1/me', undefined, alice.token)).body).toMatchObject({ token: { name: 'alice laptop' }, role: 'responder', user: 'alice' });

    expect((await h.api('PUT', '/api/v1/users/alice/password', { password: 'correct horse battery staple' })).status).toBe(204);
    const signIn = await h.app.http.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'alice@example.com', password: 'correct horse battery staple' } });
    const cookie = signIn.cookies.find((c) => c.name === 'wk_session')?.value ?? '';
    const session = await h.app.http.inject({ method: 'GET', url: '/api/v1/me', cookies: { wk_session: cookie } });
    expect(session.json()).toMatchObject({ token: null, user: 'alice' });

    const revoked = await h.api('GET', '/api/v1/me', undefined, 'wk_not-a-token');
    expect(revoked.status).toBe(401);
  });

  it('lists only silenced alerts with silenced=true, only the others with false, and names the field otherwise', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const open = async (severity: string) => ((await h.api('POST', '/api/v1/alerts', { service: 'Platform API', summary: `${severity} thing`, severity })).body as { alert: { id: number } }).alert.id;
    const loud = await open('critical');
    const quiet = await open('medium');
    expect((await h.api('POST', '/api/v1/silences', { matchers: ['severity=medium'], duration: '1h', comment: 'noisy' })).status).toBe(201);
    const ids = async (q: string) => ((await h.api('GET', `/api/v1/alerts?${q}`)).body as { alerts: { id: number }[] }).alerts.map((a) => a.id);
    expect(await ids('silenced=true')).toEqual([quiet]);
    expect(await ids('silenced=false')).toEqual([loud]);
    expect(await ids('')).toEqual([quiet, loud]);
    const bad = await h.api('GET', '/api/v1/alerts?silenced=yes');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid', field: 'silenced' });
  });
});
