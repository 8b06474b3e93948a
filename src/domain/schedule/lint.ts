/**
 * Schedule lint: problems in who will be on call, found before they page nobody. Pure functions
 * over schedule specs (the same maths as paging: finalShifts), so what lint says is what the engine
 * will do. Times are epoch milliseconds; messages are in the operators' words, with times in the
 * schedule's own zone.
 *
 * Rules:
 *  - gap: nobody on call in a schedule (not for a schedule marked partial: office hours are meant to end);
 *  - long_shift: one person on call longer, without a break, than the schedule's maxShiftHours
 *    (consecutive shifts of the same person count as one stretch, whatever put them there);
 *  - double_booked: the same person on call in two schedules of the same team at once (the backup
 *    backing themselves up);
 *  - same_time_zone: a team that prefers different time zones has its primary and its
 *    secondary/shadow/backup on call from the same zone at once;
 *  - conflict: the same person on call in two schedules of different teams (or without a team) at once.
 * Findings of one kind about the same schedules (and person) that touch are merged into one range.
 */

import { DateTime } from 'luxon';
import { finalShifts, type ScheduleSpec, type Shift } from './schedule.js';

export const LINT_KINDS = ['gap', 'long_shift', 'double_booked', 'same_time_zone', 'conflict'] as const;
export type LintKind = (typeof LINT_KINDS)[number];

export interface LintSchedule {
  name: string;
  /** Team name, or null. */
  team: string | null;
  /** Lowercased free word: primary, secondary, shadow… */
  role: string | null;
  spec: ScheduleSpec;
  /** Longest a person may be on call in this schedule without a break; null = no limit. */
  maxShiftHours: number | null;
  /** Intentionally not covered around the clock (`coverage: partial`): its gaps are not findings. */
  partial?: boolean;
}

export interface LintTeam {
  name: string;
  preferDifferentTimeZones: boolean;
}

export interface LintInput {
  schedules: LintSchedule[];
  teams: LintTeam[];
  /** User id -> name and IANA time zone (shifts carry ids; findings carry names). */
  users: ReadonlyMap<string, { name: string; timeZone: string }>;
}

export interface LintFinding {
  kind: LintKind;
  /** The schedule the finding is about (the first by name, for two-schedule findings). */
  schedule: string;
  /** The other schedule, for double_booked, same_time_zone and conflict. */
  other?: string;
  /** The person, by name (absent for gaps and time zones). */
  user?: string;
  start: number;
  end: number;
  message: string;
}

/** Roles that back a primary up, for same_time_zone. */
const BACKUP_ROLES = new Set(['secondary', 'shadow', 'backup']);
const KIND_ORDER = new Map<LintKind, number>(LINT_KINDS.map((k, i) => [k, i]));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How far before `from` and after `to` a schedule with this max_shift_hours is looked at, to
 * measure a long stretch whole: the limit and four weeks more. Overrides are needed that far too.
 */
export const lintPadMs = (maxShiftHours: number): number => maxShiftHours * HOUR + 28 * DAY;

/** "16 h", "1 h 30 min", "7 d", "2 d 4 h". */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  if (ms >= 2 * DAY) {
    const d = Math.floor(minutes / 1440);
    const h = Math.round((minutes - d * 1440) / 60);
    return h ? `${d} d ${h} h` : `${d} d`;
  }
  const h = Math.floor(minutes / 60);
  const m = minutes - h * 60;
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** "Tue 3 Mar 17:00 – Wed 4 Mar 09:00 UTC", or "Mon 9 Mar 09:00 – 17:00 UTC" within a day. */
export function formatRange(start: number, end: number, zone: string): string {
  const a = DateTime.fromMillis(start, { zone });
  const b = DateTime.fromMillis(end, { zone });
  const sameDay = a.toISODate() === b.toISODate();
  return `${a.toFormat('ccc d LLL HH:mm')} – ${b.toFormat(sameDay ? 'HH:mm' : 'ccc d LLL HH:mm')} ${zone}`;
}

/** Consecutive shifts of one person as one stretch, whatever their source. */
function stretches(shifts: Shift[]): Shift[] {
  const out: Shift[] = [];
  for (const s of shifts) {
    const prev = out[out.length - 1];
    if (prev && prev.end === s.start && prev.userId === s.userId) out[out.length - 1] = { ...prev, end: s.end };
    else out.push({ ...s });
  }
  return out;
}

/** Where two sorted, disjoint shift lists overlap: each overlap with both people. */
function overlaps(a: Shift[], b: Shift[]): { start: number; end: number; userA: string; userB: string }[] {
  const out: { start: number; end: number; userA: string; userB: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Shift;
    const y = b[j] as Shift;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (end > start) out.push({ start, end, userA: x.userId, userB: y.userId });
    if (x.end <= y.end) i++;
    else j++;
  }
  return out;
}

/** A finding before merging: `key` says which raw findings may merge; `people` are collected along. */
interface Raw {
  kind: LintKind;
  key: string;
  schedule: LintSchedule;
  other?: LintSchedule;
  user?: string;
  start: number;
  end: number;
  people: string[];
  zone?: string;
  /** long_shift: the stretch was cut by the window looked at, so it is at least this long. */
  cut?: boolean;
}

function message(r: Raw, teamOf: (s: LintSchedule) => string): string {
  const zone = r.schedule.spec.timeZone;
  const when = `${formatRange(r.start, r.end, zone)} (${formatDuration(r.end - r.start)})`;
  const other = r.other?.name ?? '';
  switch (r.kind) {
    case 'gap':
      return `${r.schedule.name} has nobody on call ${when}`;
    case 'long_shift':
      return `${r.user ?? ''} is on call in ${r.schedule.name} for ${r.cut ? 'at least ' : ''}${formatDuration(r.end - r.start)} at a stretch, ${formatRange(r.start, r.end, zone)}; the limit is ${r.schedule.maxShiftHours ?? 0} h`;
    case 'double_booked':
      return `${r.user ?? ''} is on call in both ${r.schedule.name} and ${other} ${when}; nobody backs them up`;
    case 'same_time_zone':
      return `${r.schedule.name} and ${other} both have someone in ${r.zone ?? ''} on call (${r.people.join(', ')}) ${when}; team ${r.schedule.team ?? ''} prefers different time zones`;
    case 'conflict':
      return `${r.user ?? ''} is on call in ${r.schedule.name} (${teamOf(r.schedule)}) and ${other} (${teamOf(r.other as LintSchedule)}) at once ${when}`;
  }
}

export function lintSchedules(input: LintInput, from: number, to: number): LintFinding[] {
  if (!(to > from)) return [];
  const nameOf = (id: string) => input.users.get(id)?.name ?? id;
  const prefersZones = new Set(input.teams.filter((t) => t.preferDifferentTimeZones).map((t) => t.name));
  const schedules = [...input.schedules].sort((a, b) => a.name.localeCompare(b.name));
  const shifts = new Map(schedules.map((s) => [s, stretches(finalShifts(s.spec, from, to))]));
  const raw: Raw[] = [];

  for (const s of schedules) {
    const list = shifts.get(s) as Shift[];
    // Gaps: the complement of the shifts in [from, to).
    let cur = from;
    for (const sh of s.partial ? [] : [...list, { start: to, end: to, userId: '', source: '' }]) {
      if (sh.start > cur) raw.push({ kind: 'gap', key: `gap|${s.name}`, schedule: s, start: cur, end: sh.start, people: [] });
      cur = Math.max(cur, sh.end);
    }
    // Long stretches: looked at with lintPadMs either side, so a stretch that began before `from`
    // or runs past `to` is measured whole (or said to be "at least" that long).
    const limit = s.maxShiftHours;
    if (limit !== null && limit > 0) {
      const pad = lintPadMs(limit);
      // One millisecond more either side tells a stretch that starts or ends exactly at the edge
      // from one that was cut there.
      const a = from - pad - 1;
      const b = to + pad + 1;
      for (const st of stretches(finalShifts(s.spec, a, b))) {
        if (st.end <= from || st.start >= to || st.end - st.start <= limit * HOUR) continue;
        const user = nameOf(st.userId);
        const cut = st.start <= a || st.end >= b;
        const start = Math.max(st.start, from - pad);
        const end = Math.min(st.end, to + pad);
        raw.push({ kind: 'long_shift', key: `long|${s.name}|${user}|${start}`, schedule: s, user, start, end, people: [], cut });
      }
    }
  }

  for (let i = 0; i < schedules.length; i++) {
    for (let j = i + 1; j < schedules.length; j++) {
      const a = schedules[i] as LintSchedule;
      const b = schedules[j] as LintSchedule;
      const sameTeam = a.team !== null && a.team === b.team;
      const roles = [a.role, b.role];
      const zonePair = sameTeam && a.team !== null && prefersZones.has(a.team) && roles.includes('primary') && roles.some((r) => r !== null && BACKUP_ROLES.has(r));
      for (const o of overlaps(shifts.get(a) as Shift[], shifts.get(b) as Shift[])) {
        if (o.userA === o.userB) {
          const user = nameOf(o.userA);
          const kind: LintKind = sameTeam ? 'double_booked' : 'conflict';
          raw.push({ kind, key: `${kind}|${a.name}|${b.name}|${user}`, schedule: a, other: b, user, start: o.start, end: o.end, people: [] });
        } else if (zonePair) {
          const za = input.users.get(o.userA)?.timeZone;
          const zb = input.users.get(o.userB)?.timeZone;
          if (za !== undefined && za === zb) {
            raw.push({ kind: 'same_time_zone', key: `tz|${a.name}|${b.name}|${za}`, schedule: a, other: b, start: o.start, end: o.end, people: [nameOf(o.userA), nameOf(o.userB)], zone: za });
          }
        }
      }
    }
  }

  // Merge findings with the same key that touch or overlap.
  raw.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.start - y.start));
  const merged: Raw[] = [];
  for (const r of raw) {
    const prev = merged[merged.length - 1];
    if (prev && prev.key === r.key && r.start <= prev.end) {
      prev.end = Math.max(prev.end, r.end);
      for (const p of r.people) if (!prev.people.includes(p)) prev.people.push(p);
    } else merged.push({ ...r, people: [...r.people] });
  }

  const teamOf = (s: LintSchedule) => (s.team === null ? 'no team' : `team ${s.team}`);
  return merged
    .sort((x, y) => x.start - y.start || (KIND_ORDER.get(x.kind) ?? 0) - (KIND_ORDER.get(y.kind) ?? 0) || x.schedule.name.localeCompare(y.schedule.name) || x.key.localeCompare(y.key))
    .map((r): LintFinding => ({
      kind: r.kind,
      schedule: r.schedule.name,
      ...(r.other ? { other: r.other.name } : {}),
      ...(r.user !== undefined ? { user: r.user } : {}),
      start: r.start,
      end: r.end,
      message: message(r, teamOf),
    }));
}
