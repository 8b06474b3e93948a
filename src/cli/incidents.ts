import type { Command } from 'commander';
import { ApiError, type Client } from '../client/client.js';
import { INCIDENT_ROLES, KEY_MOMENTS } from '../domain/incident/lifecycle.js';
import { parseDuration } from '../domain/silence/policy.js';
import { slaFields, type ApiSlaClock } from './incident-sla.js';
import { EXIT_CODES_HELP, notFoundError, paint, printJson, printTable, shortTime, usageError, withConnection, withJson, type Colour, type ConnectionOptions } from './output.js';

/**
 * `watchkeeper incident declare|list|show|update|resolve|close|note|role|attach|detach`: thin views over
 * /api/v1/incidents. The server decides (cadence, commander rule, transitions); the CLI lays out.
 */
type MakeClient = (opts: ConnectionOptions) => Client;

export interface ApiIncident {
  id: number;
  number: string;
  slug: string;
  title: string;
  summary: string;
  status: string;
  severity: string;
  services: { id: string; name: string | null }[];
  commander: string | null;
  declared_at: string;
  declared_by: string;
  resolved_at: string | null;
  closed_at: string | null;
  last_update_at: string | null;
  next_update_at: string | null;
  update_overdue: boolean;
  sla?: ApiSlaClock[];
}
interface IncidentDetail {
  incident: ApiIncident;
  roles: { role: string; role_name: string; user: string }[];
  alerts: { id: number; status: string | null; severity: string | null; summary: string | null; service: string | null; detached_at: string | null }[];
  updates: { at: string; status: string; impact: string; actions: string; next_update_at: string | null; author: string }[];
  timeline: { at: string; kind: string; actor: { name: string }; message: string }[];
}

/** "12" or "#12" -> 12; anything else is a usage error naming the argument. */
export function incidentId(text: string): number {
  const m = /^#?(\d+)$/.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw usageError(`"${text}" is not an incident number; give the number shown by watchkeeper incident list, e.g. 12`);
  return n;
}

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

function statusColour(s: string): Colour | null {
  if (s === 'investigating') return 'red';
  if (s === 'identified' || s === 'monitoring') return 'yellow';
  if (s === 'resolved') return 'green';
  return s === 'closed' ? 'dim' : null;
}

const nextUpdate = (i: ApiIncident) => (i.next_update_at ? `${shortTime(i.next_update_at)}${i.update_overdue ? ' (overdue)' : ''}` : '-');

function printIncident(r: IncidentDetail): void {
  const i = r.incident;
  console.log(`${i.number} ${paint(i.status, statusColour(i.status))} ${i.severity}: ${i.title}`);
  const fields: [string, string][] = [
    ['slug', i.slug],
    ['declared', `${shortTime(i.declared_at)} by ${i.declared_by}`],
    ['services', i.services.map((s) => s.name ?? s.id).join(', ') || '-'],
    ['next update', nextUpdate(i)],
    ...slaFields(i.sla ?? []),
  ];
  if (i.summary) fields.push(['summary', i.summary]);
  if (i.resolved_at) fields.push(['resolved', shortTime(i.resolved_at)]);
  if (i.closed_at) fields.push(['closed', shortTime(i.closed_at)]);
  for (const x of r.roles) fields.push([x.role_name.toLowerCase(), x.user]);
  for (const a of r.alerts.filter((x) => x.detached_at === null)) fields.push(['alert', `#${a.id} ${a.status ?? '?'} ${a.severity ?? ''} ${a.service ?? ''}: ${a.summary ?? ''}`]);
  printTable(fields.map(([k, v]) => [`  ${k}`, v]));
  if (r.updates.length) {
    const u = r.updates[0]!;
    console.log('');
    console.log(`Last update (${shortTime(u.at)}, ${u.author}):`);
    printTable([
      ['  Status', u.status],
      ['  Impact', u.impact],
      ['  Current actions', u.actions],
      ['  Next update', shortTime(u.next_update_at)],
    ]);
  }
  console.log('');
  console.log('Timeline:');
  printTable([['  AT', 'EVENT', 'BY', 'MESSAGE'], ...r.timeline.map((t) => [`  ${shortTime(t.at)}`, t.kind, t.actor.name, t.message])]);
}

export function incidentCommands(program: Command, client: MakeClient): void {
  const cmd = (parent: Command, name: string) => withJson(withConnection(parent.command(name)));
  const incident = program
    .command('incident')
    .description('Incidents: declare, list, show, post status updates, resolve, close, notes and roles')
    .addHelpText(
      'after',
      `\nExamples:\n  watchkeeper incident declare "Checkout down" --alert 12 --commander alice\n  watchkeeper incident update 3 --status identified --impact "EU checkout fails" --actions "Rolling back"\n  watchkeeper incident resolve 3\n${EXIT_CODES_HELP}`,
    );

  const get = async (o: ConnectionOptions, id: number, method = 'GET', path = '', body?: unknown): Promise<IncidentDetail> => {
    try {
      return await client(o).request<IncidentDetail>(method, `/api/v1/incidents/${id}${path}`, body);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && method === 'GET') throw notFoundError(`incident #${id} not found; see incidents with: watchkeeper incident list`);
      throw err;
    }
  };
  const done = (o: { json?: boolean }, r: IncidentDetail, line: string) => (o.json ? printJson(r) : console.log(line));

  cmd(incident, 'declare')
    .description('Declare an incident, from scratch or from alerts')
    .argument('<title>', 'what is broken, e.g. "Checkout returns 5xx"')
    .option('--severity <severity>', 'the organisation scale (aliases allowed); default: the most severe alert given')
    .option('--service <names>', 'affected services, comma-separated or repeated', list)
    .option('--alert <ids>', 'alert numbers to attach, comma-separated or repeated', list)
    .option('--commander <user>', 'who leads the response (default for a person declaring a critical incident: you)')
    .option('--page', 'page the commander instead of sending a notice')
    .option('--summary <text>', 'what is known so far')
    .addHelpText('after', '\nExamples:\n  watchkeeper incident declare "Orchestrator down" --severity P1 --service Orchestrator --commander alice\n  watchkeeper incident declare "Checkout errors" --alert 12,13')
    .action(async (title: string, o: ConnectionOptions & { severity?: string; service?: string[]; alert?: string[]; commander?: string; page?: boolean; summary?: string; json?: boolean }) => {
      const alerts = (o.alert ?? []).map((a) => {
        const n = Number(a.replace(/^#/, ''));
        if (!Number.isSafeInteger(n) || n < 1) throw usageError(`--alert: "${a}" is not an alert number`);
        return n;
      });
      const r = await client(o).request<IncidentDetail>('POST', '/api/v1/incidents', {
        title,
        ...(o.severity ? { severity: o.severity } : {}),
        ...(o.service ? { services: o.service } : {}),
        ...(alerts.length ? { alerts } : {}),
        ...(o.commander ? { commander: o.commander } : {}),
        ...(o.page ? { page: true } : {}),
        ...(o.summary ? { summary: o.summary } : {}),
      });
      const i = r.incident;
      done(o, r, `declared ${i.number} ${i.severity} "${i.title}"${i.commander ? `, commander ${i.commander}` : ''}${i.next_update_at ? `; first status update due ${shortTime(i.next_update_at)}` : ''}`);
    });

  cmd(incident, 'list')
    .description('Incidents, newest first (all but closed unless --status says otherwise)')
    .option('--status <list>', 'comma-separated: open, investigating, identified, monitoring, resolved, closed, or all')
    .addHelpText('after', '\nExamples:\n  watchkeeper incident list\n  watchkeeper incident list --status open\n  watchkeeper incident list --status all --json')
    .action(async (o: ConnectionOptions & { status?: string; json?: boolean }) => {
      const status = o.status?.trim() === 'all' ? 'investigating,identified,monitoring,resolved,closed' : o.status;
      const r = await client(o).request<{ incidents: ApiIncident[] }>('GET', `/api/v1/incidents${status ? `?status=${encodeURIComponent(status)}` : ''}`);
      if (o.json) return printJson(r);
      if (r.incidents.length === 0) {
        console.log(o.status ? 'No incidents match.' : 'No incidents. Declare one with: watchkeeper incident declare TITLE --severity SEVERITY');
        return;
      }
      printTable(
        [['ID', 'STATUS', 'SEVERITY', 'COMMANDER', 'DECLARED', 'NEXT UPDATE', 'TITLE'], ...r.incidents.map((i) => [i.number, i.status, i.severity, i.commander ?? '-', shortTime(i.declared_at), nextUpdate(i), i.title])],
        (col, cell) => (col === 1 ? statusColour(cell) : col === 5 && cell.endsWith('(overdue)') ? 'red' : null),
      );
    });

  cmd(incident, 'show')
    .description('One incident: roles, alerts, the last status update and the timeline')
    .argument('<id>', 'incident number')
    .action(async (id: string, o: ConnectionOptions & { json?: boolean }) => {
      const r = await get(o, incidentId(id));
      if (o.json) return printJson(r);
      printIncident(r);
    });

  cmd(incident, 'update')
    .description('Post a status update: status, impact, current actions, next update time')
    .argument('<id>', 'incident number')
    .requiredOption('--impact <text>', 'who or what is affected')
    .requiredOption('--actions <text>', 'what is being done now')
    .option('--status <status>', 'investigating, identified, monitoring or resolved (default: unchanged)')
    .option('--next-update <duration>', 'when the next update comes, e.g. 15m (default: the cadence of the severity)')
    .addHelpText('after', '\nExample:\n  watchkeeper incident update 3 --status identified --impact "EU checkout fails" --actions "Rolling back 1.42" --next-update 15m')
    .action(async (id: string, o: ConnectionOptions & { impact: string; actions: string; status?: string; nextUpdate?: string; json?: boolean }) => {
      const n = incidentId(id);
      let minutes: number | undefined;
      if (o.nextUpdate !== undefined) {
        const ms = parseDuration(o.nextUpdate);
        if (ms === null || ms < 60_000 || ms % 60_000 !== 0) throw usageError(`--next-update: "${o.nextUpdate}" is not a number of minutes; write e.g. 15m or 1h`);
        minutes = ms / 60_000;
      }
      const r = await get(o, n, 'POST', '/updates', { impact: o.impact, actions: o.actions, ...(o.status ? { status: o.status } : {}), ...(minutes ? { next_update_in_minutes: minutes } : {}) });
      done(o, r, `${r.incident.number} ${r.incident.status}: update posted${r.incident.next_update_at ? `; next due ${shortTime(r.incident.next_update_at)}` : ''}`);
    });

  cmd(incident, 'resolve')
    .description('Resolve the incident; with --impact and --actions, as a final status update')
    .argument('<id>', 'incident number')
    .option('--impact <text>', 'the final impact')
    .option('--actions <text>', 'what fixed it')
    .action(async (id: string, o: ConnectionOptions & { impact?: string; actions?: string; json?: boolean }) => {
      const n = incidentId(id);
      if ((o.impact === undefined) !== (o.actions === undefined)) throw usageError('give both --impact and --actions for a final update, or neither');
      const r = o.impact !== undefined ? await get(o, n, 'POST', '/updates', { status: 'resolved', impact: o.impact, actions: o.actions }) : await get(o, n, 'PATCH', '', { status: 'resolved' });
      done(o, r, `${r.incident.number} resolved. Close it when the follow-up is done: watchkeeper incident close ${n}`);
    });

  cmd(incident, 'close')
    .description('Close a resolved incident (final)')
    .argument('<id>', 'incident number')
    .action(async (id: string, o: ConnectionOptions & { json?: boolean }) => {
      const r = await get(o, incidentId(id), 'PATCH', '', { status: 'closed' });
      done(o, r, `${r.incident.number} closed`);
    });

  cmd(incident, 'note')
    .description('Add a note to the timeline, or mark a key moment')
    .argument('<id>', 'incident number')
    .argument('[text...]', 'the note')
    .option('--moment <moment>', `mark a key moment: ${KEY_MOMENTS.join(', ')}`)
    .addHelpText('after', '\nExamples:\n  watchkeeper incident note 3 Redis failover started\n  watchkeeper incident note 3 --moment root_cause_identified bad config in 1.42')
    .action(async (id: string, words: string[], o: ConnectionOptions & { moment?: string; json?: boolean }) => {
      const text = words.join(' ');
      if (!text && !o.moment) throw usageError('give the note text, or --moment');
      const r = await get(o, incidentId(id), 'POST', '/notes', { text, ...(o.moment ? { moment: o.moment } : {}) });
      done(o, r, `${r.incident.number}: ${o.moment ? 'key moment marked' : 'note added'}`);
    });

  cmd(incident, 'role')
    .description(`Assign a role (${INCIDENT_ROLES.join(', ')}); the person is notified, or paged with --page`)
    .argument('<id>', 'incident number')
    .argument('<role>', INCIDENT_ROLES.join(', '))
    .argument('<user>', 'user name')
    .option('--page', 'page the person instead of sending a notice')
    .option('--relieve', 'take the role away instead')
    .addHelpText('after', '\nExamples:\n  watchkeeper incident role 3 commander alice --page\n  watchkeeper incident role 3 sme bob\n  watchkeeper incident role 3 sme bob --relieve')
    .action(async (id: string, role: string, user: string, o: ConnectionOptions & { page?: boolean; relieve?: boolean; json?: boolean }) => {
      const n = incidentId(id);
      const r = o.relieve ? await get(o, n, 'POST', '/roles/relieve', { role, user }) : await get(o, n, 'POST', '/roles', { role, user, ...(o.page ? { page: true } : {}) });
      const name = r.roles.find((x) => x.role === role)?.role_name ?? role;
      done(o, r, o.relieve ? `${r.incident.number}: ${user} relieved` : `${r.incident.number}: ${user} is ${name}; ${o.page ? 'paged' : 'notified'}`);
    });

  cmd(incident, 'detach')
    .description('Detach an alert from the incident')
    .argument('<id>', 'incident number')
    .argument('<alert>', 'alert number')
    .action(async (id: string, alert: string, o: ConnectionOptions & { json?: boolean }) => {
      const a = Number(alert.replace(/^#/, ''));
      if (!Number.isSafeInteger(a) || a < 1) throw usageError(`"${alert}" is not an alert number`);
      const r = await get(o, incidentId(id), 'DELETE', `/alerts/${a}`);
      done(o, r, `${r.incident.number}: #${a} detached`);
    });

  cmd(incident, 'attach')
    .description('Attach alerts to the incident')
    .argument('<id>', 'incident number')
    .argument('<alerts...>', 'alert numbers')
    .action(async (id: string, alerts: string[], o: ConnectionOptions & { json?: boolean }) => {
      const ids = alerts.map((a) => {
        const n = Number(a.replace(/^#/, ''));
        if (!Number.isSafeInteger(n) || n < 1) throw usageError(`"${a}" is not an alert number`);
        return n;
      });
      const r = await get(o, incidentId(id), 'POST', '/alerts', { alerts: ids });
      done(o, r, `${r.incident.number}: ${ids.map((x) => `#${x}`).join(', ')} attached`);
    });
}
