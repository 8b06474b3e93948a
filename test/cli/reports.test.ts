import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

const KEY = 'cli0reports0events00000000000000';
const YAML = `
users:
  - { name: alice, email: alice@example.com, contact_methods: [{ name: email, type: email, address: alice@example.com }] }
escalation_policies:
  - name: default
    levels: [{ targets: [{ user: alice }] }]
services:
  - name: API
    escalation_policy: default
    integrations: [{ name: events, type: events_v2, key: ${KEY} }]
response_targets:
  critical: { acknowledge: 5m, resolve: 15m }
`;

/** `watchkeeper report`: two critical alerts, one acknowledged in 2 minutes, one in 8, as tables and CSV. */
describe('watchkeeper report', () => {
  let h: Harness;
  let out: string[];
  beforeEach(async () => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    h = await Harness.start(sqliteKind, { orgYaml: YAML, listen: true, start: '2026-03-01T10:00:00Z' });
    for (const [key, ack, resolve] of [
      ['a', 2, 10],
      ['b', 8, 20],
    ] as const) {
      const t = h.clock.now();
      await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: key, payload: { summary: `${key} down`, source: 's', severity: 'critical' } });
      await h.app.tick();
      h.clock.advance(ack * 60_000);
      await h.enqueue({ routing_key: KEY, event_action: 'acknowledge', dedup_key: key });
      h.clock.advance((resolve - ack) * 60_000);
      await h.enqueue({ routing_key: KEY, event_action: 'resolve', dedup_key: key });
      h.clock.advance(t + 3_600_000 - h.clock.now());
    }
    h.clock.advance(Date.parse('2026-03-31T00:00:00Z') - h.clock.now());
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.stop();
  });
  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', h.adminToken]);

  it('prints MTTA and MTTR against the targets as a table', async () => {
    await cli('report', 'mtta', '--since', '30d');
    expect(out).toEqual([
      'Response from 2026-03-01T00:00:00.000Z to 2026-03-31T00:00:00.000Z (trend against the 30 days before)',
      'SEVERITY  ALERTS  MTTA mean/median/p95  MTTR mean/median/p95  TARGET ack/resolve  BREACHED ack/resolve  TREND mtta/mttr',
      'critical  2       5m / 5m / 7m42s       15m / 15m / 19m30s    5m / 15m            50% / 50%             - / -',
      'all       2       5m / 5m / 7m42s       15m / 15m / 19m30s                        50% / 50%             - / -',
    ]);
  });

  it('adds the incidents declared in the period, by severity, and their CSV', async () => {
    const declared = await h.api('POST', '/api/v1/incidents', { title: 'API down', severity: 'critical' });
    const id = (declared.body.incident as { id: number }).id;
    h.clock.advance(2 * 60_000);
    expect((await h.api('POST', `/api/v1/incidents/${id}/updates`, { impact: 'API down', actions: 'failing over' })).status).toBe(201);
    h.clock.advance(8 * 60_000);
    expect((await h.app.http.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: { authorization: `Bearer ${h.adminToken}` }, payload: { status: 'resolved' } })).statusCode).toBe(200);
    await cli('report', 'mtta', '--since', '30d');
    expect(out.slice(4)).toEqual([
      '',
      'Incidents declared in the period (acknowledged: first attached alert acknowledged, update or status change):',
      'SEVERITY  INCIDENTS  TTA mean/median/p95  TTR mean/median/p95  TARGET ack/resolve  BREACHED ack/resolve',
      'critical  1          2m / 2m / 2m         10m / 10m / 10m      5m / 15m            0% / 0%',
      'all       1          2m / 2m / 2m         10m / 10m / 10m                          0% / 0%',
    ]);
    out.length = 0;
    await cli('report', 'mtta', '--incidents', '--csv');
    expect(out.join('').split('\n').slice(0, 2)).toEqual([
      'severity,incidents,acknowledged,resolved,tta_mean_s,tta_median_s,tta_p95_s,ttr_mean_s,ttr_median_s,ttr_p95_s,acknowledge_target_s,resolve_target_s,acknowledge_breached,acknowledge_measured,resolve_breached,resolve_measured',
      'critical,1,1,1,120,120,120,600,600,600,300,900,0,1,0,1',
    ]);
  });

  it('prints CSV for spreadsheets and the noise report', async () => {
    await cli('report', 'response', '--by', 'service', '--csv');
    expect(out.join('').split('\n').slice(0, 2)).toEqual([
      'key,alerts,acknowledged,resolved,mtta_mean_s,mtta_median_s,mtta_p95_s,mttr_mean_s,mttr_median_s,mttr_p95_s,acknowledge_target_s,resolve_target_s,acknowledge_breached,acknowledge_measured,resolve_breached,resolve_measured,previous_alerts,previous_mtta_mean_s,previous_mttr_mean_s',
      'API,2,2,2,300,300,462,900,900,1170,,,1,2,1,2,0,,',
    ]);
    out.length = 0;
    await cli('report', 'noise');
    expect(out.slice(0, 4)).toEqual(['Alerts from 2026-03-01T00:00:00.000Z to 2026-03-31T00:00:00.000Z, days in UTC', 'SEVERITY  ALERTS', 'critical  2', '']);
    expect(out).toContain('Resolved without acknowledgement: 0 of 2 (0%): candidates to tune or drop');
  });

  it('prints the on-call load per person and team', async () => {
    await cli('report', 'load');
    // Both pages went out on Sunday 1 March, 10:00 and 11:00 UTC: off hours (a weekend day).
    expect(out.slice(1, 3)).toEqual(['PERSON  ZONE  INTERRUPTIONS  BUSINESS  OFF  SLEEP  HOURS ON CALL', 'alice   UTC   2              0         2    0      0']);
  });

  it('records time off and lists it', async () => {
    await cli('comp-time', 'take', 'alice', '--day', '2026-03-05', '--days', '0.5', '--note', 'after the Sunday pages');
    expect(out).toEqual(['recorded: alice off 0.5 days from 2026-03-05']);
    out.length = 0;
    await cli('comp-time', 'list');
    expect(out[0]).toBe('DAY         PERSON  DAYS  NOTE                    RECORDED BY  ID');
    expect(out[1]).toMatch(/^2026-03-05 {2}alice {3}0\.5 {3}after the Sunday pages {2}test admin {3}[0-9a-f-]{36}$/);
  });
});

