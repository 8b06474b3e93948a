import fs from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { Client } from '../client/client.js';
import { parseOrgYaml } from '../config/org.js';
import { AppError } from '../domain/errors.js';
import { VERSION } from '../http/routes/ops.js';
import { handoffCommands } from './handoffs.js';
import { scheduleCommands } from './schedules.js';
import { silenceCommands } from './silences.js';
import { heartbeatCommands } from './heartbeats.js';
import { contactMethodCommands } from './contact-methods.js';
import { serve } from './serve.js';
import { slackCommands } from './slack.js';
import { twilioCommands } from './twilio.js';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`${name} must be a number from 1 to 65535`);
  return n;
};

function client(opts: { server?: string; token?: string }): Client {
  return new Client({
    server: opts.server ?? process.env.WATCHKEEPER_SERVER ?? 'http://localhost:8080',
    token: opts.token ?? process.env.WATCHKEEPER_TOKEN ?? null,
  });
}

interface PlanChange {
  action: string;
  kind: string;
  name: string;
}

function printPlan(changes: PlanChange[], generated: { service: string; integration: string; type: string; key: string }[], dryRun: boolean): void {
  if (changes.length === 0) {
    console.log('No changes: the server already matches the file.');
    return;
  }
  const sign: Record<string, string> = { create: '+', update: '~', delete: '-' };
  for (const c of changes) console.log(`  ${sign[c.action] ?? '?'} ${c.kind.replace('_', ' ')} ${c.name}`);
  const counts = ['create', 'update', 'delete'].map((a) => `${changes.filter((c) => c.action === a).length} to ${a}`).join(', ');
  console.log(dryRun ? `Plan: ${counts}. Nothing changed (dry run).` : `Applied: ${counts}.`);
  for (const k of generated) console.log(`Generated key for ${k.service}/${k.integration} (${k.type}): ${k.key}  (shown once; store it now)`);
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name('watchkeeper').description('On-call and incident response: alerts in, escalation, pages out.').version(VERSION);

  program
    .command('serve')
    .description('Run the server (api, engine and notify roles) on SQLite under --data-dir, or PostgreSQL with DATABASE_URL')
    .option('-p, --port <port>', 'HTTP port', int('--port'), 8080)
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('-d, --data-dir <dir>', 'where the SQLite database and first-start admin token live', './data')
    .option('--org <file>', 'organisation file (YAML) to apply at start; without it a fresh server loads the demo organisation')
    .option('--roles <roles>', 'roles this process runs: api,engine,notify', 'api,engine,notify')
    .addHelpText('after', '\nExamples:\n  watchkeeper serve\n  watchkeeper serve --port 9000 --org ./oncall.yaml\n  DATABASE_URL=postgres://localhost/watchkeeper watchkeeper serve --roles engine,notify')
    .action(async (o: { port: number; host: string; dataDir: string; org?: string; roles: string }) => {
      await serve({ port: o.port, host: o.host, dataDir: o.dataDir, roles: o.roles, ...(o.org ? { org: o.org } : {}) });
    });

  program
    .command('validate')
    .description('Check an organisation file offline; errors name the path')
    .requiredOption('-f, --file <file>', 'organisation file (YAML)')
    .addHelpText('after', '\nExample:\n  watchkeeper validate -f oncall.yaml')
    .action((o: { file: string }) => {
      try {
        const config = parseOrgYaml(fs.readFileSync(o.file, 'utf8'), o.file);
        console.log(`${o.file}: valid (${config.users.length} users, ${config.teams.length} teams, ${config.schedules.length} schedules, ${config.escalationPolicies.length} escalation policies, ${config.services.length} services)`);
      } catch (err) {
        if (err instanceof AppError) {
          console.error(`${o.file}: ${err.problems.length || 1} problem(s)`);
          for (const p of err.problems) console.error(`  ${p.field}: ${p.message}`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
    });

  program
    .command('apply')
    .description('Apply an organisation file to a running server, all or nothing')
    .requiredOption('-f, --file <file>', 'organisation file (YAML)')
    .option('--dry-run', 'show the plan without changing anything')
    .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
    .option('--token <token>', 'admin API token (WATCHKEEPER_TOKEN)')
    .addHelpText('after', '\nExamples:\n  watchkeeper apply -f oncall.yaml --dry-run\n  WATCHKEEPER_TOKEN=$(cat data/admin-token) watchkeeper apply -f oncall.yaml')
    .action(async (o: { file: string; dryRun?: boolean; server?: string; token?: string }) => {
      const yaml = fs.readFileSync(o.file, 'utf8');
      const r = await client(o).request<{ dry_run: boolean; changes: PlanChange[]; generated_keys: { service: string; integration: string; type: string; key: string }[] }>('POST', '/api/v1/config/apply', {
        yaml,
        dry_run: Boolean(o.dryRun),
      });
      printPlan(r.changes, r.generated_keys, r.dry_run);
    });

  const user = program.command('user').description('People: passwords for the web UI');
  user
    .command('set-password')
    .description("Set a user's web UI password, read from standard input (never from the command line, where ps and shell history would see it)")
    .argument('<name>', 'user name, as in the organisation file')
    .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
    .option('--token <token>', 'admin API token, or the user\'s own (WATCHKEEPER_TOKEN)')
    .option('--current-password-stdin', 'the first line of standard input is the current password, the second the new one (needed to change your own)')
    .addHelpText('after', '\nExamples:\n  openssl rand -base64 18 | tee bob.pw | WATCHKEEPER_TOKEN=$(cat data/admin-token) watchkeeper user set-password bob')
    .action(async (name: string, o: { server?: string; token?: string; currentPasswordStdin?: boolean }) => {
      const lines = (await readStdin()).split(/\r?\n/);
      const [first = '', second = ''] = lines;
      const body = o.currentPasswordStdin ? { password: second, current_password: first } : { password: first };
      if (!body.password) throw new Error('no password on standard input; pipe it in, e.g. printf %s "$PW" | watchkeeper user set-password NAME');
      await client(o).request('PUT', `/api/v1/users/${encodeURIComponent(name)}/password`, body);
      console.log(`password set for ${name}; their other web sessions have ended`);
    });

  scheduleCommands(program, client, () => cliClock.now());
  handoffCommands(program, client);
  slackCommands(program, client);
  twilioCommands(program, client);
  silenceCommands(program, client);
  heartbeatCommands(program, client);
  contactMethodCommands(program, client);

  program.showHelpAfterError('(run with --help for usage)');
  await program.parseAsync(argv);
}

/** The time `schedule show` starts from; tests point it at their fake clock. */
export const cliClock: { now: () => number } = { now: () => Date.now() };

/** Where commands read standard input from; tests put a stream of their own here. */
export const cliInput: { stdin: NodeJS.ReadableStream & { isTTY?: boolean } } = { stdin: process.stdin };

async function readStdin(): Promise<string> {
  if (cliInput.stdin.isTTY) throw new Error('pipe the password into standard input; it is never read from the command line');
  const chunks: Buffer[] = [];
  for await (const c of cliInput.stdin) chunks.push(Buffer.from(c as Buffer | string));
  return Buffer.concat(chunks).toString('utf8');
}
