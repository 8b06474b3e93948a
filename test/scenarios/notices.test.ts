import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { queueNotice, type NoticeInput } from '../../src/notify/notices.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * The notice outbox: messages to a person that are not pages (verification codes, handoff notes,
 * shift reminders) go through the same senders, to the methods the person reads without being
 * woken, exactly once per key, with retries.
 */
const ORG = (hookUrl: string) => `
users:
  - name: alice
    email: alice@example.com
    contact_methods:
      - { name: work, type: email, address: alice.work@example.com }
      - { name: hook, type: webhook, address: "${hookUrl}", secret_env: WK_TEST_NOTICE_SECRET }
    notification_rules:
      - { contact_method: work, urgency: low }
      - { contact_method: hook, urgency: high }
  - name: bob
    email: bob@example.com
    contact_methods:
      - { name: hook, type: webhook, address: "${hookUrl}" }
    notification_rules:
      - { contact_method: hook, urgency: high, delay_minutes: 5 }
  - name: carol
    email: carol@example.com
`;

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function receiver(statuses: number[]): Promise<{ url: string; got: Received[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => new Promise((r) => server.close(() => r())) };
}

describe.each(storeKinds)('notices on $name', (kind) => {
  let h: Harness | null = null;
  let hook: Awaited<ReturnType<typeof receiver>> | null = null;
  afterEach(async () => {
    await h?.stop();
    await hook?.close();
    h = null;
    hook = null;
    delete process.env.WK_TEST_NOTICE_SECRET;
  });

  async function queue(input: NoticeInput): Promise<number> {
    const ctx = h!.app.ctx;
    const org = await ctx.org.get(ctx.store.db);
    return ctx.store.tx((trx) => queueNotice(trx, org, ctx.clock.now(), input));
  }

  async function notices(user: string) {
    const ctx = h!.app.ctx;
    return ctx.store.db
      .selectFrom('notices')
      .innerJoin('users', 'users.id', 'notices.user_id')
      .select(['notices.id', 'notices.channel', 'notices.destination', 'notices.status', 'notices.attempts', 'notices.last_error', 'notices.next_attempt_at'])
      .where('users.name', '=', user)
      .orderBy('notices.id')
      .execute();
  }

  it('goes to the methods of low-urgency rules that notify at once, once per key', async () => {
    process.env.WK_TEST_NOTICE_SECRET = 'notice-secret';
    hook = await receiver([]);
    h = await Harness.start(kind, { orgYaml: ORG(hook.url) });
    const input: NoticeInput = {
      userId: (await h.app.ctx.org.get(h.app.ctx.store.db)).usersByName.get('alice')!.id,
      kind: 'oncall_soon',
      key: 'oncall_soon:primary:alice:1',
      subject: 'You are on call for Payments primary in 24 hours',
      text: 'You are on call for Payments primary from Mon 16 Feb 00:00 UTC to Mon 23 Feb 00:00 UTC.',
      url: '/schedules/payments-primary',
      data: { schedule: 'payments-primary' },
    };
    expect(await queue(input)).toBe(1);
    expect(await queue(input)).toBe(0);
    await h.tick();
    await h.tick();

    const mails = h.smtp.to('alice.work@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('Subject: You are on call for Payments primary in 24 hours');
    expect(mails[0]!.text).toContain('from Mon 16 Feb 00:00 UTC to Mon 23 Feb 00:00 UTC.');
    expect(mails[0]!.text).toContain('http://watchkeeper.test/schedules/payments-primary');
    expect(mails[0]!.text).toContain('X-Watchkeeper-Notice: oncall_soon');
    // The high-urgency webhook is for pages; a notice does not go there when a low-urgency method exists.
    expect(hook.got).toHaveLength(0);
    expect((await notices('alice')).map((n) => n.status)).toEqual(['sent']);
  });

  it('falls back to high-urgency methods that notify at once, then to the account email', async () => {
    process.env.WK_TEST_NOTICE_SECRET = 'notice-secret';
    hook = await receiver([]);
    h = await Harness.start(kind, { orgYaml: ORG(hook.url) });
    const org = await h.app.ctx.org.get(h.app.ctx.store.db);
    const base = { kind: 'shift_started' as const, subject: 'Your shift has started', text: 'You are on call now.' };
    // bob's only rule waits 5 minutes: not a method for notices, so his account email gets it.
    await queue({ ...base, userId: org.usersByName.get('bob')!.id, key: 'k-bob' });
    // carol has no methods at all.
    await queue({ ...base, userId: org.usersByName.get('carol')!.id, key: 'k-carol' });
    await h.tick();
    expect(h.smtp.to('bob@example.com')).toHaveLength(1);
    expect(h.smtp.to('carol@example.com')).toHaveLength(1);
    expect(hook.got).toHaveLength(0);
  });

  it('a notice for one method goes there even when it is unverified, signed like a page', async () => {
    process.env.WK_TEST_NOTICE_SECRET = 'notice-secret';
    hook = await receiver([]);
    h = await Harness.start(kind, { orgYaml: ORG(hook.url) });
    const ctx = h.app.ctx;
    const org = await ctx.org.get(ctx.store.db);
    const alice = org.usersByName.get('alice')!;
    const method = [...org.contactMethods.values()].find((c) => c.user_id === alice.id && c.kind === 'webhook')!;
    await ctx.store.db.updateTable('contact_methods').set({ verified: 0 }).where('id', '=', method.id).execute();
    ctx.org.invalidate();
    await queue({ userId: alice.id, kind: 'verification', key: 'verify:1', subject: 'Watchkeeper code 123456', text: 'Your code is 123456.', contactMethodId: method.id, data: { code_hint: 'sent' } });
    await h.tick();
    expect(hook.got).toHaveLength(1);
    const { headers, body } = hook.got[0]!;
    const payload = JSON.parse(body) as Record<string, unknown>;
    expect(payload).toMatchObject({ version: 'watchkeeper.notice.v1', event: 'notice', kind: 'verification', subject: 'Watchkeeper code 123456', user: { name: 'alice' }, url: null });
    expect(headers['x-watchkeeper-event']).toBe('notice');
    const ts = String(headers['x-watchkeeper-timestamp']);
    const expected = `v1=${createHmac('sha256', 'notice-secret').update(`${ts}.${body}`).digest('hex')}`;
    expect(headers['x-watchkeeper-signature']).toBe(expected);
    expect(h.smtp.messages).toHaveLength(0);
  });

  it('retries a failed send with backoff and gives up after the attempt limit', async () => {
    hook = await receiver([500, 500, 500, 500, 500, 500]);
    h = await Harness.start(kind, { orgYaml: ORG(hook.url) });
    const ctx = h.app.ctx;
    const org = await ctx.org.get(ctx.store.db);
    const bob = org.usersByName.get('bob')!;
    const method = [...org.contactMethods.values()].find((c) => c.user_id === bob.id)!;
    await queue({ userId: bob.id, kind: 'test', key: 'test:1', subject: 'Test page', text: 'Nothing is wrong.', contactMethodId: method.id });
    await h.tick();
    let [n] = await notices('bob');
    expect(n).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500' });
    expect(n!.next_attempt_at - ctx.clock.now()).toBe(30_000);
    // Not due yet: nothing is sent again.
    await h.tick();
    expect(hook.got).toHaveLength(1);
    for (const minutes of [1, 2, 10, 30, 30]) await h.advanceMinutes(minutes);
    [n] = await notices('bob');
    expect(hook.got).toHaveLength(5);
    expect(n).toMatchObject({ status: 'failed', attempts: 5, last_error: 'HTTP 500' });
  });
});
