import type { App } from '../../app.js';
import { heartbeatOf, listHeartbeats, ping } from '../../commands/heartbeats.js';
import { AppError } from '../../domain/errors.js';
import { sha256Hex } from '../../store/ids.js';
import { HOT_PATH_ORG_AGE_MS } from '../../store/org.repo.js';
import type { ApiRouter } from '../router.js';

/**
 * Heartbeat pings: `curl -fsS https://watchkeeper.example.com/integrations/heartbeat/<key>` (GET or
 * POST, no body needed) at the end of a cron job. The key authenticates; nothing else is read.
 */
export function heartbeatRoutes(app: App, r: ApiRouter): void {
  const { ctx, http } = app;
  const handler = async (req: { params: unknown }) => {
    const { key } = req.params as { key: string };
    if (!/^[A-Za-z0-9]{32}$/.test(key)) throw new AppError('unauthorized', 'the heartbeat key in the URL must be 32 letters or digits; copy the URL from the service page');
    const org = await ctx.org.recent(ctx.store.db, HOT_PATH_ORG_AGE_MS);
    const i = org.integrationsByHash.get(sha256Hex(key));
    if (!i || i.kind !== 'heartbeat' || !heartbeatOf(i)) throw new AppError('unauthorized', 'unknown heartbeat key; copy the URL from the service page');
    const r = await ping(ctx, app.ingestor, i);
    return { status: 'ok', heartbeat: i.name, next_ping_due_by: new Date(r.nextDueAt).toISOString(), recovered: r.recovered };
  };
  http.get('/integrations/heartbeat/:key', handler);
  http.post('/integrations/heartbeat/:key', handler);

  r.add({
    method: 'GET',
    url: '/api/v1/heartbeats',
    summary: 'Heartbeat integrations and their state: inactive (never pinged), healthy, or missed',
    tag: 'services',
    role: 'viewer',
    handler: async () => ({ heartbeats: await listHeartbeats(ctx.store.db, await ctx.org.get(ctx.store.db), ctx.clock.now()) }),
  });
}
