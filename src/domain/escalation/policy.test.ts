import { describe, expect, it } from 'vitest';
import { planNextEscalation, type EscalationPolicySpec, type EscalationState } from './policy.js';

const MIN = 60_000;
const u = (id: string) => ({ kind: 'user' as const, id });

const mahavishnu: EscalationPolicySpec = {
  repeat: 0,
  noAutoEscalate: [],
  levels: [
    { targets: [u('primary')], delayMinutes: 5 },
    { targets: [u('secondary')], delayMinutes: 15 },
    { targets: [u('lead')], delayMinutes: 30 },
    { targets: [u('manager')], delayMinutes: 60 },
    { targets: [u('vp')], delayMinutes: 15, severities: ['critical'] },
  ],
};

const state = (s: Partial<EscalationState>): EscalationState => ({
  status: 'triggered',
  severity: 'critical',
  level: 0,
  cycle: 0,
  levelStartedAt: 0,
  openedAt: 0,
  ...s,
});

describe('planNextEscalation', () => {
  it.each([
    { name: 'level 1 waits its delay for the next level', s: state({}), at: 5, level: 1, reason: 'unacknowledged' },
    { name: 'the delay runs from when the level was notified', s: state({ level: 1, levelStartedAt: 5 * MIN }), at: 20, level: 2, reason: 'unacknowledged' },
    { name: 'a critical alert reaches the critical-only last level', s: state({ level: 3, levelStartedAt: 50 * MIN }), at: 110, level: 4, reason: 'unacknowledged' },
  ])('$name', ({ s, at, level, reason }) => {
    expect(planNextEscalation(mahavishnu, s)).toMatchObject({ at: at * MIN, level, reason });
  });

  it('skips a level limited to other severities, and stops when none is left', () => {
    expect(planNextEscalation(mahavishnu, state({ severity: 'high', level: 3, levelStartedAt: 50 * MIN }))).toBeNull();
  });

  it('plans nothing for an acknowledged alert without time-to-resolve levels', () => {
    expect(planNextEscalation(mahavishnu, state({ status: 'acknowledged' }))).toBeNull();
  });

  it('plans nothing for a resolved alert', () => {
    expect(planNextEscalation(mahavishnu, state({ status: 'resolved' }))).toBeNull();
  });

  it('uses the per-severity delay when the level has one', () => {
    const spec: EscalationPolicySpec = { repeat: 0, noAutoEscalate: [], levels: [{ targets: [u('a')], delayMinutes: 30, delayBySeverity: { critical: 15, high: 60 } }, { targets: [u('b')], delayMinutes: 30 }] };
    expect(planNextEscalation(spec, state({ severity: 'critical' }))?.at).toBe(15 * MIN);
    expect(planNextEscalation(spec, state({ severity: 'high' }))?.at).toBe(60 * MIN);
    expect(planNextEscalation(spec, state({ severity: 'medium' }))?.at).toBe(30 * MIN);
  });

  it('never escalates a severity listed in noAutoEscalate', () => {
    const spec = { ...mahavishnu, noAutoEscalate: ['low'] };
    expect(planNextEscalation(spec, state({ severity: 'low' }))).toBeNull();
  });

  it('repeats the policy from its first level after the last one', () => {
    const spec: EscalationPolicySpec = { repeat: 1, noAutoEscalate: [], levels: [{ targets: [u('a')], delayMinutes: 5 }, { targets: [u('b')], delayMinutes: 10 }] };
    expect(planNextEscalation(spec, state({ level: 1, levelStartedAt: 5 * MIN }))).toMatchObject({ at: 15 * MIN, level: 0, cycle: 1, reason: 'repeat' });
    expect(planNextEscalation(spec, state({ level: 1, cycle: 1, levelStartedAt: 30 * MIN }))).toBeNull();
  });

  it('reaches a time-to-resolve level from an acknowledged alert, measured from when it opened', () => {
    const spec: EscalationPolicySpec = {
      repeat: 0,
      noAutoEscalate: [],
      levels: [
        { targets: [u('primary')], delayMinutes: 5 },
        { targets: [u('secondary')], delayMinutes: 60, unresolvedAfterMinutes: 30 },
        { targets: [u('lead')], delayMinutes: 60, unresolvedAfterMinutes: 60 },
      ],
    };
    expect(planNextEscalation(spec, state({ status: 'acknowledged', levelStartedAt: 0 }))).toMatchObject({ at: 30 * MIN, level: 1, reason: 'unresolved' });
    // Unacknowledged: the 5-minute acknowledgement timer comes first.
    expect(planNextEscalation(spec, state({}))).toMatchObject({ at: 5 * MIN, level: 1, reason: 'unacknowledged' });
    // At level 2 already: the 60-minute rule of level 3 is next.
    expect(planNextEscalation(spec, state({ status: 'acknowledged', level: 1, levelStartedAt: 30 * MIN }))).toMatchObject({ at: 60 * MIN, level: 2 });
  });

  it('does not re-run time-to-resolve levels in a repeat pass', () => {
    const spec: EscalationPolicySpec = {
      repeat: 2,
      noAutoEscalate: [],
      levels: [
        { targets: [u('a')], delayMinutes: 5 },
        { targets: [u('b')], delayMinutes: 5, unresolvedAfterMinutes: 30 },
      ],
    };
    expect(planNextEscalation(spec, state({ cycle: 1, levelStartedAt: 100 * MIN }))).toMatchObject({ at: 105 * MIN, level: 1, reason: 'unacknowledged' });
  });
});
