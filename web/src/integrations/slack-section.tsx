import { useApi } from '../lib/use-api';
import { Link } from '../router/router';
import { Badge, SeverityBadge } from '../ui/badge';
import { CopyButton } from '../ui/copy-button';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';

/** GET /api/v1/integrations/slack */
export interface SlackStatus {
  connected: boolean;
  message: string;
  api_url: string | null;
  interactions: { enabled: boolean; url: string };
  bot: { team: string; team_id: string; user: string; user_id: string; url: string } | null;
  error: string | null;
  users: { total: number; mapped: number; by_contact_method: number; by_email: number };
  posts: { pending: number; failed: number; done: number; last_error: string | null };
  routing: { service: string; channels: Record<string, string>; security_channel: string | null }[];
}

/** A service's Slack routing as the organisation file (and GET /api/v1/services) writes it. */
export interface ServiceSlack {
  channels: Record<string, string>;
  security_channel?: string;
}

/** Slack: connection, who is linked, messages waiting or failed, and where each service posts. */
export function SlackSection() {
  const r = useApi<SlackStatus>('/integrations/slack');
  return (
    <section aria-labelledby="slack-heading" className="panel">
      <h2 id="slack-heading">
        Slack{' '}
        {r.data && (r.data.connected ? <Badge tone="ok">Connected</Badge> : <Badge tone="warn">Not connected</Badge>)}
      </h2>
      {r.error ? <LoadError error={r.error} onRetry={r.reload} /> : !r.data ? <Loading what="the Slack connection" /> : <SlackDetails s={r.data} />}
    </section>
  );
}

export function SlackDetails({ s }: { s: SlackStatus }) {
  return (
    <>
      <p>{s.message}</p>
      {s.connected && s.bot && (
        <dl className="kv">
          <dt>Workspace</dt>
          <dd>
            {s.bot.team} <span className="muted small">({s.bot.team_id})</span>
          </dd>
          <dt>Bot user</dt>
          <dd>@{s.bot.user}</dd>
          <dt>Buttons</dt>
          <dd>
            {s.interactions.enabled ? (
              <>
                <span className="mono">{s.interactions.url}</span> <CopyButton text={s.interactions.url} label="Copy the Slack Interactivity Request URL" />
                <div className="muted small">In your Slack app (api.slack.com/apps), set it under Interactivity &amp; Shortcuts → Request URL.</div>
              </>
            ) : (
              <span>
                Off: set <code>WATCHKEEPER_SLACK_SIGNING_SECRET</code> on the server and restart it.
              </span>
            )}
          </dd>
          <dt>People linked</dt>
          <dd>
            {s.users.mapped} of {s.users.total}{' '}
            <span className="muted small">
              ({s.users.by_contact_method} by Slack contact method, {s.users.by_email} by email)
            </span>
          </dd>
          <dt>Messages</dt>
          <dd>
            {s.posts.done} up to date, {s.posts.pending} waiting, {s.posts.failed} failed
            {s.posts.last_error && <div className="notice notice-error small">Last error: {s.posts.last_error}</div>}
          </dd>
        </dl>
      )}
      {!s.connected && !s.bot && !s.error && (
        <p className="muted">
          Create a Slack app with the bot scopes <code>chat:write</code>, <code>chat:write.public</code>, <code>users:read</code> and <code>users:read.email</code>, install it, then set{' '}
          <code>WATCHKEEPER_SLACK_BOT_TOKEN</code> and <code>WATCHKEEPER_SLACK_SIGNING_SECRET</code> on the server and restart it.
        </p>
      )}
      <h3>Channels by service</h3>
      {s.routing.length === 0 ? (
        <p className="muted">
          No service posts to Slack. Add a <code>slack</code> section to a service in the organisation file, e.g. <code>slack: {'{'}channels: {'{'}critical: &quot;#incidents&quot;{'}'}{'}'}</code>.
        </p>
      ) : (
        <Table caption="Slack channels by service and severity">
          <thead>
            <tr>
              <th>Service</th>
              <th>Severity</th>
              <th>Channel</th>
            </tr>
          </thead>
          <tbody>
            {s.routing.flatMap((r) =>
              routeRows(r.channels, r.security_channel).map(([sev, channel], i) => (
                <tr key={`${r.service}/${sev}`}>
                  <td>{i === 0 ? <Link to="/services">{r.service}</Link> : null}</td>
                  <td>{sev === 'security' ? <Badge>security</Badge> : <SeverityBadge severity={sev} />}</td>
                  <td className="mono">{channel}</td>
                </tr>
              )),
            )}
          </tbody>
        </Table>
      )}
    </>
  );
}

function routeRows(channels: Record<string, string>, security: string | null | undefined): [string, string][] {
  return [...Object.entries(channels), ...(security ? [['security', security] as [string, string]] : [])];
}

/** The service page's view of its routing. */
export function SlackRouting({ slack, service }: { slack: ServiceSlack | undefined; service: string }) {
  if (!slack) {
    return (
      <p className="muted">
        Alerts of {service} are not posted to Slack. Add <code>slack: {'{'}channels: {'{'}critical: &quot;#incidents&quot;{'}'}{'}'}</code> to the service in the organisation file.
      </p>
    );
  }
  return (
    <ul aria-label={`Slack channels of ${service}`} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {routeRows(slack.channels, slack.security_channel).map(([sev, channel]) => (
        <li key={sev}>
          {sev === 'security' ? 'security alerts' : <SeverityBadge severity={sev} />} → <span className="mono">{channel}</span>
        </li>
      ))}
    </ul>
  );
}
