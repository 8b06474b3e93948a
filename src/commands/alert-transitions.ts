import { firstApplicableLevel, planNextEscalation, type EscalationPolicySpec, type EscalationReason, type EscalationState } from '../domain/escalation/policy.js';
import { AppError } from '../domain/errors.js';
import { MINUTE } from '../domain/clock.js';
import type { AlertRow } from '../store/alert.repo.js';
import { insertAlertEvents, updateAlert } from '../store/alert.repo.js';
import { insertPages } from '../store/page.repo.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { Tx } from '../store/db.js';
import type { Actor, ChangeEvent } from './context.js';
import { levelOverrides, notifyLevel } from './notify-level.js';
import { eventRow } from './timeline.js';
import { releaseInhibited } from './inhibition.js';
import { groupAfterResolve } from './group-membership.js';

/**
 * State changes of one alert inside a caller's transaction. Each writes the alert row, its timeline
 * rows and any pages together (the outbox), and recomputes the alert's escalation timer.
 * Used by ingest, the REST API, email action links and the engine alike.
 */
export interface TransitionResult {
  changed: boolean;
  changes: ChangeEvent[];
  pages: number;
}

const noChange: TransitionResult = { changed: false, changes: [], pages: 0 };

export function policyOf(alert: Pick<AlertRow, 'policy_snapshot'>): EscalationPolicySpec | null {
  return alert.policy_snapshot ? (JSON.parse(alert.policy_snapshot) as EscalationPolicySpec) : null;
}

/** The escalation timer for an alert in the given state, or null when nothing is pending. */
export function nextTimer(alert: AlertRow, patch: Partial<AlertRow>, knownSpec?: EscalationPolicySpec | null): number | null {
  const a = { ...alert, ...patch };
  if (a.status === 'resolved') return null;
  if (a.snoozed_until !== null && a.status === 'acknowledged') return a.snoozed_until;
  const spec = knownSpec === undefined ? policyOf(a) : knownSpec;
  if (!spec) return null;
  const plan = planNextEscalation(spec, escalationStateOf(a));
  return plan ? plan.at : null;
}

/** The pure escalation state of a stored alert (see domain/escalation/policy.ts). */
export function escalationStateOf(a: AlertRow): EscalationState {
  return {
    status: a.status as EscalationState['status'],
    severity: a.severity,
    level: a.escalation_level,
    cycle: a.escalation_cycle,
    levelStartedAt: a.level_started_at,
    openedAt: a.created_at,
  };
}

export async function acknowledge(trx: Tx, alert: AlertRow, actor: Actor, now: number): Promise<TransitionResult> {
  if (alert.status === 'acknowledged' && alert.snoozed_until !== null) {
    // Acknowledging a snoozed alert ends the snooze: it stays acknowledged and will not re-trigger.
    const patch = { snoozed_until: null, acknowledged_at: now, acknowledged_by: actor.name, updated_at: now };
    await updateAlert(trx, alert.id, { ...patch, next_escalation_at: nextTimer(alert, patch) });
    await insertAlertEvents(trx, [eventRow(alert.id, now, actor, 'acknowledged', `acknowledged by ${actor.name} via ${actor.surface}; snooze cancelled`)]);
    return { changed: true, changes: [{ type: 'alert.updated', alertId: alert.id, status: 'acknowledged', at: now }], pages: 0 };
  }
  if (alert.status !== 'triggered') return noChange;
  const patch = { status: 'acknowledged', acknowledged_at: now, acknowledged_by: actor.name, snoozed_until: null, updated_at: now };
  await updateAlert(trx, alert.id, { ...patch, next_escalation_at: nextTimer(alert, patch) });
  await insertAlertEvents(trx, [eventRow(alert.id, now, actor, 'acknowledged', `acknowledged by ${actor.name} via ${actor.surface}`)]);
  return { changed: true, changes: [{ type: 'alert.updated', alertId: alert.id, status: 'acknowledged', at: now }], pages: 0 };
}

export async function resolve(trx: Tx, alert: AlertRow, actor: Actor, now: number, note?: string): Promise<TransitionResult> {
  if (alert.status === 'resolved') return noChange;
  await updateAlert(trx, alert.id, {
    status: 'resolved',
    open_key: null,
    resolved_at: now,
    resolved_by: actor.name,
    snoozed_until: null,
    next_escalation_at: null,
    updated_at: now,
  });
  await insertAlertEvents(trx, [eventRow(alert.id, now, actor, 'resolved', `resolved by ${actor.name} via ${actor.surface}${note ? `: ${note}` : ''}`)]);
  await releaseInhibited(trx, alert.id, now);
  const grouped = alert.group_id !== null ? await groupAfterResolve(trx, alert, now) : [];
  return { changed: true, changes: [{ type: 'alert.updated', alertId: alert.id, status: 'resolved', at: now }, ...grouped], pages: 0 };
}

/**
 * Moves the alert to `level` (and `cycle`), returns it to triggered, pages the level and restarts
 * the timer. Shared by timed escalation, manual escalation and reassignment.
 */
export async function escalateTo(
  trx: Tx,
  org: OrgSnapshot,
  alert: AlertRow,
  spec: EscalationPolicySpec,
  level: number,
  cycle: number,
  actor: Actor,
  now: number,
  reason: string,
  extra: Partial<AlertRow> = {},
): Promise<TransitionResult> {
  const seq = alert.notify_seq + 1;
  const patch: Partial<AlertRow> = {
    status: 'triggered',
    escalation_level: level,
    escalation_cycle: cycle,
    level_started_at: now,
    notify_seq: seq,
    snoozed_until: null,
    updated_at: now,
    ...extra,
  };
  const overrides = await levelOverrides(trx, spec, level, alert.severity, now);
  const notified = notifyLevel(org, { id: alert.id, severity: alert.severity }, spec, level, cycle, seq, now, actor, reason, overrides);
  await updateAlert(trx, alert.id, { ...patch, next_escalation_at: nextTimer(alert, patch) });
  await insertAlertEvents(trx, notified.events);
  const pages = await insertPages(trx, notified.pages);
  return { changed: true, changes: [{ type: 'alert.updated', alertId: alert.id, status: 'triggered', at: now }], pages };
}

export function reasonText(reason: EscalationReason, afterMinutes: number): string {
  switch (reason) {
    case 'unacknowledged':
      return `not acknowledged within ${afterMinutes} min`;
    case 'unresolved':
      return `not resolved within ${afterMinutes} min`;
    case 'repeat':
      return `policy repeated after ${afterMinutes} min without acknowledgement`;
  }
}

/** A person escalates now: to the given level (0-based) or the next one that applies. */
export async function escalateManually(trx: Tx, org: OrgSnapshot, alert: AlertRow, actor: Actor, now: number, toLevel?: number): Promise<TransitionResult> {
  if (alert.status === 'resolved') throw new AppError('conflict', `alert #${alert.id} is resolved; trigger a new one instead`);
  const spec = policyOf(alert);
  if (!spec || spec.levels.length === 0) throw new AppError('conflict', `alert #${alert.id} has no escalation policy; reassign it to a user or policy`);
  let level: number | null;
  if (toLevel !== undefined) {
    if (toLevel < 0 || toLevel >= spec.levels.length) throw AppError.invalid('level', `must be between 1 and ${spec.levels.length}`);
    level = toLevel;
  } else {
    level = firstApplicableLevel(spec, alert.severity, alert.escalation_level + 1);
    if (level === null) {
      throw new AppError('conflict', `alert #${alert.id} is at the last level (${alert.escalation_level + 1}) of its policy; name a level to page it again`);
    }
  }
  return escalateTo(trx, org, alert, spec, level, alert.escalation_cycle, actor, now, `escalated by ${actor.name}`);
}

/** Acknowledge for N minutes; when the snooze ends the alert is triggered again and re-pages its level. */
export async function snooze(trx: Tx, alert: AlertRow, actor: Actor, now: number, minutes: number): Promise<TransitionResult> {
  if (alert.status === 'resolved') throw new AppError('conflict', `alert #${alert.id} is resolved; nothing to snooze`);
  const until = now + minutes * MINUTE;
  const patch = {
    status: 'acknowledged',
    acknowledged_at: alert.acknowledged_at ?? now,
    acknowledged_by: alert.acknowledged_by ?? actor.name,
    snoozed_until: until,
    updated_at: now,
  };
  await updateAlert(trx, alert.id, { ...patch, next_escalation_at: until });
  await insertAlertEvents(trx, [eventRow(alert.id, now, actor, 'snoozed', `snoozed by ${actor.name} for ${minutes} min`, { until })]);
  return { changed: true, changes: [{ type: 'alert.updated', alertId: alert.id, status: 'acknowledged', at: now }], pages: 0 };
}

export async function addNote(trx: Tx, alert: AlertRow, actor: Actor, now: number, text: string): Promise<TransitionResult> {
  await insertAlertEvents(trx, [eventRow(alert.id, now, actor, 'note', text)]);
  await updateAlert(trx, alert.id, { updated_at: now });
  return { changed: true, changes: [{ type: 'alert.updated', alertId: alert.id, status: alert.status, at: now }], pages: 0 };
}
