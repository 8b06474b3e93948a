/**
 * The schedule timeline's arithmetic, kept free of React so it can be tested on its own:
 * wall clocks in an IANA zone, the day / week / month ranges, where a shift's block sits in a
 * range, and the override form the reader's drag or click fills in.
 *
 * All zone arithmetic (offsets, wall clock <-> instant, day / week / month boundaries) goes
 * through Luxon. This module is only loaded by the lazy schedules pages, so Luxon stays out of
 * the initial bundle; Home gets its display helpers from ./time-format, which has no Luxon.
 *
 * Wall clocks that a DST change makes odd are read like this, in every function here:
 * - a skipped time (02:30 on the spring-forward day in New York) moves forward by the length
 *   of the gap, to 03:30 EDT (Luxon's rule);
 * - a repeated time (01:30 on the fall-back day) is the earlier of the two instants (01:30 EDT).
 *   Luxon on its own picks whichever occurrence matches the zone's offset *today*, which would
 *   make a time typed in winter differ from one typed in summer, so we choose explicitly.
 */

import { DateTime, IANAZone } from 'luxon';
import { formatRange } from './time-format';

export { browserZone, formatRange, formatTime } from './time-format';

export type Span = 'day' | 'week' | 'month';
export const SPANS: Span[] = ['day', 'week', 'month'];

export interface Range {
  from: number;
  to: number;
}

export interface Wall {
  y: number;
  /** 1–12 */
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  /** 1 = Monday … 7 = Sunday */
  wd: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** True when the runtime knows this IANA zone. */
export function isValidZone(tz: string): boolean {
  return IANAZone.isValidZone(tz);
}

/** A Luxon DateTime that a bad zone can't quietly turn into NaNs. */
function checked(dt: DateTime, tz: string): DateTime {
  if (!dt.isValid) throw new RangeError(`Invalid time zone or time in ${tz}: ${dt.invalidExplanation ?? dt.invalidReason ?? 'invalid'}`);
  return dt;
}

/** Instant `t` seen in `tz`. */
function zoned(t: number, tz: string): DateTime {
  return checked(DateTime.fromMillis(t, { zone: tz }), tz);
}

/**
 * The instant the wall clock in `tz` reads these (in-range) fields. Skipped times move forward
 * past the gap (Luxon); repeated times take the earlier instant (see the note at the top).
 */
function local(y: number, mo: number, d: number, h: number, mi: number, tz: string): DateTime {
  const dt = checked(DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi }, { zone: tz }), tz);
  const options = dt.getPossibleOffsets();
  return options.length > 1 ? options.reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a)) : dt;
}

/** Midnight (or the first minute after a midnight DST gap) of `dt`'s calendar day, in `tz`. */
function midnight(dt: DateTime, tz: string): DateTime {
  return local(dt.year, dt.month, dt.day, 0, 0, tz);
}

/** The wall clock in `tz` at instant `t`. */
export function wall(t: number, tz: string): Wall {
  const dt = zoned(t, tz);
  return { y: dt.year, mo: dt.month, d: dt.day, h: dt.hour, mi: dt.minute, s: dt.second, wd: dt.weekday };
}

/** How far `tz` is ahead of UTC at `t`, in ms. */
export function offsetAt(t: number, tz: string): number {
  return zoned(t, tz).offset * MIN;
}

/**
 * The instant the wall clock in `tz` reads y-mo-d h:mi. Out-of-range fields roll over
 * (d = 32 is the next month), which is how ranges step. A time skipped by a DST jump lands
 * just after the jump (02:30 → 03:30 on a spring-forward day); a time that happens twice is
 * the earlier one.
 */
export function fromWall(y: number, mo: number, d: number, h: number, mi: number, tz: string): number {
  // Roll the fields over on a calendar without DST (UTC), then read the result in `tz`.
  const n = DateTime.fromObject({ year: y, month: 1, day: 1 }, { zone: 'utc' }).plus({ months: mo - 1, days: d - 1, hours: h, minutes: mi });
  return local(n.year, n.month, n.day, n.hour, n.minute, tz).toMillis();
}

// ---- ranges -------------------------------------------------------------------------------

/** Midnight starting the day, week (Monday, ISO) or month that holds `t`, in `tz`. */
export function rangeStart(t: number, span: Span, tz: string): number {
  return midnight(zoned(t, tz).startOf(span, { useLocaleWeeks: false }), tz).toMillis();
}

/** The range start `n` spans after (or before, n < 0) the range starting at `start`. */
export function stepRange(start: number, span: Span, n: number, tz: string): number {
  const dt = zoned(start, tz);
  if (span === 'day') return midnight(dt.plus({ days: n }), tz).toMillis();
  if (span === 'week') return midnight(dt.plus({ weeks: n }), tz).toMillis();
  return midnight(dt.startOf('month').plus({ months: n }), tz).toMillis();
}

/** The whole day, week or month (in `tz`) that holds `t`. */
export function rangeFor(t: number, span: Span, tz: string): Range {
  const from = rangeStart(t, span, tz);
  return { from, to: stepRange(from, span, 1, tz) };
}

export function rangeTitle(r: Range, span: Span, tz: string): string {
  const a = zoned(r.from, tz);
  if (span === 'day') return `${WEEKDAYS[a.weekday - 1]} ${a.day} ${MONTHS[a.month - 1]} ${a.year}`;
  if (span === 'month') return `${MONTHS[a.month - 1]} ${a.year}`;
  const b = zoned(r.to - 1, tz);
  return `${a.day} ${MONTHS[a.month - 1]}${a.year !== b.year ? ` ${a.year}` : ''} – ${b.day} ${MONTHS[b.month - 1]} ${b.year}`;
}

// ---- blocks -------------------------------------------------------------------------------

export interface Placement {
  /** Percent of the range's width. */
  left: number;
  width: number;
  /** The block runs on before or after the range. */
  clippedStart: boolean;
  clippedEnd: boolean;
}

/** Where [start, end) sits in the range, or null when it is outside it. */
export function place(start: number, end: number, r: Range): Placement | null {
  if (!(end > r.from && start < r.to) || end <= start) return null;
  const span = r.to - r.from;
  const s = Math.max(start, r.from);
  const e = Math.min(end, r.to);
  return { left: ((s - r.from) / span) * 100, width: ((e - s) / span) * 100, clippedStart: start < r.from, clippedEnd: end > r.to };
}

export interface Tick {
  at: number;
  left: number;
  label: string;
  /** A day boundary (drawn stronger). */
  major: boolean;
}

/** Axis labels: every 3 hours over a day, every day over a week or a month. */
export function ticks(r: Range, span: Span, tz: string): Tick[] {
  const day = zoned(r.from, tz).startOf('day');
  const out: Tick[] = [];
  const width = r.to - r.from;
  if (span === 'day') {
    for (let h = 0; h < 24; h += 3) {
      const at = local(day.year, day.month, day.day, h, 0, tz).toMillis();
      if (at >= r.to) break;
      out.push({ at, left: ((at - r.from) / width) * 100, label: `${String(h).padStart(2, '0')}:00`, major: h === 0 });
    }
    return out;
  }
  for (let i = 0; i < 32; i++) {
    const x = midnight(day.plus({ days: i }), tz);
    const at = x.toMillis();
    if (at >= r.to) break;
    out.push({ at, left: ((at - r.from) / width) * 100, label: span === 'week' ? `${WEEKDAYS[x.weekday - 1]} ${x.day}` : String(x.day), major: true });
  }
  return out;
}

// ---- words --------------------------------------------------------------------------------

const pad = (n: number) => String(n).padStart(2, '0');

/** The value of an <input type="datetime-local"> showing `t` in `tz`: "2026-03-09T09:00". */
export function toInput(t: number, tz: string): string {
  const dt = zoned(t, tz);
  return `${dt.year}-${pad(dt.month)}-${pad(dt.day)}T${pad(dt.hour)}:${pad(dt.minute)}`;
}

/** The instant a datetime-local value means in `tz`, or null when it is not one. */
export function fromInput(s: string, tz: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(s.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  return fromWall(y, mo, d, h, mi, tz);
}

// ---- selecting a range on the Final row ---------------------------------------------------

/** A drag snaps to a quarter hour over a day, to the hour over a week or a month. */
export const SNAP: Record<Span, number> = { day: 15 * MIN, week: HOUR, month: HOUR };

/** The instant at fraction `f` (0 = left edge, 1 = right) of the row, snapped. */
export function timeAtFraction(f: number, r: Range, span: Span): number {
  const x = Math.min(1, Math.max(0, f));
  const snap = SNAP[span];
  return Math.min(r.to, r.from + Math.round((x * (r.to - r.from)) / snap) * snap);
}

/** The range a drag from fraction a to fraction b selects (either direction); never empty. */
export function selectionFromDrag(a: number, b: number, r: Range, span: Span): Range {
  let from = timeAtFraction(Math.min(a, b), r, span);
  let to = timeAtFraction(Math.max(a, b), r, span);
  if (to <= from) {
    to = from + SNAP[span];
    if (to > r.to) {
      to = r.to;
      from = r.to - SNAP[span];
    }
  }
  return { from, to };
}

/** What the override form holds: datetime-local strings in the zone on screen, and names. */
export interface OverrideDraft {
  from: string;
  to: string;
  /** A user name, NOBODY, or '' before one is chosen. */
  user: string;
  /** Only replace this person; '' = whoever is on call. */
  replaces: string;
  note: string;
}

/** The "Who is on call" choice that takes people off without a replacement. */
export const NOBODY = '__nobody';

export const emptyDraft: OverrideDraft = { from: '', to: '', user: '', replaces: '', note: '' };

/** The form after a drag across the Final row: the range, for whoever is on call in it. */
export function draftFromSelection(sel: Range, tz: string, prev: OverrideDraft): OverrideDraft {
  return { ...prev, from: toInput(sel.from, tz), to: toInput(sel.to, tz), replaces: '' };
}

/** The form after a click on a Final shift: that shift, replacing its person. */
export function draftFromShift(shift: { start: string; end: string; user: string | null }, tz: string, prev: OverrideDraft): OverrideDraft {
  const user = prev.user === shift.user ? '' : prev.user;
  return { ...prev, from: toInput(Date.parse(shift.start), tz), to: toInput(Date.parse(shift.end), tz), replaces: shift.user ?? '', user };
}

/** The same instants written in another zone, for when the reader switches the zone on screen. */
export function convertDraft(d: OverrideDraft, fromTz: string, toTz: string): OverrideDraft {
  const conv = (s: string) => {
    const t = fromInput(s, fromTz);
    return t === null ? s : toInput(t, toTz);
  };
  return { ...d, from: conv(d.from), to: conv(d.to) };
}

export interface DraftCheck {
  start: number | null;
  end: number | null;
  /** Field-level problems, in operators' words. */
  errors: { from?: string; to?: string; user?: string };
}

export function checkDraft(d: OverrideDraft, tz: string, now: number): DraftCheck {
  const start = fromInput(d.from, tz);
  const end = fromInput(d.to, tz);
  const errors: DraftCheck['errors'] = {};
  if (start === null) errors.from = 'Enter when the override starts.';
  if (end === null) errors.to = 'Enter when the override ends.';
  else if (start !== null && end <= start) errors.to = 'Must be after From.';
  else if (end <= now) errors.to = 'Is in the past: an override can only change who is on call from now on.';
  if (!d.user) errors.user = 'Choose who is on call.';
  else if (d.replaces && d.user === d.replaces) errors.user = `${d.user} cannot replace themselves.`;
  return { start, end, errors };
}

/**
 * The effect of an override before it is saved: "alice → dave, Mon 9 Mar 09:00–Tue 10 Mar 09:00".
 * Who it replaces is read from the Final shifts on screen.
 */
export function describeOverride(final: { start: string; end: string; user: string | null }[], start: number, end: number, user: string | null, replaces: string | null, tz: string): string {
  const names: string[] = [];
  for (const s of final) {
    if (Date.parse(s.end) <= start || Date.parse(s.start) >= end || s.user === null) continue;
    if (replaces && s.user !== replaces) continue;
    if (!names.includes(s.user)) names.push(s.user);
  }
  const who = user ?? 'nobody';
  const from = names.length ? names.join(', ') : replaces ? `${replaces} (not on call then: no change)` : 'nobody';
  return `${from} → ${who}, ${formatRange(start, end, tz)}`;
}

/** A stable colour slot (0–7) per person, so one person has one colour on every row. */
export function colourOf(user: string | null): number {
  if (!user) return -1;
  let h = 0;
  for (let i = 0; i < user.length; i++) h = (h * 31 + user.charCodeAt(i)) | 0;
  return Math.abs(h) % 8;
}
