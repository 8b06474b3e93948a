import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWeb } from '../../src/http/web.js';

/** How the server hands out the single-page UI next to its own paths. */
describe('web UI serving', () => {
  let root: string;
  let http: FastifyInstance;
  const html = { accept: 'text/html,application/xhtml+xml' };

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-web-'));
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'index.html'), '<!DOCTYPE html><title>UI</title><script type="module" src="/assets/app-1a2b.js"></script>');
    fs.writeFileSync(path.join(root, 'assets', 'app-1a2b.js'), 'console.log("app")');
    fs.writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    http = Fastify();
    registerWeb(http, root);
    http.get('/api/v1/thing', async () => ({ ok: true }));
    http.post('/v2/enqueue', async () => ({ ok: true }));
    await http.ready();
  });
  afterAll(async () => {
    await http.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / and for client-side routes, with headers that keep it unframed', async () => {
    for (const url of ['/', '/alerts/42', '/alerts?status=triggered', '/profile']) {
      const res = await http.inject({ method: 'GET', url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<title>UI</title>');
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable files', async () => {
    const res = await http.inject({ method: 'GET', url: '/assets/app-1a2b.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('console.log("app")');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await http.inject({ method: 'GET', url: '/favicon.svg' })).statusCode).toBe(200);
  });

  it('never answers the server’s own paths with the UI', async () => {
    for (const url of ['/api/v1/nope', '/v2/enqueue', '/integrations/alertmanager/x', '/a/token', '/metrics']) {
      const res = await http.inject({ method: 'GET', url, headers: html });
      expect(res.body, url).not.toContain('<title>UI</title>');
    }
    expect((await http.inject({ method: 'GET', url: '/api/v1/thing', headers: html })).json()).toEqual({ ok: true });
    // A script or fetch asking for JSON at an unknown path gets a 404, not a page.
    const res = await http.inject({ method: 'GET', url: '/assets/missing.js', headers: { accept: '*/*' } });
    expect(res.statusCode).toBe(404);
  });

  it('explains what to do when the UI is not built', async () => {
    const bare = Fastify();
    registerWeb(bare, path.join(root, 'not-built'));
    const res = await bare.inject({ method: 'GET', url: '/', headers: html });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('The web UI is not built. Run <code>npm run build:web</code>');
    await bare.close();
  });
});
