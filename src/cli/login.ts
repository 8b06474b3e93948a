import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { ApiError, Client } from '../client/client.js';
import { authError, printJson, usageError, withJson, type ConnectionOptions } from './output.js';

/**
 * Where the CLI finds its server and token: `--server`/`--token`, then WATCHKEEPER_SERVER /
 * WATCHKEEPER_TOKEN, then the file `watchkeeper login` writes
 * ($XDG_CONFIG_HOME/watchkeeper/config.json, ~/.config by default), each field on its own.
 * The file is written 0600 in a 0700 folder because it holds a bearer token.
 */

export const DEFAULT_SERVER = 'http://localhost:8080';

export interface SavedLogin {
  server?: string;
  token?: string;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'watchkeeper', 'config.json');
}

export function readSavedLogin(file = configPath()): SavedLogin {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object') throw new Error('not an object');
    const o = v as Record<string, unknown>;
    return { ...(typeof o.server === 'string' ? { server: o.server } : {}), ...(typeof o.token === 'string' ? { token: o.token } : {}) };
  } catch {
    throw usageError(`${file} is not valid JSON; run watchkeeper logout and log in again`);
  }
}

/** Writes the login through a temporary file and a rename, so a crash never leaves half a file. */
export function saveLogin(login: SavedLogin, file = configPath()): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600); // the umask may have narrowed it further, never widened; be exact
  fs.renameSync(tmp, file);
}

/** Server and token for a command, by precedence: flag, environment, saved login. */
export function resolveConnection(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): Connection {
  const needSaved = !(opts.server || env.WATCHKEEPER_SERVER) || !(opts.token || env.WATCHKEEPER_TOKEN);
  const file = configPath(env);
  const saved = needSaved ? readSavedLogin(file) : {};
  const pick = (flag: string | undefined, envName: string, fromFile: string | undefined): [string | null, string] =>
    flag ? [flag, `--${envName === 'WATCHKEEPER_SERVER' ? 'server' : 'token'}`] : env[envName] ? [env[envName], envName] : fromFile ? [fromFile, file] : [null, 'nowhere'];
  const [server, serverFrom] = pick(opts.server, 'WATCHKEEPER_SERVER', saved.server);
  const [token, tokenFrom] = pick(opts.token, 'WATCHKEEPER_TOKEN', saved.token);
  return { server: server ?? DEFAULT_SERVER, token, serverFrom: server ? serverFrom : 'default', tokenFrom };
}

export interface Connection {
  server: string;
  token: string | null;
  /** Where each came from: the flag, the variable's name, the saved login's path, or default. */
  serverFrom: string;
  tokenFrom: string;
}

/** The API client for a command; refuses to start without a token rather than ask the server. */
export function connect(opts: ConnectionOptions): Client {
  const c = resolveConnection(opts);
  if (!c.token) throw authError('no token: run watchkeeper login --server URL, or set WATCHKEEPER_TOKEN');
  return new Client({ server: c.server, token: c.token });
}

export interface Me {
  token: { id: string; name: string } | null;
  role: string;
  user: string | null;
}

/** Reads a token from a pipe, or asks for it on a terminal without echoing what is typed. */
async function readToken(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(Buffer.from(c as Buffer | string));
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0]?.trim() ?? '';
  }
  process.stderr.write('API token (input hidden): ');
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.off('data', onData);
            process.stderr.write('\n');
            resolve(typed.trim());
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            process.stderr.write('\n');
            reject(usageError('login cancelled'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
          else typed += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

export function loginCommands(program: Command): void {
  withJson(
    program
      .command('login')
      .description('Check an API token against a server and save both for later commands (0600 file under $XDG_CONFIG_HOME/watchkeeper)')
      .option('--server <url>', 'server URL (default: WATCHKEEPER_SERVER, the saved one, or http://localhost:8080)')
      .addHelpText(
        'after',
        '\nThe token is read from standard input, or asked for without echo on a terminal; never from the command line, where ps and shell history would see it.\n\nExamples:\n  watchkeeper login --server https://watchkeeper.example.com\n  cat data/admin-token | watchkeeper login --server http://localhost:8080',
      ),
  ).action(async (o: { server?: string; json?: boolean }) => {
    const file = configPath();
    const saved = readSavedLogin(file);
    const server = (o.server || process.env.WATCHKEEPER_SERVER || saved.server || DEFAULT_SERVER).replace(/\/+$/, '');
    try {
      new URL(server);
    } catch {
      throw usageError(`--server: "${server}" is not a URL; give one like http://localhost:8080`);
    }
    const token = await readToken();
    if (!token) throw usageError('no token on standard input; pipe it in, e.g. cat data/admin-token | watchkeeper login --server URL');
    let me: Me;
    try {
      me = await new Client({ server, token }).request<Me>('GET', '/api/v1/me');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw authError(`${server} refused the token: ${err.message.replace(/^401: /, '')}. Nothing was saved.`);
      throw err;
    }
    saveLogin({ server, token }, file);
    if (o.json) return printJson({ ...me, server, config: file });
    console.log(`logged in to ${server} as ${me.user ?? `token "${me.token?.name ?? '?'}"`} (${me.role}); saved to ${file}`);
  });

  program
    .command('logout')
    .description('Forget the saved server and token (the token itself stays valid; revoke it on the server to end it)')
    .addHelpText('after', '\nExample:\n  watchkeeper logout')
    .action(() => {
      const file = configPath();
      if (!fs.existsSync(file)) {
        console.log(`not logged in: ${file} does not exist`);
        return;
      }
      fs.rmSync(file);
      console.log(`logged out: removed ${file}`);
    });

  withJson(
    program
      .command('whoami')
      .description('Which server and identity later commands use, and where each comes from')
      .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
      .option('--token <token>', 'API token (WATCHKEEPER_TOKEN)')
      .addHelpText('after', '\nExample:\n  watchkeeper whoami'),
  ).action(async (o: ConnectionOptions & { json?: boolean }) => {
    const api = connect(o);
    const me = await api.request<Me>('GET', '/api/v1/me');
    const c = resolveConnection(o);
    if (o.json) return printJson({ ...me, server: c.server, server_from: c.serverFrom, token_from: c.tokenFrom });
    console.log(`${me.user ?? `token "${me.token?.name ?? '?'}"`} (${me.role}) on ${c.server}`);
    console.log(`server from ${c.serverFrom}, token from ${c.tokenFrom}`);
  });
}
