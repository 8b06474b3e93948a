import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * The QAWave on-call procedures, replayed against examples/handbooks/qawave.yaml on the fake clock:
 * response times per severity, the escalation matrix, the Sunday maintenance window, the common
 * alerts' actions, and the status update cadence. Every page goes through a real SMTP server.
 */
const ORG_FILE = 'examples/handbooks/qawave.yaml';
const KEY = 'qawave0events0v20000000000000000';
const q = (user: string) => `${user}@qawave.example.com`;

describe.each(storeKinds)('QAWave handbook on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  /** The handbook's severities (P1…) through the alert API, with labels as Prometheus would send. */
  const trigger = async (severity: string, dedupKey = 'backend-down', labels: Record<string, string> = {}) => {
    const res = await h.api('POST', '/api/v1/alerts', { service: 'QAWave Backend', summary: 'Backend pods crashing', source: 'k8s', severity, dedup_key: dedupKey, labels });
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

  it('Cannot resolve in 30 min: an alert the primary acknowledged but did not resolve goes to the secondary', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const res = await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: 'disk-full-db1', payload: { summary: 'Disk full on db1', source: 'db1', severity: 'error' } }); // PagerDuty's "error" is High (P2)
    expect(res.status).toBe(202);
    await h.tick();
    const ack = await h.enqueue({ routing_key: KEY, event_action: 'acknowledge', dedup_key: 'disk-full-db1' });
    expect(ack.status).toBe(202);
    await h.advanceMinutes(29);
    expect(h.paged()).toEqual([q('primary-oncall')]);
    await h.advanceMinutes(1);
    expect(h.paged()).toEqual([q('primary-oncall'), q('secondary-oncall')]);
  });

  it('Response time: 15 minutes for Critical: an unacknowledged P1 pages the secondary at 15 minutes, a P2 at 30', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P1', 'p1');
    await trigger('P2', 'p2');
    const secondary = () => h.paged().filter((a) => a === q('secondary-oncall'));
    expect(h.paged()).toEqual([q('primary-oncall'), q('primary-oncall')]);
    await h.advanceMinutes(14);
    expect(secondary()).toHaveLength(0);
    await h.advanceMinutes(1); // 15
    expect(secondary()).toHaveLength(1);
    await h.advanceMinutes(14); // 29
    expect(secondary()).toHaveLength(1);
    await h.advanceMinutes(1); // 30
    expect(secondary()).toHaveLength(2);
  });

  it('Service down > 1 hour: a critical alert still open after an hour pages the engineering lead; a high one never does', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const p1 = await trigger('P1', 'p1');
    await trigger('P2', 'p2');
    expect((await h.api('POST', `/api/v1/alerts/${p1}/acknowledge`)).status).toBe(200);
    await h.advanceMinutes(59);
    expect(h.paged()).not.toContain(q('eng-lead'));
    await h.advanceMinutes(1); // 60
    expect(h.paged().filter((a) => a === q('eng-lead'))).toHaveLength(1);
    await h.advanceMinutes(24 * 60);
    expect(h.paged().filter((a) => a === q('eng-lead'))).toHaveLength(1);
    expect(h.paged()).not.toContain(q('cto'));
  });

  it('Low (P4) | Next business day: a low alert pages the primary and nobody else', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P4', 'capacity');
    for (let i = 0; i < 48; i++) await h.advanceMinutes(30);
    expect(h.paged()).toEqual([q('primary-oncall')]);
  });

  it('Preferred Window: Sundays 2:00 AM - 6:00 AM: an alert in the window pages nobody until 06:00; off-schedule maintenance needs a manager', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE, start: '2026-03-15T02:30:00Z' });
    const id = await trigger('P1', 'in-window');
    expect(h.paged()).toEqual([]);
    const timeline = (await h.api('GET', `/api/v1/alerts/${id}`)).body.timeline as { message: string }[];
    expect(timeline.at(-1)?.message).toBe('in maintenance window sunday-maintenance until 2026-03-15T06:00Z (Preferred window: Sundays 2:00 AM - 6:00 AM (lowest traffic)); nobody paged');
    await h.advanceMinutes(209); // 05:59
    expect(h.paged()).toEqual([]);
    await h.advanceMinutes(1); // 06:00
    expect(h.paged()).toEqual([q('primary-oncall')]);

    const offSchedule = await h.api('POST', '/api/v1/maintenance-windows', { services: ['QAWave Backend'], starts_at: '2026-03-18T14:00:00Z', duration: '1h', comment: 'Hotfix deploy' });
    expect(offSchedule.status).toBe(201);
    expect(offSchedule.body.window).toMatchObject({ state: 'pending-approval', approval: { waiting_for: ['a manager'] } });
    const inWindow = await h.api('POST', '/api/v1/maintenance-windows', { services: ['QAWave Backend'], starts_at: '2026-03-22T02:00:00Z', duration: '2h', comment: 'Node upgrade' });
    expect(inWindow.status).toBe(201);
    expect((inWindow.body.window as { state: string }).state).not.toBe('pending-approval');
  });

  it('Common Alerts and Actions: QAWaveBackendDown, QAWaveBackendHighErrorRate and PostgreSQLDown carry their commands; any other alert the initial response steps', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P1', 'down', { alertname: 'QAWaveBackendDown' });
    await trigger('P2', 'errors', { alertname: 'QAWaveBackendHighErrorRate' });
    await trigger('P1', 'pg', { alertname: 'PostgreSQLDown' });
    await trigger('P3', 'other', { alertname: 'CertificateExpiring' });
    const alerts = (await h.api('GET', '/api/v1/alerts')).body.alerts as { dedup_key: string; runbook: { url: string | null; steps: string | null } | null }[];
    const runbook = (key: string) => alerts.find((a) => a.dedup_key === key)?.runbook;
    expect(runbook('down')?.steps).toContain('4. If pods are crashing, consider rollback: kubectl rollout undo deployment/backend -n qawave');
    expect(runbook('errors')?.steps).toContain('3. Check database connectivity: kubectl exec -it postgresql-0 -n qawave -- pg_isready');
    expect(runbook('pg')?.steps).toContain('3. Attempt restart: kubectl delete pod postgresql-0 -n qawave');
    expect(runbook('other')?.steps).toMatch(/^1\. Acknowledge the alert\.\n2\. Assess severity/);
    expect(h.smtp.messages.filter((x) => x.text.includes('kubectl rollout undo deployment/backend -n qawave'))).toHaveLength(1);
  });

  it('Alert Severity Levels: a P1 acknowledged after 20 minutes breaches its 15-minute response time; a P2 after 20 does not', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const p1 = await trigger('P1', 'p1');
    const p2 = await trigger('P2', 'p2');
    await h.advanceMinutes(20);
    expect((await h.api('POST', `/api/v1/alerts/${p1}/acknowledge`)).status).toBe(200);
    expect((await h.api('POST', `/api/v1/alerts/${p2}/acknowledge`)).status).toBe(200);
    const report = await h.api('GET', '/api/v1/reports/response?since=1d');
    expect(report.status).toBe(200);
    const groups = report.body.groups as { key: string; target: unknown; breached: { acknowledge: { breached: number; of: number } | null } }[];
    expect(groups.find((g) => g.key === 'critical')).toMatchObject({ target: { acknowledge: 900 }, breached: { acknowledge: { breached: 1, of: 1 } } });
    expect(groups.find((g) => g.key === 'high')).toMatchObject({ target: { acknowledge: 1800 }, breached: { acknowledge: { breached: 0, of: 1 } } });
  });

  it('Status Updates: post updates every 15-30 minutes: 15 for a critical incident, 30 for a high one, with a reminder when missed', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const p1 = await h.api('POST', '/api/v1/incidents', { title: 'Backend down', severity: 'P1', commander: 'primary-oncall' });
    expect(p1.status, JSON.stringify(p1.body)).toBe(201);
    const p2 = await h.api('POST', '/api/v1/incidents', { title: 'Backend error rate', severity: 'P2', commander: 'secondary-oncall' });
    expect(p2.status).toBe(201);
    expect((p1.body.incident as { next_update_at: string }).next_update_at).toBe('2026-03-08T08:15:00.000Z');
    expect((p2.body.incident as { next_update_at: string }).next_update_at).toBe('2026-03-08T08:30:00.000Z');
    await h.advanceMinutes(15);
    expect((await notices('incident_update_due')).map((n) => n.to)).toEqual([q('primary-oncall')]);
    await h.advanceMinutes(15);
    expect((await notices('incident_update_due')).map((n) => n.to).sort()).toEqual([q('primary-oncall'), q('primary-oncall'), q('secondary-oncall')]);
  });
});
