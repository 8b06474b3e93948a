import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * The Mahavishnu on-call handbook, replayed against examples/handbooks/mahavishnu.yaml on the fake
 * clock: escalation paths, the primary and shadow rotation, the handoff reminder, the alerts'
 * responses, the expected response times and the update frequency. Every page and notice goes
 * through a real SMTP server on loopback.
 */
const ORG_FILE = 'examples/handbooks/mahavishnu.yaml';
const KEY = 'mahavishnu0events0v2000000000000';
const m = (user: string) => `${user}@mahavishnu.example.com`;

describe.each(storeKinds)('Mahavishnu handbook on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  /** The handbook's own words (P0…) through the alert API, as a sender without PagerDuty would. */
  const trigger = async (severity: string, dedupKey = 'disk-full-db1', labels: Record<string, string> = {}) => {
    const res = await h.api('POST', '/api/v1/alerts', { service: 'Mahavishnu API', summary: 'Disk full on db1', source: 'db1', severity, dedup_key: dedupKey, labels });
    expect(res.status).toBe(201);
    await h.tick();
    return (res.body.alert as { id: number }).id;
  };
  const notices = async (kindOf: string) =>
    Promise.all(
      h.smtp.messages
        .filter((x) => new RegExp(`^X-Watchkeeper-Notice: ${kindOf}$`, 'm').test(x.raw))
        .map(async (x) => ({ to: x.to[0] ?? '', subject: (await simpleParser(x.raw)).subject ?? '' })),
    );

  it('pages the primary on call (bob, week of 2026-03-02) at once, the shadow (charlie) at 5 min, T2 at 20, T3 at 50 and T4 at 110 for critical', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P0');
    expect(h.paged()).toEqual([m('bob')]);
    await h.advanceMinutes(4);
    expect(h.paged()).toHaveLength(1);
    await h.advanceMinutes(1); // 5
    expect(h.paged()).toEqual([m('bob'), m('charlie')]);
    await h.advanceMinutes(14); // 19
    expect(h.paged()).toHaveLength(2);
    await h.advanceMinutes(1); // 20
    expect(h.paged().at(-1)).toBe(m('team-lead'));
    await h.advanceMinutes(30); // 50
    expect(h.paged().at(-1)).toBe(m('eng-manager'));
    await h.advanceMinutes(59); // 109
    expect(h.paged()).toHaveLength(4);
    await h.advanceMinutes(1); // 110
    expect(h.paged()).toEqual([m('bob'), m('charlie'), m('team-lead'), m('eng-manager'), m('vp-eng')]);
    await h.advanceMinutes(600);
    expect(h.paged()).toHaveLength(5);
  });

  it('T4: VP Engineering (Critical only): a P1 (high) alert stops at T3 and never reaches the VP', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P1');
    for (const minutes of [5, 15, 30, 60, 60, 600]) await h.advanceMinutes(minutes);
    expect(h.paged()).toEqual([m('bob'), m('charlie'), m('team-lead'), m('eng-manager')]);
  });

  it('acknowledge alerts quickly: acknowledging at T1 stops every later page', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const res = await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: 'disk-full-db1', payload: { summary: 'Disk full on db1', source: 'db1', severity: 'critical' } });
    expect(res.status).toBe(202);
    await h.tick();
    await h.advanceMinutes(5);
    expect(h.paged()).toHaveLength(2);
    const ack = await h.enqueue({ routing_key: KEY, event_action: 'acknowledge', dedup_key: 'disk-full-db1' });
    expect(ack.status).toBe(202);
    for (const minutes of [15, 30, 60, 600]) await h.advanceMinutes(minutes);
    expect(h.paged()).toHaveLength(2);
  });

  it('Rotation: weekly, starting Monday 00:00 UTC: @bob and @charlie the week of 2026-03-02, @diana and @bob from 2026-03-09', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const who = async (at: string) => {
      const res = await h.api('GET', `/api/v1/oncall?team=mahavishnu&at=${at}`);
      expect(res.status).toBe(200);
      return (res.body.oncall as { schedule: string; role: string; user: string }[]).map((x) => [x.role, x.user]);
    };
    expect(await who('2026-02-16T00:00Z')).toEqual([
      ['primary', 'alice'],
      ['shadow', 'bob'],
    ]);
    expect(await who('2026-02-23T12:00Z')).toEqual([
      ['primary', 'charlie'],
      ['shadow', 'alice'],
    ]);
    expect(await who('2026-03-08T23:59Z')).toEqual([
      ['primary', 'bob'],
      ['shadow', 'charlie'],
    ]);
    expect(await who('2026-03-09T00:00Z')).toEqual([
      ['primary', 'diana'],
      ['shadow', 'bob'],
    ]);
  });

  it('Handoff: Sunday 23:00 UTC (1 hour before transition): the outgoing primary is reminded then, not before', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE, start: '2026-03-08T22:30:00Z' });
    await h.tick();
    await h.advanceMinutes(29); // 22:59
    expect(await notices('handoff_reminder')).toEqual([]);
    await h.advanceMinutes(1); // 23:00
    const reminders = await notices('handoff_reminder');
    expect(reminders.find((r) => r.to === m('bob'))?.subject).toBe('Handoff in 1 hour: mahavishnu-primary passes to diana at Mon 9 Mar 00:00 UTC');
    expect(reminders.map((r) => r.to).sort()).toEqual([m('bob'), m('charlie')]);
  });

  it('Common Alerts and Responses: HighErrorRate and DatabasePoolExhausted carry their response, on the page and the alert', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P0', 'errors', { alertname: 'HighErrorRate' });
    await trigger('P1', 'pool', { alertname: 'DatabasePoolExhausted' });
    await trigger('P2', 'other', { alertname: 'SomethingElse' });
    const alerts = (await h.api('GET', '/api/v1/alerts')).body.alerts as { dedup_key: string; runbook: { url: string | null; steps: string | null } | null }[];
    const runbook = (key: string) => alerts.find((a) => a.dedup_key === key)?.runbook;
    expect(runbook('errors')?.steps).toMatch(/^1\. Check error details: rate\(mahavishnu_task_errors_total\[5m\]\)/);
    expect(runbook('errors')?.steps).toContain('4. If recent deployment, consider rollback: kubectl rollout undo deployment/mahavishnu -n mahavishnu');
    expect(runbook('pool')?.steps).toContain('4. Restart application to reset connections: kubectl rollout restart deployment/mahavishnu -n mahavishnu');
    expect(runbook('other')).toEqual({ url: 'https://grafana.example.com/d/task-orchestration-slo', steps: null });
    const pages = h.smtp.messages.filter((x) => x.to.includes(m('bob')) && x.text.includes('Runbook:'));
    expect(pages.filter((x) => x.text.includes('1. Check error details: rate(mahavishnu_task_errors_total[5m])'))).toHaveLength(1);
  });

  it('Expected Response Times: a P0 acknowledged after 6 minutes breaches its 5-minute initial response, a P1 after 10 does not', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const p0 = await trigger('P0', 'p0');
    const p1 = await trigger('P1', 'p1');
    await h.advanceMinutes(6);
    expect((await h.api('POST', `/api/v1/alerts/${p0}/acknowledge`)).status).toBe(200);
    await h.advanceMinutes(4);
    expect((await h.api('POST', `/api/v1/alerts/${p1}/acknowledge`)).status).toBe(200);
    const report = await h.api('GET', '/api/v1/reports/response?since=1d');
    expect(report.status).toBe(200);
    const groups = report.body.groups as { key: string; target: { acknowledge: number | null; resolve: number | null } | null; breached: { acknowledge: { breached: number; of: number } | null } }[];
    const group = (key: string) => groups.find((g) => g.key === key);
    expect(group('critical')).toMatchObject({ target: { acknowledge: 300, resolve: null }, breached: { acknowledge: { breached: 1, of: 1 } } });
    expect(group('high')).toMatchObject({ target: { acknowledge: 900, resolve: null }, breached: { acknowledge: { breached: 0, of: 1 } } });
  });

  it('Update Frequency: every 15 minutes for a P0 incident, every 2 hours for a P2; the commander is reminded when one is missed', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const p0 = await h.api('POST', '/api/v1/incidents', { title: 'Task orchestration down', severity: 'P0', commander: 'bob' });
    expect(p0.status, JSON.stringify(p0.body)).toBe(201);
    const p2 = await h.api('POST', '/api/v1/incidents', { title: 'Slow dashboards', severity: 'P2', commander: 'charlie' });
    expect(p2.status).toBe(201);
    const incident = (res: { body: Record<string, unknown> }) => res.body.incident as { id: number; severity: string; next_update_at: string };
    expect(incident(p0)).toMatchObject({ severity: 'critical', next_update_at: '2026-03-08T08:15:00.000Z' });
    expect(incident(p2)).toMatchObject({ severity: 'medium', next_update_at: '2026-03-08T10:00:00.000Z' });
    await h.advanceMinutes(14);
    expect(await notices('incident_update_due')).toEqual([]);
    await h.advanceMinutes(1);
    expect((await notices('incident_update_due')).map((n) => n.to)).toEqual([m('bob')]);
  });
});
