import type { Alert, AlertGrouping, GroupMember } from '../api/types';
import { Link } from '../router/router';
import { Badge, SeverityBadge, StatusBadge } from '../ui/badge';
import { Table } from '../ui/table';
import { RelativeTime } from '../ui/time';

/** "Group: 12 alerts in group HighErrorRate / service=backend". */
export function groupLine(g: AlertGrouping): string {
  return `Group: ${g.text ?? `alert group ${g.id}`}`;
}

/** What the alert does for its group, in a sentence. */
export function groupRole(a: Pick<Alert, 'id'>, g: AlertGrouping): string {
  if (g.ended_at) return 'The group has ended: its alerts are resolved.';
  if (g.leader) return 'This alert leads the group: it pages for all of them. Acknowledging or resolving it does the same to the open alerts of the group.';
  return `Alert #${g.leader_id ?? '?'} leads the group and pages for it; this one pages nobody.`;
}

/** The list badge on a group's leader: "12 in group". */
export function GroupBadge({ grouping: g }: { grouping: AlertGrouping | null | undefined }) {
  if (!g || !g.leader || g.size === null || g.size < 2) return null;
  return <Badge title={g.text ?? undefined}>{g.size} in group</Badge>;
}

/** The alert page's group section: the line, the alert's part in it, and every alert of the group. */
export function GroupSection({ alert: a, members }: { alert: Alert; members: GroupMember[] }) {
  const g = a.grouping;
  if (!g) return null;
  return (
    <section aria-labelledby="group" className="panel">
      <h2 id="group" style={{ marginTop: 0 }}>
        {groupLine(g)}
      </h2>
      <p className="muted">
        {groupRole(a, g)}
        {!g.leader && g.leader_id !== null && (
          <>
            {' '}
            <Link to={`/alerts/${g.leader_id}`}>Open the leader #{g.leader_id}</Link>
          </>
        )}
      </p>
      {members.length > 0 && (
        <Table caption={`Alerts in the group (${g.open ?? 0} open)`}>
          <thead>
            <tr>
              <th>Alert</th>
              <th>Severity</th>
              <th>Status</th>
              <th>Opened</th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.id} aria-current={m.id === a.id ? 'true' : undefined}>
                <td>
                  {m.id === a.id ? (
                    <>
                      <span className="muted">#{m.id}</span> {m.summary} <span className="muted small">(this alert)</span>
                    </>
                  ) : (
                    <Link to={`/alerts/${m.id}`}>
                      <span className="muted">#{m.id}</span> {m.summary}
                    </Link>
                  )}
                  {m.id === g.leader_id && <span className="muted small"> · leader</span>}
                </td>
                <td>
                  <SeverityBadge severity={m.severity} />
                </td>
                <td>
                  <StatusBadge status={m.status} />
                </td>
                <td>
                  <RelativeTime at={m.created_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  );
}
