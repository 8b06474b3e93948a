import { describe, expect, it } from 'vitest';
import { bandOf, LocalClock } from './load-report.js';

describe('bandOf', () => {
  it.each([
    [9, 1, 'business'],
    [17, 5, 'business'],
    [18, 5, 'off'],
    [21, 3, 'off'],
    [22, 3, 'sleep'],
    [7, 2, 'sleep'],
    [8, 1, 'business'],
    [12, 6, 'off'],
    [3, 7, 'sleep'],
  ] as const)('hour %d on ISO weekday %d is %s', (hour, weekday, band) => {
    expect(bandOf(hour, weekday)).toBe(band);
  });
});

describe('LocalClock', () => {
  it('reads the local hour and weekday through a clock change and in quarter-hour zones', () => {
    const la = new LocalClock('America/Los_Angeles');
    expect(la.at(Date.parse('2026-03-08T09:59:00Z'))).toEqual({ hour: 1, weekday: 7 }); // 01:59 PST
    expect(la.at(Date.parse('2026-03-08T10:00:00Z'))).toEqual({ hour: 3, weekday: 7 }); // 03:00 PDT
    expect(new LocalClock('Asia/Kathmandu').at(Date.parse('2026-03-02T18:15:00Z'))).toEqual({ hour: 0, weekday: 2 }); // 00:00 +05:45
  });
});
