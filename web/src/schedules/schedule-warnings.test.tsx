import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { lintQuery, ScheduleWarnings, warningsFor } from './schedule-warnings';
import type { LintFinding } from './types';

const t = (iso: string) => Date.parse(iso);
const week = { from: t('2026-03-09T00:00:00Z'), to: t('2026-03-16T00:00:00Z') };
const finding = (kind: LintFinding['kind'], schedule: string, start: string, end: string, extra: Partial<LintFinding> = {}): LintFinding => ({
  kind,
  schedule,
  start,
  end,
  message: `${kind} in ${schedule}${extra.other ? ` and ${extra.other}` : ''} from ${start}`,
  ...extra,
});
const findings = [
  finding('gap', 'platform-primary', '2026-03-10T17:00:00Z', '2026-03-11T09:00:00Z'),
  finding('conflict', 'office-hours', '2026-03-11T09:00:00Z', '2026-03-11T17:00:00Z', { other: 'platform-primary', user: 'diana' }),
  finding('gap', 'platform-shadow', '2026-03-10T17:00:00Z', '2026-03-11T09:00:00Z'),
  finding('gap', 'platform-primary', '2026-03-20T17:00:00Z', '2026-03-21T09:00:00Z'),
];

describe('schedule warnings', () => {
  it('keeps this schedule’s findings, as the first or the other schedule, that overlap the range', () => {
    expect(warningsFor(findings, 'platform-primary', week).map((f) => [f.kind, f.schedule])).toEqual([
      ['gap', 'platform-primary'],
      ['conflict', 'office-hours'],
    ]);
  });

  it('asks for whole weeks from the start of the range, 1 to 26', () => {
    expect(lintQuery(week)).toEqual({ from: '2026-03-09T00:00:00.000Z', weeks: '1' });
    expect(lintQuery({ from: week.from, to: week.from + 86_400_000 })).toEqual({ from: '2026-03-09T00:00:00.000Z', weeks: '1' });
    expect(lintQuery({ from: week.from, to: week.from + 31 * 86_400_000 }).weeks).toBe('5');
    expect(lintQuery({ from: week.from, to: week.from + 400 * 86_400_000 }).weeks).toBe('26');
  });

  it('lists the warnings under a heading, each with its kind', () => {
    render(<ScheduleWarnings findings={findings} name="platform-primary" range={week} />);
    const section = screen.getByRole('region', { name: 'Warnings' });
    const items = within(section).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      'Nobody on call gap in platform-primary from 2026-03-10T17:00:00Z',
      'Conflict conflict in office-hours and platform-primary from 2026-03-11T09:00:00Z',
    ]);
  });

  it('shows nothing when the schedule has no problems, and the error when lint failed', () => {
    const { container, rerender } = render(<ScheduleWarnings findings={findings} name="office-hours-2" range={week} />);
    expect(container.innerHTML).toBe('');
    rerender(<ScheduleWarnings findings={undefined} name="platform-primary" range={week} error={new Error('lint is down')} />);
    expect(screen.getByRole('alert').textContent).toContain('lint is down');
  });
});
