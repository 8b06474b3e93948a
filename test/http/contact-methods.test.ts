import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { applyOrg } from '../../src/commands/apply-org.js';
import { createToken } from '../../src/commands/tokens.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import { alertDetail, allAlerts, type ApiError } from './support.js';

/**
 * Self-service contact methods and notification rules through the API, on a whole Watchkeeper
 * (real store, fake clock, real SMTP on loopback, a real webhook receiver): codes arrive by
 * email, only verified methods are paged, rules run per urgency and stop at an acknowledgement,
 * test pages show what arrived, and the organisation file never removes what a person added.
 */
const KEY = 'selfservice0events0v200000000000';

const ORG_YAML = `
users:
  - name: alice
    email: alice@example.com
    role: responder
    contact_methods:
      - { name: work-email, type: email, address: alice@example.com }
    notification_rules: []
  - name: bob
    email: bob@example.com
    role: responder
    contact_methods:
      - { name: work-email, type: email, address: bob@example.com }
escalation_policies:
  - name: alice-first
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 30
services:
  - name: Checkout API
    escalation_policy: alice-first
    integrations:
      - { name: events, type: events_v2, key: ${KEY} }
`;

interface Method {
  id: string;
  name: string;
  type: string;
  address: string;
  managed_by: string;
  verified: boolean;
  paused: boolean;
  verification: { expires_at: string; attempts_left: number; resend_at: string } | null;
}
interface Notice {
  id: number;
  kind: string;
  contact_method: string | null;
  status: string;
  error: string | null;
}

interface Hook {
  url: string;
  posts: unknown[];
  close: () => Promise<void>;
}

/** A webhook receiver; paths under /gone answer 410 (a receiver that no longer exists). */
async function hookServer(): Promise<Hook> {
  const posts: unknown[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.url?.startsWith('/gone')) {
        res.writeHead(410).end('gone');
        return;
      }
      posts.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, posts, close: () => new Promise((r) => server.close(() => r())) };
}

describe.each(storeKinds)('contact methods and notification rules on $name', (kind) => {
  let h: Harness;
  let hook: Hook | null = null;
  let alice = '';
  let bob = '';

  afterEach(async () => {
    await h?.stop();
    await hook?.close();
    hook = null;
  });

  async function start(yaml = ORG_YAML): Promise<void> {
    h = await Harness.start(kind, { orgYaml: yaml });
    alice = (await createToken(h.app.ctx, systemTestActor, { name: 'alice cli', role: 'responder', user: 'alice' })).token;
    bob = (await createToken(h.app.ctx, systemTestActor, { name: 'bob cli', role: 'responder', user: 'bob' })).token;
  }

  const methods = async (user = 'alice', token = alice): Promise<Method[]> => {
    const r = await h.api('GET', `/api/v1/users/${user}/contact-methods`, undefined, token);
    expect(r.status).toBe(200);
    return r.body.contact_methods as Method[];
  };

  /** The 6-digit code in the newest verification email to `address`. */
  const codeSentTo = (address: string): string => {
    const mails = h.smtp.to(address).filter((m) => /Your Watchkeeper verification code is/.test(m.text));
    const m = /verification code is (\d{6})/.exec(mails.at(-1)?.text ?? '');
    if (!m) throw new Error(`no verification code was mailed to ${address}`);
    return m[1] as string;
  };

  const otherThan = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  async function addVerifiedEmail(name: string, address: string): Promise<string> {
    const add = await h.api('POST', '/api/v1/users/alice/contact-methods', { name, type: 'email', address }, alice);
    expect(add.status).toBe(201);
    await h.tick();
    const id = (add.body.contact_method as Method).id;
    const v = await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/verify`, { code: codeSentTo(address) }, alice);
    expect(v.status).toBe(200);
    return id;
  }

  async function trigger(dedup: string, severity = 'critical'): Promise<number> {
    const r = await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: dedup, payload: { summary: `Checkout ${dedup}`, source: 'web-1', severity } });
    expect(r.status).toBe(202);
    await h.tick();
    const a = (await allAlerts(h)).find((x) => x.dedup_key === dedup);
    if (!a) throw new Error(`alert ${dedup} not found`);
    return a.id;
  }

  it('adds an email method: its code arrives by SMTP at once, a wrong code is refused, the right one verifies it', async () => {
    await start();
    const add = await h.api('POST', '/api/v1/users/alice/contact-methods', { name: 'home', type: 'email', address: ' alice.home@example.com ' }, alice);
    expect(add.status).toBe(201);
    expect(add.body.code_sent).toBe(true);
    const m = add.body.contact_method as Method;
    expect(m).toMatchObject({ name: 'home', type: 'email', address: 'alice.home@example.com', managed_by: 'user', verified: false, paused: false, verification: { attempts_left: 5, expires_at: '2026-03-08T08:15:00.000Z' } });

    await h.tick();
    const mail = h.smtp.to('alice.home@example.com');
    expect(mail).toHaveLength(1);
    const code = codeSentTo('alice.home@example.com');
    expect(mail[0]!.text).toContain('Enter it on your Watchkeeper profile to confirm the contact method "home"');
    // Only a hash of the code is stored.
    const stored = await h.app.ctx.store.db.selectFrom('contact_method_verifications').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(code);

    const wrong = await h.api('POST', `/api/v1/users/alice/contact-methods/${m.id}/verify`, { code: otherThan(code) }, alice);
    expect(wrong.status).toBe(400);
    expect((wrong.body as unknown as ApiError).error).toMatchObject({ field: 'code', message: 'code: wrong code; 4 tries left' });
    expect((await methods()).find((x) => x.name === 'home')).toMatchObject({ verified: false, verification: { attempts_left: 4 } });

    const right = await h.api('POST', `/api/v1/users/alice/contact-methods/home/verify`, { code }, alice);
    expect(right.status).toBe(200);
    expect(right.body.contact_method).toMatchObject({ name: 'home', verified: true, verification: null });
    expect((await methods()).map((x) => [x.name, x.managed_by, x.verified])).toEqual([
      ['work-email', 'org', true],
      ['home', 'user', true],
    ]);
    const audit = await h.api('GET', '/api/v1/audit?limit=20');
    expect((audit.body.entries as { action: string }[] | undefined) ?? (audit.body.audit as { action: string }[] | undefined) ?? []).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'contact_method.create' }), expect.objectContaining({ action: 'contact_method.verify' })]),
    );
  });

  it('codes expire after 15 minutes, allow 5 wrong tries, and a new one can be asked for once a minute', async () => {
    await start();
    const add = await h.api('POST', '/api/v1/users/alice/contact-methods', { name: 'home', type: 'email', address: 'alice.home@example.com' }, alice);
    const id = (add.body.contact_method as Method).id;
    await h.tick();
    const first = codeSentTo('alice.home@example.com');

    const soon = await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/resend`, undefined, alice);
    expect(soon.status).toBe(429);
    expect((soon.body as unknown as ApiError).error.message).toMatch(/^a code was sent less than a minute ago; wait 60 seconds/);

    await h.advanceMinutes(15);
    const late = await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/verify`, { code: first }, alice);
    expect(late.status).toBe(400);
    expect((late.body as unknown as ApiError).error.message).toBe('code: the code for contact method "home" has expired (codes last 15 minutes); send a new code');

    expect((await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/resend`, undefined, alice)).status).toBe(200);
    await h.tick();
    const second = codeSentTo('alice.home@example.com');
    expect(h.smtp.to('alice.home@example.com')).toHaveLength(2);
    if (second !== first) {
      // The first code stopped working when the second was sent.
      expect((await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/verify`, { code: first }, alice)).status).toBe(400);
    } else {
      expect((await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/verify`, { code: otherThan(second) }, alice)).status).toBe(400);
    }
    for (let i = 0; i < 3; i++) expect((await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/verify`, { code: otherThan(second) }, alice)).status).toBe(400);
    const last = await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/verify`, { code: otherThan(second) }, alice);
    expect(last.status).toBe(429);
    expect((last.body as unknown as ApiError).error.message).toBe('wrong code, and that was the last try; send a new code');
    // Even the right code is refused now: a new one is needed.
    const spent = await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/verify`, { code: second }, alice);
    expect(spent.status).toBe(429);
    expect((spent.body as unknown as ApiError).error.message).toBe('5 wrong codes were entered for contact method "home"; send a new code');

    await h.advanceMinutes(1);
    expect((await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/resend`, undefined, alice)).status).toBe(200);
    await h.tick();
    const third = codeSentTo('alice.home@example.com');
    expect((await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/verify`, { code: third }, alice)).status).toBe(200);
    expect((await methods()).find((x) => x.id === id)?.verified).toBe(true);
  });

  it('never pages an unverified method; the same method is paged once verified', async () => {
    await start();
    const add = await h.api('POST', '/api/v1/users/alice/contact-methods', { name: 'home', type: 'email', address: 'alice.home@example.com' }, alice);
    const id = (add.body.contact_method as Method).id;
    const rules = await h.api('PUT', '/api/v1/users/alice/notification-rules', { high: [{ contact_method: 'home', delay_minutes: 0 }], low: [] }, alice);
    expect(rules.status).toBe(200);
    expect(rules.body.warnings).toEqual(['"home" is not verified yet: its steps are skipped until you enter its code', 'nothing pages you for high-urgency alerts: add a step with a verified method']);
    await h.tick();
    const code = codeSentTo('alice.home@example.com');
    h.smtp.clear();

    const first = await trigger('unverified');
    expect(h.smtp.to('alice.home@example.com')).toHaveLength(0);
    const timeline = (await alertDetail(h, first)).timeline.map((e) => e.message);
    expect(timeline).toContain('no notification rule for high urgency: alice not paged; add a rule to their profile');

    expect((await h.api('POST', `/api/v1/users/alice/contact-methods/${id}/verify`, { code }, alice)).status).toBe(200);
    await trigger('verified');
    const mails = h.smtp.to('alice.home@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('Checkout verified');
  });

  it('names the field in every error and changes nothing', async () => {
    await start();
    const bad = async (body: Record<string, unknown>) => {
      const r = await h.api('POST', '/api/v1/users/alice/contact-methods', body, alice);
      expect(r.status).toBe(400);
      return (r.body as unknown as ApiError).error;
    };
    expect(await bad({ name: 'fax', type: 'fax', address: '123' })).toMatchObject({ field: 'type' });
    expect(await bad({ name: 'home', type: 'email', address: 'not-an-email' })).toMatchObject({ field: 'address', message: 'address: not a valid email address' });
    expect(await bad({ name: 'phone', type: 'sms', address: '12' })).toMatchObject({ field: 'address', message: expect.stringContaining('international format') });
    expect(await bad({ name: 'work-email', type: 'email', address: 'a@example.com' })).toMatchObject({ field: 'name', message: 'name: you already have a contact method named "work-email"; pick another name' });
    expect(await bad({ name: '  ', type: 'email', address: 'a@example.com' })).toMatchObject({ field: 'name' });
    // SMS needs a code, and this server has no SMS provider to send it.
    expect(await bad({ name: 'mobile', type: 'sms', address: '+44 20 7946 0958' })).toMatchObject({ field: 'type', message: expect.stringContaining('SMS is not set up on this server') });
    expect((await bad({ type: 'email', address: 'a@example.com', colour: 'red' })).problems?.map((p) => p.field).sort()).toEqual(['colour', 'name']);
    expect((await methods()).map((m) => m.name)).toEqual(['work-email']);

    await h.api('PUT', '/api/v1/users/alice/notification-rules', { high: [{ contact_method: 'work-email', delay_minutes: 0 }], low: [] }, alice);
    const r = await h.api(
      'PUT',
      '/api/v1/users/alice/notification-rules',
      {
        high: [
          { contact_method: 'pager', delay_minutes: 0 },
          { contact_method: 'work-email', delay_minutes: 5 },
          { contact_method: 'work-email', delay_minutes: 5 },
        ],
        low: [{ contact_method: 'work-email', delay_minutes: 2000 }],
      },
      alice,
    );
    expect(r.status).toBe(400);
    expect((r.body as unknown as ApiError).error.problems).toEqual([{ field: 'low[0].delay_minutes', message: 'must be from 0 to 1440 minutes (24 hours)' }]);
    const r2 = await h.api(
      'PUT',
      '/api/v1/users/alice/notification-rules',
      {
        high: [
          { contact_method: 'pager', delay_minutes: 0 },
          { contact_method: 'work-email', delay_minutes: 5 },
          { contact_method: 'work-email', delay_minutes: 5 },
        ],
        low: [],
      },
      alice,
    );
    expect(r2.status).toBe(400);
    expect((r2.body as unknown as ApiError).error.problems).toEqual([
      { field: 'high[0].contact_method', message: 'you have no contact method named "pager"; yours are "work-email"' },
      { field: 'high[2]', message: '"work-email" after 5 minutes is already a step of the high-urgency list; remove one' },
    ]);
    const now = await h.api('GET', '/api/v1/users/alice/notification-rules', undefined, alice);
    expect((now.body.high as { contact_method: string; delay_minutes: number }[]).map((s) => [s.contact_method, s.delay_minutes])).toEqual([['work-email', 0]]);
  });

  it('lets a person change only their own methods and rules; an admin may change anyone’s; file methods are changed in the file', async () => {
    await start();
    const post = await h.api('POST', '/api/v1/users/alice/contact-methods', { name: 'sneaky', type: 'email', address: 'bob.evil@example.com' }, bob);
    expect(post.status).toBe(403);
    expect((post.body as unknown as ApiError).error.message).toBe("only alice or an admin can change alice's contact methods and rules; you can change your own on your profile");
    expect((await h.api('PUT', '/api/v1/users/alice/notification-rules', { high: [], low: [] }, bob)).status).toBe(403);
    expect((await h.api('GET', '/api/v1/users/alice/contact-methods', undefined, bob)).status).toBe(403);
    expect((await h.api('POST', '/api/v1/users/alice/test-page', {}, bob)).status).toBe(403);
    expect((await h.api('DELETE', '/api/v1/users/alice/contact-methods/work-email', undefined, bob)).status).toBe(403);

    const admin = await h.api('POST', '/api/v1/users/alice/contact-methods', { name: 'ops-hook', type: 'webhook', address: 'https://hooks.example.com/alice' });
    expect(admin.status).toBe(201);
    // Webhooks cannot read a code back: verified on creation, no code sent.
    expect(admin.body).toMatchObject({ code_sent: false, contact_method: { verified: true, managed_by: 'user' } });

    const rm = await h.api('DELETE', '/api/v1/users/alice/contact-methods/work-email', undefined, alice);
    expect(rm.status).toBe(409);
    expect((rm.body as unknown as ApiError).error.message).toBe('contact method "work-email" comes from the organisation file, so remove it there (ask an admin); you can pause it here');
    const readdress = await h.api('PUT', '/api/v1/users/alice/contact-methods/work-email', { address: 'alice@elsewhere.example.com' }, alice);
    expect(readdress.status).toBe(409);
    const pause = await h.api('PUT', '/api/v1/users/alice/contact-methods/work-email', { paused: true }, alice);
    expect(pause.status).toBe(200);
    expect(pause.body.contact_method).toMatchObject({ paused: true, managed_by: 'org' });
    expect((await h.api('DELETE', '/api/v1/users/alice/contact-methods/ops-hook', undefined, alice)).status).toBe(204);
    expect((await methods()).map((m) => m.name)).toEqual(['work-email']);
  });

  it('applying the organisation file again keeps the methods and rules a person added, and exports only the file’s', async () => {
    await start();
    const homeId = await addVerifiedEmail('home', 'alice.home@example.com');
    expect((await h.api('PUT', '/api/v1/users/alice/notification-rules', { high: [{ contact_method: 'home', delay_minutes: 0 }, { contact_method: 'work-email', delay_minutes: 5 }], low: [{ contact_method: 'home', delay_minutes: 0 }] }, alice)).status).toBe(200);

    // The admin edits the file: a new address for the work email, a rule of the file's own.
    const edited = ORG_YAML.replace('{ name: work-email, type: email, address: alice@example.com }\n    notification_rules: []', '{ name: work-email, type: email, address: alice@corp.example.com }\n    notification_rules:\n      - { contact_method: work-email, delay_minutes: 15, urgency: high }');
    expect(edited).not.toBe(ORG_YAML);
    await applyOrg(h.app.ctx, parseOrgYaml(edited), systemTestActor);
    // …and an edit through the users API, which applies the whole file too.
    const bobEdit = await h.api('PUT', '/api/v1/users/bob', { name: 'bob', email: 'bob@example.com', role: 'responder', time_zone: 'Europe/Paris', contact_methods: [{ name: 'work-email', type: 'email', address: 'bob@example.com' }] });
    expect(bobEdit.status).toBe(200);

    expect((await methods()).map((m) => [m.name, m.address, m.managed_by, m.verified])).toEqual([
      ['work-email', 'alice@corp.example.com', 'org', true],
      ['home', 'alice.home@example.com', 'user', true],
    ]);
    const rules = await h.api('GET', '/api/v1/users/alice/notification-rules', undefined, alice);
    expect((rules.body.high as { contact_method: string; delay_minutes: number; managed_by: string }[]).map((s) => [s.contact_method, s.delay_minutes, s.managed_by])).toEqual([
      ['home', 0, 'user'],
      ['work-email', 5, 'user'],
      ['work-email', 15, 'org'],
    ]);
    expect((rules.body.low as { contact_method: string }[]).map((s) => s.contact_method)).toEqual(['home']);

    const exported = await h.api('GET', '/api/v1/config');
    const aliceFile = (exported.body.users as { name: string; contact_methods: { name: string }[]; notification_rules: unknown[] }[]).find((u) => u.name === 'alice')!;
    expect(aliceFile.contact_methods.map((c) => c.name)).toEqual(['work-email']);
    expect(aliceFile.notification_rules).toEqual([{ contact_method: 'work-email', delay_minutes: 15, urgency: 'high' }]);

    // A method the file names like one the person added takes it over, keeping its id and rules.
    await applyOrg(h.app.ctx, parseOrgYaml(edited.replace('address: alice@corp.example.com }', 'address: alice@corp.example.com }\n      - { name: home, type: email, address: alice.home@example.com }')), systemTestActor);
    const after = await methods();
    expect(after.find((m) => m.name === 'home')).toMatchObject({ id: homeId, managed_by: 'org', verified: true });
    const rulesAfter = await h.api('GET', '/api/v1/users/alice/notification-rules', undefined, alice);
    expect((rulesAfter.body.high as { contact_method: string; managed_by: string }[]).filter((s) => s.managed_by === 'user').map((s) => s.contact_method)).toEqual(['home', 'work-email']);
  });

  describe('rules per urgency', () => {
    async function setUp(): Promise<void> {
      hook = await hookServer();
      await start();
      await addVerifiedEmail('home', 'alice.home@example.com');
      const w = await h.api('POST', '/api/v1/users/alice/contact-methods', { name: 'hook', type: 'webhook', address: hook.url }, alice);
      expect(w.status).toBe(201);
      const r = await h.api(
        'PUT',
        '/api/v1/users/alice/notification-rules',
        { high: [{ contact_method: 'home', delay_minutes: 0 }, { contact_method: 'hook', delay_minutes: 5 }], low: [{ contact_method: 'home', delay_minutes: 0 }] },
        alice,
      );
      expect(r.status).toBe(200);
      expect(r.body.warnings).toEqual([]);
      h.smtp.clear();
    }

    const pagesOf = async (id: number) => (await alertDetail(h, id)).pages.map((p) => [p.destination, p.status]);

    it('a critical alert pages the email at once and the webhook 5 minutes later', async () => {
      await setUp();
      await trigger('cpu');
      expect(h.smtp.to('alice.home@example.com')).toHaveLength(1);
      expect(hook!.posts).toHaveLength(0);
      await h.advanceMinutes(4);
      expect(hook!.posts).toHaveLength(0);
      await h.advanceMinutes(1);
      expect(hook!.posts).toHaveLength(1);
      expect(hook!.posts[0]).toMatchObject({ event: 'alert.page', alert: { summary: 'Checkout cpu' } });
    });

    it('acknowledging at minute 3 cancels the webhook step', async () => {
      await setUp();
      const id = await trigger('disk');
      await h.advanceMinutes(3);
      const ack = await h.api('POST', `/api/v1/alerts/${id}/acknowledge`, {}, alice);
      expect(ack.status).toBe(200);
      await h.advanceMinutes(2);
      await h.advanceMinutes(10);
      expect(hook!.posts).toHaveLength(0);
      expect(await pagesOf(id)).toEqual(expect.arrayContaining([['alice.home@example.com', 'sent'], [hook!.url, 'cancelled']]));
    });

    it('a delayed step to a method paused after the page was queued is cancelled, not sent', async () => {
      await setUp();
      const id = await trigger('queue');
      await h.advanceMinutes(2);
      expect((await h.api('PUT', '/api/v1/users/alice/contact-methods/hook', { paused: true }, alice)).status).toBe(200);
      await h.advanceMinutes(10);
      expect(hook!.posts).toHaveLength(0);
      const pages = (await alertDetail(h, id)).pages as { destination: string; status: string; last_error?: string | null }[];
      expect(pages.find((p) => p.destination === hook!.url)).toMatchObject({ status: 'cancelled' });
    });

    it('a low-urgency alert follows the low list: email only', async () => {
      await setUp();
      const id = await trigger('slow', 'warning');
      expect(h.smtp.to('alice.home@example.com')).toHaveLength(1);
      await h.advanceMinutes(20);
      expect(hook!.posts).toHaveLength(0);
      expect((await pagesOf(id)).map((p) => p[0])).toEqual(['alice.home@example.com']);
    });
  });

  it('a paused method is not paged until it is resumed', async () => {
    await start();
    await h.api('PUT', '/api/v1/users/alice/notification-rules', { high: [{ contact_method: 'work-email', delay_minutes: 0 }], low: [] }, alice);
    expect((await h.api('PUT', '/api/v1/users/alice/contact-methods/work-email', { paused: true }, alice)).status).toBe(200);
    await trigger('paused');
    expect(h.smtp.to('alice@example.com')).toHaveLength(0);
    expect((await h.api('PUT', '/api/v1/users/alice/contact-methods/work-email', { paused: false }, alice)).status).toBe(200);
    await trigger('resumed');
    expect(h.smtp.to('alice@example.com')).toHaveLength(1);
  });

  it('sends a test page through each verified method and shows each one’s state as it arrives', async () => {
    hook = await hookServer();
    await start();
    await addVerifiedEmail('home', 'alice.home@example.com');
    await h.api('POST', '/api/v1/users/alice/contact-methods', { name: 'old-hook', type: 'webhook', address: hook.url.replace('/hook', '/gone') }, alice);
    await h.api('POST', '/api/v1/users/alice/contact-methods', { name: 'unconfirmed', type: 'email', address: 'alice.new@example.com' }, alice);
    await h.tick();
    h.smtp.clear();

    const sent = await h.api('POST', '/api/v1/users/alice/test-page', {}, alice);
    expect(sent.status).toBe(202);
    const queued = sent.body.notices as Notice[];
    expect(queued.map((n) => [n.contact_method, n.kind, n.status])).toEqual([
      ['work-email', 'test', 'pending'],
      ['home', 'test', 'pending'],
      ['old-hook', 'test', 'pending'],
    ]);

    await h.tick();
    const shown = (await h.api('GET', '/api/v1/users/alice/notices?kind=test', undefined, alice)).body.notices as Notice[];
    expect(shown.map((n) => [n.contact_method, n.status, n.error])).toEqual([
      ['old-hook', 'failed', 'HTTP 410: gone'],
      ['home', 'sent', null],
      ['work-email', 'sent', null],
    ]);
    expect(shown.map((n) => n.id).sort()).toEqual(queued.map((n) => n.id).sort());
    expect(h.smtp.to('alice.home@example.com')[0]!.text).toContain('It was sent to your contact method "home"');
    expect(h.smtp.to('alice.new@example.com')).toHaveLength(0);

    const again = await h.api('POST', '/api/v1/users/alice/test-page', { contact_method: 'home' }, alice);
    expect(again.status).toBe(429);
    await h.advanceMinutes(1);
    const one = await h.api('POST', '/api/v1/users/alice/test-page', { contact_method: 'home' }, alice);
    expect(one.status).toBe(202);
    expect((one.body.notices as Notice[]).map((n) => n.contact_method)).toEqual(['home']);
    const unverified = await h.api('POST', '/api/v1/users/alice/test-page', { contact_method: 'unconfirmed' }, alice);
    expect(unverified.status).toBe(400);
    expect((unverified.body as unknown as ApiError).error).toMatchObject({ field: 'contact_method', message: 'contact_method: "unconfirmed" is not verified yet; enter the code sent to alice.new@example.com first' });
  });
});
