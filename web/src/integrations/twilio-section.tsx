import { useApi } from '../lib/use-api';
import { Badge } from '../ui/badge';
import { CopyButton } from '../ui/copy-button';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { FullTime } from '../ui/time';

/** GET /api/v1/integrations/twilio */
export interface TwilioStatus {
  configured: boolean;
  channels: string[];
  account_sid: string | null;
  from: string | null;
  api_url: string | null;
  webhooks: { incoming_sms: string; status_callback: string };
  opted_out: { count: number; numbers: { phone: string; users: string[]; keyword: string; opted_out_at: string }[] | null };
}

/** SMS and voice: whether Twilio is set up, what to configure in Twilio, and who texted STOP. */
export function TwilioSection() {
  const r = useApi<TwilioStatus>('/integrations/twilio');
  return (
    <section aria-labelledby="twilio-heading" className="panel">
      <h2 id="twilio-heading">
        SMS and voice (Twilio){' '}
        {r.data && (r.data.configured ? <Badge tone="ok">Configured</Badge> : <Badge tone="warn">Not configured</Badge>)}
      </h2>
      {r.error ? <LoadError error={r.error} onRetry={r.reload} /> : !r.data ? <Loading what="the Twilio settings" /> : <TwilioDetails s={r.data} />}
    </section>
  );
}

export function TwilioDetails({ s }: { s: TwilioStatus }) {
  return (
    <>
      {s.configured ? <Configuration s={s} /> : <NotConfigured />}
      <OptedOut s={s} />
    </>
  );
}

function NotConfigured() {
  return (
    <>
      <p>SMS and voice contact methods are not paged: this server has no Twilio account.</p>
      <p className="muted">
        Set <code>WATCHKEEPER_TWILIO_ACCOUNT_SID</code>, <code>WATCHKEEPER_TWILIO_AUTH_TOKEN</code> and <code>WATCHKEEPER_TWILIO_FROM</code> on the server and restart it.
      </p>
    </>
  );
}

function Configuration({ s }: { s: TwilioStatus }) {
  return (
    <dl className="kv">
      <dt>Sending from</dt>
      <dd className="mono">{s.from}</dd>
      <dt>Account</dt>
      <dd className="mono">{s.account_sid}</dd>
      <dt>Channels</dt>
      <dd>{s.channels.join(', ')}</dd>
      <dt>Incoming SMS webhook</dt>
      <dd>
        <span className="mono">{s.webhooks.incoming_sms}</span> <CopyButton text={s.webhooks.incoming_sms} label="Copy the incoming SMS webhook URL" />
        <div className="muted small">In the Twilio console, set it on the number under “A message comes in” (HTTP POST), so replies and STOP reach Watchkeeper.</div>
      </dd>
    </dl>
  );
}

/** Opt-outs outlive the configuration: a number that texted STOP stays blocked after a restart. */
function OptedOut({ s }: { s: TwilioStatus }) {
  return (
    <>
      <h3>Opted out</h3>
      {s.opted_out.count === 0 ? (
        <p className="muted">No number has texted STOP.</p>
      ) : s.opted_out.numbers === null ? (
        <p>{s.opted_out.count} number(s) texted STOP and get no SMS or calls. Admins see which.</p>
      ) : (
        <>
          <p className="muted">These numbers get no SMS or calls until the person texts START{s.from ? ` to ${s.from}` : ''}.</p>
          <Table caption="Numbers that texted STOP">
            <thead>
              <tr>
                <th>Number</th>
                <th>People</th>
                <th>Keyword</th>
                <th>Since</th>
              </tr>
            </thead>
            <tbody>
              {s.opted_out.numbers.map((n) => (
                <tr key={n.phone}>
                  <td className="mono">{n.phone}</td>
                  <td>{n.users.join(', ') || <span className="muted">nobody</span>}</td>
                  <td className="mono">{n.keyword}</td>
                  <td className="small">
                    <FullTime at={n.opted_out_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        </>
      )}
    </>
  );
}
