import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cliInput, main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';
import { DEMO } from '../http/support.js';

/** `watchkeeper user set-password` against a real listening server, the password on stdin. */
describe('watchkeeper user set-password', () => {
  let h: Harness;
  let out: string[];
  const stdin = cliInput.stdin;
  beforeEach(async () => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    h = await Harness.start(sqliteKind, { orgFile: DEMO, listen: true });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    cliInput.stdin = stdin;
    await h.stop();
  });

  const cli = (input: string, ...args: string[]) => {
    cliInput.stdin = Readable.from([input]);
    return main(['node', 'watchkeeper', 'user', 'set-password', ...args, '--server', h.baseUrl]);
  };
  const signIn = (email: string, password: string) => h.app.http.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });

  it('sets a password an admin pipes in, and the user can sign in with it', async () => {
    await cli('first-password-for-bob\n', 'bob', '--token', h.adminToken);
    expect(out).toEqual(['password set for bob; their other web sessions have ended']);
    expect((await signIn('bob@example.com', 'first-password-for-bob')).statusCode).toBe(200);
  });

  it('changes your own with the current password on the first line', async () => {
    await cli('first-password-for-bob\n', 'bob', '--token', h.adminToken);
    const bobToken = (await h.api('POST', '/api/v1/tokens', { name: 'bob cli', role: 'responder', user: 'bob' })).body.token as string;
    await expect(cli('second-password-for-bob\n', 'bob', '--token', bobToken)).rejects.toThrow('400: current_password: does not match your current password');
    await cli('first-password-for-bob\nsecond-password-for-bob\n', 'bob', '--token', bobToken, '--current-password-stdin');
    expect((await signIn('bob@example.com', 'second-password-for-bob')).statusCode).toBe(200);
    expect((await signIn('bob@example.com', 'first-password-for-bob')).statusCode).toBe(401);
  });

  it('refuses an empty input and a short password, changing nothing', async () => {
    await expect(cli('', 'bob', '--token', h.adminToken)).rejects.toThrow(/no password on standard input/);
    await expect(cli('short\n', 'bob', '--token', h.adminToken)).rejects.toThrow('400: password: must be at least 12 characters');
    expect(await h.store.db.selectFrom('user_passwords').selectAll().execute()).toEqual([]);
  });
});
