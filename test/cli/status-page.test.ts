import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { exitCodeOf } from '../../src/cli/output.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

/** `watchkeeper status-page show|set|post|subscribers` against a real listening server. */
const ORG = `${fs.readFileSync('examples/demo.yaml', 'utf8')}
status_page:
  title: Demo status
  components:
    - name: Checkout
      services: [Checkout API]
    - name: Payments
      services: [Payments]
`;

describe('watchkeeper status-page', () => {
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

  it('sets a component, posts public updates from the templates, and lists subscribers', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ORG, listen: true });
    await cli('status-page', 'show');
    expect(out[0]).toBe('Demo status: All systems operational (http://watchkeeper.test/status)');
    expect(out[1]).toMatch(/^COMPONENT\s+GROUP\s+STATUS$/);
    out.length = 0;

    await cli('status-page', 'set', 'checkout', 'degraded_performance');
    expect(out).toEqual(['Checkout is now degraded_performance']);
    out.length = 0;
    const err = await cli('status-page', 'set', 'Checkout', 'broken').catch((e: unknown) => e);
    expect(exitCodeOf(err)).toBe(2);

    expect((await h.api('POST', '/api/v1/incidents', { title: 'Card payments failing', severity: 'high' })).status).toBe(201);
    await cli('status-page', 'post', '1', '--status', 'investigating', '--component', 'Payments=major_outage');
    expect(out).toEqual(['public update posted on incident #1 (investigating): We are investigating Card payments failing.; Payments=major_outage']);
    out.length = 0;
    await cli('status-page', 'show');
    expect(out[0]).toBe('Demo status: Major outage (http://watchkeeper.test/status)');
    expect(out).toContain('incident #1 "Card payments failing": Investigating, last update 2026-03-08 08:00Z: We are investigating Card payments failing.');
    out.length = 0;
    const bad = await cli('status-page', 'post', '1', '--status', 'investigating', '--message', 'x', '--component', 'Nope=major_outage').catch((e: unknown) => e);
    expect(exitCodeOf(bad)).toBe(2);
    expect(String((bad as Error).message)).toContain('components.Nope');

    await cli('status-page', 'post', '#1', '--status', 'resolved');
    expect(out).toEqual(['public update posted on incident #1 (resolved): The issue has been resolved.; Payments=operational']);
    out.length = 0;

    await cli('status-page', 'subscribers');
    expect(out).toEqual(['No subscribers. People subscribe on the status page (/status).']);
  });
});
