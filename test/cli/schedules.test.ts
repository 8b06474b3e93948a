import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cliClock, main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { PLATFORM_YAML } from '../helpers/platform-org.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * `watchkeeper oncall`, `schedule show` and `override add|list|rm` against a real listening
 * server. The clock starts Sunday 2026-03-08 08:00 UTC.
 */
describe('watchkeeper oncall, schedule and override', () => {
  let h: Harness;
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  });
  afterEach(async () => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
    cliClock.now = () => Date.now();
    await h?.stop();
  });

  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', h.adminToken]);
  const start = async (opts: { orgYaml?: string; orgFile?: string; start?: string }) => {
    h = await Harness.start(sqliteKind, { ...opts, listen: true });
    cliClock.now = () => h.clock.now();
  };

  it('oncall prints who is on call in each schedule, by team, now or at --at', async () => {
    await start({ orgYaml: PLATFORM_YAML });
    await cli('oncall');
    expect(out).toEqual([
      'SCHEDULE          TEAM      ROLE     PERSON    UNTIL',
      'office-hours      -         -        (nobody)  2026-03-09 09:00Z',
      'platform-primary  platform  primary  bob       2026-03-09 00:00Z',
      'platform-shadow   platform  shadow   alice     2026-03-09 00:00Z',
    ]);
    out.length = 0;
    await cli('oncall', '--team', 'platform', '--at', '2026-03-10T10:00Z');
    expect(out).toEqual(['SCHEDULE          TEAM      ROLE     PERSON  UNTIL', 'platform-primary  platform  primary  diana   2026-03-16 00:00Z', 'platform-shadow   platform  shadow   bob     2026-03-16 00:00Z']);
    await expect(cli('oncall', '--at', 'tomorrow')).rejects.toThrow(/400: at: must be a date-time with a zone/);
  });

  it('schedule show prints the Mahavishnu handbook table, one column per schedule of the team', async () => {
    await start({ orgFile: 'examples/handbooks/mahavishnu.yaml', start: '2026-02-17T12:00:00Z' });
    await cli('schedule', 'show', '--team', 'mahavishnu');
    expect(out).toEqual([
      'Week of     Primary  Shadow',
      '2026-02-16  alice    bob',
      '2026-02-23  charlie  alice',
      '2026-03-02  bob      charlie',
      '2026-03-09  diana    bob',
    ]);
    out.length = 0;
    await cli('schedule', 'show', 'mahavishnu-primary', '--weeks', '2');
    expect(out).toEqual(['Week of     mahavishnu-primary', '2026-02-16  alice', '2026-02-23  charlie']);
    await expect(cli('schedule', 'show', 'nope')).rejects.toThrow(/404: schedule "nope" not found/);
  });

  it('override add, list and rm change who is on call, and schedule show marks the cover', async () => {
    await start({ orgYaml: PLATFORM_YAML });
    await cli('override', 'add', 'platform-primary', '--user', 'erin', '--replaces', 'diana', '--from', '2026-03-10T00:00Z', '--to', '2026-03-11T00:00Z', '--note', 'dentist');
    expect(out[0]).toMatch(/^override [0-9a-f-]{36}: erin on call in platform-primary from 2026-03-10 00:00Z to 2026-03-11 00:00Z where diana was$/);
    const id = /^override (\S+):/.exec(out[0] ?? '')?.[1] ?? '';
    out.length = 0;
    await cli('override', 'list', 'platform-primary');
    expect(out).toEqual([
      expect.stringMatching(/^ID\s+FROM\s+TO\s+PERSON\s+REPLACES\s+BY\s+NOTE$/) as unknown as string,
      `${id}  2026-03-10 00:00Z  2026-03-11 00:00Z  erin    diana     test admin  dentist`,
    ]);
    out.length = 0;
    await cli('schedule', 'show', 'platform-primary', '--weeks', '2');
    expect(out).toEqual(['Week of     platform-primary', '2026-03-02  bob', '2026-03-09  diana (+erin)']);
    out.length = 0;
    await expect(cli('override', 'add', 'platform-primary', '--user', 'zed', '--from', '2026-03-10T00:00Z', '--to', '2026-03-11T00:00Z')).rejects.toThrow(/400: user: no user named "zed"/);
    await cli('override', 'remove', 'platform-primary', id); // or rm
    expect(out).toEqual([`override ${id} removed from platform-primary`]);
    out.length = 0;
    await cli('override', 'list', 'platform-primary');
    expect(out).toEqual(['No overrides ahead in platform-primary.']);
  });

  it('schedule lint prints one problem a line and exits 1, or says there are none', async () => {
    await start({ orgYaml: PLATFORM_YAML });
    await cli('schedule', 'lint', '--team', 'platform', '--weeks', '1');
    expect(out).toEqual(
      ['Mon 9', 'Tue 10', 'Wed 11', 'Thu 12', 'Fri 13'].map((d) => `conflict: diana is on call in office-hours (no team) and platform-primary (team platform) at once ${d} Mar 09:00 – 17:00 UTC (8 h)`),
    );
    expect(process.exitCode).toBe(1);
    await expect(cli('schedule', 'lint', '--weeks', '27')).rejects.toThrow(/--weeks must be a whole number from 1 to 26/);
    await h.stop();

    // The handbook: a week of primary at most, primary and shadow never in one time zone.
    process.exitCode = undefined;
    out.length = 0;
    await start({ orgFile: 'examples/handbooks/mahavishnu.yaml', start: '2026-02-17T12:00:00Z' });
    await cli('schedule', 'lint');
    expect(out).toEqual(['no problems in the next 4 weeks']);
    expect(process.exitCode).toBeUndefined();
  });
});
