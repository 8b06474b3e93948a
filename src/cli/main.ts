import { Command, InvalidArgumentError } from 'commander';
import type { Client } from '../client/client.js';
import { VERSION } from '../http/routes/ops.js';
import { handoffCommands } from './handoffs.js';
import { scheduleCommands } from './schedules.js';
import { swapRequestCommands } from './swap-requests.js';
import { silenceCommands } from './silences.js';
import { maintenanceCommands } from './maintenance.js';
import { heartbeatCommands } from './heartbeats.js';
import { incidentCommands } from './incidents.js';
import { postmortemCommands } from './postmortems.js';
import { statusPageCommands } from './status-page.js';
import { warRoomCommands } from './war-room.js';
import { routingCommands } from './routing.js';
import { policyCommands } from './policies.js';
import { reportCommands } from './reports.js';
import { contactMethodCommands } from './contact-methods.js';
import { slackCommands } from './slack.js';
import { twilioCommands } from './twilio.js';
import { alertCommands } from './alerts.js';
import { reviewCommands } from './review.js';
import { connect, loginCommands } from './login.js';
import { oncallCommands } from './oncall.js';
import { orgCommands } from './org.js';
import { EXIT_CODES_HELP } from './output.js';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError(`${name} must be a number from 1 to 65535`);
  return n;
};

/** Server and token by precedence: --server/--token, WATCHKEEPER_SERVER/_TOKEN, watchkeeper login. */
function client(opts: { server?: string; token?: string }): Client {
  return connect(opts);
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name('watchkeeper').description('On-call and incident response: alerts in, escalation, pages out.').version(VERSION);
  // Usage errors end as exit code 2 (see EXIT_CODES_HELP) rather than commander's process.exit(1);
  // set before any command is added so every subcommand inherits it.
  program.exitOverride().addHelpText('after', `\nStart with: watchkeeper login --server URL, then watchkeeper oncall or watchkeeper alerts list.\n${EXIT_CODES_HELP}`);

  program
    .command('serve')
    .description('Run the server (api, engine and notify roles) on SQLite under --data-dir, or PostgreSQL with DATABASE_URL')
    .option('-p, --port <port>', 'HTTP port', int('--port'), 8080)
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('-d, --data-dir <dir>', 'where the SQLite database and first-start admin token live', './data')
    .option('--org <file>', 'organisation file (YAML), or a folder of them, to apply at start; without it a fresh server loads the demo organisation')
    .option('--roles <roles>', 'roles this process runs: api,engine,notify', 'api,engine,notify')
    .addHelpText('after', '\nExamples:\n  watchkeeper serve\n  watchkeeper serve --port 9000 --org ./oncall.yaml\n  DATABASE_URL=postgres://localhost/watchkeeper watchkeeper serve --roles engine,notify')
    .action(async (o: { port: number; host: string; dataDir: string; org?: string; roles: string }) => {
      // Loaded on demand: the server's modules would add a second to every other command's start.
      const { serve } = await import('./serve.js');
      await serve({ port: o.port, host: o.host, dataDir: o.dataDir, roles: o.roles, ...(o.org ? { org: o.org } : {}) });
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
  swapRequestCommands(program, client);
  handoffCommands(program, client);
  slackCommands(program, client);
  twilioCommands(program, client);
  silenceCommands(program, client);
  maintenanceCommands(program, client);
  heartbeatCommands(program, client);
  incidentCommands(program, client);
  postmortemCommands(program, client);
  statusPageCommands(program, client);
  warRoomCommands(program, client);
  routingCommands(program, client);
  policyCommands(program, client);
  reportCommands(program, client);
  contactMethodCommands(program, client);
  oncallCommands(program, client);
  alertCommands(program, client);
  reviewCommands(program, client);
  loginCommands(program);
  orgCommands(program, client);

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
