import { formatGroupLabels } from '../../domain/grouping/group-key.js';
import type { AlertRow } from '../../store/alert.repo.js';
import type { Conn } from '../../store/db.js';

/**
 * Alertmanager's GET /api/v2/alerts/groups from Watchkeeper's alert groups: an alert of a grouped
 * service is shown in its group, labelled with the group-by labels; an alert of a service without
 * grouping is shown by its alertname, as Alertmanager's default route (group_by: [alertname])
 * would. Sorted by the group labels, as Alertmanager sorts them.
 */
export async function alertmanagerGroups(
  conn: Conn,
  alerts: readonly AlertRow[],
  present: (a: AlertRow) => Record<string, unknown>,
  receiver = 'watchkeeper',
): Promise<{ labels: Record<string, string>; receiver: { name: string }; alerts: Record<string, unknown>[] }[]> {
  const ids = [...new Set(alerts.map((a) => a.group_id).filter((id): id is number => id !== null))];
  const rows = ids.length ? await conn.selectFrom('alert_groups').select(['id', 'labels']).where('id', 'in', ids).execute() : [];
  const labelsOf = new Map(rows.map((g) => [g.id, JSON.parse(g.labels) as Record<string, string>]));
  const groups = new Map<string, { labels: Record<string, string>; alerts: Record<string, unknown>[] }>();
  for (const a of alerts) {
    const shown = present(a);
    const grouped = a.group_id !== null ? labelsOf.get(a.group_id) : undefined;
    const labels = grouped ?? { alertname: (shown.labels as Record<string, string>).alertname ?? '' };
    const key = grouped ? `group ${a.group_id}` : `name ${labels.alertname}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, alerts: [] }));
    g.alerts.push(shown);
  }
  return [...groups.values()]
    .map((g) => ({ sortKey: formatGroupLabels(g.labels), labels: g.labels, receiver: { name: receiver }, alerts: g.alerts }))
    .sort((x, y) => (x.sortKey < y.sortKey ? -1 : x.sortKey > y.sortKey ? 1 : 0))
    .map(({ labels, receiver: r, alerts: list }) => ({ labels, receiver: r, alerts: list }));
}
