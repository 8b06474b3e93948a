import { useState } from 'react';
import { api, errorMessage } from '../api/client';
import { roleRank, type Alert, type AlertSummary, type Integration, type Service } from '../api/types';
import { useSession } from '../auth/session';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { Button } from '../ui/button';
import { CopyButton } from '../ui/copy-button';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { SlackRouting } from '../integrations/slack-section';
import { useToast } from '../ui/toast';
import { GeneratedKeys, ServiceEditor, type GeneratedKey } from './service-editor';

const TYPE_NAMES: Record<string, string> = {
  events_v2: 'PagerDuty Events API v2',
  alertmanager: 'Alertmanager webhook',
  generic: 'Signed webhook',
  heartbeat: 'Heartbeat',
};

/** The URL part of what the server returns ("…/v2/enqueue (routing_key = the integration key)"). */
export function integrationUrl(i: Integration): string {
  return i.url.split(' ')[0] ?? i.url;
}

function keyHint(i: Integration): string {
  if (i.type === 'events_v2') return 'Set routing_key to the integration key.';
  if (i.type === 'heartbeat') return `Replace <key> with the integration key; GET or POST it every ${i.interval ?? 'interval'}, e.g. at the end of a cron job.`;
  if (i.type === 'generic') return `Replace <key> with the integration key; sign each body with the secret${i.secret_env ? ` in $${i.secret_env}` : ''}.`;
  return 'Replace <key> with the integration key.';
}

export function ServicesPage() {
  useTitle('Services');
  const services = useApi<{ services: Service[] }>('/services');
  const summary = useApi<AlertSummary>('/alerts/summary');
  useLive(() => services.reload(), (e) => e.type === 'config.changed');
  // The least severe level keeps a test alert from waking anyone who is not watching.
  const testSeverity = summary.data?.by_severity[summary.data.by_severity.length - 1]?.severity;
  const { user } = useSession();
  const toast = useToast();
  const canEdit = roleRank(user?.role ?? 'viewer') >= roleRank('manager');
  // null: not editing; '' : a new service; otherwise the name of the service being edited.
  const [editing, setEditing] = useState<string | null>(null);
  const [keys, setKeys] = useState<GeneratedKey[]>([]);
  const saved = (name: string, generated: GeneratedKey[]) => {
    toast.ok(`Saved ${name}`);
    setKeys(generated);
    setEditing(null);
    services.reload();
  };

  return (
    <>
      <h1>Services</h1>
      <p className="muted">Each service routes its alerts to one escalation policy. Point a sender at one of its integration URLs.</p>
      {keys.length > 0 && <GeneratedKeys keys={keys} onDismiss={() => setKeys([])} />}
      {canEdit && editing === null && (
        <p>
          <Button variant="primary" onClick={() => setEditing('')}>
            New service
          </Button>
        </p>
      )}
      {editing === '' && <ServiceEditor initial={null} onSaved={saved} onCancel={() => setEditing(null)} />}
      {services.error ? (
        <LoadError error={services.error} onRetry={services.reload} />
      ) : !services.data ? (
        <Loading what="services" />
      ) : services.data.services.length === 0 ? (
        <p className="panel">No services yet. Add one to the organisation file and apply it (watchkeeper apply -f org.yaml).</p>
      ) : (
        services.data.services.map((s) =>
          editing === s.name ? (
            <ServiceEditor key={s.name} initial={s} onSaved={saved} onCancel={() => setEditing(null)} />
          ) : (
            <ServiceCard key={s.name} service={s} testSeverity={testSeverity} onEdit={canEdit && editing === null ? () => setEditing(s.name) : undefined} />
          ),
        )
      )}
    </>
  );
}

function ServiceCard({ service: s, testSeverity, onEdit }: { service: Service; testSeverity: string | undefined; onEdit: (() => void) | undefined }) {
  const { user } = useSession();
  const canTest = roleRank(user?.role ?? 'viewer') >= roleRank('responder');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ alert: Alert | null; outcome: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const headingId = `svc-${s.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

  const sendTest = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ outcome: string; alert: Alert | null }>('/alerts', {
        service: s.name,
        summary: `Test alert for ${s.name} from ${user?.name ?? 'the web UI'}`,
        ...(testSeverity ? { severity: testSeverity } : {}),
        source: 'watchkeeper-ui',
      });
      setCreated(r);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby={headingId} style={{ marginBottom: '1rem' }}>
      <div className="spread">
        <h2 id={headingId} style={{ margin: 0 }}>
          {s.name}
        </h2>
        <div className="row">
          <Link to={`/alerts?service=${encodeURIComponent(s.name)}`}>Open alerts</Link>
          <Button onClick={() => void sendTest()} busy={busy} disabled={!canTest} title={canTest ? `Creates a ${testSeverity ?? ''} alert on ${s.name}; it pages like a real one` : 'Needs the responder role'}>
            Send test alert
          </Button>
          {onEdit && <Button onClick={onEdit}>Edit {s.name}</Button>}
        </div>
      </div>
      {s.description && <p>{s.description}</p>}
      <div role="status" aria-live="polite">
        {created?.alert && (
          <p className="notice">
            Test alert created: <Link to={`/alerts/${created.alert.id}`}>alert #{created.alert.id}</Link>. It pages the escalation policy like a real alert; resolve it when you are done.
          </p>
        )}
      </div>
      {error && (
        <p role="alert" className="notice notice-error">
          {error}
        </p>
      )}
      <dl className="kv">
        <dt>Escalation policy</dt>
        <dd>{s.escalation_policy ? <Link to="/escalation-policies">{s.escalation_policy}</Link> : <span className="muted">none: alerts page nobody</span>}</dd>
        {s.team && (
          <>
            <dt>Team</dt>
            <dd>
              <Link to="/teams">{s.team}</Link>
            </dd>
          </>
        )}
      </dl>
      <h3>Integrations</h3>
      {s.integrations.length === 0 ? (
        <p className="muted">No integrations: alerts can only be created through the API (POST /api/v1/alerts).</p>
      ) : (
        <Table caption={`Integrations of ${s.name}`}>
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>URL</th>
              <th>
                <span className="visually-hidden">Copy</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {s.integrations.map((i) => (
              <tr key={i.name}>
                <td>{i.name}</td>
                <td>{TYPE_NAMES[i.type] ?? i.type}</td>
                <td>
                  <code>{integrationUrl(i)}</code>
                  <div className="muted small">{keyHint(i)}</div>
                </td>
                <td>
                  <CopyButton text={integrationUrl(i)} label={`Copy ${i.name} URL of ${s.name}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {s.integrations.length > 0 && (
        <p className="muted small">
          Integration keys are stored hashed, so they cannot be shown here: a generated key is shown once when the integration is created; a key you chose is in your organisation file (key or
          key_env).
        </p>
      )}
      <h3>Slack</h3>
      <SlackRouting slack={s.slack} service={s.name} />
    </section>
  );
}
