import { describe, expect, it } from 'vitest';
import { groupByTeam, shiftText } from './on-call';

describe('Home: on call now and my next shifts', () => {
  it('groups who is on call by team (no team last), then by role', () => {
    const row = (schedule: string, team: string | null, role: string | null) => ({ schedule, team, role, user: 'alice', until: '2026-03-09T09:00:00Z' });
    const groups = groupByTeam([row('web-secondary', 'web', 'secondary'), row('ops', null, null), row('db', 'data', 'primary'), row('web-primary', 'web', 'primary'), row('web-shadow', 'web', null)]);
    expect(groups.map((g) => [g.team, g.rows.map((r) => r.schedule)])).toEqual([
      ['data', ['db']],
      ['web', ['web-primary', 'web-secondary', 'web-shadow']],
      [null, ['ops']],
    ]);
  });

  it('says "onwards" for a shift the 14-day window cuts, rather than a false end', () => {
    const to = '2026-03-22T08:00:00.000Z';
    expect(shiftText('2026-03-16T09:00:00.000Z', to, to, 'UTC')).toBe('Mon 16 Mar 09:00 onwards');
    expect(shiftText('2026-03-08T20:00:00.000Z', '2026-03-09T09:00:00.000Z', to, 'UTC')).toBe('Sun 8 Mar 20:00–Mon 9 Mar 09:00');
  });
});
