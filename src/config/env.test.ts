import { describe, expect, it } from 'vitest';
import { EnvError, SECRET_ENV_VARS, loadEnv, redactEnv } from './env.js';

const SECRET = 'x'.repeat(32);

function problemsOf(env: NodeJS.ProcessEnv): { field: string; message: string }[] {
  try {
    loadEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as EnvError).problems;
  }
  throw new Error('expected loadEnv to throw');
}

describe('loadEnv', () => {
  it('applies the defaults when nothing is set', () => {
    expect(loadEnv({})).toEqual({
      smtpUrl: null,
      smtpFrom: null,
      databaseUrl: null,
      publicUrl: 'http://localhost:8080',
      adminToken: null,
      logLevel: 'info',
      engineIntervalMs: 1000,
      secret: null,
    });
  });

  it('builds the default public URL from the port it is given', () => {
    expect(loadEnv({}, { port: 3000 }).publicUrl).toBe('http://localhost:3000');
  });

  it('reads every variable', () => {
    const env = loadEnv({
      WATCHKEEPER_SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      WATCHKEEPER_SMTP_FROM: 'Watchkeeper <pager@example.com>',
      DATABASE_URL: 'postgresql://wk:pw@db.example.com:5432/watchkeeper',
      WATCHKEEPER_PUBLIC_URL: 'https://watchkeeper.example.com/oncall/',
      WATCHKEEPER_ADMIN_TOKEN: SECRET,
      WATCHKEEPER_LOG_LEVEL: 'DEBUG',
      WATCHKEEPER_ENGINE_INTERVAL_MS: '250',
      WATCHKEEPER_SECRET: SECRET,
    });
    expect(env).toEqual({
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      smtpFrom: 'Watchkeeper <pager@example.com>',
      databaseUrl: 'postgresql://wk:pw@db.example.com:5432/watchkeeper',
      publicUrl: 'https://watchkeeper.example.com/oncall',
      adminToken: SECRET,
      logLevel: 'debug',
      engineIntervalMs: 250,
      secret: SECRET,
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadEnv({ DATABASE_URL: '', WATCHKEEPER_LOG_LEVEL: '  ' }).databaseUrl).toBeNull();
  });

  it('returns a frozen object', () => {
    const env = loadEnv({});
    expect(Object.isFrozen(env)).toBe(true);
    expect(() => {
      (env as { logLevel: string }).logLevel = 'trace';
    }).toThrow(TypeError);
  });

  it('reports every problem at once, one line per variable', () => {
    const bad = {
      WATCHKEEPER_SMTP_URL: 'http://mail.example.com',
      WATCHKEEPER_SMTP_FROM: 'not an address',
      DATABASE_URL: 'mysql://root:hunter2@db/wk',
      WATCHKEEPER_PUBLIC_URL: 'ftp://example.com',
      WATCHKEEPER_ADMIN_TOKEN: 'short-token',
      WATCHKEEPER_LOG_LEVEL: 'verbose',
      WATCHKEEPER_ENGINE_INTERVAL_MS: '50',
      WATCHKEEPER_SECRET: 'hunter2',
    };
    let error: EnvError | undefined;
    try {
      loadEnv(bad);
    } catch (err) {
      error = err as EnvError;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect(error?.problems.map((p) => p.field)).toEqual(Object.keys(bad));
    const lines = error?.message.split('\n') ?? [];
    expect(lines[0]).toBe('Watchkeeper cannot start: 8 environment variables are invalid');
    expect(lines).toHaveLength(9);
    for (const [name] of Object.entries(bad)) expect(lines.some((l) => l.trim().startsWith(`${name}: `))).toBe(true);
    expect(error?.problems).toContainEqual({
      field: 'WATCHKEEPER_LOG_LEVEL',
      message: 'must be one of fatal, error, warn, info, debug, trace (got "verbose")',
    });
    expect(error?.problems).toContainEqual({
      field: 'WATCHKEEPER_ENGINE_INTERVAL_MS',
      message: 'must be a whole number of milliseconds from 100 to 60000 (got "50")',
    });
  });

  it('never echoes the value of a secret variable', () => {
    let message = '';
    try {
      loadEnv({ DATABASE_URL: 'mysql://root:hunter2@db/wk', WATCHKEEPER_SECRET: 'hunter2', WATCHKEEPER_SMTP_URL: 'nope hunter2' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('WATCHKEEPER_SECRET');
    expect(message).toContain('WATCHKEEPER_SMTP_URL');
    expect(message).not.toContain('hunter2');
  });

  it.each([
    ['WATCHKEEPER_ENGINE_INTERVAL_MS', '1.5'],
    ['WATCHKEEPER_ENGINE_INTERVAL_MS', '60001'],
    ['WATCHKEEPER_ENGINE_INTERVAL_MS', 'fast'],
    ['WATCHKEEPER_PUBLIC_URL', 'https://example.com/?x=1'],
    ['WATCHKEEPER_PUBLIC_URL', 'not a url'],
    ['DATABASE_URL', 'postgres:nohost'],
    ['WATCHKEEPER_SMTP_FROM', 'Pager <nope>'],
  ])('rejects %s=%s', (name, value) => {
    expect(problemsOf({ [name]: value }).map((p) => p.field)).toEqual([name]);
  });

  it('accepts the interval bounds', () => {
    expect(loadEnv({ WATCHKEEPER_ENGINE_INTERVAL_MS: '100' }).engineIntervalMs).toBe(100);
    expect(loadEnv({ WATCHKEEPER_ENGINE_INTERVAL_MS: '60000' }).engineIntervalMs).toBe(60000);
  });
});

describe('secrets', () => {
  it('lists the secret variables', () => {
    expect([...SECRET_ENV_VARS].sort()).toEqual([
      'DATABASE_URL',
      'WATCHKEEPER_ADMIN_TOKEN',
      'WATCHKEEPER_OIDC_CLIENT_SECRET',
      'WATCHKEEPER_SECRET',
      'WATCHKEEPER_SLACK_BOT_TOKEN',
      'WATCHKEEPER_SLACK_SIGNING_SECRET',
      'WATCHKEEPER_SMTP_URL',
      'WATCHKEEPER_TWILIO_AUTH_TOKEN',
    ]);
  });

  it('redacts secret values for logging', () => {
    const env = loadEnv({ DATABASE_URL: 'postgres://wk:pw@db/wk', WATCHKEEPER_SECRET: SECRET, WATCHKEEPER_LOG_LEVEL: 'warn' });
    expect(redactEnv(env)).toEqual({
      smtpUrl: null,
      smtpFrom: null,
      databaseUrl: '[redacted]',
      publicUrl: 'http://localhost:8080',
      adminToken: null,
      logLevel: 'warn',
      engineIntervalMs: 1000,
      secret: '[redacted]',
    });
  });
});
