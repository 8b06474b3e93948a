import { groupSizeText, groupTitle } from '../domain/grouping/group-key.js';
import type { AlertRow } from '../store/alert.repo.js';
import { groupsWithCounts, type AlertGroupRow, type GroupCounts } from '../store/alert-group.repo.js';
import type { Conn } from '../store/db.js';

export type GroupInfo = AlertGroupRow & GroupCounts;

/** The groups of these alerts with their sizes: two queries for a whole page of alerts. */
export async function loadGroups(conn: Conn, alerts: readonly Pick<AlertRow, 'group_id'>[]): Promise<Map<number, GroupInfo>> {
  const ids = alerts.map((a) => a.group_id).filter((id): id is number => id !== null);
  return ids.length ? groupsWithCounts(conn, ids) : new Map();
}

/**
 * An alert's group as the API shows it ("12 alerts in group HighErrorRate / service=backend"), or
 * null for an alert outside any group. `size` counts every alert the group ever held, `open` those
 * still open; `leader` says whether this alert is the one that pages for the group.
 */
export function presentGrouping(a: Pick<AlertRow, 'id' | 'group_id'>, groups: ReadonlyMap<number, GroupInfo> | undefined) {
  if (a.group_id === null) return null;
  const g = groups?.get(a.group_id);
  if (!g) return { id: a.group_id, key: null, labels: null, title: null, text: null, leader_id: null, leader: false, size: null, open: null, ended_at: null };
  const labels = JSON.parse(g.labels) as Record<string, string>;
  return {
    id: g.id,
    key: g.group_key,
    labels,
    title: groupTitle(labels),
    text: groupSizeText(g.size, labels),
    leader_id: g.leader_id,
    leader: g.leader_id === a.id,
    size: g.size,
    open: g.open,
    ended_at: g.ended_at === null ? null : new Date(g.ended_at).toISOString(),
  };
}

/** The alerts of a group for an alert's page, oldest first. */
export function presentMember(a: AlertRow) {
  return { id: a.id, status: a.status, severity: a.severity, summary: a.summary, created_at: new Date(a.created_at).toISOString() };
}
