import { InvalidArgumentError, type Command } from 'commander';
import type { Client } from '../client/client.js';
import type { presentLoad, presentNoise, presentResponse } from '../http/routes/reports.js';
import { table } from './schedules.js';

type MakeClient = (opts: { server?: string; token?: string }) => Client;
type Response = ReturnType<typeof presentResponse>;
type Group = Response['groups'][number];
type IncidentRow = Response['incidents']['groups'][number];
type Noise = ReturnType<typeof presentNoise>;
type Load = ReturnType<typeof presentLoad>;

interface RangeOpts {
  since?: string;
  from?: string;
  to?: string;
  json?: boolean;
  csv?: boolean;
  server?: string;
  token?: string;
}

/** 220 -> "3m40s", 5100 -> "1h25m": seconds as an operator reads them. */
export function humanSeconds(s: number | null): string {
  if (s === null) return '-';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (h) return `${h}h${m ? `${m}m` : ''}`;
  if (m) return `${m}m${sec ? `${sec}s` : ''}`;
  return `${sec}s`;
}

const pct = (x: number | null): string => (x === null ? '-' : `${Math.round(x * 100)}%`);
const signed = (x: number | null): string => (x === null ? '-' : `${x > 0 ? '+' : ''}${Math.round(x * 100)}%`);

export function responseLines(r: Response): string[] {
  const row = (g: Group) => [
    g.key,
    String(g.alerts),
    `${humanSeconds(g.time_to_acknowledge.mean)} / ${humanSeconds(g.time_to_acknowledge.median)} / ${humanSeconds(g.time_to_acknowledge.p95)}`,
    `${humanSeconds(g.time_to_resolve.mean)} / ${humanSeconds(g.time_to_resolve.median)} / ${humanSeconds(g.time_to_resolve.p95)}`,
    g.target ? `${humanSeconds(g.target.acknowledge)} / ${humanSeconds(g.target.resolve)}` : '',
    `${pct(g.breached.acknowledge?.share ?? null)} / ${pct(g.breached.resolve?.share ?? null)}`,
    `${signed(g.trend.time_to_acknowledge)} / ${signed(g.trend.time_to_resolve)}`,
  ];
  const head = [r.by.toUpperCase(), 'ALERTS', 'MTTA mean/median/p95', 'MTTR mean/median/p95', 'TARGET ack/resolve', 'BREACHED ack/resolve', 'TREND mtta/mttr'];
  const lines = [`Response from ${r.from} to ${r.to} (trend against the ${Math.round((Date.parse(r.to ?? '') - Date.parse(r.from ?? '')) / 86_400_000)} days before)`, ...table([head, ...r.groups.map(row), row(r.total)])];
  // Incidents only when some were declared: most months of most teams have none.
  if (r.incidents.total.incidents === 0) return lines;
  const inc = (g: IncidentRow) => [
    g.key,
    String(g.incidents),
    `${humanSeconds(g.time_to_acknowledge.mean)} / ${humanSeconds(g.time_to_acknowledge.median)} / ${humanSeconds(g.time_to_acknowledge.p95)}`,
    `${humanSeconds(g.time_to_resolve.mean)} / ${humanSeconds(g.time_to_resolve.median)} / ${humanSeconds(g.time_to_resolve.p95)}`,
    g.target ? `${humanSeconds(g.target.acknowledge)} / ${humanSeconds(g.target.resolve)}` : '',
    `${pct(g.breached.acknowledge?.share ?? null)} / ${pct(g.breached.resolve?.share ?? null)}`,
  ];
  const incHead = ['SEVERITY', 'INCIDENTS', 'TTA mean/median/p95', 'TTR mean/median/p95', 'TARGET ack/resolve', 'BREACHED ack/resolve'];
  return [...lines, '', 'Incidents declared in the period (acknowledged: first attached alert acknowledged, update or status change):', ...table([incHead, ...r.incidents.groups.map(inc), inc(r.incidents.total)])];
}

export function noiseLines(r: Noise): string[] {
  const lines = [`Alerts from ${r.from} to ${r.to}, days in ${r.tz}`];
  lines.push(...table([['SEVERITY', 'ALERTS'], ...r.by_severity.map((s) => [s.key, String(s.total)])]), '');
  lines.push('Noisiest alerts:');
  lines.push(...table([['SERVICE', 'KEY', 'OPENED', 'REPEATS', 'RESOLVED UNACKED', 'SUMMARY'], ...r.noisiest.map((a) => [a.service, a.dedup_key, String(a.opened), String(a.repeats), String(a.resolved_without_ack), a.summary])]));
  if (r.flapping.length) lines.push('', `Flapping (fired again within an hour of resolving, twice or more): ${r.flapping.map((a) => `${a.service}/${a.dedup_key} (${a.quick_refires}×)`).join(', ')}`);
  const na = r.not_actionable;
  lines.push('', `Marked not actionable: ${na.marked} of ${na.opened} alerts (false-positive rate ${pct(na.false_positive_rate)})${na.by_alert.length ? `: ${na.by_alert.map((a) => `${a.service}/${a.dedup_key} (${a.marked} of ${a.opened})`).join(', ')}` : ''}`);
  if (r.resolved_without_ack) lines.push('', `Resolved without acknowledgement: ${r.resolved_without_ack.count} of ${r.resolved_without_ack.of} (${pct(r.resolved_without_ack.share)}): candidates to tune or drop`);
  if (r.escalations.length) {
    lines.push('', 'Levels reached:');
    lines.push(...table([['POLICY', 'LEVEL', 'ALERTS', 'SHARE'], ...r.escalations.map((e) => [e.policy, String(e.level), String(e.alerts), pct(e.share)])]));
  }
  return lines;
}

export function loadLines(r: Load): string[] {
  const lines = [`On-call load from ${r.from} to ${r.to}; bands in each person's zone: business ${r.bands.business}, sleep ${r.bands.sleep}, off the rest`];
  const comp = r.people.some((p) => p.comp_time);
  // Incident columns only when someone worked one: most weeks of most teams have none.
  const inc = r.people.some((p) => p.incidents_worked > 0);
  const days = (x: number | null | undefined) => (x === null || x === undefined ? '-' : String(x));
  lines.push(
    ...table([
      ['PERSON', 'ZONE', 'INTERRUPTIONS', 'BUSINESS', 'OFF', 'SLEEP', 'HOURS ON CALL', ...(inc ? ['INCIDENTS', 'HOURS IN INCIDENTS'] : []), ...(comp ? ['DAYS OFF EARNED', 'TAKEN', 'OWED NOW'] : [])],
      ...r.people.map((p) => [
        p.user,
        p.time_zone,
        String(p.interruptions.total),
        String(p.interruptions.business),
        String(p.interruptions.off),
        String(p.interruptions.sleep),
        String(p.hours_on_call),
        ...(inc ? [String(p.incidents_worked), String(p.hours_in_incidents)] : []),
        ...(comp ? [days(p.comp_time?.earned_days), days(p.comp_time?.taken_days), days(p.comp_time?.balance_days)] : []),
      ]),
    ]),
  );
  for (const p of r.people) for (const e of p.comp_time?.extra ?? []) lines.push(`${p.user}: +${e.days} day${e.days === 1 ? '' : 's'} off, ${e.reason}`);
  for (const t of r.teams) {
    lines.push('', `Team ${t.team}${t.spread !== null ? ` (busiest member carries ${t.spread}× the mean)` : ''}:`);
    lines.push(...table([['MEMBER', 'INTERRUPTIONS', 'SHARE', 'HOURS ON CALL', 'SHARE'], ...t.members.map((m) => [m.user, String(m.interruptions), pct(m.interruption_share), String(m.hours_on_call), pct(m.hours_share)])]));
  }
  return lines;
}

function range(o: RangeOpts): URLSearchParams {
  const q = new URLSearchParams();
  if (o.from) q.set('from', o.from);
  else q.set('since', o.since ?? '30d');
  if (o.to) q.set('to', o.to);
  if (o.csv) q.set('format', 'csv');
  return q;
}

const BY = ['severity', 'service', 'team', 'policy'];

/** `watchkeeper report mtta|noise`: the reports as terminal tables, JSON or CSV. */
export function reportCommands(program: Command, client: MakeClient): void {
  const report = program.command('report').description('Reports from the record: response times against targets, alert noise');
  const common = (c: Command) =>
    c
      .option('--since <duration>', 'how far back from now, e.g. 7d, 30d (default 30d)')
      .option('--from <time>', 'start, ISO time with offset (instead of --since)')
      .option('--to <time>', 'end, ISO time with offset (default now)')
      .option('--json', 'print the API answer as JSON')
      .option('--csv', 'print CSV, for spreadsheets')
      .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
      .option('--token <token>', 'API token (WATCHKEEPER_TOKEN)');

  common(
    report
      .command('mtta')
      .alias('response')
      .description('MTTA and MTTR (mean / median / p95) by severity, service, team or policy, against the response targets, with the trend against the previous period')
      .option('--by <dimension>', `group by ${BY.join(', ')}`, (v) => {
        if (!BY.includes(v)) throw new InvalidArgumentError(`--by must be one of ${BY.join(', ')}`);
        return v;
      }, 'severity')
      .option('--incidents', 'with --csv: the incidents by severity instead of the alerts'),
  )
    .addHelpText('after', '\nExamples:\n  watchkeeper report mtta --since 30d\n  watchkeeper report mtta --by service --since 7d\n  watchkeeper report mtta --by team --csv > response.csv\n  watchkeeper report mtta --incidents --csv > incidents.csv')
    .action(async (o: RangeOpts & { by: string; incidents?: boolean }) => {
      const q = range(o);
      q.set('by', o.by);
      if (o.incidents) q.set('of', 'incidents');
      const r = await client(o).request<Response | string>('GET', `/api/v1/reports/response?${q.toString()}`);
      if (typeof r === 'string') return void process.stdout.write(r);
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      for (const line of responseLines(r)) console.log(line);
    });

  common(
    report
      .command('noise')
      .description('Alert volume by severity and service, the noisiest and flapping alerts, alerts resolved without acknowledgement, and how often each escalation level was reached')
      .option('--tz <zone>', 'time zone for the daily counts (CSV)', 'UTC'),
  )
    .addHelpText('after', '\nExamples:\n  watchkeeper report noise --since 7d\n  watchkeeper report noise --since 30d --tz Europe/London --csv > volume.csv')
    .action(async (o: RangeOpts & { tz: string }) => {
      const q = range(o);
      q.set('tz', o.tz);
      const r = await client(o).request<Noise | string>('GET', `/api/v1/reports/noise?${q.toString()}`);
      if (typeof r === 'string') return void process.stdout.write(r);
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      for (const line of noiseLines(r)) console.log(line);
    });

  common(report.command('load').description("On-call load per person: interruptions in business, off and sleep hours (in the person's own time zone), hours on call, and how it is spread across each team"))
    .addHelpText('after', '\nExamples:\n  watchkeeper report load --since 30d\n  watchkeeper report load --since 90d --csv > load.csv')
    .action(async (o: RangeOpts) => {
      const r = await client(o).request<Load | string>('GET', `/api/v1/reports/load?${range(o).toString()}`);
      if (typeof r === 'string') return void process.stdout.write(r);
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      for (const line of loadLines(r)) console.log(line);
    });

  const comp = program.command('comp-time').description('Time off taken for being on call; what is owed is in `watchkeeper report load`');
  comp
    .command('take')
    .description('Record time off taken: your own, or anyone\'s as a manager')
    .argument('<user>', 'whose time off')
    .requiredOption('--day <date>', 'the local date it starts, YYYY-MM-DD')
    .option('--days <n>', 'how long in days, e.g. 1 or 0.5', (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('--days must be a positive number, e.g. 1 or 0.5');
      return n;
    }, 1)
    .option('--note <text>', 'why, for the record', '')
    .option('--json', 'print the API answer as JSON')
    .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
    .option('--token <token>', 'API token (WATCHKEEPER_TOKEN)')
    .addHelpText('after', '\nExamples:\n  watchkeeper comp-time take alice --day 2026-03-13\n  watchkeeper comp-time take bob --day 2026-03-16 --days 0.5 --note "after the Sunday outage"')
    .action(async (user: string, o: { day: string; days: number; note: string; json?: boolean; server?: string; token?: string }) => {
      const r = await client(o).request<{ entry: { user: string; day: string; days: number } }>('POST', '/api/v1/comp-time', { user, day: o.day, days: o.days, note: o.note });
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      console.log(`recorded: ${r.entry.user} off ${r.entry.days} day${r.entry.days === 1 ? '' : 's'} from ${r.entry.day}`);
    });
  comp
    .command('list')
    .description('Time off taken recently')
    .option('--user <user>', 'only this person')
    .option('--since <duration>', 'how far back, e.g. 30d', '90d')
    .option('--json', 'print the API answer as JSON')
    .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
    .option('--token <token>', 'API token (WATCHKEEPER_TOKEN)')
    .action(async (o: { user?: string; since: string; json?: boolean; server?: string; token?: string }) => {
      const q = new URLSearchParams({ since: o.since });
      if (o.user) q.set('user', o.user);
      const r = await client(o).request<{ entries: { id: string; user: string; day: string; days: number; note: string; recorded_by: string }[] }>('GET', `/api/v1/comp-time?${q.toString()}`);
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      if (r.entries.length === 0) return void console.log(`no time off recorded in the last ${o.since}`);
      for (const line of table([['DAY', 'PERSON', 'DAYS', 'NOTE', 'RECORDED BY', 'ID'], ...r.entries.map((e) => [e.day, e.user, String(e.days), e.note, e.recorded_by, e.id])])) console.log(line);
    });
}
