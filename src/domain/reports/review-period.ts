import { DateTime } from 'luxon';

/**
 * The periods of the on-call review, in a time zone: a week runs Monday 00:00 to Monday 00:00,
 * a month and a quarter from the first day's midnight. A DST change makes a week 167 or 169 hours:
 * the boundaries are local midnights, not multiples of 24 hours.
 *
 * When a review is sent: weekly on `weekday` at the local time each week; monthly and quarterly on
 * the first `weekday` of the month (of the quarter's first month). It covers the last whole period
 * before the send.
 */

export type ReviewPeriodKind = 'week' | 'month' | 'quarter';

export interface Span {
  from: number;
  to: number;
}

const unit = (k: ReviewPeriodKind) => (k === 'week' ? { weeks: 1 } : k === 'month' ? { months: 1 } : { quarters: 1 });

/** The period of kind `kind` that holds `at`. */
export function periodHolding(kind: ReviewPeriodKind, at: number, zone: string): Span {
  const start = DateTime.fromMillis(at, { zone }).startOf(kind);
  return { from: start.toMillis(), to: start.plus(unit(kind)).toMillis() };
}

/** The last whole period before the one that holds `at`. */
export function periodBefore(kind: ReviewPeriodKind, at: number, zone: string): Span {
  const start = DateTime.fromMillis(at, { zone }).startOf(kind);
  return { from: start.minus(unit(kind)).toMillis(), to: start.toMillis() };
}

export const KIND_OF_SEND = { weekly: 'week', monthly: 'month', quarterly: 'quarter' } as const;

export interface SendRule {
  send: keyof typeof KIND_OF_SEND;
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  minuteOfDay: number;
  timeZone: string;
}

/** The send instant that falls in the period starting at `periodStart` (local). */
function sendIn(rule: SendRule, periodStart: DateTime): DateTime {
  // The first `weekday` on or after the period's start; for weeks, that weekday of the week.
  const shift = (rule.weekday - periodStart.weekday + 7) % 7;
  return periodStart.plus({ days: shift }).set({ hour: Math.floor(rule.minuteOfDay / 60), minute: rule.minuteOfDay % 60, second: 0, millisecond: 0 });
}

/** The latest send instant at or before `now`, with the period it reviews and its local date. */
export function lastSendDue(rule: SendRule, now: number): { at: number; date: string; period: Span } {
  const kind = KIND_OF_SEND[rule.send];
  let start = DateTime.fromMillis(now, { zone: rule.timeZone }).startOf(kind);
  let due = sendIn(rule, start);
  if (due.toMillis() > now) {
    start = start.minus(unit(kind));
    due = sendIn(rule, start);
  }
  return { at: due.toMillis(), date: due.toISODate()!, period: { from: start.minus(unit(kind)).toMillis(), to: start.toMillis() } };
}
