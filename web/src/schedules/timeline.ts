/**
 * The schedule timeline's arithmetic, kept free of React so it can be tested on its own:
 * wall clocks in an IANA zone (Intl only: luxon would cost the bundle ~20 KB gzipped), the
 * day / week / month ranges, where a shift's block sits in a range, and the override form the
 * reader's drag or click fills in.
 */

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
const WD_INDEX: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

const formats = new Map<string, Intl.DateTimeFormat>();
function partsFormat(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(tz, f);
  }
  return f;
}

/** True when the runtime knows this IANA zone. */
export function isValidZone(tz: string): boolean {
  try {
    partsFormat(tz);
    return true;
  } catch {
    return false;
  }
}

/** The viewer's zone as the browser reports it. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The wall clock in `tz` at instant `t`. */
export function wall(t: number, tz: string): Wall {
  const w: Wall = { y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0, wd: 0 };
  for (const p of partsFormat(tz).formatToParts(new Date(t))) {
    if (p.type === 'year') w.y = Number(p.value);
    else if (p.type === 'month') w.mo = Number(p.value);
    else if (p.type === 'day') w.d = Number(p.value);
    else if (p.type === 'hour') w.h = Number(p.value) % 24;
    else if (p.type === 'minute') w.mi = Number(p.value);
    else if (p.type === 'second') w.s = Number(p.value);
    else if (p.type === 'weekday') w.wd = WD_INDEX[p.value] ?? 0;
  }
  return w;
}

/** How far `tz` is ahead of UTC at `t`, in ms. */
export function offsetAt(t: number, tz: string): number {
  const w = wall(t, tz);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(t / 1000) * 1000;
}

/**
 * The instant the wall clock in `tz` reads y-mo-d h:mi. Out-of-range fields roll over
 * (d = 32 is the next month), which is how ranges step. A time skipped by a DST jump lands
 * just after the jump.
 */
export function fromWall(y: number, mo: number, d: number, h: number, mi: number, tz: string): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const o1 = offsetAt(asUtc - offsetAt(asUtc, tz), tz);
  const t = asUtc - o1;
  const o2 = offsetAt(t, tz);
  return o2 === o1 ? t : asUtc - o2;
}

// ---- ranges -------------------------------------------------------------------------------

/** Midnight starting the day, week (Monday) or month that holds `t`, in `tz`. */
export function rangeStart(t: number, span: Span, tz: string): number {
  const w = wall(t, tz);
  if (span === 'day') return fromWall(w.y, w.mo, w.d, 0, 0, tz);
  if (span === 'week') return fromWall(w.y, w.mo, w.d - (w.wd - 1), 0, 0, tz);
  return fromWall(w.y, w.mo, 1, 0, 0, tz);
}

/** The range start `n` spans after (or before, n < 0) the range starting at `start`. */
export function stepRange(start: number, span: Span, n: number, tz: string): number {
  const w = wall(start, tz);
  if (span === 'day') return fromWall(w.y, w.mo, w.d + n, 0, 0, tz);
  if (span === 'week') return fromWall(w.y, w.mo, w.d + 7 * n, 0, 0, tz);
  return fromWall(w.y, w.mo + n, 1, 0, 0, tz);
}

/** The whole day, week or month (in `tz`) that holds `t`. */
export function rangeFor(t: number, span: Span, tz: string): Range {
  const from = rangeStart(t, span, tz);
  return { from, to: stepRange(from, span, 1, tz) };
}

export function rangeTitle(r: Range, span: Span, tz: string): string {
  const a = wall(r.from, tz);
  if (span === 'day') return `${WEEKDAYS[a.wd - 1]} ${a.d} ${MONTHS[a.mo - 1]} ${a.y}`;
  if (span === 'month') return `${MONTHS[a.mo - 1]} ${a.y}`;
  const b = wall(r.to - 1, tz);
  return `${a.d} ${MONTHS[a.mo - 1]}${a.y !== b.y ? ` ${a.y}` : ''} – ${b.d} ${MONTHS[b.mo - 1]} ${b.y}`;
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
  const w = wall(r.from, tz);
  const out: Tick[] = [];
  const width = r.to - r.from;
  if (span === 'day') {
    for (let h = 0; h < 24; h += 3) {
      const at = fromWall(w.y, w.mo, w.d, h, 0, tz);
      if (at >= r.to) break;
      out.push({ at, left: ((at - r.from) / width) * 100, label: `${String(h).padStart(2, '0')}:00`, major: h === 0 });
    }
    return out;
  }
  for (let i = 0; i < 32; i++) {
    const at = fromWall(w.y, w.mo, w.d + i, 0, 0, tz);
    if (at >= r.to) break;
    const x = wall(at, tz);
    out.push({ at, left: ((at - r.from) / width) * 100, label: span === 'week' ? `${WEEKDAYS[x.wd - 1]} ${x.d}` : String(x.d), major: true });
  }
  return out;
}

// ---- words --------------------------------------------------------------------------------

const pad = (n: number) => String(n).padStart(2, '0');

/** "Mon 9 Mar 09:00" in `tz`. */
export function formatTime(t: number, tz: string): string {
  const w = wall(t, tz);
  return `${WEEKDAYS[w.wd - 1]} ${w.d} ${MONTHS[w.mo - 1]} ${pad(w.h)}:${pad(w.mi)}`;
}

/** "Mon 9 Mar 09:00–17:00", or "Mon 9 Mar 09:00–Tue 10 Mar 09:00" across days. */
export function formatRange(start: number, end: number, tz: string): string {
  const a = wall(start, tz);
  const b = wall(end, tz);
  const sameDay = a.y === b.y && a.mo === b.mo && a.d === b.d;
  return `${formatTime(start, tz)}–${sameDay ? `${pad(b.h)}:${pad(b.mi)}` : formatTime(end, tz)}`;
}

/** The value of an <input type="datetime-local"> showing `t` in `tz`: "2026-03-09T09:00". */
export function toInput(t: number, tz: string): string {
  const w = wall(t, tz);
  return `${w.y}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}`;
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
