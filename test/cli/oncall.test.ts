import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type BuiltCli } from '../helpers/cli-binary.js';
import { Harness } from '../helpers/harness.js';
import { PLATFORM_YAML } from '../helpers/platform-org.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * `watchkeeper oncall [SCHEDULE|TEAM] [--at TIME]` from the built binary. The clock starts Sunday
 * 2026-03-08 08:00 UTC: bob is the platform primary and alice the shadow until Monday 00:00, then
 * diana and bob; office hours (no team) has nobody on a Sunday.
 */
let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCli();
});
afterAll(() => cli?.remove());

describe('watchkeeper oncall', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });
  const run = (...args: string[]) => cli.run([...args], { env: { XDG_CONFIG_HOME: cli.root, WATCHKEEPER_SERVER: h.baseUrl, WATCHKEEPER_TOKEN: h.adminToken } });

  it('prints who is on call per schedule, team and role, for everyone, a team or a schedule, now or at --at', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: PLATFORM_YAML, listen: true });
    const all = await run('oncall');
    expect(all.stderr).toBe('');
    expect(all.stdout.split('\n')).toEqual([
      'SCHEDULE          TEAM      ROLE     PERSON    UNTIL',
      'office-hours      -         -        (nobody)  2026-03-09 09:00Z',
      'platform-primary  platform  primary  bob       2026-03-09 00:00Z',
      'platform-shadow   platform  shadow   alice     2026-03-09 00:00Z',
      '',
    ]);

    expect((await run('oncall', 'platform', '--at', '2026-03-10T10:00Z')).stdout.split('\n')).toEqual([
      'SCHEDULE          TEAM      ROLE     PERSON  UNTIL',
      'platform-primary  platform  primary  diana   2026-03-16 00:00Z',
      'platform-shadow   platform  shadow   bob     2026-03-16 00:00Z',
      '',
    ]);
    expect((await run('oncall', '--team', 'platform')).stdout).toContain('platform-shadow   platform  shadow   alice');

    const json = JSON.parse((await run('oncall', 'platform-primary', '--json')).stdout) as unknown;
    expect(json).toEqual({ at: '2026-03-08T08:00:00.000Z', oncall: [{ schedule: 'platform-primary', team: 'platform', role: 'primary', user: 'bob', until: '2026-03-09T00:00:00.000Z' }] });

    // An override is seen at once: the server does the schedule maths.
    expect((await h.api('POST', '/api/v1/schedules/platform-primary/overrides', { start: '2026-03-08T07:00:00Z', end: '2026-03-08T12:00:00Z', user: 'erin' })).status).toBe(201);
    expect((await run('oncall', 'platform-primary')).stdout).toContain('platform-primary  platform  primary  erin    2026-03-08 12:00Z');

    // The older views speak --json too, with the same exit codes.
    const lint = await run('schedule', 'lint', '--json');
    const findings = (JSON.parse(lint.stdout) as { findings: { kind: string }[] }).findings;
    expect(lint.code).toBe(findings.length > 0 ? 1 : 0);
    expect(findings.length).toBeGreaterThan(0); // office hours leave nights and weekends uncovered
    expect(JSON.parse((await run('heartbeats', '--json')).stdout)).toEqual({ heartbeats: [] });
  }, 120_000);

  it('exits 3 for an unknown schedule or team, 2 for a bad --at, 2 for both a name and --team', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: PLATFORM_YAML, listen: true });
    const unknown = await run('oncall', 'payments');
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([3, '', 'no schedule or team named "payments"; run watchkeeper oncall to see them all\n']);
    const badAt = await run('oncall', '--at', 'tomorrow');
    expect(badAt.code).toBe(2);
    expect(badAt.stderr).toMatch(/^400: at: must be a date-time with a zone/);
    const both = await run('oncall', 'platform', '--team', 'platform');
    expect([both.code, both.stderr]).toEqual([2, 'give a schedule or team name, or --team, not both\n']);
  }, 120_000);
});
