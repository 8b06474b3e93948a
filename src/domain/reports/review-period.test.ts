import { describe, expect, it } from 'vitest';
import { lastSendDue, periodBefore, periodHolding } from './review-period.js';

const t = (iso: string) => Date.parse(iso);
const span = (s: { from: number; to: number }) => [new Date(s.from).toISOString(), new Date(s.to).toISOString()];

describe('review periods', () => {
  it('runs weeks Monday to Monday, months and quarters from local midnight, across DST', () => {
    // London leaves summer time on Sunday 25 October 2026: the week holding it is 169 hours long.
    expect(span(periodHolding('week', t('2026-10-22T12:00:00Z'), 'Europe/London'))).toEqual(['2026-10-18T23:00:00.000Z', '2026-10-26T00:00:00.000Z']);
    expect(span(periodHolding('week', t('2026-10-28T12:00:00Z'), 'Europe/London'))).toEqual(['2026-10-26T00:00:00.000Z', '2026-11-02T00:00:00.000Z']);
    expect(span(periodBefore('month', t('2026-11-30T10:00:00Z'), 'America/New_York'))).toEqual(['2026-10-01T04:00:00.000Z', '2026-11-01T04:00:00.000Z']);
    expect(span(periodHolding('quarter', t('2026-11-30T10:00:00Z'), 'UTC'))).toEqual(['2026-10-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  it('sends weekly on the weekday, monthly and quarterly on the first one, reviewing the period before', () => {
    const weekly = { send: 'weekly' as const, weekday: 1, minuteOfDay: 540, timeZone: 'America/New_York' };
    // Monday 30 November 09:00 EST is 14:00 UTC.
    expect(lastSendDue(weekly, t('2026-11-30T14:00:00Z'))).toEqual({ at: t('2026-11-30T14:00:00Z'), date: '2026-11-30', period: { from: t('2026-11-23T05:00:00Z'), to: t('2026-11-30T05:00:00Z') } });
    expect(lastSendDue(weekly, t('2026-11-30T13:59:00Z')).date).toBe('2026-11-23');
    // The first Monday of December 2026 is the 7th; on the 5th the last was 2 November's.
    const monthly = { ...weekly, send: 'monthly' as const, timeZone: 'UTC' };
    expect(lastSendDue(monthly, t('2026-12-05T00:00:00Z'))).toMatchObject({ date: '2026-11-02', period: { from: t('2026-10-01T00:00:00Z'), to: t('2026-11-01T00:00:00Z') } });
    expect(lastSendDue(monthly, t('2026-12-07T09:00:00Z'))).toMatchObject({ date: '2026-12-07', period: { from: t('2026-11-01T00:00:00Z'), to: t('2026-12-01T00:00:00Z') } });
    // Quarterly: the first Monday of January 2027 is the 4th; it reviews October to December.
    const quarterly = { ...monthly, send: 'quarterly' as const };
    expect(lastSendDue(quarterly, t('2027-01-04T09:00:00Z'))).toMatchObject({ date: '2027-01-04', period: { from: t('2026-10-01T00:00:00Z'), to: t('2027-01-01T00:00:00Z') } });
  });
});
