import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { roleRank, type Alert, type AlertDetail, type EscalationPolicy, type Page, type User } from '../api/types';
import { useSession } from '../auth/session';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { Badge, SeverityBadge, StatusBadge } from '../ui/badge';
import { Button } from '../ui/button';
import { FormDialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { Table } from '../ui/table';
import { LoadError, Loading } from '../ui/states';
import { FullTime, RelativeTime } from '../ui/time';
import { useToast } from '../ui/toast';
import { GroupSection } from './group-section';
import { DeclareIncidentButton } from '../incidents/declare-button';
import { NotActionableButton } from './not-actionable-button';

const SNOOZE_CHOICES = [15, 30, 60, 120, 240, 480, 1440];

export function recurrenceText(r: AlertDetail['recurrence']): string {
  const times = r.fired === 1 ? 'once' : `${r.fired} times`;
  const alerts = r.alerts > 1 ? ` across ${r.alerts} alerts` : '';
  return `Fired ${times} in the last ${r.window_days} days${alerts}.`;
}

function pageTone(status: string): 'ok' | 'warn' | 'danger' | undefined {
  if (status === 'sent' || status === 'delivered') return 'ok';
  if (status === 'failed') return 'danger';
  if (status === 'pending' || status === 'sending') return 'warn';
  return undefined;
}

/** The state a person reads: "queued", "held (noise limit)", "sending", "sent", "delivered"… */
export function deliveryState(p: Pick<Page, 'status' | 'held'>): string {
  if (p.status === 'pending') return p.held ? 'held (noise limit)' : 'queued';
  return p.status;
}

/** Every attempt with the provider's answer, one per line, for the attempts cell's tooltip. */
function attemptsTitle(p: Page): string {
  return p.attempt_log.map((a, i) => `${i + 1}. ${a.outcome}${a.error ? `: ${a.error}` : ''} (${a.duration_ms} ms)`).join('\n');
}

function DeliveryTime({ page: p }: { page: Page }) {
  if (p.delivered_at) return <>delivered <RelativeTime at={p.delivered_at} /></>;
  if (p.sent_at) return <>sent <RelativeTime at={p.sent_at} /></>;
  if (p.status === 'pending' && p.due_at) return <>{p.held ? 'goes out' : 'due'} <RelativeTime at={p.due_at} /></>;
  return <>—</>;
}

export function AlertPage({ id }: { id: number }) {
  const detail = useApi<AlertDetail>(`/alerts/${id}`);
  useTitle(detail.data ? `#${id} ${detail.data.alert.summary}` : `Alert #${id}`);
  useLive(
    () => detail.reload(),
    (e) => e.alert_id === id || e.type === 'config.changed',
  );

  if (!detail.data) {
    return (
      <>
        <p>
          <Link to="/alerts">← Alerts</Link>
        </p>
        {detail.error ? <LoadError error={detail.error} onRetry={detail.reload} /> : <Loading what={`alert #${id}`} />}
      </>
    );
  }
  return <AlertView detail={detail.data} reload={detail.reload} error={detail.error} />;
}

function AlertView({ detail, reload, error }: { detail: AlertDetail; reload: () => void; error: unknown }) {
  const { alert: a, recurrence, timeline, pages } = detail;
  const { user } = useSession();
  const canAct = roleRank(user?.role ?? 'viewer') >= roleRank('responder');
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'resolve' | 'snooze' | 'reassign' | null>(null);
  const [resolveNote, setResolveNote] = useState('');
  const [snoozeMinutes, setSnoozeMinutes] = useState(60);
  const [reassignTo, setReassignTo] = useState('');
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);

  const post = async (action: string, body: unknown = {}) => {
    const r = await api.post<{ alert: Alert | null }>(`/alerts/${a.id}/${action}`, body);
    reload();
    return r.alert;
  };

  const quick = async (action: 'acknowledge' | 'escalate', done: (x: Alert | null) => string) => {
    setBusy(action);
    try {
      toast.ok(done(await post(action)));
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const addNote = async (e: FormEvent) => {
    e.preventDefault();
    if (!note.trim()) {
      setNoteError('Write the note first.');
      return;
    }
    setBusy('note');
    setNoteError(null);
    try {
      await post('notes', { text: note.trim() });
      setNote('');
      toast.ok('Note added to the timeline.');
    } catch (err) {
      setNoteError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  const resolved = a.status === 'resolved';
  const why = !canAct ? `Your role (${user?.role}) cannot act on alerts.` : undefined;
  const links = Array.isArray(a.links) ? a.links : [];
  const labels = Object.entries(a.labels ?? {});

  return (
    <>
      <p>
        <Link to="/alerts">← Alerts</Link>
      </p>
      <h1>
        <span className="muted">#{a.id}</span> {a.summary}
      </h1>
      <div className="row">
        <StatusBadge status={a.status} />
        <SeverityBadge severity={a.severity} />
        <span>
          on <Link to={`/alerts?service=${encodeURIComponent(a.service.name ?? a.service.id)}`}>{a.service.name ?? a.service.id}</Link>
        </span>
        {a.snoozed_until && (
          <Badge tone="warn">
            snoozed until <FullTime at={a.snoozed_until} />
          </Badge>
        )}
        {a.silenced_by && (
          <span>
            <Badge tone="warn">silenced</Badge> pages nobody while <Link to={`/silences/${encodeURIComponent(a.silenced_by)}`}>its silence</Link> lasts
          </span>
        )}
        {a.maintenance_by && (
          <span>
            <Badge tone="warn">in maintenance</Badge> pages nobody until <Link to={`/maintenance/${encodeURIComponent(a.maintenance_by)}`}>the window</Link> ends
          </span>
        )}
      </div>
      {error !== undefined && error !== null && <LoadError error={error} onRetry={reload} />}

      <div className="actions" role="group" aria-label="Actions">
        <Button variant="primary" disabled={!canAct || a.status !== 'triggered'} busy={busy === 'acknowledge'} title={why ?? (a.status !== 'triggered' ? `Already ${a.status}` : 'Stop escalating; you are on it')} onClick={() => void quick('acknowledge', () => `Acknowledged alert #${a.id}. Escalation stopped.`)}>
          Acknowledge
        </Button>
        <Button disabled={!canAct || resolved} title={why} onClick={() => setDialog('resolve')}>
          Resolve
        </Button>
        <Button
          disabled={!canAct || resolved}
          busy={busy === 'escalate'}
          title={why ?? 'Page the next level now'}
          onClick={() => void quick('escalate', (x) => `Escalated alert #${a.id}${x?.escalation.level ? ` to level ${x.escalation.level}` : ''}.`)}
        >
          Escalate
        </Button>
        <Button disabled={!canAct || resolved} title={why} onClick={() => setDialog('snooze')}>
          Snooze
        </Button>
        <Button disabled={!canAct || resolved} title={why} onClick={() => setDialog('reassign')}>
          Reassign
        </Button>
        <DeclareIncidentButton alert={a} disabled={!canAct} title={why} />
        <NotActionableButton alertId={a.id} mark={detail.not_actionable} disabled={!canAct} title={why} onChanged={reload} />
      </div>

      <GroupSection alert={a} members={detail.group_members ?? []} />

      <div className="grid-cards">
        <section className="panel" aria-labelledby="facts">
          <h2 id="facts" style={{ marginTop: 0 }}>
            Facts
          </h2>
          <dl className="kv">
            <dt>First seen</dt>
            <dd>
              <FullTime at={a.first_seen_at} />
            </dd>
            <dt>Last seen</dt>
            <dd>
              <FullTime at={a.last_seen_at} />
            </dd>
            <dt>Count</dt>
            <dd>{a.count}</dd>
            <dt>Recurrence</dt>
            <dd>{recurrenceText(recurrence)}</dd>
            <dt>Escalation</dt>
            <dd>
              {a.escalation.policy ? (
                <>
                  <Link to="/escalation-policies">{a.escalation.policy.name ?? a.escalation.policy.id}</Link>
                  {a.escalation.level !== null && `, level ${a.escalation.level} of ${a.escalation.levels}`}
                  {a.escalation.next_escalation_at && !resolved && (
                    <>
                      , next <RelativeTime at={a.escalation.next_escalation_at} />
                    </>
                  )}
                </>
              ) : (
                'No escalation policy'
              )}
            </dd>
            {a.acknowledged_at && (
              <>
                <dt>Acknowledged</dt>
                <dd>
                  <FullTime at={a.acknowledged_at} />
                  {a.acknowledged_by && ` by ${a.acknowledged_by}`}
                </dd>
              </>
            )}
            {a.resolved_at && (
              <>
                <dt>Resolved</dt>
                <dd>
                  <FullTime at={a.resolved_at} />
                  {a.resolved_by && ` by ${a.resolved_by}`}
                </dd>
              </>
            )}
            <dt>Dedup key</dt>
            <dd className="mono">{a.dedup_key}</dd>
            {a.source && (
              <>
                <dt>Source</dt>
                <dd>{a.source}</dd>
              </>
            )}
            {a.component && (
              <>
                <dt>Component</dt>
                <dd>{a.component}</dd>
              </>
            )}
          </dl>
        </section>
        <section className="panel" aria-labelledby="labels">
          <h2 id="labels" style={{ marginTop: 0 }}>
            Labels
          </h2>
          {labels.length ? (
            <dl className="kv">
              {labels.map(([k, v]) => (
                <div key={k} style={{ display: 'contents' }}>
                  <dt className="mono">{k}</dt>
                  <dd className="mono">{v}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p className="muted">No labels.</p>
          )}
          {a.runbook && (a.runbook.url || a.runbook.steps) && (
            <section aria-label="Runbook">
              <h3>Runbook</h3>
              {a.runbook.url && /^https?:\/\//.test(a.runbook.url) && (
                <p>
                  <a href={a.runbook.url} target="_blank" rel="noreferrer noopener">
                    {a.runbook.url}
                  </a>
                </p>
              )}
              {a.runbook.steps && <pre className="runbook">{a.runbook.steps}</pre>}
            </section>
          )}
          <h3>Links</h3>
          {links.length ? (
            <ul>
              {links.map((l) => (
                <li key={l.href}>
                  <a href={l.href} target="_blank" rel="noreferrer noopener">
                    {l.text || l.href}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No links. Senders can attach a runbook link to each alert.</p>
          )}
        </section>
      </div>

      {a.details !== null && a.details !== undefined && (
        <section aria-labelledby="details">
          <h2 id="details">Details</h2>
          <pre>{JSON.stringify(a.details, null, 2)}</pre>
        </section>
      )}

      <section aria-labelledby="deliveries">
        <h2 id="deliveries">Deliveries</h2>
        {pages.length ? (
          <Table caption="Every page sent for this alert, with its state and attempts">
            <thead>
              <tr>
                <th>Person</th>
                <th>Channel</th>
                <th>Destination</th>
                <th className="num">Level</th>
                <th>State</th>
                <th className="num">Attempts</th>
                <th>When</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {pages.map((p) => (
                <tr key={p.id}>
                  <td>{p.to_channel ? `#${p.to_channel}` : (p.user.name ?? p.user.id)}</td>
                  <td>
                    {p.channel}
                    {p.contact_method && <span className="muted small"> ({p.contact_method})</span>}
                  </td>
                  <td className="mono">{p.destination}</td>
                  <td className="num">{p.level}</td>
                  <td>
                    <Badge tone={pageTone(p.status)}>{deliveryState(p)}</Badge>
                    {p.bundled_with !== null && <div className="muted small">in one message with other alerts</div>}
                  </td>
                  <td className="num" title={attemptsTitle(p)}>
                    {p.attempts}
                  </td>
                  <td>
                    <DeliveryTime page={p} />
                  </td>
                  <td>{p.last_error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : (
          <p className="muted">No deliveries yet.</p>
        )}
      </section>

      <section aria-labelledby="timeline">
        <h2 id="timeline">Timeline</h2>
        <ol className="timeline">
          {timeline.map((ev) => (
            <li key={ev.id}>
              <div>
                <strong>{ev.kind.replace(/_/g, ' ')}</strong>
                {ev.message && <> — {ev.message}</>}
              </div>
              <div className="muted small">
                {ev.actor.name ?? ev.actor.kind} via {ev.surface} · <RelativeTime at={ev.at} />
              </div>
            </li>
          ))}
        </ol>
        <form onSubmit={addNote} style={{ marginTop: '1rem', maxWidth: '40rem' }}>
          <Field label="Note" error={noteError} hint="Goes on the timeline for everyone on this alert.">
            <textarea value={note} onChange={(e) => setNote(e.target.value)} disabled={!canAct} />
          </Field>
          <Button type="submit" disabled={!canAct} busy={busy === 'note'}>
            Add note
          </Button>
        </form>
      </section>

      <FormDialog open={dialog === 'resolve'} title={`Resolve alert #${a.id}?`} submitLabel="Resolve" onClose={() => setDialog(null)} onSubmit={async () => {
        await post('resolve', resolveNote.trim() ? { note: resolveNote.trim() } : {});
        setResolveNote('');
        toast.ok(`Resolved alert #${a.id}.`);
      }}>
        <p>Escalation stops and the alert closes. A new event with the same dedup key opens a new alert.</p>
        <Field label="Resolution note (optional)">
          <textarea value={resolveNote} onChange={(e) => setResolveNote(e.target.value)} />
        </Field>
      </FormDialog>

      <FormDialog open={dialog === 'snooze'} title={`Snooze alert #${a.id}`} submitLabel="Snooze" onClose={() => setDialog(null)} onSubmit={async () => {
        await post('snooze', { minutes: snoozeMinutes });
        toast.ok(`Snoozed alert #${a.id} for ${snoozeMinutes} minutes.`);
      }}>
        <p>Acknowledges the alert now. When the time is up it triggers again and pages its current level.</p>
        <Field label="Minutes">
          <select value={snoozeMinutes} onChange={(e) => setSnoozeMinutes(Number(e.target.value))}>
            {SNOOZE_CHOICES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </Field>
      </FormDialog>

      <ReassignDialog open={dialog === 'reassign'} alertId={a.id} value={reassignTo} onChange={setReassignTo} onClose={() => setDialog(null)} onSubmit={async () => {
        const [kind, name] = splitTarget(reassignTo);
        if (!name) throw new Error('Choose a person or an escalation policy.');
        await post('reassign', kind === 'user' ? { user: name } : { escalation_policy: name });
        toast.ok(`Reassigned alert #${a.id} to ${name}.`);
      }} />
    </>
  );
}

function splitTarget(v: string): [string, string] {
  const i = v.indexOf(':');
  return i < 0 ? ['', ''] : [v.slice(0, i), v.slice(i + 1)];
}

function ReassignDialog(props: { open: boolean; alertId: number; value: string; onChange: (v: string) => void; onClose: () => void; onSubmit: () => Promise<void> }) {
  const users = useApi<{ users: User[] }>(props.open ? '/users' : null);
  const policies = useApi<{ escalation_policies: EscalationPolicy[] }>(props.open ? '/escalation-policies' : null);
  return (
    <FormDialog open={props.open} title={`Reassign alert #${props.alertId}`} submitLabel="Reassign" onClose={props.onClose} onSubmit={props.onSubmit}>
      <p>The new assignee is paged now: a person directly, a policy from its first level.</p>
      <Field label="Reassign to" error={users.error || policies.error ? errorMessage(users.error ?? policies.error) : null}>
        <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          <option value="">Choose…</option>
          <optgroup label="People">
            {users.data?.users.map((u) => (
              <option key={u.name} value={`user:${u.name}`}>
                {u.full_name ? `${u.full_name} (${u.name})` : u.name}
              </option>
            ))}
          </optgroup>
          <optgroup label="Escalation policies">
            {policies.data?.escalation_policies.map((p) => (
              <option key={p.name} value={`policy:${p.name}`}>
                {p.name}
              </option>
            ))}
          </optgroup>
        </select>
      </Field>
    </FormDialog>
  );
}
