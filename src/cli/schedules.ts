import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import { printJson } from './output.js';

/**
 * `watchkeeper schedule show|lint` and `override add|list|rm` (oncall is in ./oncall.ts): thin views over the API
 * (routes/schedules.ts). The server does the schedule maths; the CLI only lays out tables.
 */

type MakeClient = (opts: { server?: string; token?: string }) => Client;

interface ApiShift {
  start: string;
  end: string;
  user: string | null;
  source: string;
}
interface ApiOverride {
  id: string;
  start: string;
  end: string;
  user: string | null;
  replaces: string | null;
  note: string;
  created_by: { kind: string; name: string };
}
interface ApiSchedule {
  name: string;
  team?: string;
  role?: string;
  time_zone: string;
  layers: { name: string; turn: string }[];
  on_call_now: { user: string; until: string | null } | null;
  overrides?: ApiOverride[];
}
interface ApiShifts {
  final: ApiShift[];
  layers: { name: string; shifts: ApiShift[] }[];
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/** "2026-03-09T00:00:00.000Z" -> "2026-03-09 00:00Z": short, still exact, still UTC. */
const short = (isoTime: string | null): string => (isoTime ? `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)}Z` : 'no change ahead');

/** The calendar date of an instant in a zone, as the handbooks write it (2026-02-16). */
const dateIn = (ms: number, timeZone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));

const ROLE_ORDER = ['primary', 'secondary', 'shadow', 'manager'];
const rank = (s: ApiSchedule) => {
  const i = ROLE_ORDER.indexOf(s.role ?? '');
  return i < 0 ? ROLE_ORDER.length : i;
};
const header = (s: ApiSchedule, many: boolean) => (many && s.role ? s.role.charAt(0).toUpperCase() + s.role.slice(1) : s.name);

const DAY = 86_400_000;

/**
 * The handbook's table: one row per handoff of the first schedule's base layer (a week for weekly
 * rotations), one column per schedule, the person on call longest in that row (others after "+").
 */
export async function scheduleWeeks(api: Client, schedules: ApiSchedule[], weeks: number, now: number): Promise<string[]> {
  const sorted = [...schedules].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const anchor = sorted[0];
  if (!anchor) return [];
  const from = now - 31 * DAY;
  const to = now + (weeks + 1) * 7 * DAY + DAY;
  const range = `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
  const data = await Promise.all(sorted.map((s) => api.request<ApiShifts>('GET', `/api/v1/schedules/${encodeURIComponent(s.name)}/shifts?${range}`)));
  const base = data[0]?.layers[0]?.shifts ?? [];
  const starts = [...new Set(base.map((s) => Date.parse(s.start)).filter((t) => t > from))];
  const rows: { start: number; end: number }[] = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    const start = starts[i] as number;
    const end = starts[i + 1] as number;
    if (end > now && rows.length < weeks) rows.push({ start, end });
  }
  const weekly = /week/.test(anchor.layers[0]?.turn ?? '');
  const out: string[][] = [[weekly ? 'Week of' : 'From', ...sorted.map((s) => header(s, sorted.length > 1))]];
  for (const row of rows) {
    const cells = data.map((d) => {
      const time = new Map<string, number>();
      for (const sh of d.final) {
        const overlap = Math.min(row.end, Date.parse(sh.end)) - Math.max(row.start, Date.parse(sh.start));
        if (overlap > 0 && sh.user) time.set(sh.user, (time.get(sh.user) ?? 0) + overlap);
      }
      const people = [...time.entries()].sort((a, b) => b[1] - a[1]).map(([u]) => u);
      return people.length === 0 ? '(nobody)' : people.length === 1 ? (people[0] as string) : `${people[0] as string} (+${people.slice(1).join(', ')})`;
    });
    out.push([dateIn(row.start, anchor.time_zone), ...cells]);
  }
  return table(out);
}

export function scheduleCommands(program: Command, client: MakeClient, clock: () => number = () => Date.now()): void {
  const conn = (c: Command) => c.option('--server <url>', 'server URL (WATCHKEEPER_SERVER)').option('--token <token>', 'API token (WATCHKEEPER_TOKEN)');

  const schedule = program.command('schedule').description('On-call schedules');
  conn(
    schedule
      .command('show')
      .description('The next weeks of a schedule, or of all a team’s schedules side by side, as the handbooks write them')
      .argument('[name]', 'schedule name')
      .option('--team <team>', 'every schedule of this team, one column each')
      .option('--weeks <n>', 'how many handoffs to show', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 52) throw new Error('--weeks must be a whole number from 1 to 52');
        return n;
      }, 4)
      .addHelpText('after', '\nExamples:\n  watchkeeper schedule show platform-primary\n  watchkeeper schedule show --team platform --weeks 8'),
  ).action(async (name: string | undefined, o: { team?: string; weeks: number; server?: string; token?: string }) => {
    if ((name === undefined) === (o.team === undefined)) throw new Error('name a schedule or give --team, not both');
    const api = client(o);
    let schedules: ApiSchedule[];
    if (name !== undefined) schedules = [await api.request<ApiSchedule>('GET', `/api/v1/schedules/${encodeURIComponent(name)}`)];
    else {
      schedules = (await api.request<{ schedules: ApiSchedule[] }>('GET', '/api/v1/schedules')).schedules.filter((s) => s.team === o.team);
      if (schedules.length === 0) throw new Error(`team "${o.team ?? ''}" has no schedules; give a schedule a team: in the organisation file`);
    }
    for (const line of await scheduleWeeks(api, schedules, o.weeks, clock())) console.log(line);
  });

  conn(
    schedule
      .command('lint')
      .description('Problems in the coming weeks: nobody on call, shifts over max_shift_hours, one person on call twice at once, primary and backup in one time zone; exit code 1 when there are any')
      .option('--team <team>', 'only problems about this team’s schedules')
      .option('--weeks <n>', 'how many weeks ahead to check (1 to 26)', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 26) throw new Error('--weeks must be a whole number from 1 to 26');
        return n;
      }, 4)
      .option('--json', 'print the API’s JSON (for scripts); the exit code is the same')
      .addHelpText('after', '\nExamples:\n  watchkeeper schedule lint\n  watchkeeper schedule lint --team platform --weeks 8   # in CI: fails when there is a problem'),
  ).action(async (o: { team?: string; weeks: number; json?: boolean; server?: string; token?: string }) => {
    const q = new URLSearchParams({ weeks: String(o.weeks) });
    if (o.team) q.set('team', o.team);
    const r = await client(o).request<{ from: string; to: string; findings: { kind: string; message: string }[] }>('GET', `/api/v1/schedules/lint?${q.toString()}`);
    if (o.json) {
      printJson(r);
      if (r.findings.length > 0) process.exitCode = 1;
      return;
    }
    const span = `the next ${o.weeks} week${o.weeks === 1 ? '' : 's'}`;
    if (r.findings.length === 0) {
      console.log(`no problems in ${span}${o.team ? ` for team ${o.team}` : ''}`);
      return;
    }
    for (const f of r.findings) console.log(`${f.kind}: ${f.message}`);
    process.exitCode = 1;
  });

  const override = program.command('override').description('Overrides: someone else on call for a while (covers)');
  conn(
    override
      .command('add')
      .description('Put a person on call in a schedule for a range')
      .argument('<schedule>', 'schedule name')
      .requiredOption('--user <user>', 'who is on call instead')
      .requiredOption('--from <time>', 'start, an ISO date-time with a zone, e.g. 2026-03-09T09:00Z')
      .requiredOption('--to <time>', 'end, an ISO date-time with a zone')
      .option('--replaces <user>', 'only where this person was on call (default: whoever was)')
      .option('--note <text>', 'why, for the record')
      .addHelpText('after', '\nExample:\n  watchkeeper override add platform-primary --user bob --replaces alice --from 2026-03-10T00:00Z --to 2026-03-11T00:00Z'),
  ).action(async (name: string, o: { user: string; from: string; to: string; replaces?: string; note?: string; server?: string; token?: string }) => {
    const body = { start: o.from, end: o.to, user: o.user, ...(o.replaces ? { replaces: o.replaces } : {}), ...(o.note ? { note: o.note } : {}) };
    const r = await client(o).request<{ override: ApiOverride }>('POST', `/api/v1/schedules/${encodeURIComponent(name)}/overrides`, body);
    const x = r.override;
    console.log(`override ${x.id}: ${x.user ?? 'nobody'} on call in ${name} from ${short(x.start)} to ${short(x.end)}${x.replaces ? ` where ${x.replaces} was` : ''}`);
  });
  conn(override.command('list').description('A schedule’s overrides that have not ended').argument('<schedule>', 'schedule name')).action(
    async (name: string, o: { server?: string; token?: string }) => {
      const s = await client(o).request<ApiSchedule>('GET', `/api/v1/schedules/${encodeURIComponent(name)}`);
      const list = s.overrides ?? [];
      if (list.length === 0) {
        console.log(`No overrides ahead in ${name}.`);
        return;
      }
      for (const line of table([['ID', 'FROM', 'TO', 'PERSON', 'REPLACES', 'BY', 'NOTE'], ...list.map((x) => [x.id, short(x.start), short(x.end), x.user ?? '(nobody)', x.replaces ?? '-', x.created_by.name, x.note])])) console.log(line);
    },
  );
  conn(override.command('rm').alias('remove').description('Remove an override').argument('<schedule>', 'schedule name').argument('<id>', 'override id (see override list)')).action(
    async (name: string, id: string, o: { server?: string; token?: string }) => {
      await client(o).request('DELETE', `/api/v1/schedules/${encodeURIComponent(name)}/overrides/${encodeURIComponent(id)}`);
      console.log(`override ${id} removed from ${name}`);
    },
  );
}
