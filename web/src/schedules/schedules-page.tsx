import { useLive } from '../lib/live';
import { relativeTime } from '../lib/time';
import { useApi } from '../lib/use-api';
import { useNow } from '../lib/use-now';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import './schedules.css';
import { browserZone, formatTime } from './timeline';
import type { Schedule } from './types';
import { useRefreshAt } from './use-refresh-at';

export { SchedulePage } from './schedule-page';

export function SchedulesPage() {
  useTitle('Schedules');
  const r = useApi<{ schedules: Schedule[] }>('/schedules');
  const now = useNow();
  const tz = browserZone();
  useLive(r.reload, (e) => e.type === 'config.changed');
  useRefreshAt(r.data?.schedules.map((s) => s.on_call_now?.until) ?? [], r.reload);

  return (
    <>
      <h1>Schedules</h1>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="schedules" />
      ) : r.data.schedules.length === 0 ? (
        <p className="panel">No schedules yet. Add one under <code>schedules:</code> in the organisation file, or through the API (manager role).</p>
      ) : (
        <Table caption="Schedules and who is on call now">
          <thead>
            <tr>
              <th scope="col">Schedule</th>
              <th scope="col">Team</th>
              <th scope="col">Role</th>
              <th scope="col">On call now</th>
              <th scope="col">Until ({tz.replace(/_/g, ' ')})</th>
            </tr>
          </thead>
          <tbody>
            {r.data.schedules.map((s) => (
              <tr key={s.name}>
                <td>
                  <Link to={`/schedules/${encodeURIComponent(s.name)}`}>{s.name}</Link>
                </td>
                <td>{s.team ?? <span className="muted">—</span>}</td>
                <td>{s.role ?? <span className="muted">—</span>}</td>
                <td>{s.on_call_now ? <strong>{s.on_call_now.user}</strong> : <span className="sched-nobody-text">nobody</span>}</td>
                <td>
                  {s.on_call_now ? (
                    <time dateTime={s.on_call_now.until}>
                      {formatTime(Date.parse(s.on_call_now.until), tz)} <span className="muted small">({relativeTime(s.on_call_now.until, now)})</span>
                    </time>
                  ) : (
                    <span className="muted">—</span>
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
