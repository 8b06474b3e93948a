/**
 * Instants written out in an IANA zone, for display only: "Mon 9 Mar 09:00". This is plain
 * Intl formatting with no zone arithmetic, and it doesn't import Luxon, so Home (which loads
 * eagerly) can show shift times without pulling Luxon into the initial bundle. Anything that
 * computes offsets, turns a wall clock into an instant, or finds day/week/month boundaries goes
 * in ./timeline, which uses Luxon.
 */

interface Shown {
  /** Mon … Sun */
  weekday: string;
  /** Jan … Dec */
  month: string;
  year: string;
  /** Day of the month, unpadded. */
  day: string;
  /** 00–23 */
  hour: string;
  /** 00–59 */
  minute: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function displayFormat(tz: string): Intl.DateTimeFormat {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
    formats.set(tz, f);
  }
  return f;
}

const pad = (v: string) => v.padStart(2, '0');

function shown(t: number, tz: string): Shown {
  const s: Shown = { weekday: '', month: '', year: '', day: '', hour: '', minute: '' };
  for (const p of displayFormat(tz).formatToParts(new Date(t))) {
    if (p.type === 'weekday' || p.type === 'month' || p.type === 'year' || p.type === 'day') s[p.type] = p.value;
    // Some engines write midnight as "24" even with h23.
    else if (p.type === 'hour') s.hour = pad(String(Number(p.value) % 24));
    else if (p.type === 'minute') s.minute = pad(p.value);
  }
  return s;
}

/** The viewer's zone as the browser reports it. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** "Mon 9 Mar 09:00" in `tz`. */
export function formatTime(t: number, tz: string): string {
  const s = shown(t, tz);
  return `${s.weekday} ${s.day} ${s.month} ${s.hour}:${s.minute}`;
}

/** "Mon 9 Mar 09:00–17:00", or "Mon 9 Mar 09:00–Tue 10 Mar 09:00" across days. */
export function formatRange(start: number, end: number, tz: string): string {
  const a = shown(start, tz);
  const b = shown(end, tz);
  const sameDay = a.year === b.year && a.month === b.month && a.day === b.day;
  return `${formatTime(start, tz)}–${sameDay ? `${b.hour}:${b.minute}` : formatTime(end, tz)}`;
}
