import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import { useApi } from '../lib/use-api';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { FormDialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { useToast } from '../ui/toast';

/**
 * The Profile page's contact methods: where Watchkeeper pages me. Methods from the organisation
 * file are listed read-only (they can be paused); my own can be added, confirmed with the code
 * sent through them, renamed by removing and adding, paused and removed. "Send test page" sends
 * through every verified method and shows each result as it arrives.
 */
export interface ContactMethod {
  id: string;
  name: string;
  type: string;
  address: string;
  managed_by: 'org' | 'user';
  verified: boolean;
  paused: boolean;
  verification: { expires_at: string; attempts_left: number; resend_at: string } | null;
  channel: { name: string; connected: boolean; notices: boolean };
}

export interface Notice {
  id: number;
  kind: string;
  contact_method: string | null;
  channel: string;
  destination: string;
  status: string;
  error: string | null;
}

export const METHOD_TYPES: { type: string; label: string; placeholder: string; hint: string }[] = [
  { type: 'email', label: 'Email', placeholder: 'alex@example.com', hint: 'A code is sent there to confirm it.' },
  { type: 'sms', label: 'SMS', placeholder: '+44 7911 123456', hint: 'A mobile number in international format (+ and country code). A code is sent by SMS.' },
  { type: 'voice', label: 'Voice call', placeholder: '+44 20 7946 0958', hint: 'A phone number in international format. A call reads out a code.' },
  { type: 'slack', label: 'Slack', placeholder: 'U024BE7LH', hint: 'Your Slack member ID: in Slack, open your profile → ⋯ → Copy member ID.' },
  {
    type: 'teams',
    label: 'Microsoft Teams',
    placeholder: 'https://…/workflows/…',
    hint: 'An incoming-webhook or Workflows URL from a Teams channel (channel ⋯ → Workflows → “Post to a channel when a webhook request is received”).',
  },
  { type: 'webhook', label: 'Webhook', placeholder: 'https://hooks.example.com/watchkeeper', hint: 'An http(s) URL that receives a signed JSON POST for every page.' },
];

const FINAL = new Set(['sent', 'delivered', 'failed']);
const POLL_MS = 1500;
const POLL_FOR_MS = 2 * 60_000;

const methodsPath = (me: string) => `/users/${encodeURIComponent(me)}/contact-methods`;

function StateBadge({ m }: { m: ContactMethod }) {
  if (m.paused) return <Badge tone="warn">paused</Badge>;
  if (!m.verified) return <Badge tone="danger">not verified</Badge>;
  if (!m.channel.connected) return <Badge tone="warn" title={`${m.channel.name} is not connected on this server; ask an admin`}>verified, {m.channel.name} not connected</Badge>;
  return <Badge tone="ok">verified</Badge>;
}

/** `onChange` is called after every change, so other parts of the page can read again. */
export function ContactMethods({ me, onChange, pollMs = POLL_MS }: { me: string; onChange?: () => void; pollMs?: number }) {
  const loaded = useApi<{ contact_methods: ContactMethod[] }>(methodsPath(me));
  const list = { ...loaded, reload: () => (loaded.reload(), onChange?.()) };
  const toast = useToast();
  const [remove, setRemove] = useState<ContactMethod | null>(null);
  const [edit, setEdit] = useState<{ m: ContactMethod; name: string; address: string } | null>(null);
  const methods = list.data?.contact_methods ?? [];

  const setPaused = async (m: ContactMethod, paused: boolean) => {
    try {
      await api.put(`${methodsPath(me)}/${encodeURIComponent(m.id)}`, { paused });
      toast.ok(paused ? `Paused "${m.name}": nothing is sent there until you resume it.` : `"${m.name}" is active again.`);
      list.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };

  return (
    <section aria-labelledby="contact-methods">
      <h2 id="contact-methods">Contact methods</h2>
      <p className="muted small">Where Watchkeeper pages you. A new email, SMS or voice method gets a 6-digit code and is not paged until you enter it. Methods from the organisation file are changed there; you can pause them here.</p>
      {list.error ? (
        <LoadError error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading what="contact methods" />
      ) : methods.length === 0 ? (
        <p className="muted">You have no contact methods yet: add one below, or nothing can page you.</p>
      ) : (
        <Table caption="My contact methods">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Address</th>
              <th>State</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {methods.map((m) => (
              <tr key={m.id}>
                <td>
                  {m.name}
                  {m.managed_by === 'org' && (
                    <>
                      {' '}
                      <Badge title="Set in the organisation file; an admin changes it there">organisation file</Badge>
                    </>
                  )}
                </td>
                <td>{m.channel.name}</td>
                <td className="mono" style={{ overflowWrap: 'anywhere' }}>
                  {m.address}
                </td>
                <td>
                  <StateBadge m={m} />
                  {!m.verified && <VerifyForm me={me} m={m} onDone={list.reload} />}
                </td>
                <td>
                  <div className="row">
                    <Button small onClick={() => void setPaused(m, !m.paused)} aria-label={`${m.paused ? 'Resume' : 'Pause'} ${m.name}`}>
                      {m.paused ? 'Resume' : 'Pause'}
                    </Button>
                    {m.managed_by === 'user' && (
                      <>
                        <Button small variant="ghost" onClick={() => setEdit({ m, name: m.name, address: m.address })} aria-label={`Edit ${m.name}`}>
                          Edit
                        </Button>
                        <Button small variant="ghost" onClick={() => setRemove(m)} aria-label={`Remove ${m.name}`}>
                          Remove
                        </Button>
                      </>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}

      <AddMethod me={me} onAdded={list.reload} />
      <TestPage me={me} methods={methods} pollMs={pollMs} />

      <FormDialog
        open={edit !== null}
        title={`Edit "${edit?.m.name ?? ''}"`}
        submitLabel="Save"
        onClose={() => setEdit(null)}
        onSubmit={async () => {
          if (!edit) return;
          const r = await api.put<{ contact_method: ContactMethod; code_sent: boolean }>(`${methodsPath(me)}/${encodeURIComponent(edit.m.id)}`, { name: edit.name.trim(), address: edit.address.trim() });
          toast.ok(r.code_sent ? `Saved. Enter the code sent to ${r.contact_method.address}.` : 'Saved.');
          list.reload();
        }}
      >
        <Field label="Name">
          <input type="text" value={edit?.name ?? ''} maxLength={64} onChange={(e) => edit && setEdit({ ...edit, name: e.target.value })} />
        </Field>
        <Field label="Address" hint={edit && ['email', 'sms', 'voice'].includes(edit.m.type) ? 'A new address gets a new code and is not paged until you enter it.' : undefined}>
          <input type="text" value={edit?.address ?? ''} onChange={(e) => edit && setEdit({ ...edit, address: e.target.value })} />
        </Field>
      </FormDialog>

      <FormDialog
        open={remove !== null}
        title={`Remove "${remove?.name ?? ''}"?`}
        submitLabel="Remove"
        danger
        onClose={() => setRemove(null)}
        onSubmit={async () => {
          if (!remove) return;
          await api.del(`${methodsPath(me)}/${encodeURIComponent(remove.id)}`);
          toast.ok(`Removed "${remove.name}".`);
          list.reload();
        }}
      >
        <p>Its steps in your notification rules are removed with it.</p>
      </FormDialog>
    </section>
  );
}

function VerifyForm({ me, m, onDone }: { me: string; m: ContactMethod; onDone: () => void }) {
  const toast = useToast();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await api.post(`${methodsPath(me)}/${encodeURIComponent(m.id)}/verify`, { code: code.trim() });
      toast.ok(`"${m.name}" is verified: it can be paged now.`);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const resend = async () => {
    setError(null);
    try {
      await api.post(`${methodsPath(me)}/${encodeURIComponent(m.id)}/resend`);
      toast.ok(`A new code is on its way to ${m.address}.`);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form onSubmit={submit} className="row" style={{ marginTop: '0.4rem', alignItems: 'end' }} noValidate>
      <Field label={`Code sent to ${m.name}`} hint={m.verification ? `${m.verification.attempts_left} tries left` : 'The code has been used up; send a new one.'}>
        <input type="text" inputMode="numeric" autoComplete="one-time-code" maxLength={7} size={8} value={code} onChange={(e) => setCode(e.target.value)} />
      </Field>
      <div className="field row">
        <Button type="submit" small variant="primary" busy={busy}>
          Verify
        </Button>
        <Button small variant="ghost" onClick={() => void resend()}>
          Send a new code
        </Button>
      </div>
      {error && (
        <p role="alert" className="notice notice-error" style={{ flexBasis: '100%' }}>
          {error}
        </p>
      )}
    </form>
  );
}

function AddMethod({ me, onAdded }: { me: string; onAdded: () => void }) {
  const toast = useToast();
  const [name, setName] = useState('');
  const [type, setType] = useState('email');
  const [address, setAddress] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const kind = METHOD_TYPES.find((t) => t.type === type) ?? METHOD_TYPES[0]!;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setError(null);
    setBusy(true);
    try {
      const r = await api.post<{ contact_method: ContactMethod; code_sent: boolean }>(methodsPath(me), { name: name.trim(), type, address: address.trim() });
      toast.ok(r.code_sent ? `Added "${r.contact_method.name}". Enter the code sent to ${r.contact_method.address}.` : `Added "${r.contact_method.name}".`);
      setName('');
      setAddress('');
      onAdded();
    } catch (err) {
      if (err instanceof ApiError && err.problems.length > 0 && err.problems.every((p) => p.field)) {
        setErrors(Object.fromEntries(err.problems.map((p) => [p.field as string, p.message])));
      } else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h3>Add a contact method</h3>
      <form onSubmit={submit} className="row" style={{ alignItems: 'start' }} noValidate>
        <Field label="Type" error={errors.type ?? null}>
          <select value={type} onChange={(e) => setType(e.target.value)}>
            {METHOD_TYPES.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Name" hint="Your name for it, e.g. “mobile”." error={errors.name ?? null}>
          <input type="text" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />
        </Field>
        <div style={{ flex: '1 1 20rem' }}>
          <Field label="Address" hint={kind.hint} error={errors.address ?? null}>
            <input type="text" value={address} placeholder={kind.placeholder} onChange={(e) => setAddress(e.target.value)} style={{ width: '100%' }} />
          </Field>
        </div>
        <div className="field" style={{ alignSelf: 'end' }}>
          <Button type="submit" variant="primary" busy={busy}>
            Add method
          </Button>
        </div>
      </form>
      {error && (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      )}
    </>
  );
}

const stateTone = (s: string): 'ok' | 'warn' | 'danger' | undefined => (s === 'sent' || s === 'delivered' ? 'ok' : s === 'failed' ? 'danger' : undefined);

/** Sends a test page and follows each notice until it arrived or failed. */
function TestPage({ me, methods, pollMs }: { me: string; methods: ContactMethod[]; pollMs: number }) {
  const [results, setResults] = useState<Notice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const started = useRef(0);
  const usable = methods.filter((m) => m.verified && !m.paused);

  useEffect(() => {
    if (!results || results.every((n) => FINAL.has(n.status))) return;
    if (Date.now() - started.current > POLL_FOR_MS) return;
    const ids = new Set(results.map((n) => n.id));
    const t = setTimeout(() => {
      api
        .get<{ notices: Notice[] }>(`/users/${encodeURIComponent(me)}/notices`, { kind: 'test', limit: 50 })
        .then((r) => setResults(r.notices.filter((n) => ids.has(n.id)).sort((a, b) => a.id - b.id)))
        .catch((err: unknown) => setError(errorMessage(err)));
    }, pollMs);
    return () => clearTimeout(t);
  }, [results, me, pollMs]);

  const send = async () => {
    setError(null);
    setBusy(true);
    try {
      const r = await api.post<{ notices: Notice[] }>(`/users/${encodeURIComponent(me)}/test-page`, {});
      started.current = Date.now();
      setResults(r.notices);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h3>Test page</h3>
      <p className="muted small">Sends a test message through each verified method that is not paused ({usable.length}), so you know before your shift that you can be reached.</p>
      <Button onClick={() => void send()} busy={busy} disabled={usable.length === 0}>
        Send test page
      </Button>
      {error && (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      )}
      {results && (
        <ul aria-label="Test page results" aria-live="polite" style={{ listStyle: 'none', padding: 0 }}>
          {results.map((n) => (
            <li key={n.id} className="row" style={{ marginTop: '0.35rem' }}>
              <strong>{n.contact_method ?? n.channel}</strong>
              <span className="muted mono">{n.destination}</span>
              <Badge tone={stateTone(n.status)}>{n.status === 'pending' || n.status === 'sending' ? `${n.status}…` : n.status}</Badge>
              {n.error && <span className="small">{n.error}</span>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
