import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { PLATFORM_YAML } from '../helpers/platform-org.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * `watchkeeper swap request|list|accept|decline|cancel` against a real listening server. The clock
 * starts Sunday 2026-03-08 08:00 UTC: bob is on platform-primary until Monday 00:00, then diana.
 */
describe('watchkeeper swap', () => {
  let h: Harness;
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  });
  afterEach(async () => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
    await h?.stop();
  });

  const tokenFor = async (user: string) => (await createToken(h.app.ctx, systemTestActor, { name: `${user}'s token`, role: 'responder', user })).token;
  const as = (token: string) => (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', token]);
  const finalShifts = async () =>
    ((await h.api('GET', '/api/v1/schedules/platform-primary/shifts?from=2026-03-08T00:00Z&to=2026-03-11T00:00Z')).body.final as { start: string; user: string }[]).map((s) => `${s.start.slice(0, 13)} ${s.user}`);

  it('bob asks diana to swap, diana lists and accepts it; a declined one changes nothing; bad ranges are refused', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: PLATFORM_YAML, listen: true });
    const bob = as(await tokenFor('bob'));
    const diana = as(await tokenFor('diana'));

    await bob('swap', 'request', 'platform-primary', '--with', 'diana', '--mine', '2026-03-08T12:00Z..2026-03-09T00:00Z', '--theirs', '2026-03-09T00:00Z..2026-03-10T00:00Z', '--note', 'dinner');
    expect(out).toEqual(['swap request 1 sent to diana; it takes effect when they accept (cancel: watchkeeper swap cancel 1)']);
    out.length = 0;

    await diana('swap', 'list');
    expect(out).toEqual([
      'ID  SCHEDULE          ASKED BY  ASKED  STATUS   HANDS OVER                             TAKES',
      '1   platform-primary  bob       diana  pending  2026-03-08 12:00Z – 2026-03-09 00:00Z  2026-03-09 00:00Z – 2026-03-10 00:00Z',
    ]);
    out.length = 0;

    await expect(bob('swap', 'accept', '1')).rejects.toThrow(/403: only diana \(or a manager\) can accept swap request 1/);
    await diana('swap', 'accept', '1');
    expect(out).toEqual(['swap request 1 accepted: the swap is on the schedule']);
    expect(await finalShifts()).toEqual(['2026-03-02T00 bob', '2026-03-08T12 diana', '2026-03-09T00 bob', '2026-03-10T00 diana']);
    out.length = 0;

    await diana('swap', 'list');
    expect(out).toEqual(['no pending swap requests']);
    out.length = 0;

    // Now diana has Sunday afternoon and bob Monday: diana asks for Monday back, bob declines.
    await diana('swap', 'request', 'platform-primary', '--with', 'bob', '--mine', '2026-03-08T12:00Z..2026-03-09T00:00Z', '--theirs', '2026-03-09T00:00Z..2026-03-10T00:00Z');
    await bob('swap', 'decline', '2');
    expect(out.at(-1)).toBe('swap request 2 declined; the schedule is unchanged');
    expect(await finalShifts()).toEqual(['2026-03-02T00 bob', '2026-03-08T12 diana', '2026-03-09T00 bob', '2026-03-10T00 diana']);
    out.length = 0;
    await bob('swap', 'list', '--all', '--json');
    expect((JSON.parse(out.join('\n')) as { swap_requests: { id: number; status: string }[] }).swap_requests.map((x) => [x.id, x.status])).toEqual([
      [2, 'declined'],
      [1, 'accepted'],
    ]);

    await expect(bob('swap', 'request', 'platform-primary', '--with', 'diana', '--mine', 'monday', '--theirs', '2026-03-09T00:00Z..2026-03-10T00:00Z')).rejects.toThrow(/--mine must be FROM\.\.TO/);
    await expect(bob('swap', 'request', 'platform-primary', '--with', 'alice', '--mine', '2026-03-09T00:00Z..2026-03-10T00:00Z', '--theirs', '2026-03-10T00:00Z..2026-03-11T00:00Z')).rejects.toThrow(/400: theirs: alice is not on call/);
    await expect(diana('swap', 'cancel', '2')).rejects.toThrow(/409: swap request 2 is already declined/);
  });
});
