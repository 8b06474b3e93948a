import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { roleRank } from '../api/types';
import { useSession } from '../auth/session';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { useToast } from '../ui/toast';
import { alertCount, formatAt, viewerZone } from './format';
import './handoffs.css';
import type { NoteList, WatchItems } from './types';

export { HandoffNotePage } from './handoff-note-page';

/** Watch items of the shifts the signed-in person is on call in now, and the form to add one. */
function WatchItemsSection({ canAct }: { canAct: boolean }) {
  const toast = useToast();
  const r = useApi<WatchItems>('/handoffs/watch-items');
  const [text, setText] = useState('');
  const [alertId, setAlertId] = useState('');
  const [schedule, setSchedule] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field?: string; message: string } | null>(null);
  const shifts = r.data?.shifts ?? [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!text.trim()) {
      setError({ field: 'text', message: 'Say what to keep an eye on and why.' });
      return;
    }
    const n = alertId.trim() === '' ? null : Number(alertId);
    if (n !== null && (!Number.isInteger(n) || n < 1)) {
      setError({ field: 'alert_id', message: 'An alert number, like 42, or leave it empty.' });
      return;
    }
    setBusy(true);
    try {
      await api.post('/handoffs/watch-items', { text: text.trim(), ...(n !== null ? { alert_id: n } : {}), ...(schedule || shifts.length === 1 ? { schedule: schedule || shifts[0]?.schedule } : {}) });
      toast.ok('Watch item added; it goes into the next handoff note.');
      setText('');
      setAlertId('');
      r.reload();
    } catch (err) {
      const field = (err as { field?: string }).field;
      setError({ ...(field ? { field } : {}), message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: string) => {
    try {
      await api.del(`/handoffs/watch-items/${encodeURIComponent(id)}`);
      toast.ok('Watch item removed.');
      r.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };

  return (
    <section aria-labelledby="watch-items" className="panel handoff-watch">
      <h2 id="watch-items">Watch items for the next person on call</h2>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="your watch items" />
      ) : shifts.length === 0 ? (
        <p className="muted">You are not on call now. Watch items belong to the shift under way; they go into its handoff note.</p>
      ) : (
        <>
          <p className="small">
            On call now in {shifts.map((s) => (
              <span key={s.schedule}>
                <Link to={`/schedules/${encodeURIComponent(s.schedule)}`}>{s.schedule}</Link>
                {s.end ? ` until ${formatAt(s.end, viewerZone())}` : ''}{' '}
              </span>
            ))}
          </p>
          {r.data.items.length === 0 ? (
            <p className="muted">No watch items yet.</p>
          ) : (
            <ul className="handoff-list" aria-label="Your watch items">
              {r.data.items.map((w) => (
                <li key={w.id}>
                  <span>
                    {w.text}
                    {w.alert_id !== null && (
                      <>
                        {' '}
                        (<Link to={`/alerts/${w.alert_id}`}>alert #{w.alert_id}</Link>)
                      </>
                    )}
                    <span className="muted small"> · {w.schedule}</span>
                  </span>
                  {canAct && (
                    <Button small variant="ghost" aria-label={`Remove watch item: ${w.text}`} onClick={() => void remove(w.id)}>
                      Remove
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {canAct && (
            <form className="handoff-form" onSubmit={submit} noValidate>
              <Field label="Watch item" hint="What to keep an eye on and why, e.g. “db1 disk grows 2% a day; expand before Wednesday”." error={error?.field === 'text' ? error.message : null}>
                <input type="text" maxLength={500} value={text} onChange={(e) => setText(e.target.value)} />
              </Field>
              <Field label="Alert number" hint="Optional." error={error?.field === 'alert_id' ? error.message : null}>
                <input type="text" inputMode="numeric" value={alertId} onChange={(e) => setAlertId(e.target.value)} />
              </Field>
              {shifts.length > 1 && (
                <Field label="Schedule" error={error?.field === 'schedule' ? error.message : null}>
                  <select value={schedule} onChange={(e) => setSchedule(e.target.value)}>
                    <option value="">Choose a schedule</option>
                    {shifts.map((s) => (
                      <option key={s.schedule} value={s.schedule}>
                        {s.schedule}
                      </option>
                    ))}
                  </select>
                </Field>
              )}
              {error && !['text', 'alert_id', 'schedule'].includes(error.field ?? '') && (
                <p role="alert" className="notice notice-error">
                  {error.message}
                </p>
              )}
              <div className="row">
                <Button type="submit" variant="primary" busy={busy}>
                  Add watch item
                </Button>
              </div>
            </form>
          )}
        </>
      )}
    </section>
  );
}

export function HandoffsPage() {
  useTitle('Handoffs');
  const { user } = useSession();
  const canAct = roleRank(user?.role ?? 'viewer') >= roleRank('responder');
  const r = useApi<NoteList>('/handoffs', { limit: 50 });
  return (
    <>
      <div className="spread">
        <h1>Handoffs</h1>
        {r.data && r.data.unread !== null && (
          <span data-testid="unread-count" className={r.data.unread ? 'badge badge-warn' : 'muted'}>
            {r.data.unread === 0 ? 'All notes read' : `${r.data.unread} unread`}
          </span>
        )}
      </div>
      <p className="muted">A handoff note is written at each shift change and goes to the person coming on call. Yours and your schedules’ are listed here.</p>
      <WatchItemsSection canAct={canAct} />
      <section aria-labelledby="notes">
        <h2 id="notes">Handoff notes</h2>
        {r.error ? (
          <LoadError error={r.error} onRetry={r.reload} />
        ) : !r.data ? (
          <Loading what="handoff notes" />
        ) : r.data.notes.length === 0 ? (
          <p className="panel">No handoff notes yet. One is written at each shift change of your schedules.</p>
        ) : (
          <Table caption="Handoff notes, newest first">
            <thead>
              <tr>
                <th scope="col">Handoff</th>
                <th scope="col">Schedule</th>
                <th scope="col">From → to</th>
                <th scope="col">Alerts</th>
                <th scope="col">Open</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {r.data.notes.map((n) => {
                const forMe = n.incoming === user?.name;
                return (
                  <tr key={n.id}>
                    <td>
                      <Link to={`/handoffs/${n.id}`}>{formatAt(n.handoff_at, n.time_zone)}</Link>
                    </td>
                    <td>{n.schedule}</td>
                    <td>
                      {n.outgoing ?? 'nobody'} → {forMe ? <strong>{n.incoming} (you)</strong> : (n.incoming ?? 'nobody')}
                    </td>
                    <td>{alertCount(n.summary)}</td>
                    <td>{n.summary.triggered + n.summary.acknowledged}</td>
                    <td>{n.read_at ? <span className="muted">Read by {n.read_by}</span> : <Badge tone={forMe ? 'warn' : undefined}>Unread</Badge>}</td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </section>
    </>
  );
}
