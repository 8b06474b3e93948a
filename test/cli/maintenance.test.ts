import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * `watchkeeper maintenance preview|add|list|show|end|approve` against a real listening server. Demo
 * organisation; the clock starts Sunday 2026-03-08 08:00 UTC (03:00 CDT, spring-forward day).
 */
const CHECKOUT_KEY = 'demo0checkout0events0v2000000000';

describe('watchkeeper maintenance', () => {
  let h: Harness;
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.stop();
  });

  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', h.adminToken]);

  it('previews and adds a recurring window, lists it, shows the alert it holds and ends it', async () => {
    h = await Harness.start(sqliteKind, { orgFile: 'examples/demo.yaml', listen: true });
    await cli('maintenance', 'list');
    expect(out).toEqual(['No maintenance windows. Add one with: watchkeeper maintenance add --service NAME --duration 2h --comment WHAT']);
    out.length = 0;

    await cli('maintenance', 'preview', '--service', 'Checkout API', '--start', '2026-03-10T22:00:00Z', '--duration', '90m');
    expect(out).toEqual(['Checkout API, 2026-03-10T22:00Z to 2026-03-10T23:30Z', '  2026-03-10 22:00Z to 2026-03-10 23:30Z', 'no open alert in its scope now']);
    out.length = 0;

    await cli('maintenance', 'add', '--service', 'checkout api', '--rrule', 'FREQ=WEEKLY;BYDAY=SU', '--start', '02:00', '--duration', '4h', '--zone', 'America/Chicago', '--comment', 'Weekly patching');
    const id = /^maintenance window (\S+) "Weekly patching" active: Checkout API, every week on Sunday at 02:00 America\/Chicago for 4h$/.exec(out[0] ?? '')?.[1];
    expect(id, out.join('\n')).toBeDefined();
    expect(out.slice(1)).toEqual(['in effect now, until 2026-03-08 11:00Z', 'next: 2026-03-15 07:00Z to 2026-03-15 11:00Z']);
    out.length = 0;

    expect((await h.enqueue({ routing_key: CHECKOUT_KEY, event_action: 'trigger', dedup_key: 'disk', payload: { summary: 'Disk full', source: 'test', severity: 'critical' } })).status).toBe(202);
    await h.tick();
    expect(h.paged()).toEqual([]);

    await cli('maintenance', 'list');
    expect(out[0]).toMatch(/^ID\s+NAME\s+STATE\s+MANAGED BY\s+SCOPE\s+WHEN\s+NEXT\s+ALERTS$/);
    expect(out[1]).toContain(`${id}  Weekly patching  active  api         Checkout API  every week on Sunday at 02:00 America/Chicago for 4h  now, until 2026-03-08 11:00Z  1`);
    out.length = 0;

    await cli('maintenance', 'show', id!);
    expect(out[3]).toBe('by test admin (API): Weekly patching');
    expect(out[out.length - 1]).toMatch(/^#1\s+triggered\s+critical\s+Checkout API\s+Disk full$/);
    out.length = 0;

    await cli('maintenance', 'show', id!, '--json');
    expect(JSON.parse(out.join('\n'))).toMatchObject({ window: { id, state: 'active', held_alerts: 1 } });
    out.length = 0;

    await cli('maintenance', 'end', id!);
    expect(out).toEqual([`maintenance window ${id} "Weekly patching" ended`]);
    await h.tick();
    expect(h.paged()).toEqual(['alice@example.com']);
  });

  it('says what is wrong with the input, naming the field', async () => {
    h = await Harness.start(sqliteKind, { orgFile: 'examples/demo.yaml', listen: true });
    await expect(cli('maintenance', 'add', '--service', 'Checkout API', '--rrule', 'FREQ=WEEKLY;BYDAY=SU', '--start', '02:00', '--duration', '4h', '--zone', 'Chicago', '--comment', 'x')).rejects.toThrow(
      'time_zone: "Chicago" is not an IANA time zone; write e.g. America/Chicago or UTC',
    );
    await expect(cli('maintenance', 'end', 'nope')).rejects.toThrow('maintenance window nope');
  });
});
