import { useState } from 'react';
import { api } from '../api/client';
import { roleRank } from '../api/types';
import { useSession } from '../auth/session';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { Badge, SeverityBadge, StatusBadge } from '../ui/badge';
import { Button } from '../ui/button';
import { FormDialog } from '../ui/dialog';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { useToast } from '../ui/toast';
import { alertCount, changeText, formatAt } from './format';
import './handoffs.css';
import type { Note, NoteAlert } from './types';

function AlertRows({ alerts, tz, caption }: { alerts: NoteAlert[]; tz: string; caption: string }) {
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <th scope="col">Alert</th>
          <th scope="col">Severity</th>
          <th scope="col">Status</th>
          <th scope="col">Service</th>
          <th scope="col">Opened</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr key={a.id}>
            <td>
              <Link to={`/alerts/${a.id}`}>
                #{a.id} {a.summary}
              </Link>
              {a.count > 1 && <span className="muted small"> · fired {a.count} times</span>}
            </td>
            <td>
              <SeverityBadge severity={a.severity} />
            </td>
            <td>
              <StatusBadge status={a.status} />
              {a.status === 'acknowledged' && a.acknowledged_by && <span className="muted small"> by {a.acknowledged_by}</span>}
            </td>
            <td>{a.service}</td>
            <td className="small">{formatAt(a.created_at, tz)}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** One handoff note: its sections as the handbooks lay them out, "Mark read" and "Hand over". */
export function HandoffNotePage({ id }: { id: number }) {
  const r = useApi<Note>(`/handoffs/${id}`);
  const n = r.data;
  useTitle(n ? `Handoff ${n.schedule}` : 'Handoff');
  const { user } = useSession();
  const toast = useToast();
  const canAct = roleRank(user?.role ?? 'viewer') >= roleRank('responder');
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  useLive(r.reload, (e) => e.type === 'alert.updated');

  if (r.error && !n)
    return (
      <>
        <p className="small">
          <Link to="/handoffs">← Handoffs</Link>
        </p>
        <LoadError error={r.error} onRetry={r.reload} />
      </>
    );
  if (!n) return <Loading what="the handoff note" />;
  const tz = n.time_zone;

  const markRead = async () => {
    setBusy(true);
    try {
      await api.post(`/handoffs/${n.id}/read`);
      toast.ok('Marked read.');
      r.reload();
    } catch (err) {
      toast.error(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const count = n.hand_over.count;

  return (
    <>
      <p className="small">
        <Link to="/handoffs">← Handoffs</Link>
      </p>
      <div className="spread">
        <h1>
          Handoff: {n.schedule}, {formatAt(n.handoff_at, tz)}
        </h1>
        {n.read_at ? (
          <span className="muted" data-testid="read-state">
            Read by {n.read_by} at {formatAt(n.read_at, tz)}
          </span>
        ) : (
          <Badge tone="warn">
            <span data-testid="read-state">Unread</span>
          </Badge>
        )}
      </div>
      <p>
        <strong>{n.outgoing ?? 'nobody'}</strong> → <strong>{n.incoming ?? 'nobody'}</strong> · shift {formatAt(n.shift_start, tz)} – {formatAt(n.handoff_at, tz)}
      </p>
      {canAct && (
        <div className="handoff-actions">
          {!n.read_at && (
            <Button variant="primary" busy={busy} onClick={() => void markRead()}>
              Mark read
            </Button>
          )}
          {count > 0 && (
            <Button onClick={() => setConfirm(true)}>
              Hand over {count} acknowledged alert{count === 1 ? '' : 's'}
            </Button>
          )}
          {n.handed_over_at && (
            <span className="muted small">
              {n.handed_over_count} alert{n.handed_over_count === 1 ? '' : 's'} handed over by {n.handed_over_by} at {formatAt(n.handed_over_at, tz)}
            </span>
          )}
        </div>
      )}

      <div className="handoff-sections">
        <section aria-labelledby="summary" className="panel">
          <h2 id="summary">Summary</h2>
          <ul>
            <li>Total alerts during the shift: {alertCount(n.summary)}</li>
            <li>
              Open at the handoff: {n.summary.triggered} triggered, {n.summary.acknowledged} acknowledged
            </li>
          </ul>
        </section>

        <section aria-labelledby="open-items">
          <h2 id="open-items">Open items</h2>
          {n.open.length === 0 ? <p className="muted">No alert was open at the handoff.</p> : <AlertRows alerts={n.open} tz={tz} caption="Alerts open at the handoff" />}
          {n.open_more > 0 && <p className="muted small">and {n.open_more} more open</p>}
        </section>

        <section aria-labelledby="watch">
          <h2 id="watch">Watch items</h2>
          {n.watch_items.length === 0 ? (
            <p className="muted">{n.outgoing ?? 'The outgoing person'} wrote none.</p>
          ) : (
            <ul className="handoff-list" aria-label="Watch items">
              {n.watch_items.map((w) => (
                <li key={w.id}>
                  <span>
                    {w.text}
                    {w.alert_id !== null && (
                      <>
                        {' '}
                        (<Link to={`/alerts/${w.alert_id}`}>alert #{w.alert_id}</Link>)
                      </>
                    )}
                  </span>
                  <span className="muted small">{w.author}</span>
                </li>
              ))}
            </ul>
          )}
        </section>

        {n.incidents && n.incidents.length > 0 && (
          <section aria-labelledby="incidents">
            <h2 id="incidents">Incidents</h2>
            <ul className="handoff-list" aria-label="Incidents">
              {n.incidents.map((i) => (
                <li key={i.id}>
                  <span>
                    <Link to={`/incidents/${i.id}`}>#{i.id}</Link> [{i.severity}] {i.title}: {i.status}
                    {i.commander !== null && `, commander ${i.commander}`}
                  </span>
                  <span className="muted small">
                    declared {formatAt(i.declared_at, tz)}
                    {i.resolved_at !== null && `, resolved ${formatAt(i.resolved_at, tz)}`}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}

        {n.maintenance && n.maintenance.length > 0 && (
          <section aria-labelledby="maintenance">
            <h2 id="maintenance">Upcoming maintenance</h2>
            <ul className="handoff-list" aria-label="Upcoming maintenance">
              {n.maintenance.map((m) => (
                <li key={`${m.name}-${m.starts_at}`}>
                  <span>
                    {m.name} ({m.scope}): {m.comment}; alerts opening in it page nobody
                  </span>
                  <span className="muted small">
                    {formatAt(m.starts_at, tz)} to {formatAt(m.ends_at, tz)}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}

        <section aria-labelledby="during">
          <h2 id="during">Alerts during the shift</h2>
          {n.alerts_by_severity.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            n.alerts_by_severity.map((g) => (
              <div key={g.severity}>
                <h3>
                  <SeverityBadge severity={g.severity} /> {g.count}
                </h3>
                <AlertRows alerts={g.alerts} tz={tz} caption={`${g.severity} alerts during the shift`} />
                {g.count > g.alerts.length && <p className="muted small">and {g.count - g.alerts.length} more</p>}
              </div>
            ))
          )}
        </section>

        <section aria-labelledby="changes">
          <h2 id="changes">Recent changes</h2>
          {n.changes.length === 0 ? (
            <p className="muted">No changes to the schedule, its services or policies during the shift.</p>
          ) : (
            <ul className="handoff-list" aria-label="Recent changes">
              {n.changes.map((c, i) => (
                <li key={`${c.at}-${i}`}>
                  <span>
                    {changeText(c)} by {c.actor}
                  </span>
                  <span className="muted small">{formatAt(c.at, tz)}</span>
                </li>
              ))}
            </ul>
          )}
          {n.changes_more > 0 && <p className="muted small">{n.changes_more} earlier changes not shown; see the audit log.</p>}
        </section>
      </div>

      <FormDialog
        open={confirm}
        title={`Hand over ${count} acknowledged alert${count === 1 ? '' : 's'}?`}
        submitLabel="Hand over"
        onClose={() => setConfirm(false)}
        onSubmit={async () => {
          const res = await api.post<{ handed_over: number[] }>(`/handoffs/${n.id}/hand-over`);
          toast.ok(res.handed_over.length ? `Handed ${res.handed_over.length} alert${res.handed_over.length === 1 ? '' : 's'} to ${n.incoming ?? 'the incoming person'}.` : 'Nothing left to hand over.');
          r.reload();
        }}
      >
        <p>
          {n.incoming ?? 'The incoming person'} will hold these, acknowledged, instead of {n.outgoing ?? 'the outgoing person'}:
        </p>
        <ul>
          {n.hand_over.alerts.map((a) => (
            <li key={a.id}>
              #{a.id} {a.summary}
            </li>
          ))}
        </ul>
      </FormDialog>
    </>
  );
}
