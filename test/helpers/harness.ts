import fs from 'node:fs';
import { App, defaultSenders, type AppOptions } from '../../src/app.js';
import { applyOrg } from '../../src/commands/apply-org.js';
import { createToken } from '../../src/commands/tokens.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { FakeClock } from '../../src/domain/clock.js';
import type { Store } from '../../src/store/db.js';
import type { TwilioOptions } from '../../src/notify/twilio/config.js';
import type { DeliveryLimits } from '../../src/notify/throttle.js';
import pino from 'pino';
import { SmtpCapture } from './smtp.js';
import type { StoreKind, TestStore } from './stores.js';

export const systemTestActor = { kind: 'system' as const, id: null, name: 'test', surface: 'config' as const };

/**
 * A whole Watchkeeper on a fake clock: real store, real engine, real email through a real SMTP
 * server on loopback. Tests move the clock and call tick(); nothing sleeps.
 */
export class Harness {
  readonly clock: FakeClock;
  readonly smtp = new SmtpCapture();
  app!: App;
  store!: TestStore;
  adminToken = '';
  baseUrl = '';
  /** Events per minute per integration key for apps this harness builds; 0 = no limit. */
  ingestRateLimit = 0;
  /** SMS and voice through this Twilio account (a local stand-in) for apps this harness builds. */
  twilio: TwilioOptions | null = null;
  slack: AppOptions['slack'] | null = null;
  /** Noise limits for apps this harness builds; null (the default) sends every page at once. */
  deliveryLimits: DeliveryLimits | null = null;

  constructor(private readonly kind: StoreKind, start = '2026-03-08T08:00:00Z') {
    this.clock = new FakeClock(start);
  }

  static async start(kind: StoreKind, opts: { orgFile?: string; orgYaml?: string; listen?: boolean; start?: string; ingestRateLimit?: number; twilio?: TwilioOptions; deliveryLimits?: DeliveryLimits; slack?: AppOptions['slack'] } = {}): Promise<Harness> {
    const h = new Harness(kind, opts.start);
    h.ingestRateLimit = opts.ingestRateLimit ?? 0;
    h.twilio = opts.twilio ?? null;
    h.slack = opts.slack ?? null;
    h.deliveryLimits = opts.deliveryLimits ?? null;
    const smtpUrl = await h.smtp.start();
    h.store = await kind.open();
    h.app = h.newApp(h.store, smtpUrl);
    const yaml = opts.orgYaml ?? (opts.orgFile ? fs.readFileSync(opts.orgFile, 'utf8') : null);
    if (yaml) await applyOrg(h.app.ctx, parseOrgYaml(yaml), systemTestActor);
    h.adminToken = (await createToken(h.app.ctx, systemTestActor, { name: 'test admin', role: 'admin' })).token;
    if (opts.listen) {
      await h.app.http.listen({ port: 0, host: '127.0.0.1' });
      const addr = h.app.http.server.address();
      h.baseUrl = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
    }
    return h;
  }

  newApp(store: Store, smtpUrl?: string): App {
    const log = pino({ level: process.env.WATCHKEEPER_TEST_LOG ?? 'silent' });
    return new App({
      store,
      clock: this.clock,
      log,
      publicUrl: 'http://watchkeeper.test',
      senders: defaultSenders(log, smtpUrl ?? `smtp://127.0.0.1:${this.smtp.port}`, null),
      ingestRateLimit: this.ingestRateLimit,
      twilio: this.twilio,
      ...(this.slack ? { slack: this.slack } : {}),
      deliveryLimits: this.deliveryLimits,
    });
  }

  /** Moves the fake clock and lets the engine and the notifier do what fell due. */
  async advanceMinutes(minutes: number): Promise<void> {
    this.clock.advanceMinutes(minutes);
    await this.tick();
  }

  async tick(): Promise<void> {
    await this.app.tick();
  }

  /** Sends a PagerDuty Events v2 event through the real HTTP stack (in-process injection). */
  async enqueue(body: Record<string, unknown>) {
    const res = await this.app.http.inject({ method: 'POST', url: '/v2/enqueue', payload: body });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  }

  async api(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token = this.adminToken) {
    const res = await this.app.http.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    return { status: res.statusCode, body: res.body ? (res.json() as Record<string, unknown>) : {} };
  }

  /**
   * Addresses paged by email since the last clear, in order. Notices (shift reminders, handoff
   * notes, schedule changes: mail with an X-Watchkeeper-Notice header) are not pages.
   */
  paged(): string[] {
    return this.smtp.messages.filter((m) => !/^X-Watchkeeper-Notice: /m.test(m.raw)).flatMap((m) => m.to);
  }

  async stop(): Promise<void> {
    await this.app.stop();
    await this.store.close();
    await this.smtp.stop();
  }
}
