import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { buildCli, type BuiltCli } from '../helpers/cli-binary.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { PLATFORM_YAML } from '../helpers/platform-org.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * `watchkeeper login`, `logout` and `whoami`, and where every command finds its server and token:
 * --server/--token, then WATCHKEEPER_SERVER/WATCHKEEPER_TOKEN, then the saved login. The built
 * binary runs in its own process with XDG_CONFIG_HOME pointed at a fresh folder.
 */
let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCli();
});
afterAll(() => cli?.remove());

describe('watchkeeper login, logout and whoami', () => {
  let h: Harness;
  let config: string;
  beforeEach(() => {
    config = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-config-'));
  });
  afterEach(async () => {
    await h?.stop();
    fs.rmSync(config, { recursive: true, force: true });
  });
  const run = (args: string[], opts: { env?: Record<string, string>; input?: string } = {}) => cli.run(args, { input: opts.input ?? '', env: { XDG_CONFIG_HOME: config, ...opts.env } });
  const file = () => path.join(config, 'watchkeeper', 'config.json');

  it('checks the token, saves it 0600, and later commands use it until logout', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: PLATFORM_YAML, listen: true });

    const refused = await run(['login', '--server', h.baseUrl], { input: 'wrong-token\n' });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toBe(`${h.baseUrl} refused the token: token is unknown or revoked; create a new one with POST /api/v1/tokens. Nothing was saved.\n`);
    expect(fs.existsSync(file())).toBe(false);

    const login = await run(['login', '--server', `${h.baseUrl}/`], { input: `${h.adminToken}\n` });
    expect(login.stderr).toBe('');
    expect(login.stdout).toBe(`logged in to ${h.baseUrl} as token "test admin" (admin); saved to ${file()}\n`);
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file())).mode & 0o777).toBe(0o700);
    expect(JSON.parse(fs.readFileSync(file(), 'utf8'))).toEqual({ server: h.baseUrl, token: h.adminToken });

    // No flag, no environment: the saved login answers.
    const oncall = await run(['oncall', 'platform-primary']);
    expect(oncall.stdout.split('\n')).toEqual(['SCHEDULE          TEAM      ROLE     PERSON  UNTIL', 'platform-primary  platform  primary  bob     2026-03-09 00:00Z', '']);
    expect((await run(['whoami'])).stdout).toBe(`token "test admin" (admin) on ${h.baseUrl}\nserver from ${file()}, token from ${file()}\n`);

    // The environment beats the file, and a flag beats the environment.
    const envToken = await run(['whoami'], { env: { WATCHKEEPER_TOKEN: 'revoked-or-never-issued' } });
    expect(envToken.code).toBe(4);
    expect(envToken.stderr).toMatch(/^401: token is unknown or revoked/);
    const flagToken = await run(['whoami', '--token', h.adminToken], { env: { WATCHKEEPER_TOKEN: 'revoked-or-never-issued' } });
    expect(flagToken.stdout).toBe(`token "test admin" (admin) on ${h.baseUrl}\nserver from ${file()}, token from --token\n`);
    const elsewhere = await run(['whoami', '--json'], { env: { WATCHKEEPER_SERVER: 'http://127.0.0.1:9' } });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:9: .*Is the server running\? Set --server or WATCHKEEPER_SERVER\.$/m);

    // A person's own token: the login names them. Logging in again replaces the file, still 0600.
    const alice = (await createToken(h.app.ctx, systemTestActor, { name: 'alice laptop', role: 'responder', user: 'alice' })).token;
    fs.chmodSync(file(), 0o644);
    const relogin = await run(['login', '--json'], { input: alice });
    expect(JSON.parse(relogin.stdout)).toEqual({ token: { id: expect.any(String), name: 'alice laptop' }, role: 'responder', user: 'alice', public_url: h.app.ctx.publicUrl, server: h.baseUrl, config: file() });
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect((await run(['whoami'])).stdout).toMatch(/^alice \(responder\) on /);

    expect((await run(['logout'])).stdout).toBe(`logged out: removed ${file()}\n`);
    expect(fs.existsSync(file())).toBe(false);
    const after = await run(['alerts', 'list']);
    expect([after.code, after.stdout, after.stderr]).toEqual([4, '', 'no token: run watchkeeper login --server URL, or set WATCHKEEPER_TOKEN\n']);
    expect((await run(['logout'])).stdout).toBe(`not logged in: ${file()} does not exist\n`);
  }, 180_000);

  it('refuses an empty token and a server that is not a URL, saving nothing', async () => {
    const empty = await run(['login', '--server', 'http://127.0.0.1:9'], { input: '\n' });
    expect([empty.code, empty.stderr]).toEqual([2, 'no token on standard input; pipe it in, e.g. cat data/admin-token | watchkeeper login --server URL\n']);
    const notUrl = await run(['login', '--server', 'watchkeeper.example.com'], { input: 'x\n' });
    expect([notUrl.code, notUrl.stderr]).toEqual([2, '--server: "watchkeeper.example.com" is not a URL; give one like http://localhost:8080\n']);
    expect(fs.existsSync(file())).toBe(false);
  }, 60_000);

  it('documents exit codes and examples in --help, and ends a usage error with 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:\n  0  done\n  1  error');
    for (const args of [['alerts', 'list'], ['alerts', 'show'], ['alerts', 'ack'], ['alerts', 'resolve'], ['alerts', 'escalate'], ['alerts', 'snooze'], ['alerts', 'note'], ['trigger'], ['oncall'], ['login'], ['logout'], ['whoami']]) {
      const r = await run([...args, '--help']);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/Examples?:\n {2}watchkeeper /);
    }
    const unknown = await run(['page-everyone']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown command 'page-everyone'");
    const missingValue = await run(['alerts', 'snooze', '12']);
    expect(missingValue.code).toBe(2);
    expect(missingValue.stderr).toContain("error: required option '--for <duration>' not specified");
    expect((await run(['--version'])).code).toBe(0);
  }, 120_000);
});
