/**
 * On-call schedules: the maths of who is on call when. Pure functions over plain data; times are
 * epoch milliseconds, time zones are IANA names handled by Luxon (never by hand).
 *
 * A schedule stacks layers. Each layer is a rotation: participants take turns of a fixed length,
 * starting at a handoff moment given as a local date-time in a named zone, so "Monday 09:00
 * America/New_York" stays 09:00 local across daylight-saving changes (turns of 167 and 169 hours).
 * A layer may be restricted to windows (weekdays 09:00–17:00, nights, weekends); outside them it
 * has nobody and the layer below shows through. The highest layer with someone on call wins.
 * Overrides come last: they put someone else in place for a range (everyone, or only where a given
 * person was on call), or remove a person from a range.
 *
 * The types here are shared by the store, the API, the engine and the UI.
 */

import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  WEEK_MS,
  dayNumber,
  instantOf,
  isKnownZone,
  isoWeekday,
  parseLocalDateTime,
  parseLocalTime,
} from './wall-clock.js';

export type TurnUnit = 'hour' | 'day' | 'week';

export interface Turn {
  unit: TurnUnit;
  /** Turns of `count` units: 1 week, 2 weeks, 12 hours… (1 to 52 for weeks, 1 to 365 days, 1 to 8760 hours). */
  count: number;
}

/** A window in which a restricted layer is on call, in the layer's time zone. */
export interface RestrictionWindow {
  /**
   * Days the window starts on, 1 = Monday … 7 = Sunday (ISO). A window may run past midnight
   * ("22:00"–"06:00" starts on the listed day and ends the next day).
   */
  days: number[];
  /** "HH:MM", local. */
  from: string;
  /** "HH:MM", local; equal to `from` means 24 hours. */
  to: string;
}

export interface Layer {
  /** Unique within the schedule; shown in timelines. */
  name: string;
  /** User ids in turn order; the same user may appear more than once. Empty = nobody. */
  participants: string[];
  turn: Turn;
  /** The first handoff, local date-time "YYYY-MM-DDTHH:MM" in `timeZone`; participants[0] starts then. */
  start: string;
  timeZone: string;
  /** Empty or absent: on call all the time. */
  restrictions?: RestrictionWindow[];
}

export interface Override {
  id: string;
  start: number;
  end: number;
  /** Who is on call instead; null removes people from the range without a replacement. */
  userId: string | null;
  /** Only where this user was on call (a cover, a swap half, "take this shift"); null = whoever it was. */
  replacesUserId: string | null;
}

export interface ScheduleSpec {
  /** The schedule's own zone, for display and for "week of" tables. */
  timeZone: string;
  /** Lowest priority first: layers[layers.length - 1] wins where it has someone. */
  layers: Layer[];
  overrides: Override[];
}

/** One stretch of time with one person on call. */
export interface Shift {
  start: number;
  end: number;
  userId: string;
  /** Layer name, or 'override' when an override put this person there. */
  source: string;
}

// ---------------------------------------------------------------------------------------------
// Implementation.
//
// Rules decided here (the contract above leaves them open):
// - Turn k of a layer starts at `start` + k×count units. Days and weeks are added to the local
//   wall time and converted with Luxon (see wall-clock.ts), so a weekly Monday 09:00 handoff stays
//   09:00 local and the turn across a clock change lasts 167 or 169 hours; hours are added to the
//   first handoff's instant (an 8-hour turn is 8 real hours, so it drifts an hour on local clocks
//   at a clock change). A handoff or window edge at a local time skipped by a spring-forward moves
//   forward by the gap (02:30 -> 03:30); one at a repeated local time is its first occurrence.
// - Empty participants is a valid layer with nobody on call; it hides nothing below it.
// - Overrides are applied one after another in array (creation) order, each to the result of the
//   ones before, so a later override wins where they overlap, and "only where R was on call" looks
//   at who is on call after the earlier overrides (a cover of a cover works). An override with
//   `replacesUserId` never fills a gap; one without it does.
// - A layer object is treated as a value: derived data is cached per object in a WeakMap and
//   recomputed when any of its fields is replaced (not when an array is mutated in place).

export const TURN_COUNT_LIMITS: Record<TurnUnit, number> = { hour: 8760, day: 365, week: 52 };

interface DailyWindow {
  /** days[1..7]: whether a window starts on that ISO weekday. */
  days: boolean[];
  fromMinute: number;
  /** Length in wall-clock minutes, 1 to 1440 ("from == to" is a whole day). */
  minutes: number;
}

interface Derived {
  source: Layer;
  start: string;
  timeZone: string;
  unit: TurnUnit;
  count: number;
  restrictions: RestrictionWindow[] | undefined;
  /** Wall time of the first handoff. */
  startWall: number;
  /** Instant of the first handoff for hour turns; NaN for days and weeks (see firstHandoff). */
  startMs: number;
  /** Days and weeks step the wall clock; hours step the instant. */
  calendar: boolean;
  /** One turn in ms: exact for hours, nominal (wall-clock) for days and weeks. */
  stepMs: number;
  /** Null when the layer is on call all the time. */
  windows: DailyWindow[] | null;
}

interface Span {
  start: number;
  end: number;
}

const derivedByLayer = new WeakMap<Layer, Derived>();

function derive(layer: Layer): Derived {
  const cached = derivedByLayer.get(layer);
  if (
    cached &&
    cached.start === layer.start &&
    cached.timeZone === layer.timeZone &&
    cached.unit === layer.turn.unit &&
    cached.count === layer.turn.count &&
    cached.restrictions === layer.restrictions
  ) {
    return cached;
  }
  const problems = validateLayer(layer);
  if (problems.length > 0) {
    throw new Error(`layer "${layer.name}" is invalid: ${problems.map(([f, m]) => `${f} ${m}`).join('; ')}`);
  }
  const startWall = parseLocalDateTime(layer.start) as number;
  const { unit, count } = layer.turn;
  const calendar = unit !== 'hour';
  const windows =
    layer.restrictions && layer.restrictions.length > 0
      ? layer.restrictions.map((r): DailyWindow => {
          const from = parseLocalTime(r.from) as number;
          const to = parseLocalTime(r.to) as number;
          const days = new Array<boolean>(8).fill(false);
          for (const d of r.days) days[d] = true;
          return { days, fromMinute: from, minutes: to > from ? to - from : to + 1440 - from };
        })
      : null;
  const d: Derived = {
    source: layer,
    start: layer.start,
    timeZone: layer.timeZone,
    unit,
    count,
    restrictions: layer.restrictions,
    startWall,
    startMs: calendar ? NaN : instantOf(layer.timeZone, startWall),
    calendar,
    stepMs: count * (unit === 'hour' ? HOUR_MS : unit === 'day' ? DAY_MS : WEEK_MS),
    windows,
  };
  derivedByLayer.set(layer, d);
  return d;
}

/** Instant of the k-th handoff (k >= 0). */
function handoff(d: Derived, k: number): number {
  return d.calendar ? instantOf(d.timeZone, d.startWall + k * d.stepMs) : d.startMs + k * d.stepMs;
}

/**
 * Whether the layer has started by t. For days and weeks the first handoff is only converted when t
 * is within two days of its wall time (an instant is within 14 hours of its wall time, plus a
 * skipped day at most): a cold engine asking about "now" for a thousand rotas that started on a
 * thousand different Mondays then converts only the handoffs near now, which the rotas share.
 */
function startedBy(d: Derived, t: number): boolean {
  return (d.calendar && t >= d.startWall + 2 * DAY_MS) || t >= handoff(d, 0);
}

/**
 * The turn under way at t (t >= the first handoff). The guess from elapsed time over the nominal
 * turn length (for days and weeks, from the first handoff's wall time) is exact for hours and off
 * by at most one for days and weeks (offsets and clock changes are hours, a turn at least a day);
 * the loops fix it with real handoff instants. Walking
 * turns from `start` instead would cost one Luxon conversion per turn since the layer began.
 */
function turnIndexAt(d: Derived, t: number): number {
  let k = Math.max(0, Math.floor((t - (d.calendar ? d.startWall : d.startMs)) / d.stepMs));
  while (k > 0 && handoff(d, k) > t) k--;
  while (handoff(d, k + 1) <= t) k++;
  return k;
}

/**
 * Restriction windows of a layer that overlap [a, b), clipped, merged, in time order. Windows are
 * laid out per local date; the dates are taken two days before a and one after b because the
 * local date at an instant is within 14 hours of its UTC date and a window lasts at most a day.
 */
function windowSpans(d: Derived, windows: DailyWindow[], a: number, b: number): Span[] {
  const spans: Span[] = [];
  const last = dayNumber(b) + 1;
  for (let day = dayNumber(a) - 2; day <= last; day++) {
    const weekday = isoWeekday(day);
    for (const w of windows) {
      if (!w.days[weekday]) continue;
      const wall = day * DAY_MS + w.fromMinute * MINUTE_MS;
      const start = instantOf(d.timeZone, wall);
      if (start >= b) continue;
      const end = instantOf(d.timeZone, wall + w.minutes * MINUTE_MS);
      if (end <= a || end <= start) continue;
      spans.push({ start: Math.max(start, a), end: Math.min(end, b) });
    }
  }
  if (windows.length > 1) spans.sort((x, y) => x.start - y.start);
  const merged: Span[] = [];
  for (const s of spans) {
    const prev = merged[merged.length - 1];
    if (prev && s.start <= prev.end) prev.end = Math.max(prev.end, s.end);
    else merged.push(s);
  }
  return merged;
}

/** Whether t is inside one of the windows: windowSpans(t, t + 1) is not empty, without the arrays. */
function insideWindow(d: Derived, windows: DailyWindow[], t: number): boolean {
  const last = dayNumber(t) + 1;
  for (let day = dayNumber(t) - 2; day <= last; day++) {
    const weekday = isoWeekday(day);
    for (const w of windows) {
      if (!w.days[weekday]) continue;
      const wall = day * DAY_MS + w.fromMinute * MINUTE_MS;
      if (instantOf(d.timeZone, wall) > t) continue;
      if (t < instantOf(d.timeZone, wall + w.minutes * MINUTE_MS)) return true;
    }
  }
  return false;
}

export function layerShifts(layer: Layer, from: number, to: number): Shift[] {
  const n = layer.participants.length;
  if (n === 0 || !(to > from)) return [];
  const d = derive(layer);
  const a = startedBy(d, from) ? from : handoff(d, 0);
  if (a >= to) return [];
  const spans = d.windows ? windowSpans(d, d.windows, a, to) : null;
  const out: Shift[] = [];
  let si = 0;
  const first = turnIndexAt(d, a);
  let turnStart = handoff(d, first);
  for (let k = first; turnStart < to; k++) {
    const turnEnd = handoff(d, k + 1);
    const s = Math.max(turnStart, a);
    const e = Math.min(turnEnd, to);
    turnStart = turnEnd;
    if (e <= s) continue; // a turn swallowed by a skipped day (Samoa, 2011-12-30) has no length
    const userId = layer.participants[k % n] as string;
    if (!spans) {
      out.push({ start: s, end: e, userId, source: layer.name });
      continue;
    }
    while (si < spans.length && (spans[si] as Span).end <= s) si++;
    for (let j = si; j < spans.length; j++) {
      const w = spans[j] as Span;
      if (w.start >= e) break;
      out.push({ start: Math.max(w.start, s), end: Math.min(w.end, e), userId, source: layer.name });
    }
  }
  return out;
}

/** Who a layer has on call at t, without building shifts (the engine's hot path). */
function layerUserAt(layer: Layer, t: number): string | null {
  const n = layer.participants.length;
  if (n === 0) return null;
  const d = derive(layer);
  if (!startedBy(d, t)) return null;
  if (d.windows && !insideWindow(d, d.windows, t)) return null;
  return layer.participants[turnIndexAt(d, t) % n] as string;
}

/** `top` laid over `base`: top's shifts where it has any, base's in the rest. Both sorted, disjoint. */
function overlay(base: Shift[], top: Shift[]): Shift[] {
  if (top.length === 0) return base;
  if (base.length === 0) return top;
  const out: Shift[] = [];
  let j = 0;
  for (const b of base) {
    while (j < top.length && (top[j] as Shift).end <= b.start) j++;
    let cur = b.start;
    for (let i = j; i < top.length && cur < b.end; i++) {
      const t = top[i] as Shift;
      if (t.start >= b.end) break;
      if (t.start > cur) out.push({ ...b, start: cur, end: t.start });
      cur = Math.max(cur, t.end);
    }
    if (cur < b.end) out.push(cur === b.start ? b : { ...b, start: cur });
  }
  for (const t of top) out.push(t);
  return out.sort((x, y) => x.start - y.start);
}

/** One override applied to sorted, disjoint shifts over [from, to). */
function applyOverride(shifts: Shift[], o: Override, from: number, to: number): Shift[] {
  const s = Math.max(o.start, from);
  const e = Math.min(o.end, to);
  if (!(e > s)) return shifts;
  const out: Shift[] = [];
  let placed = o.replacesUserId !== null || o.userId === null;
  const place = () => {
    if (!placed) out.push({ start: s, end: e, userId: o.userId as string, source: 'override' });
    placed = true;
  };
  for (const sh of shifts) {
    if (sh.end <= s || sh.start >= e || (o.replacesUserId !== null && sh.userId !== o.replacesUserId)) {
      if (sh.start >= e) place();
      out.push(sh);
      continue;
    }
    if (sh.start < s) out.push({ ...sh, end: s });
    if (o.replacesUserId === null) place();
    else if (o.userId !== null) out.push({ start: Math.max(sh.start, s), end: Math.min(sh.end, e), userId: o.userId, source: 'override' });
    if (sh.end > e) out.push({ ...sh, start: e });
  }
  place();
  return out;
}

export function finalShifts(spec: ScheduleSpec, from: number, to: number): Shift[] {
  if (!(to > from)) return [];
  let shifts: Shift[] = [];
  for (const layer of spec.layers) shifts = overlay(shifts, layerShifts(layer, from, to));
  for (const o of spec.overrides) shifts = applyOverride(shifts, o, from, to);
  const merged: Shift[] = [];
  for (const sh of shifts) {
    const prev = merged[merged.length - 1];
    if (prev && prev.end === sh.start && prev.userId === sh.userId && prev.source === sh.source) {
      merged[merged.length - 1] = { ...prev, end: sh.end };
    } else {
      merged.push(sh);
    }
  }
  return merged;
}

export function onCallAt(spec: ScheduleSpec, t: number): string | null {
  let who: string | null = null;
  for (let i = spec.layers.length - 1; i >= 0 && who === null; i--) who = layerUserAt(spec.layers[i] as Layer, t);
  for (const o of spec.overrides) {
    if (o.start <= t && t < o.end && (o.replacesUserId === null || o.replacesUserId === who)) who = o.userId;
  }
  return who;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Five years: the longest nextChange() looks ahead before it answers "never". */
const NEXT_CHANGE_HORIZON_MS = 5 * 366 * DAY_MS;

/**
 * Searches forward in growing steps (a week, two, four…) for the first instant after t at which the
 * final shifts show someone else, or nobody. Once every layer has started and every override has
 * ended, the stack repeats with the least common multiple of its layers' cycles (participants ×
 * turn, times a week when restricted); if nothing changes within one such cycle after that point
 * (plus two days for clock changes, at most five years), nothing ever will, and the answer is null.
 */
export function nextChange(spec: ScheduleSpec, t: number): number | null {
  let settled = t;
  let cycleHours = 1;
  for (const layer of spec.layers) {
    if (layer.participants.length === 0) continue;
    const d = derive(layer);
    settled = Math.max(settled, handoff(d, 0));
    let hours = (d.stepMs / HOUR_MS) * layer.participants.length;
    if (d.windows) hours = (hours * 168) / gcd(hours, 168);
    cycleHours = Math.min((cycleHours * hours) / gcd(cycleHours, hours), NEXT_CHANGE_HORIZON_MS / HOUR_MS);
  }
  for (const o of spec.overrides) if (o.end > t) settled = Math.max(settled, o.end);
  const limit = Math.min(settled + cycleHours * HOUR_MS + 2 * DAY_MS, t + NEXT_CHANGE_HORIZON_MS);

  const who = onCallAt(spec, t);
  let pos = t; // `who` is on call (or nobody is) throughout [t, pos)
  for (let from = t, size = WEEK_MS; from < limit; size *= 2) {
    const to = Math.min(from + size, limit);
    for (const sh of finalShifts(spec, from, to)) {
      if (sh.start > pos && who !== null) return pos;
      if (sh.userId !== who) return Math.max(sh.start, pos);
      pos = sh.end;
    }
    if (pos < to && who !== null) return pos;
    pos = to;
    from = to;
  }
  return null;
}

export function validateLayer(layer: Layer): [string, string][] {
  const problems: [string, string][] = [];
  const add = (field: string, message: string) => problems.push([field, message]);
  if (typeof layer.name !== 'string' || layer.name.trim() === '') add('name', 'must not be empty');

  if (!Array.isArray(layer.participants)) {
    add('participants', 'must be a list of users (it may be empty)');
  } else {
    layer.participants.forEach((p, i) => {
      if (typeof p !== 'string' || p.trim() === '') add(`participants[${i}]`, 'must be a user');
    });
  }

  // The org file writes a turn as one field ("2 weeks"), so both of its problems are about `turn`.
  const turn = layer.turn as Partial<Turn> | undefined;
  const unit = turn?.unit;
  const count = turn?.count;
  if (unit === undefined || !Object.hasOwn(TURN_COUNT_LIMITS, unit)) {
    add('turn', 'must be a number of hours, days or weeks, like "1 week" or "12 hours"');
  } else if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > TURN_COUNT_LIMITS[unit]) {
    add('turn', `must be a whole number of ${unit}s from 1 to ${TURN_COUNT_LIMITS[unit]}`);
  }

  if (parseLocalDateTime(layer.start) === null) add('start', 'must be a local date-time like 2026-02-16T00:00');

  if (typeof layer.timeZone !== 'string' || layer.timeZone === '') add('time_zone', 'must be an IANA time zone like Europe/Berlin');
  else if (!isKnownZone(layer.timeZone)) add('time_zone', `unknown time zone "${layer.timeZone}"`);

  if (layer.restrictions !== undefined && layer.restrictions !== null) {
    if (!Array.isArray(layer.restrictions)) {
      add('restrictions', 'must be a list of windows');
    } else {
      layer.restrictions.forEach((r, i) => {
        const at = `restrictions[${i}]`;
        const days: unknown = r?.days;
        if (!Array.isArray(days) || days.length === 0 || !days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) {
          add(`${at}.days`, 'must list at least one day, Monday (1) to Sunday (7)');
        }
        if (parseLocalTime(r?.from) === null) add(`${at}.from`, 'must be a local time like 09:00');
        if (parseLocalTime(r?.to) === null) add(`${at}.to`, 'must be a local time like 17:00');
      });
    }
  }
  return problems;
}
