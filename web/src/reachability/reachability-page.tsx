import { useSession } from '../auth/session';
import { useLive } from '../lib/live';
import { useTitle } from '../lib/title';
import { useApi } from '../lib/use-api';
import { Link } from '../router/router';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';

/**
 * Who is on call now and could not be paged if a high-urgency alert fired, why, and the fix:
 * no high-urgency rule, only unverified or paused methods, or a channel this server has not
 * connected (Slack without a token, say). Checked before it matters, not during an incident.
 */
export interface UnreachablePerson {
  user: string;
  full_name: string;
  on_call: { kind: 'schedule' | 'escalation_policy'; name: string; level?: number }[];
  reasons: { kind: string; contact_method: string | null; message: string; fix: string }[];
}

export interface ReachabilityReport {
  at: string;
  checked: number;
  unreachable: UnreachablePerson[];
}

export function ReachabilityPage() {
  useTitle('Reachability');
  const report = useApi<ReachabilityReport>('/reachability');
  const { user } = useSession();
  useLive(() => report.reload(), (e) => e.type === 'config.changed');
  return (
    <>
      <div className="spread">
        <h1>Reachability</h1>
        <Button small onClick={report.reload}>
          Check again
        </Button>
      </div>
      <p className="muted">Everyone on call right now (in a schedule, or named in an escalation policy) who could not be paged if a high-urgency alert fired now.</p>
      {report.error ? (
        <LoadError error={report.error} onRetry={report.reload} />
      ) : !report.data ? (
        <Loading what="the reachability report" />
      ) : report.data.unreachable.length === 0 ? (
        <p className="notice" role="status">
          Everyone on call now can be paged ({report.data.checked} checked).
        </p>
      ) : (
        <>
          <p className="notice notice-error" role="status">
            {report.data.unreachable.length} of {report.data.checked} people on call cannot be paged.
          </p>
          <Table caption="People on call who cannot be paged">
            <thead>
              <tr>
                <th>Person</th>
                <th>On call in</th>
                <th>Why</th>
                <th>Fix</th>
              </tr>
            </thead>
            <tbody>
              {report.data.unreachable.map((p) => (
                <tr key={p.user}>
                  <td>
                    <strong>{p.full_name || p.user}</strong>
                    {p.full_name && <div className="muted small">{p.user}</div>}
                  </td>
                  <td>
                    {p.on_call.map((w) => (
                      <div key={`${w.kind}:${w.name}`}>
                        {w.kind === 'schedule' ? (
                          <Link to={`/schedules/${encodeURIComponent(w.name)}`}>{w.name}</Link>
                        ) : (
                          <span>
                            {w.name} <span className="muted small">level {w.level ?? 1}</span>
                          </span>
                        )}
                      </div>
                    ))}
                  </td>
                  <td>
                    <ul style={{ margin: 0, paddingLeft: '1rem' }}>
                      {p.reasons.map((r, i) => (
                        <li key={i}>
                          <Badge tone={r.kind === 'not_connected' || r.kind === 'paused' ? 'warn' : 'danger'}>{r.kind.replace('_', ' ')}</Badge> {r.message}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <ul style={{ margin: 0, paddingLeft: '1rem' }}>
                      {p.reasons.map((r, i) => (
                        <li key={i}>{r.fix}</li>
                      ))}
                    </ul>
                    {p.user === user?.name && (
                      <Link to="/profile" className="small">
                        Open my profile
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        </>
      )}
    </>
  );
}
