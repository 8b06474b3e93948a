/**
 * The maintenance calendar's arithmetic, free of React: which days a month or week view shows
 * (weeks start on Monday), and which occurrences fall on each day, in the viewer's zone. An
 * occurrence that crosses midnight is shown on every day it touches, with the part of it on
 * that day ("until 06:00", "from 22:00"). All zone arithmetic goes through Luxon; this module is
 * loaded with the lazy maintenance page only.
 */
import { DateTime } from 'luxon';

export type CalendarView = 'month' | 'week';

export interface CalendarOccurrence {
  window: { id: string; name: string; state: 'pending-approval' | 'upcoming' | 'active' | 'over'; approval: 'approved' | 'pending'; scope: string; managed_by: 'file' | 'api' };
  starts_at: string;
  ends_at: string;
}

export interface CalendarDay {
  /** "2026-03-08" in the viewer's zone. */
  date: string;
  /** Day of the month, 1–31. */
  day: number;
  /** Outside the month a month view is showing (the padding days of its first and last week). */
  outside: boolean;
  today: boolean;
}

export interface CalendarGrid {
  /** "March 2026", or "Week of 2 Mar 2026". */
  title: string;
  weeks: CalendarDay[][];
  /** The range to ask the server for: the first shown day's midnight to the day after the last. */
  from: string;
  to: string;
}

export interface DayEntry {
  occurrence: CalendarOccurrence;
  /** "02:00–06:00", "22:00–" (goes on into the next day), "–06:00", or "all day". */
  time: string;
}

const dayOf = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).startOf('day');

/** The days a view shows around `anchor` ("YYYY-MM-DD"), with the server range to fetch. */
export function calendarGrid(view: CalendarView, anchor: string, zone: string, now: number): CalendarGrid {
  const a = dayOf(anchor, zone);
  const first = view === 'month' ? a.startOf('month').startOf('week') : a.startOf('week');
  const last = view === 'month' ? a.endOf('month').startOf('week').plus({ days: 6 }) : first.plus({ days: 6 });
  const today = DateTime.fromMillis(now, { zone }).toISODate();
  const weeks: CalendarDay[][] = [];
  for (let d = first; d <= last; d = d.plus({ days: 1 })) {
    if (d.weekday === 1) weeks.push([]);
    const date = d.toISODate() as string;
    weeks[weeks.length - 1]!.push({ date, day: d.day, outside: view === 'month' && d.month !== a.month, today: date === today });
  }
  const title = view === 'month' ? a.toFormat('LLLL yyyy') : `Week of ${first.toFormat('d LLL yyyy')}`;
  return { title, weeks, from: first.toUTC().toISO() as string, to: last.plus({ days: 1 }).startOf('day').toUTC().toISO() as string };
}

/** The anchor one view earlier (-1) or later (+1): the same day of the previous month, or 7 days back. */
export function shiftAnchor(view: CalendarView, anchor: string, step: -1 | 1): string {
  const d = DateTime.fromISO(anchor, { zone: 'UTC' });
  return (view === 'month' ? d.plus({ months: step }).startOf('month') : d.plus({ days: 7 * step })).toISODate() as string;
}

/** Today in the viewer's zone, "YYYY-MM-DD". */
export function todayIn(zone: string, now: number): string {
  return DateTime.fromMillis(now, { zone }).toISODate() as string;
}

/** The occurrences on each day (by "YYYY-MM-DD"), each with its hours on that day, in start order. */
export function entriesByDay(occurrences: CalendarOccurrence[], zone: string): Map<string, DayEntry[]> {
  const out = new Map<string, DayEntry[]>();
  const hm = (t: DateTime) => t.toFormat('HH:mm');
  for (const o of occurrences) {
    const start = DateTime.fromISO(o.starts_at, { zone });
    const end = DateTime.fromISO(o.ends_at, { zone });
    if (!start.isValid || !end.isValid || end <= start) continue;
    for (let day = start.startOf('day'); day < end; day = day.plus({ days: 1 }).startOf('day')) {
      const next = day.plus({ days: 1 }).startOf('day');
      const from = start > day ? hm(start) : '';
      const to = end < next ? hm(end) : '';
      const time = !from && !to ? 'all day' : `${from}–${to}`;
      const date = day.toISODate() as string;
      const list = out.get(date) ?? [];
      list.push({ occurrence: o, time });
      out.set(date, list);
    }
  }
  return out;
}
