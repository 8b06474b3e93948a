import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import { printJson, printTable, shortTime, usageError, withConnection, withJson, type ConnectionOptions } from './output.js';

/**
 * `watchkeeper swap request|list|accept|decline|cancel`: ask someone to trade shifts and answer
 * such requests, over the API (routes/swap-requests.ts).
 */

type MakeClient = (opts: ConnectionOptions) => Client;

interface ApiSwapRequest {
  id: number;
  schedule: string;
  requester: string;
  with: string;
  mine: { start: string; end: string };
  theirs: { start: string; end: string };
  note: string;
  status: string;
  direction: string | null;
  decided_by: string | null;
}

/** "2026-03-08T12:00Z..2026-03-09T00:00Z" -> { start, end }; the server checks the times. */
function range(flag: string) {
  return (v: string) => {
    const [start, end, ...rest] = v.split('..');
    if (!start || !end || rest.length) throw usageError(`${flag} must be FROM..TO, e.g. 2026-03-09T00:00Z..2026-03-10T00:00Z`);
    return { start, end };
  };
}

const span = (r: { start: string; end: string }) => `${shortTime(r.start)} – ${shortTime(r.end)}`;

export function swapRequestCommands(program: Command, client: MakeClient): void {
  const swap = program.command('swap').description('Swap requests: ask someone to trade shifts, accept or decline theirs');

  withJson(
    withConnection(
      swap
        .command('request')
        .description('Ask someone to swap: they take your range (--mine), you take theirs (--theirs), once they accept')
        .argument('<schedule>', 'schedule name')
        .requiredOption('--mine <from..to>', 'your range, which they take (ISO date-times with a zone)', range('--mine'))
        .requiredOption('--theirs <from..to>', 'their range, which you take', range('--theirs'))
        .requiredOption('--with <user>', 'who you ask')
        .option('--note <text>', 'why, for them to read')
        .addHelpText('after', '\nExample:\n  watchkeeper swap request platform-primary --with diana --mine 2026-03-08T12:00Z..2026-03-09T00:00Z --theirs 2026-03-09T00:00Z..2026-03-10T00:00Z'),
    ),
  ).action(async (schedule: string, o: ConnectionOptions & { mine: { start: string; end: string }; theirs: { start: string; end: string }; with: string; note?: string; json?: boolean }) => {
    const r = await client(o).request<{ swap_request: ApiSwapRequest }>('POST', `/api/v1/schedules/${encodeURIComponent(schedule)}/swap-requests`, {
      with: o.with,
      mine: o.mine,
      theirs: o.theirs,
      ...(o.note !== undefined ? { note: o.note } : {}),
    });
    if (o.json) return printJson(r);
    console.log(`swap request ${r.swap_request.id} sent to ${r.swap_request.with}; it takes effect when they accept (cancel: watchkeeper swap cancel ${r.swap_request.id})`);
  });

  withJson(
    withConnection(
      swap
        .command('list')
        .description('Your swap requests, incoming and outgoing (pending ones unless --all)')
        .option('--all', 'also accepted, declined and cancelled ones'),
    ),
  ).action(async (o: ConnectionOptions & { all?: boolean; json?: boolean }) => {
    const r = await client(o).request<{ swap_requests: ApiSwapRequest[] }>('GET', `/api/v1/swap-requests${o.all ? '' : '?status=pending'}`);
    if (o.json) return printJson(r);
    if (r.swap_requests.length === 0) {
      console.log(o.all ? 'no swap requests' : 'no pending swap requests');
      return;
    }
    printTable([
      ['ID', 'SCHEDULE', 'ASKED BY', 'ASKED', 'STATUS', 'HANDS OVER', 'TAKES'],
      ...r.swap_requests.map((x) => [String(x.id), x.schedule, x.requester, x.with, x.status, span(x.mine), span(x.theirs)]),
    ]);
  });

  for (const [action, done] of [
    ['accept', 'accepted: the swap is on the schedule'],
    ['decline', 'declined; the schedule is unchanged'],
    ['cancel', 'cancelled; the schedule is unchanged'],
  ] as const) {
    withJson(
      withConnection(
        swap
          .command(action)
          .description(action === 'accept' ? 'Accept a swap request made to you: the swap is made at once' : action === 'decline' ? 'Decline a swap request made to you' : 'Cancel a swap request you made')
          .argument('<id>', 'swap request number (watchkeeper swap list)'),
      ),
    ).action(async (id: string, o: ConnectionOptions & { json?: boolean }) => {
      const r = await client(o).request<{ swap_request: ApiSwapRequest }>('POST', `/api/v1/swap-requests/${encodeURIComponent(id)}/${action}`, {});
      if (o.json) return printJson(r);
      console.log(`swap request ${r.swap_request.id} ${done}`);
    });
  }
}
