import type { Ctx } from '../commands/context.js';
import { eventRow } from '../commands/timeline.js';
import { insertAlertEvents } from '../store/alert.repo.js';

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
 * a message we do not know, or a repeat of one already recorded, changes nothing.
 */
export async function recordReceipt(ctx: Ctx, r: Receipt): Promise<ReceiptTarget> {
  const now = ctx.clock.now();
  const system = { kind: 'system' as const, id: null, name: 'Watchkeeper', surface: 'engine' as const };
  const target = await ctx.store.tx(async (trx): Promise<ReceiptTarget> => {
    const page = await trx.selectFrom('pages').select(['id', 'alert_id', 'status', 'destination', 'user_id']).where('provider_id', '=', r.providerId).where('channel', '=', r.channel).executeTakeFirst();
    if (page) {
      if (page.status !== 'sent') return { kind: 'page', id: page.id, alertId: page.alert_id };
      const user = await trx.selectFrom('users').select('name').where('id', '=', page.user_id).executeTakeFirst();
      const who = `${user?.name ?? page.user_id} via ${r.channel} (${page.destination})`;
      if (r.status === 'delivered') {
        await trx.updateTable('pages').set({ status: 'delivered', delivered_at: now }).where('id', '=', page.id).execute();
        await insertAlertEvents(trx, [eventRow(page.alert_id, now, system, 'page_delivered', `page delivered to ${who}`, { page_id: page.id })]);
      } else {
        await trx.updateTable('pages').set({ status: 'failed', last_error: r.error ?? 'provider reported failure' }).where('id', '=', page.id).execute();
        await insertAlertEvents(trx, [eventRow(page.alert_id, now, system, 'page_failed', `page to ${who} not delivered: ${r.error ?? 'provider reported failure'}`, { page_id: page.id })]);
      }
      return { kind: 'page', id: page.id, alertId: page.alert_id };
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
  if (target?.kind === 'page') ctx.bus.publish([{ type: 'page.updated', alertId: target.alertId, at: now }]);
  return target;
}
