import type { AlertSummary } from '../api/types';
import { Link } from '../router/router';
import { SeverityBadge } from '../ui/badge';
import { Table } from '../ui/table';

const alertsLink = (q: Record<string, string>) => `/alerts?${new URLSearchParams(q).toString()}`;

/** Open alert counts by severity and by service; every count links to the matching list. */
export function SummaryView({ summary }: { summary: AlertSummary }) {
  const open = summary.triggered + summary.acknowledged;
  if (open === 0) {
    return (
      <p className="panel">
        No open alerts. Send a test alert from <Link to="/services">Services</Link>.
      </p>
    );
  }
  return (
    <>
      <div className="grid-cards">
        <div className="panel">
          <div className="muted">Triggered</div>
          <div className="stat">
            <Link to={alertsLink({ status: 'triggered' })} aria-label={`${summary.triggered} triggered alerts`}>
              {summary.triggered}
            </Link>
          </div>
        </div>
        <div className="panel">
          <div className="muted">Acknowledged</div>
          <div className="stat">
            <Link to={alertsLink({ status: 'acknowledged' })} aria-label={`${summary.acknowledged} acknowledged alerts`}>
              {summary.acknowledged}
            </Link>
          </div>
        </div>
      </div>
      <div className="grid-tables">
        <Table caption="Open alerts by severity">
          <thead>
            <tr>
              <th>Severity</th>
              <th className="num">Triggered</th>
              <th className="num">Acknowledged</th>
            </tr>
          </thead>
          <tbody>
            {summary.by_severity.map((s) => (
              <tr key={s.severity}>
                <td>
                  <SeverityBadge severity={s.severity} />
                </td>
                <td className="num">{s.triggered ? <Link to={alertsLink({ status: 'triggered', severity: s.severity })}>{s.triggered}</Link> : <span className="muted">0</span>}</td>
                <td className="num">{s.acknowledged ? <Link to={alertsLink({ status: 'acknowledged', severity: s.severity })}>{s.acknowledged}</Link> : <span className="muted">0</span>}</td>
              </tr>
            ))}
          </tbody>
        </Table>
        <Table caption="Open alerts by service">
          <thead>
            <tr>
              <th>Service</th>
              <th className="num">Triggered</th>
              <th className="num">Acknowledged</th>
            </tr>
          </thead>
          <tbody>
            {summary.by_service.map((s) => (
              <tr key={s.service_id}>
                <td>
                  <Link to={alertsLink({ service: s.service })}>{s.service}</Link>
                </td>
                <td className="num">{s.triggered}</td>
                <td className="num">{s.acknowledged}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </div>
    </>
  );
}
