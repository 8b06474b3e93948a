import { DateTime } from 'luxon';

/**
 * The arithmetic of reports, kept pure so every figure can be checked by hand.
 *
 * Percentiles interpolate linearly between the two nearest ranks (PostgreSQL's percentile_cont,
 * spreadsheets' PERCENTILE.INC): the median of 1, 2, 3, 10 is 2.5 and its p95 is 8.95. A team
 * comparing our figures with its spreadsheet gets the same numbers.
 */

export interface Summary {
  count: number;
  mean: number | null;
  median: number | null;
  p95: number | null;
}

/**
 * Mean, median and p95 of a distribution given as value -> how many (whole seconds, as the
 * database counts them), with the mean from the exact sum (`sumMs` over `count` values).
 */
export function summariseCounts(dist: ReadonlyMap<number, number>, count: number, sumMs: number): Summary {
  if (count === 0) return { count: 0, mean: null, median: null, p95: null };
  const values = [...dist.keys()].sort((a, b) => a - b);
  const at = (rank: number): number => {
    let seen = 0;
    for (const v of values) {
      seen += dist.get(v)!;
      if (rank < seen) return v;
    }
    return values.at(-1)!;
  };
  const percentile = (p: number) => {
    const pos = (count - 1) * p;
    const lo = Math.floor(pos);
    const a = at(lo);
    return a + (at(Math.ceil(pos)) - a) * (pos - lo);
  };
  return { count, mean: sumMs / 1000 / count, median: percentile(0.5), p95: percentile(0.95) };
}

/** Change from `before` to `now` as a fraction (+0.25 = 25% higher), or null when there is no base. */
export function trend(now: number | null, before: number | null): number | null {
  if (now === null || before === null || before === 0) return null;
  return (now - before) / before;
}

/**
 * Local calendar days covering [from, to) in `zone`: each day's start instant and its date. Built
 * once per report with Luxon (DST days are 23 or 25 hours long), then events are bucketed by
 * binary search instead of a time-zone conversion per event.
 */
export interface DayBuckets {
  days: string[];
  starts: number[];
}

export function dayBuckets(from: number, to: number, zone: string): DayBuckets {
  const days: string[] = [];
  const starts: number[] = [];
  let d = DateTime.fromMillis(from, { zone }).startOf('day');
  while (d.toMillis() < to) {
    days.push(d.toISODate()!);
    starts.push(d.toMillis());
    d = d.plus({ days: 1 }).startOf('day');
  }
  return { days, starts };
}
