import { AppError } from '../domain/errors.js';
import type { EscalationPolicySpec } from '../domain/escalation/policy.js';
import { getAlertForUpdate, type AlertRow } from '../store/alert.repo.js';
import type { Tx } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { acknowledge, addNote, escalateManually, escalateTo, resolve, snooze, type TransitionResult } from './alert-transitions.js';
import type { Actor, Ctx } from './context.js';
import { cascadeToMembers, mergeResults } from './grouping.js';

/**
 * What a person can do to an alert: one function per intent. Each owns its transaction, locks the
 * alert row, and publishes the change after commit.
 */
async function withAlert(
  ctx: Ctx,
  id: number,
  fn: (trx: Tx, alert: AlertRow, org: OrgSnapshot, now: number) => Promise<TransitionResult>,
): Promise<TransitionResult> {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  const result = await ctx.store.tx(async (trx) => {
    const alert = await getAlertForUpdate(trx, ctx.store.dialect, id);
    if (!alert) throw AppError.notFound(`alert #${id}`);
    return fn(trx, alert, org, now);
  });
  ctx.bus.publish(result.changes);
  if (result.pages > 0) ctx.wake();
  return result;
}

export const ackAlert = (ctx: Ctx, id: number, actor: Actor) =>
  withAlert(ctx, id, async (trx, alert, _org, now) => {
    if (alert.status === 'resolved') throw new AppError('conflict', `alert #${id} is already resolved`);
    // A group's leader takes its open members along (grouping.ts).
    return mergeResults(await acknowledge(trx, alert, actor, now), await cascadeToMembers(trx, ctx.store.dialect, alert, 'acknowledge', actor, now));
  });

export const resolveAlert = (ctx: Ctx, id: number, actor: Actor, note?: string) =>
  withAlert(ctx, id, async (trx, alert, _org, now) => {
    // Members first: with none open, the leader's resolve ends the group instead of passing it on.
    const members = await cascadeToMembers(trx, ctx.store.dialect, alert, 'resolve', actor, now);
    return mergeResults(await resolve(trx, alert, actor, now, note), members);
  });

export const escalateAlert = (ctx: Ctx, id: number, actor: Actor, toLevel?: number) =>
  withAlert(ctx, id, (trx, alert, org, now) => escalateManually(trx, org, alert, actor, now, toLevel));

export const snoozeAlert = (ctx: Ctx, id: number, actor: Actor, minutes: number) => {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 7 * 24 * 60) {
    throw AppError.invalid('minutes', 'must be a whole number of minutes between 1 and 10080 (7 days)');
  }
  return withAlert(ctx, id, (trx, alert, _org, now) => snooze(trx, alert, actor, now, minutes));
};

export const noteAlert = (ctx: Ctx, id: number, actor: Actor, text: string) => {
  const trimmed = text.trim();
  if (!trimmed) throw AppError.invalid('text', 'must not be empty');
  if (trimmed.length > 10_000) throw AppError.invalid('text', 'must be at most 10000 characters');
  return withAlert(ctx, id, (trx, alert, _org, now) => addNote(trx, alert, actor, now, trimmed));
};

/**
 * Hands the alert to a user or to another escalation policy. The alert's policy snapshot is
 * replaced: for a user, by a one-level policy holding just that user; for a policy, by that
 * policy's current spec, starting at its first level. Either way the new assignee is paged now.
 */
export const reassignAlert = (ctx: Ctx, id: number, actor: Actor, to: { user?: string; policy?: string }) =>
  withAlert(ctx, id, async (trx, alert, org, now) => {
    if (alert.status === 'resolved') throw new AppError('conflict', `alert #${id} is resolved; trigger a new one instead`);
    if ((to.user ? 1 : 0) + (to.policy ? 1 : 0) !== 1) throw AppError.invalid('user', 'give exactly one of user or escalation_policy');
    let spec: EscalationPolicySpec;
    let policyId: string | null = null;
    let label: string;
    if (to.user) {
      const user = org.usersByName.get(to.user) ?? org.users.get(to.user);
      if (!user) throw AppError.invalid('user', `no user named "${to.user}"`);
      spec = { levels: [{ targets: [{ kind: 'user', id: user.id }], delayMinutes: 0 }], repeat: 0, noAutoEscalate: [] };
      label = user.name;
    } else {
      const policy = [...org.policies.values()].find((p) => p.name === to.policy || p.id === to.policy);
      if (!policy) throw AppError.invalid('escalation_policy', `no policy named "${to.policy}"`);
      spec = policy.spec;
      policyId = policy.id;
      label = `policy ${policy.name}`;
    }
    return escalateTo(trx, org, alert, spec, 0, 0, actor, now, `reassigned to ${label} by ${actor.name}`, {
      policy_snapshot: JSON.stringify(spec),
      escalation_policy_id: policyId,
    });
  });
