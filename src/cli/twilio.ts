import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import { table } from './schedules.js';

/** `watchkeeper twilio status`: the SMS and voice integration as the server sees it. */

type MakeClient = (opts: { server?: string; token?: string }) => Client;

export interface TwilioStatus {
  configured: boolean;
  channels: string[];
  account_sid: string | null;
  from: string | null;
  api_url: string | null;
  webhooks: { incoming_sms: string; status_callback: string };
  opted_out: { count: number; numbers: { phone: string; users: string[]; keyword: string; opted_out_at: string }[] | null };
}

export function twilioStatusLines(s: TwilioStatus): string[] {
  if (!s.configured) {
    return [
      'Twilio: not configured; sms and voice contact methods are not paged.',
      'Set WATCHKEEPER_TWILIO_ACCOUNT_SID, WATCHKEEPER_TWILIO_AUTH_TOKEN and WATCHKEEPER_TWILIO_FROM on the server and restart it.',
    ];
  }
  const lines = [
    `Twilio: sending from ${s.from ?? '?'} (account ${s.account_sid ?? '?'}, ${s.api_url ?? '?'})`,
    `Channels: ${s.channels.join(', ') || 'none'}`,
    `Incoming SMS webhook (set it on the number in the Twilio console, HTTP POST): ${s.webhooks.incoming_sms}`,
  ];
  if (s.opted_out.count === 0) lines.push('Opted out: none');
  else if (!s.opted_out.numbers) lines.push(`Opted out: ${s.opted_out.count} number(s) (an admin token shows which)`);
  else {
    lines.push(`Opted out: ${s.opted_out.count} number(s); each gets nothing until it texts START`);
    lines.push(...table([['NUMBER', 'PEOPLE', 'KEYWORD', 'SINCE'], ...s.opted_out.numbers.map((n) => [n.phone, n.users.join(', ') || '-', n.keyword, `${n.opted_out_at.slice(0, 10)} ${n.opted_out_at.slice(11, 16)}Z`])]).map((l) => `  ${l}`));
  }
  return lines;
}

export function twilioCommands(program: Command, client: MakeClient): void {
  const twilio = program.command('twilio').description('SMS and voice through Twilio');
  twilio
    .command('status')
    .description('Whether Twilio is configured, the sending number, the webhook to set in Twilio, and numbers that texted STOP')
    .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
    .option('--token <token>', 'API token (WATCHKEEPER_TOKEN)')
    .addHelpText('after', '\nExample:\n  WATCHKEEPER_TOKEN=$(cat data/admin-token) watchkeeper twilio status')
    .action(async (o: { server?: string; token?: string }) => {
      const s = await client(o).request<TwilioStatus>('GET', '/api/v1/integrations/twilio');
      for (const line of twilioStatusLines(s)) console.log(line);
    });
}
