import type { Command } from 'commander';
import { ApiError, type Client } from '../client/client.js';
import { incidentId } from './incidents.js';
import { notFoundError, printJson, usageError, withConnection, withJson, type ConnectionOptions } from './output.js';

/**
 * `watchkeeper incident war-room ID` and `watchkeeper incident stakeholder-update ID MESSAGE`:
 * thin views over /api/v1/incidents/:id/war-room and /stakeholder-updates.
 */
type MakeClient = (opts: ConnectionOptions) => Client;

interface WarRoomState {
  war_room: { state: string; channel: string | null; channel_id: string | null } | null;
  slack_connected: boolean;
  sent?: { name: string; people: number; channels: string[] }[];
}

export function warRoomCommands(program: Command, client: MakeClient): void {
  const incident = program.commands.find((c) => c.name() === 'incident');
  if (!incident) throw new Error('register the incident command first');
  const cmd = (name: string) => withJson(withConnection(incident.command(name)));
  const call = async (o: ConnectionOptions, id: number, method: string, path: string, body?: unknown): Promise<WarRoomState> => {
    try {
      return await client(o).request<WarRoomState>(method, `/api/v1/incidents/${id}${path}`, body);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw notFoundError(`incident #${id} not found; see incidents with: watchkeeper incident list`);
      throw err;
    }
  };

  cmd('war-room')
    .description('Open a war room: with Slack connected, a channel #incident-YYYYMMDD-description with the role holders invited')
    .argument('<id>', 'incident number')
    .addHelpText('after', '\nStatus updates are posted to the channel too; closing the incident archives it.\n\nExample:\n  watchkeeper incident war-room 12')
    .action(async (id: string, o: ConnectionOptions & { json?: boolean }) => {
      const n = incidentId(id);
      const r = await call(o, n, 'POST', '/war-room');
      if (o.json) return printJson(r);
      const channel = r.war_room?.channel;
      console.log(channel ? `#${n}: war room opened; creating Slack channel ${channel}` : `#${n}: war room opened. Slack is not connected, so no channel was created (set WATCHKEEPER_SLACK_BOT_TOKEN and restart)`);
    });

  cmd('stakeholder-update')
    .description("Send a stakeholder update to the stakeholder groups of the incident's severity")
    .argument('<id>', 'incident number')
    .argument('<message...>', 'what stakeholders need to know')
    .addHelpText('after', '\nExample:\n  watchkeeper incident stakeholder-update 12 "EU checkout fails; fix rolling out, next update 10:30 UTC"')
    .action(async (id: string, words: string[], o: ConnectionOptions & { json?: boolean }) => {
      const n = incidentId(id);
      const message = words.join(' ').trim();
      if (!message) throw usageError('give the message, e.g. watchkeeper incident stakeholder-update 12 "Checkout is down for EU customers"');
      const r = await call(o, n, 'POST', '/stakeholder-updates', { message });
      if (o.json) return printJson(r);
      const sent = (r.sent ?? []).map((s) => `${s.name} (${s.people} ${s.people === 1 ? 'person' : 'people'}${s.channels.map((c) => `, ${c}`).join('')})`);
      console.log(`#${n}: stakeholder update sent to ${sent.join('; ')}`);
    });
}
