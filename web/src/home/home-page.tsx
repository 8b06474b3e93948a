import type { AlertList, AlertSummary } from '../api/types';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { SeverityBadge } from '../ui/badge';
import { LoadError, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { MyNextShiftsSection, OnCallNowSection } from './on-call';
import { OpenIncidentsSection } from './open-incidents';
import { SummaryView } from './summary-view';

export function HomePage() {
  useTitle('Home');
  const summary = useApi<AlertSummary>('/alerts/summary');
  const newest = useApi<AlertList>('/alerts', { status: 'triggered', limit: 10 });

  useLive(() => {
    summary.reload();
    newest.reload();
  }, (e) => e.type !== 'page.updated');

  return (
    <>
      <h1>Home</h1>
      <section aria-labelledby="open-alerts">
        <h2 id="open-alerts">Open alerts</h2>
        {summary.data ? <SummaryView summary={summary.data} /> : summary.error ? <LoadError error={summary.error} onRetry={summary.reload} /> : <Loading what="alert counts" />}
      </section>

      <OpenIncidentsSection />

      <section aria-labelledby="newest">
        <h2 id="newest">Newest triggered alerts</h2>
        {newest.error ? (
          <LoadError error={newest.error} onRetry={newest.reload} />
        ) : !newest.data ? (
          <Loading what="alerts" />
        ) : newest.data.alerts.length === 0 ? (
          <p className="muted">Nothing is triggered right now.</p>
        ) : (
          <ul className="stack" style={{ listStyle: 'none', padding: 0 }}>
            {newest.data.alerts.map((a) => (
              <li key={a.id} className="row">
                <SeverityBadge severity={a.severity} />
                <Link to={`/alerts/${a.id}`}>
                  #{a.id} {a.summary}
                </Link>
                <span className="muted small">
                  {a.service.name} · <RelativeTime at={a.last_seen_at} />
                </span>
              </li>
            ))}
          </ul>
        )}
        {newest.data?.next_before !== null && newest.data !== undefined && (
          <p>
            <Link to="/alerts?status=triggered">All triggered alerts</Link>
          </p>
        )}
      </section>

      <OnCallNowSection />
      <MyNextShiftsSection />
    </>
  );
}
