import { AppError } from '../domain/errors.js';
import { lintPadMs, lintSchedules, type LintFinding } from '../domain/schedule/lint.js';
import type { Conn } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { overridesBetween, toOverride } from '../store/schedule.repo.js';
import { DAY, specOf } from './schedules.js';

/** How far ahead lint may look: half a year, in weeks. */
export const LINT_MAX_WEEKS = 26;

/**
 * Schedule lint over [from, from + weeks): every schedule is checked (a conflict needs the other
 * team's schedules too); with `team`, only findings about that team's schedules are returned.
 * Overrides count, reaching back and ahead far enough for the longest max_shift_hours.
 */
export async function lintOrg(conn: Conn, org: OrgSnapshot, opts: { from: number; weeks: number; team?: string }): Promise<{ from: number; to: number; findings: LintFinding[] }> {
  const { from, weeks } = opts;
  const to = from + weeks * 7 * DAY;
  let teamId: string | null = null;
  if (opts.team !== undefined) {
    const team = [...org.teams.values()].find((t) => t.name === opts.team);
    if (!team) throw AppError.invalid('team', `no team named "${opts.team}"`);
    teamId = team.id;
  }
  const schedules = [...org.schedules.values()];
  const pad = Math.max(0, ...schedules.map((s) => (s.maxShiftHours === null ? 0 : lintPadMs(s.maxShiftHours)))) + 1;
  const rows = await overridesBetween(
    conn,
    schedules.map((s) => s.id),
    from - pad,
    to + pad,
  );
  const teamName = (id: string | null) => (id === null ? null : (org.teams.get(id)?.name ?? null));
  const findings = lintSchedules(
    {
      schedules: schedules.map((s) => ({
        name: s.name,
        team: teamName(s.teamId),
        role: s.role,
        maxShiftHours: s.maxShiftHours,
        partial: s.coverage === 'partial',
        spec: specOf(
          s,
          rows.filter((r) => r.schedule_id === s.id).map(toOverride),
        ),
      })),
      teams: [...org.teams.values()].map((t) => ({ name: t.name, preferDifferentTimeZones: t.preferDifferentTimeZones })),
      users: new Map([...org.users.values()].map((u) => [u.id, { name: u.name, timeZone: u.time_zone }])),
    },
    from,
    to,
  );
  if (teamId === null) return { from, to, findings };
  const ours = new Set(schedules.filter((s) => s.teamId === teamId).map((s) => s.name));
  return { from, to, findings: findings.filter((f) => ours.has(f.schedule) || (f.other !== undefined && ours.has(f.other))) };
}
