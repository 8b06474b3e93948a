import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { finalShifts, layerShifts, nextChange, onCallAt, validateLayer, type Layer, type Override, type ScheduleSpec, type Shift } from './schedule.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NY = 'America/New_York';

/** An instant from an ISO string with its offset ("2026-03-09T13:00Z"). */
const at = (iso: string): number => {
  const t = DateTime.fromISO(iso, { setZone: true });
  if (!t.isValid) throw new Error(`bad instant ${iso}`);
  return t.toMillis();
};
/** An instant from a local date-time in a zone (fixtures only; never ambiguous ones). */
const local = (s: string, zone: string): number => DateTime.fromISO(s, { zone }).toMillis();

const fmt = (t: number, zone: string) => DateTime.fromMillis(t, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
/** Shifts as "start → end user" in local time of `zone`, so tables read like the handbooks. */
const show = (shifts: Shift[], zone = 'UTC', withSource = false) =>
  shifts.map((s) => `${fmt(s.start, zone)} → ${fmt(s.end, zone)} ${s.userId}${withSource ? ` (${s.source})` : ''}`);

const layer = (name: string, participants: string[], start: string, turn: Layer['turn'] = { unit: 'week', count: 1 }, timeZone = 'UTC', restrictions?: Layer['restrictions']): Layer => ({
  name,
  participants,
  turn,
  start,
  timeZone,
  ...(restrictions ? { restrictions } : {}),
});
const spec = (layers: Layer[], overrides: Override[] = [], timeZone = 'UTC'): ScheduleSpec => ({ timeZone, layers, overrides });
let overrideIds = 0;
const override = (start: string, end: string, userId: string | null, replacesUserId: string | null = null): Override => ({
  id: `o${++overrideIds}`,
  start: at(start),
  end: at(end),
  userId,
  replacesUserId,
});

const WEEKDAYS_9_TO_5 = [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' }];

describe('Mahavishnu: primary and shadow, weekly, Monday 00:00 UTC', () => {
  // The handbook's table. Shadow is last week's primary; the first week has no "last week" in the
  // rotation (it would be diana), so bob shadows it by override.
  const primary = spec([layer('primary', ['alice', 'charlie', 'bob', 'diana'], '2026-02-16T00:00')]);
  const shadow = spec([layer('shadow', ['diana', 'alice', 'charlie', 'bob'], '2026-02-16T00:00')], [override('2026-02-16T00:00Z', '2026-02-23T00:00Z', 'bob', 'diana')]);

  it.each([
    { week: '2026-02-16', primary: 'alice', shadow: 'bob' },
    { week: '2026-02-23', primary: 'charlie', shadow: 'alice' },
    { week: '2026-03-02', primary: 'bob', shadow: 'charlie' },
    { week: '2026-03-09', primary: 'diana', shadow: 'bob' },
  ])('week of $week: primary $primary, shadow $shadow, all week long', ({ week, primary: p, shadow: s }) => {
    const monday = at(`${week}T00:00Z`);
    for (const t of [monday, monday + 3.5 * DAY, monday + 7 * DAY - 1]) {
      expect(onCallAt(primary, t)).toBe(p);
      expect(onCallAt(shadow, t)).toBe(s);
    }
    expect(finalShifts(primary, monday, monday + 7 * DAY)).toEqual([{ start: monday, end: monday + 7 * DAY, userId: p, source: 'primary' }]);
    expect(finalShifts(shadow, monday, monday + 7 * DAY).map((x) => [x.start, x.end, x.userId])).toEqual([[monday, monday + 7 * DAY, s]]);
  });

  it('hands off at Monday 00:00 UTC, and the override shows as such', () => {
    expect(show(finalShifts(primary, at('2026-02-16T00:00Z'), at('2026-03-16T00:00Z')))).toEqual([
      '2026-02-16T00:00 → 2026-02-23T00:00 alice',
      '2026-02-23T00:00 → 2026-03-02T00:00 charlie',
      '2026-03-02T00:00 → 2026-03-09T00:00 bob',
      '2026-03-09T00:00 → 2026-03-16T00:00 diana',
    ]);
    expect(show(finalShifts(shadow, at('2026-02-16T00:00Z'), at('2026-03-02T00:00Z')), 'UTC', true)).toEqual([
      '2026-02-16T00:00 → 2026-02-23T00:00 bob (override)',
      '2026-02-23T00:00 → 2026-03-02T00:00 alice (shadow)',
    ]);
  });
});

describe("Clipper's template: primary, secondary (next week's primary), manager for two weeks", () => {
  // The handbook's weeks are "Jan 1-7"…; we start the template on the first Monday handoff of
  // 2026, 2026-01-05 09:00 UTC ("Monday 9:00 AM to following Monday 9:00 AM, all times in UTC").
  const start = '2026-01-05T09:00';
  const clipper = {
    primary: spec([layer('primary', ['A', 'B', 'C', 'D'], start)]),
    secondary: spec([layer('secondary', ['B', 'C', 'D', 'A'], start)]),
    manager: spec([layer('manager', ['X', 'Y'], start, { unit: 'week', count: 2 })]),
  };

  it.each([
    { week: 1, monday: '2026-01-05', primary: 'A', secondary: 'B', manager: 'X' },
    { week: 2, monday: '2026-01-12', primary: 'B', secondary: 'C', manager: 'X' },
    { week: 3, monday: '2026-01-19', primary: 'C', secondary: 'D', manager: 'Y' },
    { week: 4, monday: '2026-01-26', primary: 'D', secondary: 'A', manager: 'Y' },
    { week: 5, monday: '2026-02-02', primary: 'A', secondary: 'B', manager: 'X' },
  ])('week $week: $primary, $secondary, manager $manager', ({ monday, primary, secondary, manager }) => {
    const handoff = at(`${monday}T09:00Z`);
    for (const t of [handoff, handoff + 7 * DAY - 1]) {
      expect([onCallAt(clipper.primary, t), onCallAt(clipper.secondary, t), onCallAt(clipper.manager, t)]).toEqual([primary, secondary, manager]);
    }
  });

  it('has nobody before the first handoff, and the previous week until Monday 09:00', () => {
    expect(onCallAt(clipper.primary, at('2026-01-05T08:59Z'))).toBeNull();
    expect(onCallAt(clipper.primary, at('2026-01-12T08:59Z'))).toBe('A');
    expect(show(finalShifts(clipper.manager, at('2026-01-01T00:00Z'), at('2026-02-16T09:00Z')))).toEqual([
      '2026-01-05T09:00 → 2026-01-19T09:00 X',
      '2026-01-19T09:00 → 2026-02-02T09:00 Y',
      '2026-02-02T09:00 → 2026-02-16T09:00 X',
    ]);
  });
});

describe('weekly handoff Monday 09:00 America/New_York across the 2026 clock changes', () => {
  const rota = layer('primary', ['ann', 'ben', 'cat'], '2026-01-05T09:00', { unit: 'week', count: 1 }, NY);
  const hours = (s: Shift[]) => s.map((x) => (x.end - x.start) / HOUR);

  it.each([
    {
      name: 'spring forward on 2026-03-08: the turn across it lasts 167 hours',
      from: '2026-03-02T09:00',
      to: '2026-03-23T09:00',
      shifts: ['2026-03-02T09:00 → 2026-03-09T09:00 cat', '2026-03-09T09:00 → 2026-03-16T09:00 ann', '2026-03-16T09:00 → 2026-03-23T09:00 ben'],
      utc: ['2026-03-02T14:00Z', '2026-03-09T13:00Z', '2026-03-16T13:00Z'],
      hours: [167, 168, 168],
    },
    {
      name: 'fall back on 2026-11-01: the turn across it lasts 169 hours',
      from: '2026-10-19T09:00',
      to: '2026-11-09T09:00',
      shifts: ['2026-10-19T09:00 → 2026-10-26T09:00 cat', '2026-10-26T09:00 → 2026-11-02T09:00 ann', '2026-11-02T09:00 → 2026-11-09T09:00 ben'],
      utc: ['2026-10-19T13:00Z', '2026-10-26T13:00Z', '2026-11-02T14:00Z'],
      hours: [168, 169, 168],
    },
  ])('$name', ({ from, to, shifts, utc, hours: h }) => {
    const s = layerShifts(rota, local(from, NY), local(to, NY));
    expect(show(s, NY)).toEqual(shifts);
    expect(s.map((x) => x.start)).toEqual(utc.map(at));
    expect(hours(s)).toEqual(h);
  });

  it('agrees with Luxon adding weeks to the first handoff, turn after turn for three years', () => {
    const first = DateTime.fromISO('2026-01-05T09:00', { zone: NY });
    const s = layerShifts(rota, first.toMillis(), first.plus({ weeks: 156 }).toMillis());
    expect(s.map((x) => x.start)).toEqual(Array.from({ length: 156 }, (_, k) => first.plus({ weeks: k }).toMillis()));
    expect(s.map((x) => x.userId)).toEqual(Array.from({ length: 156 }, (_, k) => ['ann', 'ben', 'cat'][k % 3]));
  });

  it('finds the turn of a far instant without walking from the start', () => {
    expect(onCallAt(spec([rota]), at('2029-07-02T12:59Z'))).toBe(onCallAt(spec([rota]), at('2029-06-25T13:00Z')));
    const handoff = DateTime.fromISO('2029-07-02T09:00', { zone: NY }).toMillis();
    expect(onCallAt(spec([rota]), handoff)).not.toBe(onCallAt(spec([rota]), handoff - 1));
  });
});

describe('local times that happen never or twice (Luxon rules, fixed instants)', () => {
  it.each([
    // 02:30 does not exist on 2026-03-08 in New York: the handoff moves forward by the gap.
    { name: 'a handoff in the spring-forward gap happens at 03:30 EDT', start: '2026-03-06T02:30', handoffs: ['2026-03-06T07:30Z', '2026-03-07T07:30Z', '2026-03-08T07:30Z', '2026-03-09T06:30Z'] },
    // 01:30 happens twice on 2026-11-01: the first time (EDT) counts, whatever the season we run in.
    { name: 'a handoff at a repeated time is its first occurrence, 01:30 EDT', start: '2026-10-31T01:30', handoffs: ['2026-10-31T05:30Z', '2026-11-01T05:30Z', '2026-11-02T06:30Z'] },
  ])('$name', ({ start, handoffs }) => {
    const daily = layer('daily', ['a', 'b'], start, { unit: 'day', count: 1 }, NY);
    const s = layerShifts(daily, at(handoffs[0] as string), at(handoffs[handoffs.length - 1] as string) + 1);
    expect(s.map((x) => x.start)).toEqual(handoffs.map(at));
  });

  it('a first handoff at a repeated time is also its first occurrence', () => {
    expect(layerShifts(layer('l', ['a'], '2026-11-01T01:30', { unit: 'day', count: 1 }, NY), 0, at('2026-11-02T00:00Z'))[0]?.start).toBe(at('2026-11-01T05:30Z'));
  });
});

describe('rotation lengths', () => {
  it.each([
    {
      name: 'daily, wrapping around to the first person',
      l: layer('daily', ['a', 'b', 'c'], '2026-03-01T08:00', { unit: 'day', count: 1 }),
      from: '2026-03-01T00:00Z',
      to: '2026-03-05T08:00Z',
      zone: 'UTC',
      shifts: ['2026-03-01T08:00 → 2026-03-02T08:00 a', '2026-03-02T08:00 → 2026-03-03T08:00 b', '2026-03-03T08:00 → 2026-03-04T08:00 c', '2026-03-04T08:00 → 2026-03-05T08:00 a'],
    },
    {
      // Hours are real hours: across Berlin's spring-forward (2026-03-29 02:00 -> 03:00) the local
      // times of the handoffs move by an hour, and every turn is still 8 hours.
      name: '8-hour turns keep 8 real hours across a clock change',
      l: layer('follow-the-sun', ['a', 'b', 'c'], '2026-03-28T22:00', { unit: 'hour', count: 8 }, 'Europe/Berlin'),
      from: '2026-03-28T22:00+01:00',
      to: '2026-03-29T23:00+02:00',
      zone: 'Europe/Berlin',
      shifts: ['2026-03-28T22:00 → 2026-03-29T07:00 a', '2026-03-29T07:00 → 2026-03-29T15:00 b', '2026-03-29T15:00 → 2026-03-29T23:00 c'],
    },
    {
      name: 'two-week turns',
      l: layer('fortnight', ['a', 'b'], '2026-01-05T09:00', { unit: 'week', count: 2 }),
      from: '2026-01-05T09:00Z',
      to: '2026-02-16T09:00Z',
      zone: 'UTC',
      shifts: ['2026-01-05T09:00 → 2026-01-19T09:00 a', '2026-01-19T09:00 → 2026-02-02T09:00 b', '2026-02-02T09:00 → 2026-02-16T09:00 a'],
    },
    {
      name: 'a participant listed twice takes two turns per cycle',
      l: layer('twice', ['a', 'b', 'a', 'c'], '2026-03-02T00:00', { unit: 'day', count: 1 }),
      from: '2026-03-02T00:00Z',
      to: '2026-03-07T00:00Z',
      zone: 'UTC',
      shifts: ['2026-03-02T00:00 → 2026-03-03T00:00 a', '2026-03-03T00:00 → 2026-03-04T00:00 b', '2026-03-04T00:00 → 2026-03-05T00:00 a', '2026-03-05T00:00 → 2026-03-06T00:00 c', '2026-03-06T00:00 → 2026-03-07T00:00 a'],
    },
    {
      name: 'a range that starts mid-turn is clipped to it',
      l: layer('daily', ['a', 'b'], '2026-03-01T08:00', { unit: 'day', count: 1 }),
      from: '2026-03-02T20:00Z',
      to: '2026-03-03T10:00Z',
      zone: 'UTC',
      shifts: ['2026-03-02T20:00 → 2026-03-03T08:00 b', '2026-03-03T08:00 → 2026-03-03T10:00 a'],
    },
  ])('$name', ({ l, from, to, zone, shifts }) => {
    expect(show(layerShifts(l, at(from), at(to)), zone)).toEqual(shifts);
  });

  it('skips the turn of a local day that never happened (Samoa skipped 2011-12-30)', () => {
    const apia = layer('apia', ['a', 'b', 'c', 'd'], '2011-12-28T09:00', { unit: 'day', count: 1 }, 'Pacific/Apia');
    const s = layerShifts(apia, at('2011-12-28T00:00Z'), at('2011-12-31T19:00Z')); // to Jan 1 09:00, UTC+14
    expect(s.map((x) => [fmt(x.start, 'Pacific/Apia'), (x.end - x.start) / HOUR, x.userId])).toEqual([
      ['2011-12-28T09:00', 24, 'a'],
      ['2011-12-29T09:00', 24, 'b'],
      ['2011-12-31T09:00', 24, 'd'],
    ]);
  });

  it('has nobody before the first handoff: a range before it is empty, one across it starts there', () => {
    const l = layer('late', ['a', 'b'], '2026-06-01T09:00');
    expect(layerShifts(l, at('2026-05-01T00:00Z'), at('2026-06-01T09:00Z'))).toEqual([]);
    expect(show(layerShifts(l, at('2026-05-01T00:00Z'), at('2026-06-02T00:00Z')))).toEqual(['2026-06-01T09:00 → 2026-06-02T00:00 a']);
    expect(onCallAt(spec([l]), at('2026-06-01T08:59Z'))).toBeNull();
    expect(finalShifts(spec([l]), at('2026-05-01T00:00Z'), at('2026-05-02T00:00Z'))).toEqual([]);
  });

  it('keeps consecutive turns of one person apart in the layer and merges them in the final shifts', () => {
    const l = layer('twice', ['a', 'a', 'b'], '2026-03-02T00:00', { unit: 'day', count: 1 });
    const from = at('2026-03-02T00:00Z');
    const to = at('2026-03-05T00:00Z');
    expect(show(layerShifts(l, from, to))).toEqual(['2026-03-02T00:00 → 2026-03-03T00:00 a', '2026-03-03T00:00 → 2026-03-04T00:00 a', '2026-03-04T00:00 → 2026-03-05T00:00 b']);
    expect(show(finalShifts(spec([l]), from, to))).toEqual(['2026-03-02T00:00 → 2026-03-04T00:00 a', '2026-03-04T00:00 → 2026-03-05T00:00 b']);
  });

  it('treats empty participants as nobody, letting the layer below show through', () => {
    const empty = layer('empty', [], '2026-03-02T00:00');
    expect(layerShifts(empty, at('2026-03-02T00:00Z'), at('2026-04-02T00:00Z'))).toEqual([]);
    const s = spec([layer('base', ['a'], '2026-03-02T00:00'), empty]);
    expect(show(finalShifts(s, at('2026-03-02T00:00Z'), at('2026-03-03T00:00Z')))).toEqual(['2026-03-02T00:00 → 2026-03-03T00:00 a']);
    expect(onCallAt(spec([empty]), at('2026-03-02T12:00Z'))).toBeNull();
  });
});

describe('restrictions', () => {
  it.each([
    {
      // a's turn runs Wednesday 12:00 to Wednesday 12:00; only its business hours remain.
      name: 'weekday business hours split a weekly turn into days, and a handoff inside a window splits the window',
      l: layer('business', ['a', 'b'], '2026-03-04T12:00', { unit: 'week', count: 1 }, 'UTC', WEEKDAYS_9_TO_5),
      from: '2026-03-04T00:00Z',
      to: '2026-03-12T00:00Z',
      zone: 'UTC',
      shifts: [
        '2026-03-04T12:00 → 2026-03-04T17:00 a',
        '2026-03-05T09:00 → 2026-03-05T17:00 a',
        '2026-03-06T09:00 → 2026-03-06T17:00 a',
        '2026-03-09T09:00 → 2026-03-09T17:00 a',
        '2026-03-10T09:00 → 2026-03-10T17:00 a',
        '2026-03-11T09:00 → 2026-03-11T12:00 a',
        '2026-03-11T12:00 → 2026-03-11T17:00 b',
      ],
    },
    {
      // Friday and Saturday nights, 22:00 to 06:00 the next morning; the Saturday night is the one
      // New York springs forward in, so it lasts 7 hours.
      name: 'a night window crosses midnight and follows local time across a clock change',
      l: layer('nights', ['a', 'b'], '2026-03-02T00:00', { unit: 'day', count: 3 }, NY, [{ days: [5, 6], from: '22:00', to: '06:00' }]),
      from: '2026-03-06T00:00-05:00',
      to: '2026-03-09T00:00-04:00',
      zone: NY,
      // 3-day turns: b has 03-05 to 03-08, a from 03-08 00:00, which splits Saturday night.
      shifts: ['2026-03-06T22:00 → 2026-03-07T06:00 b', '2026-03-07T22:00 → 2026-03-08T00:00 b', '2026-03-08T00:00 → 2026-03-08T06:00 a'],
    },
    {
      name: '"from" equal to "to" is a whole day; weekend days run together',
      l: layer('weekends', ['a', 'b'], '2026-03-02T00:00', { unit: 'week', count: 1 }, 'UTC', [{ days: [6, 7], from: '00:00', to: '00:00' }]),
      from: '2026-03-02T00:00Z',
      to: '2026-03-16T00:00Z',
      zone: 'UTC',
      shifts: ['2026-03-07T00:00 → 2026-03-09T00:00 a', '2026-03-14T00:00 → 2026-03-16T00:00 b'],
    },
  ])('$name', ({ l, from, to, zone, shifts }) => {
    expect(show(layerShifts(l, at(from), at(to)), zone)).toEqual(shifts);
  });

  it('lasts 7 hours on the spring-forward night', () => {
    const l = layer('nights', ['a'], '2026-03-02T00:00', { unit: 'week', count: 1 }, NY, [{ days: [6], from: '22:00', to: '06:00' }]);
    expect(layerShifts(l, at('2026-03-07T00:00Z'), at('2026-03-09T00:00Z')).map((s) => (s.end - s.start) / HOUR)).toEqual([7]);
  });

  it('leaves a gap outside the windows when no layer is below', () => {
    const s = spec([layer('business', ['a'], '2026-03-02T00:00', { unit: 'week', count: 1 }, 'UTC', WEEKDAYS_9_TO_5)]);
    expect(onCallAt(s, at('2026-03-02T08:59Z'))).toBeNull();
    expect(onCallAt(s, at('2026-03-02T09:00Z'))).toBe('a');
    expect(onCallAt(s, at('2026-03-02T17:00Z'))).toBeNull();
    expect(onCallAt(s, at('2026-03-07T12:00Z'))).toBeNull();
  });
});

describe('stacking layers', () => {
  const base = layer('primary', ['a', 'b'], '2026-03-02T00:00');
  const business = layer('business', ['x'], '2026-03-02T00:00', { unit: 'week', count: 1 }, 'UTC', WEEKDAYS_9_TO_5);

  it('lets the higher layer win in its windows and the lower show through outside them', () => {
    expect(show(finalShifts(spec([base, business]), at('2026-03-06T00:00Z'), at('2026-03-10T00:00Z')), 'UTC', true)).toEqual([
      '2026-03-06T00:00 → 2026-03-06T09:00 a (primary)',
      '2026-03-06T09:00 → 2026-03-06T17:00 x (business)',
      '2026-03-06T17:00 → 2026-03-09T00:00 a (primary)',
      '2026-03-09T00:00 → 2026-03-09T09:00 b (primary)',
      '2026-03-09T09:00 → 2026-03-09T17:00 x (business)',
      '2026-03-09T17:00 → 2026-03-10T00:00 b (primary)',
    ]);
  });

  it('puts the last layer on top, not the first', () => {
    expect(onCallAt(spec([base, business]), at('2026-03-06T12:00Z'))).toBe('x');
    expect(onCallAt(spec([business, base]), at('2026-03-06T12:00Z'))).toBe('a');
  });

  it('falls through a layer that has not started yet', () => {
    const later = layer('new-rota', ['n'], '2026-03-05T00:00');
    expect(show(finalShifts(spec([base, later]), at('2026-03-04T00:00Z'), at('2026-03-06T00:00Z')), 'UTC', true)).toEqual([
      '2026-03-04T00:00 → 2026-03-05T00:00 a (primary)',
      '2026-03-05T00:00 → 2026-03-06T00:00 n (new-rota)',
    ]);
  });
});

describe('overrides', () => {
  // a has the week of 2026-03-02, b the week of 2026-03-09, handoff Monday 00:00 UTC.
  const base = layer('primary', ['a', 'b'], '2026-03-02T00:00');
  const week = (overrides: Override[], from = '2026-03-02T00:00Z', to = '2026-03-16T00:00Z') => show(finalShifts(spec([base], overrides), at(from), at(to)), 'UTC', true);

  it.each([
    {
      name: 'an override that starts and ends mid-shift splits it',
      overrides: [override('2026-03-03T12:00Z', '2026-03-04T15:00Z', 'c')],
      shifts: ['2026-03-02T00:00 → 2026-03-03T12:00 a (primary)', '2026-03-03T12:00 → 2026-03-04T15:00 c (override)', '2026-03-04T15:00 → 2026-03-09T00:00 a (primary)', '2026-03-09T00:00 → 2026-03-16T00:00 b (primary)'],
    },
    {
      name: 'an override for everyone covers both sides of a handoff',
      overrides: [override('2026-03-08T12:00Z', '2026-03-09T12:00Z', 'c')],
      shifts: ['2026-03-02T00:00 → 2026-03-08T12:00 a (primary)', '2026-03-08T12:00 → 2026-03-09T12:00 c (override)', '2026-03-09T12:00 → 2026-03-16T00:00 b (primary)'],
    },
    {
      name: 'an override of one person replaces only that person',
      overrides: [override('2026-03-08T12:00Z', '2026-03-09T12:00Z', 'c', 'a')],
      shifts: ['2026-03-02T00:00 → 2026-03-08T12:00 a (primary)', '2026-03-08T12:00 → 2026-03-09T00:00 c (override)', '2026-03-09T00:00 → 2026-03-16T00:00 b (primary)'],
    },
    {
      name: 'a swap: a takes a day of b, b takes a day of a',
      overrides: [override('2026-03-04T00:00Z', '2026-03-05T00:00Z', 'b', 'a'), override('2026-03-11T00:00Z', '2026-03-12T00:00Z', 'a', 'b')],
      shifts: [
        '2026-03-02T00:00 → 2026-03-04T00:00 a (primary)',
        '2026-03-04T00:00 → 2026-03-05T00:00 b (override)',
        '2026-03-05T00:00 → 2026-03-09T00:00 a (primary)',
        '2026-03-09T00:00 → 2026-03-11T00:00 b (primary)',
        '2026-03-11T00:00 → 2026-03-12T00:00 a (override)',
        '2026-03-12T00:00 → 2026-03-16T00:00 b (primary)',
      ],
    },
    {
      name: 'removing everyone from a range leaves a gap',
      overrides: [override('2026-03-08T12:00Z', '2026-03-09T12:00Z', null)],
      shifts: ['2026-03-02T00:00 → 2026-03-08T12:00 a (primary)', '2026-03-09T12:00 → 2026-03-16T00:00 b (primary)'],
    },
    {
      name: 'removing one person leaves the others on call',
      overrides: [override('2026-03-08T12:00Z', '2026-03-09T12:00Z', null, 'b')],
      shifts: ['2026-03-02T00:00 → 2026-03-09T00:00 a (primary)', '2026-03-09T12:00 → 2026-03-16T00:00 b (primary)'],
    },
    {
      name: 'the same person by override stays a separate shift from their own turn',
      overrides: [override('2026-03-09T00:00Z', '2026-03-10T00:00Z', 'a')],
      shifts: ['2026-03-02T00:00 → 2026-03-09T00:00 a (primary)', '2026-03-09T00:00 → 2026-03-10T00:00 a (override)', '2026-03-10T00:00 → 2026-03-16T00:00 b (primary)'],
    },
    {
      name: 'the later override wins where two overlap',
      overrides: [override('2026-03-03T00:00Z', '2026-03-05T00:00Z', 'c'), override('2026-03-04T00:00Z', '2026-03-06T00:00Z', 'd')],
      shifts: [
        '2026-03-02T00:00 → 2026-03-03T00:00 a (primary)',
        '2026-03-03T00:00 → 2026-03-04T00:00 c (override)',
        '2026-03-04T00:00 → 2026-03-06T00:00 d (override)',
        '2026-03-06T00:00 → 2026-03-09T00:00 a (primary)',
        '2026-03-09T00:00 → 2026-03-16T00:00 b (primary)',
      ],
    },
    {
      name: 'a cover of a cover: "only where c was" sees the earlier override',
      overrides: [override('2026-03-03T00:00Z', '2026-03-05T00:00Z', 'c', 'a'), override('2026-03-04T00:00Z', '2026-03-06T00:00Z', 'd', 'c')],
      shifts: [
        '2026-03-02T00:00 → 2026-03-03T00:00 a (primary)',
        '2026-03-03T00:00 → 2026-03-04T00:00 c (override)',
        '2026-03-04T00:00 → 2026-03-05T00:00 d (override)',
        '2026-03-05T00:00 → 2026-03-09T00:00 a (primary)',
        '2026-03-09T00:00 → 2026-03-16T00:00 b (primary)',
      ],
    },
  ])('$name', ({ overrides, shifts }) => {
    expect(week(overrides)).toEqual(shifts);
  });

  it('fills a gap with a person when it replaces whoever was on call, never when it replaces someone named', () => {
    const business = layer('business', ['a'], '2026-03-02T00:00', { unit: 'week', count: 1 }, 'UTC', WEEKDAYS_9_TO_5);
    const cover = override('2026-03-07T00:00Z', '2026-03-08T00:00Z', 'c');
    const named = override('2026-03-07T00:00Z', '2026-03-08T00:00Z', 'c', 'a');
    expect(show(finalShifts(spec([business], [cover]), at('2026-03-06T00:00Z'), at('2026-03-09T00:00Z')), 'UTC', true)).toEqual([
      '2026-03-06T09:00 → 2026-03-06T17:00 a (business)',
      '2026-03-07T00:00 → 2026-03-08T00:00 c (override)',
    ]);
    expect(onCallAt(spec([business], [cover]), at('2026-03-07T12:00Z'))).toBe('c');
    expect(finalShifts(spec([business], [named]), at('2026-03-07T00:00Z'), at('2026-03-08T00:00Z'))).toEqual([]);
    expect(onCallAt(spec([business], [named]), at('2026-03-07T12:00Z'))).toBeNull();
  });

  it('is clipped to the query range and ignored outside it', () => {
    const o = override('2026-03-01T00:00Z', '2026-03-03T00:00Z', 'c');
    expect(week([o], '2026-03-02T12:00Z', '2026-03-03T12:00Z')).toEqual(['2026-03-02T12:00 → 2026-03-03T00:00 c (override)', '2026-03-03T00:00 → 2026-03-03T12:00 a (primary)']);
    expect(week([o], '2026-03-04T00:00Z', '2026-03-05T00:00Z')).toEqual(['2026-03-04T00:00 → 2026-03-05T00:00 a (primary)']);
  });

  it('answers onCallAt the same way: at the edges of a removal and inside a swap', () => {
    const s = spec([base], [override('2026-03-08T12:00Z', '2026-03-09T12:00Z', null, 'b'), override('2026-03-04T00:00Z', '2026-03-05T00:00Z', 'b', 'a')]);
    expect(onCallAt(s, at('2026-03-08T23:59Z'))).toBe('a');
    expect(onCallAt(s, at('2026-03-09T00:00Z'))).toBeNull();
    expect(onCallAt(s, at('2026-03-09T12:00Z'))).toBe('b');
    expect(onCallAt(s, at('2026-03-04T00:00Z'))).toBe('b');
    expect(onCallAt(s, at('2026-03-05T00:00Z'))).toBe('a');
  });
});

describe('nextChange', () => {
  const base = layer('primary', ['a', 'b'], '2026-03-02T00:00');
  const business = layer('business', ['x'], '2026-03-02T00:00', { unit: 'week', count: 1 }, 'UTC', WEEKDAYS_9_TO_5);

  it.each([
    { name: 'just before a handoff: the handoff', s: spec([base]), t: '2026-03-08T23:00Z', next: '2026-03-09T00:00Z' },
    { name: 'at a handoff: the next one', s: spec([base]), t: '2026-03-09T00:00Z', next: '2026-03-16T00:00Z' },
    { name: 'inside a window: its end', s: spec([base, business]), t: '2026-03-03T10:00Z', next: '2026-03-03T17:00Z' },
    { name: 'after a window: the next window', s: spec([base, business]), t: '2026-03-06T17:00Z', next: '2026-03-09T00:00Z' },
    { name: 'in a gap: when someone comes on', s: spec([business]), t: '2026-03-06T17:00Z', next: '2026-03-09T09:00Z' },
    { name: 'before an override: its start', s: spec([base], [override('2026-03-04T06:00Z', '2026-03-04T18:00Z', 'c')]), t: '2026-03-03T00:00Z', next: '2026-03-04T06:00Z' },
    { name: 'inside an override: its end', s: spec([base], [override('2026-03-04T06:00Z', '2026-03-04T18:00Z', 'c')]), t: '2026-03-04T07:00Z', next: '2026-03-04T18:00Z' },
    { name: 'before a removal: its start', s: spec([base], [override('2026-03-04T06:00Z', '2026-03-04T18:00Z', null)]), t: '2026-03-04T00:00Z', next: '2026-03-04T06:00Z' },
    {
      name: 'not at an override that keeps the same person on call',
      s: spec([base], [override('2026-03-04T06:00Z', '2026-03-04T18:00Z', 'a')]),
      t: '2026-03-04T00:00Z',
      next: '2026-03-09T00:00Z',
    },
    { name: 'before the first handoff: the first handoff', s: spec([layer('late', ['a'], '2026-04-01T09:00')]), t: '2026-03-01T00:00Z', next: '2026-04-01T09:00Z' },
    {
      name: 'across a handoff between turns of the same person: the next real change',
      s: spec([layer('twice', ['a', 'a', 'b'], '2026-03-02T00:00', { unit: 'day', count: 1 })]),
      t: '2026-03-02T12:00Z',
      next: '2026-03-04T00:00Z',
    },
  ])('$name', ({ s, t, next }) => {
    expect(nextChange(s, at(t))).toBe(at(next));
  });

  it.each([
    { name: 'one person, all the time', s: spec([layer('solo', ['a'], '2026-03-02T00:00')]) },
    { name: 'the same person in every turn', s: spec([layer('same', ['a', 'a'], '2026-03-02T00:00', { unit: 'day', count: 3 })]) },
    { name: 'nobody, ever', s: spec([layer('empty', [], '2026-03-02T00:00')]) },
    { name: 'only past overrides', s: spec([layer('solo', ['a'], '2026-03-02T00:00')], [override('2026-03-03T00:00Z', '2026-03-04T00:00Z', 'b')]) },
  ])('is null when nothing will ever change: $name', ({ s }) => {
    expect(nextChange(s, at('2026-03-10T00:00Z'))).toBeNull();
  });

  it('finds a change far ahead when the turns are long', () => {
    expect(nextChange(spec([layer('yearly', ['a', 'b'], '2026-01-05T00:00', { unit: 'week', count: 52 })]), at('2026-01-06T00:00Z'))).toBe(at('2027-01-04T00:00Z'));
  });

  it('a handoff at 09:00 New York time is at 13:00 UTC in summer', () => {
    const rota = layer('ny', ['a', 'b'], '2026-01-05T09:00', { unit: 'week', count: 1 }, NY);
    expect(nextChange(spec([rota]), at('2026-07-01T00:00Z'))).toBe(at('2026-07-06T13:00Z'));
  });
});

describe('consistency', () => {
  // A busy schedule in a zone with clock changes: a weekly rota, a restricted daytime layer, an
  // 8-hour layer with night windows crossing midnight, and overrides of every kind.
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const from = at('2026-02-20T00:00Z');
  const to = at('2026-04-20T00:00Z');
  const people = ['a', 'b', 'c', 'd', 'e'];
  const overrides: Override[] = Array.from({ length: 40 }, (_, i) => {
    const start = from + Math.floor(rand() * (to - from));
    const who = rand() < 0.2 ? null : (people[Math.floor(rand() * 5)] as string);
    const replaces = rand() < 0.5 ? null : (people[Math.floor(rand() * 5)] as string);
    return { id: `r${i}`, start, end: start + Math.floor(rand() * 3 * DAY), userId: who, replacesUserId: replaces };
  });
  const busy = spec(
    [
      layer('weekly', ['a', 'b', 'c'], '2026-01-05T09:00', { unit: 'week', count: 1 }, NY),
      layer('day', ['d', 'e'], '2026-01-01T00:00', { unit: 'day', count: 2 }, NY, WEEKDAYS_9_TO_5),
      layer('nights', ['e', 'a'], '2026-02-01T02:30', { unit: 'hour', count: 8 }, 'Europe/London', [{ days: [5, 6], from: '23:00', to: '03:00' }]),
    ],
    overrides,
  );
  const shifts = finalShifts(busy, from, to);

  it('finalShifts are ordered, disjoint, within the range and merged', () => {
    let last = from;
    shifts.forEach((s, i) => {
      expect(s.start).toBeGreaterThanOrEqual(last);
      expect(s.end).toBeGreaterThan(s.start);
      const prev = shifts[i - 1];
      if (prev && prev.end === s.start) expect([prev.userId, prev.source]).not.toEqual([s.userId, s.source]);
      last = s.end;
    });
    expect(last).toBeLessThanOrEqual(to);
  });

  it('onCallAt agrees with finalShifts at 2,000 instants and at every shift edge', () => {
    const who = (t: number) => shifts.find((s) => s.start <= t && t < s.end)?.userId ?? null;
    const instants = Array.from({ length: 2000 }, () => from + Math.floor(rand() * (to - from)));
    for (const s of shifts) instants.push(s.start, s.end - 1, s.end);
    for (const t of instants.filter((x) => x < to)) expect([t, onCallAt(busy, t)]).toEqual([t, who(t)]);
  });

  it('nextChange lands on the next edge where the person changes', () => {
    for (let i = 0; i < 200; i++) {
      const t = from + Math.floor(rand() * (to - from - 10 * DAY));
      const next = nextChange(busy, t);
      expect(next).not.toBeNull();
      const n = next as number;
      expect(n).toBeGreaterThan(t);
      expect(onCallAt(busy, n)).not.toBe(onCallAt(busy, t));
      expect(onCallAt(busy, n - 1)).toBe(onCallAt(busy, t));
      // and nothing changed in between: every edge before n keeps the same person
      for (const s of shifts) if (s.start > t && s.start < n) expect(onCallAt(busy, s.start)).toBe(onCallAt(busy, t));
    }
  });
});

describe('validateLayer', () => {
  const good = layer('primary', ['a'], '2026-02-16T00:00', { unit: 'week', count: 1 }, 'Europe/Berlin', WEEKDAYS_9_TO_5);

  it('accepts a good layer, and one without participants (nobody on call)', () => {
    expect(validateLayer(good)).toEqual([]);
    expect(validateLayer({ ...good, participants: [] })).toEqual([]);
    expect(validateLayer({ ...good, restrictions: [{ days: [5], from: '22:00', to: '06:00' }] })).toEqual([]);
    expect(validateLayer({ ...good, turn: { unit: 'hour', count: 8760 } })).toEqual([]);
  });

  it.each([
    { name: 'an empty name', change: { name: ' ' }, problems: [['name', 'must not be empty']] },
    { name: 'an empty participant', change: { participants: ['a', ''] }, problems: [['participants[1]', 'must be a user']] },
    { name: 'an unknown unit', change: { turn: { unit: 'month', count: 1 } }, problems: [['turn', 'must be a number of hours, days or weeks, like "1 week" or "12 hours"']] },
    { name: 'no turns', change: { turn: { unit: 'week', count: 0 } }, problems: [['turn', 'must be a whole number of weeks from 1 to 52']] },
    { name: 'too many weeks', change: { turn: { unit: 'week', count: 53 } }, problems: [['turn', 'must be a whole number of weeks from 1 to 52']] },
    { name: 'too many days', change: { turn: { unit: 'day', count: 366 } }, problems: [['turn', 'must be a whole number of days from 1 to 365']] },
    { name: 'too many hours', change: { turn: { unit: 'hour', count: 8761 } }, problems: [['turn', 'must be a whole number of hours from 1 to 8760']] },
    { name: 'half a day', change: { turn: { unit: 'day', count: 1.5 } }, problems: [['turn', 'must be a whole number of days from 1 to 365']] },
    { name: 'a start with seconds', change: { start: '2026-02-16T00:00:00' }, problems: [['start', 'must be a local date-time like 2026-02-16T00:00']] },
    { name: 'a start with an offset', change: { start: '2026-02-16T00:00Z' }, problems: [['start', 'must be a local date-time like 2026-02-16T00:00']] },
    { name: 'a start that is not a date', change: { start: '2026-02-30T00:00' }, problems: [['start', 'must be a local date-time like 2026-02-16T00:00']] },
    { name: 'a start at 24:00', change: { start: '2026-02-16T24:00' }, problems: [['start', 'must be a local date-time like 2026-02-16T00:00']] },
    { name: 'an unknown zone', change: { timeZone: 'Mars/Base' }, problems: [['time_zone', 'unknown time zone "Mars/Base"']] },
    { name: 'no zone', change: { timeZone: '' }, problems: [['time_zone', 'must be an IANA time zone like Europe/Berlin']] },
    { name: 'day 0', change: { restrictions: [{ days: [0, 1], from: '09:00', to: '17:00' }] }, problems: [['restrictions[0].days', 'must list at least one day, Monday (1) to Sunday (7)']] },
    { name: 'day 8', change: { restrictions: [{ days: [8], from: '09:00', to: '17:00' }] }, problems: [['restrictions[0].days', 'must list at least one day, Monday (1) to Sunday (7)']] },
    { name: 'no days', change: { restrictions: [{ days: [], from: '09:00', to: '17:00' }] }, problems: [['restrictions[0].days', 'must list at least one day, Monday (1) to Sunday (7)']] },
    {
      name: 'bad times in the second window',
      change: { restrictions: [{ days: [1], from: '09:00', to: '17:00' }, { days: [2], from: '9:00', to: '25:00' }] },
      problems: [
        ['restrictions[1].from', 'must be a local time like 09:00'],
        ['restrictions[1].to', 'must be a local time like 17:00'],
      ],
    },
    {
      name: 'several problems at once, in field order',
      change: { participants: [''], turn: { unit: 'day', count: 0 }, start: 'monday', timeZone: 'Nowhere' },
      problems: [
        ['participants[0]', 'must be a user'],
        ['turn', 'must be a whole number of days from 1 to 365'],
        ['start', 'must be a local date-time like 2026-02-16T00:00'],
        ['time_zone', 'unknown time zone "Nowhere"'],
      ],
    },
  ])('rejects $name', ({ change, problems }) => {
    expect(validateLayer({ ...good, ...change } as Layer)).toEqual(problems);
  });

  it('refuses to compute with an invalid layer rather than guess', () => {
    expect(() => layerShifts({ ...good, timeZone: 'Mars/Base' }, 0, DAY)).toThrow('layer "primary" is invalid: time_zone unknown time zone "Mars/Base"');
  });
});
