import type { Incident } from '../incidents/types';
import { IncidentStatusBadge } from '../incidents/parts';
import { SlaClocks } from '../incidents/sla-clocks';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { Link } from '../router/router';
import { SeverityBadge } from '../ui/badge';
import { LoadError, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';

/** Open incidents on Home: who commands each, when its next status update is due (red when late), and its SLA clocks. */
export function OpenIncidentsSection() {
  const r = useApi<{ incidents: Incident[] }>('/incidents', { status: 'open' });
  useLive(() => r.reload(), (e) => e.type === 'incident.updated');
  return (
    <section aria-labelledby="open-incidents">
      <h2 id="open-incidents">Open incidents</h2>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="incidents" />
      ) : r.data.incidents.length === 0 ? (
        <p className="muted">No open incidents.</p>
      ) : (
        <ul className="stack" style={{ listStyle: 'none', padding: 0 }}>
          {r.data.incidents.map((i) => (
            <li key={i.id} className="row">
              <SeverityBadge severity={i.severity} />
              <IncidentStatusBadge status={i.status} />
              <Link to={`/incidents/${i.id}`}>
                {i.number} {i.title}
              </Link>
              <span className="muted small">
                {i.commander ? `commander ${i.commander}` : 'no commander'} · declared <RelativeTime at={i.declared_at} />
              </span>
              {i.next_update_at && (
                <span className={i.update_overdue ? 'notice notice-error small' : 'small'}>
                  {i.update_overdue ? 'update overdue since ' : 'next update '}
                  <RelativeTime at={i.next_update_at} />
                </span>
              )}
              <SlaClocks clocks={i.sla} compact label={`SLA clocks of ${i.number}`} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
