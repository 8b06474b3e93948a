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
import { FullTime } from '../ui/time';
import { useToast } from '../ui/toast';
import { MaintenanceCalendar } from './maintenance-calendar';

interface Occ {
  starts_at: string;
  ends_at: string;
}

export interface MaintenanceWindow {
  id: string;
  name: string;
  managed_by: 'file' | 'api';
  state: 'pending-approval' | 'upcoming' | 'active' | 'over';
  approval: { state: 'approved' } | { state: 'pending'; reasons: string[]; waiting_for: string[] };
  scope: string;
  schedule: string;
  current: Occ | null;
  next: Occ[];
  comment: string;
  created_by: string;
  held_alerts?: number;
}

interface Warning {
  schedule: string;
  at: string;
  message: string;
}

interface ScopeAlert {
  id: number;
  status: string;
  severity: string;
  summary: string;
  service: { name: string | null };
}

interface Preview {
  name: string;
  scope: string;
  schedule: string;
  occurrences: Occ[];
  needs_approval: string[];
  approvers: string[];
  warnings: Warning[];
  alerts: ScopeAlert[];
}

const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const lines = (text: string, sep: RegExp): string[] =>
  text
    .split(sep)
    .map((l) => l.trim())
    .filter(Boolean);

function Occurrences({ list }: { list: Occ[] }) {
  return (
    <ul className="small">
      {list.map((o) => (
        <li key={o.starts_at}>
          <FullTime at={o.starts_at} /> to <FullTime at={o.ends_at} />
        </li>
      ))}
    </ul>
  );
}

function Warnings({ warnings }: { warnings: Warning[] }) {
  if (warnings.length === 0) return null;
  return (
    <div role="alert" aria-label="Warnings">
      <p className="small">Maintenance should not conflict with on-call shifts:</p>
      <ul className="small">
        {warnings.map((w) => (
          <li key={`${w.schedule}-${w.at}`}>{w.message}</li>
        ))}
      </ul>
    </div>
  );
}

function NewWindow({ onCreated }: { onCreated: () => void }) {
  const toast = useToast();
  const [kind, setKind] = useState<'once' | 'recurring'>('once');
  const [services, setServices] = useState('');
  const [matchers, setMatchers] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [rrule, setRrule] = useState('FREQ=WEEKLY;BYDAY=SU');
  const [zone, setZone] = useState(browserZone());
  const [start, setStart] = useState('02:00');
  const [duration, setDuration] = useState('2h');
  const [name, setName] = useState('');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [created, setCreated] = useState<Warning[]>([]);

  const serviceList = lines(services, /[,\n]/);
  const matcherList = lines(matchers, /\n/);
  const hasScope = serviceList.length > 0 || matcherList.length > 0;
  const body = {
    ...(name.trim() ? { name: name.trim() } : {}),
    ...(serviceList.length ? { services: serviceList } : {}),
    ...(matcherList.length ? { matchers: matcherList } : {}),
    ...(kind === 'recurring' ? { rrule, time_zone: zone, start } : startsAt ? { starts_at: new Date(startsAt).toISOString() } : {}),
    duration,
    comment: comment.trim() || 'preview',
  };
  const bodyJson = JSON.stringify(body);

  // Preview as the form is filled in: when it happens, who must approve, whom to coordinate with.
  useEffect(() => {
    if (!hasScope) return;
    let live = true;
    const t = setTimeout(() => {
      api
        .post<Preview>('/maintenance-windows/preview', JSON.parse(bodyJson) as unknown)
        .then((r) => live && (setPreview(r), setError(null)))
        .catch((err: unknown) => live && (setPreview(null), setError(errorMessage(err))));
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [bodyJson, hasScope]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const r = await api.post<{ window: MaintenanceWindow; warnings: Warning[] }>('/maintenance-windows', { ...body, comment });
      const w = r.window;
      if (w.approval.state === 'pending') toast.ok(`${w.name} waits for approval by ${w.approval.waiting_for.join(', ')}; alerts page until then`);
      else toast.ok(`Created maintenance window ${w.name}`);
      setCreated(r.warnings);
      setName('');
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
    <form className="panel" onSubmit={(e) => void submit(e)} aria-label="New maintenance window">
      <h2>New maintenance window</h2>
      <div className="row" role="radiogroup" aria-label="Kind">
        <label className="small">
          <input type="radio" name="kind" checked={kind === 'once'} onChange={() => setKind('once')} /> One-off
        </label>
        <label className="small">
          <input type="radio" name="kind" checked={kind === 'recurring'} onChange={() => setKind('recurring')} /> Recurring
        </label>
      </div>
      <div className="row">
        <Field label="Services" hint="Comma-separated service names">
          <input value={services} onChange={(e) => setServices(e.target.value)} />
        </Field>
        <Field label="Matchers" hint='Optional, one per line: env=prod, alertname=~"Disk.*"'>
          <textarea rows={2} value={matchers} onChange={(e) => setMatchers(e.target.value)} className="mono" />
        </Field>
      </div>
      {kind === 'once' ? (
        <div className="row">
          <Field label="Starts" hint="Empty: now">
            <input type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
          </Field>
          <Field label="Duration" hint="e.g. 2h, 90m">
            <input value={duration} onChange={(e) => setDuration(e.target.value)} required />
          </Field>
        </div>
      ) : (
        <div className="row">
          <Field label="Rule" hint="iCalendar RRULE, e.g. FREQ=WEEKLY;BYDAY=SU">
            <input value={rrule} onChange={(e) => setRrule(e.target.value)} className="mono" required />
          </Field>
          <Field label="Time zone">
            <input value={zone} onChange={(e) => setZone(e.target.value)} required />
          </Field>
          <Field label="Start time" hint="Local HH:MM">
            <input value={start} onChange={(e) => setStart(e.target.value)} required />
          </Field>
          <Field label="Duration" hint="e.g. 4h">
            <input value={duration} onChange={(e) => setDuration(e.target.value)} required />
          </Field>
        </div>
      )}
      <div className="row">
        <Field label="Name" hint="Shown on the alerts it mutes; default: the comment">
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
        </Field>
        <Field label="Comment" hint="What the work is" error={error}>
          <input value={comment} onChange={(e) => setComment(e.target.value)} required maxLength={2000} />
        </Field>
      </div>
      {preview && hasScope && (
        <div aria-label="Preview">
          <p className="small">
            {preview.scope}, {preview.schedule}. Next:
          </p>
          <Occurrences list={preview.occurrences} />
          {preview.needs_approval.length > 0 && (
            <p className="small">
              <Badge tone="danger">needs approval</Badge> by {preview.approvers.join(', ')}: {preview.needs_approval.join('; ')}. Alerts page until it is approved.
            </p>
          )}
          <Warnings warnings={preview.warnings} />
          <p className="small">
            {preview.alerts.length === 0 ? 'No open alert in its scope now.' : `${preview.alerts.length} open alert${preview.alerts.length === 1 ? '' : 's'} in its scope now (already paging; new ones inside the window will not page):`}
          </p>
          {preview.alerts.length > 0 && (
            <ul className="small">
              {preview.alerts.slice(0, 10).map((a) => (
                <li key={a.id}>
                  <SeverityBadge severity={a.severity} /> #{a.id} {a.service.name}: {a.summary}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {created.length > 0 && !preview && <Warnings warnings={created} />}
      <Button variant="primary" type="submit" busy={busy} disabled={!hasScope || !comment.trim()}>
        Create window
      </Button>
    </form>
  );
}

const stateTone = (s: MaintenanceWindow['state']) => (s === 'active' ? 'warn' : s === 'pending-approval' ? 'danger' : undefined);

export function MaintenancePage() {
  useTitle('Maintenance');
  const toast = useToast();
  const r = useApi<{ windows: MaintenanceWindow[] }>('/maintenance-windows');
  const end = async (w: MaintenanceWindow) => {
    try {
      await api.del(`/maintenance-windows/${encodeURIComponent(w.id)}`);
      toast.ok(`Ended ${w.name}${w.held_alerts ? `; ${w.held_alerts} open alert(s) page now` : ''}`);
      r.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  const approve = async (w: MaintenanceWindow) => {
    try {
      const res = await api.post<{ approved: boolean; waiting_for: string[] }>(`/maintenance-windows/${encodeURIComponent(w.id)}/approve`);
      toast.ok(res.approved ? `Approved: ${w.name} is in effect` : `Approval recorded; still waiting for ${res.waiting_for.join(', ')}`);
      r.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  const list = r.data?.windows ?? [];
  return (
    <>
      <h1>Maintenance</h1>
      <p className="muted">Alerts that open inside a maintenance window of their service are recorded but page nobody; when the window ends, those still open page from the first level. Windows from the org file are changed there.</p>
      <NewWindow onCreated={r.reload} />
      <h2>Windows</h2>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="maintenance windows" />
      ) : list.length === 0 ? (
        <p className="panel">No maintenance windows. Every alert pages as its escalation policy says.</p>
      ) : (
        <Table caption="Maintenance windows">
          <thead>
            <tr>
              <th>State</th>
              <th>Name</th>
              <th>Covers</th>
              <th>When</th>
              <th>Next</th>
              <th>Holding</th>
              <th>By</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((w) => (
              <tr key={w.id}>
                <td>
                  <span title={w.approval.state === 'pending' ? `Waiting for ${w.approval.waiting_for.join(', ')}: ${w.approval.reasons.join('; ')}` : undefined}>
                    <Badge tone={stateTone(w.state)}>{w.state === 'pending-approval' ? 'awaiting approval' : w.state}</Badge>
                  </span>
                </td>
                <td>
                  <Link to={`/maintenance/${w.id}`}>{w.name}</Link>
                  {w.managed_by === 'file' && <span className="muted small"> (org file)</span>}
                </td>
                <td className="small">{w.scope}</td>
                <td className="small">{w.schedule}</td>
                <td className="small">{w.current ? <>now, until <FullTime at={w.current.ends_at} /></> : w.next[0] ? <FullTime at={w.next[0].starts_at} /> : '-'}</td>
                <td>{w.held_alerts ?? 0}</td>
                <td>{w.created_by}</td>
                <td className="row">
                  {w.approval.state === 'pending' && w.state !== 'over' && (
                    <Button small onClick={() => void approve(w)} aria-label={`Approve maintenance window ${w.name}`}>
                      Approve
                    </Button>
                  )}
                  {w.managed_by === 'api' && w.state !== 'over' && (
                    <Button small variant="danger" onClick={() => void end(w)} aria-label={`End maintenance window ${w.name}`}>
                      End
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <MaintenanceCalendar changed={r.data} />
    </>
  );
}

export function MaintenanceWindowPage({ id }: { id: string }) {
  const r = useApi<{ window: MaintenanceWindow; alerts: ScopeAlert[] }>(`/maintenance-windows/${encodeURIComponent(id)}`);
  useTitle(r.data ? `Maintenance ${r.data.window.name}` : 'Maintenance');
  if (r.error) return <LoadError error={r.error} onRetry={r.reload} />;
  if (!r.data) return <Loading what="the maintenance window" />;
  const { window: w, alerts } = r.data;
  return (
    <>
      <p>
        <Link to="/maintenance">← Maintenance</Link>
      </p>
      <h1>{w.name}</h1>
      <p>
        <Badge tone={stateTone(w.state)}>{w.state}</Badge> {w.scope}, {w.schedule}; by {w.created_by}
        {w.managed_by === 'file' ? ' (org file)' : ''}: {w.comment}
      </p>
      {w.approval.state === 'pending' && (
        <p>
          Waiting for approval by {w.approval.waiting_for.join(', ')}: {w.approval.reasons.join('; ')}.
        </p>
      )}
      <h2>Next occurrences</h2>
      {w.next.length ? <Occurrences list={w.next} /> : <p className="panel">None ahead.</p>}
      <h2>Alerts it is holding</h2>
      {alerts.length === 0 ? (
        <p className="panel">None open now.</p>
      ) : (
        <Table caption="Alerts in maintenance">
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
