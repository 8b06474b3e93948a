import { describe, expect, it } from 'vitest';
import { dayBuckets, summariseCounts, trend } from './stats.js';

const dist = (values: number[]) => {
  const m = new Map<number, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
};
const of = (values: number[]) => summariseCounts(dist(values), values.length, values.reduce((s, v) => s + v, 0) * 1000);

describe('summariseCounts', () => {
  it.each([
    // values, mean, median, p95 (linear between ranks, as percentile_cont and PERCENTILE.INC)
    [[5], 5, 5, 5],
    [[1, 2, 3, 10], 4, 2.5, 8.95],
    [[60, 120, 480], 220, 120, 444],
    [[240, 300, 600, 1200], 585, 450, 1110],
    [[7, 7, 7, 7, 100], 25.6, 7, 81.4],
  ])('%j: mean %d, median %d, p95 %d', (values, mean, median, p95) => {
    const s = of(values);
    expect(s.count).toBe(values.length);
    expect(s.mean).toBeCloseTo(mean, 9);
    expect(s.median).toBeCloseTo(median, 9);
    expect(s.p95).toBeCloseTo(p95, 9);
  });

  it('has no figures for no values', () => {
    expect(summariseCounts(new Map(), 0, 0)).toEqual({ count: 0, mean: null, median: null, p95: null });
  });
});

describe('trend', () => {
  it('is the relative change, or null without a base', () => {
    expect(trend(5, 4)).toBe(0.25);
    expect(trend(3, 4)).toBe(-0.25);
    expect(trend(3, 0)).toBeNull();
    expect(trend(null, 4)).toBeNull();
  });
});

describe('dayBuckets', () => {
  it('follows local days across a clock change: the spring-forward day is 23 hours long', () => {
    const b = dayBuckets(Date.parse('2026-03-07T08:00:00Z'), Date.parse('2026-03-10T08:00:00Z'), 'America/Los_Angeles');
    expect(b.days).toEqual(['2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10']);
    expect(b.starts.map((t) => new Date(t).toISOString())).toEqual(['2026-03-07T08:00:00.000Z', '2026-03-08T08:00:00.000Z', '2026-03-09T07:00:00.000Z', '2026-03-10T07:00:00.000Z']);
  });

  it('starts at the local midnight before the range in a half-hour zone', () => {
    const b = dayBuckets(Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-03-02T00:00:00Z'), 'Asia/Kolkata');
    expect(b.days).toEqual(['2026-03-01', '2026-03-02']);
    expect(new Date(b.starts[0]!).toISOString()).toBe('2026-02-28T18:30:00.000Z');
  });
});
