import { useState } from 'react';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { Badge, SeverityBadge } from '../ui/badge';
import { Button } from '../ui/button';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { FullTime } from '../ui/time';
import { PostmortemStatusBadge } from './postmortem-page';
import type { Postmortem } from './types';

const FILTERS: { label: string; query: Record<string, string> }[] = [
  { label: 'Open', query: { status: 'open' } },
  { label: 'Overdue', query: { overdue: 'true' } },
  { label: 'Required', query: { required: 'true' } },
  { label: 'Complete', query: { status: 'complete' } },
  { label: 'All', query: {} },
];

export function PostmortemsPage() {
  useTitle('Post-mortems');
  const [filter, setFilter] = useState(FILTERS[0]!.label);
  const query = FILTERS.find((f) => f.label === filter)?.query ?? {};
  const r = useApi<{ postmortems: Postmortem[] }>('/postmortems', query);
  useLive(
    () => r.reload(),
    (e) => e.type === 'incident.updated',
  );
  return (
    <>
      <h1>Post-mortems</h1>
      <p className="muted">A required post-mortem starts when its incident resolves; start one for any incident from its page.</p>
      <div className="row" role="group" aria-label="Post-mortem filter">
        {FILTERS.map((f) => (
          <Button key={f.label} small variant={filter === f.label ? 'primary' : 'secondary'} aria-pressed={filter === f.label} onClick={() => setFilter(f.label)}>
            {f.label}
          </Button>
        ))}
      </div>
      {r.error !== undefined && r.error !== null && <LoadError error={r.error} onRetry={r.reload} />}
      {!r.data ? (
        !r.error && <Loading what="post-mortems" />
      ) : r.data.postmortems.length === 0 ? (
        <p className="muted">No post-mortems match.</p>
      ) : (
        <Table caption="Post-mortems, newest first">
          <thead>
            <tr>
              <th>Incident</th>
              <th>Status</th>
              <th>Severity</th>
              <th>Owner</th>
              <th>Next deadline</th>
              <th>Open action items</th>
            </tr>
          </thead>
          <tbody>
            {r.data.postmortems.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={p.url}>
                    <span className="muted">{p.incident.number}</span> {p.incident.title}
                  </Link>{' '}
                  {p.required && <Badge tone="warn">required</Badge>}
                </td>
                <td>
                  <PostmortemStatusBadge status={p.status} />
                </td>
                <td>
                  <SeverityBadge severity={p.incident.severity} />
                </td>
                <td>{p.owner ?? p.reminded ?? <span className="muted">nobody</span>}</td>
                <td>
                  {p.next_deadline ? (
                    <>
                      {p.next_deadline.label} <FullTime at={p.next_deadline.due_at} /> {p.next_deadline.state === 'overdue' && <Badge tone="danger">overdue</Badge>}
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>{p.open_action_items}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
