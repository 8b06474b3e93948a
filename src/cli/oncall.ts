import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import { EXIT_CODES_HELP, notFoundError, printJson, printTable, shortTime, usageError, withConnection, withJson, type ConnectionOptions } from './output.js';

/**
 * `watchkeeper oncall [SCHEDULE|TEAM] [--at TIME]`: who is on call, per schedule with its team and
 * role, from GET /api/v1/oncall. The server does the schedule maths at its own clock; the CLI
 * only narrows the rows and lays them out.
 */

type MakeClient = (opts: ConnectionOptions) => Client;

export interface OnCallRow {
  schedule: string;
  team: string | null;
  role: string | null;
  user: string | null;
  until: string | null;
}

export function oncallCommands(program: Command, client: MakeClient): void {
  withJson(
    withConnection(
      program
        .command('oncall')
        .description('Who is on call now (or at --at) in every schedule, or in one schedule or team')
        .argument('[schedule-or-team]', 'a schedule name or a team name (default: every schedule)')
        .option('--team <team>', 'only this team’s schedules')
        .option('--at <time>', 'an ISO date-time with a zone, e.g. 2026-03-09T09:00Z (default: now)')
        .addHelpText(
          'after',
          `\nExamples:\n  watchkeeper oncall\n  watchkeeper oncall platform --at 2026-03-14T22:00Z\n  watchkeeper oncall platform-primary --json | jq -r '.oncall[0].user'\n${EXIT_CODES_HELP}`,
        ),
    ),
  ).action(async (target: string | undefined, o: ConnectionOptions & { team?: string; at?: string; json?: boolean }) => {
    if (target !== undefined && o.team !== undefined) throw usageError('give a schedule or team name, or --team, not both');
    const api = client(o);
    const q = new URLSearchParams();
    if (o.team) q.set('team', o.team);
    if (o.at) q.set('at', o.at);
    const r = await api.request<{ at: string; oncall: OnCallRow[] }>('GET', `/api/v1/oncall${q.size ? `?${q.toString()}` : ''}`);
    let rows = r.oncall;
    let team = o.team;
    if (target !== undefined) {
      const bySchedule = rows.filter((x) => x.schedule === target);
      rows = bySchedule.length > 0 ? bySchedule : rows.filter((x) => x.team === target);
      if (rows.length === 0) {
        const teams = await api.request<{ teams: { name: string }[] }>('GET', '/api/v1/teams');
        if (!teams.teams.some((t) => t.name === target)) throw notFoundError(`no schedule or team named "${target}"; run watchkeeper oncall to see them all`);
        team = target;
      }
    }
    if (o.json) return printJson({ at: r.at, oncall: rows });
    if (rows.length === 0) {
      console.log(team ? `Team ${team} has no schedules.` : 'No schedules yet; add a schedules: section to the organisation file.');
      return;
    }
    printTable([['SCHEDULE', 'TEAM', 'ROLE', 'PERSON', 'UNTIL'], ...rows.map((x) => [x.schedule, x.team ?? '-', x.role ?? '-', x.user ?? '(nobody)', shortTime(x.until, 'no change ahead')])], (col, cell) =>
      col === 3 && cell === '(nobody)' ? 'red' : col === 3 ? 'green' : null,
    );
  });
}
