import { planNextEscalation, type EscalationPolicySpec } from '../domain/escalation/policy.js';
import { groupTitle } from '../domain/grouping/group-key.js';
import { insertAlertEvents, updateAlert, type AlertRow } from '../store/alert.repo.js';
import { getGroup, groupsWithCounts, openGroupAlertsForUpdate, updateGroup } from '../store/alert-group.repo.js';
import type { Tx } from '../store/db.js';
import type { ChangeEvent } from './context.js';
import { systemEventRow } from './timeline.js';

/**
 * What a resolved alert does to its group (see grouping.ts for the whole life of a group).
 *
 * - A member that resolves only updates the group: a line on the leader's timeline.
 * - The leader resolves with no open member left: the group ends; the next alert with its key
 *   opens a new group (and pages again).
 * - The leader resolves while members still fire (the source resolved one alert, not the
 *   problem): the oldest open member becomes the leader and takes over the group's place in the
 *   escalation (level, repeat, timer). It does not page again: the people paged for the group
 *   already know. A group still in its group wait keeps its wait: the new leader pages when it ends.
 *
 * Kept apart from grouping.ts so the alert transitions can call it without an import cycle.
 */
export async function groupAfterResolve(trx: Tx, alert: AlertRow, now: number): Promise<ChangeEvent[]> {
  if (alert.group_id === null) return [];
  const group = await getGroup(trx, alert.group_id);
  if (!group || group.open_key === null || group.leader_id === null) return [];
  const title = groupTitle(JSON.parse(group.labels) as Record<string, string>);
  if (group.leader_id !== alert.id) {
    const counts = (await groupsWithCounts(trx, [group.id])).get(group.id);
    await insertAlertEvents(trx, [
      systemEventRow(group.leader_id, now, 'group_member_resolved', `#${alert.id} resolved (${alert.summary}); ${counts?.open ?? 0} of ${counts?.size ?? 0} alerts in the group still open`, { alert_id: alert.id }),
    ]);
    await updateGroup(trx, group.id, { updated_at: now });
    return [{ type: 'alert.updated', alertId: group.leader_id, status: 'triggered', at: now }];
  }
  const open = await openGroupAlertsForUpdate(trx, null, group.id, alert.id);
  const next = open[0];
  if (!next) {
    await updateGroup(trx, group.id, { open_key: null, ended_at: now, updated_at: now });
    await insertAlertEvents(trx, [systemEventRow(alert.id, now, 'group_ended', `group ${title} ended: no alert in it is open`)]);
    return [];
  }
  const inWait = alert.status === 'triggered' && alert.notify_seq === 0 && alert.next_escalation_at !== null;
  let patch: Partial<AlertRow> = { updated_at: now };
  if (inWait) patch = { ...patch, notify_seq: 0, next_escalation_at: alert.next_escalation_at };
  else if (alert.notify_seq > 0) {
    const takeOver = {
      escalation_policy_id: alert.escalation_policy_id,
      policy_snapshot: alert.policy_snapshot,
      escalation_level: alert.escalation_level,
      escalation_cycle: alert.escalation_cycle,
      level_started_at: alert.level_started_at,
      notify_seq: alert.notify_seq,
    };
    patch = { ...patch, ...takeOver, next_escalation_at: timerAfterTakeOver({ ...next, ...takeOver }) };
  }
  await updateAlert(trx, next.id, patch);
  await updateGroup(trx, group.id, { leader_id: next.id, updated_at: now });
  await insertAlertEvents(trx, [
    systemEventRow(next.id, now, 'group_leader', `leads group ${title} now: #${alert.id} resolved while ${open.length === 1 ? 'this alert was' : `${open.length} alerts were`} still open; ${inWait ? 'the group pages when its wait ends' : 'no new page'}`, { previous_leader_id: alert.id }),
    systemEventRow(alert.id, now, 'group_leader', `#${next.id} leads group ${title} now (${open.length} open)`, { leader_id: next.id }),
  ]);
  return [{ type: 'alert.updated', alertId: next.id, status: next.status, at: now }];
}

/** The new leader's escalation timer: its snooze, or the step after the level it took over. */
function timerAfterTakeOver(a: AlertRow): number | null {
  if (a.status === 'acknowledged' && a.snoozed_until !== null) return a.snoozed_until;
  if (!a.policy_snapshot) return null;
  const spec = JSON.parse(a.policy_snapshot) as EscalationPolicySpec;
  const plan = planNextEscalation(spec, {
    status: a.status as 'triggered' | 'acknowledged',
    severity: a.severity,
    level: a.escalation_level,
    cycle: a.escalation_cycle,
    levelStartedAt: a.level_started_at,
    openedAt: a.created_at,
  });
  return plan ? plan.at : null;
}
