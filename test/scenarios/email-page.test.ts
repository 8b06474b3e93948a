import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import type { CapturedMail } from '../helpers/smtp.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * A page from end to end: an alert arrives through the PagerDuty-compatible endpoint, the engine
 * writes the page, the notifier sends it through a real SMTP server on loopback, and the person
 * acts on it through the one-time links in the mail. Webhook pages go to a real HTTP server.
 */
const DEMO = 'examples/demo.yaml';
const CHECKOUT_KEY = 'demo0checkout0events0v2000000000';
const SUMMARY = 'Checkout error rate above 5%';

interface Timeline {
  kind: string;
  surface: string;
  actor: { kind: string; id: string | null; name: string };
  message: string;
}

interface AlertView {
  alert: { id: number; status: string; acknowledged_by: string | null; resolved_by: string | null; escalation: { level: number | null } };
  timeline: Timeline[];
  pages: { user: { name: string | null }; destination: string; status: string; level: number }[];
}

/** The one-time links of a page mail, read from its plain-text part. */
function actionLinks(mail: CapturedMail): { ack: string; resolve: string } {
  const ack = /To acknowledge[\s\S]*?(http:\/\/watchkeeper\.test\/a\/[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  const resolve = /To resolve[\s\S]*?(http:\/\/watchkeeper\.test\/a\/[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  if (!ack || !resolve) throw new Error(`no action links in mail:\n${mail.text}`);
  return { ack, resolve };
}

/** The path of a link as the HTTP server sees it. */
const pathOf = (link: string) => new URL(link).pathname;

describe.each(storeKinds)('email pages on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const trigger = async (dedupKey = 'checkout-error-rate', severity = 'critical') => {
    const res = await h.enqueue({
      routing_key: CHECKOUT_KEY,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary: SUMMARY, source: 'prometheus-eu-1', severity },
    });
    expect(res.status).toBe(202);
    const list = await h.api('GET', '/api/v1/alerts');
    const alert = (list.body.alerts as { id: number; dedup_key: string }[]).find((a) => a.dedup_key === dedupKey);
    if (!alert) throw new Error(`no alert with dedup key ${dedupKey}`);
    return alert.id;
  };

  const view = async (id: number): Promise<AlertView> => {
    const res = await h.api('GET', `/api/v1/alerts/${id}`);
    expect(res.status).toBe(200);
    return res.body as unknown as AlertView;
  };

  const only = (address: string): CapturedMail => {
    const mails = h.smtp.to(address);
    expect(mails).toHaveLength(1);
    return mails[0] as CapturedMail;
  };

  it('mails the first level a page naming the alert, its service and severity, with one-time acknowledge and resolve links', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const id = await trigger();
    await h.tick();

    expect(h.paged()).toEqual(['alice@example.com']);
    const mail = only('alice@example.com');
    expect(mail.text).toContain(SUMMARY);
    expect(mail.text).toContain('Checkout API');
    expect(mail.text).toContain('critical');
    expect(mail.text).toMatch(/^Subject: \[CRITICAL\] Checkout API: Checkout error rate above 5% \(#\d+\)/m);
    expect(mail.text).toMatch(new RegExp(`^X-Watchkeeper-Alert-Id: ${id}\\r?$`, 'im'));
    const links = actionLinks(mail);
    expect(links.ack).toMatch(/^http:\/\/watchkeeper\.test\/a\/[A-Za-z0-9_-]{20,}$/);
    expect(links.resolve).not.toBe(links.ack);
    // The HTML part carries the same links as buttons.
    expect(mail.text).toContain(`href="${links.ack}"`);
    expect(mail.text).toContain(`href="${links.resolve}"`);

    const v = await view(id);
    expect(v.pages.map((p) => [p.user.name, p.destination, p.status])).toEqual([['alice', 'alice@example.com', 'sent']]);
    expect(v.timeline.filter((e) => e.kind === 'page_sent').map((e) => e.message)).toEqual([expect.stringContaining('alice via email (alice@example.com)')]);
  });

  it('opening the acknowledge link only shows a confirmation page; the alert stays triggered', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const id = await trigger();
    await h.tick();
    const { ack } = actionLinks(only('alice@example.com'));

    // Mail scanners and link previews fetch GET links: that must never act.
    for (let i = 0; i < 3; i++) {
      const res = await h.app.http.inject({ method: 'GET', url: pathOf(ack) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toContain(`Acknowledge alert #${id}?`);
      expect(res.body).toContain(SUMMARY);
      expect(res.body).toContain('You act as alice');
      expect(res.body).toMatch(/<form method="post">/);
    }
    const v = await view(id);
    expect(v.alert.status).toBe('triggered');
    expect(v.timeline.some((e) => e.kind === 'acknowledged')).toBe(false);
  });

  it('posting the acknowledge link acknowledges as the paged user via email, once; a second post answers 410 and changes nothing', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const id = await trigger();
    await h.tick();
    const { ack } = actionLinks(only('alice@example.com'));

    h.clock.advanceMinutes(1);
    const res = await h.app.http.inject({ method: 'POST', url: pathOf(ack) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain(`Alert #${id} acknowledged`);

    const v = await view(id);
    expect(v.alert.status).toBe('acknowledged');
    expect(v.alert.acknowledged_by).toBe('alice');
    const acked = v.timeline.filter((e) => e.kind === 'acknowledged');
    expect(acked).toHaveLength(1);
    expect(acked[0]).toMatchObject({ surface: 'email', actor: { kind: 'user', name: 'alice' } });
    expect(acked[0]?.actor.id).toEqual(expect.any(String));
    expect(acked[0]?.message).toBe('acknowledged by alice via email');

    h.clock.advanceMinutes(1);
    const again = await h.app.http.inject({ method: 'POST', url: pathOf(ack) });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('already used');
    const after = await view(id);
    expect(after.alert).toEqual(v.alert);
    expect(after.timeline).toEqual(v.timeline);

    // The used link now says so on GET as well, and acknowledging stopped the escalation to bob.
    const shown = await h.app.http.inject({ method: 'GET', url: pathOf(ack) });
    expect(shown.statusCode).toBe(410);
    expect(shown.body).toContain('Link already used');
    await h.advanceMinutes(60);
    expect(h.paged()).toEqual(['alice@example.com']);
  });

  it('posting the resolve link resolves the alert as the paged user via email', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const id = await trigger();
    await h.tick();
    const links = actionLinks(only('alice@example.com'));

    expect((await h.app.http.inject({ method: 'POST', url: pathOf(links.ack) })).statusCode).toBe(200);
    h.clock.advanceMinutes(3);
    const res = await h.app.http.inject({ method: 'POST', url: pathOf(links.resolve) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`Alert #${id} resolved`);

    const v = await view(id);
    expect(v.alert.status).toBe('resolved');
    expect(v.alert.resolved_by).toBe('alice');
    expect(v.timeline.filter((e) => e.kind === 'resolved')).toEqual([expect.objectContaining({ surface: 'email', actor: expect.objectContaining({ kind: 'user', name: 'alice' }) })]);
    expect((await h.app.http.inject({ method: 'POST', url: pathOf(links.resolve) })).statusCode).toBe(410);
  });

  it('an unknown link answers 404 on GET and POST', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const get = await h.app.http.inject({ method: 'GET', url: '/a/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(get.statusCode).toBe(404);
    const post = await h.app.http.inject({ method: 'POST', url: '/a/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(post.statusCode).toBe(404);
  });

  it("bob's personal email follows his work email 2 minutes later while the alert is still unacknowledged", async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const id = await trigger();
    await h.tick();
    expect(h.paged()).toEqual(['alice@example.com']);
    await h.advanceMinutes(4);
    expect(h.paged()).toEqual(['alice@example.com']);
    await h.advanceMinutes(1); // 5: level 2 (bob), work email at once
    expect(h.paged()).toEqual(['alice@example.com', 'bob@example.com']);
    await h.advanceMinutes(1); // 6
    expect(h.paged()).toHaveLength(2);
    await h.advanceMinutes(1); // 7: his 2-minute rule
    expect(h.paged()).toEqual(['alice@example.com', 'bob@example.com', 'bob.personal@example.com']);
    const personal = only('bob.personal@example.com');
    expect(personal.text).toContain(SUMMARY);
    expect(personal.text).toContain('level 2');

    const v = await view(id);
    expect(v.pages.filter((p) => p.user.name === 'bob').map((p) => [p.destination, p.level, p.status])).toEqual([
      ['bob@example.com', 2, 'sent'],
      ['bob.personal@example.com', 2, 'sent'],
    ]);
  });

  it("bob's personal email is not sent when he acknowledges from his work email within the 2 minutes", async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const id = await trigger();
    await h.tick();
    await h.advanceMinutes(5);
    expect(h.paged()).toEqual(['alice@example.com', 'bob@example.com']);

    await h.advanceMinutes(1); // 6
    const { ack } = actionLinks(only('bob@example.com'));
    expect((await h.app.http.inject({ method: 'POST', url: pathOf(ack) })).statusCode).toBe(200);
    for (const minutes of [1, 1, 5, 30, 120]) await h.advanceMinutes(minutes);
    expect(h.paged()).toEqual(['alice@example.com', 'bob@example.com']);

    const v = await view(id);
    expect(v.alert.status).toBe('acknowledged');
    expect(v.alert.acknowledged_by).toBe('bob');
    const personal = v.pages.find((p) => p.destination === 'bob.personal@example.com');
    expect(personal?.status).toBe('cancelled');
  });

  it('a webhook contact method receives the page as a JSON POST signed with HMAC-SHA256 over timestamp and body', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const secretEnv = 'WK_TEST_EMAIL_PAGE_WEBHOOK_SECRET';
    const secret = 'correct horse battery staple';
    process.env[secretEnv] = secret;
    try {
      h = await Harness.start(kind, {
        orgYaml: `
users:
  - name: erin
    full_name: Erin Hook
    email: erin@example.com
    contact_methods:
      - name: pager-bridge
        type: webhook
        address: http://127.0.0.1:${port}/hooks/page
        secret_env: ${secretEnv}
    notification_rules:
      - contact_method: pager-bridge
escalation_policies:
  - name: erin-only
    levels:
      - targets:
          - user: erin
        delay_minutes: 10
services:
  - name: Checkout API
    escalation_policy: erin-only
    integrations:
      - name: events-v2
        type: events_v2
        key: ${CHECKOUT_KEY}
`,
      });
      const id = await trigger('hook-test');
      await h.tick();
      // The sender waits for the receiver's answer, so the request is there; poll briefly anyway.
      for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));

      expect(received).toHaveLength(1);
      const req = received[0] as (typeof received)[number];
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers['x-watchkeeper-event']).toBe('alert.page');
      const timestamp = String(req.headers['x-watchkeeper-timestamp']);
      const signature = String(req.headers['x-watchkeeper-signature']);
      expect(timestamp).toMatch(/^\d+$/);
      expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
      const expected = createHmac('sha256', secret).update(`${timestamp}.${req.body}`).digest('hex');
      expect(timingSafeEqual(Buffer.from(signature.slice(3), 'hex'), Buffer.from(expected, 'hex'))).toBe(true);
      // A receiver checks freshness against its own clock; the signed time is real time.
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
      // Signed with another secret, or over another body, it would not verify.
      expect(createHmac('sha256', 'wrong').update(`${timestamp}.${req.body}`).digest('hex')).not.toBe(expected);

      const payload = JSON.parse(req.body) as Record<string, unknown> & { alert: Record<string, unknown>; actions: Record<string, string> };
      expect(payload).toMatchObject({
        version: 'watchkeeper.page.v1',
        event: 'alert.page',
        test: false,
        alert: { id, summary: SUMMARY, severity: 'critical', status: 'triggered', service: { name: 'Checkout API' }, dedup_key: 'hook-test' },
        user: { name: 'erin', email: 'erin@example.com' },
        escalation: { level: 1, repeat: 0 },
      });
      expect(req.headers['x-watchkeeper-page-id']).toBe(String(payload.page_id));
      expect(payload.actions.acknowledge_url).toMatch(/^http:\/\/watchkeeper\.test\/a\/[A-Za-z0-9_-]+$/);
      expect(h.paged()).toEqual([]);

      // The webhook's acknowledge link works like the email's.
      const ackRes = await h.app.http.inject({ method: 'POST', url: pathOf(payload.actions.acknowledge_url as string) });
      expect(ackRes.statusCode).toBe(200);
      const v = await view(id);
      expect(v.alert.status).toBe('acknowledged');
      expect(v.pages.map((p) => p.status)).toEqual(['sent']);
    } finally {
      delete process.env[secretEnv];
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
