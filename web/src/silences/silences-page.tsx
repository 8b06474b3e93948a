import { useEffect, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { Badge, SeverityBadge, StatusBadge } from '../ui/badge';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { FullTime, RelativeTime } from '../ui/time';
import { useToast } from '../ui/toast';

export interface Silence {
  id: string;
  state: 'active' | 'pending' | 'expired';
  matchers: string;
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  silenced_alerts?: number;
  approval: { state: 'approved' } | { state: 'pending'; waiting_for: string[] };
}

interface PreviewAlert {
  id: number;
  status: string;
  severity: string;
  summary: string;
  service: { name: string | null };
}

const DURATIONS = ['30m', '1h', '2h', '4h', '8h', '1d', '3d'];

/** Matchers typed one per line or comma-separated, as amtool and the CLI take them. */
export function matcherLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function NewSilence({ onCreated }: { onCreated: () => void }) {
  const toast = useToast();
  const [matchers, setMatchers] = useState('');
  const [duration, setDuration] = useState('2h');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<{ matchers: string; alerts: PreviewAlert[] } | null>(null);
  const lines = matcherLines(matchers);

  // Preview as the matchers are typed: which open alerts would go quiet.
  useEffect(() => {
    if (lines.length === 0) return;
    let live = true;
    const t = setTimeout(() => {
      api
        .post<{ matchers: string; alerts: PreviewAlert[] }>('/silences/preview', { matchers: lines })
        .then((r) => live && (setPreview(r), setError(null)))
        .catch((err: unknown) => live && (setPreview(null), setError(errorMessage(err))));
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- lines is derived from matchers
  }, [matchers]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const r = await api.post<{ silence: Silence }>('/silences', { matchers: lines, duration, comment });
      if (r.silence.approval.state === 'pending') toast.ok(`${r.silence.matchers} waits for approval by ${r.silence.approval.waiting_for.join(', ')}; alerts page until then`);
      else toast.ok(`Silenced ${r.silence.matchers} until ${new Date(r.silence.ends_at).toLocaleString()}`);
      setMatchers('');
      setComment('');
      setPreview(null);
      setError(null);
      onCreated();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-label="New silence">
      <h2>New silence</h2>
      <Field label="Matchers" hint='One per line: service=backend, alertname="HighErrorRate", severity=~"critical|high", env!=prod' error={error}>
        <textarea rows={3} value={matchers} onChange={(e) => setMatchers(e.target.value)} className="mono" required />
      </Field>
      <div className="row">
        <Field label="Duration">
          <select value={duration} onChange={(e) => setDuration(e.target.value)}>
            {DURATIONS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Comment" hint="Why: the people who would have been paged read this">
          <input value={comment} onChange={(e) => setComment(e.target.value)} required maxLength={2000} />
        </Field>
      </div>
      {preview && lines.length > 0 && (
        <div aria-label="Preview">
          <p className="small">
            {preview.alerts.length === 0 ? (
              <>{preview.matchers} matches no open alert now; new alerts that match will not page.</>
            ) : (
              <>
                {preview.matchers} would silence {preview.alerts.length} open alert{preview.alerts.length === 1 ? '' : 's'}:
              </>
            )}
          </p>
          {preview.alerts.length > 0 && (
            <ul className="small">
              {preview.alerts.slice(0, 10).map((a) => (
                <li key={a.id}>
                  <SeverityBadge severity={a.severity} /> #{a.id} {a.service.name}: {a.summary}
                </li>
              ))}
              {preview.alerts.length > 10 && <li className="muted">and {preview.alerts.length - 10} more</li>}
            </ul>
          )}
        </div>
      )}
      <Button variant="primary" type="submit" busy={busy} disabled={lines.length === 0 || !comment.trim()}>
        Silence
      </Button>
    </form>
  );
}

export function SilencesPage() {
  useTitle('Silences');
  const toast = useToast();
  const [showExpired, setShowExpired] = useState(false);
  const r = useApi<{ silences: Silence[] }>('/silences', { state: showExpired ? 'active,pending,expired' : 'active,pending' });
  const expire = async (s: Silence) => {
    try {
      await api.del(`/silences/${encodeURIComponent(s.id)}`);
      toast.ok(`Expired ${s.matchers}${s.silenced_alerts ? `; ${s.silenced_alerts} open alert(s) page now` : ''}`);
      r.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  const approve = async (s: Silence) => {
    try {
      const res = await api.post<{ approved: boolean; waiting_for: string[] }>(`/silences/${encodeURIComponent(s.id)}/approve`);
      toast.ok(res.approved ? `Approved: ${s.matchers} is in effect` : `Approval recorded; still waiting for ${res.waiting_for.join(', ')}`);
      r.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  const list = r.data?.silences ?? [];
  return (
    <>
      <h1>Silences</h1>
      <p className="muted">Alerts a silence matches are recorded and shown as silenced, but page nobody until it ends. amtool works against this server too.</p>
      <NewSilence onCreated={r.reload} />
      <div className="row" style={{ margin: '1rem 0 0.5rem' }}>
        <h2 style={{ margin: 0 }}>Current</h2>
        <label className="small">
          <input type="checkbox" checked={showExpired} onChange={(e) => setShowExpired(e.target.checked)} /> Show expired
        </label>
      </div>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="silences" />
      ) : list.length === 0 ? (
        <p className="panel">No silences. Every alert pages as its escalation policy says.</p>
      ) : (
        <Table caption="Silences">
          <thead>
            <tr>
              <th>State</th>
              <th>Matchers</th>
              <th>Ends</th>
              <th>Holding</th>
              <th>By</th>
              <th>Comment</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.id}>
                <td>
                  {s.approval.state === 'pending' ? (
                    <span title={`Waiting for ${s.approval.waiting_for.join(', ')}`}>
                      <Badge tone="danger">awaiting approval</Badge>
                    </span>
                  ) : (
                    <Badge tone={s.state === 'active' ? 'warn' : undefined}>{s.state}</Badge>
                  )}
                </td>
                <td className="mono small">
                  <Link to={`/silences/${s.id}`}>{s.matchers}</Link>
                </td>
                <td className="small">
                  {s.state === 'pending' ? (
                    <>
                      starts <RelativeTime at={s.starts_at} />,{' '}
                    </>
                  ) : null}
                  <FullTime at={s.ends_at} />
                </td>
                <td>{s.silenced_alerts ?? 0}</td>
                <td>{s.created_by}</td>
                <td>{s.comment}</td>
                <td className="row">
                  {s.approval.state === 'pending' && s.state !== 'expired' && (
                    <Button small onClick={() => void approve(s)} aria-label={`Approve silence ${s.matchers}`}>
                      Approve
                    </Button>
                  )}
                  {s.state !== 'expired' && (
                    <Button small variant="danger" onClick={() => void expire(s)} aria-label={`Expire silence ${s.matchers}`}>
                      Expire
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}

export function SilencePage({ id }: { id: string }) {
  const r = useApi<{ silence: Silence; alerts: PreviewAlert[] }>(`/silences/${encodeURIComponent(id)}`);
  useTitle(r.data ? `Silence ${r.data.silence.matchers}` : 'Silence');
  if (r.error) return <LoadError error={r.error} onRetry={r.reload} />;
  if (!r.data) return <Loading what="the silence" />;
  const { silence: s, alerts } = r.data;
  return (
    <>
      <p>
        <Link to="/silences">← Silences</Link>
      </p>
      <h1 className="mono">{s.matchers}</h1>
      <p>
        <Badge tone={s.state === 'active' ? 'warn' : undefined}>{s.state}</Badge> from <FullTime at={s.starts_at} /> to <FullTime at={s.ends_at} />, by {s.created_by}: {s.comment}
      </p>
      <h2>Alerts it is holding</h2>
      {alerts.length === 0 ? (
        <p className="panel">None open now.</p>
      ) : (
        <Table caption="Silenced alerts">
          <thead>
            <tr>
              <th>Alert</th>
              <th>Status</th>
              <th>Severity</th>
              <th>Service</th>
              <th>Summary</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <tr key={a.id}>
                <td>
                  <Link to={`/alerts/${a.id}`}>#{a.id}</Link>
                </td>
                <td>
                  <StatusBadge status={a.status} />
                </td>
                <td>
                  <SeverityBadge severity={a.severity} />
                </td>
                <td>{a.service.name}</td>
                <td>{a.summary}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
