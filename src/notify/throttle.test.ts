import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_LIMITS, deliveryLimitsFromEnv, describeRules, longestWindow, nextAllowedAt, parseMarks, rulesFor, type SentMark } from './throttle.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 8, 8, 0, 0);
const sms = rulesFor(DEFAULT_DELIVERY_LIMITS, 'sms');

describe('noise limits', () => {
  it.each([
    ['nothing sent yet: at once', [] as SentMark[], T0],
    ['one SMS 10 s ago: a minute after it', [[T0 - 10_000, 1]] as SentMark[], T0 - 10_000 + MIN],
    ['one SMS 61 s ago: at once', [[T0 - 61_000, 1]] as SentMark[], T0],
    // Five in the last 15 minutes, spaced by 2 minutes: the oldest leaves the window first.
    ['five SMS in 15 minutes: when the oldest leaves the window', [10, 8, 6, 4, 2].map((m) => [T0 - m * MIN, 1]) as SentMark[], T0 - 10 * MIN + 15 * MIN],
  ])('SMS: %s', (_title, marks, want) => {
    expect(nextAllowedAt(sms, marks, T0, true)).toBe(want);
  });

  it('caps SMS at 11 an hour even when spread out', () => {
    const marks = Array.from({ length: 11 }, (_, i) => [T0 - 55 * MIN + i * 5 * MIN, 1] as SentMark);
    expect(nextAllowedAt(sms, marks, T0, true)).toBe(T0 - 55 * MIN + 60 * MIN);
  });

  it('lets a high-urgency page through when only low-urgency messages filled the window', () => {
    const marks: SentMark[] = [[T0 - 5_000, 0]];
    expect(nextAllowedAt(sms, marks, T0, true)).toBe(T0);
    expect(nextAllowedAt(sms, marks, T0, false)).toBe(T0 - 5_000 + MIN);
  });

  it('counts high-urgency messages against low-urgency pages too', () => {
    expect(nextAllowedAt(sms, [[T0 - 5_000, 1]], T0, false)).toBe(T0 - 5_000 + MIN);
  });

  it('gives email two a minute and webhooks ten, other channels the email defaults', () => {
    const email = rulesFor(DEFAULT_DELIVERY_LIMITS, 'email');
    expect(nextAllowedAt(email, [[T0 - 1000, 1]], T0, true)).toBe(T0);
    expect(nextAllowedAt(email, [[T0 - 2000, 1], [T0 - 1000, 1]], T0, true)).toBe(T0 - 2000 + MIN);
    expect(rulesFor(DEFAULT_DELIVERY_LIMITS, 'pigeon')).toEqual(email);
    expect(describeRules(rulesFor(DEFAULT_DELIVERY_LIMITS, 'webhook'))).toBe('10 per minute, 60 per 15 min, 200 per hour');
    expect(describeRules(sms)).toBe('1 per minute, 5 per 15 min, 11 per hour');
  });

  it('keeps only marks inside the longest window, oldest first, and survives bad stored text', () => {
    const window = longestWindow(DEFAULT_DELIVERY_LIMITS);
    expect(window).toBe(60 * MIN);
    expect(parseMarks(JSON.stringify([[T0 - 1000, 1], [T0 - 61 * MIN, 0], [T0 - 5000, 0]]), T0, window)).toEqual([
      [T0 - 5000, 0],
      [T0 - 1000, 1],
    ]);
    expect(parseMarks('not json', T0, window)).toEqual([]);
    expect(parseMarks(null, T0, window)).toEqual([]);
  });

  it('reads WATCHKEEPER_DELIVERY_LIMITS: on by default, off, anything else an error naming the variable', () => {
    expect(deliveryLimitsFromEnv(undefined)).toBe(DEFAULT_DELIVERY_LIMITS);
    expect(deliveryLimitsFromEnv('ON')).toBe(DEFAULT_DELIVERY_LIMITS);
    expect(deliveryLimitsFromEnv('off')).toBeNull();
    expect(() => deliveryLimitsFromEnv('sometimes')).toThrow('WATCHKEEPER_DELIVERY_LIMITS must be "on" or "off" (got "sometimes")');
  });
});
