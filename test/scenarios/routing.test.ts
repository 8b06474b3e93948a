import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { App, defaultSenders } from '../../src/app.js';
import { applyOrg } from '../../src/commands/apply-org.js';
import { exportOrg } from '../../src/commands/export-org.js';
import { createToken } from '../../src/commands/tokens.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { messageText, SlackApiServer } from '../helpers/slack-server.js';
import { storeKinds, type StoreKind } from '../helpers/stores.js';
import { TeamsServer } from '../helpers/teams-server.js';

/**
 * Routing rules end to end, as the handbook has it: warnings go to Slack (and the ops Teams
 * channel) and page nobody; Postgres alerts belong to the Database service and page its on-call;
 * the storage team's alerts page SRE; the Watchdog is dropped. A real store, engine, a local
 * Slack Web API and Teams webhook; the clock is fake.
 */
const AM_KEY = 'route0backend0alertmanager000000';
const SECRET = 'slack-signing-secret-for-tests-0123456789';

const org = (teamsUrl: string) => `
users:
  - { name: alice, email: alice@example.com, contact_methods: [{ name: work, type: email, address: alice@example.com }] }
  - { name: bob, email: bob@example.com, contact_methods: [{ name: work, type: email, address: bob@example.com }] }
  - { name: carol, email: carol@example.com, contact_methods: [{ name: work, type: email, address: carol@example.com }] }
channels:
  - { name: ops-teams, type: teams, address: "${teamsUrl}" }
escalation_policies:
  - name: backend-oncall
    levels: [{ targets: [{ user: alice }] }]
  - name: db-oncall
    levels: [{ targets: [{ user: bob }] }]
  - name: sre
    levels: [{ targets: [{ user: carol }] }]
services:
  - name: backend
    escalation_policy: backend-oncall
    integrations: [{ name: prometheus, type: alertmanager, key: ${AM_KEY} }]
    slack:
      channels: { critical: "#incidents", warning: "#alerts" }
  - name: Database
    escalation_policy: db-oncall
routes:
  - name: watchdog
    match: ['alertname="Watchdog"']
    drop: true
  - name: postgres-to-database
    match: ['alertname=~"Postgres.*"']
    service: Database
    continue: true
  - name: storage-team-to-sre
    match: { team: storage }
    escalation_policy: sre
    continue: true
  - name: warnings-to-slack
    match: ['severity="warning"']
    page: false
    channels: [ops-teams]
`;

interface Setup {
  h: Harness;
  slack: SlackApiServer;
  teams: TeamsServer;
}

async function start(kind: StoreKind): Promise<Setup> {
  const slack = new SlackApiServer();
  await slack.start();
  const teams = await new TeamsServer().start();
  const h = new Harness(kind);
  const smtpUrl = await h.smtp.start();
  h.store = await kind.open();
  const log = pino({ level: process.env.WATCHKEEPER_TEST_LOG ?? 'silent' });
  h.app = new App({ store: h.store, clock: h.clock, log, publicUrl: 'http://watchkeeper.test', senders: defaultSenders(log, smtpUrl, null), ingestRateLimit: 0, slack: { botToken: slack.token, signingSecret: SECRET, apiUrl: slack.apiUrl } });
  await applyOrg(h.app.ctx, parseOrgYaml(org(teams.workflowUrl())), systemTestActor);
  h.adminToken = (await createToken(h.app.ctx, systemTestActor, { name: 'test admin', role: 'admin' })).token;
  return { h, slack, teams };
}

interface Listed {
  id: number;
  summary: string;
  severity: string;
  status: string;
  service: { name: string };
}

describe.each(storeKinds)('routing rules on $name', (kind) => {
  let s: Setup | null = null;
  afterEach(async () => {
    await s?.h.stop();
    await s?.slack.stop();
    await s?.teams.stop();
    s = null;
  });

  const post = async (h: Harness, alerts: { labels: Record<string, string>; annotations?: Record<string, string> }[], auth = `Bearer ${AM_KEY}`) => {
    const r = await h.app.http.inject({ method: 'POST', url: '/api/v2/alerts', headers: { authorization: auth }, payload: alerts });
    await h.tick();
    return r;
  };
  const alerts = async (h: Harness) => (await h.api('GET', '/api/v1/alerts?status=triggered,acknowledged,resolved')).body.alerts as Listed[];
  const find = async (h: Harness, summary: string) => (await alerts(h)).find((a) => a.summary === summary)!;
  const timeline = async (h: Harness, id: number) => ((await h.api('GET', `/api/v1/alerts/${id}`)).body.timeline as { kind: string; message: string }[]).map((e) => `${e.kind}: ${e.message}`);
  const mailedAbout = (h: Harness, text: string) => h.smtp.messages.filter((m) => m.text.includes(text)).flatMap((m) => m.to);

  it('a warning is recorded and posted to Slack and the Teams channel, and pages nobody, even past the policy timeouts', async () => {
    s = await start(kind);
    const { h, slack, teams } = s;
    const r = await post(h, [{ labels: { alertname: 'HighErrorRate', severity: 'warning' }, annotations: { summary: 'backend errors at 2%' } }]);
    expect(r.statusCode).toBe(200);
    const a = await find(h, 'backend errors at 2%');
    // Rules match the canonical severity: Prometheus's "warning" is the scale's "medium".
    expect(a).toMatchObject({ status: 'triggered', severity: 'medium', service: { name: 'backend' } });
    expect(await timeline(h, a.id)).toContain("routed: routed by rule 'warnings-to-slack': Slack and ops-teams only, nobody paged");
    expect(messageText(slack.messages('#alerts')[0]!)).toContain('backend errors at 2%');
    expect(teams.posts).toHaveLength(1);
    expect(JSON.stringify(teams.posts[0]!.body)).toContain('backend errors at 2%');
    await h.advanceMinutes(60);
    expect(h.smtp.messages).toEqual([]);
    expect(teams.posts).toHaveLength(1);
    // Alertmanager's view names the rule's receiver, as in the route tree amtool reads.
    const am = (await h.app.http.inject({ method: 'GET', url: '/api/v2/alerts', headers: { authorization: `Bearer ${h.adminToken}` } })).json() as { receivers: { name: string }[] }[];
    expect(am.map((x) => x.receivers)).toEqual([[{ name: 'channels-only:slack+ops-teams' }]]);

    // A critical one on the same service pages as before.
    await post(h, [{ labels: { alertname: 'HighErrorRate', severity: 'critical' }, annotations: { summary: 'backend errors at 20%' } }]);
    expect(mailedAbout(h, 'backend errors at 20%')).toEqual(['alice@example.com']);
    expect((await timeline(h, (await find(h, 'backend errors at 20%')).id)).some((e) => e.startsWith('routed:'))).toBe(false);
  });

  it('a rule that re-homes an alert pages the new service\'s policy; continue adds a later rule\'s policy', async () => {
    s = await start(kind);
    const { h } = s;
    await post(h, [{ labels: { alertname: 'PostgresDown', severity: 'critical' }, annotations: { summary: 'primary down' } }]);
    const a = await find(h, 'primary down');
    expect(a.service.name).toBe('Database');
    expect(mailedAbout(h, 'primary down')).toEqual(['bob@example.com']);
    expect(await timeline(h, a.id)).toContain("routed: routed by rule 'postgres-to-database': service Database");

    await post(h, [{ labels: { alertname: 'PostgresReplicationLag', severity: 'critical', team: 'storage' }, annotations: { summary: 'replica 10 min behind' } }]);
    const b = await find(h, 'replica 10 min behind');
    expect(b.service.name).toBe('Database');
    expect(mailedAbout(h, 'replica 10 min behind')).toEqual(['carol@example.com']);
    expect(await timeline(h, b.id)).toContain("routed: routed by rules 'postgres-to-database', 'storage-team-to-sre': service Database, policy sre");

    // A Postgres warning goes on through every continue rule to warnings-to-slack: nobody paged.
    await post(h, [{ labels: { alertname: 'PostgresSlowQueries', severity: 'warning' }, annotations: { summary: 'slow queries' } }]);
    const c = await find(h, 'slow queries');
    expect(c.service.name).toBe('Database');
    expect(mailedAbout(h, 'slow queries')).toEqual([]);
    expect(await timeline(h, c.id)).toContain("routed: routed by rules 'postgres-to-database', 'warnings-to-slack': service Database, ops-teams only, nobody paged");
  });

  it('a dropped alert is answered as accepted, recorded nowhere, and counted', async () => {
    s = await start(kind);
    const { h } = s;
    const r = await post(h, [{ labels: { alertname: 'Watchdog', severity: 'critical' }, annotations: { summary: 'always firing' } }]);
    expect(r.statusCode).toBe(200);
    expect(await alerts(h)).toEqual([]);
    expect(h.smtp.messages).toEqual([]);
    const metrics = await h.app.http.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(metrics.body).toContain('watchkeeper_routing_dropped_total{rule="watchdog"} 1');
    expect(metrics.body).toContain('watchkeeper_ingest_events_total{source="alertmanager_api",outcome="dropped"} 1');
  });

  it('with an API token, an alert without a service label is placed by a rule that sets one, and refused when none does', async () => {
    s = await start(kind);
    const { h } = s;
    const r = await post(h, [{ labels: { alertname: 'PostgresDown', severity: 'critical' }, annotations: { summary: 'placed by rule' } }], `Bearer ${h.adminToken}`);
    expect(r.statusCode).toBe(200);
    expect((await find(h, 'placed by rule')).service.name).toBe('Database');
    const refused = await post(h, [{ labels: { alertname: 'DiskFull', severity: 'critical' } }], `Bearer ${h.adminToken}`);
    expect([refused.statusCode, refused.json()]).toEqual([400, "0.labels.service: is required when posting with an API token; or post with the service's Alertmanager integration key"]);
  });

  it('checks rules naming the field, and keeps them through export and apply', async () => {
    s = await start(kind);
    const { h, teams } = s;
    const yaml = org(teams.workflowUrl());
    const bad = async (from: string, to: string) => {
      const r = await h.api('POST', '/api/v1/config/apply', { yaml: yaml.replace(from, to), dry_run: true });
      expect(r.status).toBe(400);
      return (r.body as { error: { problems: { field: string; message: string }[] } }).error.problems;
    };
    expect(await bad(`match: ['alertname=~"Postgres.*"']`, `match: ['alertname=~"(Postgres"']`)).toEqual([{ field: 'routes[1].match[0]', message: expect.stringContaining('does not compile') }]);
    expect(await bad('service: Database\n    continue', 'service: Warehouse\n    continue')).toEqual([{ field: 'routes[1].service', message: 'no service named "Warehouse"; add it to the services section' }]);
    expect(await bad('escalation_policy: sre', 'escalation_policy: nobody')).toEqual([{ field: 'routes[2].escalation_policy', message: 'no escalation policy named "nobody"; add it to the escalation_policies section' }]);
    expect(await bad('channels: [ops-teams]', 'channels: [war-room]')).toEqual([{ field: 'routes[3].channels[0]', message: expect.stringContaining('no channel named "war-room"') }]);
    expect(await bad('    drop: true', '    drop: true\n    service: backend')).toEqual([{ field: 'routes[0].drop', message: 'a dropped alert is recorded nowhere; remove service or the drop' }]);

    const exported = await exportOrg(h.store.db);
    expect(exported.routes).toEqual([
      { name: 'watchdog', match: ['alertname="Watchdog"'], drop: true },
      { name: 'postgres-to-database', match: ['alertname=~"Postgres.*"'], service: 'Database', continue: true },
      { name: 'storage-team-to-sre', match: ['team="storage"'], escalation_policy: 'sre', continue: true },
      { name: 'warnings-to-slack', match: ['severity="medium"'], page: false, channels: ['ops-teams'] },
    ]);
    const again = await applyOrg(h.app.ctx, parseOrgYaml(JSON.stringify(parse(JSON.stringify(exported)))), systemTestActor);
    expect(again.changes).toEqual([]);
  });
});
