import { firstApplicableLevel } from '../domain/escalation/policy.js';
import { formatGroupLabels, groupLabelsFor, groupSizeText, groupTitle, type Grouping } from '../domain/grouping/group-key.js';
import { formatDuration } from '../domain/silence/policy.js';
import { groupingOf } from '../config/org-grouping.js';
import { updateAlert, insertAlertEvents, type AlertRow, type NewAlertEvent } from '../store/alert.repo.js';
import { deleteGroup, findOpenGroup, getGroup, groupOpenKey, groupsWithCounts, insertOpenGroup, openGroupAlertsForUpdate, updateGroup, type AlertGroupRow } from '../store/alert-group.repo.js';
import type { Dialect, Tx } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { ServicesTable } from '../store/schema.js';
import { acknowledge, escalateTo, policyOf, resolve, type TransitionResult } from './alert-transitions.js';
import { systemActor, type Actor, type ChangeEvent } from './context.js';
import { eventRow, systemEventRow } from './timeline.js';

/**
 * Alert grouping, in Alertmanager's spirit: an alert group pages once, and later alerts join it
 * on its timeline. The life of a group (one alert_groups row):
 *
 *   first alert with a new key ──▶ open, that alert leads it
 *       leader pages after the group wait (its escalation timer, so a restart loses nothing),
 *       with a reason naming how many alerts the group holds by then
 *   later alert with the key ──▶ member: recorded, on the leader's timeline, pages nobody
 *   leader acknowledged/resolved by a person ──▶ its open members too (incident semantics)
 *   member resolves ──▶ a line on the leader (group-membership.ts)
 *   leader resolves ──▶ no open member: the group ends; otherwise the oldest open member leads
 *       and takes over the escalation without paging again (group-membership.ts)
 *
 * A silenced, inhibited or in-maintenance alert stays out of groups: it pages nobody anyway, and
 * a group led by a muted alert would mute every alert that joined it. A member that a silence or an
 * inhibition held later and then released still pages nobody (engine: unmute).
 *
 * On the ingest hot path a grouped service costs one indexed lookup (the group's unique open_key)
 * per new alert; opening a group costs two more writes. Timeline rows go into the batch's sink.
 */

export interface GroupPlacement {
  role: 'leader' | 'member';
  group: AlertGroupRow;
  title: string;
  waitMs: number;
}

/**
 * The group a new alert of `service` with these labels belongs to, or null when it groups nothing.
 * An alert that would page nobody (no escalation level for its severity) joins an open group but
 * opens none: a group led by it would keep every later alert of the group quiet. `grouping` is the
 * service's unless the caller has another (a routing rule's, say).
 */
export async function placeInGroup(
  trx: Tx,
  service: Pick<ServicesTable, 'id' | 'grouping'>,
  labels: Readonly<Record<string, string>>,
  now: number,
  pages = true,
  grouping: Grouping | null = groupingOf(service.grouping),
): Promise<GroupPlacement | null> {
  if (!grouping) return null;
  const groupLabels = groupLabelsFor(labels, grouping);
  const key = formatGroupLabels(groupLabels);
  const base = { title: groupTitle(groupLabels), waitMs: grouping.waitMs };
  const open = await findOpenGroup(trx, service.id, key);
  if (open) return { ...base, role: 'member', group: open };
  if (!pages) return null;
  const created = await insertOpenGroup(trx, {
    service_id: service.id,
    group_key: key,
    labels: JSON.stringify(groupLabels),
    open_key: groupOpenKey(service.id, key),
    leader_id: null,
    created_at: now,
    updated_at: now,
    ended_at: null,
  });
  if (created) return { ...base, role: 'leader', group: created };
  // Another writer opened the group between our lookup and insert: join theirs.
  const winner = await findOpenGroup(trx, service.id, key);
  if (!winner) throw new Error('open alert group vanished during insert');
  return { ...base, role: 'member', group: winner };
}

/**
 * Whether the alert's first page waits: a member never pages; a leader waits for the group wait
 * when it would page at all.
 */
export function groupHoldsPage(g: GroupPlacement, level: number | null): boolean {
  return g.role === 'member' || (level !== null && g.waitMs > 0);
}

/** The escalation timer of a held alert: the end of the group wait for a leader, none for a member. */
export function groupTimer(g: GroupPlacement, now: number): number | null {
  return g.role === 'leader' ? now + g.waitMs : null;
}

/**
 * The alert row was not written (another writer opened the same alert key first): a group this
 * alert opened is removed again, so it cannot stay open with no leader.
 */
export async function abandonGroup(trx: Tx, g: GroupPlacement): Promise<undefined> {
  if (g.role === 'leader') await deleteGroup(trx, g.group.id);
  return undefined;
}

/**
 * After the alert row is written: a leader is recorded on its group; both get their timeline rows
 * (queued in the batch's sink).
 */
export async function joinedGroup(trx: Tx, g: GroupPlacement, row: AlertRow, held: boolean, now: number, sink: { events: NewAlertEvent[]; changes: ChangeEvent[] }): Promise<void> {
  const data = { group_id: g.group.id, group_key: g.group.group_key };
  if (g.role === 'leader') {
    await updateGroup(trx, g.group.id, { leader_id: row.id, updated_at: now });
    const then = held ? `pages after the ${formatDuration(g.waitMs)} group wait, with the alerts that join meanwhile` : 'later alerts with these labels join it and page nobody';
    sink.events.push(systemEventRow(row.id, now, 'grouped', `opened group ${g.title}; ${then}`, data));
    return;
  }
  const leader = g.group.leader_id;
  sink.events.push(systemEventRow(row.id, now, 'grouped', `joined group ${g.title}${leader !== null ? ` led by #${leader}` : ''}; pages nobody: the group's page covers it`, { ...data, leader_id: leader }));
  if (leader !== null) {
    sink.events.push(systemEventRow(leader, now, 'group_joined', `#${row.id} joined the group: ${row.summary}`, { alert_id: row.id }));
    sink.changes.push({ type: 'alert.updated', alertId: leader, at: now });
  }
}

const noChange: TransitionResult = { changed: false, changes: [], pages: 0 };

/** The leader of the open group this alert is a member of, or null (it leads one, or none). */
export async function groupLeaderOf(trx: Tx, alert: Pick<AlertRow, 'id' | 'group_id'>): Promise<number | null> {
  if (alert.group_id === null) return null;
  const group = await getGroup(trx, alert.group_id);
  return group && group.open_key !== null && group.leader_id !== null && group.leader_id !== alert.id ? group.leader_id : null;
}

/**
 * The engine found a grouped alert's timer due before its first page. The leader's group wait is
 * over: it pages its first level, naming the group. A member never pages on its own: its timer (an
 * acknowledgement's "unresolved" timeout, say) is dropped. Null: not a group matter; the ordinary
 * escalation rules apply (a snooze that ended, a leader acknowledged during the wait).
 */
export async function groupTimerDue(trx: Tx, org: OrgSnapshot, alert: AlertRow, now: number): Promise<TransitionResult | null> {
  if (alert.group_id === null || alert.notify_seq !== 0) return null;
  if (alert.status === 'acknowledged' && alert.snoozed_until !== null) return null;
  const group = await getGroup(trx, alert.group_id);
  if (!group || group.leader_id !== alert.id || group.open_key === null) {
    await updateAlert(trx, alert.id, { next_escalation_at: null });
    return noChange;
  }
  if (alert.status !== 'triggered') return null;
  const spec = policyOf(alert);
  const level = spec ? firstApplicableLevel(spec, alert.severity, 0) : null;
  if (!spec || level === null) {
    await updateAlert(trx, alert.id, { next_escalation_at: null });
    return noChange;
  }
  const open = (await groupsWithCounts(trx, [group.id])).get(group.id)?.open ?? 1;
  const labels = JSON.parse(group.labels) as Record<string, string>;
  return escalateTo(trx, org, alert, spec, level, 0, systemActor('engine'), now, `group wait over: ${groupSizeText(open, labels)}`);
}

/**
 * A person acknowledged or resolved a group's leader: its open members follow (as a PagerDuty
 * incident takes its alerts along). Resolve members before the leader, so the group ends instead
 * of passing to a member.
 */
export async function cascadeToMembers(trx: Tx, dialect: Dialect, leader: AlertRow, action: 'acknowledge' | 'resolve', actor: Actor, now: number): Promise<TransitionResult> {
  if (leader.group_id === null) return noChange;
  const group = await getGroup(trx, leader.group_id);
  if (!group || group.leader_id !== leader.id || group.open_key === null) return noChange;
  const members = await openGroupAlertsForUpdate(trx, dialect, group.id, leader.id);
  let out = noChange;
  let n = 0;
  for (const m of members) {
    if (action === 'acknowledge' && m.status !== 'triggered') continue;
    const r = action === 'acknowledge' ? await acknowledge(trx, m, actor, now) : await resolve(trx, m, actor, now, `with group leader #${leader.id}`);
    if (r.changed) n++;
    out = mergeResults(out, r);
  }
  if (n > 0) {
    const title = groupTitle(JSON.parse(group.labels) as Record<string, string>);
    const done = action === 'acknowledge' ? 'acknowledged' : 'resolved';
    await insertAlertEvents(trx, [eventRow(leader.id, now, actor, `group_${done}`, `${done} ${n} open ${n === 1 ? 'alert' : 'alerts'} of group ${title} with it`, { count: n })]);
  }
  return out;
}

/** Two transitions' results as one (a new object: results may be shared constants). */
export function mergeResults(a: TransitionResult, b: TransitionResult): TransitionResult {
  return { changed: a.changed || b.changed, changes: [...a.changes, ...b.changes], pages: a.pages + b.pages };
}
