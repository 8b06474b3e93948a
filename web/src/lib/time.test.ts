import { describe, expect, it } from 'vitest';
import { absoluteTime, formatMinutes, relativeTime } from './time';

const now = Date.parse('2025-03-04T03:00:00Z');
const ago = (ms: number) => now - ms;

describe('relativeTime', () => {
  it.each([
    [0, 'just now'],
    [9_000, 'just now'],
    [45_000, '45 s ago'],
    [60_000, '1 min ago'],
    [59 * 60_000, '59 min ago'],
    [2 * 3_600_000 + 5 * 60_000, '2 h ago'],
    [3 * 86_400_000, '3 d ago'],
    [-5 * 60_000, 'in 5 min'],
  ])('%i ms before now reads "%s"', (ms, text) => {
    expect(relativeTime(ago(ms), now)).toBe(text);
  });

  it('accepts ISO strings, and falls back to the date after 30 days', () => {
    expect(relativeTime('2025-03-04T02:55:00Z', now)).toBe('5 min ago');
    const old = relativeTime('2025-01-01T00:00:00Z', now);
    expect(old).not.toMatch(/ago/);
    expect(old).toContain('2025');
    expect(relativeTime('not a date', now)).toBe('unknown time');
  });

  it('formats absolute times in the zone asked for', () => {
    expect(absoluteTime('2025-03-04T03:00:00Z', 'UTC')).toMatch(/03:00:00/);
    expect(absoluteTime('2025-03-04T03:00:00Z', 'Asia/Tokyo')).toMatch(/12:00:00/);
  });

  it('formats policy delays', () => {
    expect(formatMinutes(5)).toBe('5 min');
    expect(formatMinutes(90)).toBe('1 h 30 min');
    expect(formatMinutes(120)).toBe('2 h');
    expect(formatMinutes(2880)).toBe('2 d');
  });
});
