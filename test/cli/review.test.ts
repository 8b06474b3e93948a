import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

const KEY = 'cli0review0events000000000000000';
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
`;

/** `watchkeeper alerts not-actionable` and `watchkeeper report review`: one alert on Tuesday 24 November, marked. */
describe('watchkeeper alerts not-actionable and report review', () => {
  let h: Harness;
  let out: string[];
  beforeEach(async () => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    h = await Harness.start(sqliteKind, { orgYaml: YAML, listen: true, start: '2026-11-24T10:00:00Z' });
    await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: 'disk', payload: { summary: 'scratch disk 91%', source: 's', severity: 'critical' } });
    await h.app.tick();
    h.clock.advance(Date.parse('2026-11-30T10:00:00Z') - h.clock.now());
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.stop();
  });
  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', h.adminToken]);

  it('marks and unmarks an alert, and prints the last week’s review as Markdown', async () => {
    const id = Number(((await h.api('GET', '/api/v1/alerts')).body.alerts as { id: number }[])[0]!.id);
    await cli('alerts', 'not-actionable', String(id), '--reason', 'scratch volume');
    expect(out).toEqual([`#${id} marked not actionable: scratch volume`]);
    out.length = 0;
    await cli('report', 'review', '--period', 'week');
    const md = out.join('');
    expect(md).toContain('# On-call review: week of Mon 23 Nov 2026');
    expect(md).toContain('False-positive rate: 1 of 1 alerts marked not actionable (100%).');
    expect(md).toContain('| API | disk: scratch disk 91% | 1 | 0 | 1 | 0 |');
    out.length = 0;
    await cli('alerts', 'not-actionable', String(id), '--undo');
    expect(out).toEqual([`#${id} is not marked not actionable`]);
  });

  it('refuses an unknown period before asking the server', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => {
      throw new Error('exit');
    }) as never);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await expect(cli('report', 'review', '--period', 'fortnight')).rejects.toThrow();
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('--period must be one of week, month, quarter');
    exit.mockRestore();
  });
});
