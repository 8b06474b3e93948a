import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkDraft,
  convertDraft,
  describeOverride,
  draftFromSelection,
  draftFromShift,
  emptyDraft,
  formatRange,
  formatTime,
  fromInput,
  fromWall,
  place,
  rangeFor,
  rangeStart,
  rangeTitle,
  selectionFromDrag,
  stepRange,
  ticks,
  timeAtFraction,
  toInput,
} from './timeline';

const t = (iso: string) => Date.parse(iso);
const H = 3_600_000;

describe('ranges in a zone', () => {
  it('starts a week on Monday midnight in the zone on screen, not in UTC', () => {
    // Sunday 8 March 2026, 20:00 UTC is already Monday 9 March in Tokyo.
    const at = t('2026-03-08T20:00:00Z');
    expect(rangeFor(at, 'week', 'UTC')).toEqual({ from: t('2026-03-02T00:00:00Z'), to: t('2026-03-09T00:00:00Z') });
    expect(rangeFor(at, 'week', 'Asia/Tokyo')).toEqual({ from: t('2026-03-08T15:00:00Z'), to: t('2026-03-15T15:00:00Z') });
    expect(rangeFor(at, 'day', 'America/New_York')).toEqual({ from: t('2026-03-08T05:00:00Z'), to: t('2026-03-09T04:00:00Z') });
  });

  it('keeps days whole across a DST change: the New York day of 8 March 2026 has 23 hours', () => {
    const r = rangeFor(t('2026-03-08T12:00:00Z'), 'day', 'America/New_York');
    expect((r.to - r.from) / H).toBe(23);
    expect(stepRange(r.from, 'day', 1, 'America/New_York')).toBe(r.to);
    // A month and a week step by the calendar, not by a fixed number of hours.
    const march = rangeFor(t('2026-03-15T12:00:00Z'), 'month', 'Europe/London');
    expect(march).toEqual({ from: t('2026-03-01T00:00:00Z'), to: t('2026-03-31T23:00:00Z') });
    expect(stepRange(march.from, 'month', -1, 'Europe/London')).toBe(t('2026-02-01T00:00:00Z'));
    expect(rangeTitle(march, 'month', 'Europe/London')).toBe('Mar 2026');
  });

  it('reads and writes datetime-local values in the zone', () => {
    expect(toInput(t('2026-03-09T09:00:00Z'), 'Europe/Berlin')).toBe('2026-03-09T10:00');
    expect(fromInput('2026-03-09T10:00', 'Europe/Berlin')).toBe(t('2026-03-09T09:00:00Z'));
    expect(fromInput('2026-07-01T10:00', 'Europe/Berlin')).toBe(t('2026-07-01T08:00:00Z'));
    expect(fromInput('tomorrow', 'UTC')).toBeNull();
    expect(fromWall(2026, 3, 32, 0, 0, 'UTC')).toBe(t('2026-04-01T00:00:00Z'));
  });
});

describe('DST changes in 2026 (Luxon)', () => {
  const NY = 'America/New_York';
  const LON = 'Europe/London';
  afterEach(() => {
    vi.useRealTimers();
  });

  it('has days of 23 and 25 hours, and a week of 167 hours', () => {
    // New York: 8 Mar 02:00 EST → 03:00 EDT; 1 Nov 02:00 EDT → 01:00 EST.
    expect(rangeFor(t('2026-11-01T12:00:00Z'), 'day', NY)).toEqual({ from: t('2026-11-01T04:00:00Z'), to: t('2026-11-02T05:00:00Z') });
    // London: 29 Mar 01:00 GMT → 02:00 BST; 25 Oct 02:00 BST → 01:00 GMT.
    const spring = rangeFor(t('2026-03-29T12:00:00Z'), 'day', LON);
    expect(spring).toEqual({ from: t('2026-03-29T00:00:00Z'), to: t('2026-03-29T23:00:00Z') });
    const autumn = rangeFor(t('2026-10-25T12:00:00Z'), 'day', LON);
    expect((autumn.to - autumn.from) / H).toBe(25);
    expect(autumn.from).toBe(t('2026-10-24T23:00:00Z'));
    // The week holding Sunday 8 March starts on Monday 2 March, midnight EST.
    expect(rangeStart(t('2026-03-08T12:00:00Z'), 'week', NY)).toBe(t('2026-03-02T05:00:00Z'));
    const week = rangeFor(t('2026-03-08T12:00:00Z'), 'week', NY);
    expect((week.to - week.from) / H).toBe(167);
    expect(rangeStart(t('2026-11-01T12:00:00Z'), 'month', NY)).toBe(t('2026-11-01T04:00:00Z'));
    expect(stepRange(t('2026-11-01T04:00:00Z'), 'month', 1, NY)).toBe(t('2026-12-01T05:00:00Z'));
  });

  it('moves a skipped local time forward by the gap', () => {
    expect(fromInput('2026-03-08T02:30', NY)).toBe(t('2026-03-08T07:30:00Z')); // 03:30 EDT
    expect(toInput(t('2026-03-08T07:30:00Z'), NY)).toBe('2026-03-08T03:30');
    expect(fromWall(2026, 3, 8, 2, 0, NY)).toBe(t('2026-03-08T07:00:00Z')); // 03:00 EDT, the jump
    expect(fromInput('2026-03-29T01:30', LON)).toBe(t('2026-03-29T01:30:00Z')); // 02:30 BST
  });

  it('reads a repeated local time as the earlier instant, whatever the date today', () => {
    // Luxon alone picks the occurrence whose offset matches the zone's offset now, so pin "now"
    // to winter and to summer to show the choice does not move.
    for (const today of ['2026-01-15T12:00:00Z', '2026-07-15T12:00:00Z']) {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(t(today));
      expect(fromInput('2026-11-01T01:30', NY), today).toBe(t('2026-11-01T05:30:00Z')); // 01:30 EDT, not 06:30Z (EST)
      expect(fromWall(2026, 10, 25, 1, 30, LON), today).toBe(t('2026-10-25T00:30:00Z')); // 01:30 BST, not 01:30Z (GMT)
      vi.useRealTimers();
    }
    // Both instants still show as the wall time they are.
    expect(toInput(t('2026-11-01T06:30:00Z'), NY)).toBe('2026-11-01T01:30');
  });

  it('spaces the axis by real hours on a 23- or 25-hour day', () => {
    const short = rangeFor(t('2026-03-08T12:00:00Z'), 'day', NY);
    const s = ticks(short, 'day', NY);
    expect(s.map((x) => x.label)).toEqual(['00:00', '03:00', '06:00', '09:00', '12:00', '15:00', '18:00', '21:00']);
    expect(s[1]?.at).toBe(t('2026-03-08T07:00:00Z'));
    expect(s[1]?.left).toBeCloseTo((100 * 2) / 23);
    const long = rangeFor(t('2026-11-01T12:00:00Z'), 'day', NY);
    const l = ticks(long, 'day', NY);
    expect(l).toHaveLength(8);
    expect(l[1]?.at).toBe(t('2026-11-01T08:00:00Z'));
    expect(l[1]?.left).toBeCloseTo((100 * 4) / 25);
    // Over a week holding London's spring change, each tick is a local midnight.
    const week = rangeFor(t('2026-03-29T12:00:00Z'), 'week', LON);
    const w = ticks(week, 'week', LON);
    expect(w.map((x) => x.label)).toEqual(['Mon 23', 'Tue 24', 'Wed 25', 'Thu 26', 'Fri 27', 'Sat 28', 'Sun 29']);
    expect(w[6]?.at).toBe(t('2026-03-29T00:00:00Z'));
    expect(week.to).toBe(t('2026-03-29T23:00:00Z'));
  });
});

describe('positioning blocks in a range', () => {
  const week = { from: t('2026-03-02T00:00:00Z'), to: t('2026-03-09T00:00:00Z') };

  it('places a shift by its share of the range', () => {
    const p = place(t('2026-03-03T00:00:00Z'), t('2026-03-04T12:00:00Z'), week);
    expect(p?.left).toBeCloseTo((100 * 1) / 7);
    expect(p?.width).toBeCloseTo((100 * 1.5) / 7);
    expect(p?.clippedStart).toBe(false);
    expect(p?.clippedEnd).toBe(false);
  });

  it('clips a shift running past either edge and marks it', () => {
    const p = place(t('2026-02-23T09:00:00Z'), t('2026-03-02T09:00:00Z'), week);
    expect(p).toMatchObject({ left: 0, clippedStart: true, clippedEnd: false });
    expect(p?.width).toBeCloseTo((100 * 9) / 168);
    const q = place(t('2026-03-08T09:00:00Z'), t('2026-03-15T09:00:00Z'), week);
    expect(q?.left).toBeCloseTo((100 * 153) / 168);
    expect((q?.left ?? 0) + (q?.width ?? 0)).toBeCloseTo(100);
    expect(q?.clippedEnd).toBe(true);
  });

  it('leaves out shifts outside the range, and empty ones', () => {
    expect(place(t('2026-02-01T00:00:00Z'), t('2026-03-02T00:00:00Z'), week)).toBeNull();
    expect(place(t('2026-03-09T00:00:00Z'), t('2026-03-10T00:00:00Z'), week)).toBeNull();
    expect(place(t('2026-03-04T00:00:00Z'), t('2026-03-04T00:00:00Z'), week)).toBeNull();
  });

  it('labels the axis by day over a week and every 3 hours over a day', () => {
    const w = ticks(week, 'week', 'UTC');
    expect(w.map((x) => x.label)).toEqual(['Mon 2', 'Tue 3', 'Wed 4', 'Thu 5', 'Fri 6', 'Sat 7', 'Sun 8']);
    expect(w[1]?.left).toBeCloseTo(100 / 7);
    const d = ticks(rangeFor(t('2026-03-09T12:00:00Z'), 'day', 'UTC'), 'day', 'UTC');
    expect(d.map((x) => x.label)).toEqual(['00:00', '03:00', '06:00', '09:00', '12:00', '15:00', '18:00', '21:00']);
  });
});

describe('switching the zone on screen', () => {
  it('writes the same instants in the other zone', () => {
    expect(formatTime(t('2026-03-09T09:00:00Z'), 'UTC')).toBe('Mon 9 Mar 09:00');
    expect(formatTime(t('2026-03-09T09:00:00Z'), 'America/Los_Angeles')).toBe('Mon 9 Mar 02:00');
    expect(formatRange(t('2026-03-09T09:00:00Z'), t('2026-03-09T17:00:00Z'), 'UTC')).toBe('Mon 9 Mar 09:00–17:00');
    expect(formatRange(t('2026-03-09T09:00:00Z'), t('2026-03-10T09:00:00Z'), 'Asia/Kolkata')).toBe('Mon 9 Mar 14:30–Tue 10 Mar 14:30');
  });

  it('converts the override form so it keeps meaning the same range', () => {
    const d = { ...emptyDraft, from: '2026-03-09T09:00', to: '2026-03-10T09:00', user: 'dave' };
    const la = convertDraft(d, 'UTC', 'America/Los_Angeles');
    expect(la).toEqual({ ...d, from: '2026-03-09T02:00', to: '2026-03-10T02:00' });
    expect(fromInput(la.from, 'America/Los_Angeles')).toBe(t('2026-03-09T09:00:00Z'));
    expect(convertDraft(la, 'America/Los_Angeles', 'UTC')).toEqual(d);
    // A half-typed value is left as the reader typed it.
    expect(convertDraft({ ...d, from: '2026-03' }, 'UTC', 'Asia/Tokyo').from).toBe('2026-03');
  });
});

describe('range selection → override form', () => {
  const week = { from: t('2026-03-02T00:00:00Z'), to: t('2026-03-09T00:00:00Z') };
  const final = [
    { start: '2026-02-23T09:00:00Z', end: '2026-03-02T09:00:00Z', user: 'bob' },
    { start: '2026-03-02T09:00:00Z', end: '2026-03-09T09:00:00Z', user: 'alice' },
  ];

  it('snaps a drag to the hour over a week, in either direction', () => {
    expect(timeAtFraction(0.5, week, 'week')).toBe(t('2026-03-05T12:00:00Z'));
    expect(timeAtFraction(1.4, week, 'week')).toBe(week.to);
    const sel = selectionFromDrag(3.4 / 7, 1.02 / 7, week, 'week');
    expect(sel).toEqual({ from: t('2026-03-03T00:00:00Z'), to: t('2026-03-05T10:00:00Z') });
    // A tiny drag still selects one step.
    expect(selectionFromDrag(0.5, 0.5, week, 'week')).toEqual({ from: t('2026-03-05T12:00:00Z'), to: t('2026-03-05T13:00:00Z') });
    expect(selectionFromDrag(1, 1, week, 'week')).toEqual({ from: week.to - H, to: week.to });
  });

  it('prefills From and To from the drag in the zone on screen, for whoever is on call', () => {
    const sel = { from: t('2026-03-03T00:00:00Z'), to: t('2026-03-05T10:00:00Z') };
    const d = draftFromSelection(sel, 'Europe/Berlin', { ...emptyDraft, user: 'dave', replaces: 'bob' });
    expect(d).toEqual({ ...emptyDraft, from: '2026-03-03T01:00', to: '2026-03-05T11:00', user: 'dave', replaces: '' });
    const c = checkDraft(d, 'Europe/Berlin', t('2026-03-01T00:00:00Z'));
    expect(c).toEqual({ start: sel.from, end: sel.to, errors: {} });
    expect(describeOverride(final, sel.from, sel.to, 'dave', null, 'Europe/Berlin')).toBe('alice → dave, Tue 3 Mar 01:00–Thu 5 Mar 11:00');
  });

  it('prefills a clicked shift, replacing its person', () => {
    const d = draftFromShift(final[1] as (typeof final)[1], 'UTC', { ...emptyDraft, user: 'alice' });
    expect(d).toEqual({ ...emptyDraft, from: '2026-03-02T09:00', to: '2026-03-09T09:00', replaces: 'alice', user: '' });
  });

  it('names everyone an override replaces, or nobody', () => {
    const start = t('2026-03-01T00:00:00Z');
    const end = t('2026-03-03T00:00:00Z');
    expect(describeOverride(final, start, end, 'dave', null, 'UTC')).toBe('bob, alice → dave, Sun 1 Mar 00:00–Tue 3 Mar 00:00');
    expect(describeOverride(final, start, end, 'dave', 'alice', 'UTC')).toBe('alice → dave, Sun 1 Mar 00:00–Tue 3 Mar 00:00');
    expect(describeOverride(final, start, end, null, null, 'UTC')).toBe('bob, alice → nobody, Sun 1 Mar 00:00–Tue 3 Mar 00:00');
    expect(describeOverride(final, start, end, 'dave', 'carol', 'UTC')).toContain('carol (not on call then: no change) → dave');
  });

  it('says what is missing or wrong before anything is sent', () => {
    const now = t('2026-03-05T00:00:00Z');
    expect(checkDraft(emptyDraft, 'UTC', now).errors).toEqual({ from: 'Enter when the override starts.', to: 'Enter when the override ends.', user: 'Choose who is on call.' });
    expect(checkDraft({ ...emptyDraft, from: '2026-03-05T10:00', to: '2026-03-05T09:00', user: 'dave' }, 'UTC', now).errors).toEqual({ to: 'Must be after From.' });
    expect(checkDraft({ ...emptyDraft, from: '2026-03-01T10:00', to: '2026-03-02T09:00', user: 'dave' }, 'UTC', now).errors.to).toMatch(/in the past/);
    expect(checkDraft({ ...emptyDraft, from: '2026-03-05T10:00', to: '2026-03-06T09:00', user: 'dave', replaces: 'dave' }, 'UTC', now).errors).toEqual({ user: 'dave cannot replace themselves.' });
  });
});

describe('swap', () => {
  it('says who covers whom, in the zone on screen, once both halves are filled in', async () => {
    const { describeSwap } = await import('./swap-form');
    const a = { user: 'alice', from: '2026-03-09T09:00', to: '2026-03-10T09:00' };
    const b = { user: 'bob', from: '2026-03-16T09:00', to: '2026-03-17T09:00' };
    expect(describeSwap(a, b, 'UTC')).toBe('bob covers alice Mon 9 Mar 09:00–Tue 10 Mar 09:00; alice covers bob Mon 16 Mar 09:00–Tue 17 Mar 09:00');
    expect(describeSwap({ ...a, user: '' }, b, 'UTC')).toBeNull();
    expect(describeSwap(a, { ...b, to: '2026-03-15T09:00' }, 'UTC')).toBeNull();
  });
});
