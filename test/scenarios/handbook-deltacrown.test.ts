import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { messageText, SlackApiServer } from '../helpers/slack-server.js';
import { storeKinds, type StoreKind } from '../helpers/stores.js';

/**
 * The DeltaCrown operations runbook ("On-Call Handoff — DeltaCrown Operations Runbook"), replayed
 * against examples/handbooks/deltacrown.yaml on the fake clock. The clock starts on Sunday
 * 2026-03-08 08:00 UTC, in the week whose primary is primary-oncall and secondary is
 * secondary-oncall; they swap on Monday 00:00 UTC. Every page goes through a real SMTP server on
 * loopback.
 */
const ORG_FILE = 'examples/handbooks/deltacrown.yaml';
const EVENTS = 'deltacrown0events0v2000000000000';
const ALERTMANAGER = 'deltacrown0alertmanager000000000';
const d = (user: string) => `${user}@deltacrown.example.com`;

const SLACK_SECRET = 'slack-signing-secret-for-tests-0123456789';

/** The example organisation with Slack connected to a local Slack Web API. */
async function startWithSlack(kind: StoreKind): Promise<{ h: Harness; slack: SlackApiServer }> {
  const slack = new SlackApiServer();
  slack.channels.set('infra-alerts', 'C0INFRAALERTS'); // the workspace's channel for non-critical alerts
  await slack.start();
  const h = await Harness.start(kind, { orgFile: ORG_FILE, slack: { botToken: slack.token, signingSecret: SLACK_SECRET, apiUrl: slack.apiUrl } });
  return { h, slack };
}

describe.each(storeKinds)('DeltaCrown handbook on $name', (kind) => {
  let h: Harness;
  let slack: SlackApiServer | null = null;
  afterEach(async () => {
    await h?.stop();
    await slack?.stop();
    slack = null;
  });

  /** PagerDuty sends critical, error (the runbook's high) and warning through Events v2. */
  const trigger = async (severity: string, dedupKey = 'disk-full-db1') => {
    const res = await h.enqueue({ routing_key: EVENTS, event_action: 'trigger', dedup_key: dedupKey, payload: { summary: 'Disk full on db1', source: 'db1', severity } });
    expect(res.status).toBe(202);
    await h.tick();
  };
  const event = async (action: 'acknowledge' | 'resolve', dedupKey = 'disk-full-db1') => {
    const res = await h.enqueue({ routing_key: EVENTS, event_action: action, dedup_key: dedupKey });
    expect(res.status).toBe(202);
    await h.tick();
  };
  const alertId = async (dedupKey = 'disk-full-db1') =>
    (await h.store.db.selectFrom('alerts').select('id').where('dedup_key', '=', dedupKey).orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
  /** Notices (handoff reminders and notes) as kind, recipient and subject. */
  const notices = async (k: string) =>
    Promise.all(
      h.smtp.messages
        .filter((m) => new RegExp(`^X-Watchkeeper-Notice: ${k}\\r?$`, 'm').test(m.raw))
        .map(async (m) => ({ to: m.to[0], subject: (await simpleParser(m.raw)).subject ?? '' })),
    );

  it('a critical alert unacknowledged for 5 minutes pages the secondary', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('critical');
    expect(h.paged()).toEqual([d('primary-oncall')]);
    await h.advanceMinutes(4);
    expect(h.paged()).toHaveLength(1);
    await h.advanceMinutes(1);
    expect(h.paged()).toEqual([d('primary-oncall'), d('secondary-oncall')]);
  });

  it('acknowledged but not resolved in 30 minutes pages the secondary, not resolved in 60 the team lead', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('critical');
    await h.advanceMinutes(2);
    await event('acknowledge');
    await h.advanceMinutes(27); // 29: still quiet
    expect(h.paged()).toEqual([d('primary-oncall')]);
    await h.advanceMinutes(1); // 30
    expect(h.paged()).toEqual([d('primary-oncall'), d('secondary-oncall')]);
    await h.advanceMinutes(30); // 60
    expect(h.paged().at(-1)).toBe(d('team-lead'));
    await event('resolve');
    const before = h.paged().length;
    await h.advanceMinutes(600);
    expect(h.paged()).toHaveLength(before);
  });

  it('customer-facing outage over 2 hours: the engineering manager is paged at 120 minutes, not before', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('critical');
    await h.advanceMinutes(1);
    await event('acknowledge');
    await h.advanceMinutes(29); // 30: secondary
    await h.advanceMinutes(30); // 60: team lead
    await h.advanceMinutes(59); // 119
    expect(h.paged()).toEqual([d('primary-oncall'), d('secondary-oncall'), d('team-lead')]);
    await h.advanceMinutes(1); // 120
    expect(h.paged()).toEqual([d('primary-oncall'), d('secondary-oncall'), d('team-lead'), d('eng-manager')]);
    await h.advanceMinutes(600);
    expect(h.paged()).toHaveLength(4);
  });

  it('warning alerts: Slack only, no page', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('warning');
    await h.advanceMinutes(120);
    expect(h.paged()).toEqual([]);
    const [alert] = (await h.api('GET', '/api/v1/alerts')).body.alerts as { id: number; severity: string }[];
    expect(alert?.severity).toBe('warning');
    const timeline = (await h.api('GET', `/api/v1/alerts/${alert!.id}`)).body.timeline as { message: string }[];
    expect(timeline.map((e) => e.message)).toContain("routed by rule 'warnings-to-slack': Slack only, nobody paged");
  });

  it('high alerts: page if not acknowledged in 15 min, and escalate to the team lead', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('error'); // PagerDuty's error is the runbook's high
    const [alert] = (await h.api('GET', '/api/v1/alerts')).body.alerts as { severity: string }[];
    expect(alert?.severity).toBe('high');
    expect(h.paged()).toEqual([]);
    await h.advanceMinutes(14);
    expect(h.paged()).toEqual([]);
    await h.advanceMinutes(1); // 15
    expect(h.paged().sort()).toEqual([d('primary-oncall'), d('team-lead')]);
  });

  it('a high alert acknowledged within 15 minutes pages nobody, until it is not resolved in 30 minutes', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('error');
    await h.advanceMinutes(10);
    await event('acknowledge');
    await h.advanceMinutes(19); // 29
    expect(h.paged()).toEqual([]);
    await h.advanceMinutes(1); // 30
    expect(h.paged()).toEqual([d('secondary-oncall')]);
  });

  it('manual page team lead: escalating by hand pages the team lead at once', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('critical');
    const id = await alertId();
    // Level 4 of the policy: primary, high-only step, secondary, team lead, engineering manager.
    const res = await h.api('POST', `/api/v1/alerts/${id}/escalate`, { level: 4 });
    expect(res.status).toBe(200);
    await h.tick();
    expect(h.paged()).toEqual([d('primary-oncall'), d('team-lead')]);
  });

  it('on-call rotation: weekly, Monday 00:00 UTC; the outgoing engineer is reminded and the incoming one gets the handoff note', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const oncall = async (at: string) =>
      ((await h.api('GET', `/api/v1/oncall?at=${encodeURIComponent(at)}`)).body.oncall as { schedule: string; user: string; until: string }[]).map((o) => `${o.schedule}: ${o.user} until ${o.until}`);
    expect(await oncall('2026-03-08T23:59:00Z')).toEqual([
      'deltacrown-primary: primary-oncall until 2026-03-09T00:00:00.000Z',
      'deltacrown-secondary: secondary-oncall until 2026-03-09T00:00:00.000Z',
    ]);
    expect(await oncall('2026-03-09T00:00:00Z')).toEqual([
      'deltacrown-primary: secondary-oncall until 2026-03-16T00:00:00.000Z',
      'deltacrown-secondary: primary-oncall until 2026-03-16T00:00:00.000Z',
    ]);

    // Sunday: an incident the outgoing primary leaves acknowledged.
    await trigger('critical', 'db-pool');
    await event('acknowledge', 'db-pool');
    await event('resolve', 'db-pool');
    h.clock.advance(Date.parse('2026-03-08T22:59:00Z') - h.clock.now());
    await h.tick();
    expect(await notices('handoff_reminder')).toEqual([]);
    await h.advanceMinutes(1); // 23:00
    expect(await notices('handoff_reminder')).toContainEqual({ to: d('primary-oncall'), subject: 'Handoff in 1 hour: deltacrown-primary passes to secondary-oncall at Mon 9 Mar 00:00 UTC' });
    await h.advanceMinutes(60); // Monday 00:00
    const note = (await notices('handoff_note')).find((n) => n.to === d('secondary-oncall') && n.subject.includes('deltacrown-primary'));
    expect(note?.subject).toMatch(/^Handoff note for deltacrown-primary from primary-oncall: 1 alert \(critical 1\)/);

    // From Monday the new primary is paged first.
    h.smtp.clear();
    await trigger('critical', 'after-handoff');
    expect(h.paged()).toEqual([d('secondary-oncall')]);
  });

  it('MTTA / MTTR targets: a critical acknowledged after 7 minutes breaches its 5-minute target; a high resolved after 40 minutes breaches its 30', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('critical', 'critical-1');
    await trigger('error', 'high-1');
    await h.advanceMinutes(7);
    await event('acknowledge', 'critical-1');
    await event('acknowledge', 'high-1');
    await h.advanceMinutes(5); // 12
    await event('resolve', 'critical-1');
    await h.advanceMinutes(28); // 40
    await event('resolve', 'high-1');
    const r = await h.api('GET', '/api/v1/reports/response?since=7d');
    expect(r.status).toBe(200);
    const groups = new Map((r.body.groups as { key: string }[]).map((g) => [g.key, g]));
    expect(groups.get('critical')).toMatchObject({
      alerts: 1,
      time_to_acknowledge: { mean: 420 },
      time_to_resolve: { mean: 720 },
      target: { acknowledge: 300, resolve: 900 },
      breached: { acknowledge: { breached: 1, of: 1 }, resolve: { breached: 0, of: 1 } },
    });
    expect(groups.get('high')).toMatchObject({
      alerts: 1,
      target: { acknowledge: 900, resolve: 1800 },
      breached: { acknowledge: { breached: 0, of: 1 }, resolve: { breached: 1, of: 1 } },
    });
  });

  it('common issues: DB Pool Exhaustion carries its step-by-step fix; any other alert the First-Hour Playbook', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const post = await h.app.http.inject({
      method: 'POST',
      url: '/api/v2/alerts',
      headers: { authorization: `Bearer ${ALERTMANAGER}` },
      payload: [
        { labels: { alertname: 'DatabasePoolExhausted', severity: 'critical' }, annotations: { summary: 'Active DB connections above 80' } },
        { labels: { alertname: 'TrafficDrop', severity: 'critical' }, annotations: { summary: 'Traffic down 60%' } },
      ],
    });
    expect(post.statusCode).toBe(200);
    await h.tick();
    const alerts = (await h.api('GET', '/api/v1/alerts')).body.alerts as { summary: string; service: string; runbook: { url: string | null; steps: string | null } | null }[];
    const bySummary = new Map(alerts.map((a) => [a.summary, a.runbook]));
    expect(bySummary.get('Active DB connections above 80')).toEqual({
      url: 'https://grafana.deltacrown.internal/d/infra_overview',
      steps: expect.stringContaining('Kill queries running longer than 30s'),
    });
    expect(bySummary.get('Traffic down 60%')?.steps).toMatch(/^First-Hour Playbook:/);
    const page = h.smtp.messages.find((m) => m.text.includes('Active DB connections above 80'));
    expect(page?.to).toEqual([d('primary-oncall')]);
    expect(page?.text).toContain('kubectl rollout restart deployment/deltacrown-api (releases connections).');
  });

  it('Slack channels: critical and high alerts in #incidents, warnings in #infra-alerts and nobody paged', async () => {
    ({ h, slack } = await startWithSlack(kind));
    await trigger('critical', 'api-5xx');
    await trigger('error', 'p95-latency');
    await trigger('warning', 'cache-hit-rate');
    await h.advanceMinutes(1);
    const texts = (channel: string) => slack!.messages(channel).map((m) => messageText(m).split('\n')[0]);
    expect(texts('#incidents')).toEqual([expect.stringContaining('[CRITICAL]'), expect.stringContaining('[HIGH]')]);
    expect(texts('#infra-alerts')).toEqual([expect.stringContaining('[WARNING]')]);
    expect(h.paged()).toEqual([d('primary-oncall')]);
  });
});
