import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import type { SlackStatus } from '../notify/slack/slack.js';
import { table } from './schedules.js';

type MakeClient = (opts: { server?: string; token?: string }) => Client;

/** `watchkeeper slack status`: a view over GET /api/v1/integrations/slack. */
export function slackCommands(program: Command, client: MakeClient): void {
  const slack = program.command('slack').description('Slack: channel posts by severity, direct-message pages, buttons');
  slack
    .command('status')
    .description('Show whether Slack is connected, who is linked, what is waiting and where each service posts; exits 1 when not connected')
    .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
    .option('--token <token>', 'API token (WATCHKEEPER_TOKEN)')
    .addHelpText('after', '\nExample:\n  WATCHKEEPER_TOKEN=$(cat data/admin-token) watchkeeper slack status')
    .action(async (o: { server?: string; token?: string }) => {
      const s = await client(o).request<SlackStatus>('GET', '/api/v1/integrations/slack');
      for (const line of formatSlackStatus(s)) console.log(line);
      if (!s.connected) process.exitCode = 1;
    });
}

export function formatSlackStatus(s: SlackStatus): string[] {
  const lines = [s.message];
  if (s.connected) lines.push(`Buttons: ${s.interactions.enabled ? `on (Interactivity Request URL ${s.interactions.url})` : 'off (set WATCHKEEPER_SLACK_SIGNING_SECRET)'}`);
  lines.push(`People linked to Slack: ${s.users.mapped} of ${s.users.total} (${s.users.by_contact_method} by Slack contact method, ${s.users.by_email} by email)`);
  lines.push(`Messages: ${s.posts.done} up to date, ${s.posts.pending} waiting, ${s.posts.failed} failed${s.posts.last_error ? ` (last error: ${s.posts.last_error})` : ''}`);
  lines.push('');
  if (s.routing.length === 0) {
    lines.push('No service posts to Slack channels: add a slack section to a service in the organisation file (slack: {channels: {critical: "#incidents"}}).');
    return lines;
  }
  const rows = [['SERVICE', 'SEVERITY', 'CHANNEL']];
  for (const r of s.routing) {
    const entries: [string, string][] = [...Object.entries(r.channels), ...(r.security_channel ? [['security', r.security_channel] as [string, string]] : [])];
    entries.forEach(([sev, channel], i) => rows.push([i === 0 ? r.service : '', sev, channel]));
  }
  lines.push(...table(rows));
  return lines;
}
