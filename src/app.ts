import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from './domain/clock.js';
import { setPassword } from './commands/accounts.js';
import { ChangeBus, type Ctx } from './commands/context.js';
import { Ingestor } from './commands/ingest.js';
import { checkHeartbeats } from './commands/heartbeats.js';
import { countTokens, ensureAdminToken, createToken } from './commands/tokens.js';
import { Engine } from './engine/engine.js';
import { escalationModule } from './engine/modules/escalation.js';
import { retentionModule } from './engine/modules/retention.js';
import { shiftNoticesModule } from './engine/modules/shift-notices.js';
import { incidentUpdatesModule } from './engine/modules/incident-updates.js';
import { reviewSendsModule } from './engine/modules/review-sends.js';
import { postmortemsModule } from './engine/modules/postmortems.js';
import { incidentSlaModule } from './engine/modules/incident-sla.js';
import { warRoomModule } from './engine/modules/war-room.js';
import { warRoomSlackModule } from './notify/slack/war-room-slack.js';
import { Metrics } from './metrics.js';
import { Deliverer } from './notify/outbox.js';
import type { DeliveryLimits } from './notify/throttle.js';
import { NoticeDeliverer } from './notify/notices.js';
import { StatusPageDeliverer } from './notify/status-page.js';
import { SenderRegistry } from './notify/sender.js';
import { EmailSender } from './notify/email/email.sender.js';
import { LogSender } from './notify/log/log.sender.js';
import { WebhookSender } from './notify/webhook/webhook.sender.js';
import { SlackIntegration, type SlackOptions } from './notify/slack/slack.js';
import type { TwilioOptions } from './notify/twilio/config.js';
import { registerTwilioSenders } from './notify/twilio/register.js';
import { TeamsSender } from './notify/teams/teams.sender.js';
import { OrgCache } from './store/org.repo.js';
import type { Store } from './store/db.js';
import { randomAlnum } from './store/ids.js';
import { Authenticator, buildHttp, registerRoutes } from './http/server.js';
import { OidcSignIn, type OidcOptions } from './auth/oidc.js';
import type { FastifyInstance } from 'fastify';

export type Role = 'api' | 'engine' | 'notify';

export interface AppOptions {
  store: Store;
  clock?: Clock;
  log?: Logger;
  publicUrl?: string;
  smtpUrl?: string | null;
  smtpFrom?: string | null;
  engineIntervalMs?: number;
  roles?: Role[];
  /** Replace the default senders (tests use real local servers through the real senders). */
  senders?: SenderRegistry;
  /** Resolved alerts older than this many days are pruned (default 180). */
  retentionDays?: number;
  /** Events per minute per integration key; 0 turns the limit off. */
  ingestRateLimit?: number;
  defaultMetrics?: boolean;
  /** Single sign-on for the web UI through an OpenID Connect provider; null = passwords only. */
  oidc?: OidcOptions | null;
  /**
   * Noise limits per contact method (src/notify/throttle.ts); `serve` passes the defaults unless
   * WATCHKEEPER_DELIVERY_LIMITS=off. Left out: every page is its own message, sent at once.
   */
  deliveryLimits?: DeliveryLimits | null;
  /** Slack (bot token, signing secret, API URL); null = the slack channel is not registered. */
  slack?: SlackOptions | null;
  /** SMS and voice through Twilio; null = the sms and voice channels are not registered. */
  twilio?: TwilioOptions | null;
}

/**
 * One Watchkeeper instance: the api, engine and notify roles over one store. `watchkeeper serve`
 * runs one of these per process; tests run several against one database.
 */
export class App {
  readonly ctx: Ctx;
  readonly engine: Engine;
  readonly notifier: Engine;
  readonly deliverer: Deliverer;
  readonly notices: NoticeDeliverer;
  readonly statusPage: StatusPageDeliverer;
  readonly ingestor: Ingestor;
  readonly senders: SenderRegistry;
  readonly http: FastifyInstance;
  readonly auth: Authenticator;
  readonly roles: Set<Role>;
  readonly oidc: OidcSignIn | null;
  readonly slack: SlackIntegration | null;
  readonly twilio: TwilioOptions | null;

  constructor(opts: AppOptions) {
    const log = opts.log ?? pino({ level: 'silent' });
    const metrics = new Metrics({ defaultMetrics: opts.defaultMetrics ?? false });
    this.roles = new Set(opts.roles ?? ['api', 'engine', 'notify']);
    this.ctx = {
      store: opts.store,
      clock: opts.clock ?? systemClock,
      org: new OrgCache(),
      log,
      metrics,
      bus: new ChangeBus(),
      publicUrl: opts.publicUrl ?? 'http://localhost:8080',
      wake: () => {
        this.wakeLocal();
        opts.store.wakeups?.notify();
      },
    };
    this.senders = opts.senders ?? defaultSenders(log, opts.smtpUrl ?? null, opts.smtpFrom ?? null);
    this.slack = opts.slack ? new SlackIntegration(this.ctx, opts.slack) : null;
    if (this.slack && !this.senders.get('slack')) this.senders.register(this.slack.sender);
    this.twilio = opts.twilio ?? null;
    if (this.twilio) registerTwilioSenders(this.senders, this.ctx, this.twilio);
    this.deliverer = new Deliverer(this.ctx, this.senders, opts.deliveryLimits ?? null);
    const interval = opts.engineIntervalMs ?? 1000;
    this.engine = new Engine(this.ctx, interval, [
      escalationModule(this.ctx),
      shiftNoticesModule(this.ctx),
      incidentUpdatesModule(this.ctx),
      reviewSendsModule(this.ctx),
      postmortemsModule(this.ctx),
      incidentSlaModule(this.ctx),
      warRoomModule(this.ctx, { slack: this.slack !== null }),
      { name: 'heartbeats', run: async () => (await checkHeartbeats(this.ctx, this.ingestor), false) },
      retentionModule(this.ctx, opts.retentionDays ?? 180),
    ]);
    this.notices = new NoticeDeliverer(this.ctx, this.senders);
    this.statusPage = new StatusPageDeliverer(this.ctx, this.senders);
    this.notifier = new Engine(
      this.ctx,
      interval,
      [
        { name: 'deliver', run: () => this.deliverer.run() },
        { name: 'notices', run: () => this.notices.run() },
        { name: 'status-page', run: () => this.statusPage.run() },
        ...(this.slack ? [this.slack.module] : []),
        ...(this.slack ? [warRoomSlackModule(this.ctx, this.slack.client)] : []),
      ],
      'notify',
    );
    this.ingestor = new Ingestor(this.ctx);
    this.auth = new Authenticator(this.ctx);
    this.oidc = opts.oidc ? new OidcSignIn(this.ctx, opts.oidc) : null;
    const httpOpts = { ingestRateLimit: opts.ingestRateLimit ?? 1200 };
    this.http = buildHttp();
    registerRoutes(this, httpOpts);
  }

  /**
   * New pages are what needs acting on at once; escalation timers lie in the future and the
   * engine's polling (every engineIntervalMs) finds them, so only the notifier is woken.
   */
  private wakeLocal(): void {
    this.notifier.wake();
  }

  /** Starts the background loops this process holds (the HTTP listener is started by the caller). */
  async start(): Promise<void> {
    const wakeups = this.ctx.store.wakeups;
    if (wakeups) {
      // Live views (the UI's event stream) in any API process hear about changes every process commits.
      this.ctx.bus.relayTo((payload) => wakeups.notifyChanges(payload));
      if (this.roles.has('api')) {
        await wakeups.listenChanges((payload) => this.ctx.bus.receive(payload)).catch((err: unknown) => this.ctx.log.warn({ err }, 'LISTEN for changes failed; live views show this process only'));
      }
    }
    if (this.roles.has('engine')) this.engine.start();
    if (this.roles.has('notify')) this.notifier.start();
    if (this.roles.has('engine') || this.roles.has('notify')) {
      await this.ctx.store.wakeups?.listen(() => this.wakeLocal()).catch((err: unknown) => this.ctx.log.warn({ err }, 'LISTEN for wake-ups failed; relying on polling'));
    }
  }

  /** Runs the engine and then delivers everything due: what tests call after moving the clock. */
  async tick(): Promise<void> {
    await this.engine.tick();
    await this.notifier.tick();
    await this.deliverer.idle();
  }

  async stop(): Promise<void> {
    await this.http.close();
    await this.ingestor.drain();
    await this.engine.stop();
    await this.notifier.stop();
    await this.deliverer.idle();
    await this.senders.closeAll().catch((err: unknown) => this.ctx.log.warn({ err }, 'closing senders failed'));
  }

  /**
   * First start: make sure an admin can get in. WATCHKEEPER_ADMIN_TOKEN, when set, is the admin
   * token; otherwise, when no token exists yet, one is generated and written to
   * <data-dir>/admin-token (mode 0600), never to the log.
   */
  async bootstrapAdmin(opts: { envToken: string | null; dataDir: string }): Promise<{ file: string | null; created: boolean }> {
    if (opts.envToken) {
      const created = await ensureAdminToken(this.ctx, opts.envToken, 'admin (WATCHKEEPER_ADMIN_TOKEN)');
      return { file: null, created };
    }
    const file = path.join(opts.dataDir, 'admin-token');
    if ((await countTokens(this.ctx.store.db)) > 0) return { file: fs.existsSync(file) ? file : null, created: false };
    const t = await createToken(this.ctx, { kind: 'system', id: null, name: 'Watchkeeper', surface: 'config' }, { name: 'admin (first start)', role: 'admin' });
    fs.mkdirSync(opts.dataDir, { recursive: true });
    fs.writeFileSync(file, `${t.token}\n`, { mode: 0o600 });
    return { file, created: true };
  }
}

/**
 * First start: when nobody can sign in to the web UI yet, the organisation's first admin gets a
 * generated password in <data-dir>/admin-password (mode 0600), never in the log.
 */
export async function bootstrapPassword(ctx: Ctx, dataDir: string): Promise<{ file: string; user: { name: string; email: string } } | null> {
  const db = ctx.store.db;
  if (await db.selectFrom('user_passwords').select('user_id').limit(1).executeTakeFirst()) return null;
  const admin = await db.selectFrom('users').select(['name', 'email']).where('role', '=', 'admin').orderBy('created_at').orderBy('name').limit(1).executeTakeFirst();
  if (!admin) return null;
  const password = randomAlnum(24);
  await setPassword(ctx, { kind: 'system', id: null, name: 'Watchkeeper', surface: 'config' }, { user: admin.name, password, requireCurrent: false });
  const file = path.join(dataDir, 'admin-password');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return { file, user: admin };
}

export function defaultSenders(log: Logger, smtpUrl: string | null, smtpFrom: string | null): SenderRegistry {
  const senders = new SenderRegistry();
  if (smtpUrl) senders.register(new EmailSender({ smtpUrl, maxConnections: 20, ...(smtpFrom ? { from: smtpFrom } : {}) }));
  else senders.register(new LogSender(log.child({ component: 'notify' }), 'email'));
  senders.register(new WebhookSender());
  senders.register(new TeamsSender());
  return senders;
}
