import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import type { HeartbeatView } from '../commands/heartbeats.js';
import { printJson } from './output.js';
import { table } from './schedules.js';

type MakeClient = (opts: { server?: string; token?: string }) => Client;

const short = (isoTime: string | null): string => (isoTime ? `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)}Z` : '-');

/** `watchkeeper heartbeats`: every heartbeat integration, its state and when the next ping is due. */
export function heartbeatCommands(program: Command, client: MakeClient): void {
  program
    .command('heartbeats')
    .description('Heartbeat integrations: inactive (never pinged), healthy, or missed (an alert is open); exit code 1 when any is missed')
    .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
    .option('--token <token>', 'API token (WATCHKEEPER_TOKEN)')
    .option('--json', 'print the API’s JSON instead of a table (for scripts)')
    .action(async (o: { server?: string; token?: string; json?: boolean }) => {
      const r = await client(o).request<{ heartbeats: HeartbeatView[] }>('GET', '/api/v1/heartbeats');
      if (o.json) {
        printJson(r);
        if (r.heartbeats.some((h) => h.state === 'missed')) process.exitCode = 1;
        return;
      }
      if (r.heartbeats.length === 0) {
        console.log('No heartbeats. Add an integration of type heartbeat (interval, grace) to a service in the organisation file.');
        return;
      }
      const rows = r.heartbeats.map((h) => [h.service, h.name, h.state, `${h.interval} + ${h.grace}`, short(h.last_ping_at), short(h.due_at)]);
      for (const line of table([['SERVICE', 'HEARTBEAT', 'STATE', 'EVERY', 'LAST PING', 'DUE BY'], ...rows])) console.log(line);
      if (r.heartbeats.some((h) => h.state === 'missed')) process.exitCode = 1;
    });
}
