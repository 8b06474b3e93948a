import type { User } from '../api/types';
import { useLive } from '../lib/live';
import { formatMinutes } from '../lib/time';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';

export function UsersPage() {
  useTitle('Users');
  const r = useApi<{ users: User[] }>('/users');
  useLive(() => r.reload(), (e) => e.type === 'config.changed');
  return (
    <>
      <h1>Users</h1>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="users" />
      ) : (
        <Table caption="Users">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>Time zone</th>
              <th>Contact methods</th>
              <th>Notification rules</th>
            </tr>
          </thead>
          <tbody>
            {r.data.users.map((u) => (
              <tr key={u.name}>
                <td>
                  <strong>{u.full_name || u.name}</strong>
                  {u.full_name && <div className="muted small">{u.name}</div>}
                </td>
                <td>{u.email}</td>
                <td>{u.role ?? 'responder'}</td>
                <td>{u.time_zone ?? '—'}</td>
                <td>
                  {u.contact_methods?.length ? (
                    <ul style={{ margin: 0, paddingLeft: '1rem' }}>
                      {u.contact_methods.map((c) => (
                        <li key={c.name}>
                          {c.name}: {c.type} <span className="mono">{c.address}</span>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <span className="muted">none: cannot be paged</span>
                  )}
                </td>
                <td>
                  {u.notification_rules?.length ? (
                    <ul style={{ margin: 0, paddingLeft: '1rem' }}>
                      {u.notification_rules.map((n, i) => (
                        <li key={i}>
                          {n.delay_minutes === 0 ? 'at once' : `after ${formatMinutes(n.delay_minutes)}`} via {n.contact_method}
                          {n.urgency ? ` (${n.urgency} urgency)` : ''}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <span className="muted">none</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
