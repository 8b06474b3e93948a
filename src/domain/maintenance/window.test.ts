import { describe, expect, it } from 'vitest';
import { parseMatchers } from '../silence/matchers.js';
import { checkRecurrence, checkScope, covering, finalEnd, inScope, nextOccurrences, occurrenceAt, occurrences, parseRule, windowState, type MaintenanceWindow, type Recurrence, type WindowTiming } from './window.js';

const H = 3_600_000;
const z = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const sundays = (over: Partial<Recurrence> = {}): WindowTiming => ({
  kind: 'recurring',
  recurrence: { rrule: 'FREQ=WEEKLY;BYDAY=SU', timeZone: 'America/Chicago', start: '02:00', durationMs: 4 * H, from: '2026-01-01', ...over },
});

const window = (over: Partial<MaintenanceWindow> = {}): MaintenanceWindow => ({
  id: 'w1',
  name: 'Sunday patching',
  managedBy: 'file',
  scope: { services: ['Backend'], matchers: [] },
  timing: sundays(),
  comment: 'OS patches',
  createdBy: 'alice',
  authorId: null,
  approval: 'approved',
  approvalReasons: [],
  approvers: [],
  endedAt: null,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

describe('recurring windows in a time zone', () => {
  // America/Chicago: clocks spring forward on 2026-03-08 (02:00 CST -> 03:00 CDT) and fall back on
  // 2026-11-01 (02:00 CDT -> 01:00 CST).
  it.each([
    ['the Sunday before spring-forward, CST', '2026-03-01', '2026-03-01T08:00Z', '2026-03-01T12:00Z'],
    ['spring-forward day: 02:00 does not exist, the window starts at 03:00 CDT and still ends 06:00', '2026-03-08', '2026-03-08T08:00Z', '2026-03-08T11:00Z'],
    ['the Sunday after, CDT', '2026-03-15', '2026-03-15T07:00Z', '2026-03-15T11:00Z'],
    ['the Sunday before fall-back, CDT', '2026-10-25', '2026-10-25T07:00Z', '2026-10-25T11:00Z'],
    ['fall-back day: 02:00 happens once, in CST; four real hours', '2026-11-01', '2026-11-01T08:00Z', '2026-11-01T12:00Z'],
    ['the Sunday after, CST', '2026-11-08', '2026-11-08T08:00Z', '2026-11-08T12:00Z'],
  ])('Sundays 02:00-06:00 America/Chicago: %s', (_, day, start, end) => {
    const [o] = occurrences(sundays(), z(`${day}T00:00:00Z`), z(`${day}T23:59:00Z`));
    expect(o && [iso(o.start), iso(o.end)]).toEqual([start.replace('Z', ':00Z'), end.replace('Z', ':00Z')]);
  });

  it('a window starting at a repeated local time begins at its first occurrence and lasts five real hours', () => {
    const [o] = occurrences(sundays({ start: '01:30' }), z('2026-11-01T00:00:00Z'), z('2026-11-02T00:00:00Z'));
    expect(o && [iso(o.start), iso(o.end)]).toEqual(['2026-11-01T06:30:00Z', '2026-11-01T11:30:00Z']);
  });

  it('an occurrence inside the skipped hour moves forward with it; one that would end before it starts does not happen', () => {
    const inside = sundays({ start: '02:15', durationMs: 0.5 * H });
    expect(occurrences(inside, z('2026-03-08T00:00:00Z'), z('2026-03-09T00:00:00Z')).map((o) => [iso(o.start), iso(o.end)])).toEqual([['2026-03-08T08:15:00Z', '2026-03-08T08:45:00Z']]);
    const across = sundays({ start: '02:30', durationMs: 0.5 * H });
    expect(occurrences(across, z('2026-03-08T00:00:00Z'), z('2026-03-09T00:00:00Z'))).toEqual([]);
    expect(occurrences(across, z('2026-03-15T00:00:00Z'), z('2026-03-16T00:00:00Z'))).toHaveLength(1);
  });

  it('knows the occurrence under way, and none outside', () => {
    expect(occurrenceAt(sundays(), z('2026-03-08T07:59:00Z'))).toBeNull();
    expect(occurrenceAt(sundays(), z('2026-03-08T08:00:00Z'))).toEqual({ start: z('2026-03-08T08:00:00Z'), end: z('2026-03-08T11:00:00Z') });
    expect(occurrenceAt(sundays(), z('2026-03-08T10:59:00Z'))?.end).toBe(z('2026-03-08T11:00:00Z'));
    expect(occurrenceAt(sundays(), z('2026-03-08T11:00:00Z'))).toBeNull();
    // Ended early: the occurrence stops then, and none follows.
    expect(occurrenceAt(sundays(), z('2026-03-08T09:00:00Z'), z('2026-03-08T09:30:00Z'))?.end).toBe(z('2026-03-08T09:30:00Z'));
    expect(occurrenceAt(sundays(), z('2026-03-15T09:00:00Z'), z('2026-03-08T09:30:00Z'))).toBeNull();
  });

  it('lists the next occurrences from the first day on', () => {
    const next = nextOccurrences(sundays({ from: '2026-03-10' }), z('2026-03-01T00:00:00Z'), 3).map((o) => iso(o.start));
    expect(next).toEqual(['2026-03-15T07:00:00Z', '2026-03-22T07:00:00Z', '2026-03-29T07:00:00Z']);
  });

  it('monthly rules and finite rules', () => {
    const firstSunday = sundays({ rrule: 'FREQ=MONTHLY;BYDAY=1SU;COUNT=2', from: '2026-03-01' });
    expect(nextOccurrences(firstSunday, z('2026-01-01T00:00:00Z'), 5).map((o) => iso(o.start))).toEqual(['2026-03-01T08:00:00Z', '2026-04-05T07:00:00Z']);
    expect(iso(finalEnd(firstSunday) as number)).toBe('2026-04-05T11:00:00Z');
    expect(finalEnd(sundays())).toBeNull();
    expect(finalEnd(sundays(), 5)).toBe(5);
  });

  it.each([
    ['FREQ=WEEKLY;BYDAY=SU', null],
    ['RRULE:FREQ=DAILY', null],
    ['', 'is required, e.g. FREQ=WEEKLY;BYDAY=SU'],
    ['BYDAY=SU', 'needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, e.g. FREQ=WEEKLY;BYDAY=SU'],
    ['FREQ=HOURLY', 'needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, e.g. FREQ=WEEKLY;BYDAY=SU'],
    ['FREQ=WEEKLY;BYDAY=XX', 'has a part that is not understood; check BYDAY (MO, TU, WE, TH, FR, SA, SU) and the numbers'],
    ['FREQ=WEEKLY;BYHOUR=2', 'give the time of day with start, not BYHOUR, BYMINUTE or BYSECOND'],
    ['DTSTART=20260101T000000Z;FREQ=WEEKLY', 'give the first day with from, the time with start and the zone with time_zone, not DTSTART or TZID'],
    ['FREQ=WEEKLY;WHEN=SUNDAY', "is not an iCalendar RRULE (Unknown RRULE property 'WHEN'); write e.g. FREQ=WEEKLY;BYDAY=SU"],
  ])('rule %j', (text, message) => {
    const r = parseRule(text);
    expect(r.ok ? null : r.message).toBe(message);
  });

  it('names every bad field of a recurrence', () => {
    expect(checkRecurrence({ rrule: 'FREQ=WEEKLY', timeZone: 'Mars/Olympus', start: '25:00', durationMs: null, from: '2026-02-30' }).map(([f]) => f)).toEqual(['time_zone', 'start', 'duration', 'from']);
    expect(checkRecurrence({ rrule: 'FREQ=WEEKLY', timeZone: 'UTC', start: '02:00', durationMs: 8 * 24 * H, from: '2026-02-28' })).toEqual([['duration', 'a recurring window lasts at most 7 days']]);
  });
});

describe('scope', () => {
  const m = (s: string) => parseMatchers(s);
  it.each([
    ['service listed', { services: ['Backend'], matchers: [] }, 'Backend', {}, true],
    ['other service', { services: ['Backend'], matchers: [] }, 'Checkout API', {}, false],
    ['service and matcher both hold', { services: ['Backend'], matchers: m('env="prod"') }, 'Backend', { env: 'prod' }, true],
    ['service holds, matcher does not', { services: ['Backend'], matchers: m('env="prod"') }, 'Backend', { env: 'staging' }, false],
    ['matchers only, regex', { services: [], matchers: m('alertname=~"Disk.*"') }, 'Anything', { alertname: 'DiskFull' }, true],
    ['matchers only, negative', { services: [], matchers: m('severity!="critical",team="db"') }, 'Anything', { severity: 'critical', team: 'db' }, false],
  ])('%s', (_, scope, service, labels, expected) => {
    expect(inScope(scope, service, labels)).toBe(expected);
  });

  it('refuses a scope that would cover every alert', () => {
    expect(checkScope({ services: [], matchers: [] })).toEqual([['services', 'give services or matchers: what the window covers']]);
    expect(checkScope({ services: [], matchers: m('env!="prod"') })[0]?.[0]).toBe('matchers');
    expect(checkScope({ services: ['Backend'], matchers: [] })).toEqual([]);
  });

  it('an approved window in scope covers an alert while an occurrence runs; pending ones do not', () => {
    const now = z('2026-03-15T08:00:00Z');
    const short = window({ id: 'short', timing: { kind: 'once', startsAt: now - H, endsAt: now + H } });
    const long = window({ id: 'long' });
    const pending = window({ id: 'pending', approval: 'pending', timing: { kind: 'once', startsAt: now - H, endsAt: now + 9 * H } });
    expect(covering([short, long, pending], 'Backend', {}, now)?.window.id).toBe('long');
    expect(covering([short, pending], 'Backend', {}, now + 2 * H)).toBeNull();
    expect(covering([long], 'Checkout API', {}, now)).toBeNull();
    expect(windowState(pending, now)).toBe('pending-approval');
    expect(windowState(long, now)).toBe('active');
    expect(windowState(long, now + 5 * H)).toBe('upcoming');
    expect(windowState(short, now + 2 * H)).toBe('over');
  });
});
