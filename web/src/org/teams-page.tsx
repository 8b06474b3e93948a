import type { Team } from '../api/types';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';

export function TeamsPage() {
  useTitle('Teams');
  const r = useApi<{ teams: Team[] }>('/teams');
  useLive(() => r.reload(), (e) => e.type === 'config.changed');
  return (
    <>
      <h1>Teams</h1>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="teams" />
      ) : r.data.teams.length === 0 ? (
        <p className="panel">No teams. Add one to the organisation file and apply it.</p>
      ) : (
        r.data.teams.map((t) => (
          <section key={t.name} className="panel" style={{ marginBottom: '1rem' }} aria-labelledby={`team-${t.name}`}>
            <h2 id={`team-${t.name}`} style={{ marginTop: 0 }}>
              {t.name}
            </h2>
            {t.description && <p>{t.description}</p>}
            {t.members.length ? (
              <Table caption={`Members of ${t.name}`}>
                <thead>
                  <tr>
                    <th>Member</th>
                    <th>Role in team</th>
                  </tr>
                </thead>
                <tbody>
                  {t.members.map((m) => (
                    <tr key={m.user}>
                      <td>{m.user}</td>
                      <td>{m.role}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            ) : (
              <p className="muted">No members.</p>
            )}
          </section>
        ))
      )}
    </>
  );
}
