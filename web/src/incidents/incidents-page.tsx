import { useState } from 'react';
import { roleRank } from '../api/types';
import { useSession } from '../auth/session';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { Badge, SeverityBadge } from '../ui/badge';
import { Button } from '../ui/button';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { RelativeTime } from '../ui/time';
import { DeclareDialog } from './declare-button';
import { IncidentStatusBadge } from './parts';
import type { Incident } from './types';

const FILTERS = [
  { value: '', label: 'Not closed' },
  { value: 'open', label: 'Open' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'closed', label: 'Closed' },
  { value: 'investigating,identified,monitoring,resolved,closed', label: 'All' },
];

export function IncidentsPage() {
  useTitle('Incidents');
  const { user } = useSession();
  const canAct = roleRank(user?.role ?? 'viewer') >= roleRank('responder');
  const [status, setStatus] = useState('');
  const [declaring, setDeclaring] = useState(false);
  const r = useApi<{ incidents: Incident[] }>('/incidents', { status: status || undefined });
  useLive(
    () => r.reload(),
    (e) => e.type === 'incident.updated',
  );
  return (
    <>
      <h1>Incidents</h1>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <div className="row" role="group" aria-label="Status filter">
          {FILTERS.map((f) => (
            <Button key={f.label} small variant={status === f.value ? 'primary' : 'secondary'} aria-pressed={status === f.value} onClick={() => setStatus(f.value)}>
              {f.label}
            </Button>
          ))}
        </div>
        <Button variant="primary" disabled={!canAct} title={canAct ? undefined : `Your role (${user?.role}) cannot declare incidents.`} onClick={() => setDeclaring(true)}>
          Declare incident
        </Button>
      </div>
      {r.error !== undefined && r.error !== null && <LoadError error={r.error} onRetry={r.reload} />}
      {!r.data ? (
        !r.error && <Loading what="incidents" />
      ) : r.data.incidents.length === 0 ? (
        <p className="muted">{status ? 'No incidents match.' : 'No incidents. Declare one here, or from an alert’s page.'}</p>
      ) : (
        <Table caption="Incidents, newest first">
          <thead>
            <tr>
              <th>Incident</th>
              <th>Status</th>
              <th>Severity</th>
              <th>Commander</th>
              <th>Declared</th>
              <th>Next update</th>
            </tr>
          </thead>
          <tbody>
            {r.data.incidents.map((i) => (
              <tr key={i.id}>
                <td>
                  <Link to={`/incidents/${i.id}`}>
                    <span className="muted">{i.number}</span> {i.title}
                  </Link>
                </td>
                <td>
                  <IncidentStatusBadge status={i.status} />
                </td>
                <td>
                  <SeverityBadge severity={i.severity} />
                </td>
                <td>{i.commander ?? <span className="muted">nobody</span>}</td>
                <td>
                  <RelativeTime at={i.declared_at} />
                </td>
                <td>{i.next_update_at ? i.update_overdue ? <Badge tone="danger">overdue</Badge> : <RelativeTime at={i.next_update_at} /> : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {declaring && <DeclareDialog onClose={() => setDeclaring(false)} />}
    </>
  );
}
