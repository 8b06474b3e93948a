import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * `watchkeeper contact-method`, `rules`, `test-page`, `notices` and `reachability` against a real
 * listening server, as Alice with a token of her own (so no --user), and as the admin with --user.
 */
const YAML = `
users:
  - name: alice
    email: alice@example.com
    contact_methods:
      - { name: work-email, type: email, address: alice@example.com }
    notification_rules: []
  - name: bob
    email: bob@example.com
    notification_rules: []
schedules:
  - name: primary
    layers:
      - { name: always, participants: [alice], turn: 1 week, start: "2026-03-02T00:00" }
escalation_policies:
  - name: default
    levels:
      - targets: [{ schedule: primary }]
        delay_minutes: 5
      - targets: [{ user: bob }]
`;

describe('watchkeeper contact-method, rules, test-page and reachability', () => {
  let h: Harness;
  let out: string[];
  let aliceToken = '';
  beforeEach(async () => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    h = await Harness.start(sqliteKind, { orgYaml: YAML, listen: true });
    aliceToken = (await createToken(h.app.ctx, systemTestActor, { name: 'alice laptop', role: 'responder', user: 'alice' })).token;
  });
  afterEach(async () => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
    await h?.stop();
  });

  const as = (token: string) => (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', token]);

  it('adds, verifies and lists a method, sets and shows rules, and sends a test page', async () => {
    const cli = as(aliceToken);
    await cli('contact-method', 'add', 'home', '--type', 'email', '--address', 'alice.home@example.com');
    expect(out).toEqual(['added "home" (email: alice.home@example.com) for alice', 'a code was sent there; confirm it with: watchkeeper contact-method verify "home" CODE']);
    await h.tick();
    const code = /verification code is (\d{6})/.exec(h.smtp.to('alice.home@example.com')[0]?.text ?? '')?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    await expect(cli('contact-method', 'verify', 'home', code === '000000' ? '000001' : '000000')).rejects.toThrow(/400: code: wrong code; 4 tries left/);
    out.length = 0;
    await cli('contact-method', 'verify', 'home', code);
    expect(out).toEqual(['"home" is verified: it can be paged now']);

    out.length = 0;
    await cli('contact-method', 'list');
    expect(out).toEqual([
      'NAME        TYPE   ADDRESS                 STATE     FROM',
      'work-email  email  alice@example.com       verified  organisation file',
      'home        email  alice.home@example.com  verified  profile',
    ]);

    out.length = 0;
    await cli('rules', 'set', '--high', 'home,work-email:5', '--low', 'home');
    expect(out).toEqual(['High urgency:', '  at once: home (email)', '  after 5 min: work-email (email)', 'Low urgency:', '  at once: home (email)']);
    out.length = 0;
    await cli('rules', 'set', '--low', 'none');
    expect(out).toEqual(['High urgency:', '  at once: home (email)', '  after 5 min: work-email (email)', 'Low urgency:', '  (none)']);
    await expect(cli('rules', 'set', '--high', 'pager')).rejects.toThrow(/high\[0\]\.contact_method: you have no contact method named "pager"/);

    out.length = 0;
    await cli('test-page', '--method', 'home');
    expect(out[1]).toMatch(/^\d+\s+home\s+alice\.home@example\.com\s+pending$/);
    expect(out.at(-1)).toBe('see what arrived with: watchkeeper notices --kind test');
    await h.tick();
    out.length = 0;
    await cli('notices', '--kind', 'test');
    expect(out[1]).toMatch(/^\d+\s+home\s+alice\.home@example\.com\s+sent$/);

    out.length = 0;
    await cli('contact-method', 'set', 'home', '--name', 'personal', '--address', 'alice.personal@example.com');
    expect(out).toEqual(['"personal" (email: alice.personal@example.com) saved', 'a code was sent to the new address; confirm it with: watchkeeper contact-method verify "personal" CODE']);
    await h.tick();
    expect(h.smtp.to('alice.personal@example.com')).toHaveLength(1);

    out.length = 0;
    await cli('contact-method', 'pause', 'personal');
    await cli('contact-method', 'rm', 'personal');
    expect(out).toEqual(['"personal" is paused: nothing is sent there until you resume it', '"personal" removed']);
  });

  it('reachability exits 1 naming who cannot be paged and the fix, and 0 when everyone can', async () => {
    const admin = as(h.adminToken);
    await admin('reachability');
    expect(out).toEqual([
      'alice cannot be paged (on call: schedule primary)',
      "  no high-urgency notification rule: add a step under Notification rules → High urgency on alice's profile (or notification_rules in the organisation file)",
      'bob cannot be paged (on call: escalation policy default level 2)',
      "  no high-urgency notification rule: add a step under Notification rules → High urgency on bob's profile (or notification_rules in the organisation file)",
    ]);
    expect(process.exitCode).toBe(1);

    // Give both a rule (the admin acts for them with --user) and the report is clean.
    await admin('contact-method', 'add', 'hook', '--type', 'webhook', '--address', 'https://hooks.example.com/bob', '--user', 'bob');
    await admin('rules', 'set', '--high', 'hook', '--user', 'bob');
    await admin('rules', 'set', '--high', 'work-email', '--user', 'alice');
    process.exitCode = undefined;
    out.length = 0;
    await admin('reachability');
    expect(out).toEqual(['everyone on call now can be paged (2 checked)']);
    expect(process.exitCode).toBeUndefined();
    await expect(admin('rules', 'show')).rejects.toThrow(/the token "test admin" does not belong to a person; add --user NAME/);
  });
});
