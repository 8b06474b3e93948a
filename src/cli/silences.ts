import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import { printJson } from './output.js';
import { table } from './schedules.js';

/**
 * `watchkeeper silence add|list|show|expire|preview`: thin views over /api/v1/silences. amtool
 * works too, against the Alertmanager API v2 (see the README).
 */

type MakeClient = (opts: { server?: string; token?: string }) => Client;

interface ApiSilence {
  id: string;
  state: string;
  matchers: string;
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  silenced_alerts?: number;
  approval: { state: 'approved' } | { state: 'pending'; waiting_for: string[] };
}
interface ApiAlert {
  id: number;
  status: string;
  severity: string;
  summary: string;
  service: { name: string | null };
}

const short = (isoTime: string): string => `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)}Z`;

function alertRows(alerts: ApiAlert[]): string[] {
  return table([['ALERT', 'STATUS', 'SEVERITY', 'SERVICE', 'SUMMARY'], ...alerts.map((a) => [`#${a.id}`, a.status, a.severity, a.service.name ?? '-', a.summary])]);
}

export function silenceCommands(program: Command, client: MakeClient): void {
  const conn = (c: Command) => c.option('--server <url>', 'server URL (WATCHKEEPER_SERVER)').option('--token <token>', 'API token (WATCHKEEPER_TOKEN)');
  const silence = program.command('silence').description('Silences: alerts that match are recorded but page nobody until the silence ends');

  conn(
    silence
      .command('add')
      .description('Silence alerts matching every matcher (name=value, name!=value, name=~regex, name!~regex)')
      .argument('<matchers...>', 'label matchers; service and severity match the alert\'s service name and severity')
      .requiredOption('--comment <text>', 'why, for the people paged otherwise')
      .option('--duration <d>', 'how long, e.g. 30m, 2h, 1d', '1h')
      .option('--start <time>', 'start later, an ISO date-time with a zone (default now)')
      .addHelpText('after', '\nExamples:\n  watchkeeper silence add service=backend --duration 2h --comment "Backend deployment in progress"\n  watchkeeper silence add alertname=HighLatency \'env=~"staging|dev"\' --duration 1d --comment "load test"'),
  ).action(async (matchers: string[], o: { comment: string; duration: string; start?: string; server?: string; token?: string }) => {
    const r = await client(o).request<{ silence: ApiSilence }>('POST', '/api/v1/silences', { matchers, duration: o.duration, comment: o.comment, ...(o.start ? { starts_at: o.start } : {}) });
    const s = r.silence;
    console.log(`silence ${s.id} ${s.state} until ${short(s.ends_at)}: ${s.matchers}`);
    if (s.approval.state === 'pending') {
      console.log(`waiting for approval by ${s.approval.waiting_for.join(', ')}; alerts page until then`);
      console.log(`approvers run: watchkeeper silence approve ${s.id}`);
      return;
    }
    console.log(s.silenced_alerts ? `${s.silenced_alerts} open alert(s) silenced now` : 'no open alert matches now; new ones that do will not page');
  });

  conn(silence.command('approve').description('Approve a silence the silence policy holds for approval').argument('<id>', 'silence id')).action(async (id: string, o: { server?: string; token?: string }) => {
    const r = await client(o).request<{ approved: boolean; waiting_for: string[]; silence: ApiSilence }>('POST', `/api/v1/silences/${encodeURIComponent(id)}/approve`);
    if (r.approved) console.log(`silence ${id} approved and in effect: ${r.silence.silenced_alerts ?? 0} open alert(s) silenced`);
    else console.log(`approval recorded; still waiting for ${r.waiting_for.join(', ')}`);
  });

  conn(
    silence
      .command('list')
      .alias('query')
      .description('Active and pending silences (--expired for the last five days’ expired ones too); `query` as amtool says it')
      .option('--expired', 'include expired silences')
      .option('--json', 'print the API’s JSON instead of a table (for scripts)'),
  ).action(async (o: { expired?: boolean; json?: boolean; server?: string; token?: string }) => {
    const r = await client(o).request<{ silences: ApiSilence[] }>('GET', `/api/v1/silences?state=${o.expired ? 'active,pending,expired' : 'active,pending'}`);
    if (o.json) return printJson(r);
    if (r.silences.length === 0) {
      console.log('No silences. Add one with: watchkeeper silence add NAME=VALUE --duration 1h --comment WHY');
      return;
    }
    const rows = r.silences.map((s) => [s.id, s.approval.state === 'pending' ? 'awaiting-approval' : s.state, s.matchers, short(s.starts_at), short(s.ends_at), String(s.silenced_alerts ?? 0), s.created_by, s.comment]);
    for (const line of table([['ID', 'STATE', 'MATCHERS', 'STARTS', 'ENDS', 'ALERTS', 'BY', 'COMMENT'], ...rows])) console.log(line);
  });

  conn(silence.command('show').description('A silence and the open alerts it is holding').argument('<id>', 'silence id').option('--json', 'print the API’s JSON (for scripts)')).action(async (id: string, o: { json?: boolean; server?: string; token?: string }) => {
    const r = await client(o).request<{ silence: ApiSilence; alerts: ApiAlert[] }>('GET', `/api/v1/silences/${encodeURIComponent(id)}`);
    if (o.json) return printJson(r);
    const s = r.silence;
    console.log(`silence ${s.id} (${s.state}) ${s.matchers}`);
    console.log(`from ${short(s.starts_at)} to ${short(s.ends_at)} by ${s.created_by}: ${s.comment}`);
    if (r.alerts.length === 0) console.log('holding no open alert');
    else for (const line of alertRows(r.alerts)) console.log(line);
  });

  conn(silence.command('expire').description('End a silence now; open alerts it held page at once').argument('<id>', 'silence id')).action(async (id: string, o: { server?: string; token?: string }) => {
    await client(o).request('DELETE', `/api/v1/silences/${encodeURIComponent(id)}`);
    console.log(`silence ${id} expired`);
  });

  conn(silence.command('preview').description('Open alerts these matchers would silence now').argument('<matchers...>', 'label matchers')).action(async (matchers: string[], o: { server?: string; token?: string }) => {
    const r = await client(o).request<{ matchers: string; alerts: ApiAlert[] }>('POST', '/api/v1/silences/preview', { matchers });
    if (r.alerts.length === 0) {
      console.log(`${r.matchers} matches no open alert`);
      return;
    }
    console.log(`${r.matchers} matches ${r.alerts.length} open alert(s):`);
    for (const line of alertRows(r.alerts)) console.log(line);
  });
}
