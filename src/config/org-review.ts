import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * The org file's `review`: the on-call review (incidents, response against targets, noisy and
 * false-positive alerts, overdue action items, on-call load) sent by email on a schedule, as the
 * handbooks hold it: weekly at the Monday handoff, monthly on the first Monday, quarterly.
 *
 *   review:
 *     send: weekly              # weekly | monthly | quarterly
 *     to: [platform, alice]     # team names (every member) and user names
 *     day: monday               # the weekday it goes out; monthly and quarterly: the first one
 *     time: "09:00"             # local time on that day
 *     time_zone: Europe/London  # default UTC
 *
 * Each review covers the last whole week (Monday to Monday), month or quarter before it is sent,
 * in `time_zone`.
 */

export const REVIEW_SENDS = ['weekly', 'monthly', 'quarterly'] as const;
export type ReviewSend = (typeof REVIEW_SENDS)[number];
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

export interface ReviewConfig {
  send: ReviewSend;
  /** Team and user names as written; teams stand for their members at send time. */
  to: string[];
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  /** Minutes after local midnight. */
  minuteOfDay: number;
  timeZone: string;
}

export const ReviewSchema = z
  .strictObject({
    send: z.enum(REVIEW_SENDS, { error: `use one of ${REVIEW_SENDS.join(', ')}` }).describe('How often: weekly, monthly (first <day> of the month) or quarterly (first <day> of the quarter).'),
    to: z.array(z.string().min(1)).min(1, { error: 'name at least one team or user' }).describe('Team names (every member) and user names to email it to.'),
    day: z.enum(WEEKDAYS, { error: `use a weekday: ${WEEKDAYS.join(', ')}` }).default('monday').describe('The weekday it goes out; default monday.'),
    time: z.string().default('09:00').describe('Local time of day, HH:MM; default 09:00.'),
    time_zone: z.string().default('UTC').describe('IANA time zone of day, time and the period boundaries; default UTC.'),
  })
  .describe('The on-call review sent by email on a schedule.');

type Path = readonly (string | number)[];

export function checkReview(input: z.output<typeof ReviewSchema>, path: Path, refs: { users: Set<string> | null; teams: Set<string> | null }, problem: (at: Path, message: string) => void): ReviewConfig {
  const m = /^(\d{2}):(\d{2})$/.exec(input.time);
  const minuteOfDay = m && Number(m[1]) < 24 && Number(m[2]) < 60 ? Number(m[1]) * 60 + Number(m[2]) : null;
  if (minuteOfDay === null) problem([...path, 'time'], `"${input.time}" is not a time of day; write it as HH:MM, e.g. "09:00"`);
  if (!IANAZone.isValidZone(input.time_zone)) problem([...path, 'time_zone'], `unknown time zone "${input.time_zone}"; use an IANA name such as Europe/London`);
  input.to.forEach((name, i) => {
    // Unknown only when both sections could be read and neither holds the name.
    if (refs.users && refs.teams && !refs.users.has(name) && !refs.teams.has(name)) problem([...path, 'to', i], `no team or user named "${name}"`);
  });
  return { send: input.send, to: [...new Set(input.to)], weekday: WEEKDAYS.indexOf(input.day) + 1, minuteOfDay: minuteOfDay ?? 540, timeZone: input.time_zone };
}

export function reviewToFile(r: ReviewConfig | null): { review?: Record<string, unknown> } {
  if (!r) return {};
  const hh = String(Math.floor(r.minuteOfDay / 60)).padStart(2, '0');
  const mm = String(r.minuteOfDay % 60).padStart(2, '0');
  return { review: { send: r.send, to: r.to, day: WEEKDAYS[r.weekday - 1], time: `${hh}:${mm}`, time_zone: r.timeZone } };
}
