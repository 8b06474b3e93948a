import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

/** `watchkeeper incident show` prints the SLA clocks. The clock starts Sunday 2026-03-08 08:00 UTC. */
const ORG = `
users:
  - name: alice
    email: alice@example.com
incident_policy:
  sla:
    critical: { acknowledge: 5m, first_update: 15m, resolve: 1h }
`;

describe('watchkeeper incident show with SLA clocks', () => {
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

  it('shows each clock with its state, target and due time', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ORG, listen: true });
    await cli('incident', 'declare', 'Checkout errors', '--severity', 'critical');
    await h.advanceMinutes(13);
    await cli('incident', 'update', '1', '--impact', 'EU checkout fails', '--actions', 'Rolling back');
    out.length = 0;
    await cli('incident', 'show', '1');
    const shown = out.join('\n');
    expect(shown).toMatch(/sla acknowledge\s+breached \(target 5m, due 2026-03-08 08:05Z, stopped 2026-03-08 08:13Z\)/);
    expect(shown).toMatch(/sla first update\s+met \(target 15m, due 2026-03-08 08:15Z, met 2026-03-08 08:13Z\)/);
    expect(shown).toMatch(/sla resolve\s+on track \(target 1h, due 2026-03-08 09:00Z\)/);
  });
});
