import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { calendarGrid, entriesByDay, shiftAnchor, type CalendarOccurrence } from './calendar';
import { MaintenanceCalendar } from './maintenance-calendar';

/**
 * The maintenance calendar: the days a month or week view shows (Monday first, in the viewer's
 * zone, across a clock change), each occurrence placed on every day it touches with its hours
 * that day, and the component against a stubbed server: the range it asks for, windows linked
 * on their days, one awaiting approval marked, moving by month and week, fetching again when
 * windows change. The viewer is in America/Chicago; now is Sunday 2026-03-08 08:00 UTC (03:00 CDT).
 */
const NOW = Date.parse('2026-03-08T08:00:00Z');
const ZONE = 'America/Chicago';

const occ = (id: string, name: string, starts_at: string, ends_at: string, over: Partial<CalendarOccurrence['window']> = {}): CalendarOccurrence => ({
  window: { id, name, state: 'upcoming', approval: 'approved', scope: 'Checkout API', managed_by: 'api', ...over },
  starts_at,
  ends_at,
});

describe('calendar arithmetic', () => {
  it('shows whole weeks from Monday around the month, and asks for them in UTC across the clock change', () => {
    const g = calendarGrid('month', '2026-03-08', ZONE, NOW);
    expect(g.title).toBe('March 2026');
    expect(g.weeks).toHaveLength(6);
    expect(g.weeks.map((w) => w.length)).toEqual([7, 7, 7, 7, 7, 7]);
    expect(g.weeks[0]![0]).toEqual({ date: '2026-02-23', day: 23, outside: true, today: false });
    expect(g.weeks[5]![6]).toEqual({ date: '2026-04-05', day: 5, outside: true, today: false });
    expect(g.weeks.flat().filter((d) => d.today).map((d) => d.date)).toEqual(['2026-03-08']);
    // Midnight CST (UTC-6) on 23 February; midnight CDT (UTC-5) on 6 April.
    expect(g.from).toBe('2026-02-23T06:00:00.000Z');
    expect(g.to).toBe('2026-04-06T05:00:00.000Z');

    const w = calendarGrid('week', '2026-03-08', ZONE, NOW);
    expect(w.title).toBe('Week of 2 Mar 2026');
    expect(w.weeks.flat().map((d) => d.date)).toEqual(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08']);
    expect(w.weeks.flat().some((d) => d.outside)).toBe(false);

    expect(shiftAnchor('month', '2026-01-31', 1)).toBe('2026-02-01');
    expect(shiftAnchor('month', '2026-03-08', -1)).toBe('2026-02-01');
    expect(shiftAnchor('week', '2026-03-08', 1)).toBe('2026-03-15');
  });

  it('puts an occurrence on every day it touches, with its hours on that day', () => {
    const days = entriesByDay(
      [
        occ('a', 'Sunday patching', '2026-03-15T07:00:00Z', '2026-03-15T11:00:00Z'),
        occ('b', 'Overnight reindex', '2026-03-10T03:00:00Z', '2026-03-10T08:00:00Z'), // 22:00 CDT on the 9th to 03:00 on the 10th
        occ('c', 'Data centre move', '2026-03-20T15:00:00Z', '2026-03-23T02:00:00Z'),
      ],
      ZONE,
    );
    const at = (d: string) => (days.get(d) ?? []).map((e) => `${e.time} ${e.occurrence.window.name}`);
    expect(at('2026-03-15')).toEqual(['02:00–06:00 Sunday patching']);
    expect(at('2026-03-09')).toEqual(['22:00– Overnight reindex']);
    expect(at('2026-03-10')).toEqual(['–03:00 Overnight reindex']);
    expect(at('2026-03-20')).toEqual(['10:00– Data centre move']);
    expect(at('2026-03-21')).toEqual(['all day Data centre move']);
    expect(at('2026-03-22')).toEqual(['–21:00 Data centre move']);
    expect(days.has('2026-03-23')).toBe(false);
  });
});

describe('the maintenance calendar', () => {
  const asked: string[] = [];
  beforeEach(() => {
    asked.length = 0;
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        const url = String(input);
        asked.push(decodeURIComponent(url));
        const body = url.includes('from=2026-02-23')
          ? {
              occurrences: [
                occ('w1', 'Sunday patching', '2026-03-08T08:00:00Z', '2026-03-08T11:00:00Z', { state: 'active' }),
                occ('w2', 'Database upgrade', '2026-03-10T00:00:00Z', '2026-03-10T03:00:00Z', { state: 'pending-approval', approval: 'pending' }),
              ],
            }
          : { occurrences: [] };
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      }),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it('shows the month’s windows on their days, linked, with one awaiting approval marked', async () => {
    render(<MaintenanceCalendar now={NOW} zone={ZONE} />);
    const today = await screen.findByRole('list', { name: 'Windows on 2026-03-08' });
    expect(asked).toEqual(['/api/v1/maintenance-windows/calendar?from=2026-02-23T06:00:00.000Z&to=2026-04-06T05:00:00.000Z']);
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Calendar: March 2026');
    expect(screen.getByText('Times in America/Chicago, your time zone.')).toBeTruthy();
    expect(today.textContent).toBe('03:00–06:00 Sunday patching');
    expect(within(today).getByRole('link', { name: 'Sunday patching' }).getAttribute('href')).toBe('/maintenance/w1');
    expect(today.closest('td')?.getAttribute('aria-current')).toBe('date');
    // 00:00 UTC on the 10th is 19:00 CDT on the 9th.
    const ninth = screen.getByRole('list', { name: 'Windows on 2026-03-09' });
    expect(ninth.textContent).toBe('19:00–22:00 Database upgrade (awaiting approval)');
  });

  it('moves by month and by week, asking the server for each range, and fetches again when windows change', async () => {
    const { rerender } = render(<MaintenanceCalendar now={NOW} zone={ZONE} changed={1} />);
    await screen.findByRole('list', { name: 'Windows on 2026-03-08' });
    fireEvent.click(screen.getByRole('button', { name: 'Next month' }));
    await screen.findByText('No maintenance in this month.');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Calendar: April 2026');
    expect(asked[1]).toBe('/api/v1/maintenance-windows/calendar?from=2026-03-30T05:00:00.000Z&to=2026-05-04T05:00:00.000Z');

    fireEvent.click(screen.getByRole('button', { name: 'Today' }));
    fireEvent.click(screen.getByRole('button', { name: 'Week' }));
    expect(screen.getByRole('button', { name: 'Week' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Calendar: Week of 2 Mar 2026');
    await waitFor(() => expect(asked.at(-1)).toBe('/api/v1/maintenance-windows/calendar?from=2026-03-02T06:00:00.000Z&to=2026-03-09T05:00:00.000Z'));
    expect(screen.getAllByRole('cell')).toHaveLength(7);
    fireEvent.click(screen.getByRole('button', { name: 'Previous week' }));
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Calendar: Week of 23 Feb 2026');
    await waitFor(() => expect(asked.at(-1)).toBe('/api/v1/maintenance-windows/calendar?from=2026-02-23T06:00:00.000Z&to=2026-03-02T06:00:00.000Z'));

    const before = asked.length;
    rerender(<MaintenanceCalendar now={NOW} zone={ZONE} changed={2} />);
    await waitFor(() => expect(asked.length).toBe(before + 1));
    expect(asked.at(-1)).toBe(asked.at(-2));
  });
});
