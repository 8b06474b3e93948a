import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatDuration, lintSchedules, type LintFinding, type LintInput, type LintSchedule } from './lint.js';
import type { Layer, Override } from './schedule.js';

const HOUR = 3_600_000;
const at = (iso: string): number => DateTime.fromISO(iso, { setZone: true }).toMillis();
const fmt = (t: number) => DateTime.fromMillis(t, { zone: 'UTC' }).toFormat("MM-dd'T'HH:mm");

/** Findings as "kind schedule[+other] user start→end" in UTC, so tables read like a rota. */
const show = (findings: LintFinding[]) => findings.map((f) => `${f.kind} ${f.schedule}${f.other ? `+${f.other}` : ''} ${f.user ?? '-'} ${fmt(f.start)}→${fmt(f.end)}`);

const USERS: LintInput['users'] = new Map([
  ['alice', { name: 'alice', timeZone: 'Europe/London' }],
  ['bob', { name: 'bob', timeZone: 'America/New_York' }],
  ['charlie', { name: 'charlie', timeZone: 'Europe/London' }],
  ['diana', { name: 'diana', timeZone: 'America/Los_Angeles' }],
]);

const weekly = (participants: string[], restrictions?: Layer['restrictions']): Layer => ({
  name: 'weekly',
  participants,
  turn: { unit: 'week', count: 1 },
  start: '2026-02-16T00:00',
  timeZone: 'UTC',
  ...(restrictions ? { restrictions } : {}),
});
let ids = 0;
const cover = (start: string, end: string, userId: string | null, replacesUserId: string | null = null): Override => ({ id: `o${++ids}`, start: at(start), end: at(end), userId, replacesUserId });
const schedule = (name: string, layer: Layer, opts: { team?: string; role?: string; max?: number; overrides?: Override[]; timeZone?: string } = {}): LintSchedule => ({
  name,
  team: opts.team ?? null,
  role: opts.role ?? null,
  maxShiftHours: opts.max ?? null,
  spec: { timeZone: opts.timeZone ?? 'UTC', layers: [layer], overrides: opts.overrides ?? [] },
});

// Weeks from Monday 2026-02-16: [alice, bob] has alice on 03-02 and 03-16, bob on 03-09.
const FROM = at('2026-03-02T00:00Z');
const TO = at('2026-03-16T00:00Z');
const WEEKDAYS_9_TO_5 = [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' }];

describe('lintSchedules', () => {
  it.each<{ rule: string; schedules: LintSchedule[]; prefer?: boolean; to?: string; want: string[] }>([
    // 1. gaps
    { rule: 'no gap when someone is always on call', schedules: [schedule('p', weekly(['alice', 'bob']))], want: [] },
    {
      rule: 'gap where an override takes everyone off',
      schedules: [schedule('p', weekly(['alice', 'bob']), { overrides: [cover('2026-03-03T17:00Z', '2026-03-04T09:00Z', null)] })],
      want: ['gap p - 03-03T17:00→03-04T09:00'],
    },
    { rule: 'gap for a layer with nobody in it', schedules: [schedule('p', weekly([]))], want: ['gap p - 03-02T00:00→03-16T00:00'] },
    {
      rule: 'gap before a rotation starts',
      schedules: [schedule('p', { ...weekly(['alice']), start: '2026-03-10T00:00' })],
      want: ['gap p - 03-02T00:00→03-10T00:00'],
    },
    // 2. shifts longer than max_shift_hours
    { rule: 'a one-week turn is within a 168 h limit', schedules: [schedule('p', weekly(['alice', 'bob']), { max: 168 })], want: [] },
    { rule: 'no limit, no finding', schedules: [schedule('p', weekly(['alice', 'alice', 'bob']))], want: [] },
    {
      rule: 'two turns in a row are one 14-day stretch, measured whole past the range',
      schedules: [schedule('p', weekly(['alice', 'alice', 'bob']), { max: 168 })],
      // alice 02-16→03-02 ends at `from`; bob 03-02→03-09; alice 03-09→03-23 runs past `to`.
      want: ['long_shift p alice 03-09T00:00→03-23T00:00'],
    },
    {
      rule: 'an override next to a turn of the same person makes one stretch',
      schedules: [schedule('p', weekly(['alice', 'bob']), { max: 168, overrides: [cover('2026-03-09T00:00Z', '2026-03-16T00:00Z', 'alice', 'bob')] })],
      want: ['long_shift p alice 03-02T00:00→03-23T00:00'],
    },
    // 3. the same person in two schedules of one team
    {
      rule: 'primary and shadow the same person',
      schedules: [schedule('p', weekly(['alice', 'bob']), { team: 't', role: 'primary' }), schedule('s', weekly(['alice', 'charlie']), { team: 't', role: 'shadow' })],
      want: ['double_booked p+s alice 03-02T00:00→03-09T00:00'],
    },
    {
      rule: 'different people in primary and shadow',
      schedules: [schedule('p', weekly(['alice', 'bob']), { team: 't', role: 'primary' }), schedule('s', weekly(['bob', 'alice']), { team: 't', role: 'shadow' })],
      want: [],
    },
    // 4. primary and backup in one time zone, when the team prefers different ones
    {
      rule: 'alice and charlie both in London, merged across the handoff',
      prefer: true,
      schedules: [schedule('p', weekly(['alice', 'charlie']), { team: 't', role: 'primary' }), schedule('s', weekly(['charlie', 'alice']), { team: 't', role: 'shadow' })],
      want: ['same_time_zone p+s - 03-02T00:00→03-16T00:00'],
    },
    {
      rule: 'same zones but the team does not mind',
      schedules: [schedule('p', weekly(['alice', 'charlie']), { team: 't', role: 'primary' }), schedule('s', weekly(['charlie', 'alice']), { team: 't', role: 'shadow' })],
      want: [],
    },
    {
      rule: 'same zones but not primary and backup',
      prefer: true,
      schedules: [schedule('p', weekly(['alice', 'charlie']), { team: 't', role: 'primary' }), schedule('m', weekly(['charlie', 'alice']), { team: 't', role: 'manager' })],
      want: [],
    },
    {
      rule: 'London and New York are different zones',
      prefer: true,
      schedules: [schedule('p', weekly(['alice', 'charlie']), { team: 't', role: 'primary' }), schedule('s', weekly(['bob']), { team: 't', role: 'secondary' })],
      want: [],
    },
    // 5. one person in two teams' schedules at once
    {
      rule: 'diana in two teams, on weekdays only: one finding per day (and gaps around them)',
      to: '2026-03-04T00:00Z',
      schedules: [schedule('a', weekly(['diana']), { team: 'ta' }), schedule('b', weekly(['diana'], WEEKDAYS_9_TO_5), { team: 'tb' })],
      want: [
        'gap b - 03-02T00:00→03-02T09:00',
        'conflict a+b diana 03-02T09:00→03-02T17:00',
        'gap b - 03-02T17:00→03-03T09:00',
        'conflict a+b diana 03-03T09:00→03-03T17:00',
        'gap b - 03-03T17:00→03-04T00:00',
      ],
    },
    {
      rule: 'a schedule without a team conflicts with a team one',
      schedules: [schedule('a', weekly(['alice', 'bob']), { team: 'ta' }), schedule('z', weekly(['alice', 'charlie']))],
      want: ['conflict a+z alice 03-02T00:00→03-09T00:00'],
    },
  ])('$rule', ({ schedules, prefer, to, want }) => {
    const teams = [...new Set(schedules.map((s) => s.team).filter((t) => t !== null))].map((name) => ({ name, preferDifferentTimeZones: prefer ?? false }));
    expect(show(lintSchedules({ schedules, teams, users: USERS }, FROM, to ? at(to) : TO))).toEqual(want);
  });

  it.each<{ rule: string; schedules: LintSchedule[]; prefer?: boolean; message: string }>([
    {
      rule: 'gap',
      schedules: [schedule('platform-primary', weekly(['alice', 'bob']), { overrides: [cover('2026-03-03T17:00Z', '2026-03-04T09:00Z', null)] })],
      message: 'platform-primary has nobody on call Tue 3 Mar 17:00 – Wed 4 Mar 09:00 UTC (16 h)',
    },
    {
      rule: 'gap, in the schedule’s own zone',
      schedules: [schedule('p', weekly(['alice', 'bob']), { timeZone: 'Europe/Berlin', overrides: [cover('2026-03-03T17:00Z', '2026-03-03T18:30Z', null)] })],
      message: 'p has nobody on call Tue 3 Mar 18:00 – 19:30 Europe/Berlin (1 h 30 min)',
    },
    {
      rule: 'long_shift',
      schedules: [schedule('p', weekly(['alice', 'alice', 'bob']), { max: 168 })],
      message: 'alice is on call in p for 14 d at a stretch, Mon 9 Mar 00:00 – Mon 23 Mar 00:00 UTC; the limit is 168 h',
    },
    {
      rule: 'long_shift that never ends',
      schedules: [schedule('p', weekly(['alice']), { max: 24 })],
      message: 'alice is on call in p for at least 57 d at a stretch, Mon 16 Feb 00:00 – Tue 14 Apr 00:00 UTC; the limit is 24 h',
    },
    {
      rule: 'double_booked',
      schedules: [schedule('p', weekly(['alice', 'bob']), { team: 't', role: 'primary' }), schedule('s', weekly(['alice', 'charlie']), { team: 't', role: 'shadow' })],
      message: 'alice is on call in both p and s Mon 2 Mar 00:00 – Mon 9 Mar 00:00 UTC (7 d); nobody backs them up',
    },
    {
      rule: 'same_time_zone',
      prefer: true,
      schedules: [schedule('p', weekly(['alice', 'charlie']), { team: 't', role: 'primary' }), schedule('s', weekly(['charlie', 'alice']), { team: 't', role: 'shadow' })],
      message: 'p and s both have someone in Europe/London on call (alice, charlie) Mon 2 Mar 00:00 – Mon 16 Mar 00:00 UTC (14 d); team t prefers different time zones',
    },
    {
      rule: 'conflict',
      schedules: [schedule('a', weekly(['alice', 'bob']), { team: 'ta' }), schedule('z', weekly(['alice', 'charlie']))],
      message: 'alice is on call in a (team ta) and z (no team) at once Mon 2 Mar 00:00 – Mon 9 Mar 00:00 UTC (7 d)',
    },
  ])('says $rule in operators’ words', ({ schedules, prefer, message }) => {
    const teams = [...new Set(schedules.map((s) => s.team).filter((t) => t !== null))].map((name) => ({ name, preferDifferentTimeZones: prefer ?? false }));
    expect(lintSchedules({ schedules, teams, users: USERS }, FROM, TO).map((f) => f.message)).toEqual([message]);
  });

  it.each([
    [30 * 60_000, '30 min'],
    [16 * HOUR, '16 h'],
    [90 * 60_000, '1 h 30 min'],
    [47 * HOUR, '47 h'],
    [7 * 24 * HOUR, '7 d'],
    [52 * HOUR, '2 d 4 h'],
  ])('formatDuration(%i) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('is empty for an empty range', () => {
    expect(lintSchedules({ schedules: [schedule('p', weekly([]))], teams: [], users: USERS }, TO, FROM)).toEqual([]);
  });
});
