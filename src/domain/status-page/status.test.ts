import { describe, expect, it } from 'vitest';
import { dailyWorst, overallText, templateText, worst } from './status.js';

const t = (iso: string) => Date.parse(iso);

describe('status page rules', () => {
  it('ranks maintenance below any outage and an outage of everything worst', () => {
    expect(worst([])).toBe('operational');
    expect(worst(['operational', 'under_maintenance'])).toBe('under_maintenance');
    expect(worst(['under_maintenance', 'degraded_performance'])).toBe('degraded_performance');
    expect(worst(['partial_outage', 'major_outage', 'degraded_performance'])).toBe('major_outage');
  });

  it('words the headline by the worst component', () => {
    expect(overallText(['operational', 'operational'])).toEqual({ status: 'operational', text: 'All systems operational' });
    expect(overallText(['partial_outage', 'degraded_performance']).text).toBe('Partial outage');
    expect(overallText(['partial_outage', 'partial_outage']).text).toBe('Partial outage of several systems');
    expect(overallText(['under_maintenance']).text).toBe('Scheduled maintenance in progress');
  });

  it('keeps the worst status of each UTC day, carrying the status across days', () => {
    const now = t('2026-03-08T08:00:00Z');
    const bars = dailyWorst(
      [
        { at: t('2026-03-05T23:30:00Z'), status: 'major_outage' },
        { at: t('2026-03-06T00:10:00Z'), status: 'degraded_performance' },
        { at: t('2026-03-06T05:00:00Z'), status: 'operational' },
        { at: t('2026-03-08T07:00:00Z'), status: 'under_maintenance' },
      ],
      'operational',
      now,
      5,
    );
    expect(bars).toEqual([
      { day: '2026-03-04', status: 'operational' },
      { day: '2026-03-05', status: 'major_outage' },
      // Still in major outage at midnight, until 00:10.
      { day: '2026-03-06', status: 'major_outage' },
      { day: '2026-03-07', status: 'operational' },
      { day: '2026-03-08', status: 'under_maintenance' },
    ]);
    // A change before the first day sets how it starts.
    expect(dailyWorst([{ at: t('2026-01-01T00:00:00Z'), status: 'partial_outage' }], 'operational', now, 2).map((b) => b.status)).toEqual(['partial_outage', 'partial_outage']);
  });

  it('fills the template with the incident title', () => {
    expect(templateText('investigating', 'failed payments')).toBe('We are investigating failed payments.');
    expect(templateText('resolved', 'x')).toBe('The issue has been resolved.');
  });
});
