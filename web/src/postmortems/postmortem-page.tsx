import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client';
import { roleRank } from '../api/types';
import { useSession } from '../auth/session';
import { personLabel, useUsers } from '../incidents/parts';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { Badge, SeverityBadge } from '../ui/badge';
import { Button } from '../ui/button';
import { FormDialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { problemLines } from '../ui/form-footer';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { FullTime } from '../ui/time';
import { useToast } from '../ui/toast';
import { ITEM_STATUS_LABELS, ITEM_STATUSES, type ActionItem, type Deadline, type Postmortem } from './types';

const STATE_TONE: Record<Deadline['state'], 'ok' | 'warn' | 'danger' | undefined> = { met: 'ok', overdue: 'danger', due: undefined, moot: undefined };
const STATUS_WORD: Record<Postmortem['status'], string> = { draft: 'draft', in_review: 'in review', complete: 'complete' };

export function PostmortemStatusBadge({ status }: { status: Postmortem['status'] }) {
  return <Badge tone={status === 'complete' ? 'ok' : status === 'in_review' ? 'warn' : undefined}>{STATUS_WORD[status]}</Badge>;
}

/** The post-mortem of incident `id`: its text, deadlines and action items. */
export function PostmortemPage({ id }: { id: number }) {
  const r = useApi<{ postmortem: Postmortem }>(`/incidents/${id}/postmortem`);
  useTitle(r.data ? `Post-mortem ${r.data.postmortem.incident.number} ${r.data.postmortem.incident.title}` : `Post-mortem of incident #${id}`);
  useLive(
    () => r.reload(),
    (e) => e.type === 'incident.updated' || e.type === 'config.changed',
  );
  const back = (
    <p>
      <Link to={`/incidents/${id}`}>← Incident #{id}</Link> · <Link to="/postmortems">All post-mortems</Link>
    </p>
  );
  if (!r.data) {
    const missing = r.error instanceof ApiError && r.error.status === 404 && r.error.message.includes('post-mortem');
    return (
      <>
        {back}
        {missing ? <StartPostmortem id={id} onStarted={r.reload} /> : r.error ? <LoadError error={r.error} onRetry={r.reload} /> : <Loading what="the post-mortem" />}
      </>
    );
  }
  return (
    <>
      {back}
      <PostmortemView pm={r.data.postmortem} reload={r.reload} />
    </>
  );
}

function StartPostmortem({ id, onStarted }: { id: number; onStarted: () => void }) {
  const { user } = useSession();
  const toast = useToast();
  const canAct = roleRank(user?.role ?? 'viewer') >= roleRank('responder');
  const [busy, setBusy] = useState(false);
  const start = async (fromTimeline: boolean) => {
    setBusy(true);
    try {
      if (fromTimeline) await api.post(`/incidents/${id}/postmortem/draft`, {});
      else await api.post(`/incidents/${id}/postmortem`);
      toast.ok('Post-mortem started.');
      onStarted();
    } catch (err) {
      toast.error(problemLines(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>Post-mortem of incident #{id}</h1>
      <p>This incident has no post-mortem. A required one starts by itself when the incident resolves; anyone can start one.</p>
      <div className="row">
        <Button variant="primary" disabled={!canAct || busy} onClick={() => void start(true)}>
          Start from the timeline
        </Button>
        <Button disabled={!canAct || busy} onClick={() => void start(false)}>
          Start empty
        </Button>
      </div>
    </>
  );
}

function PostmortemView({ pm, reload }: { pm: Postmortem; reload: () => void }) {
  const { user } = useSession();
  const toast = useToast();
  const canAct = roleRank(user?.role ?? 'viewer') >= roleRank('responder') && pm.status !== 'complete';
  const why = pm.status === 'complete' ? 'The post-mortem is complete.' : !canAct ? `Your role (${user?.role}) cannot change post-mortems.` : undefined;
  const [busy, setBusy] = useState<string | null>(null);
  const [redraft, setRedraft] = useState(false);
  const incidentOpen = ['investigating', 'identified', 'monitoring'].includes(pm.incident.status);

  const run = async (key: string, fn: () => Promise<unknown>, done: string) => {
    setBusy(key);
    try {
      await fn();
      toast.ok(done);
      reload();
    } catch (err) {
      toast.error(problemLines(err));
    } finally {
      setBusy(null);
    }
  };
  const draftNow = () => run('draft', () => api.post(`/incidents/${pm.incident.id}/postmortem/draft`, pm.body_edited ? { force: true } : {}), 'Draft written from the timeline.');

  return (
    <>
      <h1>
        Post-mortem: <span className="muted">{pm.incident.number}</span> {pm.incident.title}
      </h1>
      <div className="row">
        <PostmortemStatusBadge status={pm.status} />
        <SeverityBadge severity={pm.incident.severity} />
        {pm.required ? <Badge tone="warn">required</Badge> : <Badge>optional</Badge>}
        <span className="muted">incident {pm.incident.status}</span>
      </div>
      {pm.required && pm.reasons.length > 0 && <p>Required because: {pm.reasons.join('; ')}.</p>}

      <div className="actions" role="group" aria-label="Post-mortem status">
        {pm.status === 'draft' && (
          <Button variant="primary" disabled={!canAct} title={why} busy={busy === 'review'} onClick={() => void run('review', () => api.patch(`/incidents/${pm.incident.id}/postmortem`, { status: 'in_review' }), 'Sent to review.')}>
            Send to review
          </Button>
        )}
        {pm.status === 'in_review' && (
          <Button disabled={!canAct} title={why} busy={busy === 'back'} onClick={() => void run('back', () => api.patch(`/incidents/${pm.incident.id}/postmortem`, { status: 'draft' }), 'Back to draft.')}>
            Back to draft
          </Button>
        )}
        {pm.status !== 'complete' && (
          <Button
            variant={pm.status === 'in_review' ? 'primary' : 'secondary'}
            disabled={!canAct || incidentOpen}
            title={incidentOpen ? 'Resolve the incident first.' : why}
            busy={busy === 'complete'}
            onClick={() => void run('complete', () => api.post(`/incidents/${pm.incident.id}/postmortem/complete`), pm.incident.status === 'resolved' ? `Complete; ${pm.incident.number} is closed.` : 'Complete.')}
          >
            {pm.incident.status === 'resolved' ? 'Complete and close the incident' : 'Complete'}
          </Button>
        )}
        <a href={pm.markdown_url} download={`postmortem-${pm.incident.id}.md`}>
          Download markdown
        </a>
      </div>
      {pm.completed_at && (
        <p className="muted">
          Completed <FullTime at={pm.completed_at} /> by {pm.completed_by}.
        </p>
      )}

      <div className="grid-cards" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(22rem, 1fr))' }}>
        <section className="panel" aria-labelledby="pm-deadlines">
          <h2 id="pm-deadlines" style={{ marginTop: 0 }}>
            Deadlines
          </h2>
          <Table caption="Deadlines">
            <thead>
              <tr>
                <th>Stage</th>
                <th>Due</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {pm.deadlines.map((d) => (
                <tr key={d.stage}>
                  <td title={`To meet it: ${d.how}`}>{d.label}</td>
                  <td>
                    <time dateTime={d.due_at} title={d.due_at}>
                      {shortTime(d.due_at)}
                    </time>
                  </td>
                  <td>
                    <Badge tone={STATE_TONE[d.state]}>{d.state}</Badge>
                    {d.met_at && (
                      <span className="muted small">
                        {' '}
                        <time dateTime={d.met_at}>{shortTime(d.met_at)}</time>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        </section>
        <DetailsForm key={`${pm.owner}-${pm.meeting_held_at}`} pm={pm} disabled={!canAct} onSaved={reload} />
      </div>

      <BodyEditor key={pm.body} pm={pm} disabled={!canAct} why={why} onSaved={reload} onRedraft={() => (pm.body_edited ? setRedraft(true) : void draftNow())} redrafting={busy === 'draft'} />

      <ActionItems pm={pm} disabled={!canAct} why={why} onChanged={reload} />

      <FormDialog open={redraft} title="Write a new draft from the timeline?" submitLabel="Overwrite with a new draft" danger onClose={() => setRedraft(false)} onSubmit={() => draftNow()}>
        <p>The text has edits. A new draft from the timeline replaces them.</p>
      </FormDialog>
    </>
  );
}

function DetailsForm({ pm, disabled, onSaved }: { pm: Postmortem; disabled: boolean; onSaved: () => void }) {
  const users = useUsers();
  const toast = useToast();
  const [owner, setOwner] = useState(pm.owner ?? '');
  const [meeting, setMeeting] = useState(pm.meeting_held_at ? toLocalInput(pm.meeting_held_at) : '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/incidents/${pm.incident.id}/postmortem`, { owner: owner || null, meeting_held_at: meeting ? new Date(meeting).toISOString() : null });
      toast.ok('Saved.');
      onSaved();
    } catch (err) {
      setError(problemLines(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" aria-label="Owner and meeting" onSubmit={(e) => void submit(e)}>
      <h2 style={{ marginTop: 0 }}>Owner and meeting</h2>
      <Field label="Owner" hint={`Reminded of the deadlines; empty: the commander${pm.reminded && !pm.owner ? ` (${pm.reminded})` : ''}.`}>
        <select value={owner} disabled={disabled} onChange={(e) => setOwner(e.target.value)}>
          <option value="">The incident commander</option>
          {users.map((u) => (
            <option key={u.name} value={u.name}>
              {personLabel(u)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Meeting held at" hint="Meets the meeting deadline.">
        <input type="datetime-local" value={meeting} disabled={disabled} onChange={(e) => setMeeting(e.target.value)} />
      </Field>
      {error && (
        <p role="alert" className="notice notice-error" style={{ whiteSpace: 'pre-line' }}>
          {error}
        </p>
      )}
      <Button type="submit" disabled={disabled} busy={busy}>
        Save owner and meeting
      </Button>
    </form>
  );
}

/** "2026-03-10T14:00" in the browser's zone, for a datetime-local input. */
function toLocalInput(isoTime: string): string {
  const d = new Date(isoTime);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function BodyEditor({ pm, disabled, why, onSaved, onRedraft, redrafting }: { pm: Postmortem; disabled: boolean; why: string | undefined; onSaved: () => void; onRedraft: () => void; redrafting: boolean }) {
  const toast = useToast();
  const [text, setText] = useState(pm.body ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dirty = text !== (pm.body ?? '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.patch(`/incidents/${pm.incident.id}/postmortem`, { body: text });
      toast.ok('Post-mortem saved.');
      onSaved();
    } catch (err) {
      setError(problemLines(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form aria-label="Post-mortem text" onSubmit={(e) => void submit(e)}>
      <h2>Write-up</h2>
      <Field label="Post-mortem (markdown)" hint="Impact, timeline, root cause, resolution, action items, lessons learned. Saving it once meets the initial report.">
        <textarea className="mono" rows={24} value={text} disabled={disabled} onChange={(e) => setText(e.target.value)} style={{ width: '100%' }} />
      </Field>
      {error && (
        <p role="alert" className="notice notice-error" style={{ whiteSpace: 'pre-line' }}>
          {error}
        </p>
      )}
      <div className="row">
        <Button type="submit" variant="primary" disabled={disabled || !dirty} title={why} busy={busy}>
          Save text
        </Button>
        <Button disabled={disabled} title={why} busy={redrafting} onClick={onRedraft}>
          {pm.body ? 'Redraft from the timeline' : 'Draft from the timeline'}
        </Button>
        {dirty && <span className="muted">Unsaved changes</span>}
      </div>
    </form>
  );
}

function ActionItems({ pm, disabled, why, onChanged }: { pm: Postmortem; disabled: boolean; why: string | undefined; onChanged: () => void }) {
  const toast = useToast();
  const [editing, setEditing] = useState<ActionItem | null>(null);
  const change = async (item: ActionItem, patch: Record<string, unknown>, done: string) => {
    try {
      await api.patch(`/action-items/${item.id}`, patch);
      toast.ok(done);
      onChanged();
    } catch (err) {
      toast.error(problemLines(err));
    }
  };
  return (
    <section aria-labelledby="pm-items">
      <h2 id="pm-items">Action items</h2>
      {pm.action_items.length === 0 ? (
        <p className="muted">No action items yet. Every item needs an owner to meet the “action items assigned” deadline.</p>
      ) : (
        <Table caption="Action items">
          <thead>
            <tr>
              <th>Title</th>
              <th>Owner</th>
              <th>Due</th>
              <th>Status</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {pm.action_items.map((i) => (
              <tr key={i.id}>
                <td>
                  {i.title}
                  {i.link && (
                    <>
                      {' '}
                      <a href={i.link} target="_blank" rel="noreferrer">
                        ticket
                      </a>
                    </>
                  )}
                </td>
                <td>{i.owner ?? <span className="muted">nobody</span>}</td>
                <td>
                  {i.due_at ? (
                    <time dateTime={i.due_at} title={`due by ${shortTime(i.due_at)}`}>
                      {dueDay(i.due_at)}
                    </time>
                  ) : (
                    <span className="muted">—</span>
                  )}{' '}
                  {i.overdue && <Badge tone="danger">overdue</Badge>}
                </td>
                <td>
                  <select aria-label={`Status of ${i.title}`} value={i.status} disabled={disabled} title={why} onChange={(e) => void change(i, { status: e.target.value }, `"${i.title}" is ${ITEM_STATUS_LABELS[e.target.value as ActionItem['status']].toLowerCase()}.`)}>
                    {ITEM_STATUSES.map((s) => (
                      <option key={s} value={s}>
                        {ITEM_STATUS_LABELS[s]}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <Button small disabled={disabled} title={why} aria-label={`Edit ${i.title}`} onClick={() => setEditing(i)}>
                    Edit
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {!disabled && <ItemForm key={pm.action_items.length} incidentId={pm.incident.id} onSaved={onChanged} />}
      {editing && <EditItemDialog item={editing} onClose={() => setEditing(null)} onSaved={onChanged} />}
    </section>
  );
}

interface ItemDraft {
  title: string;
  owner: string;
  due: string;
  link: string;
}

function ItemFields({ draft, set }: { draft: ItemDraft; set: (d: ItemDraft) => void }) {
  const users = useUsers();
  return (
    <>
      <Field label="Action item">
        <input value={draft.title} onChange={(e) => set({ ...draft, title: e.target.value })} placeholder="Alert on replica lag" />
      </Field>
      <Field label="Owner">
        <select value={draft.owner} onChange={(e) => set({ ...draft, owner: e.target.value })}>
          <option value="">Nobody yet</option>
          {users.map((u) => (
            <option key={u.name} value={u.name}>
              {personLabel(u)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Due" hint="The end of that day (UTC).">
        <input type="date" value={draft.due} onChange={(e) => set({ ...draft, due: e.target.value })} />
      </Field>
      <Field label="Link" hint="The ticket tracking it (optional).">
        <input type="url" value={draft.link} onChange={(e) => set({ ...draft, link: e.target.value })} placeholder="https://tracker.example.com/OPS-12" />
      </Field>
    </>
  );
}

const itemBody = (d: ItemDraft) => ({ title: d.title, owner: d.owner || null, due_at: d.due || null, link: d.link.trim() || null });

function ItemForm({ incidentId, onSaved }: { incidentId: number; onSaved: () => void }) {
  const toast = useToast();
  const [draft, setDraft] = useState<ItemDraft>({ title: '', owner: '', due: '', link: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/incidents/${incidentId}/postmortem/action-items`, itemBody(draft));
      toast.ok('Action item added.');
      onSaved();
    } catch (err) {
      setError(problemLines(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" aria-label="Add an action item" onSubmit={(e) => void submit(e)}>
      <ItemFields draft={draft} set={setDraft} />
      {error && (
        <p role="alert" className="notice notice-error" style={{ whiteSpace: 'pre-line' }}>
          {error}
        </p>
      )}
      <Button type="submit" variant="primary" busy={busy}>
        Add action item
      </Button>
    </form>
  );
}

function EditItemDialog({ item, onClose, onSaved }: { item: ActionItem; onClose: () => void; onSaved: () => void }) {
  const [draft, setDraft] = useState<ItemDraft>({ title: item.title, owner: item.owner ?? '', due: item.due_at ? dueDay(item.due_at) : '', link: item.link ?? '' });
  return (
    <FormDialog
      open
      title={`Edit “${item.title}”`}
      submitLabel="Save"
      onClose={onClose}
      onSubmit={async () => {
        try {
          await api.patch(`/action-items/${item.id}`, itemBody(draft));
        } catch (err) {
          throw new Error(problemLines(err));
        }
        onSaved();
      }}
    >
      <ItemFields draft={draft} set={setDraft} />
    </FormDialog>
  );
}

/** "2026-03-10 08:30 UTC": deadlines are counted in UTC from the resolution. */
const shortTime = (isoTime: string) => `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)} UTC`;

/** A due time at midnight UTC is the end of the day before (how dates are stored); show that day. */
function dueDay(isoTime: string): string {
  const t = Date.parse(isoTime);
  const midnight = isoTime.slice(11, 19) === '00:00:00';
  return new Date(midnight ? t - 1 : t).toISOString().slice(0, 10);
}
