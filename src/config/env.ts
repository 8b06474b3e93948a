import type { FieldProblem } from '../domain/errors.js';

/**
 * Infrastructure settings from the environment, parsed once at start-up. Every problem is
 * reported at once (one line per variable) so a deploy fails with the whole list, not the first
 * typo; the result is frozen so nothing changes it later. Product settings (people, policies)
 * live in the organisation file and the database, not here.
 *
 * An empty variable counts as unset: `FOO=` in a compose file should not fail a URL check.
 * Messages never echo the value of a secret variable.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Env {
  /** smtp:// or smtps:// URL, credentials included; null = no email delivery configured. */
  readonly smtpUrl: string | null;
  /** From address of outgoing email, e.g. `Watchkeeper <pager@example.com>`. */
  readonly smtpFrom: string | null;
  /** postgres:// URL; null = the embedded SQLite database. */
  readonly databaseUrl: string | null;
  /** Base URL used in links (no trailing slash). */
  readonly publicUrl: string;
  /** Bootstrap admin API token (>= 32 characters). */
  readonly adminToken: string | null;
  readonly logLevel: LogLevel;
  /** How often the engine polls for due timers. */
  readonly engineIntervalMs: number;
  /** Signs action links; null = the server generates one and stores it. */
  readonly secret: string | null;
}

/** Variables whose values must never be logged (URLs may carry passwords). */
export const SECRET_ENV_VARS: readonly string[] = Object.freeze([
  'WATCHKEEPER_SMTP_URL',
  'DATABASE_URL',
  'WATCHKEEPER_ADMIN_TOKEN',
  'WATCHKEEPER_SECRET',
  'WATCHKEEPER_OIDC_CLIENT_SECRET',
  'WATCHKEEPER_SLACK_BOT_TOKEN',
  'WATCHKEEPER_SLACK_SIGNING_SECRET',
  'WATCHKEEPER_TWILIO_AUTH_TOKEN',
]);

/** Which Env field each variable fills, for redaction of the parsed value. */
const SECRET_FIELDS: readonly (keyof Env)[] = ['smtpUrl', 'databaseUrl', 'adminToken', 'secret'];

export const DEFAULT_PORT = 8080;
export const DEFAULT_ENGINE_INTERVAL_MS = 1000;

export class EnvError extends Error {
  readonly problems: FieldProblem[];

  constructor(problems: FieldProblem[]) {
    super(
      [
        `Watchkeeper cannot start: ${problems.length === 1 ? 'an environment variable is' : `${problems.length} environment variables are`} invalid`,
        ...problems.map((p) => `  ${p.field}: ${p.message}`),
      ].join('\n'),
    );
    this.name = 'EnvError';
    this.problems = problems;
  }
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/**
 * Parses the environment. `port` only fills the default public URL (`http://localhost:<port>`).
 * Throws EnvError listing every problem, one per line, each naming its variable.
 */
export function loadEnv(env: NodeJS.ProcessEnv = process.env, opts: { port?: number } = {}): Env {
  const problems: FieldProblem[] = [];
  const read = (name: string): string | null => {
    const v = env[name]?.trim();
    return v ? v : null;
  };
  const fail = (name: string, message: string): null => {
    problems.push({ field: name, message });
    return null;
  };
  /** Echo a value only when it is not a secret. */
  const shown = (name: string, value: string): string => (SECRET_ENV_VARS.includes(name) ? '' : ` (got "${value}")`);

  const url = (name: string, protocols: string[], what: string): string | null => {
    const raw = read(name);
    if (raw === null) return null;
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      return fail(name, `must be ${what}${shown(name, raw)}`);
    }
    if (!protocols.includes(u.protocol) || u.hostname === '') return fail(name, `must be ${what}${shown(name, raw)}`);
    return raw;
  };

  const minLength = (name: string, min: number): string | null => {
    const raw = read(name);
    if (raw === null) return null;
    if (raw.length < min) return fail(name, `must be at least ${min} characters (has ${raw.length}); generate one with: openssl rand -hex 32`);
    return raw;
  };

  const smtpUrl = url('WATCHKEEPER_SMTP_URL', ['smtp:', 'smtps:'], 'an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587');

  let smtpFrom = read('WATCHKEEPER_SMTP_FROM');
  if (smtpFrom !== null) {
    const address = /<([^<>]*)>\s*$/.exec(smtpFrom)?.[1] ?? smtpFrom;
    if (!EMAIL.test(address.trim())) {
      smtpFrom = fail('WATCHKEEPER_SMTP_FROM', `must be an email address or "Name <address>"${shown('WATCHKEEPER_SMTP_FROM', smtpFrom)}`);
    }
  }

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:'], 'a postgres:// or postgresql:// URL');

  const port = opts.port ?? DEFAULT_PORT;
  let publicUrl = `http://localhost:${port}`;
  const rawPublic = url('WATCHKEEPER_PUBLIC_URL', ['http:', 'https:'], 'an http:// or https:// base URL, e.g. https://watchkeeper.example.com');
  if (rawPublic !== null) {
    const u = new URL(rawPublic);
    if (u.search !== '' || u.hash !== '') fail('WATCHKEEPER_PUBLIC_URL', `must be a base URL without ?query or #fragment (got "${rawPublic}")`);
    else publicUrl = rawPublic.replace(/\/+$/, '');
  }

  const adminToken = minLength('WATCHKEEPER_ADMIN_TOKEN', 32);

  let logLevel: LogLevel = 'info';
  const rawLevel = read('WATCHKEEPER_LOG_LEVEL');
  if (rawLevel !== null) {
    const lower = rawLevel.toLowerCase();
    if ((LOG_LEVELS as readonly string[]).includes(lower)) logLevel = lower as LogLevel;
    else fail('WATCHKEEPER_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${rawLevel}")`);
  }

  let engineIntervalMs = DEFAULT_ENGINE_INTERVAL_MS;
  const rawInterval = read('WATCHKEEPER_ENGINE_INTERVAL_MS');
  if (rawInterval !== null) {
    const n = /^\d+$/.test(rawInterval) ? Number(rawInterval) : NaN;
    if (!Number.isSafeInteger(n) || n < 100 || n > 60_000) {
      fail('WATCHKEEPER_ENGINE_INTERVAL_MS', `must be a whole number of milliseconds from 100 to 60000 (got "${rawInterval}")`);
    } else engineIntervalMs = n;
  }

  const secret = minLength('WATCHKEEPER_SECRET', 32);

  if (problems.length > 0) throw new EnvError(problems);
  return Object.freeze({ smtpUrl, smtpFrom, databaseUrl, publicUrl, adminToken, logLevel, engineIntervalMs, secret });
}

/** The parsed settings with secret values replaced, for a start-up log line. */
export function redactEnv(env: Env): Record<keyof Env, string | number | null> {
  const out = { ...env } as Record<keyof Env, string | number | null>;
  for (const field of SECRET_FIELDS) if (out[field] !== null) out[field] = '[redacted]';
  return out;
}
