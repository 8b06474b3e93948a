import { describe, expect, it } from 'vitest';
import { judgeWindow, type MaintenancePolicy } from './policy.js';
import type { WindowTiming } from './window.js';

const H = 3_600_000;
const z = (s: string) => Date.parse(s);

// QAWave: "Sundays 2:00 AM - 6:00 AM"; Clipper: manager approval for maintenance over 4h.
const policy: MaintenancePolicy = {
  approvalOverMs: 4 * H,
  approvers: [{ role: 'manager' }],
  preferred: { rrule: 'FREQ=WEEKLY;BYDAY=SU', timeZone: 'America/Chicago', start: '02:00', durationMs: 4 * H, from: '2020-01-01' },
};
const once = (start: string, hours: number): WindowTiming => ({ kind: 'once', startsAt: z(start), endsAt: z(start) + hours * H });
const now = z('2026-03-01T00:00:00Z');

describe('maintenance policy', () => {
  it.each([
    ['inside the preferred window', once('2026-03-15T08:00:00Z', 2), []],
    ['the whole preferred window', once('2026-03-15T07:00:00Z', 4), []],
    ['longer than 4h', once('2026-03-15T07:00:00Z', 5), ['longer than 4h (5h; maintenance_policy.approval_over)', 'off-schedule']],
    ['a Tuesday afternoon', once('2026-03-17T20:00:00Z', 1), ['off-schedule']],
    ['spills past 06:00', once('2026-03-15T10:30:00Z', 1), ['off-schedule']],
    ['recurring on the preferred days', { kind: 'recurring', recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=SU', timeZone: 'America/Chicago', start: '03:00', durationMs: 2 * H, from: '2026-03-01' } }, []],
    ['recurring on Saturdays', { kind: 'recurring', recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=SA', timeZone: 'America/Chicago', start: '03:00', durationMs: 2 * H, from: '2026-03-01' } }, ['off-schedule']],
  ] as [string, WindowTiming, string[]][])('%s', (_, timing, expected) => {
    const reasons = judgeWindow(policy, timing, now).map((r) => (r.startsWith('off-schedule') ? 'off-schedule' : r));
    expect(reasons).toEqual(expected);
  });

  it('without a policy nothing needs approval', () => {
    expect(judgeWindow(null, once('2026-03-17T20:00:00Z', 30), now)).toEqual([]);
  });

  it('says which preferred window a window falls outside of', () => {
    expect(judgeWindow({ ...policy, approvalOverMs: null }, once('2026-03-17T20:00:00Z', 1), now)).toEqual([
      'off-schedule: outside the preferred window (FREQ=WEEKLY;BYDAY=SU 02:00 for 4h, America/Chicago; maintenance_policy.preferred)',
    ]);
  });
});
