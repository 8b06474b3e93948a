import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cliClock, main } from '../../src/cli/main.js';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * `watchkeeper handoff` against a real listening server, on the Mahavishnu handbook's schedules:
 * alice hands the primary to charlie on Monday 2026-02-23 00:00 UTC. The clock starts 10 minutes
 * before.
 */
describe('watchkeeper handoff', () => {
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

  const cli = (token: string, ...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', token]);
  const tokenFor = async (user: string) => (await createToken(h.app.ctx, systemTestActor, { name: `${user}'s laptop`, role: 'responder', user })).token;

  it('watch add and list during the shift; show prints the note as the handbook writes it; read and hand-over act on it', async () => {
    h = await Harness.start(sqliteKind, { orgFile: 'examples/handbooks/mahavishnu.yaml', start: '2026-02-22T23:50:00Z', listen: true });
    cliClock.now = () => h.clock.now();
    await h.tick();
    const alice = await tokenFor('alice');
    const charlie = await tokenFor('charlie');
    await h.enqueue({ routing_key: 'mahavishnu0events0v2000000000000', event_action: 'trigger', dedup_key: 'api', payload: { summary: 'API down', source: 'api', severity: 'critical' } });
    await h.tick();
    await h.api('POST', '/api/v1/alerts/1/acknowledge', {}, alice);

    await cli(alice, 'handoff', 'watch', 'add', 'Queue lag spikes at 02:00 during the batch import', '--alert', '1');
    expect(out[0]).toMatch(/^watch item [0-9a-f-]{36} added to alice's shift on mahavishnu-primary; it goes into the next handoff note$/);
    out.length = 0;
    await cli(alice, 'handoff', 'watch', 'list');
    expect(out).toEqual([expect.stringMatching(/^ID\s+SCHEDULE\s+ALERT\s+TEXT$/) as unknown as string, expect.stringMatching(/^[0-9a-f-]{36} {2}mahavishnu-primary {2}#1 {5}Queue lag spikes at 02:00 during the batch import$/) as unknown as string]);
    out.length = 0;
    await cli(charlie, 'handoff', 'watch', 'list');
    expect(out).toEqual(['Not on call now: watch items belong to the shift under way.']);
    out.length = 0;
    await expect(cli(alice, 'handoff', 'watch', 'add', '  ')).rejects.toThrow(/400: text: must not be empty/);
    await expect(cli(charlie, 'handoff', 'watch', 'add', 'hello')).rejects.toThrow(/409: charlie is not on call now/);
    await cli(h.adminToken, 'handoff', 'show', '--schedule', 'mahavishnu-primary');
    expect(out).toEqual(['No handoff notes for mahavishnu-primary yet; one is written at each shift change.']);
    out.length = 0;

    // Monday 00:00: the note is written.
    await h.advanceMinutes(10);
    await cli(charlie, 'handoff', 'show');
    const id = /^Note (\d+): unread/m.exec(out.join('\n'))?.[1] ?? '';
    expect(out.slice(0, 13)).toEqual([
      '## On-Call Handoff: 2026-02-23 (mahavishnu-primary)',
      '',
      'alice -> charlie, shift Mon 16 Feb 00:00 – Mon 23 Feb 00:00 UTC',
      '',
      '### Summary',
      '- Total alerts: 1 alert (critical 1)',
      '- Incidents: 0',
      '- Open now: 0 triggered, 1 acknowledged',
      '',
      '### Open Items',
      '- [ ] #1 [critical] Mahavishnu API: API down, acknowledged (acknowledged by alice)',
      '',
      '### Watch Items',
    ]);
    expect(out).toContain('- Queue lag spikes at 02:00 during the batch import (alert #1) — alice');
    expect(out).toContain(`Read it, mark it read and take over acknowledged alerts: http://watchkeeper.test/handoffs/${id}`);
    expect(out.slice(-2)).toEqual([`Note ${id}: unread. Mark it read: watchkeeper handoff read ${id}`, `alice still holds 1 acknowledged alert; give it to charlie: watchkeeper handoff hand-over ${id}`]);
    out.length = 0;

    await cli(charlie, 'handoff', 'list', '--unread');
    expect(out[0]).toMatch(/^ID\s+HANDOFF\s+SCHEDULE\s+FROM -> TO\s+ALERTS\s+OPEN\s+STATE$/);
    expect(out[1]).toMatch(new RegExp(`^${id}\\s+2026-02-23 00:00Z\\s+mahavishnu-primary\\s+alice -> charlie\\s+1\\s+1\\s+unread$`));
    expect(out.at(-1)).toBe('1 unread; read one with watchkeeper handoff show ID');
    out.length = 0;

    await cli(charlie, 'handoff', 'read', id);
    expect(out).toEqual([`handoff note ${id} (mahavishnu-primary, alice -> charlie) marked read`]);
    out.length = 0;
    await cli(charlie, 'handoff', 'hand-over', id);
    expect(out).toEqual(['handed 1 acknowledged alert from alice to charlie: #1']);
    out.length = 0;
    await cli(charlie, 'handoff', 'hand-over', id);
    expect(out).toEqual(["nothing to hand over: alice holds no acknowledged alerts of mahavishnu-primary's services"]);
    out.length = 0;
    await cli(charlie, 'handoff', 'show', id);
    expect(out.at(-1)).toBe('Note ' + id + ': read by charlie at 2026-02-23 00:00Z.');

    await expect(cli(charlie, 'handoff', 'read', 'twelve')).rejects.toThrow(/"twelve" is not a handoff note number/);
    await expect(cli(alice, 'handoff', 'read', id)).rejects.toThrow(/403: only charlie or a manager can mark read handoff note/);
    await expect(cli(charlie, 'handoff', 'show', '999')).rejects.toThrow(/404: handoff note 999 not found/);
  });
});
