import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { useSession } from '../auth/session';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { Badge } from '../ui/badge';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { problemLines } from '../ui/form-footer';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { FullTime } from '../ui/time';
import { useToast } from '../ui/toast';

/**
 * The status page's admin side: each component's current status with a way to set it, posting a
 * public update on an incident (the handbooks' four template sentences as one-click starts), and
 * the subscribers. The public page itself is server-rendered at /status.
 */

export const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;
export const STATUS_WORDS: Record<string, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};
type PublicStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';

interface Component {
  name: string;
  description: string | null;
  group: string | null;
  status: string;
  status_text: string;
}
interface PublicIncident {
  id: number;
  title: string;
  status: PublicStatus;
  status_text: string;
  updated_at: string;
  updates: { id: number; at: string; status_text: string; message: string }[];
}
interface AdminView {
  title: string;
  url: string;
  overall: { status: string; text: string };
  components: Component[];
  active_incidents: PublicIncident[];
  past_incidents: PublicIncident[];
  scheduled_maintenance: { name: string; starts_at: string; ends_at: string; in_progress: boolean }[];
}
interface Template {
  status: PublicStatus;
  status_text: string;
  message: string;
}
interface Subscriber {
  id: string;
  kind: string;
  address: string;
  confirmed: boolean;
  created_at: string;
}
interface IncidentRow {
  id: number;
  title: string;
  status: string;
}

const tone = (s: string) => (s === 'operational' ? 'ok' : s === 'major_outage' || s === 'partial_outage' ? 'danger' : 'warn');

function Components({ view, reload }: { view: AdminView; reload: () => void }) {
  const toast = useToast();
  const set = async (name: string, status: string) => {
    try {
      await api.put(`/status-page/components/${encodeURIComponent(name)}/status`, { status });
      toast.ok(`${name} is now ${STATUS_WORDS[status] ?? status}`);
      reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  if (view.components.length === 0) return <p className="muted">No components. Add them to status_page.components in the organisation file.</p>;
  return (
    <Table caption="Components">
      <thead>
        <tr>
          <th scope="col">Component</th>
          <th scope="col">Group</th>
          <th scope="col">Now</th>
          <th scope="col">Set status</th>
        </tr>
      </thead>
      <tbody>
        {view.components.map((c) => (
          <tr key={c.name}>
            <th scope="row">
              {c.name}
              {c.description && <div className="small muted">{c.description}</div>}
            </th>
            <td>{c.group ?? '—'}</td>
            <td>
              <Badge tone={tone(c.status)}>{c.status_text}</Badge>
            </td>
            <td>
              <select aria-label={`Status of ${c.name}`} value={c.status} onChange={(e) => void set(c.name, e.target.value)}>
                {COMPONENT_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {STATUS_WORDS[s]}
                  </option>
                ))}
              </select>
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function PostUpdate({ view, reload }: { view: AdminView; reload: () => void }) {
  const toast = useToast();
  const templates = useApi<{ templates: Template[] }>('/status-page/templates');
  const incidents = useApi<{ incidents: IncidentRow[] }>('/incidents', { status: 'open,resolved', limit: 50 });
  const [incident, setIncident] = useState('');
  const [status, setStatus] = useState<PublicStatus>('investigating');
  const [message, setMessage] = useState('');
  const [components, setComponents] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const list = incidents.data?.incidents ?? [];
  const chosen = list.find((i) => String(i.id) === incident);

  const start = (t: Template) => {
    setStatus(t.status);
    setMessage(t.message.replace('{issue}', chosen?.title ?? 'the issue'));
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const set = Object.fromEntries(Object.entries(components).filter(([, v]) => v !== ''));
      await api.post(`/incidents/${incident}/public-updates`, { status, message, ...(Object.keys(set).length ? { components: set } : {}) });
      toast.ok(`Posted a public update on incident #${incident}`);
      setMessage('');
      setComponents({});
      reload();
    } catch (err) {
      setError(problemLines(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="panel" aria-label="Post a public update" onSubmit={(e) => void submit(e)}>
      <Field label="Incident" hint={list.length === 0 && !incidents.loading ? 'No open incident: declare one on the Incidents page first.' : undefined}>
        <select value={incident} onChange={(e) => setIncident(e.target.value)} required>
          <option value="">Choose an incident…</option>
          {list.map((i) => (
            <option key={i.id} value={String(i.id)}>
              #{i.id} {i.title} ({i.status})
            </option>
          ))}
        </select>
      </Field>
      <div className="row" role="group" aria-label="Templates">
        {(templates.data?.templates ?? []).map((t) => (
          <Button key={t.status} small onClick={() => start(t)} aria-label={`Start from the ${t.status_text} template`}>
            {t.status_text}
          </Button>
        ))}
      </div>
      <Field label="Public status">
        <select value={status} onChange={(e) => setStatus(e.target.value as PublicStatus)}>
          {(['investigating', 'identified', 'monitoring', 'resolved'] as const).map((s) => (
            <option key={s} value={s}>
              {s[0]!.toUpperCase() + s.slice(1)}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Message" hint="What customers read on the status page and in their email. Internal updates and notes are never shown.">
        <textarea rows={3} value={message} onChange={(e) => setMessage(e.target.value)} required />
      </Field>
      {view.components.length > 0 && (
        <fieldset>
          <legend>Components this update sets</legend>
          <div className="row">
            {view.components.map((c) => (
              <Field key={c.name} label={`${c.name} after this update`}>
                <select value={components[c.name] ?? ''} onChange={(e) => setComponents({ ...components, [c.name]: e.target.value })}>
                  <option value="">Unchanged ({c.status_text})</option>
                  {COMPONENT_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {STATUS_WORDS[s]}
                    </option>
                  ))}
                </select>
              </Field>
            ))}
          </div>
        </fieldset>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <Button variant="primary" type="submit" busy={busy} disabled={!incident}>
        Post public update
      </Button>
    </form>
  );
}

function Subscribers() {
  const toast = useToast();
  const subs = useApi<{ subscribers: Subscriber[] }>('/status-page/subscribers');
  if (subs.error) return <LoadError error={subs.error} onRetry={subs.reload} />;
  if (!subs.data) return <Loading what="subscribers" />;
  if (subs.data.subscribers.length === 0) return <p className="muted">No subscribers yet. People subscribe on the public page.</p>;
  const remove = async (s: Subscriber) => {
    try {
      await api.del(`/status-page/subscribers/${encodeURIComponent(s.id)}`);
      toast.ok(`Removed ${s.address}`);
      subs.reload();
    } catch (err) {
      toast.error(errorMessage(err));
    }
  };
  return (
    <Table caption="Subscribers">
      <thead>
        <tr>
          <th scope="col">Address</th>
          <th scope="col">Kind</th>
          <th scope="col">Confirmed</th>
          <th scope="col">Since</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {subs.data.subscribers.map((s) => (
          <tr key={s.id}>
            <td>{s.address}</td>
            <td>{s.kind}</td>
            <td>{s.confirmed ? 'yes' : 'waiting'}</td>
            <td>
              <FullTime at={s.created_at} />
            </td>
            <td>
              <Button small variant="danger" onClick={() => void remove(s)} aria-label={`Remove subscriber ${s.address}`}>
                Remove
              </Button>
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

export function StatusPageAdmin() {
  useTitle('Status page');
  const { user } = useSession();
  const view = useApi<AdminView>('/status-page/admin');
  if (view.error) {
    return (
      <>
        <h1>Status page</h1>
        <LoadError error={view.error} onRetry={view.reload} />
      </>
    );
  }
  if (!view.data) return <Loading what="the status page" />;
  const v = view.data;
  return (
    <>
      <h1>Status page</h1>
      <p>
        {v.title}: <Badge tone={tone(v.overall.status)}>{v.overall.text}</Badge>{' '}
        <a href="/status" target="_blank" rel="noreferrer">
          Open the public page
        </a>{' '}
        <span className="small muted">({v.url})</span>
      </p>
      <section aria-labelledby="sp-components">
        <h2 id="sp-components">Components</h2>
        <Components view={v} reload={view.reload} />
      </section>
      <section aria-labelledby="sp-post">
        <h2 id="sp-post">Post a public update</h2>
        <PostUpdate view={v} reload={view.reload} />
      </section>
      <section aria-labelledby="sp-active">
        <h2 id="sp-active">Active incidents on the page</h2>
        {v.active_incidents.length === 0 ? (
          <p className="muted">None: the page shows no active incident.</p>
        ) : (
          v.active_incidents.map((i) => (
            <article key={i.id} className="panel">
              <h3>
                <Link to={`/incidents/${i.id}`}>
                  #{i.id} {i.title}
                </Link>{' '}
                <Badge tone="warn">{i.status_text}</Badge>
              </h3>
              <ul>
                {i.updates.map((u) => (
                  <li key={u.id}>
                    <strong>{u.status_text}</strong> — {u.message} <span className="small muted">(<FullTime at={u.at} />)</span>
                  </li>
                ))}
              </ul>
            </article>
          ))
        )}
      </section>
      {user?.role === 'admin' && (
        <section aria-labelledby="sp-subscribers">
          <h2 id="sp-subscribers">Subscribers</h2>
          <Subscribers />
        </section>
      )}
    </>
  );
}
