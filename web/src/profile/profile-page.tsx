import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { ROLES, roleRank, type ApiToken, type Role } from '../api/types';
import { useSession } from '../auth/session';
import { CalendarFeeds } from '../calendar/calendar-feeds';
import { ContactMethods } from './contact-methods';
import { NotificationRules } from './notification-rules';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { CopyButton } from '../ui/copy-button';
import { FormDialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { RelativeTime } from '../ui/time';
import { useToast } from '../ui/toast';

export function ProfilePage() {
  useTitle('Profile');
  const { user } = useSession();
  const [methodsChanged, setMethodsChanged] = useState(0);
  if (!user) return null;
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <>
      <h1>Profile</h1>
      <section className="panel" aria-labelledby="me">
        <h2 id="me" style={{ marginTop: 0 }}>
          {user.full_name || user.name}
        </h2>
        <dl className="kv">
          <dt>Handle</dt>
          <dd>{user.name}</dd>
          <dt>Email</dt>
          <dd>{user.email}</dd>
          <dt>Role</dt>
          <dd>{user.role}</dd>
          <dt>Time zone</dt>
          <dd>
            {user.time_zone ?? 'not set'}
            {user.time_zone && user.time_zone !== browserZone && <span className="muted"> (this browser shows times in {browserZone})</span>}
          </dd>
        </dl>
        <p className="muted small">Your name, email and time zone come from the organisation file; an admin changes them there. Your contact methods and notification rules are below.</p>
      </section>
      <ContactMethods me={user.name} onChange={() => setMethodsChanged((n) => n + 1)} />
      <NotificationRules me={user.name} refresh={methodsChanged} />
      <CalendarFeeds me={user.name} />
      <ChangePassword name={user.name} />
      <Tokens me={user.name} myRole={user.role} />
    </>
  );
}

function ChangePassword({ name }: { name: string }) {
  const toast = useToast();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (next.length < 12) return setError('The new password needs at least 12 characters.');
    if (next !== again) return setError('The two new passwords differ.');
    setBusy(true);
    try {
      await api.put(`/users/${encodeURIComponent(name)}/password`, { password: next, ...(current ? { current_password: current } : {}) });
      setCurrent('');
      setNext('');
      setAgain('');
      toast.ok('Password changed.');
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="pw">
      <h2 id="pw">Change password</h2>
      <form onSubmit={submit} style={{ maxWidth: '24rem' }} noValidate>
        <Field label="Current password">
          <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </Field>
        <Field label="New password" hint="At least 12 characters.">
          <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        </Field>
        <Field label="New password again">
          <input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} />
        </Field>
        {error && (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary" busy={busy}>
          Change password
        </Button>
      </form>
    </section>
  );
}

function Tokens({ me, myRole }: { me: string; myRole: Role }) {
  const list = useApi<{ tokens: ApiToken[] }>('/me/tokens');
  const toast = useToast();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(roleRank(myRole) >= roleRank('responder') ? 'responder' : myRole);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [revoke, setRevoke] = useState<ApiToken | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!name.trim()) return setError('Name the token after where it will be used, e.g. "laptop CLI".');
    setBusy(true);
    try {
      const r = await api.post<{ name: string; token: string }>('/me/tokens', { name: name.trim(), role });
      setCreated({ name: r.name, token: r.token });
      setName('');
      list.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const mine = list.data?.tokens.filter((t) => t.user === me) ?? [];
  return (
    <section aria-labelledby="tokens">
      <h2 id="tokens">My API tokens</h2>
      <p className="muted small">Tokens act as you on timelines. They are stored hashed: a token is shown once, when it is created.</p>
      {list.error ? (
        <LoadError error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading what="tokens" />
      ) : mine.length === 0 ? (
        <p className="muted">You have no tokens.</p>
      ) : (
        <Table caption="My API tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Starts with</th>
              <th>Created</th>
              <th>Last used</th>
              <th>State</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {mine.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.role}</td>
                <td className="mono">{t.token_hint}…</td>
                <td>
                  <RelativeTime at={t.created_at} />
                </td>
                <td>{t.last_used_at ? <RelativeTime at={t.last_used_at} /> : <span className="muted">never</span>}</td>
                <td>{t.revoked_at ? <Badge>revoked</Badge> : <Badge tone="ok">active</Badge>}</td>
                <td>
                  {!t.revoked_at && (
                    <Button small onClick={() => setRevoke(t)} aria-label={`Revoke token ${t.name}`}>
                      Revoke
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}

      {created && (
        <div className="notice notice-warn" role="status" style={{ marginTop: '0.75rem' }}>
          <p>
            <strong>Copy the token "{created.name}" now.</strong> It is not shown again.
          </p>
          <div className="row">
            <code>{created.token}</code>
            <CopyButton text={created.token} label="Copy the new token" />
            <Button small variant="ghost" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
        </div>
      )}

      <h3>Create a token</h3>
      <form onSubmit={create} className="row" style={{ alignItems: 'end' }} noValidate>
        <Field label="Token name">
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
        </Field>
        <Field label="Role">
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.filter((r) => roleRank(r) <= roleRank(myRole)).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </Field>
        <div className="field">
          <Button type="submit" variant="primary" busy={busy}>
            Create token
          </Button>
        </div>
      </form>
      {error && (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      )}

      <FormDialog
        open={revoke !== null}
        title={`Revoke token "${revoke?.name ?? ''}"?`}
        submitLabel="Revoke"
        danger
        onClose={() => setRevoke(null)}
        onSubmit={async () => {
          if (!revoke) return;
          await api.del(`/me/tokens/${encodeURIComponent(revoke.id)}`);
          toast.ok(`Revoked token "${revoke.name}".`);
          list.reload();
        }}
      >
        <p>Scripts using it get 401 within a few seconds. This cannot be undone.</p>
      </FormDialog>
    </section>
  );
}
