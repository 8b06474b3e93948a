import { emptyEvent } from '../domain/alert/types.js';
import { formatDuration } from '../domain/silence/policy.js';
import type { Conn } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { IntegrationKeysTable } from '../store/schema.js';
import type { Actor, Ctx } from './context.js';
import type { IngestResult, Ingestor } from './ingest.js';

/**
 * Heartbeats: a cron job or synthetic check pings its integration's URL every `interval`. When no
 * ping came for interval + grace, an alert opens on the service ("Heartbeat … missed"); the next
 * ping resolves it. A heartbeat is armed by its first ping, so setting one up pages nobody.
 */

export interface HeartbeatConfig {
  intervalMs: number;
  graceMs: number;
}

export function heartbeatOf(i: Pick<IntegrationKeysTable, 'heartbeat'>): HeartbeatConfig | null {
  if (!i.heartbeat) return null;
  const h = JSON.parse(i.heartbeat) as { interval_ms: number; grace_ms: number };
  return { intervalMs: h.interval_ms, graceMs: h.grace_ms };
}

const dedupKeyOf = (integrationId: string) => `heartbeat:${integrationId}`;
const actorOf = (i: IntegrationKeysTable): Actor => ({ kind: 'integration', id: i.id, name: i.name, surface: 'heartbeat' });

/** A ping: remember it, and resolve the missed-heartbeat alert if one is open. */
export async function ping(ctx: Ctx, ingestor: Ingestor, i: IntegrationKeysTable): Promise<{ nextDueAt: number; recovered: boolean }> {
  const cfg = heartbeatOf(i);
  if (!cfg) throw new Error(`integration ${i.id} is not a heartbeat`);
  const now = ctx.clock.now();
  const prev = await ctx.store.db.selectFrom('heartbeat_state').selectAll().where('integration_id', '=', i.id).executeTakeFirst();
  await ctx.store.db
    .insertInto('heartbeat_state')
    .values({ integration_id: i.id, last_ping_at: now, missed_at: null })
    .onConflict((oc) => oc.column('integration_id').doUpdateSet({ last_ping_at: now, missed_at: null }))
    .execute();
  const recovered = prev?.missed_at !== null && prev?.missed_at !== undefined;
  if (recovered) {
    // Resolving with no open alert is accepted and changes nothing, so a repeat is harmless.
    await ingestor.submit({ serviceId: i.service_id, integration: i, event: { ...emptyEvent('resolve', dedupKeyOf(i.id)) }, actor: actorOf(i) });
  }
  return { nextDueAt: now + cfg.intervalMs + cfg.graceMs, recovered };
}

/**
 * Opens an alert for every armed heartbeat whose ping is overdue. The alert is submitted before
 * the heartbeat is marked missed: a crash in between submits it again next time, which the open
 * alert's dedup key turns into a repeat, never a second alert.
 */
export async function checkHeartbeats(ctx: Ctx, ingestor: Ingestor): Promise<number> {
  const now = ctx.clock.now();
  const rows = await ctx.store.db
    .selectFrom('heartbeat_state')
    .innerJoin('integration_keys', 'integration_keys.id', 'heartbeat_state.integration_id')
    .select(['heartbeat_state.integration_id', 'heartbeat_state.last_ping_at', 'integration_keys.heartbeat'])
    .where('heartbeat_state.missed_at', 'is', null)
    .where('integration_keys.kind', '=', 'heartbeat')
    .execute();
  const due = rows.filter((r) => {
    const cfg = heartbeatOf(r);
    return cfg !== null && r.last_ping_at + cfg.intervalMs + cfg.graceMs <= now;
  });
  if (due.length === 0) return 0;
  const org = await ctx.org.get(ctx.store.db);
  let opened = 0;
  for (const r of due) {
    const i = [...org.integrationsByHash.values()].find((x) => x.id === r.integration_id);
    const cfg = heartbeatOf(r);
    if (!i || !cfg) continue;
    const service = org.services.get(i.service_id);
    const summary = `Heartbeat ${service?.name ?? i.service_id}/${i.name} missed: no ping since ${new Date(r.last_ping_at).toISOString().replace(/\.\d{3}Z$/, 'Z')} (expected every ${formatDuration(cfg.intervalMs)}, ${formatDuration(cfg.graceMs)} grace)`;
    const result: IngestResult = await ingestor.submit({
      serviceId: i.service_id,
      integration: i,
      event: {
        ...emptyEvent('trigger', dedupKeyOf(i.id)),
        summary,
        source: 'watchkeeper heartbeat',
        class: 'heartbeat',
        component: i.name,
        details: { heartbeat: i.name, last_ping_at: new Date(r.last_ping_at).toISOString(), interval: formatDuration(cfg.intervalMs), grace: formatDuration(cfg.graceMs) },
        labels: { alertname: 'HeartbeatMissed', heartbeat: i.name },
      },
      actor: actorOf(i),
    });
    const marked = await ctx.store.db.updateTable('heartbeat_state').set({ missed_at: now }).where('integration_id', '=', i.id).where('missed_at', 'is', null).where('last_ping_at', '=', r.last_ping_at).executeTakeFirst();
    if (Number(marked.numUpdatedRows) > 0 && result.outcome === 'created') opened++;
  }
  return opened;
}

export interface HeartbeatView {
  service: string;
  name: string;
  interval: string;
  grace: string;
  /** inactive: never pinged; healthy: pinged in time; missed: overdue, alert open. */
  state: 'inactive' | 'healthy' | 'missed';
  last_ping_at: string | null;
  due_at: string | null;
}

export async function listHeartbeats(conn: Conn, org: OrgSnapshot, now: number): Promise<HeartbeatView[]> {
  const states = new Map((await conn.selectFrom('heartbeat_state').selectAll().execute()).map((s) => [s.integration_id, s]));
  const out: HeartbeatView[] = [];
  for (const i of org.integrationsByHash.values()) {
    const cfg = heartbeatOf(i);
    if (i.kind !== 'heartbeat' || !cfg) continue;
    const st = states.get(i.id);
    const due = st ? st.last_ping_at + cfg.intervalMs + cfg.graceMs : null;
    out.push({
      service: org.services.get(i.service_id)?.name ?? i.service_id,
      name: i.name,
      interval: formatDuration(cfg.intervalMs),
      grace: formatDuration(cfg.graceMs),
      state: !st ? 'inactive' : st.missed_at !== null || (due !== null && due <= now) ? 'missed' : 'healthy',
      last_ping_at: st ? new Date(st.last_ping_at).toISOString() : null,
      due_at: due === null ? null : new Date(due).toISOString(),
    });
  }
  return out.sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name));
}
