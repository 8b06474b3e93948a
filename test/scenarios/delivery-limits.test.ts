import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_LIMITS } from '../../src/notify/throttle.js';
import { claimDuePages } from '../../src/store/page.repo.js';
import { Harness } from '../helpers/harness.js';
import type { CapturedMail } from '../helpers/smtp.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Noise limits with the default values (src/notify/throttle.ts): a storm for one person becomes
 * the first page at once and then a few bundled messages within the caps, nothing lost; and
 * critical pages are claimed before a backlog of low-urgency ones.
 */

interface Payload {
  page_id: number;
  alert: { id: number };
  bundle: { count: number; alerts: { id: number }[] } | null;
}

class Receiver {
  readonly payloads: Payload[] = [];
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.payloads.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Payload);
      res.writeHead(204).end();
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const STORM_KEY = 'limits0storm0events0v20000000000';
const DEV_KEY = 'limits0dev0events0v2000000000000';

const orgYaml = (hook: string) => `
users:
  - name: ops
    email: ops@example.com
    contact_methods:
      - { name: mail, type: email, address: ops@example.com }
      - { name: hook, type: webhook, address: "${hook}" }
    notification_rules:
      - { contact_method: mail, delay_minutes: 0 }
      - { contact_method: hook, delay_minutes: 0 }
  - name: dev
    email: dev@example.com
    contact_methods:
      - { name: mail, type: email, address: dev@example.com }
    notification_rules:
      - { contact_method: mail, delay_minutes: 0 }
escalation_policies:
  - name: ops
    levels:
      - targets: [{ user: ops }]
        delay_minutes: 60
  - name: dev
    levels:
      - targets: [{ user: dev }]
        delay_minutes: 60
services:
  - name: Clipper Critical
    escalation_policy: ops
    integrations:
      - { name: pd, type: events_v2, key: ${STORM_KEY} }
  - name: Dev Box
    escalation_policy: dev
    integrations:
      - { name: pd, type: events_v2, key: ${DEV_KEY} }
`;

const bundleCount = (m: CapturedMail) => Number(/^X-Watchkeeper-Bundle: (\d+)/m.exec(m.raw)?.[1] ?? 1);

describe.each(storeKinds)('noise limits and bundles on $name', (kind) => {
  let h: Harness;
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  afterEach(async () => {
    await h?.stop();
    receiver.payloads.length = 0;
  });

  const alertIds = async (service: string) => {
    const res = await h.api('GET', `/api/v1/alerts?service=${encodeURIComponent(service)}&limit=1000`);
    return (res.body.alerts as { id: number }[]).map((a) => a.id);
  };

  it('turns 500 alerts in one minute into the first page at once and a few bundles within the caps, every alert in some message', async () => {
    h = await Harness.start(kind, { orgYaml: orgYaml(receiver.url), deliveryLimits: DEFAULT_DELIVERY_LIMITS });
    const fire = (i: number) => h.enqueue({ routing_key: STORM_KEY, event_action: 'trigger', dedup_key: `storm-${i}`, payload: { summary: `Disk full on node ${i}`, source: 'test', severity: 'critical' } });
    expect((await fire(0)).status).toBe(202);
    await h.tick();
    // The first page goes at once, on its own, with its one-click links.
    expect(h.smtp.messages).toHaveLength(1);
    expect(h.smtp.messages[0]?.text).toContain('To acknowledge');
    expect(receiver.payloads).toHaveLength(1);
    expect(receiver.payloads[0]?.bundle).toBeNull();

    // 499 more within the minute, 10 every 1.1 s.
    for (let i = 1; i < 500; i += 10) {
      h.clock.advance(1_100);
      for (let j = i; j < Math.min(i + 10, 500); j++) expect((await fire(j)).status).toBe(202);
      await h.tick();
    }
    // Email allows 2 a minute: only one more went in the minute; webhooks allow 10.
    expect(h.smtp.messages.length).toBe(2);
    expect(receiver.payloads.length).toBeLessThanOrEqual(10);
    for (let m = 0; m < 3; m++) await h.advanceMinutes(1);
    await h.tick();

    const ids = await alertIds('Clipper Critical');
    expect(ids).toHaveLength(500);
    // Email: a small bounded number of messages, and their bundle counts add up to every alert.
    expect(h.smtp.messages.length).toBeLessThanOrEqual(5);
    expect(h.smtp.messages.map(bundleCount).reduce((a, b) => a + b, 0)).toBe(500);
    const bundled = h.smtp.messages.find((m) => bundleCount(m) > 1) as CapturedMail;
    expect(bundled.text).toMatch(/new alerts on Clipper Critical:/);
    expect(bundled.text).toContain('Open alerts: http://watchkeeper.test/alerts');
    // Webhook: each alert in exactly one request.
    const carried = receiver.payloads.flatMap((p) => (p.bundle ? p.bundle.alerts.map((a) => a.id) : [p.alert.id]));
    expect(receiver.payloads.length).toBeLessThanOrEqual(14);
    expect(carried.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    for (const p of receiver.payloads) if (p.bundle) expect(p.bundle.count).toBe(p.bundle.alerts.length);

    // The outbox agrees: every page sent, none waiting.
    const statuses = await h.store.db.selectFrom('pages').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([['sent', 1000]]);
    // An alert that went in a bundle says so, once, on its timeline and in its deliveries.
    const late = (await h.api('GET', `/api/v1/alerts/${Math.max(...ids)}`)).body as { timeline: { kind: string; message: string }[]; pages: { channel: string; status: string; bundled_with: number | null }[] };
    expect(late.timeline.filter((e) => e.kind === 'page_held')).toHaveLength(2);
    expect(late.timeline.find((e) => e.kind === 'page_held')?.message).toMatch(/held: the (email|webhook) limit is/);
    expect(late.timeline.filter((e) => e.kind === 'page_sent').map((e) => e.message).join('\n')).toMatch(/in one message for \d+ alerts/);
    expect(late.pages.every((p) => p.status === 'sent' && p.bundled_with !== null)).toBe(true);
  });

  it('leaves alerts acknowledged while they wait out of the bundle that goes out later', async () => {
    h = await Harness.start(kind, { orgYaml: orgYaml(receiver.url), deliveryLimits: DEFAULT_DELIVERY_LIMITS });
    const fire = async (i: number) => {
      expect((await h.enqueue({ routing_key: DEV_KEY, event_action: 'trigger', dedup_key: `dev-${i}`, payload: { summary: `Build ${i} broke`, source: 'ci', severity: 'critical' } })).status).toBe(202);
      await h.tick();
    };
    await fire(0);
    await fire(1);
    // The email limit (2 a minute) is used up: these three wait.
    await fire(2);
    await fire(3);
    await fire(4);
    expect(h.smtp.to('dev@example.com')).toHaveLength(2);
    const ids = (await alertIds('Dev Box')).sort((a, b) => a - b);
    const [, , a2, a3, a4] = ids as [number, number, number, number, number];
    expect((await h.api('POST', `/api/v1/alerts/${a3}/acknowledge`, {})).status).toBe(200);

    await h.advanceMinutes(1);
    const mails = h.smtp.to('dev@example.com');
    expect(mails).toHaveLength(3);
    const bundle = mails[2] as CapturedMail;
    expect(bundleCount(bundle)).toBe(2);
    expect(bundle.text).toContain(`#${a2} [critical] Dev Box: Build 2 broke`);
    expect(bundle.text).toContain(`#${a4} [critical] Dev Box: Build 4 broke`);
    expect(bundle.text).not.toContain(`#${a3} `);
    const acked = (await h.api('GET', `/api/v1/alerts/${a3}`)).body as { pages: { status: string }[] };
    expect(acked.pages.map((p) => p.status)).toEqual(['cancelled']);
  });

  it('claims a critical page before a backlog of low-urgency pages', async () => {
    h = await Harness.start(kind, { orgYaml: orgYaml(receiver.url) });
    for (let i = 0; i < 120; i++) {
      expect((await h.enqueue({ routing_key: STORM_KEY, event_action: 'trigger', dedup_key: `noise-${i}`, payload: { summary: `noise ${i}`, source: 'test', severity: 'info' } })).status).toBe(202);
    }
    h.clock.advance(1_000);
    expect((await h.enqueue({ routing_key: STORM_KEY, event_action: 'trigger', dedup_key: 'fire', payload: { summary: 'Checkout down', source: 'test', severity: 'critical' } })).status).toBe(202);
    const critical = (await h.store.db.selectFrom('alerts').select('id').where('dedup_key', '=', 'fire').executeTakeFirstOrThrow()).id;
    const claimed = await h.store.tx((trx) => claimDuePages(trx, h.store.dialect, 'test-claim', h.clock.now(), 60_000, 10));
    // Both of the critical alert's pages (email and webhook) come first, then the oldest noise.
    expect(claimed.slice(0, 2).map((p) => [p.alert_id, p.priority])).toEqual([
      [critical, 0],
      [critical, 0],
    ]);
    expect(claimed.slice(2).every((p) => p.priority === 1 && p.alert_id !== critical)).toBe(true);
  });
});
