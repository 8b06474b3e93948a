import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { messageText, SlackApiServer } from '../helpers/slack-server.js';
import { storeKinds, type StoreKind } from '../helpers/stores.js';

/**
 * Clipper's "On-Call Rotation Guide", replayed against examples/handbooks/clipper.yaml on the fake
 * clock. The clock starts on Sunday 2026-03-08 08:00 UTC, week 4 of the template's cycle since
 * Monday 5 January 09:00: primary engineer-a, secondary engineer-b, manager manager-x. Every page
 * goes through a real SMTP server on loopback.
 */
const ORG_FILE = 'examples/handbooks/clipper.yaml';
const EVENTS = 'clipper0events0v2000000000000000';
const ALERTMANAGER = 'clipper0alertmanager000000000000';
const c = (user: string) => `${user}@clipper.example.com`;

const SLACK_SECRET = 'slack-signing-secret-for-tests-0123456789';

/** The example organisation with Slack connected to a local Slack Web API. */
async function startWithSlack(kind: StoreKind): Promise<{ h: Harness; slack: SlackApiServer }> {
  const slack = new SlackApiServer();
  await slack.start();
  const h = await Harness.start(kind, { orgFile: ORG_FILE, slack: { botToken: slack.token, signingSecret: SLACK_SECRET, apiUrl: slack.apiUrl } });
  return { h, slack };
}

describe.each(storeKinds)('Clipper handbook on $name', (kind) => {
  let h: Harness;
  let slack: SlackApiServer | null = null;
  afterEach(async () => {
    await h?.stop();
    await slack?.stop();
    slack = null;
  });

  /** The guide's P1/P2/P3 through the API, as a person or a script would post them. */
  const trigger = async (severity: string, dedupKey = 'disk-full-db1') => {
    const res = await h.api('POST', '/api/v1/alerts', { service: 'Clipper Backend', summary: 'Disk full on db1', source: 'db1', severity, dedup_key: dedupKey });
    expect(res.status).toBe(201);
    await h.tick();
    return (res.body.alert as { id: number }).id;
  };
  const tokenOf = async (user: string) => (await createToken(h.app.ctx, systemTestActor, { name: `${user} cli`, role: 'manager', user })).token;
  /** Pages only: engineer-b also hears at 09:00 that they are on call in 24 hours. */
  const pagesTo = (user: string) => h.paged().filter((a) => a === c(user));

  it('a P3 alert pages the primary on call (engineer-a) and never auto-escalates', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P3');
    for (let i = 0; i < 48; i++) await h.advanceMinutes(30);
    expect(h.paged()).toEqual([c('engineer-a')]);
  });

  it('the secondary is auto-escalated after 15 minutes (P1) or 1 hour (P2)', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P1', 'p1-alert');
    await trigger('P2', 'p2-alert');
    expect(pagesTo('engineer-a')).toHaveLength(2);
    await h.advanceMinutes(15);
    expect(pagesTo('engineer-b')).toHaveLength(1);
    await h.advanceMinutes(44); // 59
    expect(pagesTo('engineer-b')).toHaveLength(1);
    await h.advanceMinutes(1); // 60
    expect(pagesTo('engineer-b')).toHaveLength(2);
  });

  it('escalation path: primary, secondary at 15 min, on-call manager 30 min later, VP Engineering + CTO only if critical', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P1', 'p1-alert');
    expect(h.paged()).toEqual([c('engineer-a')]);
    await h.advanceMinutes(15);
    expect(h.paged()).toEqual([c('engineer-a'), c('engineer-b')]);
    await h.advanceMinutes(29); // 44
    expect(h.paged()).toHaveLength(2);
    await h.advanceMinutes(1); // 45
    expect(h.paged().at(-1)).toBe(c('manager-x'));
    await h.advanceMinutes(30); // 75
    expect(h.paged().slice(3).sort()).toEqual([c('cto'), c('vp-eng')]);
    await h.advanceMinutes(600);
    expect(h.paged()).toHaveLength(5);

    // A P2 stops at the on-call manager.
    h.smtp.clear();
    await trigger('P2', 'p2-alert');
    for (const minutes of [60, 30, 30, 600]) await h.advanceMinutes(minutes);
    expect(h.paged()).toEqual([c('engineer-a'), c('engineer-b'), c('manager-x')]);
  });

  it('on-call schedule: weekly, Monday 9:00 AM to the following Monday 9:00 AM, as the schedule template', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const week = async (at: string) => {
      const rows = (await h.api('GET', `/api/v1/oncall?team=clipper&at=${encodeURIComponent(at)}`)).body.oncall as { role: string; user: string }[];
      return Object.fromEntries(rows.map((r) => [r.role, r.user]));
    };
    // | Week 1 | Engineer A | Engineer B | Manager X | … | Week 4 | Engineer D | Engineer A | Manager Y |
    expect(await week('2026-01-05T09:00:00Z')).toEqual({ primary: 'engineer-a', secondary: 'engineer-b', manager: 'manager-x' });
    expect(await week('2026-01-12T08:59:00Z')).toEqual({ primary: 'engineer-a', secondary: 'engineer-b', manager: 'manager-x' });
    expect(await week('2026-01-12T09:00:00Z')).toEqual({ primary: 'engineer-b', secondary: 'engineer-c', manager: 'manager-x' });
    expect(await week('2026-01-19T09:00:00Z')).toEqual({ primary: 'engineer-c', secondary: 'engineer-d', manager: 'manager-y' });
    expect(await week('2026-01-26T09:00:00Z')).toEqual({ primary: 'engineer-d', secondary: 'engineer-a', manager: 'manager-y' });
    expect(await week('2026-02-02T09:00:00Z')).toEqual({ primary: 'engineer-a', secondary: 'engineer-b', manager: 'manager-x' });

    // The Monday 09:00 handoff: an alert after it pages the new primary.
    h.clock.advance(Date.parse('2026-03-09T09:00:00Z') - h.clock.now());
    await h.tick();
    h.smtp.clear();
    await trigger('P1', 'after-handoff');
    expect(h.paged()).toEqual([c('engineer-b')]);
  });

  it('silence guidelines: P1 critical at most 1 hour with a manager\'s approval, P2 warning 4 hours and P3 info 24 hours without', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const [engA, mgrX] = [await tokenOf('engineer-a'), await tokenOf('manager-x')];
    const silence = (matchers: string[], duration: string) => h.api('POST', '/api/v1/silences', { matchers, duration, comment: 'Backend deployment in progress' }, engA);

    const tooLong = await silence(['service="Clipper Backend"', 'severity=P1'], '2h');
    expect(tooLong.status).toBe(400);
    expect((tooLong.body.error as { problems: { field: string }[] }).problems.map((p) => p.field)).toEqual(['duration']);
    expect((await silence(['service="Clipper Backend"', 'severity=P2'], '5h')).status).toBe(400);
    expect((await silence(['service="Clipper Backend"', 'severity=P3'], '25h')).status).toBe(400);
    expect((await h.api('GET', '/api/v1/silences')).body.silences).toEqual([]);

    const warning = await silence(['service="Clipper Backend"', 'severity=P2'], '4h');
    expect(warning.body.silence).toMatchObject({ state: 'active', approval: { state: 'approved' } });
    const info = await silence(['service="Clipper Backend"', 'severity=P3'], '24h');
    expect(info.body.silence).toMatchObject({ state: 'active', approval: { state: 'approved' } });

    const critical = await silence(['service="Clipper Backend"', 'severity=P1'], '1h');
    const pending = critical.body.silence as { id: string; approval: { state: string; waiting_for: string[] } };
    expect(pending.approval).toEqual(expect.objectContaining({ state: 'pending', waiting_for: ['a manager (P1 critical silences need a manager)'] }));
    // Waiting for approval, it silences nothing: the P1 pages the primary.
    await trigger('P1', 'during-approval');
    expect(h.paged()).toEqual([c('engineer-a')]);
    const approved = await h.api('POST', `/api/v1/silences/${pending.id}/approve`, {}, mgrX);
    expect(approved.body).toMatchObject({ approved: true, silence: { approval: { state: 'approved' } } });
    h.smtp.clear();
    await trigger('P1', 'after-approval');
    await h.advanceMinutes(20);
    expect(h.paged()).not.toContain(c('engineer-a'));
  });

  it('never silence security alerts without manager approval: a broad silence leaves them paging', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const engA = await tokenOf('engineer-a');
    const broad = await h.api('POST', '/api/v1/silences', { matchers: ['service="Clipper Backend"', 'severity=P2'], duration: '4h', comment: 'deploy' }, engA);
    expect(broad.status).toBe(201);
    const am = await h.app.http.inject({
      method: 'POST',
      url: '/api/v2/alerts',
      headers: { authorization: `Bearer ${ALERTMANAGER}` },
      payload: [
        { labels: { alertname: 'FailedAuthenticationSpike', category: 'security', severity: 'warning' } },
        { labels: { alertname: 'HighMemoryUsage', severity: 'warning' } },
      ],
    });
    expect(am.statusCode).toBe(200);
    await h.tick();
    const open = (await h.api('GET', '/api/v1/alerts')).body.alerts as { summary: string; silenced_by: string | null }[];
    expect(Object.fromEntries(open.map((a) => [a.summary, a.silenced_by !== null]))).toEqual({ FailedAuthenticationSpike: false, HighMemoryUsage: true });
    expect(h.paged()).toEqual([c('engineer-a')]);

    const security = await h.api('POST', '/api/v1/silences', { matchers: ['category=security', 'severity=P2'], duration: '1h', comment: 'investigating' }, engA);
    expect((security.body.silence as { approval: { waiting_for: string[] } }).approval.waiting_for).toEqual([
      'a manager (security silences need a manager and the security team)',
      'a member of team security (security silences need a manager and the security team)',
    ]);
  });

  it('maintenance: silence for the duration of maintenance; a manager approves windows over 4h', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const [engA, mgrX] = [await tokenOf('engineer-a'), await tokenOf('manager-x')];
    const short = await h.api('POST', '/api/v1/maintenance-windows', { services: ['Clipper Backend'], duration: '4h', comment: 'Planned downtime' }, engA);
    expect(short.status).toBe(201);
    expect(short.body.window).toMatchObject({ state: 'active', approval: { state: 'approved' } });
    await trigger('P1', 'in-window');
    expect(h.paged()).toEqual([]);

    const long = await h.api('POST', '/api/v1/maintenance-windows', { services: ['Clipper Backend'], duration: '6h', comment: 'Database upgrade' }, engA);
    const win = long.body.window as { id: string; state: string; approval: { reasons: string[]; waiting_for: string[] } };
    expect(win.state).toBe('pending-approval');
    expect(win.approval.reasons).toEqual(['longer than 4h (6h; maintenance_policy.approval_over)']);
    expect(win.approval.waiting_for).toEqual(['a manager']);
    const ok = await h.api('POST', `/api/v1/maintenance-windows/${win.id}/approve`, undefined, mgrX);
    expect(ok.body).toMatchObject({ approved: true, window: { state: 'active' } });
  });

  it('post status updates every 15 minutes for P1 and 30 minutes for P2: the commander is reminded when one is overdue', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const p1 = await trigger('P1', 'p1-alert');
    const p2 = await trigger('P2', 'p2-alert');
    const declare = async (title: string, alert: number) => {
      const r = await h.api('POST', '/api/v1/incidents', { title, alerts: [alert], commander: 'engineer-a' });
      expect(r.status).toBe(201);
      return (r.body.incident as { id: number; severity: string; next_update_at: string }).id;
    };
    const [i1, i2] = [await declare('API endpoints returning 5xx', p1), await declare('Elevated latency', p2)];
    const detail = async (id: number) =>
      (await h.api('GET', `/api/v1/incidents/${id}`)).body as { incident: { severity: string; next_update_at: string }; timeline: { kind: string; message: string }[] };
    expect((await detail(i1)).incident).toMatchObject({ severity: 'critical', next_update_at: '2026-03-08T08:15:00.000Z' });
    expect((await detail(i2)).incident).toMatchObject({ severity: 'warning', next_update_at: '2026-03-08T08:30:00.000Z' });
    const overdue = async (id: number) => (await detail(id)).timeline.filter((e) => e.kind === 'update_overdue').map((e) => e.message);
    await h.advanceMinutes(15);
    expect(await overdue(i1)).toEqual(['status update overdue: due 08:15 UTC; reminded engineer-a']);
    expect(await overdue(i2)).toEqual([]);
    await h.advanceMinutes(15);
    expect(await overdue(i2)).toEqual(['status update overdue: due 08:30 UTC; reminded engineer-a']);
  });

  it('alert types and response: SLOAvailabilityBreach and SLOErrorRateBreach carry their playbook links; ServiceDown holds back its symptoms', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const am = await h.app.http.inject({
      method: 'POST',
      url: '/api/v2/alerts',
      headers: { authorization: `Bearer ${ALERTMANAGER}` },
      payload: [
        { labels: { alertname: 'ServiceDown', service: 'backend', severity: 'critical' } },
        { labels: { alertname: 'SLOErrorRateBreach', service: 'backend', severity: 'critical' } },
        { labels: { alertname: 'SLOAvailabilityBreach', service: 'frontend', severity: 'critical' } },
      ],
    });
    expect(am.statusCode).toBe(200);
    await h.tick();
    const alerts = (await h.api('GET', '/api/v1/alerts')).body.alerts as { summary: string; runbook: { url: string | null; steps: string | null } | null; inhibited_by?: unknown }[];
    const runbook = new Map(alerts.map((a) => [a.summary, a.runbook]));
    expect(runbook.get('SLOAvailabilityBreach')).toEqual({
      url: 'https://wiki.clipper.example.com/playbooks/slo-breach-response.md#availability-slo-breach',
      steps: 'Meaning: < 99.5% availability. Response: Check service health; rollback if needed.',
    });
    expect(runbook.get('SLOErrorRateBreach')?.url).toBe('https://wiki.clipper.example.com/playbooks/slo-breach-response.md#error-rate-slo-breach');
    // ServiceDown and SLOAvailabilityBreach page; the error-rate breach of the down service does not.
    expect(h.paged()).toEqual([c('engineer-a'), c('engineer-a')]);
    const texts = h.smtp.messages.map((m) => m.text).join('\n');
    expect(texts).toContain('ServiceDown');
    expect(texts).not.toContain('SLOErrorRateBreach');
  });

  it('response times and SLAs: a P1 acknowledged after 20 minutes breaches "< 15 minutes"; resolved within the hour meets its target', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const id = await trigger('P1', 'p1-alert');
    await h.advanceMinutes(20);
    expect((await h.api('POST', `/api/v1/alerts/${id}/acknowledge`, {})).status).toBe(200);
    await h.advanceMinutes(30); // 50
    expect((await h.api('POST', `/api/v1/alerts/${id}/resolve`, {})).status).toBe(200);
    const r = await h.api('GET', '/api/v1/reports/response?since=7d');
    const critical = (r.body.groups as { key: string }[]).find((g) => g.key === 'critical');
    expect(critical).toMatchObject({
      alerts: 1,
      time_to_acknowledge: { mean: 1200 },
      time_to_resolve: { mean: 3000 },
      target: { acknowledge: 900, resolve: 3600 },
      breached: { acknowledge: { breached: 1, of: 1 }, resolve: { breached: 0, of: 1 } },
    });
  });

  it('Slack channels: P1 to #incidents, P2 to #alerts, P3 to #monitoring, security events to #security too', async () => {
    ({ h, slack } = await startWithSlack(kind));
    const event = async (dedup: string, summary: string, severity: string, extra: Record<string, unknown> = {}) => {
      const r = await h.enqueue({ routing_key: EVENTS, event_action: 'trigger', dedup_key: dedup, payload: { summary, source: 'prometheus', severity, ...extra } });
      expect(r.status).toBe(202);
    };
    await event('down', 'ServiceDown: backend not responding', 'critical');
    await event('latency', 'HighResponseTime: p95 above 1s', 'error'); // PagerDuty's error is the guide's P2
    await event('auth', 'FailedAuthenticationSpike: 500 failed logins', 'warning', { class: 'security' });
    await event('disk', 'LowDiskSpace: 18% free', 'info');
    await h.tick();
    const texts = (channel: string) => slack!.messages(channel).map((m) => messageText(m).split('\n')[0]);
    expect(texts('#incidents')).toEqual([expect.stringContaining('ServiceDown: backend not responding')]);
    expect(texts('#alerts')).toEqual([expect.stringContaining('HighResponseTime: p95 above 1s'), expect.stringContaining('FailedAuthenticationSpike: 500 failed logins')]);
    expect(texts('#security')).toEqual([expect.stringContaining('FailedAuthenticationSpike: 500 failed logins')]);
    expect(texts('#monitoring')).toEqual([expect.stringContaining('LowDiskSpace: 18% free')]);
  });
});
