import { DateTime } from 'luxon';
import rrule from 'rrule';
import type { Options as RRuleOptions } from 'rrule';
import { matchesAll, matchesEmpty, type Labels, type Matcher } from '../silence/matchers.js';
import type { Approver } from '../silence/policy.js';
import { DAY_MS, instantOf, isKnownZone, parseLocalTime, WEEK_MS } from '../schedule/wall-clock.js';

const { RRule } = rrule;

/**
 * Maintenance windows: stretches of time in which alerts of a scope (services and/or label
 * matchers) are recorded but page nobody. A window is one-off (a start and an end instant) or
 * recurring: an iCalendar RRULE, a time zone, a local start time and a duration, e.g. Sundays
 * 02:00–06:00 America/Chicago.
 *
 * Recurrence maths. The `rrule` package expands the rule in floating local time only: its dates
 * are wall times (local date-time written as if it were UTC, see schedule/wall-clock.ts), so it
 * never sees a zone and "every Sunday at 02:00" stays 02:00 whatever the offset. Luxon alone turns
 * a wall time into an instant (instantOf). The duration is added to the local start as wall-clock
 * time, so the window keeps its local end: Sundays 02:00 + 4h is 02:00–06:00 local all year.
 *
 * Clock changes, decided here:
 * - A start (or end) at a local time skipped by a spring-forward moves forward by the gap, as
 *   schedule handoffs do: on 2026-03-08 in America/Chicago the 02:00–06:00 window runs
 *   03:00–06:00 CDT, three real hours; it still ends at 06:00 local.
 * - A local time repeated by a fall-back is its first occurrence: on 2026-11-01 the 02:00–06:00
 *   window runs 02:00 CST–06:00 CST (02:00 happens once); a 01:30–05:30 window would start at
 *   01:30 CDT and last five real hours.
 * - An occurrence wholly inside the skipped hour moves forward with it (02:15–02:45 runs
 *   03:15–03:45 CDT); one whose end, after the move, is not after its start (02:30–03:00: start
 *   03:30, end 03:00) does not happen.
 * - UNTIL in the rule is read as local time, like every other date the rule produces.
 */

export interface Recurrence {
  /** The rule's body, e.g. FREQ=WEEKLY;BYDAY=SU. No DTSTART: `from` and `start` give it. */
  rrule: string;
  timeZone: string;
  /** Local start time, "HH:MM". */
  start: string;
  /** Length in local wall-clock time. */
  durationMs: number;
  /** First local day an occurrence may fall on, "YYYY-MM-DD"; anchors INTERVAL and monthly rules. */
  from: string;
}

export type WindowTiming = { kind: 'once'; startsAt: number; endsAt: number } | { kind: 'recurring'; recurrence: Recurrence };

/** What a window covers: alerts of any of these services (by name) that match every matcher. */
export interface Scope {
  services: string[];
  matchers: Matcher[];
}

export interface Occurrence {
  start: number;
  end: number;
}

export interface MaintenanceWindow {
  id: string;
  name: string;
  /** 'file': declared in the org file (change it there); 'api': made through the API, CLI or web. */
  managedBy: 'file' | 'api';
  scope: Scope;
  timing: WindowTiming;
  comment: string;
  createdBy: string;
  authorId: string | null;
  /** 'pending': waiting for the approvals the maintenance policy asks for; mutes nothing meanwhile. */
  approval: 'approved' | 'pending';
  /** Why approval is needed ("longer than 4h", "off-schedule"). */
  approvalReasons: string[];
  /** Each entry needs an approver of its own, none of them the author. */
  approvers: Approver[];
  /** Ended early (a recurring window for good); null: runs its course. */
  endedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type WindowState = 'pending-approval' | 'upcoming' | 'active' | 'over';

const FREQS = new Set<number>([RRule.YEARLY, RRule.MONTHLY, RRule.WEEKLY, RRule.DAILY]);
const LOCAL_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "2026-03-01" as the wall time of its midnight, or null. */
export function parseLocalDay(s: string): number | null {
  const m = LOCAL_DAY.exec(s);
  if (!m) return null;
  const [y, mo, d] = m.slice(1).map(Number) as [number, number, number];
  const wall = Date.UTC(y, mo - 1, d);
  const back = new Date(wall);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? wall : null;
}

/** The wall time (local date-time as if UTC) of an instant in a zone. */
export function wallOf(zone: string, t: number): number {
  return t + DateTime.fromMillis(t, { zone }).offset * 60_000;
}

/** The local day ("YYYY-MM-DD") of an instant in a zone. */
export function localDay(zone: string, t: number): string {
  return new Date(wallOf(zone, t)).toISOString().slice(0, 10);
}

/** Parses an RRULE body; returns its options or a message saying what is wrong. */
export function parseRule(text: string): { ok: true; options: Partial<RRuleOptions> } | { ok: false; message: string } {
  const body = text.trim().replace(/^RRULE:/i, '');
  if (!body) return { ok: false, message: 'is required, e.g. FREQ=WEEKLY;BYDAY=SU' };
  if (/(^|;)\s*(DTSTART|TZID)\s*=/i.test(body)) return { ok: false, message: 'give the first day with from, the time with start and the zone with time_zone, not DTSTART or TZID' };
  if (/(^|;)\s*(BYHOUR|BYMINUTE|BYSECOND)\s*=/i.test(body)) return { ok: false, message: 'give the time of day with start, not BYHOUR, BYMINUTE or BYSECOND' };
  let options: Partial<RRuleOptions>;
  try {
    options = RRule.parseString(body);
  } catch (err) {
    return { ok: false, message: `is not an iCalendar RRULE (${(err as Error).message}); write e.g. FREQ=WEEKLY;BYDAY=SU` };
  }
  if (options.freq === undefined || !FREQS.has(options.freq)) return { ok: false, message: 'needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, e.g. FREQ=WEEKLY;BYDAY=SU' };
  const lists = [options.byweekday, options.bymonth, options.bymonthday, options.byyearday, options.byweekno, options.bysetpos, options.interval, options.count];
  for (const v of lists) {
    const items: unknown[] = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
    if (items.some((x) => x === null || x === undefined || (typeof x === 'number' && !Number.isFinite(x)))) return { ok: false, message: 'has a part that is not understood; check BYDAY (MO, TU, WE, TH, FR, SA, SU) and the numbers' };
  }
  if (options.interval !== undefined && options.interval !== null && options.interval < 1) return { ok: false, message: 'INTERVAL must be 1 or more' };
  return { ok: true, options };
}

/** Every problem of a recurrence, as [field, message]; empty when it is fine. */
export function checkRecurrence(r: { rrule: string; timeZone: string; start: string; durationMs: number | null; from: string }): [string, string][] {
  const out: [string, string][] = [];
  const rule = parseRule(r.rrule);
  if (!rule.ok) out.push(['rrule', rule.message]);
  if (!isKnownZone(r.timeZone)) out.push(['time_zone', `"${r.timeZone}" is not an IANA time zone; write e.g. America/Chicago or UTC`]);
  if (parseLocalTime(r.start) === null) out.push(['start', `"${r.start}" is not a local time; write HH:MM, e.g. 02:00`]);
  if (r.durationMs === null || r.durationMs <= 0) out.push(['duration', 'write a length such as 4h, 90m or 1h30m']);
  else if (r.durationMs > 7 * DAY_MS) out.push(['duration', 'a recurring window lasts at most 7 days']);
  if (parseLocalDay(r.from) === null) out.push(['from', `"${r.from}" is not a date; write YYYY-MM-DD`]);
  return out;
}

const rules = new Map<string, InstanceType<typeof RRule>>();

function ruleOf(r: Recurrence): InstanceType<typeof RRule> {
  const key = `${r.rrule}|${r.from}|${r.start}`;
  let rule = rules.get(key);
  if (!rule) {
    const parsed = parseRule(r.rrule);
    if (!parsed.ok) throw new Error(`recurrence rule ${r.rrule} ${parsed.message}`);
    const dtstart = (parseLocalDay(r.from) ?? 0) + (parseLocalTime(r.start) ?? 0) * 60_000;
    rule = new RRule({ ...parsed.options, dtstart: new Date(dtstart), tzid: null });
    if (rules.size > 5000) rules.clear();
    rules.set(key, rule);
  }
  return rule;
}

/** Occurrences of a recurrence that overlap [from, to), in start order. */
function recurringBetween(r: Recurrence, from: number, to: number): Occurrence[] {
  const rule = ruleOf(r);
  const lo = wallOf(r.timeZone, from) - r.durationMs - DAY_MS;
  const hi = wallOf(r.timeZone, to) + DAY_MS;
  const out: Occurrence[] = [];
  for (const d of rule.between(new Date(lo), new Date(hi), true)) {
    const wall = d.getTime();
    const start = instantOf(r.timeZone, wall);
    const end = instantOf(r.timeZone, wall + r.durationMs);
    if (end > start && end > from && start < to) out.push({ start, end });
  }
  return out;
}

/** Occurrences per recurrence and week, for the hot path (every new alert asks about "now"). */
const weekly = new Map<string, Occurrence[]>();

function recurringAround(r: Recurrence, t: number): Occurrence[] {
  const week = Math.floor(t / WEEK_MS);
  const key = `${r.rrule}|${r.timeZone}|${r.start}|${r.durationMs}|${r.from}|${week}`;
  let list = weekly.get(key);
  if (!list) {
    list = recurringBetween(r, week * WEEK_MS, (week + 1) * WEEK_MS);
    if (weekly.size > 20_000) weekly.clear();
    weekly.set(key, list);
  }
  return list;
}

/** Occurrences of a timing that overlap [from, to), clipped to an early end. */
export function occurrences(timing: WindowTiming, from: number, to: number, endedAt: number | null = null): Occurrence[] {
  const list = timing.kind === 'once' ? (timing.endsAt > from && timing.startsAt < to ? [{ start: timing.startsAt, end: timing.endsAt }] : []) : recurringBetween(timing.recurrence, from, to);
  return clip(list, endedAt);
}

function clip(list: Occurrence[], endedAt: number | null): Occurrence[] {
  if (endedAt === null) return list;
  return list.filter((o) => o.start < endedAt).map((o) => ({ start: o.start, end: Math.min(o.end, endedAt) })).filter((o) => o.end > o.start);
}

/** The occurrence under way at t (the one that ends last if several overlap), or null. */
export function occurrenceAt(timing: WindowTiming, t: number, endedAt: number | null = null): Occurrence | null {
  if (endedAt !== null && t >= endedAt) return null;
  const list = timing.kind === 'once' ? [{ start: timing.startsAt, end: timing.endsAt }] : recurringAround(timing.recurrence, t);
  let best: Occurrence | null = null;
  for (const o of list) if (o.start <= t && t < o.end && (!best || o.end > best.end)) best = o;
  return best && endedAt !== null ? { start: best.start, end: Math.min(best.end, endedAt) } : best;
}

/** The first `n` occurrences that have not ended by `now`, looking at most `horizonMs` ahead. */
export function nextOccurrences(timing: WindowTiming, now: number, n: number, horizonMs = 400 * DAY_MS, endedAt: number | null = null): Occurrence[] {
  const out: Occurrence[] = [];
  for (let from = now, size = 5 * WEEK_MS; from < now + horizonMs && out.length < n; size *= 2) {
    const to = Math.min(from + size, now + horizonMs);
    for (const o of occurrences(timing, from, to, endedAt)) if (o.end > now && !out.some((x) => x.start === o.start)) out.push(o);
    if (timing.kind === 'once') break;
    from = to;
  }
  return out.sort((a, b) => a.start - b.start).slice(0, n);
}

/** When a window stops for good: a one-off's end, a finite rule's last end; null: never. */
export function finalEnd(timing: WindowTiming, endedAt: number | null = null): number | null {
  let end: number | null;
  if (timing.kind === 'once') end = timing.endsAt;
  else {
    const rule = ruleOf(timing.recurrence);
    if (rule.options.count === null && rule.options.until === null) end = null;
    else {
      const last = rule.all((_, i) => i < 100_000).pop();
      end = last ? instantOf(timing.recurrence.timeZone, last.getTime() + timing.recurrence.durationMs) : 0;
    }
  }
  if (endedAt !== null) end = end === null ? endedAt : Math.min(end, endedAt);
  return end;
}

export function windowState(w: Pick<MaintenanceWindow, 'timing' | 'approval' | 'endedAt'>, now: number): WindowState {
  const end = finalEnd(w.timing, w.endedAt);
  if (end !== null && end <= now) return 'over';
  if (w.approval === 'pending') return 'pending-approval';
  return occurrenceAt(w.timing, now, w.endedAt) ? 'active' : 'upcoming';
}

/** Whether an alert of the service (by name) with these labels is in the window's scope. */
export function inScope(scope: Scope, serviceName: string | undefined, labels: Labels): boolean {
  if (scope.services.length > 0 && (serviceName === undefined || !scope.services.includes(serviceName))) return false;
  return matchesAll(scope.matchers, labels);
}

/** Problems of a scope, as [field, message]: it must name services or matchers that narrow it. */
export function checkScope(scope: Scope): [string, string][] {
  if (scope.services.length === 0 && scope.matchers.length === 0) return [['services', 'give services or matchers: what the window covers']];
  if (scope.services.length === 0 && scope.matchers.every(matchesEmpty)) return [['matchers', 'at least one matcher must not match the empty string, or the window would cover every alert']];
  return [];
}

export interface Covering {
  window: MaintenanceWindow;
  occurrence: Occurrence;
}

/** The approved window covering an alert now (the one ending last), or null. */
export function covering(windows: readonly MaintenanceWindow[], serviceName: string | undefined, labels: Labels, now: number): Covering | null {
  let best: Covering | null = null;
  for (const w of windows) {
    if (w.approval !== 'approved' || !inScope(w.scope, serviceName, labels)) continue;
    const o = occurrenceAt(w.timing, now, w.endedAt);
    if (o && (!best || o.end > best.occurrence.end)) best = { window: w, occurrence: o };
  }
  return best;
}

/** "in maintenance window Sunday patching until 2026-03-08T11:00Z" */
export function coveredText(c: Covering): string {
  return `in maintenance window ${c.window.name} until ${new Date(c.occurrence.end).toISOString().replace(/:00\.000Z$/, 'Z')}`;
}

/** "Sundays 02:00 for 4h (FREQ=WEEKLY;BYDAY=SU, America/Chicago)" style summary of a timing. */
export function timingText(t: WindowTiming, fmtDuration: (ms: number) => string): string {
  if (t.kind === 'once') return `${iso(t.startsAt)} to ${iso(t.endsAt)}`;
  const r = t.recurrence;
  let words = '';
  try {
    words = ruleOf(r).toText();
  } catch {
    words = r.rrule;
  }
  return `${words} at ${r.start} ${r.timeZone} for ${fmtDuration(r.durationMs)}`;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/:00\.000Z$/, 'Z');
