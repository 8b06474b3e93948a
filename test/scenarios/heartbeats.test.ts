import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Heartbeats on the fake clock: the first ping arms the heartbeat, a missed one (interval + grace)
 * opens an alert that pages, the next ping resolves it. Configured in the organisation file.
 */
const KEY = 'backup0heartbeat0000000000000000';
const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods: [{ name: work, type: email, address: alice@example.com }]
escalation_policies:
  - name: ops
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 30
services:
  - name: Backups
    escalation_policy: ops
    integrations:
      - name: nightly-backup
        type: heartbeat
        key: ${KEY}
        interval: 1d
        grace: 30m
`;

describe.each(storeKinds)('heartbeats on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
    await h?.stop();
    h = null;
  });

  const pingNow = async () => {
    const r = await h!.app.http.inject({ method: 'POST', url: `/integrations/heartbeat/${KEY}` });
    expect(r.statusCode).toBe(200);
    return r.json() as { status: string; next_ping_due_by: string; recovered: boolean };
  };
  const heartbeats = async () => (await h!.api('GET', '/api/v1/heartbeats')).body.heartbeats as { state: string; due_at: string | null }[];
  const alerts = async () => (await h!.api('GET', '/api/v1/alerts?status=triggered,acknowledged,resolved')).body.alerts as { status: string; summary: string; service: { name: string } }[];

  it('is armed by its first ping; a missed ping opens an alert that pages, and the next ping resolves it', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    expect(await heartbeats()).toEqual([expect.objectContaining({ state: 'inactive', last_ping_at: null })]);
    // Never pinged: nothing opens, however long.
    await h.advanceMinutes(3 * 24 * 60);
    expect(await alerts()).toEqual([]);

    const first = await pingNow();
    expect(first).toMatchObject({ status: 'ok', recovered: false, next_ping_due_by: new Date(h.clock.now() + 24.5 * 3_600_000).toISOString() });
    expect((await heartbeats())[0]).toMatchObject({ state: 'healthy' });

    await h.advanceMinutes(24 * 60 + 29);
    expect(await alerts()).toEqual([]);
    await h.advanceMinutes(1);
    const [a] = await alerts();
    expect(a).toMatchObject({ status: 'triggered', service: { name: 'Backups' } });
    expect(a!.summary).toMatch(/^Heartbeat Backups\/nightly-backup missed: no ping since 2026-03-11T08:00:00Z \(expected every 1d, 30m grace\)$/);
    expect(h.paged()).toEqual(['alice@example.com']);
    expect((await heartbeats())[0]).toMatchObject({ state: 'missed' });
    // Still missing: no second alert.
    await h.advanceMinutes(60);
    expect(await alerts()).toHaveLength(1);

    const back = await pingNow();
    expect(back.recovered).toBe(true);
    expect((await alerts()).map((x) => x.status)).toEqual(['resolved']);
    expect((await heartbeats())[0]).toMatchObject({ state: 'healthy' });
  });

  it('refuses unknown keys and bad configuration naming the field; the service keeps interval and grace', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const r = await h.app.http.inject({ method: 'GET', url: '/integrations/heartbeat/unknown0key0000000000000000000000'.slice(0, 55) });
    expect(r.statusCode).toBe(401);
    const bad = await h.api('POST', '/api/v1/config/apply', { yaml: ORG.replace('interval: 1d', 'interval: sometimes'), dry_run: true });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('services[0].integrations[0].interval');
    const missing = await h.api('POST', '/api/v1/config/apply', { yaml: ORG.replace('        interval: 1d\n', ''), dry_run: true });
    expect(JSON.stringify(missing.body)).toContain('required for heartbeat integrations');
    const service = await h.api('GET', '/api/v1/services/Backups');
    expect(service.body.integrations).toEqual([expect.objectContaining({ name: 'nightly-backup', type: 'heartbeat', interval: '1d', grace: '30m', url: 'http://watchkeeper.test/integrations/heartbeat/<key>' })]);
  });

  it('watchkeeper heartbeats lists them and exits 1 when one is missed', async () => {
    h = await Harness.start(kind, { orgYaml: ORG, listen: true });
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...x: unknown[]) => void out.push(x.join(' ')));
    await pingNow();
    await h.advanceMinutes(25 * 60);
    await main(['node', 'watchkeeper', 'heartbeats', '--server', h.baseUrl, '--token', h.adminToken]);
    expect(out[0]).toMatch(/^SERVICE\s+HEARTBEAT\s+STATE\s+EVERY\s+LAST PING\s+DUE BY$/);
    expect(out[1]).toMatch(/^Backups\s+nightly-backup\s+missed\s+1d \+ 30m\s+2026-03-08 08:00Z\s+2026-03-09 08:30Z$/);
    expect(process.exitCode).toBe(1);
  });
});
