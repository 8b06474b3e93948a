/**
 * Relative times as an on-call reader wants them: short, exact to the unit that matters
 * ("4 min ago", "3 h ago"), with the absolute time kept for a title attribute.
 */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export function relativeTime(at: number | string | Date, now: number): string {
  const t = typeof at === 'number' ? at : new Date(at).getTime();
  if (Number.isNaN(t)) return 'unknown time';
  const diff = now - t;
  const abs = Math.abs(diff);
  const future = diff < 0;
  if (abs < 10_000) return 'just now';
  let text: string;
  if (abs < MIN) text = `${Math.floor(abs / 1000)} s`;
  else if (abs < HOUR) text = `${Math.floor(abs / MIN)} min`;
  else if (abs < DAY) text = `${Math.floor(abs / HOUR)} h`;
  else if (abs < 30 * DAY) text = `${Math.floor(abs / DAY)} d`;
  else return absoluteTime(t);
  return future ? `in ${text}` : `${text} ago`;
}

/** "Tue 4 Mar 2025, 03:12:09 GMT" style in the viewer's zone (or the given one). */
export function absoluteTime(at: number | string | Date, timeZone?: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return 'unknown time';
  return d.toLocaleString(undefined, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
    ...(timeZone ? { timeZone } : {}),
  });
}

/** Minutes as people say them: 5 min, 2 h, 1 h 30 min, 1 d. */
export function formatMinutes(m: number): string {
  if (m < 60) return `${m} min`;
  if (m % 1440 === 0) return `${m / 1440} d`;
  const h = Math.floor(m / 60);
  const r = m % 60;
  return r ? `${h} h ${r} min` : `${h} h`;
}
