import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import { table } from './schedules.js';

/**
 * `watchkeeper contact-method list|add|verify|resend|set|pause|resume|rm`, `rules show|set`,
 * `test-page`, `notices` and `reachability`: thin views over the API
 * (routes/contact-methods.ts). Without --user they act on the person the token belongs to.
 */

type MakeClient = (opts: { server?: string; token?: string }) => Client;
interface ConnOpts {
  server?: string;
  token?: string;
  user?: string;
}

interface ApiMethod {
  id: string;
  name: string;
  type: string;
  address: string;
  managed_by: 'org' | 'user';
  verified: boolean;
  paused: boolean;
  verification: { expires_at: string; attempts_left: number; resend_at: string } | null;
  channel: { name: string; connected: boolean };
}
interface ApiStep {
  contact_method: string;
  type: string;
  delay_minutes: number;
  managed_by: 'org' | 'user';
  verified: boolean;
  paused: boolean;
}
interface ApiRules {
  high: ApiStep[];
  low: ApiStep[];
  warnings: string[];
}
interface ApiNotice {
  id: number;
  kind: string;
  contact_method: string | null;
  channel: string;
  destination: string;
  status: string;
  error: string | null;
  created_at: string;
}

const enc = encodeURIComponent;

/** The --user given, or the person the token acts as. */
async function who(api: Client, o: ConnOpts): Promise<string> {
  if (o.user) return o.user;
  const me = await api.request<{ name: string | null; user: string | null }>('GET', '/api/v1/whoami');
  if (!me.user) throw new Error(`the token "${me.name ?? ''}" does not belong to a person; add --user NAME`);
  return me.user;
}

function methodState(m: ApiMethod): string {
  if (m.paused) return 'paused';
  if (!m.verified) return m.verification ? `unverified (code sent, ${m.verification.attempts_left} tries left)` : 'unverified (send a new code)';
  return m.channel.connected ? 'verified' : `verified, but ${m.channel.name} is not connected`;
}

/** "slack", "mobile:5": a contact method and the minutes before it is notified. */
export function parseStep(s: string, flag: string): { contact_method: string; delay_minutes: number } {
  const i = s.lastIndexOf(':');
  if (i < 0) return { contact_method: s, delay_minutes: 0 };
  const minutes = s.slice(i + 1);
  if (!/^\d+$/.test(minutes)) throw new Error(`${flag} ${s}: write a step as METHOD or METHOD:MINUTES, e.g. mobile:5`);
  return { contact_method: s.slice(0, i), delay_minutes: Number(minutes) };
}

const stepsText = (steps: ApiStep[]): string[] =>
  steps.length === 0
    ? ['  (none)']
    : steps.map((s) => {
        const notes = [s.managed_by === 'org' ? 'from the organisation file' : null, !s.verified ? 'not verified: skipped' : null, s.paused ? 'paused: skipped' : null].filter(Boolean);
        return `  ${s.delay_minutes === 0 ? 'at once' : `after ${s.delay_minutes} min`}: ${s.contact_method} (${s.type})${notes.length ? `  [${notes.join('; ')}]` : ''}`;
      });

export function contactMethodCommands(program: Command, client: MakeClient): void {
  const conn = (c: Command) => c.option('--server <url>', 'server URL (WATCHKEEPER_SERVER)').option('--token <token>', 'API token (WATCHKEEPER_TOKEN)');
  const person = (c: Command) => conn(c.option('--user <name>', 'whose (default: the person the token belongs to; admins may name anyone)'));

  const cm = program.command('contact-method').description('Your contact methods: where Watchkeeper pages you');
  person(cm.command('list').description('Contact methods, verified or not, paused or not')).action(async (o: ConnOpts) => {
    const api = client(o);
    const user = await who(api, o);
    const r = await api.request<{ contact_methods: ApiMethod[] }>('GET', `/api/v1/users/${enc(user)}/contact-methods`);
    if (r.contact_methods.length === 0) {
      console.log(`${user} has no contact methods; add one with: watchkeeper contact-method add NAME --type email --address ADDRESS`);
      return;
    }
    for (const line of table([['NAME', 'TYPE', 'ADDRESS', 'STATE', 'FROM'], ...r.contact_methods.map((m) => [m.name, m.type, m.address, methodState(m), m.managed_by === 'org' ? 'organisation file' : 'profile'])])) console.log(line);
  });

  person(
    cm
      .command('add')
      .description('Add a contact method; email, SMS and voice get a 6-digit code to confirm it')
      .argument('<name>', 'your name for it, e.g. mobile')
      .requiredOption('--type <type>', 'email, sms, voice, slack, teams or webhook')
      .requiredOption('--address <address>', 'email address, phone number (+44 …), Slack member ID, or URL')
      .addHelpText('after', '\nExamples:\n  watchkeeper contact-method add mobile --type sms --address "+44 7911 123456"\n  watchkeeper contact-method verify mobile 123456'),
  ).action(async (name: string, o: ConnOpts & { type: string; address: string }) => {
    const api = client(o);
    const user = await who(api, o);
    const r = await api.request<{ contact_method: ApiMethod; code_sent: boolean }>('POST', `/api/v1/users/${enc(user)}/contact-methods`, { name, type: o.type, address: o.address });
    const m = r.contact_method;
    console.log(`added "${m.name}" (${m.type}: ${m.address}) for ${user}`);
    if (r.code_sent) console.log(`a code was sent there; confirm it with: watchkeeper contact-method verify ${JSON.stringify(m.name)} CODE${o.user ? ` --user ${o.user}` : ''}`);
  });

  person(cm.command('verify').description('Confirm a contact method with the code sent through it').argument('<name>', 'contact method').argument('<code>', 'the 6 digits')).action(
    async (name: string, code: string, o: ConnOpts) => {
      const api = client(o);
      const user = await who(api, o);
      await api.request('POST', `/api/v1/users/${enc(user)}/contact-methods/${enc(name)}/verify`, { code });
      console.log(`"${name}" is verified: it can be paged now`);
    },
  );

  person(cm.command('resend').description('Send a new code (at most once a minute)').argument('<name>', 'contact method')).action(async (name: string, o: ConnOpts) => {
    const api = client(o);
    const user = await who(api, o);
    await api.request('POST', `/api/v1/users/${enc(user)}/contact-methods/${enc(name)}/resend`);
    console.log(`a new code was sent to "${name}"; the previous one no longer works`);
  });

  for (const [verb, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    person(cm.command(verb).description(paused ? 'Stop paging a contact method without removing it' : 'Page a paused contact method again').argument('<name>', 'contact method')).action(
      async (name: string, o: ConnOpts) => {
        const api = client(o);
        const user = await who(api, o);
        await api.request('PUT', `/api/v1/users/${enc(user)}/contact-methods/${enc(name)}`, { paused });
        console.log(paused ? `"${name}" is paused: nothing is sent there until you resume it` : `"${name}" is active again`);
      },
    );
  }

  person(
    cm
      .command('set')
      .description('Rename a contact method you added or change its address (email, SMS and voice get a new code)')
      .argument('<name>', 'contact method')
      .option('--name <new>', 'a new name')
      .option('--address <address>', 'a new address'),
  ).action(async (name: string, o: ConnOpts & { name?: string; address?: string }) => {
    if (o.name === undefined && o.address === undefined) throw new Error('give --name, --address or both');
    const api = client(o);
    const user = await who(api, o);
    const r = await api.request<{ contact_method: ApiMethod; code_sent: boolean }>('PUT', `/api/v1/users/${enc(user)}/contact-methods/${enc(name)}`, { ...(o.name !== undefined ? { name: o.name } : {}), ...(o.address !== undefined ? { address: o.address } : {}) });
    const m = r.contact_method;
    console.log(`"${m.name}" (${m.type}: ${m.address}) saved`);
    if (r.code_sent) console.log(`a code was sent to the new address; confirm it with: watchkeeper contact-method verify ${JSON.stringify(m.name)} CODE${o.user ? ` --user ${o.user}` : ''}`);
  });

  person(cm.command('rm').description('Remove a contact method you added, with its notification rules').argument('<name>', 'contact method')).action(async (name: string, o: ConnOpts) => {
    const api = client(o);
    const user = await who(api, o);
    await api.request('DELETE', `/api/v1/users/${enc(user)}/contact-methods/${enc(name)}`);
    console.log(`"${name}" removed`);
  });

  const rules = program.command('rules').description('Your notification rules: which methods, in what order, per urgency');
  person(rules.command('show').description('Notification rules for high- and low-urgency alerts')).action(async (o: ConnOpts) => {
    const api = client(o);
    const user = await who(api, o);
    const r = await api.request<ApiRules>('GET', `/api/v1/users/${enc(user)}/notification-rules`);
    printRules(r);
  });

  const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), ...v.split(',').map((x) => x.trim()).filter(Boolean)];
  person(
    rules
      .command('set')
      .description('Replace your own rules for one or both urgencies; steps are METHOD or METHOD:MINUTES, "none" for an empty list')
      .option('--high <steps>', 'high-urgency steps, comma-separated or repeated', collect)
      .option('--low <steps>', 'low-urgency steps, comma-separated or repeated', collect)
      .addHelpText('after', '\nExamples:\n  watchkeeper rules set --high slack,mobile:5,phone:10 --low work-email\n  watchkeeper rules set --low none'),
  ).action(async (o: ConnOpts & { high?: string[]; low?: string[] }) => {
    if (!o.high && !o.low) throw new Error('give --high, --low or both');
    const api = client(o);
    const user = await who(api, o);
    const path = `/api/v1/users/${enc(user)}/notification-rules`;
    const current = await api.request<ApiRules>('GET', path);
    const own = (steps: ApiStep[]) => steps.filter((s) => s.managed_by === 'user').map((s) => ({ contact_method: s.contact_method, delay_minutes: s.delay_minutes }));
    const list = (given: string[] | undefined, flag: string, keep: ApiStep[]) => (given === undefined ? own(keep) : given.length === 1 && given[0] === 'none' ? [] : given.map((s) => parseStep(s, flag)));
    const r = await api.request<ApiRules>('PUT', path, { high: list(o.high, '--high', current.high), low: list(o.low, '--low', current.low) });
    printRules(r);
  });

  person(
    program
      .command('test-page')
      .description('Send a test page through each verified contact method (or one) and show how it went')
      .option('--method <name>', 'only this contact method')
      .addHelpText('after', '\nExamples:\n  watchkeeper test-page\n  watchkeeper test-page --method mobile\n  watchkeeper notices --kind test   # what arrived'),
  ).action(async (o: ConnOpts & { method?: string }) => {
    const api = client(o);
    const user = await who(api, o);
    const r = await api.request<{ notices: ApiNotice[] }>('POST', `/api/v1/users/${enc(user)}/test-page`, o.method ? { contact_method: o.method } : {});
    printNotices(r.notices);
    console.log(`see what arrived with: watchkeeper notices --kind test${o.user ? ` --user ${o.user}` : ''}`);
  });

  person(
    program
      .command('notices')
      .description('Messages sent to you that are not pages (test pages, codes, handoff notes) and whether they arrived')
      .option('--kind <kind>', 'only this kind: test, verification, handoff_note …'),
  ).action(async (o: ConnOpts & { kind?: string }) => {
    const api = client(o);
    const user = await who(api, o);
    const q = new URLSearchParams({ limit: '20' });
    if (o.kind) q.set('kind', o.kind);
    const r = await api.request<{ notices: ApiNotice[] }>('GET', `/api/v1/users/${enc(user)}/notices?${q.toString()}`);
    if (r.notices.length === 0) console.log('nothing sent yet');
    else printNotices(r.notices);
  });

  conn(program.command('reachability').description('Who is on call now and cannot be paged, and the fix; exit code 1 when anyone is unreachable')).action(async (o: ConnOpts) => {
    const r = await client(o).request<{ checked: number; unreachable: { user: string; on_call: { kind: string; name: string; level?: number }[]; reasons: { message: string; fix: string }[] }[] }>('GET', '/api/v1/reachability');
    if (r.unreachable.length === 0) {
      console.log(`everyone on call now can be paged (${r.checked} checked)`);
      return;
    }
    for (const p of r.unreachable) {
      const where = p.on_call.map((w) => (w.kind === 'schedule' ? `schedule ${w.name}` : `escalation policy ${w.name} level ${w.level ?? 1}`)).join(', ');
      console.log(`${p.user} cannot be paged (on call: ${where})`);
      for (const reason of p.reasons) console.log(`  ${reason.message}: ${reason.fix}`);
    }
    process.exitCode = 1;
  });
}

function printRules(r: ApiRules): void {
  console.log('High urgency:');
  for (const l of stepsText(r.high)) console.log(l);
  console.log('Low urgency:');
  for (const l of stepsText(r.low)) console.log(l);
  for (const w of r.warnings) console.log(`warning: ${w}`);
}

function printNotices(notices: ApiNotice[]): void {
  for (const line of table([['ID', 'METHOD', 'TO', 'STATE', 'ERROR'], ...notices.map((n) => [String(n.id), n.contact_method ?? n.channel, n.destination, n.status, n.error ?? ''])])) console.log(line);
}
