import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/** `watchkeeper alerts list|show` name an alert's group: its size on the leader, the leader on a member. */
const ORG = `
users:
  - { name: alice, email: alice@example.com, contact_methods: [{ name: work, type: email, address: alice@example.com }] }
escalation_policies:
  - name: ops
    levels:
      - targets: [{ user: alice }]
services:
  - name: Platform
    escalation_policy: ops
    grouping: { by: [alertname], wait: 30s }
`;

describe.each(storeKinds)('alert groups in the CLI on $name', (kind) => {
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

  it('shows the group size on the leader and the leader on a member', async () => {
    h = await Harness.start(kind, { orgYaml: ORG, listen: true });
    for (const i of ['a', 'b']) {
      expect((await h.api('POST', '/api/v1/alerts', { service: 'Platform', summary: `disk full on ${i}`, labels: { alertname: 'DiskFull', instance: i } })).status).toBe(201);
    }
    await cli('alerts', 'list');
    expect(out.find((l) => l.startsWith('#1 '))).toMatch(/disk full on a \(2 in group\)$/);
    expect(out.find((l) => l.startsWith('#2 '))).toMatch(/disk full on b \(in group of #1\)$/);
    out.length = 0;
    await cli('alerts', 'list', '--hide-members');
    expect(out.filter((l) => l.startsWith('#'))).toHaveLength(1);
    expect(out.find((l) => l.startsWith('#1 '))).toMatch(/\(2 in group\)$/);
    out.length = 0;
    await cli('alerts', 'show', '2');
    expect(out.join('\n')).toMatch(/ {2}group\s+2 alerts in group DiskFull; led by #1 \(watchkeeper alerts show 1\)/);
  });
});
