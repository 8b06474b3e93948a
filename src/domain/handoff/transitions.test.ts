import { describe, expect, it } from 'vitest';
import type { Shift } from '../schedule/schedule.js';
import { onCallDiff, stretches, transitions } from './transitions.js';

const sh = (start: number, end: number, userId: string, source = 'weekly'): Shift => ({ start, end, userId, source });

describe('shift transitions', () => {
  it('finds each change of person in (lo, hi], with who goes off and who comes on', () => {
    const shifts = [sh(0, 10, 'a'), sh(10, 20, 'b'), sh(25, 30, 'c')];
    expect(transitions(shifts, 0, 30)).toEqual([
      { at: 10, outgoing: 'a', incoming: 'b' },
      { at: 20, outgoing: 'b', incoming: null },
      { at: 25, outgoing: null, incoming: 'c' },
      { at: 30, outgoing: 'c', incoming: null },
    ]);
    // lo is exclusive, hi inclusive: a scan of (10, 20] does not repeat the change at 10.
    expect(transitions(shifts, 10, 20)).toEqual([{ at: 20, outgoing: 'b', incoming: null }]);
  });

  it('is no change when the same person stays on call through a layer change or an override', () => {
    const shifts = [sh(0, 10, 'a'), sh(10, 15, 'a', 'override'), sh(15, 20, 'b')];
    expect(stretches(shifts)).toEqual([sh(0, 15, 'a'), sh(15, 20, 'b')]);
    expect(transitions(shifts, 0, 19)).toEqual([{ at: 15, outgoing: 'a', incoming: 'b' }]);
  });
});

describe('on-call diff', () => {
  it('a cover: the cover gains the range, the person covered loses it', () => {
    expect(onCallDiff([sh(0, 100, 'a')], [sh(0, 40, 'a'), sh(40, 60, 'd', 'override'), sh(60, 100, 'a')])).toEqual([
      { userId: 'a', gained: [], lost: [{ start: 40, end: 60 }] },
      { userId: 'd', gained: [{ start: 40, end: 60 }], lost: [] },
    ]);
  });

  it('a swap: each gains the other’s range and loses their own', () => {
    const before = [sh(0, 50, 'a'), sh(50, 100, 'c')];
    const after = [sh(0, 10, 'a'), sh(10, 20, 'c', 'override'), sh(20, 50, 'a'), sh(50, 60, 'c'), sh(60, 70, 'a', 'override'), sh(70, 100, 'c')];
    expect(onCallDiff(before, after)).toEqual([
      { userId: 'a', gained: [{ start: 60, end: 70 }], lost: [{ start: 10, end: 20 }] },
      { userId: 'c', gained: [{ start: 10, end: 20 }], lost: [{ start: 60, end: 70 }] },
    ]);
  });

  it('leaves out people whose time did not change, and a gap filled by nobody changes nobody', () => {
    expect(onCallDiff([sh(0, 10, 'a')], [sh(0, 10, 'a', 'override')])).toEqual([]);
    expect(onCallDiff([sh(0, 10, 'a')], [])).toEqual([{ userId: 'a', gained: [], lost: [{ start: 0, end: 10 }] }]);
  });
});
