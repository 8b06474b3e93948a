import { sql } from 'kysely';
import type { App } from '../../app.js';
import type { ChangeEvent } from '../../commands/context.js';
import type { ApiRouter } from '../router.js';

export const VERSION = '0.1.0';

export function opsRoutes(app: App, router: ApiRouter): void {
  const { ctx, http } = app;

  http.get('/healthz', async () => ({ status: 'ok' }));

  http.get('/readyz', async (_req, reply) => {
    try {
      await sql`select 1`.execute(ctx.store.db);
      return { status: 'ready', database: ctx.store.dialect };
    } catch (err) {
      ctx.log.warn({ err }, 'readiness check failed');
      return reply.status(503).send({ status: 'unavailable', message: 'database is not reachable' });
    }
  });

  http.get('/metrics', async (_req, reply) => {
    reply.type(ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });

  // Every /api/v1 route needs a token, the description of the API included.
  router.add({
    method: 'GET',
    url: '/api/v1/openapi.json',
    summary: 'This document',
    tag: 'api',
    role: 'viewer',
    handler: async () => router.openapi(VERSION),
  });

  // Server-sent events: alert changes as they commit in this process. Each event names the alert;
  // clients fetch what they show. A comment line every 15 s keeps proxies from closing the stream.
  router.add({
    method: 'GET',
    url: '/api/v1/stream',
    summary: 'Server-sent events: alert.created, alert.updated, page.updated, config.changed, incident.updated',
    tag: 'api',
    role: 'viewer',
    handler: async (req, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.write(': connected\n\n');
      let seq = 0;
      const onChange = (e: ChangeEvent) => {
        seq++;
        res.write(`id: ${seq}\nevent: ${e.type}\ndata: ${JSON.stringify({ alert_id: e.alertId ?? null, status: e.status ?? null, at: new Date(e.at).toISOString() })}\n\n`);
      };
      ctx.bus.on('change', onChange);
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      keepAlive.unref();
      const close = () => {
        clearInterval(keepAlive);
        ctx.bus.off('change', onChange);
      };
      req.raw.on('close', close);
      res.on('close', close);
    },
  });
}
