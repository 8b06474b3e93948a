import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * The Mother-Harness on-call and escalation procedures, replayed against
 * examples/handbooks/mother-harness.yaml on the fake clock: the P1 and P2/P3 escalation flows, the
 * security escalation, the response time SLAs, the update frequency and war room roles, the
 * maintenance window rules and the playbooks. Every page goes through a real SMTP server.
 */
const ORG_FILE = 'examples/handbooks/mother-harness.yaml';
const KEY = 'motherharness0events0v2000000000';
const mh = (user: string) => `${user}@mother-harness.example.com`;

describe.each(storeKinds)('Mother-Harness handbook on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  /** The handbook's severities (P1…) through the alert API, with labels as monitoring would send. */
  const trigger = async (severity: string, dedupKey = 'orchestrator-down', labels: Record<string, string> = {}) => {
    const res = await h.api('POST', '/api/v1/alerts', { service: 'Mother-Harness Orchestrator', summary: 'Orchestrator health check failing', source: 'orchestrator', severity, dedup_key: dedupKey, labels });
    expect(res.status).toBe(201);
    await h.tick();
    return (res.body.alert as { id: number }).id;
  };

  it('Immediate Escalation (P1): primary, secondary and engineering manager are paged at once', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const res = await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: 'disk-full-db1', payload: { summary: 'Disk full on db1', source: 'db1', severity: 'critical' } });
    expect(res.status).toBe(202);
    await h.tick();
    expect(h.paged().sort()).toEqual([mh('eng-manager'), mh('primary-oncall'), mh('secondary-oncall')]);
    await h.advanceMinutes(24 * 60);
    expect(h.paged()).toHaveLength(3);
  });

  it('Standard Escalation Flow: a P2 pages only the primary, then the secondary when unresolved after 30 minutes', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P2');
    expect(h.paged()).toEqual([mh('primary-oncall')]);
    await h.advanceMinutes(29);
    expect(h.paged()).toEqual([mh('primary-oncall')]);
    await h.advanceMinutes(1);
    expect(h.paged()).toEqual([mh('primary-oncall'), mh('secondary-oncall')]);
  });

  it('No resolution in 1hr: a P3 the primary acknowledged reaches the secondary at 30 minutes and the engineering manager at 60, and stops when resolved', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const id = await trigger('P3');
    expect((await h.api('POST', `/api/v1/alerts/${id}/acknowledge`)).status).toBe(200);
    await h.advanceMinutes(30);
    expect(h.paged()).toEqual([mh('primary-oncall'), mh('secondary-oncall')]);
    await h.advanceMinutes(29); // 59
    expect(h.paged()).toHaveLength(2);
    await h.advanceMinutes(1); // 60
    expect(h.paged()).toEqual([mh('primary-oncall'), mh('secondary-oncall'), mh('eng-manager')]);
    expect((await h.api('POST', `/api/v1/alerts/${id}/resolve`, {})).status).toBe(200);
    await h.advanceMinutes(24 * 60);
    expect(h.paged()).toHaveLength(3);
    expect(h.paged()).not.toContain(mh('vp-eng'));
  });

  it('P4 - Low: Scheduled for next sprint: the primary hears of it and nobody else is woken', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P4', 'log-noise');
    for (let i = 0; i < 48; i++) await h.advanceMinutes(30);
    expect(h.paged()).toEqual([mh('primary-oncall')]);
  });

  it('Security Incident Escalation: a security alert pages primary on call and security team, and simultaneously engineering manager and CISO', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const id = await trigger('P2', 'unauthorized-access', { alertname: 'UnauthorizedAccess', category: 'security' });
    expect(h.paged().sort()).toEqual([mh('ciso'), mh('eng-manager'), mh('primary-oncall'), mh('security-team')]);
    const timeline = (await h.api('GET', `/api/v1/alerts/${id}`)).body.timeline as { message: string }[];
    expect(timeline.map((e) => e.message).join('\n')).toContain("rule 'security-alerts'");
    // An alert without the label keeps the standard flow.
    await trigger('P2', 'api-errors', { alertname: 'HighErrorRate' });
    expect(h.paged().slice(4)).toEqual([mh('primary-oncall')]);
  });

  it('Response Time SLAs: a P1 acknowledged in 3 minutes meets its 5-minute target, resolved after 70 breaches its 1-hour resolution target', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const p1 = await trigger('P1', 'p1');
    const p2 = await trigger('P2', 'p2');
    await h.advanceMinutes(3);
    expect((await h.api('POST', `/api/v1/alerts/${p1}/acknowledge`)).status).toBe(200);
    await h.advanceMinutes(17); // 20: the P2 breaches its 15-minute acknowledgment
    expect((await h.api('POST', `/api/v1/alerts/${p2}/acknowledge`)).status).toBe(200);
    await h.advanceMinutes(50); // 70
    expect((await h.api('POST', `/api/v1/alerts/${p1}/resolve`, {})).status).toBe(200);
    expect((await h.api('POST', `/api/v1/alerts/${p2}/resolve`, {})).status).toBe(200);
    const report = await h.api('GET', '/api/v1/reports/response?since=1d');
    expect(report.status).toBe(200);
    const groups = report.body.groups as { key: string; target: unknown; breached: unknown }[];
    expect(groups.find((g) => g.key === 'critical')).toMatchObject({
      target: { acknowledge: 300, resolve: 3600 },
      breached: { acknowledge: { breached: 0, of: 1 }, resolve: { breached: 1, of: 1 } },
    });
    expect(groups.find((g) => g.key === 'high')).toMatchObject({
      target: { acknowledge: 900, resolve: 14_400 },
      breached: { acknowledge: { breached: 1, of: 1 }, resolve: { breached: 0, of: 1 } },
    });
  });

  it('Update Frequency: P1 every 15 minutes, P2 every 30, P3 hourly; a P1 needs an Incident Commander', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const noCommander = await h.api('POST', '/api/v1/incidents', { title: 'Orchestrator completely down', severity: 'P1' });
    expect(noCommander.status).toBe(400);
    expect(noCommander.body).toMatchObject({ error: { field: 'commander' } });
    expect(((await h.api('GET', '/api/v1/incidents')).body.incidents as unknown[]).length).toBe(0);

    const next = async (severity: string, commander: string) => {
      const res = await h.api('POST', '/api/v1/incidents', { title: `Orchestrator ${severity}`, severity, commander });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return (res.body.incident as { next_update_at: string }).next_update_at;
    };
    expect(await next('P1', 'eng-manager')).toBe('2026-03-08T08:15:00.000Z');
    expect(await next('P2', 'primary-oncall')).toBe('2026-03-08T08:30:00.000Z');
    expect(await next('P3', 'primary-oncall')).toBe('2026-03-08T09:00:00.000Z');
  });

  it('War Room roles: Incident Commander, Ops Lead, Communications Lead and SMEs, by those names', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const declared = await h.api('POST', '/api/v1/incidents', { title: 'Redis data corruption', severity: 'P1', commander: 'eng-manager' });
    expect(declared.status).toBe(201);
    const id = (declared.body.incident as { id: number }).id;
    for (const [role, user] of [
      ['ops_lead', 'primary-oncall'],
      ['comms_lead', 'secondary-oncall'],
      ['sme', 'vp-eng'],
    ]) {
      const res = await h.api('POST', `/api/v1/incidents/${id}/roles`, { role, user });
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    }
    const detail = (await h.api('GET', `/api/v1/incidents/${id}`)).body as { roles: { role_name: string; user: string }[] };
    expect(detail.roles.map((r) => [r.role_name, r.user])).toEqual([
      ['Incident Commander', 'eng-manager'],
      ['Ops Lead', 'primary-oncall'],
      ['Communications Lead', 'secondary-oncall'],
      ['SME', 'vp-eng'],
    ]);
  });

  it('Scheduled Maintenance Windows: Sundays 2:00 AM - 6:00 AM need no approval; off-schedule maintenance needs the Engineering Manager', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    const preferred = await h.api('POST', '/api/v1/maintenance-windows', { services: ['Mother-Harness Orchestrator'], starts_at: '2026-03-15T02:00:00Z', duration: '4h', comment: 'Redis upgrade' });
    expect(preferred.status).toBe(201);
    expect((preferred.body.window as { state: string }).state).not.toBe('pending-approval');
    const offSchedule = await h.api('POST', '/api/v1/maintenance-windows', { services: ['Mother-Harness Orchestrator'], starts_at: '2026-03-10T14:00:00Z', duration: '1h', comment: 'Urgent patch' });
    expect(offSchedule.status).toBe(201);
    expect(offSchedule.body.window).toMatchObject({ state: 'pending-approval', approval: { waiting_for: ['a manager'] } });
  });

  it('Common Scenarios and Playbooks: Orchestrator Service Down and Redis Down carry their immediate actions and troubleshooting runbook', async () => {
    h = await Harness.start(kind, { orgFile: ORG_FILE });
    await trigger('P1', 'down', { alertname: 'OrchestratorServiceDown' });
    await trigger('P1', 'redis', { alertname: 'RedisDown' });
    await trigger('P3', 'slow', { alertname: 'DashboardSlow' });
    const alerts = (await h.api('GET', '/api/v1/alerts')).body.alerts as { dedup_key: string; runbook: { url: string | null; steps: string | null } | null }[];
    const runbook = (key: string) => alerts.find((a) => a.dedup_key === key)?.runbook;
    expect(runbook('down')).toEqual({ url: 'https://docs.mother-harness.example.com/troubleshooting-runbook.md#service-down', steps: expect.stringContaining('5. Escalate if not resolved in 10 minutes') });
    expect(runbook('redis')?.steps).toContain('4. If down, restart: docker-compose restart redis-stack');
    expect(runbook('slow')).toEqual({ url: 'https://docs.mother-harness.example.com/troubleshooting-runbook.md', steps: null });
  });
});
