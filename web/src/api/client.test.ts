import { describe, expect, it, vi } from 'vitest';
import { ApiError, createApiClient, safeNext } from './client';

function fakeFetch(status: number, body: unknown) {
  return vi.fn(async (_url: string | URL | Request, _init?: RequestInit) =>
    new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }),
  );
}

const headersOf = (f: ReturnType<typeof fakeFetch>, call = 0) => (f.mock.calls[call]?.[1]?.headers ?? {}) as Record<string, string>;

describe('api client', () => {
  it('sends the CSRF token on POST, PUT and DELETE but not on GET', async () => {
    const f = fakeFetch(200, { ok: true });
    const c = createApiClient({ fetch: f });
    c.setCsrfToken('tok-123');
    await c.get('/alerts');
    await c.post('/alerts/1/acknowledge');
    await c.put('/users/alice/password', { password: 'x' });
    await c.del('/session');
    expect(headersOf(f, 0)['X-CSRF-Token']).toBeUndefined();
    expect(headersOf(f, 1)['X-CSRF-Token']).toBe('tok-123');
    expect(headersOf(f, 2)['X-CSRF-Token']).toBe('tok-123');
    expect(headersOf(f, 3)['X-CSRF-Token']).toBe('tok-123');
    expect(f.mock.calls[1]?.[0]).toBe('/api/v1/alerts/1/acknowledge');
    expect(f.mock.calls[2]?.[1]?.body).toBe('{"password":"x"}');
  });

  it('builds query strings and drops empty values', async () => {
    const f = fakeFetch(200, {});
    const c = createApiClient({ fetch: f });
    await c.get('/alerts', { status: 'triggered,acknowledged', service: undefined, before: 42, severity: '' });
    expect(f.mock.calls[0]?.[0]).toBe('/api/v1/alerts?status=triggered%2Cacknowledged&before=42');
  });

  it('reports a 401 from an API route so the app can send the user to sign in', async () => {
    const f = fakeFetch(401, { error: { code: 'unauthorized', message: 'session expired' } });
    const onUnauthorized = vi.fn();
    const c = createApiClient({ fetch: f, onUnauthorized });
    await expect(c.get('/alerts')).rejects.toMatchObject({ status: 401, code: 'unauthorized', message: 'session expired' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('does not redirect on a 401 from the session route itself (wrong password)', async () => {
    const f = fakeFetch(401, { error: { code: 'unauthorized', message: 'wrong email or password' } });
    const onUnauthorized = vi.fn();
    const c = createApiClient({ fetch: f, onUnauthorized });
    const err = await c.post('/session', { email: 'a@b.c', password: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('wrong email or password');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('carries the field and problems of a validation error', async () => {
    const f = fakeFetch(400, { error: { code: 'invalid', message: 'must be 1 to 100 characters', field: 'name', problems: [{ field: 'name', message: 'must be 1 to 100 characters' }] } });
    const c = createApiClient({ fetch: f });
    await expect(c.post('/tokens', { name: '' })).rejects.toMatchObject({ status: 400, code: 'invalid', field: 'name' });
  });

  it('returns undefined for 204 and turns a network failure into a readable error', async () => {
    const c = createApiClient({ fetch: fakeFetch(204, null) });
    await expect(c.del('/session')).resolves.toBeUndefined();
    const down = createApiClient({ fetch: vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))) });
    await expect(down.get('/alerts')).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('only accepts same-site paths as the place to go after sign-in', () => {
    expect(safeNext('/alerts/42?x=1')).toBe('/alerts/42?x=1');
    expect(safeNext('//evil.example/')).toBe('/');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext(null)).toBe('/');
    expect(safeNext('/login?next=/x')).toBe('/');
  });
});
