import { DateTime, IANAZone } from 'luxon';

/**
 * Local ("wall-clock") time for the schedule maths, with Luxon doing every zone conversion.
 *
 * A wall time is a local date-time stored as the epoch milliseconds it would have if it were UTC
 * (2026-03-09T09:00 local -> Date.UTC(2026, 2, 9, 9, 0)). Adding whole days to it is plain
 * calendar arithmetic with no zone involved, which is what "the same local time a week later"
 * means. Only instantOf() turns a wall time into a real instant, and it asks Luxon.
 *
 * How local times that do not exist once are resolved (Luxon's rules, pinned down):
 * - A local time skipped by a spring-forward (02:30 on 2026-03-08 in America/New_York) is moved
 *   forward by the size of the gap: 03:30 EDT. Luxon does this whatever offset it starts from.
 * - A local time repeated by a fall-back (01:30 on 2026-11-01 in America/New_York) is its first
 *   occurrence, 01:30 EDT (05:30Z), not 01:30 EST (06:30Z). Luxon keeps its offset guess when the
 *   guess fits, so we hand it the offset in force a day earlier, which is always the pre-change
 *   offset. We rejected plain DateTime.fromObject/fromISO here: their guess is the zone's offset at
 *   the moment the code runs, so the same schedule would resolve 01:30 to EDT when computed in
 *   summer and to EST when computed in winter.
 *
 * Conversions are cached per zone and wall time. They are the whole cost of the schedule maths
 * (a Luxon conversion costs two or three Intl.DateTimeFormat.formatToParts calls, 20-40 µs each on
 * the 2-core CI machine), and schedules share them: every weekly Monday 09:00 handoff in a zone,
 * every weekday 09:00-17:00 window, asks for the same few instants near "now".
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** Entries kept per zone before its cache starts over (a year of minute-exact edges is far fewer). */
const MAX_CACHED_PER_ZONE = 50_000;

const instants = new Map<string, Map<number, number>>();
const validZones = new Map<string, boolean>();

/** Whether Luxon (through Intl) knows the IANA zone. Cached: each check builds an Intl formatter. */
export function isKnownZone(zone: string): boolean {
  let ok = validZones.get(zone);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(zone);
    if (validZones.size < 1000) validZones.set(zone, ok);
  }
  return ok;
}

/** The instant at which the wall time `wall` happens in `zone` (rules for gaps and repeats above). */
export function instantOf(zone: string, wall: number): number {
  let byWall = instants.get(zone);
  if (!byWall) {
    byWall = new Map();
    instants.set(zone, byWall);
  }
  let at = byWall.get(wall);
  if (at === undefined) {
    const d = new Date(wall);
    at = DateTime.fromMillis(wall - DAY_MS, { zone })
      .set({
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: 0,
        millisecond: 0,
      })
      .toMillis();
    if (byWall.size >= MAX_CACHED_PER_ZONE) byWall.clear();
    byWall.set(wall, at);
  }
  return at;
}

/** Days since 1970-01-01 of a wall time (or of an instant read as UTC). */
export function dayNumber(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const LOCAL_TIME = /^(\d{2}):(\d{2})$/;

/** "YYYY-MM-DDTHH:MM" as a wall time, or null when it is not one (wrong shape, 2026-02-30, 24:00). */
export function parseLocalDateTime(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const m = LOCAL_DATE_TIME.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (h > 23 || mi > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(wall);
  // Date.UTC rolls 2026-02-30 over to March 2; a real date reads back unchanged.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return wall;
}

/** "HH:MM" as minutes after midnight, or null. */
export function parseLocalTime(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const m = LOCAL_TIME.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (h > 23 || mi > 59) return null;
  return h * 60 + mi;
}
