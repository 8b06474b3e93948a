import { firstApplicableLevel, planNextEscalation } from '../../domain/escalation/policy.js';
import { claimDueEscalations, insertAlertEvents, updateAlert, type AlertRow } from '../../store/alert.repo.js';
import type { Tx } from '../../store/db.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import { escalateTo, escalationStateOf, nextTimer, policyOf, reasonText, type TransitionResult } from '../../commands/alert-transitions.js';
import { eventRow } from '../../commands/timeline.js';
import { systemActor, type ChangeEvent, type Ctx } from '../../commands/context.js';
import { matchLabels, silenceCache, silencing, type Silence } from '../../commands/silences.js';
import { findInhibitor, inhibitedText } from '../../commands/inhibition.js';
import { holdInMaintenance } from '../../commands/maintenance.js';
import { groupLeaderOf, groupTimerDue } from '../../commands/grouping.js';
import { HOT_PATH_ORG_AGE_MS } from '../../store/org.repo.js';

const BATCH = 200;

export interface EscalationTickResult {
  escalated: number;
  pages: number;
  changes: ChangeEvent[];
  /** True when the batch was full and more rows may be due. */
  more: boolean;
}

/**
 * Claims alerts whose `next_escalation_at` has passed and moves each on: a snooze that ended
 * re-triggers the alert and re-pages its level; an escalation pages the next level. Claim, advance
 * and outbox write happen in one transaction, so an engine that dies mid-way leaves the rows due
 * and another engine (or this one after restart) does the work exactly once.
 */
export async function runEscalations(ctx: Ctx): Promise<EscalationTickResult> {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  const silences = await silenceCache(ctx).current(ctx.store.db, now, HOT_PATH_ORG_AGE_MS);
  return ctx.store.tx(async (trx) => {
    const due = await claimDueEscalations(trx, ctx.store.dialect, now, BATCH);
    let escalated = 0;
    let pages = 0;
    let maxLag = 0;
    const changes: ChangeEvent[] = [];
    for (const alert of due) {
      maxLag = Math.max(maxLag, now - (alert.next_escalation_at ?? now));
      const r =
        alert.silenced_by !== null && alert.status === 'triggered'
          ? await silenceCheck(trx, org, alert, now, silences)
          : alert.maintenance_by !== null && alert.status === 'triggered'
            ? ((await holdInMaintenance(trx, org, alert, now)) ?? (await unmute(trx, org, alert, now, { maintenance_by: null }, 'maintenance_over', 'maintenance window over')))
          : alert.inhibited_by !== null && alert.status === 'triggered'
            ? await inhibitCheck(trx, org, alert, now)
            : ((alert.group_id !== null ? await groupTimerDue(trx, org, alert, now) : null) ?? (await advance(trx, org, alert, now)));
      if (r.changed) escalated++;
      pages += r.pages;
      changes.push(...r.changes);
    }
    if (due.length) ctx.metrics.engineLag.set(maxLag / 1000);
    return { escalated, pages, changes, more: due.length === BATCH };
  });
}

async function advance(trx: Tx, org: OrgSnapshot, alert: AlertRow, now: number): Promise<TransitionResult> {
  const actor = systemActor('engine');
  if (alert.status === 'resolved') {
    await updateAlert(trx, alert.id, { next_escalation_at: null });
    return { changed: false, changes: [], pages: 0 };
  }
  const spec = policyOf(alert);
  if (alert.snoozed_until !== null && alert.snoozed_until <= now && alert.status === 'acknowledged') {
    await insertAlertEvents(trx, [eventRow(alert.id, now, actor, 'snooze_ended', 'snooze ended: alert triggered again')]);
    if (!spec) {
      const patch = { status: 'triggered', snoozed_until: null, updated_at: now };
      await updateAlert(trx, alert.id, { ...patch, next_escalation_at: null });
      return { changed: true, changes: [{ type: 'alert.updated', alertId: alert.id, status: 'triggered', at: now }], pages: 0 };
    }
    return escalateTo(trx, org, alert, spec, alert.escalation_level, alert.escalation_cycle, actor, now, 'snooze ended');
  }
  if (!spec) {
    await updateAlert(trx, alert.id, { next_escalation_at: null });
    return { changed: false, changes: [], pages: 0 };
  }
  const plan = planNextEscalation(spec, escalationStateOf(alert));
  if (!plan || plan.at > now) {
    // The timer was stale (the alert changed since it was set): re-arm it and move on.
    await updateAlert(trx, alert.id, { next_escalation_at: nextTimer(alert, {}) });
    return { changed: false, changes: [], pages: 0 };
  }
  return escalateTo(trx, org, alert, spec, plan.level, plan.cycle, actor, now, reasonText(plan.reason, plan.afterMinutes));
}

/**
 * A silenced alert's timer fell due: the silence ended, was expired or changed. If a silence still
 * holds it, wait for that one's end; otherwise it pages from its first level, as if it had just
 * opened.
 */
async function silenceCheck(trx: Tx, org: OrgSnapshot, alert: AlertRow, now: number, silences: readonly Silence[]): Promise<TransitionResult> {
  const still = silencing(silences, matchLabels(alert, org.services.get(alert.service_id)?.name), now);
  if (still) {
    if (still.id !== alert.silenced_by) {
      await insertAlertEvents(trx, [eventRow(alert.id, now, systemActor('engine'), 'silenced', `silenced until ${new Date(still.endsAt).toISOString()} by ${still.createdBy}: ${still.comment}`, { silence_id: still.id })]);
    }
    await updateAlert(trx, alert.id, { silenced_by: still.id, next_escalation_at: still.endsAt });
    return { changed: false, changes: [], pages: 0 };
  }
  return unmute(trx, org, alert, now, { silenced_by: null }, 'unsilenced', 'silence over');
}

/**
 * An inhibited alert was released (its source resolved): if another open alert inhibits it, it
 * stays muted by that one; otherwise it pages from its first level.
 */
async function inhibitCheck(trx: Tx, org: OrgSnapshot, alert: AlertRow, now: number): Promise<TransitionResult> {
  const other = await findInhibitor(trx, org, matchLabels(alert, org.services.get(alert.service_id)?.name), alert.id);
  if (other && other.id !== alert.inhibited_by) {
    await insertAlertEvents(trx, [eventRow(alert.id, now, systemActor('engine'), 'inhibited', inhibitedText(other), { inhibited_by: other.id })]);
  }
  if (other) {
    await updateAlert(trx, alert.id, { inhibited_by: other.id, next_escalation_at: null });
    return { changed: false, changes: [], pages: 0 };
  }
  return unmute(trx, org, alert, now, { inhibited_by: null }, 'uninhibited', 'the inhibiting alert resolved');
}

/**
 * Nothing mutes the alert any more (silence over, inhibiting alert resolved): it pages from its
 * first level, as if it had just opened; with no level for its severity, it only says so.
 */
async function unmute(trx: Tx, org: OrgSnapshot, alert: AlertRow, now: number, clear: Partial<AlertRow>, kind: string, why: string): Promise<TransitionResult> {
  // A silence or inhibition that ends inside a maintenance window hands the alert to the window;
  // outside one, a window the alert was in before is over too.
  if (!('maintenance_by' in clear)) {
    const held = await holdInMaintenance(trx, org, alert, now, clear);
    if (held) return held;
    if (alert.maintenance_by !== null) clear = { ...clear, maintenance_by: null };
  }
  const spec = policyOf(alert);
  const level = spec ? firstApplicableLevel(spec, alert.severity, 0) : null;
  // A member of an alert group never pages: its group's leader does (grouping.ts).
  const leader = alert.group_id !== null ? await groupLeaderOf(trx, alert) : null;
  await insertAlertEvents(trx, [eventRow(alert.id, now, systemActor('engine'), kind, leader !== null ? `${why}; in the group #${leader} leads: nobody paged` : level === null ? `${why}; no escalation level applies, nobody paged` : `${why}; alert still open: paging`)]);
  if (!spec || level === null || leader !== null) {
    await updateAlert(trx, alert.id, { ...clear, next_escalation_at: null, updated_at: now });
    return { changed: true, changes: [{ type: 'alert.updated', alertId: alert.id, status: alert.status, at: now }], pages: 0 };
  }
  return escalateTo(trx, org, { ...alert, ...clear }, spec, level, 0, systemActor('engine'), now, why, clear);
}

export function escalationModule(ctx: Ctx) {
  return {
    name: 'escalation',
    run: async (): Promise<boolean> => {
      const r = await runEscalations(ctx);
      if (r.escalated) ctx.metrics.escalations.inc({ reason: 'timer' }, r.escalated);
      ctx.bus.publish(r.changes);
      if (r.pages > 0) ctx.wake();
      return r.more;
    },
  };
}
