import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import { table } from './schedules.js';

/**
 * `watchkeeper maintenance preview|add|list|show|end|approve`: thin views over
 * /api/v1/maintenance-windows. Windows from the org file are listed too (managed by the file).
 */

type MakeClient = (opts: { server?: string; token?: string }) => Client;

interface Occ {
  starts_at: string;
  ends_at: string;
}
interface ApiWindow {
  id: string;
  name: string;
  managed_by: 'file' | 'api';
  state: string;
  approval: { state: 'approved' } | { state: 'pending'; reasons: string[]; waiting_for: string[] };
  scope: string;
  schedule: string;
  current: Occ | null;
  next: Occ[];
  comment: string;
  created_by: string;
  held_alerts?: number;
}
interface ApiWarning {
  message: string;
}
interface ApiAlert {
  id: number;
  status: string;
  severity: string;
  summary: string;
  service: { name: string | null };
}

const short = (isoTime: string): string => `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)}Z`;
const span = (o: Occ): string => `${short(o.starts_at)} to ${short(o.ends_at)}`;
const collect = (v: string, prev: string[] = []) => [...prev, v];

interface AddOptions {
  name?: string;
  service?: string[];
  matcher?: string[];
  rrule?: string;
  zone?: string;
  start?: string;
  end?: string;
  duration?: string;
  from?: string;
  comment: string;
  json?: boolean;
  server?: string;
  token?: string;
}

function describeWindow(w: ApiWindow): string[] {
  const lines = [`maintenance window ${w.id} "${w.name}" ${w.state}: ${w.scope}, ${w.schedule}`];
  if (w.current) lines.push(`in effect now, until ${short(w.current.ends_at)}`);
  const next = w.next.filter((o) => !w.current || o.starts_at !== w.current.starts_at);
  if (next[0]) lines.push(`next: ${span(next[0])}`);
  return lines;
}

export function maintenanceCommands(program: Command, client: MakeClient): void {
  const conn = (c: Command) => c.option('--server <url>', 'server URL (WATCHKEEPER_SERVER)').option('--token <token>', 'API token (WATCHKEEPER_TOKEN)').option('--json', 'print the API answer as JSON');
  const m = program.command('maintenance').description('Maintenance windows: alerts they cover are recorded but page nobody');

  const windowOptions = (c: Command) =>
    c
      .option('--name <name>', 'shown on the alerts it mutes (default: the comment)')
      .option('--service <name>', 'a service it covers (repeat for more)', collect)
      .option('--matcher <matcher>', 'a label matcher alerts must match, e.g. env=prod (repeat for more)', collect)
      .option('--rrule <rule>', 'recurring: iCalendar RRULE, e.g. "FREQ=WEEKLY;BYDAY=SU"')
      .option('--zone <zone>', 'recurring: time zone of --start, e.g. America/Chicago')
      .option('--start <time>', 'recurring: local HH:MM; one-off: ISO date-time with a zone (default now)')
      .option('--end <time>', 'one-off: ISO date-time with a zone')
      .option('--duration <d>', 'how long, e.g. 4h or 90m')
      .option('--from <date>', 'recurring: first day, YYYY-MM-DD (default today)');
  const bodyOf = (o: AddOptions) => {
    const recurring = o.rrule !== undefined;
    return {
      ...(o.name ? { name: o.name } : {}),
      ...(o.service ? { services: o.service } : {}),
      ...(o.matcher ? { matchers: o.matcher } : {}),
      ...(recurring ? { rrule: o.rrule, time_zone: o.zone, start: o.start, from: o.from } : { starts_at: o.start, ends_at: o.end }),
      ...(o.duration ? { duration: o.duration } : {}),
      comment: o.comment,
    };
  };

  conn(
    windowOptions(
      m
        .command('add')
        .description('Add a one-off window (--start, --end or --duration) or a recurring one (--rrule, --zone, --start HH:MM, --duration)')
        .requiredOption('--comment <text>', 'what the work is'),
    ).addHelpText(
        'after',
        '\nExamples:\n  watchkeeper maintenance add --service backend --rrule "FREQ=WEEKLY;BYDAY=SU" --start 02:00 --duration 4h --zone America/Chicago --comment "Weekly patching"\n  watchkeeper maintenance add --service backend --duration 2h --comment "Database upgrade"',
      ),
  ).action(async (o: AddOptions) => {
    const r = await client(o).request<{ window: ApiWindow; warnings: ApiWarning[] }>('POST', '/api/v1/maintenance-windows', bodyOf(o));
    if (o.json) return void console.log(JSON.stringify(r, null, 2));
    for (const line of describeWindow(r.window)) console.log(line);
    for (const w of r.warnings) console.log(`warning: ${w.message}`);
    if (r.window.approval.state === 'pending') {
      console.log(`waiting for approval by ${r.window.approval.waiting_for.join(', ')} (${r.window.approval.reasons.join('; ')}); alerts page until then`);
      console.log(`approvers run: watchkeeper maintenance approve ${r.window.id}`);
    }
  });

  conn(windowOptions(m.command('preview').description('What a window would be, before adding it: occurrences, approval, handoff warnings, open alerts in scope')).option('--comment <text>', 'what the work is', 'preview')).action(
    async (o: AddOptions) => {
      const r = await client(o).request<{ scope: string; schedule: string; occurrences: Occ[]; needs_approval: string[]; approvers: string[]; warnings: ApiWarning[]; alerts: ApiAlert[] }>('POST', '/api/v1/maintenance-windows/preview', bodyOf(o));
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      console.log(`${r.scope}, ${r.schedule}`);
      for (const occ of r.occurrences) console.log(`  ${span(occ)}`);
      if (r.needs_approval.length) console.log(`needs approval by ${r.approvers.join(', ')}: ${r.needs_approval.join('; ')}`);
      for (const w of r.warnings) console.log(`warning: ${w.message}`);
      console.log(r.alerts.length ? `${r.alerts.length} open alert(s) in its scope now; they go on paging, new ones inside the window will not` : 'no open alert in its scope now');
    },
  );

  conn(m.command('list').description('Maintenance windows, next occurrence first')).action(async (o: { json?: boolean; server?: string; token?: string }) => {
    const r = await client(o).request<{ windows: ApiWindow[] }>('GET', '/api/v1/maintenance-windows');
    if (o.json) return void console.log(JSON.stringify(r, null, 2));
    if (r.windows.length === 0) {
      console.log('No maintenance windows. Add one with: watchkeeper maintenance add --service NAME --duration 2h --comment WHAT');
      return;
    }
    const rows = r.windows.map((w) => [w.id, w.name, w.state, w.managed_by, w.scope, w.schedule, w.current ? `now, until ${short(w.current.ends_at)}` : w.next[0] ? short(w.next[0].starts_at) : '-', String(w.held_alerts ?? 0)]);
    for (const line of table([['ID', 'NAME', 'STATE', 'MANAGED BY', 'SCOPE', 'WHEN', 'NEXT', 'ALERTS'], ...rows])) console.log(line);
  });

  conn(m.command('show').description('A window, its next occurrences and the open alerts it is holding').argument('<id>', 'window id')).action(async (id: string, o: { json?: boolean; server?: string; token?: string }) => {
    const r = await client(o).request<{ window: ApiWindow; alerts: ApiAlert[] }>('GET', `/api/v1/maintenance-windows/${encodeURIComponent(id)}`);
    if (o.json) return void console.log(JSON.stringify(r, null, 2));
    const w = r.window;
    for (const line of describeWindow(w)) console.log(line);
    console.log(`by ${w.created_by} (${w.managed_by === 'file' ? 'org file' : 'API'}): ${w.comment}`);
    if (w.approval.state === 'pending') console.log(`waiting for approval by ${w.approval.waiting_for.join(', ')}: ${w.approval.reasons.join('; ')}`);
    for (const o2 of w.next) console.log(`  ${span(o2)}`);
    if (r.alerts.length === 0) console.log('holding no open alert');
    else for (const line of table([['ALERT', 'STATUS', 'SEVERITY', 'SERVICE', 'SUMMARY'], ...r.alerts.map((a) => [`#${a.id}`, a.status, a.severity, a.service.name ?? '-', a.summary])])) console.log(line);
  });

  conn(m.command('end').description('End a window now (a recurring one for good); open alerts it held page at once').argument('<id>', 'window id')).action(async (id: string, o: { json?: boolean; server?: string; token?: string }) => {
    const r = await client(o).request<{ window: ApiWindow }>('DELETE', `/api/v1/maintenance-windows/${encodeURIComponent(id)}`);
    if (o.json) return void console.log(JSON.stringify(r, null, 2));
    console.log(`maintenance window ${id} "${r.window.name}" ended`);
  });

  conn(m.command('approve').description('Approve a window the maintenance policy holds for approval').argument('<id>', 'window id')).action(async (id: string, o: { json?: boolean; server?: string; token?: string }) => {
    const r = await client(o).request<{ approved: boolean; waiting_for: string[]; window: ApiWindow }>('POST', `/api/v1/maintenance-windows/${encodeURIComponent(id)}/approve`);
    if (o.json) return void console.log(JSON.stringify(r, null, 2));
    if (r.approved) console.log(`maintenance window ${id} "${r.window.name}" approved and in effect`);
    else console.log(`approval recorded; still waiting for ${r.waiting_for.join(', ')}`);
  });
}
