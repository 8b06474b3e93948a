import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { finalShifts } from '../domain/schedule/schedule.js';
import type { Conn } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { overridesBetween, toOverride } from '../store/schedule.repo.js';
import { loadCompTimePolicy, takenBetween } from './comp-time.js';
import { CHANNEL_PREFIX } from './notify-level.js';
import type { Period } from './reports.js';
import { addIncidentLoad, mergedLength, type ExtraCompTime, type IncidentWork } from './incident-load.js';
import { specOf, wholeShifts, WHOLE_SHIFT_REACH_MS } from './schedules.js';

/**
 * On-call load per person: how often they were interrupted, when in *their* day, and how long
 * they were on call; and how that load is spread across each team.
 *
 * An interruption is one notification of a person for one escalation step of one alert: the
 * email now and the SMS five minutes later for the same step are one interruption, at the time
 * the first was sent. Pages that were never sent (cancelled by an acknowledgement) interrupted
 * nobody. Times of day are in the person's own time zone, in PagerDuty's bands:
 *   business hours: Monday to Friday, 08:00-18:00;
 *   sleep hours: every day, 22:00-08:00;
 *   off hours: the rest (evenings 18:00-22:00, weekend days).
 * Hours on call are the person's final shifts (overrides included) across all schedules, counted
 * once where schedules overlap, clipped to the period.
 */

export type Band = 'business' | 'off' | 'sleep';

export function bandOf(localHour: number, localWeekday: number): Band {
  if (localHour >= 22 || localHour < 8) return 'sleep';
  if (localWeekday <= 5 && localHour >= 8 && localHour < 18) return 'business';
  return 'off';
}

/**
 * The local hour and ISO weekday of `t` in `zone`. Offsets are asked of Luxon once per quarter
 * hour of UTC (every real zone changes offset on a quarter-hour boundary), so a report over a
 * million pages does not convert each one.
 */
const QUARTER = 900_000;

export class LocalClock {
  private readonly offsets = new Map<number, number>();
  constructor(private readonly zone: string) {}

  at(t: number): { hour: number; weekday: number } {
    const q = Math.floor(t / QUARTER);
    let offset = this.offsets.get(q);
    if (offset === undefined) {
      offset = DateTime.fromMillis(q * QUARTER, { zone: this.zone }).offset * 60_000;
      this.offsets.set(q, offset);
    }
    const local = new Date(t + offset);
    const weekday = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
    return { hour: local.getUTCHours(), weekday };
  }
}

export interface PersonLoad {
  user: string;
  timeZone: string;
  interruptions: Record<Band, number> & { total: number };
  hoursOnCall: number;
  /** Days off, when the organisation has a comp_time policy; earned includes `extra` (incident-load.ts). */
  compTime: { earnedDays: number; takenDays: number; balanceDays: number; extraDays?: number; extra?: ExtraCompTime[] } | null;
  /** Incidents worked and hours in them (incident-load.ts). */
  incidents: IncidentWork;
}

export interface TeamLoad {
  team: string;
  members: { user: string; interruptions: number; interruptionShare: number | null; hoursOnCall: number; hoursShare: number | null }[];
  /** Most-loaded member's interruptions over the mean: 1 is perfectly even. */
  spread: number | null;
}

export interface LoadReport {
  period: Period;
  people: PersonLoad[];
  teams: TeamLoad[];
}

/**
 * Interruptions per person and UTC quarter hour (its start). Every zone's hours begin on a UTC
 * quarter hour, so a quarter lies in one band of anyone's day. Whole quarters come from the
 * rollup 026-report-rollups keeps as pages are sent; the partial quarters at the edges from the
 * pages themselves, with the same rule: a step counts where its first send fell.
 */
async function interruptions(conn: Conn, period: Period, rollups: boolean): Promise<{ userId: string; at: number; c: number }[]> {
  const first = Math.ceil(period.from / QUARTER);
  const end = Math.floor(period.to / QUARTER);
  const whole = rollups && end > first;
  const edges = whole ? [{ from: period.from, to: first * QUARTER }, { from: end * QUARTER, to: period.to }].filter((e) => e.to > e.from) : [period];
  const [rolled, ...raw] = await Promise.all([
    whole
      ? sql<{ user_id: string; quarter: unknown; c: unknown }>`
          select user_id, quarter, sum(n) as c from report_interruptions
          where quarter >= ${sql.lit(first)} and quarter < ${sql.lit(end)} group by 1, 2 having sum(n) <> 0`.execute(conn)
      : { rows: [] },
    ...edges.map(
      (e) => sql<{ user_id: string; at: unknown }>`
        select user_id, min(sent_at) as at from pages
        where alert_id in (select alert_id from pages where sent_at >= ${sql.lit(e.from)} and sent_at < ${sql.lit(e.to)})
          and sent_at is not null and user_id not like ${`${CHANNEL_PREFIX}%`}
        group by alert_id, notify_seq, user_id
        having min(sent_at) >= ${sql.lit(e.from)} and min(sent_at) < ${sql.lit(e.to)}`.execute(conn),
    ),
  ]);
  return [
    ...rolled.rows.map((r) => ({ userId: r.user_id, at: Number(r.quarter) * QUARTER, c: Number(r.c) })),
    ...raw.flatMap((x) => x.rows.map((r) => ({ userId: r.user_id, at: Math.floor(Number(r.at) / QUARTER) * QUARTER, c: 1 }))),
  ];
}

export async function loadReport(conn: Conn, org: OrgSnapshot, period: Period, opts: { rollups?: boolean } = {}): Promise<LoadReport> {
  const quarters = await interruptions(conn, period, opts.rollups ?? true);

  const people = new Map<string, PersonLoad>();
  const person = (userId: string): PersonLoad | null => {
    let p = people.get(userId);
    if (!p) {
      const u = org.users.get(userId);
      if (!u) return null;
      p = { user: u.name, timeZone: u.time_zone, interruptions: { business: 0, off: 0, sleep: 0, total: 0 }, hoursOnCall: 0, compTime: null, incidents: { incidents: [], hours: 0 } };
      people.set(userId, p);
    }
    return p;
  };
  const clocks = new Map<string, LocalClock>();
  for (const r of quarters) {
    const p = person(r.userId);
    if (!p) continue;
    let clock = clocks.get(p.timeZone);
    if (!clock) clocks.set(p.timeZone, (clock = new LocalClock(p.timeZone)));
    const { hour, weekday } = clock.at(r.at);
    p.interruptions[bandOf(hour, weekday)] += r.c;
    p.interruptions.total += r.c;
  }

  for (const [userId, hours] of await hoursOnCall(conn, org, period, null)) {
    const p = person(userId);
    if (p) p.hoursOnCall = hours;
  }

  // Comp time: earned in the period, taken in it, and the balance at its end.
  const policy = await loadCompTimePolicy(conn);
  if (policy) {
    const perHour = policy.perWeekOnCall / 168;
    const windowStart = period.to - policy.takeWithinMs;
    const [earned, recent, taken, takenRecent] = await Promise.all([
      hoursOnCall(conn, org, period, policy.schedules),
      hoursOnCall(conn, org, { from: windowStart, to: period.to }, policy.schedules),
      takenBetween(conn, period.from, period.to),
      takenBetween(conn, windowStart, period.to),
    ]);
    for (const id of new Set([...earned.keys(), ...recent.keys(), ...taken.keys(), ...takenRecent.keys()])) {
      const p = person(id);
      if (!p) continue;
      p.compTime = {
        earnedDays: (earned.get(id) ?? 0) * perHour,
        takenDays: taken.get(id) ?? 0,
        balanceDays: Math.max(0, (recent.get(id) ?? 0) * perHour - (takenRecent.get(id) ?? 0)),
      };
    }
    for (const p of people.values()) p.compTime ??= { earnedDays: 0, takenDays: 0, balanceDays: 0 };
  }

  await addIncidentLoad(conn, org, period, policy, people, person);

  const teams: TeamLoad[] = [...org.teams.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => {
      const ids = [...new Set((org.teamMembers.get(t.id) ?? []).map((m) => m.userId))];
      const loads = ids.map((id) => ({ id, p: people.get(id) ?? null }));
      const totalInt = loads.reduce((s, x) => s + (x.p?.interruptions.total ?? 0), 0);
      const totalHours = loads.reduce((s, x) => s + (x.p?.hoursOnCall ?? 0), 0);
      const members = loads
        .map(({ id, p }) => {
          const interruptions = p?.interruptions.total ?? 0;
          const hoursOnCall = p?.hoursOnCall ?? 0;
          return {
            user: org.users.get(id)?.name ?? id,
            interruptions,
            interruptionShare: totalInt ? interruptions / totalInt : null,
            hoursOnCall,
            hoursShare: totalHours ? hoursOnCall / totalHours : null,
          };
        })
        .sort((a, b) => b.interruptions - a.interruptions || a.user.localeCompare(b.user));
      const mean = members.length ? totalInt / members.length : 0;
      return { team: t.name, members, spread: mean ? Math.max(...members.map((m) => m.interruptions)) / mean : null };
    });

  return { period, people: [...people.values()].sort((a, b) => b.interruptions.total - a.interruptions.total || a.user.localeCompare(b.user)), teams };
}

/**
 * Hours on call per user id in the period: final shifts (overrides included) of every schedule,
 * or only the named ones, merged per person so overlapping schedules count once.
 */
async function hoursOnCall(conn: Conn, org: OrgSnapshot, period: Period, only: string[] | null): Promise<Map<string, number>> {
  const schedules = [...org.schedules.values()].filter((s) => only === null || only.includes(s.name));
  const rows = await overridesBetween(
    conn,
    schedules.map((s) => s.id),
    period.from - WHOLE_SHIFT_REACH_MS,
    period.to + WHOLE_SHIFT_REACH_MS,
  );
  const spans = new Map<string, [number, number][]>();
  for (const s of schedules) {
    const spec = specOf(
      s,
      rows.filter((r) => r.schedule_id === s.id).map(toOverride),
    );
    for (const shift of wholeShifts((a, b) => finalShifts(spec, a, b), period.from, period.to)) {
      const start = Math.max(shift.start, period.from);
      const end = Math.min(shift.end, period.to);
      if (end > start) (spans.get(shift.userId) ?? spans.set(shift.userId, []).get(shift.userId)!).push([start, end]);
    }
  }
  const out = new Map<string, number>();
  for (const [userId, list] of spans) out.set(userId, mergedLength(list) / 3_600_000);
  return out;
}
