import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app.js';
import { applyOrg } from '../../src/commands/apply-org.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { emptyEvent } from '../../src/domain/alert/types.js';
import { FakeClock } from '../../src/domain/clock.js';
import type { Store } from '../../src/store/db.js';
import { EmailSender } from '../../src/notify/email/email.sender.js';
import { SenderRegistry, type PageMessage } from '../../src/notify/sender.js';
import { WebhookSender } from '../../src/notify/webhook/webhook.sender.js';
import { systemTestActor } from '../helpers/harness.js';
import { SmtpCapture } from '../helpers/smtp.js';
import { PG_URL, postgresKind, type TestStore } from '../helpers/stores.js';

/**
 * Three Watchkeeper processes on one PostgreSQL database, sharing one fake clock, ticking at the
 * same time: every (alert, level) is paged exactly once per contact method, whoever claims it, and
 * one process stopping half-way through a round loses nothing and doubles nothing.
 */
const ALERTS = 1_000;
const INSTANCES = 3;
/** Pages one notifier claims at a time (src/notify/outbox.ts). */
const DELIVERY_BATCH = 100;

/** The real senders, counting the webhook sends this instance started. */
function countingSenders(smtpUrl: string) {
  const webhook = new WebhookSender();
  const counter = { started: 0 };
  const senders = new SenderRegistry();
  senders.register(new EmailSender({ smtpUrl }));
  senders.register({
    channel: 'webhook',
    send: (msg: PageMessage) => {
      counter.started++;
      return webhook.send(msg);
    },
  });
  return { senders, counter };
}

interface Delivery {
  pageId: number;
  alertId: number;
  level: number;
  user: string;
}

/** A webhook receiver on loopback that keeps every page it is sent. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { page_id: number; alert: { id: number }; escalation: { level: number }; user: { name: string } };
      this.deliveries.push({ pageId: body.page_id, alertId: body.alert.id, level: body.escalation.level, user: body.user.name });
      res.writeHead(204).end();
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/page`;
  }

  count(level: number): number {
    return this.deliveries.filter((d) => d.level === level).length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** One person paged by email and by webhook; the two levels each page one of them. */
const personYaml = (name: string, hook: string) => `
  - name: ${name}
    email: ${name}@example.com
    contact_methods:
      - name: email
        type: email
        address: ${name}@example.com
      - name: hook
        type: webhook
        address: ${hook}
    notification_rules:
      - contact_method: email
      - contact_method: hook`;

const orgYaml = (hook: string) => `
users:${personYaml('first-line', hook)}${personYaml('second-line', hook)}
escalation_policies:
  - name: two-levels
    levels:
      - targets:
          - user: first-line
        delay_minutes: 5
      - targets:
          - user: second-line
        delay_minutes: 5
services:
  - name: Fleet
    escalation_policy: two-levels
`;

describe.skipIf(!PG_URL)('several engines on one PostgreSQL database', () => {
  const clock = new FakeClock('2026-03-08T08:00:00Z');
  const receiver = new Receiver();
  const smtp = new SmtpCapture();
  let main: TestStore;
  const stores: Store[] = [];
  const apps: App[] = [];
  const counters: { started: number }[] = [];
  const stopped = new Set<App>();
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    await receiver.start();
    const smtpUrl = await smtp.start();
    main = await postgresKind.open({ poolSize: 5 });
    stores.push(main);
    for (let i = 1; i < INSTANCES; i++) stores.push(await (main.another as NonNullable<TestStore['another']>)({ poolSize: 5 }));
    const log = pino({ level: process.env.WATCHKEEPER_TEST_LOG ?? 'silent' });
    for (const store of stores) {
      const { senders, counter } = countingSenders(smtpUrl);
      apps.push(new App({ store, clock, log, publicUrl: 'http://watchkeeper.test', senders, ingestRateLimit: 0 }));
      counters.push(counter);
    }
    await applyOrg((apps[0] as App).ctx, parseOrgYaml(orgYaml(receiver.url)), systemTestActor);
  });

  afterAll(async () => {
    for (const app of apps) if (!stopped.has(app)) await app.stop();
    await main?.close();
    await receiver.stop();
    await smtp.stop();
    console.info(`multi-engine timings (ms): ${JSON.stringify(timings)}`);
  });

  const running = () => apps.filter((a) => !stopped.has(a));

  /** Pages not yet in a final state. */
  const unfinished = async () => {
    const row = await main.db
      .selectFrom('pages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };

  /** Every running instance ticks at once, again and again, until the outbox is empty. */
  const tickAllUntilDelivered = async () => {
    for (let round = 0; round < 20; round++) {
      await Promise.all(running().map((a) => a.tick()));
      if ((await unfinished()) === 0) return round + 1;
    }
    throw new Error(`pages still unfinished after 20 rounds: ${await unfinished()}`);
  };

  const pageRows = () => main.db.selectFrom('pages').select(['id', 'page_key', 'alert_id', 'level', 'user_id', 'channel', 'status', 'attempts']).execute();

  it(`ingests ${ALERTS} alerts through three instances and pages each alert's first level exactly once per contact method`, async () => {
    const t0 = performance.now();
    const serviceId = [...(await (apps[0] as App).ctx.org.get(main.db)).services.values()][0]?.id as string;
    const results = await Promise.all(
      Array.from({ length: ALERTS }, (_, i) =>
        (apps[i % INSTANCES] as App).ingestor.submit({
          serviceId,
          integration: null,
          event: { ...emptyEvent('trigger', `fleet-${i}`), summary: `Host ${i} unreachable`, severity: 'critical' },
          actor: systemTestActor,
        }),
      ),
    );
    timings.ingest = Math.round(performance.now() - t0);
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(ALERTS);
    expect(new Set(results.map((r) => r.alertId)).size).toBe(ALERTS);

    const t1 = performance.now();
    const rounds = await tickAllUntilDelivered();
    timings.level1 = Math.round(performance.now() - t1);
    timings.level1Rounds = rounds;

    expect(receiver.deliveries).toHaveLength(ALERTS);
    expect(new Set(receiver.deliveries.map((d) => d.pageId)).size).toBe(ALERTS);
    expect(new Set(receiver.deliveries.map((d) => `${d.alertId}:${d.level}`)).size).toBe(ALERTS);
    expect(receiver.deliveries.every((d) => d.level === 1 && d.user === 'first-line')).toBe(true);
    expect(smtp.to('first-line@example.com')).toHaveLength(ALERTS);
    expect(smtp.to('second-line@example.com')).toHaveLength(0);
    const pages = await pageRows();
    expect(pages).toHaveLength(2 * ALERTS);
    expect(pages.every((p) => p.status === 'sent' && p.attempts === 1)).toBe(true);
  });

  it('five minutes later escalates every alert to its second level exactly once, even when one instance stops mid-round', async () => {
    clock.advanceMinutes(5);
    const t0 = performance.now();
    const victim = apps[INSTANCES - 1] as App;
    const round = Promise.all(running().map((a) => a.tick()));
    // Stop one instance while the round is under way: after some second-level pages went out.
    for (let i = 0; i < 3_000 && receiver.count(2) < 100; i++) await new Promise((r) => setTimeout(r, 2));
    expect(receiver.count(2)).toBeGreaterThan(0);
    expect(receiver.count(2)).toBeLessThan(ALERTS);
    const victimCounter = counters[INSTANCES - 1] as { started: number };
    const startedBeforeStop = victimCounter.started;
    timings.level2DeliveredWhenStopping = receiver.count(2);
    const stopping = performance.now();
    stopped.add(victim);
    await victim.stop();
    timings.stopTook = Math.round(performance.now() - stopping);
    // Stopping finishes the batch in hand and claims no more: the others take the rest.
    timings.victimSendsAfterStop = victimCounter.started - startedBeforeStop;
    expect(victimCounter.started - startedBeforeStop).toBeLessThanOrEqual(DELIVERY_BATCH);
    await round;
    const victimTotal = victimCounter.started;
    expect(victimTotal).toBeGreaterThan(0);
    const rounds = await tickAllUntilDelivered();
    timings.level2 = Math.round(performance.now() - t0);
    timings.level2Rounds = rounds;
    // A stopped instance does nothing more, even when asked to tick.
    await victim.tick();
    expect(victimCounter.started).toBe(victimTotal);
    expect(counters.reduce((n, c) => n + c.started, 0)).toBe(2 * ALERTS);

    // 2 000 webhook pages: one per alert and level, no page delivered twice.
    expect(receiver.deliveries).toHaveLength(2 * ALERTS);
    expect(new Set(receiver.deliveries.map((d) => d.pageId)).size).toBe(2 * ALERTS);
    expect(new Set(receiver.deliveries.map((d) => `${d.alertId}:${d.level}`)).size).toBe(2 * ALERTS);
    expect(receiver.deliveries.filter((d) => d.level === 2).every((d) => d.user === 'second-line')).toBe(true);
    expect(smtp.to('first-line@example.com')).toHaveLength(ALERTS);
    expect(smtp.to('second-line@example.com')).toHaveLength(ALERTS);
    expect(new Set(smtp.messages.map((msg) => /^Message-ID: (.*)$/im.exec(msg.raw)?.[1])).size).toBe(2 * ALERTS);

    const pages = await pageRows();
    expect(pages).toHaveLength(4 * ALERTS);
    expect(pages.filter((p) => p.status !== 'sent')).toEqual([]);
    expect(new Set(pages.map((p) => p.page_key)).size).toBe(pages.length);
    expect(new Set(pages.map((p) => `${p.alert_id}:${p.level}:${p.channel}`)).size).toBe(pages.length);
    expect(pages.filter((p) => p.attempts !== 1)).toEqual([]);

    const alerts = await main.db.selectFrom('alerts').select(['escalation_level', 'notify_seq', 'status', 'next_escalation_at']).execute();
    expect(alerts).toHaveLength(ALERTS);
    expect(alerts.every((a) => a.status === 'triggered' && a.escalation_level === 1 && a.notify_seq === 2)).toBe(true);
    const notified = await main.db
      .selectFrom('alert_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', 'notified')
      .executeTakeFirstOrThrow();
    expect(Number(notified.n)).toBe(2 * ALERTS);

    // The last level's delay only times a repeat, and this policy does not repeat: nothing more.
    clock.advanceMinutes(60);
    await tickAllUntilDelivered();
    expect(receiver.deliveries).toHaveLength(2 * ALERTS);
  });
});
