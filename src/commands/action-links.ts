import { AppError } from '../domain/errors.js';
import { getAlertForUpdate } from '../store/alert.repo.js';
import { sha256Hex } from '../store/ids.js';
import { acknowledge, resolve } from './alert-transitions.js';
import { cascadeToMembers, mergeResults } from './grouping.js';
import type { Ctx } from './context.js';

export interface ActionLinkInfo {
  action: string;
  alertId: number;
  summary: string;
  status: string;
  userName: string;
  usedAt: number | null;
  expired: boolean;
}

/** What a one-time link from a page would do, without doing it (the confirmation page). */
export async function describeActionLink(ctx: Ctx, token: string): Promise<ActionLinkInfo> {
  const row = await ctx.store.db
    .selectFrom('action_tokens')
    .innerJoin('alerts', 'alerts.id', 'action_tokens.alert_id')
    .leftJoin('users', 'users.id', 'action_tokens.user_id')
    .select(['action_tokens.action', 'action_tokens.alert_id', 'action_tokens.used_at', 'action_tokens.expires_at', 'alerts.summary', 'alerts.status', 'users.name as user_name'])
    .where('token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row) throw AppError.notFound('this link');
  return {
    action: row.action,
    alertId: row.alert_id,
    summary: row.summary,
    status: row.status,
    userName: row.user_name ?? 'unknown user',
    usedAt: row.used_at,
    expired: row.expires_at < ctx.clock.now(),
  };
}

/**
 * Performs a one-time link: the token is marked used in the same transaction as the action, so a
 * second click (or a mail scanner that follows links) can never act twice.
 */
export async function useActionLink(ctx: Ctx, token: string): Promise<{ alertId: number; action: string; changed: boolean }> {
  const now = ctx.clock.now();
  const result = await ctx.store.tx(async (trx) => {
    const claimed = await trx
      .updateTable('action_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', sha256Hex(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>=', now)
      .returning(['alert_id', 'user_id', 'action'])
      .executeTakeFirst();
    if (!claimed) {
      const row = await trx.selectFrom('action_tokens').select(['used_at', 'expires_at']).where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
      if (!row) throw AppError.notFound('this link');
      if (row.used_at !== null) throw new AppError('conflict', 'this link was already used; open the alert to see its state');
      throw new AppError('conflict', 'this link has expired; open the alert instead');
    }
    // A link from a page to a channel (a Teams channel) acts as that channel: whoever clicked is
    // not known, only where the link was posted.
    const channelId = claimed.user_id.startsWith('channel:') ? claimed.user_id.slice('channel:'.length) : null;
    const channel = channelId ? await trx.selectFrom('notify_channels').select(['id', 'name', 'kind']).where('id', '=', channelId).executeTakeFirst() : null;
    const user = channelId ? null : await trx.selectFrom('users').select(['id', 'name']).where('id', '=', claimed.user_id).executeTakeFirst();
    const actor = channelId
      ? { kind: 'integration' as const, id: channelId, name: `#${channel?.name ?? channelId}`, surface: channel?.kind === 'teams' ? ('teams' as const) : ('webhook' as const) }
      : { kind: 'user' as const, id: claimed.user_id, name: user?.name ?? claimed.user_id, surface: 'email' as const };
    const alert = await getAlertForUpdate(trx, ctx.store.dialect, claimed.alert_id);
    if (!alert) throw AppError.notFound(`alert #${claimed.alert_id}`);
    // A group's leader takes its open members along, as in the API (grouping.ts); members go first on resolve.
    const members = claimed.action === 'resolve' ? await cascadeToMembers(trx, ctx.store.dialect, alert, 'resolve', actor, now) : null;
    const one = claimed.action === 'acknowledge' ? await acknowledge(trx, alert, actor, now) : await resolve(trx, alert, actor, now);
    const r = mergeResults(one, members ?? (await cascadeToMembers(trx, ctx.store.dialect, alert, 'acknowledge', actor, now)));
    return { alertId: alert.id, action: claimed.action, changed: r.changed, changes: r.changes };
  });
  ctx.bus.publish(result.changes);
  return { alertId: result.alertId, action: result.action, changed: result.changed };
}
