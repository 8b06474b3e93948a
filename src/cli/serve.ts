import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import { App, bootstrapPassword, type Role } from '../app.js';
import { applyOrg } from '../commands/apply-org.js';
import { readOidcEnv } from '../auth/oidc.js';
import { readSlackEnv } from '../notify/slack/slack.js';
import { readTwilioEnv } from '../notify/twilio/config.js';
import { EnvError, loadEnv, type Env } from '../config/env.js';
import type { OrgConfig } from '../config/org.js';
import { AppError } from '../domain/errors.js';
import { loadOrg } from '../config/org-files.js';
import { openStore, StoreLockedError } from '../store/db.js';
import { deliveryLimitsFromEnv } from '../notify/throttle.js';

export interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  org?: string;
  roles: string;
}

export const DEMO_ORG = fileURLToPath(new URL('../../examples/demo.yaml', import.meta.url));

function makeLogger(level: string): Logger {
  const pretty = process.stdout.isTTY || process.env.WATCHKEEPER_LOG_FORMAT === 'pretty';
  return pretty
    ? pino({ level, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } })
    : pino({ level });
}

/**
 * `watchkeeper serve`: open the store (SQLite under --data-dir unless DATABASE_URL is set), apply
 * --org (or the demo organisation on a first start), make sure an admin token exists, then serve.
 */
export async function serve(opts: ServeOptions): Promise<void> {
  // Every problem with the environment at once, the OIDC variables' included.
  const oidcEnv = readOidcEnv(process.env);
  const slackEnv = readSlackEnv(process.env);
  const twilioEnv = readTwilioEnv(process.env);
  let env: Env;
  try {
    env = loadEnv(process.env, { port: opts.port });
  } catch (err) {
    if (err instanceof EnvError) throw new EnvError([...err.problems, ...oidcEnv.problems, ...twilioEnv.problems, ...slackEnv.problems]);
    throw err;
  }
  if (oidcEnv.problems.length > 0 || twilioEnv.problems.length > 0 || slackEnv.problems.length > 0) throw new EnvError([...oidcEnv.problems, ...twilioEnv.problems, ...slackEnv.problems]);
  const log = makeLogger(env.logLevel);
  const roles = opts.roles.split(',').map((r) => r.trim()) as Role[];
  for (const r of roles) if (!['api', 'engine', 'notify'].includes(r)) throw new Error(`--roles: unknown role "${r}"; use api, engine and notify`);
  const deliveryLimits = deliveryLimitsFromEnv(process.env.WATCHKEEPER_DELIVERY_LIMITS);

  let store;
  try {
    store = await openStore(env.databaseUrl ? { databaseUrl: env.databaseUrl } : { sqlitePath: path.join(opts.dataDir, 'watchkeeper.db') });
  } catch (err) {
    if (err instanceof StoreLockedError) throw new Error(err.message);
    throw err;
  }
  const app = new App({
    store,
    log,
    publicUrl: env.publicUrl,
    smtpUrl: env.smtpUrl,
    smtpFrom: env.smtpFrom,
    engineIntervalMs: env.engineIntervalMs,
    roles,
    defaultMetrics: true,
    ingestRateLimit: Number(process.env.WATCHKEEPER_INGEST_RATE_LIMIT ?? 1200),
    deliveryLimits,
    retentionDays: Number(process.env.WATCHKEEPER_RETENTION_DAYS ?? 180),
    oidc: oidcEnv.oidc,
    slack: slackEnv.slack,
    twilio: twilioEnv.twilio,
  });
  const system = { kind: 'system' as const, id: null, name: 'Watchkeeper', surface: 'config' as const };

  let orgFile: string | null = opts.org ?? null;
  let org: OrgConfig | null = null;
  if (!orgFile) {
    const empty = (await store.db.selectFrom('services').select('id').limit(1).execute()).length === 0;
    if (empty) orgFile = DEMO_ORG;
  }
  if (orgFile) {
    // One file or a folder of them, problems named by file (see org-files.ts).
    const load = loadOrg(orgFile);
    if (!load.ok) throw AppError.invalidMany(load.problems);
    org = load.config;
    const result = await applyOrg(app.ctx, org, system);
    log.info({ file: orgFile, changes: result.changes.length }, `organisation applied from ${orgFile} (${result.changes.length} changes)`);
    for (const k of result.generatedKeys) log.info(`generated integration key for ${k.service}/${k.integration} (${k.type}): ${k.key} (shown once)`);
  }

  const admin = await app.bootstrapAdmin({ envToken: env.adminToken, dataDir: opts.dataDir });
  // With passwords off, a generated admin password would be a way in that nobody can use.
  const signIn = app.oidc && !app.oidc.passwords ? null : await bootstrapPassword(app.ctx, opts.dataDir);

  if (roles.includes('api') && app.oidc) {
    const warning = await app.oidc.check();
    if (warning) log.warn(warning);
  }
  if (roles.includes('api')) await app.http.listen({ port: opts.port, host: opts.host });
  await app.start();

  printBanner(log, { env, opts, org, signIn, oidc: app.oidc, twilio: app.twilio, slack: app.slack, adminFile: admin.file, adminFromEnv: env.adminToken !== null, where: store.where, dialect: store.dialect, roles });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping (finishing deliveries in flight)`);
    await app.stop();
    await store.close();
    log.flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

function printBanner(
  log: Logger,
  b: { env: ReturnType<typeof loadEnv>; opts: ServeOptions; oidc: App['oidc']; twilio: App['twilio']; slack: App['slack']; org: OrgConfig | null; signIn: Awaited<ReturnType<typeof bootstrapPassword>>; adminFile: string | null; adminFromEnv: boolean; where: string; dialect: string; roles: string[] },
): void {
  const base = b.env.publicUrl;
  const lines: string[] = [];
  lines.push(`Watchkeeper is running: ${base}  (roles ${b.roles.join(',')}, ${b.dialect} at ${b.where})`);
  if (b.org) {
    for (const s of b.org.services) {
      for (const i of s.integrations) {
        const key = i.key ?? (i.keyEnv ? `$${i.keyEnv}` : '<generated>');
        const url = i.type === 'events_v2' ? `${base}/v2/enqueue  routing_key=${key}` : i.type === 'alertmanager' ? `${base}/integrations/alertmanager/${key}` : `${base}/integrations/generic/${key}`;
        lines.push(`  ${s.name} · ${i.name} (${i.type}): ${url}`);
      }
    }
  }
  lines.push(`Web UI: ${base}/`);
  if (b.oidc) {
    lines.push(`Single sign-on with ${b.oidc.name} (${b.oidc.issuer}); register this redirect URI with it: ${b.oidc.redirectUri}${b.oidc.passwords ? '' : ' (passwords are off)'}`);
  }
  if (b.signIn) lines.push(`Sign in as ${b.signIn.user.email} with the password in ${b.signIn.file} (change it on your profile page)`);
  if (b.adminFromEnv) lines.push('Admin token: the value of WATCHKEEPER_ADMIN_TOKEN');
  else if (b.adminFile) lines.push(`Admin token: cat ${b.adminFile}`);
  else lines.push('Admin token: create one with an existing admin token (POST /api/v1/tokens), or set WATCHKEEPER_ADMIN_TOKEN and restart');
  if (!b.env.smtpUrl) lines.push('No SMTP server configured (WATCHKEEPER_SMTP_URL): email pages are written to this log.');
  lines.push(b.slack ? `Slack: ${b.slack.opts.signingSecret ? `buttons at ${base}/integrations/slack/interactions (the app's Interactivity Request URL)` : 'connected; buttons are off until WATCHKEEPER_SLACK_SIGNING_SECRET is set'}` : 'Slack is not connected (WATCHKEEPER_SLACK_BOT_TOKEN): slack contact methods and channel routing are not used.');
  if (b.twilio) lines.push(`SMS and voice from ${b.twilio.from} through Twilio; set the number's incoming message webhook to ${base}/integrations/twilio/sms (HTTP POST)`);
  else lines.push('No Twilio account configured (WATCHKEEPER_TWILIO_ACCOUNT_SID, _AUTH_TOKEN, _FROM): sms and voice contact methods are not paged.');
  log.info(lines.join('\n'));
}
