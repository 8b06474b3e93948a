import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { App, defaultSenders } from '../../src/app.js';
import { applyOrg } from '../../src/commands/apply-org.js';
import { createToken } from '../../src/commands/tokens.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { buttons, messageText, sendInteraction, SlackApiServer, type SlackStoredMessage } from '../helpers/slack-server.js';
import { storeKinds, type StoreKind } from '../helpers/stores.js';

/**
 * Slack end to end: a real Watchkeeper (real store, engine, HTTP) talking to a local Slack Web API
 * through Slack's own client, and button presses sent back exactly as Slack signs them. The clock
 * is fake; nothing sleeps.
 */

const SECRET = 'slack-signing-secret-for-tests-0123456789';
const PAYMENTS_KEY = 'payments0events0v2000000000000000'.slice(0, 32);
const SEARCH_KEY = 'search00events0v20000000000000000'.slice(0, 32);
const BILLING_KEY = 'billing0events0v20000000000000000'.slice(0, 32);
const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';

const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods:
      - name: slack
        type: slack
        address: ${ALICE}
  - name: bob
    email: Bob@Example.com
    contact_methods:
      - name: email
        type: email
        address: bob@example.com
  - name: vera
    email: vera@example.com
    role: viewer
escalation_policies:
  - name: payments
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 10
      - targets: [{ user: bob }]
        delay_minutes: 10
  - name: search
    levels:
      - targets: [{ user: bob }]
        delay_minutes: 10
services:
  - name: Payments API
    escalation_policy: payments
    integrations:
      - name: pd
        type: events_v2
        key: ${PAYMENTS_KEY}
    slack:
      channels: { critical: "#incidents", high: "#incidents", warning: "#alerts", info: "#monitoring" }
      security_channel: "#security"
  - name: Search
    escalation_policy: search
    integrations:
      - name: pd
        type: events_v2
        key: ${SEARCH_KEY}
    slack:
      channels: { p1: "#incidents" }
  - name: Billing
    escalation_policy: payments
    integrations:
      - name: pd
        type: events_v2
        key: ${BILLING_KEY}
`;

interface Setup {
  h: Harness;
  slack: SlackApiServer;
}

async function start(kind: StoreKind, opts: { slack?: boolean } = {}): Promise<Setup> {
  const slack = new SlackApiServer();
  await slack.start();
  slack.addMember(ALICE, 'alice@example.com');
  slack.addMember(BOB, 'bob@example.com');
  slack.addMember('U0VERA0001', 'vera@example.com');
  const h = new Harness(kind);
  const smtpUrl = await h.smtp.start();
  h.store = await kind.open();
  const log = pino({ level: process.env.WATCHKEEPER_TEST_LOG ?? 'silent' });
  h.app = new App({
    store: h.store,
    clock: h.clock,
    log,
    publicUrl: 'http://watchkeeper.test',
    senders: defaultSenders(log, smtpUrl, null),
    ingestRateLimit: 0,
    slack: opts.slack === false ? null : { botToken: slack.token, signingSecret: SECRET, apiUrl: slack.apiUrl },
  });
  await applyOrg(h.app.ctx, parseOrgYaml(ORG), systemTestActor);
  h.adminToken = (await createToken(h.app.ctx, systemTestActor, { name: 'test admin', role: 'admin' })).token;
  await h.app.http.listen({ port: 0, host: '127.0.0.1' });
  const addr = h.app.http.server.address();
  h.baseUrl = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
  return { h, slack };
}

async function trigger(h: Harness, key: string, dedup: string, summary: string, severity: string, extra: Record<string, unknown> = {}): Promise<number> {
  const r = await h.enqueue({ routing_key: key, event_action: 'trigger', dedup_key: dedup, payload: { summary, source: 'prometheus', severity, ...extra } });
  expect(r.status).toBe(202);
  const row = await h.store.db.selectFrom('alerts').select('id').where('dedup_key', '=', dedup).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return row.id;
}

const alertRow = (h: Harness, id: number) => h.store.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const timeline = async (h: Harness, id: number) => (await h.store.db.selectFrom('alert_events').select(['kind', 'message', 'surface']).where('alert_id', '=', id).orderBy('id').execute()).map((e) => e.message);
const only = (list: SlackStoredMessage[]): SlackStoredMessage => {
  expect(list).toHaveLength(1);
  return list[0] as SlackStoredMessage;
};

describe.each(storeKinds)('Slack ($name)', (kind) => {
  let s: Setup | null = null;
  afterEach(async () => {
    await s?.h.stop();
    await s?.slack.stop();
    s = null;
  });

  it('posts a critical alert to #incidents with buttons, pages alice by DM, and acknowledging and resolving from Slack update the message in place', async () => {
    s = await start(kind);
    const { h, slack } = s;
    const id = await trigger(h, PAYMENTS_KEY, 'err-rate', 'Error rate > 5% on <checkout> & cart', 'critical');
    await h.tick();

    const post = only(slack.messages('#incidents'));
    expect(messageText(post)).toContain('*[CRITICAL] Error rate &gt; 5% on &lt;checkout&gt; &amp; cart*');
    expect(messageText(post)).toContain('Triggered (escalation level 1)');
    expect(messageText(post)).toContain(`<http://watchkeeper.test/alerts/${id}|#${id}>`);
    expect(buttons(post)).toEqual([`watchkeeper.ack.${id}`, `watchkeeper.resolve.${id}`, `watchkeeper.escalate.${id}`]);
    expect(slack.callsOf('chat.postMessage').every((c) => c.token === slack.token && c.contentType.startsWith('application/x-www-form-urlencoded'))).toBe(true);
    expect(await timeline(h, id)).toContain('posted to #incidents in Slack');

    // The page reaches alice as a direct message with the same buttons.
    const dm = only(slack.messages(slack.dmChannel(ALICE)));
    expect(messageText(dm)).toContain('Error rate &gt; 5%');
    expect(buttons(dm)).toContain(`watchkeeper.ack.${id}`);
    const page = await h.store.db.selectFrom('pages').selectAll().where('alert_id', '=', id).executeTakeFirstOrThrow();
    expect(page).toMatchObject({ channel: 'slack', destination: ALICE, status: 'sent' });

    // Alice presses Acknowledge in #incidents.
    const ack = await sendInteraction(h.baseUrl, SECRET, { userId: ALICE, actionId: `watchkeeper.ack.${id}`, value: String(id), channelId: 'C0INCIDENTS', messageTs: post.ts, responseUrl: slack.responseUrl('ack') }, h.clock.now());
    expect(ack.status).toBe(200);
    expect(await alertRow(h, id)).toMatchObject({ status: 'acknowledged', acknowledged_by: 'alice' });
    const ackEvent = await h.store.db.selectFrom('alert_events').selectAll().where('alert_id', '=', id).where('kind', '=', 'acknowledged').executeTakeFirstOrThrow();
    expect(ackEvent).toMatchObject({ actor_kind: 'user', actor_name: 'alice', surface: 'slack', message: 'acknowledged by alice via slack' });

    await h.tick();
    expect(post.updates).toBe(1);
    expect(messageText(post)).toContain('Acknowledged by alice');
    expect(buttons(post)).toEqual([`watchkeeper.resolve.${id}`, `watchkeeper.escalate.${id}`]);
    // The DM is kept up to date too, and nothing was posted twice.
    expect(messageText(dm)).toContain('Acknowledged by alice');
    expect(slack.messages('#incidents')).toHaveLength(1);

    // Bob has no Slack contact method: he is found by his email through users.lookupByEmail.
    const resolve = await sendInteraction(h.baseUrl, SECRET, { userId: BOB, actionId: `watchkeeper.resolve.${id}`, channelId: 'C0INCIDENTS', messageTs: post.ts, responseUrl: slack.responseUrl('resolve') }, h.clock.now());
    expect(resolve.status).toBe(200);
    expect(slack.callsOf('users.lookupByEmail').map((c) => c.body.email)).toContain('Bob@Example.com');
    expect(await alertRow(h, id)).toMatchObject({ status: 'resolved', resolved_by: 'bob' });
    expect(await timeline(h, id)).toContain('resolved by bob via slack');
    await h.tick();
    expect(messageText(post)).toContain('Resolved by bob');
    expect(buttons(post)).toEqual([]);
    expect(slack.callsOf('chat.update').every((c) => c.body.channel === 'C0INCIDENTS' || c.body.channel === slack.dmChannel(ALICE))).toBe(true);

    // The mapping is kept: a second press needs no lookup, and says there is nothing to do.
    const lookups = slack.callsOf('users.lookupByEmail').length;
    await sendInteraction(h.baseUrl, SECRET, { userId: BOB, actionId: `watchkeeper.resolve.${id}`, channelId: 'C0INCIDENTS', messageTs: post.ts, responseUrl: slack.responseUrl('again') }, h.clock.now());
    expect(slack.callsOf('users.lookupByEmail')).toHaveLength(lookups);
    expect(slack.responses.find((r) => r.id === 'again')?.body).toMatchObject({ response_type: 'ephemeral', text: `Nothing to do: alert #${id} is already resolved.` });

    const status = await h.api('GET', '/api/v1/integrations/slack');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      connected: true,
      bot: { team: 'Watchkeeper Test', user: 'watchkeeper' },
      interactions: { enabled: true, url: 'http://watchkeeper.test/integrations/slack/interactions' },
      users: { total: 3, mapped: 2, by_contact_method: 1, by_email: 1 },
      routing: [
        { service: 'Payments API', channels: { critical: '#incidents', high: '#incidents', medium: '#alerts', info: '#monitoring' }, security_channel: '#security' },
        { service: 'Search', channels: { critical: '#incidents' }, security_channel: null },
      ],
    });
  });

  it('routes by severity: a warning goes to #alerts, a security warning to #alerts and #security, info to #monitoring, an unrouted severity nowhere', async () => {
    s = await start(kind);
    const { h, slack } = s;
    const warn = await trigger(h, PAYMENTS_KEY, 'latency', 'p99 latency high', 'warning');
    const sec = await trigger(h, PAYMENTS_KEY, 'auth-spike', 'Failed authentication spike', 'warning', { class: 'Security' });
    const info = await trigger(h, PAYMENTS_KEY, 'deploy', 'Deploy finished', 'info');
    await trigger(h, BILLING_KEY, 'billing', 'Billing is not routed', 'critical');
    await h.tick();
    expect(slack.messages('#alerts').map((m) => messageText(m))).toEqual([expect.stringContaining('p99 latency high'), expect.stringContaining('Failed authentication spike')]);
    expect(messageText(only(slack.messages('#security')))).toContain('Failed authentication spike');
    expect(messageText(only(slack.messages('#monitoring')))).toContain('Deploy finished');
    expect(slack.messages('#incidents')).toHaveLength(0);
    const rows = await h.store.db.selectFrom('slack_posts').select(['alert_id', 'channel', 'status']).where('kind', '=', 'channel').orderBy('id').execute();
    expect(rows).toEqual([
      { alert_id: warn, channel: '#alerts', status: 'done' },
      { alert_id: sec, channel: '#alerts', status: 'done' },
      { alert_id: sec, channel: '#security', status: 'done' },
      { alert_id: info, channel: '#monitoring', status: 'done' },
    ]);
  });

  it('escalating from Slack pages the next level and the message shows the new level', async () => {
    s = await start(kind);
    const { h, slack } = s;
    const id = await trigger(h, PAYMENTS_KEY, 'db-down', 'Database down', 'critical');
    await h.tick();
    const post = only(slack.messages('#incidents'));
    const press = { userId: ALICE, actionId: `watchkeeper.escalate.${id}`, channelId: 'C0INCIDENTS', messageTs: post.ts, responseUrl: slack.responseUrl('esc') };
    const r = await sendInteraction(h.baseUrl, SECRET, press, h.clock.now());
    expect(r.status).toBe(200);
    expect(await alertRow(h, id)).toMatchObject({ status: 'triggered', escalation_level: 1 });
    // The same signed request sent again (a replay within the 5 minutes) is refused and pages nobody.
    const replay = await sendInteraction(h.baseUrl, SECRET, press, h.clock.now());
    expect(replay.status).toBe(401);
    expect(replay.body).toContain('already received');
    expect(await alertRow(h, id)).toMatchObject({ escalation_level: 1, notify_seq: 2 });
    await h.tick();
    expect(messageText(post)).toContain('Triggered (escalation level 2)');
    expect(h.paged()).toContain('bob@example.com');
  });

  it('retries a channel post and a DM page after Slack answers 429 with Retry-After', async () => {
    s = await start(kind);
    const { h, slack } = s;
    // Search pages bob by email: the only chat.postMessage is the channel post.
    slack.script('chat.postMessage', { status: 429, retryAfter: 30 });
    const id = await trigger(h, SEARCH_KEY, 'search-down', 'Search is down', 'critical');
    await h.tick();
    expect(slack.messages('#incidents')).toHaveLength(0);
    const waiting = await h.store.db.selectFrom('slack_posts').selectAll().where('alert_id', '=', id).executeTakeFirstOrThrow();
    expect(waiting).toMatchObject({ status: 'pending', next_attempt_at: h.clock.now() + 30_000 });
    expect(waiting.last_error).toContain('rate limit');
    h.clock.advance(29_000);
    await h.tick();
    expect(slack.messages('#incidents')).toHaveLength(0);
    h.clock.advance(1_000);
    await h.tick();
    expect(messageText(only(slack.messages('#incidents')))).toContain('Search is down');

    // Billing is not routed: its page to alice's Slack is the only chat.postMessage.
    slack.script('chat.postMessage', { status: 429, retryAfter: 20 });
    const billing = await trigger(h, BILLING_KEY, 'billing-down', 'Billing is down', 'critical');
    await h.tick();
    const page = await h.store.db.selectFrom('pages').selectAll().where('alert_id', '=', billing).executeTakeFirstOrThrow();
    expect(page).toMatchObject({ channel: 'slack', status: 'pending' });
    expect(page.last_error).toContain('rate limit');
    h.clock.advance(20_000);
    await h.tick();
    expect(messageText(only(slack.messages(slack.dmChannel(ALICE))))).toContain('Billing is down');
    expect(await h.store.db.selectFrom('pages').select('status').where('id', '=', page.id).executeTakeFirstOrThrow()).toEqual({ status: 'sent' });
  });

  it('fails permanently with what to fix when Slack rejects the token (invalid_auth)', async () => {
    s = await start(kind);
    const { h, slack } = s;
    slack.script('chat.postMessage', { error: 'invalid_auth' });
    const id = await trigger(h, SEARCH_KEY, 'search-slow', 'Search is slow', 'critical');
    await h.tick();
    const row = await h.store.db.selectFrom('slack_posts').selectAll().where('alert_id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/^Slack rejected the bot token \(invalid_auth\): set WATCHKEEPER_SLACK_BOT_TOKEN/);
    expect((await timeline(h, id)).some((m) => m.startsWith('posting to #incidents in Slack failed after 1 attempt(s): Slack rejected the bot token (invalid_auth)'))).toBe(true);
    h.clock.advance(60_000);
    await h.tick();
    expect(slack.callsOf('chat.postMessage').filter((c) => c.body.channel === '#incidents')).toHaveLength(1);

    // A DM page fails the same way, at once, without retries.
    slack.script('chat.postMessage', { error: 'invalid_auth' });
    const billing = await trigger(h, BILLING_KEY, 'billing-slow', 'Billing is slow', 'critical');
    await h.tick();
    const page = await h.store.db.selectFrom('pages').selectAll().where('alert_id', '=', billing).executeTakeFirstOrThrow();
    expect(page.status).toBe('failed');
    expect(page.last_error).toContain('WATCHKEEPER_SLACK_BOT_TOKEN');
    const status = await h.api('GET', '/api/v1/integrations/slack');
    expect(status.body).toMatchObject({ posts: { failed: 1, last_error: expect.stringContaining('invalid_auth') } });
  });

  it('refuses forged, stale and unsigned callbacks with 401, and tells an unlinked Slack user how to link; none of them changes the alert', async () => {
    s = await start(kind);
    const { h, slack } = s;
    const id = await trigger(h, PAYMENTS_KEY, 'cpu', 'CPU high', 'critical');
    await h.tick();
    const post = only(slack.messages('#incidents'));
    const press = (userId: string, responseId: string) => ({ userId, actionId: `watchkeeper.ack.${id}`, channelId: 'C0INCIDENTS', messageTs: post.ts, responseUrl: slack.responseUrl(responseId) });

    const forged = await sendInteraction(h.baseUrl, 'not-the-signing-secret', press(ALICE, 'forged'), h.clock.now());
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body)).toMatchObject({ error: { code: 'unauthorized', message: 'Slack signature check failed: signature does not match' } });

    const nowS = Math.floor(h.clock.now() / 1000);
    const stale = await sendInteraction(h.baseUrl, SECRET, press(ALICE, 'stale'), h.clock.now() - 301_000, { timestampS: nowS - 301 });
    expect(stale.status).toBe(401);
    expect(stale.body).toContain('more than 5 minutes');

    const unsigned = await sendInteraction(h.baseUrl, SECRET, press(ALICE, 'unsigned'), h.clock.now(), { signature: '' });
    expect(unsigned.status).toBe(401);

    const stranger = await sendInteraction(h.baseUrl, SECRET, press('U0STRANGER', 'stranger'), h.clock.now());
    expect(stranger.status).toBe(200);
    const reply = slack.responses.find((r) => r.id === 'stranger')?.body;
    expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(reply?.text)).toContain('Add your member ID U0STRANGER as a Slack contact method on your Watchkeeper profile (http://watchkeeper.test/profile)');

    // A viewer is linked (by email) but may not act.
    const viewer = await sendInteraction(h.baseUrl, SECRET, press('U0VERA0001', 'viewer'), h.clock.now());
    expect(viewer.status).toBe(200);
    expect(String(slack.responses.find((r) => r.id === 'viewer')?.body.text)).toContain('needs the responder role');

    expect(slack.responses.map((r) => r.id).sort()).toEqual(['stranger', 'viewer']);
    expect(await alertRow(h, id)).toMatchObject({ status: 'triggered', acknowledged_by: null });
    expect((await timeline(h, id)).filter((m) => m.includes('acknowledged'))).toEqual([]);
  });

  it('keeps the slack section through export and apply, and the API refuses a bad one naming the field and changing nothing', async () => {
    s = await start(kind);
    const { h } = s;
    const svc = await h.api('GET', '/api/v1/services/Payments%20API');
    expect(svc.body.slack).toEqual({ channels: { critical: '#incidents', high: '#incidents', medium: '#alerts', info: '#monitoring' }, security_channel: '#security' });
    const exported = await h.api('GET', '/api/v1/config');
    expect((await h.api('POST', '/api/v1/config/apply', { config: exported.body })).body).toMatchObject({ changes: [] });

    const search = (await h.api('GET', '/api/v1/services/Search')).body;
    const bad = await h.api('PUT', '/api/v1/services/Search', { ...search, integrations: undefined, slack: { channels: { sev9: '#alerts' } } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { problems: [{ field: 'slack.channels.sev9', message: 'unknown severity "sev9"; use one of critical, high, medium, low, info or an alias' }] } });
    expect((await h.api('GET', '/api/v1/services/Search')).body.slack).toEqual({ channels: { critical: '#incidents' } });

    const { integrations: _integrations, ...rest } = search;
    const ok = await h.api('PUT', '/api/v1/services/Search', { ...rest, integrations: (search.integrations as Record<string, unknown>[]).map(({ url: _url, ...i }) => i), slack: { channels: { warn: '#alerts' } } });
    expect(ok.body).toMatchObject({ changes: [{ action: 'update', kind: 'service', name: 'Search' }] });
    const status = await h.api('GET', '/api/v1/integrations/slack');
    expect((status.body.routing as { service: string }[]).find((r) => r.service === 'Search')).toEqual({ service: 'Search', channels: { medium: '#alerts' }, security_channel: null });
  });

  it('posts what a stopped process left behind when the next one starts: the feed cursor and the outbox are rows', async () => {
    s = await start(kind);
    const { h, slack } = s;
    slack.script('chat.postMessage', { status: 429, retryAfter: 5 });
    const first = await trigger(h, SEARCH_KEY, 'one', 'First outage', 'critical');
    await h.tick();
    const second = await trigger(h, SEARCH_KEY, 'two', 'Second outage', 'critical');
    // The process stops before it reads the second alert's events or retries the first post.
    await h.app.stop();
    const log = pino({ level: 'silent' });
    h.app = new App({ store: h.store, clock: h.clock, log, publicUrl: 'http://watchkeeper.test', senders: defaultSenders(log, `smtp://127.0.0.1:${h.smtp.port}`, null), slack: { botToken: slack.token, signingSecret: SECRET, apiUrl: slack.apiUrl } });
    h.clock.advance(5_000);
    await h.tick();
    expect(slack.messages('#incidents').map((m) => messageText(m).split('\n')[0])).toEqual([':rotating_light: *[CRITICAL] First outage*', ':rotating_light: *[CRITICAL] Second outage*']);
    const rows = await h.store.db.selectFrom('slack_posts').select(['alert_id', 'status']).orderBy('alert_id').execute();
    expect(rows).toEqual([
      { alert_id: first, status: 'done' },
      { alert_id: second, status: 'done' },
    ]);
  });

  it('connecting Slack to a server that ran without it posts the alerts still open, not the history', async () => {
    s = await start(kind, { slack: false });
    const { h, slack } = s;
    const old = await trigger(h, SEARCH_KEY, 'old', 'Old outage', 'critical');
    await h.api('POST', `/api/v1/alerts/${old}/resolve`, {});
    await trigger(h, SEARCH_KEY, 'open', 'Still open', 'critical');
    await h.tick();
    await h.app.stop();
    h.clock.advanceMinutes(120);
    const log = pino({ level: 'silent' });
    h.app = new App({ store: h.store, clock: h.clock, log, publicUrl: 'http://watchkeeper.test', senders: defaultSenders(log, `smtp://127.0.0.1:${h.smtp.port}`, null), slack: { botToken: slack.token, signingSecret: SECRET, apiUrl: slack.apiUrl } });
    await h.tick();
    expect(slack.messages('#incidents').map((m) => messageText(m).split('\n')[0])).toEqual([':rotating_light: *[CRITICAL] Still open*']);
  });

  it('without a bot token the channel is not registered and the status says how to connect', async () => {
    s = await start(kind, { slack: false });
    const { h } = s;
    expect(h.app.senders.get('slack')).toBeUndefined();
    const status = await h.api('GET', '/api/v1/integrations/slack');
    expect(status.body).toMatchObject({ connected: false, message: expect.stringContaining('set WATCHKEEPER_SLACK_BOT_TOKEN'), routing: [{ service: 'Payments API' }, { service: 'Search' }] });
    const r = await sendInteraction(h.baseUrl, SECRET, { userId: ALICE, actionId: 'watchkeeper.ack.1', channelId: 'C0INCIDENTS', messageTs: '1.2', responseUrl: 'http://127.0.0.1:9/x' }, h.clock.now());
    expect(r.status).toBe(503);
  });
});
