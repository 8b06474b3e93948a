import type { ChangeEvent, Ctx } from '../commands/context.js';
import { eventRow } from '../commands/timeline.js';
import { insertAlertEvents } from '../store/alert.repo.js';
import type { PageRow } from '../store/page.repo.js';
import { fallOver } from './fallover.js';

const SYSTEM = { kind: 'system' as const, id: null, name: 'Watchkeeper', surface: 'engine' as const };

/**
 * What a provider tells us after it took a message: it reached the person (an SMS delivery
 * receipt, a call answered) or it did not (carrier rejected, number unreachable). Found by the
 * provider's message id stored when the message was sent.
 */
export interface Receipt {
  channel: string;
  providerId: string;
  status: 'delivered' | 'failed';
  /** The provider's words for a failure, e.g. "30003 unreachable destination handset". */
  error?: string;
}

export type ReceiptTarget = { kind: 'page'; id: number; alertId: number } | { kind: 'notice'; id: number } | null;

/**
 * Records a receipt on the page (and its alert's timeline) or notice it belongs to. A receipt for
 * a message we do not know, or a repeat of one already recorded, changes nothing. A bundled message
 * carried several pages under one provider id: the receipt applies to each of them. A page the
 * provider could not deliver falls over to the person's next method, in the same transaction
 * (see fallover.ts).
 */
export async function recordReceipt(ctx: Ctx, r: Receipt): Promise<ReceiptTarget> {
  const now = ctx.clock.now();
  const org = await ctx.org.get(ctx.store.db);
  let changes: ChangeEvent[] = [];
  let queued = 0;
  const target = await ctx.store.tx(async (trx): Promise<ReceiptTarget> => {
    // A PostgreSQL retry after a deadlock runs this again from the start.
    changes = [];
    queued = 0;
    const pages = await trx.selectFrom('pages').selectAll().where('provider_id', '=', r.providerId).where('channel', '=', r.channel).orderBy('id').execute();
    const first = pages[0];
    if (first) {
      const error = r.error ?? 'provider reported failure';
      // Only a page still in 'sent' changes: a receipt repeated, or one arriving after a later
      // state was recorded, is a no-op. The status condition keeps two receipts racing in two
      // processes from both acting.
      const changed = await trx
        .updateTable('pages')
        .set(r.status === 'delivered' ? { status: 'delivered', delivered_at: now } : { status: 'failed', last_error: error })
        .where('id', 'in', pages.map((p) => p.id))
        .where('status', '=', 'sent')
        .returning('id')
        .execute();
      const ids = new Set(changed.map((c) => c.id));
      const hit = pages.filter((p) => ids.has(p.id));
      const who = (p: PageRow) => `${org.users.get(p.user_id)?.name ?? p.user_id} via ${r.channel} (${p.destination})`;
      await insertAlertEvents(
        trx,
        hit.map((p) =>
          r.status === 'delivered'
            ? eventRow(p.alert_id, now, SYSTEM, 'page_delivered', `page delivered to ${who(p)}`, { page_id: p.id })
            : eventRow(p.alert_id, now, SYSTEM, 'page_failed', `page to ${who(p)} not delivered: ${error}`, { page_id: p.id }),
        ),
      );
      if (r.status === 'failed' && hit.length) {
        const fell = await fallOver(trx, ctx.store.dialect, org, now, hit.map((page) => ({ page, error })));
        changes.push(...fell.changes);
        queued += fell.pages;
      }
      for (const p of hit) changes.push({ type: 'page.updated', alertId: p.alert_id, at: now });
      return { kind: 'page', id: first.id, alertId: first.alert_id };
    }
    const notice = await trx.selectFrom('notices').select(['id', 'status']).where('provider_id', '=', r.providerId).where('channel', '=', r.channel).executeTakeFirst();
    if (!notice) return null;
    if (notice.status === 'sent') {
      await trx
        .updateTable('notices')
        .set(r.status === 'delivered' ? { status: 'delivered' } : { status: 'failed', last_error: r.error ?? 'provider reported failure' })
        .where('id', '=', notice.id)
        .execute();
    }
    return { kind: 'notice', id: notice.id };
  });
  if (changes.length) ctx.bus.publish(changes);
  if (queued > 0) ctx.wake();
  return target;
}
