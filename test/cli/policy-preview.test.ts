import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

const YAML = `
users:
  - name: alice
    email: alice@example.com
    contact_methods:
      - { name: work-email, type: email, address: alice@example.com }
      - { name: mobile, type: sms, address: "+14155550101" }
    notification_rules:
      - { contact_method: work-email, delay_minutes: 0 }
      - { contact_method: mobile, delay_minutes: 5 }
  - name: bob
    email: bob@example.com
    notification_rules: []
escalation_policies:
  - name: default
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 5
      - targets: [{ user: bob }]
`;

/** `watchkeeper policy preview` against a live server: the table an on-call lead reads. */
describe('watchkeeper policy preview', () => {
  let h: Harness;
  let out: string[];
  let err: string[];
  beforeEach(async () => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    h = await Harness.start(sqliteKind, { orgYaml: YAML, listen: true });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
    await h?.stop();
  });
  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', h.adminToken]);

  it('prints who is paged, when and how, and the end', async () => {
    await cli('policy', 'preview', 'default', '--severity', 'critical', '--at', '2026-03-08T03:00:00-05:00');
    expect(out).toEqual([
      'If a critical alert fires at 2026-03-08 08:00 UTC under "default" and nobody acknowledges:',
      'AFTER  LEVEL  WHO    HOW',
      '00:00  1      alice  email, sms +5m',
      '00:05  2      bob    not paged',
      '                     ! no notification rule for high urgency: bob not paged; add a rule to their profile',
      'Then: stops after level 2; nobody else is paged until someone escalates by hand.',
    ]);
  });

  it('prints the JSON the API answers', async () => {
    await cli('policy', 'preview', 'default', '-s', 'warning', '--at', '2026-03-08T08:00:00Z', '--json');
    const p = JSON.parse(out.join('\n'));
    expect(p.steps.map((s: { offset_minutes: number; recipients: { name: string }[] }) => [s.offset_minutes, s.recipients.map((r) => r.name)])).toEqual([
      [0, ['alice']],
      [5, ['bob']],
    ]);
  });

  it('lints schedules and policies together and exits 1 on a finding', async () => {
    await cli('lint', '--weeks', '2');
    expect(out).toEqual([
      'unreachable_level: level 2 of "default" reaches nobody who can be paged now for critical, high, medium, low, info alerts (no notification rule for high urgency: bob not paged; add a rule to their profile; no notification rule for low urgency: bob not paged; add a rule to their profile)',
      'unused_policy: policy "default" is used by no service or routing rule',
      '2 problems',
    ]);
    expect(process.exitCode).toBe(1);
  });
});

