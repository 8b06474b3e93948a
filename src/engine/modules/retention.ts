import type { Ctx } from '../../commands/context.js';

/**
 * Keeps the record bounded (invariant 8): resolved alerts older than the retention period go, with
 * their timelines, pages and delivery attempts (foreign keys cascade); used-up replay signatures
 * and expired action links go sooner. Deletes run in small batches so the hot path never waits
 * long behind them, at most once a minute per process.
 */
const BATCH = 500;
const REPLAY_WINDOW_MS = 15 * 60_000; // signatures older than the 5-minute timestamp window can never replay
const LINK_GRACE_MS = 24 * 3_600_000;

export function retentionModule(ctx: Ctx, retentionDays: number) {
  let lastRun = -Infinity;
  return {
    name: 'retention',
    run: async (): Promise<boolean> => {
      const now = ctx.clock.now();
      if (now - lastRun < 60_000) return false;
      const { db } = ctx.store;
      const cutoff = now - retentionDays * 86_400_000;
      const old = await db.selectFrom('alerts').select('id').where('resolved_at', '<', cutoff).orderBy('resolved_at').limit(BATCH).execute();
      if (old.length) await db.deleteFrom('alerts').where('id', 'in', old.map((o) => o.id)).execute();
      // Alert groups (018-grouping) go once they ended before the cutoff: their alerts are gone too.
      await db.deleteFrom('alert_groups').where('ended_at', '<', cutoff).execute();
      // Maintenance windows made through the API (019-maintenance) go once over before the cutoff; the file's stay.
      await db.deleteFrom('maintenance_windows').where('managed_by', '=', 'api').where('final_end_at', '<', cutoff).execute();
      await db.deleteFrom('webhook_replays').where('seen_at', '<', now - REPLAY_WINDOW_MS).execute();
      await db.deleteFrom('action_tokens').where('expires_at', '<', now - LINK_GRACE_MS).execute();
      await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
      // The status page's outbox once done, subscribers gone before the cutoff, and subscriptions never confirmed within a week (025-status-page).
      await db.deleteFrom('status_page_deliveries').where('status', 'in', ['sent', 'failed', 'cancelled']).where('created_at', '<', cutoff).execute();
      await db.deleteFrom('status_page_subscribers').where((eb) => eb.or([eb('unsubscribed_at', '<', cutoff), eb.and([eb('confirmed_at', 'is', null), eb('created_at', '<', now - 7 * 86_400_000)])])).execute();
      if (old.length < BATCH) lastRun = now;
      if (old.length) ctx.log.info({ component: 'engine', module: 'retention', deleted: old.length }, `pruned ${old.length} alerts resolved over ${retentionDays} days ago`);
      return old.length === BATCH;
    },
  };
}
