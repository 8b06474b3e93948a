import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { roleRank } from '../api/types';
import { useSession } from '../auth/session';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { Badge, SeverityBadge, StatusBadge } from '../ui/badge';
import { Button } from '../ui/button';
import { FormDialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { LoadError, Loading } from '../ui/states';
import { FullTime, RelativeTime } from '../ui/time';
import { useToast } from '../ui/toast';
import { IncidentStatusBadge, personLabel, useSeverities, useUsers } from './parts';
import { actionsFor, updateDraft, type UpdateDraft } from './template';
import { KEY_MOMENTS, ROLES, STATUSES, type IncidentDetail, type IncidentRole, type IncidentStatus } from './types';
import { SlaClocks } from './sla-clocks';
import { WarRoomPanel } from './war-room-panel';

export function IncidentPage({ id }: { id: number }) {
  const detail = useApi<IncidentDetail>(`/incidents/${id}`);
  useTitle(detail.data ? `${detail.data.incident.number} ${detail.data.incident.title}` : `Incident #${id}`);
  // The attached alerts' acknowledgements and resolutions show on the timeline as they happen.
  const attached = new Set(detail.data?.alerts.filter((a) => a.detached_at === null).map((a) => a.id) ?? []);
  useLive(
    () => detail.reload(),
    (e) => e.type === 'incident.updated' || (e.alert_id !== null && attached.has(e.alert_id)) || e.type === 'config.changed',
  );
  if (!detail.data) {
    return (
      <>
        <p>
          <Link to="/incidents">← Incidents</Link>
        </p>
        {detail.error ? <LoadError error={detail.error} onRetry={detail.reload} /> : <Loading what={`incident #${id}`} />}
      </>
    );
  }
  return <IncidentView detail={detail.data} reload={detail.reload} error={detail.error} />;
}

const NEXT_STATUS: Partial<Record<IncidentStatus, { to: IncidentStatus; label: string }[]>> = {
  investigating: [
    { to: 'identified', label: 'Identified' },
    { to: 'monitoring', label: 'Monitoring' },
    { to: 'resolved', label: 'Resolve' },
  ],
  identified: [
    { to: 'investigating', label: 'Investigating' },
    { to: 'monitoring', label: 'Monitoring' },
    { to: 'resolved', label: 'Resolve' },
  ],
  monitoring: [
    { to: 'investigating', label: 'Investigating' },
    { to: 'identified', label: 'Identified' },
    { to: 'resolved', label: 'Resolve' },
  ],
  resolved: [
    { to: 'closed', label: 'Close' },
    { to: 'investigating', label: 'Reopen' },
  ],
};

function IncidentView({ detail, reload, error }: { detail: IncidentDetail; reload: () => void; error: unknown }) {
  const { incident: i, roles, updates, timeline, alerts } = detail;
  const { user } = useSession();
  const canAct = roleRank(user?.role ?? 'viewer') >= roleRank('responder') && i.status !== 'closed';
  const why = i.status === 'closed' ? 'The incident is closed; closed is final.' : !canAct ? `Your role (${user?.role}) cannot act on incidents.` : undefined;
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'role' | 'severity' | null>(null);

  const run = async (key: string, fn: () => Promise<unknown>, done: string) => {
    setBusy(key);
    try {
      await fn();
      toast.ok(done);
      reload();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <p>
        <Link to="/incidents">← Incidents</Link>
      </p>
      <h1>
        <span className="muted">{i.number}</span> {i.title}
      </h1>
      <div className="row">
        <IncidentStatusBadge status={i.status} />
        <SeverityBadge severity={i.severity} />
        {i.services.length > 0 && <span>affecting {i.services.map((s) => s.name ?? s.id).join(', ')}</span>}
        {i.next_update_at &&
          (i.update_overdue ? (
            <Badge tone="danger">status update overdue</Badge>
          ) : (
            <span className="muted">
              next update due <RelativeTime at={i.next_update_at} />
            </span>
          ))}
      </div>
      <SlaClocks clocks={i.sla} />
      {error !== undefined && error !== null && <LoadError error={error} onRetry={reload} />}

      <div className="actions" role="group" aria-label="Status">
        {(NEXT_STATUS[i.status] ?? []).map((n) => (
          <Button
            key={n.to}
            variant={n.to === 'resolved' ? 'primary' : 'secondary'}
            disabled={!canAct}
            title={why}
            busy={busy === n.to}
            onClick={() => void run(n.to, () => api.patch(`/incidents/${i.id}`, { status: n.to }), `${i.number} is ${n.to}.`)}
          >
            {n.label}
          </Button>
        ))}
        <Button disabled={!canAct} title={why} onClick={() => setDialog('severity')}>
          Change severity
        </Button>
      </div>

      <div className="grid-cards">
        <section className="panel" aria-labelledby="roles">
          <h2 id="roles" style={{ marginTop: 0 }}>
            Roles
          </h2>
          <dl className="kv">
            {ROLES.map((r) => {
              const holders = roles.filter((x) => x.role === r);
              return (
                <div key={r} style={{ display: 'contents' }}>
                  <dt>{detail.role_names[r]}</dt>
                  <dd>
                    {holders.length ? (
                      holders.map((h) => (
                        <div key={h.user} className="row">
                          {personLabel({ name: h.user, full_name: h.full_name })}
                          <Button
                            small
                            disabled={!canAct}
                            title={why}
                            aria-label={`Relieve ${h.user} as ${detail.role_names[r]}`}
                            busy={busy === `relieve:${r}:${h.user}`}
                            onClick={() => void run(`relieve:${r}:${h.user}`, () => api.post(`/incidents/${i.id}/roles/relieve`, { role: r, user: h.user }), `${h.user} is no longer ${detail.role_names[r]}.`)}
                          >
                            Relieve
                          </Button>
                        </div>
                      ))
                    ) : (
                      <span className="muted">{r === 'commander' && i.commander_required ? 'required: assign one' : 'nobody'}</span>
                    )}
                  </dd>
                </div>
              );
            })}
          </dl>
          <p>
            <Button small disabled={!canAct} title={why} onClick={() => setDialog('role')}>
              Assign a role
            </Button>
          </p>
        </section>
        <section className="panel" aria-labelledby="facts">
          <h2 id="facts" style={{ marginTop: 0 }}>
            Facts
          </h2>
          <dl className="kv">
            <dt>Declared</dt>
            <dd>
              <FullTime at={i.declared_at} /> by {i.declared_by}
            </dd>
            <dt>Slug</dt>
            <dd className="mono">{i.slug}</dd>
            <dt>Update every</dt>
            <dd>{i.update_every_minutes ? `${i.update_every_minutes} minutes` : 'no cadence for this severity'}</dd>
            <dt>Post-mortem</dt>
            <dd>
              <Link to={`/incidents/${i.id}/postmortem`}>Post-mortem</Link>
            </dd>
            {i.resolved_at && (
              <>
                <dt>Resolved</dt>
                <dd>
                  <FullTime at={i.resolved_at} />
                </dd>
              </>
            )}
            {i.closed_at && (
              <>
                <dt>Closed</dt>
                <dd>
                  <FullTime at={i.closed_at} />
                </dd>
              </>
            )}
          </dl>
          <h3>Alerts</h3>
          {alerts.filter((a) => a.detached_at === null).length ? (
            <ul>
              {alerts
                .filter((a) => a.detached_at === null)
                .map((a) => (
                  <li key={a.id}>
                    <Link to={`/alerts/${a.id}`}>#{a.id}</Link> {a.status && <StatusBadge status={a.status} />} {a.service}: {a.summary}{' '}
                    <Button small disabled={!canAct} title={why} aria-label={`Detach alert #${a.id}`} busy={busy === `detach:${a.id}`} onClick={() => void run(`detach:${a.id}`, () => api.del(`/incidents/${i.id}/alerts/${a.id}`), `Alert #${a.id} detached.`)}>
                      Detach
                    </Button>
                  </li>
                ))}
            </ul>
          ) : (
            <p className="muted">No alerts attached.</p>
          )}
          <AttachForm incidentId={i.id} disabled={!canAct} onDone={reload} />
        </section>
      </div>

      <WarRoomPanel incidentId={i.id} status={i.status} canAct={canAct} why={why} />

      {/* Keyed by the last update: after a post (ours or anyone's) the form starts again from the template. */}
      {i.status !== 'closed' && <UpdateForm key={updates[0]?.id ?? 0} detail={detail} disabled={!canAct} onPosted={reload} />}

      {updates.length > 0 && (
        <section aria-labelledby="updates">
          <h2 id="updates">Status updates</h2>
          {updates.map((u) => (
            <article key={u.id} className="panel" style={{ marginBottom: '0.5rem' }}>
              <div className="muted small">
                <FullTime at={u.at} /> · {u.author}
              </div>
              <dl className="kv">
                <dt>Status</dt>
                <dd>{u.status}</dd>
                <dt>Impact</dt>
                <dd>{u.impact}</dd>
                <dt>Current actions</dt>
                <dd>{u.actions}</dd>
                <dt>Next update</dt>
                <dd>{u.next_update_at ? <FullTime at={u.next_update_at} /> : '—'}</dd>
              </dl>
            </article>
          ))}
        </section>
      )}

      <section aria-labelledby="timeline">
        <h2 id="timeline">Timeline</h2>
        <ol className="timeline" aria-label="Incident timeline">
          {timeline.map((ev) => (
            <li key={ev.id}>
              <div>
                <strong>{ev.kind.replace(/_/g, ' ')}</strong>
                {ev.message && <> — {ev.message}</>}
              </div>
              <div className="muted small">
                {ev.actor.name} via {ev.surface} · <FullTime at={ev.at} />
              </div>
            </li>
          ))}
        </ol>
        <NoteForm incidentId={i.id} disabled={!canAct} onAdded={reload} />
      </section>

      {dialog === 'role' && <RoleDialog detail={detail} onClose={() => setDialog(null)} onDone={reload} />}
      {dialog === 'severity' && <SeverityDialog detail={detail} onClose={() => setDialog(null)} onDone={reload} />}
    </>
  );
}

function UpdateForm({ detail, disabled, onPosted }: { detail: IncidentDetail; disabled: boolean; onPosted: () => void }) {
  const toast = useToast();
  const [draft, setDraft] = useState<UpdateDraft>(() => updateDraft(detail));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/incidents/${detail.incident.id}/updates`, { status: draft.status, impact: draft.impact, actions: draft.actions, next_update_in_minutes: draft.nextInMinutes });
      toast.ok(`Status update posted; next one due in ${draft.nextInMinutes} minutes.`);
      onPosted();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-label="Status update" style={{ marginTop: '1rem' }}>
      <h2 style={{ marginTop: 0 }}>Post a status update</h2>
      <div className="row">
        <Field label="Status">
          <select value={draft.status} onChange={(e) => setDraft((d) => ({ ...d, status: e.target.value as UpdateDraft['status'], actions: actionsFor(d, e.target.value as UpdateDraft['status'], detail.incident.title) }))}>
            {STATUSES.filter((s) => s !== 'closed').map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Next update in (minutes)">
          <input type="number" min={1} max={1440} value={draft.nextInMinutes} onChange={(e) => setDraft((d) => ({ ...d, nextInMinutes: Number(e.target.value) }))} />
        </Field>
      </div>
      <Field label="Impact" hint="Who or what is affected, e.g. “EU checkout fails for all users”">
        <textarea rows={2} value={draft.impact} onChange={(e) => setDraft((d) => ({ ...d, impact: e.target.value }))} required />
      </Field>
      <Field label="Current actions" hint="What is being done now" error={error}>
        <textarea rows={2} value={draft.actions} onChange={(e) => setDraft((d) => ({ ...d, actions: e.target.value }))} required />
      </Field>
      <Button type="submit" variant="primary" disabled={disabled} busy={busy}>
        Post update
      </Button>
    </form>
  );
}

function AttachForm({ incidentId, disabled, onDone }: { incidentId: number; disabled: boolean; onDone: () => void }) {
  const toast = useToast();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const n = Number(value.trim().replace(/^#/, ''));
    if (!Number.isInteger(n) || n < 1) {
      setError('Give an alert number, e.g. 12.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.post(`/incidents/${incidentId}/alerts`, { alerts: [n] });
      setValue('');
      toast.ok(`Alert #${n} attached.`);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="row" onSubmit={(e) => void submit(e)} aria-label="Attach an alert">
      <Field label="Attach alert" error={error}>
        <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="#12" size={6} disabled={disabled} />
      </Field>
      <Button type="submit" small disabled={disabled} busy={busy}>
        Attach
      </Button>
    </form>
  );
}

function NoteForm({ incidentId, disabled, onAdded }: { incidentId: number; disabled: boolean; onAdded: () => void }) {
  const toast = useToast();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const send = async (moment?: string) => {
    if (!moment && !text.trim()) {
      setError('Write the note first.');
      return;
    }
    setBusy(moment ?? 'note');
    setError(null);
    try {
      await api.post(`/incidents/${incidentId}/notes`, { text: text.trim(), ...(moment ? { moment } : {}) });
      setText('');
      toast.ok(moment ? 'Key moment marked on the timeline.' : 'Note added to the timeline.');
      onAdded();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
      style={{ marginTop: '1rem', maxWidth: '40rem' }}
    >
      <Field label="Note" error={error} hint="Goes on the timeline. Or mark a key moment, with this text as its detail.">
        <textarea value={text} onChange={(e) => setText(e.target.value)} disabled={disabled} />
      </Field>
      <div className="actions" role="group" aria-label="Key moments">
        <Button type="submit" disabled={disabled} busy={busy === 'note'}>
          Add note
        </Button>
        {KEY_MOMENTS.map((k) => (
          <Button key={k.moment} disabled={disabled} busy={busy === k.moment} onClick={() => void send(k.moment)}>
            {k.label}
          </Button>
        ))}
      </div>
    </form>
  );
}

function RoleDialog({ detail, onClose, onDone }: { detail: IncidentDetail; onClose: () => void; onDone: () => void }) {
  const users = useUsers();
  const toast = useToast();
  const [role, setRole] = useState<IncidentRole>(detail.roles.some((r) => r.role === 'commander') ? 'sme' : 'commander');
  const [person, setPerson] = useState('');
  const [page, setPage] = useState(false);
  return (
    <FormDialog
      open
      title={`Assign a role in ${detail.incident.number}`}
      submitLabel="Assign"
      onClose={onClose}
      onSubmit={async () => {
        if (!person) throw new Error('Choose a person.');
        await api.post(`/incidents/${detail.incident.id}/roles`, { role, user: person, ...(page ? { page: true } : {}) });
        toast.ok(`${person} is ${detail.role_names[role]}; ${page ? 'paged' : 'notified'}.`);
        onDone();
      }}
    >
      <Field label="Role" hint="Commander, ops lead and communications lead have one holder: assigning hands the role over.">
        <select value={role} onChange={(e) => setRole(e.target.value as IncidentRole)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {detail.role_names[r]}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Person">
        <select value={person} onChange={(e) => setPerson(e.target.value)}>
          <option value="">Choose…</option>
          {users.map((u) => (
            <option key={u.name} value={u.name}>
              {personLabel(u)}
            </option>
          ))}
        </select>
      </Field>
      <label className="row">
        <input type="checkbox" checked={page} onChange={(e) => setPage(e.target.checked)} /> Page them (their high-urgency methods) instead of a notice
      </label>
    </FormDialog>
  );
}

function SeverityDialog({ detail, onClose, onDone }: { detail: IncidentDetail; onClose: () => void; onDone: () => void }) {
  const severities = useSeverities();
  const toast = useToast();
  const [severity, setSeverity] = useState(detail.incident.severity);
  return (
    <FormDialog
      open
      title={`Severity of ${detail.incident.number}`}
      submitLabel="Change"
      onClose={onClose}
      onSubmit={async () => {
        await api.patch(`/incidents/${detail.incident.id}`, { severity });
        toast.ok(`${detail.incident.number} is ${severity} now.`);
        onDone();
      }}
    >
      <p>The update cadence follows the new severity, counted from the last update.</p>
      <Field label="Severity">
        <select value={severity} onChange={(e) => setSeverity(e.target.value)}>
          {severities.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </Field>
    </FormDialog>
  );
}
