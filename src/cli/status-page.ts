import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import { usageError } from './output.js';
import { table } from './schedules.js';

/**
 * `watchkeeper status-page show|set|post|subscribers`: thin views over /api/v1/status-page and
 * /api/v1/incidents/:id/public-updates. Components themselves live in the org file's status_page.
 */

type MakeClient = (opts: { server?: string; token?: string }) => Client;
interface Conn {
  json?: boolean;
  server?: string;
  token?: string;
}

interface ApiComponent {
  name: string;
  group: string | null;
  status: string;
  status_text: string;
}
interface ApiIncident {
  id: number;
  title: string;
  status_text: string;
  updated_at: string;
  updates: { at: string; status_text: string; message: string }[];
}
interface ApiStatusPage {
  title: string;
  url: string;
  overall: { status: string; text: string };
  components: ApiComponent[];
  active_incidents: ApiIncident[];
  scheduled_maintenance: { name: string; starts_at: string; ends_at: string; in_progress: boolean }[];
}

const short = (isoTime: string): string => `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)}Z`;
const STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];
const collect = (v: string, prev: string[] = []) => [...prev, v];

export function statusPageCommands(program: Command, client: MakeClient): void {
  const conn = (c: Command) => c.option('--server <url>', 'server URL (WATCHKEEPER_SERVER)').option('--token <token>', 'API token (WATCHKEEPER_TOKEN)').option('--json', 'print the API answer as JSON');
  const sp = program.command('status-page').description('The public status page at /status: components, public updates, subscribers');

  conn(sp.command('show').description('Overall status, components, active incidents and scheduled maintenance, as the public sees them')).action(async (o: Conn) => {
    const r = await client(o).request<ApiStatusPage>('GET', '/api/v1/status-page/admin');
    if (o.json) return void console.log(JSON.stringify(r, null, 2));
    console.log(`${r.title}: ${r.overall.text} (${r.url})`);
    for (const line of table([['COMPONENT', 'GROUP', 'STATUS'], ...r.components.map((c) => [c.name, c.group ?? '-', c.status])])) console.log(line);
    for (const i of r.active_incidents) console.log(`incident #${i.id} "${i.title}": ${i.status_text}, last update ${short(i.updated_at)}: ${i.updates[0]?.message ?? ''}`);
    for (const m of r.scheduled_maintenance) console.log(`maintenance "${m.name}" ${m.in_progress ? 'in progress' : 'scheduled'}: ${short(m.starts_at)} to ${short(m.ends_at)}`);
  });

  conn(
    sp
      .command('set')
      .description('Set a component’s status by hand')
      .argument('<component>', 'component name, as in the org file')
      .argument('<status>', STATUSES.join(' | '))
      .addHelpText('after', '\nExamples:\n  watchkeeper status-page set Checkout degraded_performance\n  watchkeeper status-page set Checkout operational'),
  ).action(async (component: string, status: string, o: Conn) => {
    if (!STATUSES.includes(status)) throw usageError(`status: use one of ${STATUSES.join(', ')}`);
    const r = await client(o).request<{ component: string; status: string; changed: boolean }>('PUT', `/api/v1/status-page/components/${encodeURIComponent(component)}/status`, { status });
    if (o.json) return void console.log(JSON.stringify(r, null, 2));
    console.log(r.changed ? `${r.component} is now ${r.status}` : `${r.component} was already ${r.status}`);
  });

  conn(
    sp
      .command('post')
      .description('Post a public update on an incident; confirmed subscribers get it')
      .argument('<incident>', 'incident number, e.g. 12')
      .requiredOption('--status <status>', 'investigating | identified | monitoring | resolved')
      .option('--message <text>', 'what customers read (default: the template sentence for the status)')
      .option('--component <name=status>', 'set a component, e.g. Checkout=partial_outage (repeat for more)', collect)
      .addHelpText('after', '\nExamples:\n  watchkeeper status-page post 12 --status investigating --component Checkout=partial_outage\n  watchkeeper status-page post 12 --status resolved --message "Payments work again."'),
  ).action(async (incident: string, o: Conn & { status: string; message?: string; component?: string[] }) => {
    const components: Record<string, string> = {};
    for (const c of o.component ?? []) {
      const eq = c.lastIndexOf('=');
      if (eq <= 0) throw usageError(`--component: write NAME=STATUS, e.g. Checkout=partial_outage (got "${c}")`);
      components[c.slice(0, eq)] = c.slice(eq + 1);
    }
    const api = client(o);
    let message = o.message;
    if (message === undefined) {
      const [t, d] = await Promise.all([
        api.request<{ templates: { status: string; message: string }[] }>('GET', '/api/v1/status-page/templates'),
        api.request<{ incident: { title: string } }>('GET', `/api/v1/incidents/${encodeURIComponent(incident.replace(/^#/, ''))}`),
      ]);
      const tpl = t.templates.find((x) => x.status === o.status);
      if (!tpl) throw usageError('--status: use one of investigating, identified, monitoring, resolved');
      message = tpl.message.replace('{issue}', d.incident.title);
    }
    const r = await api.request<{ update: { id: number; status: string; message: string; components: Record<string, string> } }>('POST', `/api/v1/incidents/${encodeURIComponent(incident.replace(/^#/, ''))}/public-updates`, {
      status: o.status,
      message,
      ...(Object.keys(components).length ? { components } : {}),
    });
    if (o.json) return void console.log(JSON.stringify(r, null, 2));
    const set = Object.entries(r.update.components).map(([n, s]) => `${n}=${s}`);
    console.log(`public update posted on incident #${incident.replace(/^#/, '')} (${r.update.status}): ${r.update.message}${set.length ? `; ${set.join(', ')}` : ''}`);
  });

  conn(sp.command('subscribers').description('Who gets public updates (admins)').option('--remove <id>', 'remove this subscriber')).action(async (o: Conn & { remove?: string }) => {
    const api = client(o);
    if (o.remove) {
      const r = await api.request<{ removed: string }>('DELETE', `/api/v1/status-page/subscribers/${encodeURIComponent(o.remove)}`);
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      console.log(`subscriber ${r.removed} removed`);
      return;
    }
    const r = await api.request<{ subscribers: { id: string; kind: string; address: string; confirmed: boolean; created_at: string }[] }>('GET', '/api/v1/status-page/subscribers');
    if (o.json) return void console.log(JSON.stringify(r, null, 2));
    if (r.subscribers.length === 0) return void console.log('No subscribers. People subscribe on the status page (/status).');
    for (const line of table([['ID', 'KIND', 'ADDRESS', 'CONFIRMED', 'SINCE'], ...r.subscribers.map((s) => [s.id, s.kind, s.address, s.confirmed ? 'yes' : 'no', short(s.created_at)])])) console.log(line);
  });
}
