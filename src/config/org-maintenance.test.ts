import { describe, expect, it } from 'vitest';
import { validateOrg } from './org.js';

/** The org file's maintenance sections: shapes, references and times, each problem at its path. */
const base = {
  users: [{ name: 'alice', email: 'alice@example.com' }],
  escalation_policies: [{ name: 'p', levels: [{ targets: [{ user: 'alice' }] }] }],
  services: [{ name: 'Backend', escalation_policy: 'p' }],
};

const problems = (extra: Record<string, unknown>) => {
  const r = validateOrg({ ...base, ...extra });
  return r.ok ? [] : r.problems;
};

describe('maintenance in the org file', () => {
  it('reads a recurring and a one-off window and the policy', () => {
    const r = validateOrg({
      ...base,
      maintenance_policy: { approval_over: '4h', preferred: { rrule: 'FREQ=WEEKLY;BYDAY=SU', time_zone: 'America/Chicago', start: '02:00', duration: '4h' } },
      maintenance_windows: [
        { name: 'sunday', services: ['Backend'], rrule: 'FREQ=WEEKLY;BYDAY=SU', time_zone: 'America/Chicago', start: '02:00', duration: '4h', comment: 'Weekly patching' },
        { name: 'db', matchers: ['team="db"'], starts_at: '2026-12-05T02:00:00-06:00', ends_at: '2026-12-05T05:00:00-06:00', comment: 'Upgrade' },
      ],
    });
    expect(r.ok && r.config.maintenancePolicy).toEqual({
      approvalOverMs: 4 * 3_600_000,
      approvers: [{ role: 'manager' }],
      preferred: { rrule: 'FREQ=WEEKLY;BYDAY=SU', timeZone: 'America/Chicago', start: '02:00', durationMs: 4 * 3_600_000, from: '2020-01-01' },
    });
    expect(r.ok && r.config.maintenanceWindows.map((w) => [w.name, w.timing.kind, w.services, w.matchers.length])).toEqual([
      ['sunday', 'recurring', ['Backend'], 0],
      ['db', 'once', [], 1],
    ]);
    expect(r.ok && r.config.maintenanceWindows[1]?.timing).toEqual({ kind: 'once', startsAt: Date.parse('2026-12-05T08:00:00Z'), endsAt: Date.parse('2026-12-05T11:00:00Z') });
  });

  it.each([
    [{ name: 'a', services: ['Payments'], starts_at: '2026-12-05T02:00:00Z', ends_at: '2026-12-05T03:00:00Z', comment: 'x' }, 'maintenance_windows[0].services[0]', 'no service named "Payments"'],
    [{ name: 'a', comment: 'x', starts_at: '2026-12-05T02:00:00Z', ends_at: '2026-12-05T03:00:00Z' }, 'maintenance_windows[0].services', 'give services or matchers: what the window covers'],
    [{ name: 'a', services: ['Backend'], comment: 'x', starts_at: '2026-12-05T02:00:00Z', ends_at: '2026-12-05T01:00:00Z' }, 'maintenance_windows[0].ends_at', 'must be after starts_at'],
    [{ name: 'a', services: ['Backend'], comment: 'x', starts_at: '2026-12-05T02:00:00Z' }, 'maintenance_windows[0].ends_at', 'is required with starts_at'],
    [{ name: 'a', services: ['Backend'], comment: 'x', rrule: 'FREQ=WEEKLY;BYDAY=SU', start: '02:00', duration: '4h' }, 'maintenance_windows[0].time_zone', 'is required for a recurring window'],
    [{ name: 'a', services: ['Backend'], comment: 'x', rrule: 'FREQ=WEEKLY;BYDAY=SU', time_zone: 'UTC', start: '02:00', duration: 'four' }, 'maintenance_windows[0].duration', '"four" is not a duration; write e.g. 4h or 1h30m'],
    [{ name: 'a', services: ['Backend'], comment: 'x', rrule: 'FREQ=MINUTELY', time_zone: 'UTC', start: '02:00', duration: '4h' }, 'maintenance_windows[0].rrule', 'needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, e.g. FREQ=WEEKLY;BYDAY=SU'],
    [{ name: 'a', services: ['Backend'], comment: 'x', rrule: 'FREQ=WEEKLY', time_zone: 'UTC', start: '02:00', duration: '4h', starts_at: '2026-12-05T02:00:00Z' }, 'maintenance_windows[0]', 'give starts_at and ends_at (one-off) or rrule, time_zone, start and duration (recurring), not both'],
    [{ name: 'a', matchers: ['team=~"("'], comment: 'x', starts_at: '2026-12-05T02:00:00Z', ends_at: '2026-12-05T03:00:00Z' }, 'maintenance_windows[0].matchers[0]', expect.stringContaining('does not compile')],
  ])('names the field of a bad window (%#)', (window, field, message) => {
    expect(problems({ maintenance_windows: [window] })).toEqual([{ field, message }]);
  });

  it('names duplicate windows and a bad policy', () => {
    const w = { name: 'same', services: ['Backend'], comment: 'x', starts_at: '2026-12-05T02:00:00Z', ends_at: '2026-12-05T03:00:00Z' };
    expect(problems({ maintenance_windows: [w, w] })).toEqual([{ field: 'maintenance_windows[1].name', message: 'duplicate name "same" (also maintenance_windows[0])' }]);
    expect(problems({ maintenance_policy: { approval_over: 'long', approvers: [{ team: 'dba' }] } })).toEqual([
      { field: 'maintenance_policy.approval_over', message: '"long" is not a duration; write e.g. 4h' },
      { field: 'maintenance_policy.approvers[0].team', message: 'no team named "dba"' },
    ]);
  });
});
