import { describe, expect, it } from 'vitest';
import { slaClocks, slaMetTimes, type SlaFacts, type SlaState } from './sla.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 8, 8, 0);
const P1 = { acknowledge: 5 * MIN, first_update: 15 * MIN, resolve: 60 * MIN };
const none = { acknowledge: null, first_update: null, resolve: null };

describe('slaClocks', () => {
  const cases: { name: string; minute: number; met?: Partial<Record<'acknowledge' | 'first_update' | 'resolve', number>>; atRisk?: number; want: [SlaState, SlaState, SlaState] }[] = [
    { name: 'all on track just after declaration', minute: 1, want: ['on_track', 'on_track', 'on_track'] },
    { name: 'acknowledge at risk at 80% of 5 minutes (4 minutes)', minute: 4, want: ['at_risk', 'on_track', 'on_track'] },
    { name: 'acknowledge breached at exactly 5 minutes', minute: 5, want: ['breached', 'on_track', 'on_track'] },
    { name: 'first update at risk at 12 minutes', minute: 12, want: ['breached', 'at_risk', 'on_track'] },
    { name: 'everything breached after an hour with nobody acting', minute: 60, want: ['breached', 'breached', 'breached'] },
    { name: 'acknowledged at 3 minutes is met and stays met', minute: 30, met: { acknowledge: 3 }, want: ['met', 'breached', 'on_track'] },
    { name: 'acknowledged exactly at the deadline is met', minute: 30, met: { acknowledge: 5 }, want: ['met', 'breached', 'on_track'] },
    { name: 'met late is breached', minute: 30, met: { acknowledge: 7, first_update: 14 }, want: ['breached', 'met', 'on_track'] },
    { name: 'a lower at-risk share warns earlier', minute: 3, atRisk: 0.5, want: ['at_risk', 'on_track', 'on_track'] },
  ];
  it.each(cases)('$name', ({ minute, met, atRisk, want }) => {
    const m = { ...none, ...Object.fromEntries(Object.entries(met ?? {}).map(([k, v]) => [k, T0 + v * MIN])) };
    const clocks = slaClocks(P1, T0, m, atRisk ?? 0.8, T0 + minute * MIN);
    expect(clocks.map((c) => c.state)).toEqual(want);
  });

  it('gives target, due time, at-risk time, time used and the stop', () => {
    const [ack, upd] = slaClocks(P1, T0, { ...none, acknowledge: T0 + 7 * MIN }, 0.8, T0 + 10 * MIN);
    expect(ack).toEqual({ clock: 'acknowledge', targetMs: 5 * MIN, dueAt: T0 + 5 * MIN, atRiskAt: T0 + 4 * MIN, elapsedMs: 7 * MIN, state: 'breached', metAt: T0 + 7 * MIN });
    expect(upd).toEqual({ clock: 'first_update', targetMs: 15 * MIN, dueAt: T0 + 15 * MIN, atRiskAt: T0 + 12 * MIN, elapsedMs: 10 * MIN, state: 'on_track', metAt: null });
  });

  it('leaves out clocks without a target', () => {
    expect(slaClocks({ resolve: 4 * 60 * MIN }, T0, none, 0.8, T0).map((c) => c.clock)).toEqual(['resolve']);
    expect(slaClocks({}, T0, none, 0.8, T0)).toEqual([]);
  });
});

describe('slaMetTimes', () => {
  const facts = (f: Partial<SlaFacts>): SlaFacts => ({ declaredAt: T0, resolvedAt: null, firstUpdateAt: null, firstPersonActionAt: null, firstAlertAckAt: null, ...f });
  const at = (m: number) => T0 + m * MIN;
  const cases: { name: string; f: Partial<SlaFacts>; want: [number | null, number | null, number | null] }[] = [
    { name: 'nothing happened: every clock runs', f: {}, want: [null, null, null] },
    { name: 'an attached alert acknowledged at 2 minutes', f: { firstAlertAckAt: at(2) }, want: [at(2), null, null] },
    { name: 'an alert acknowledged before the declaration counts at the declaration', f: { firstAlertAckAt: at(-10) }, want: [at(0), null, null] },
    { name: 'a status update by a person acknowledges and is the first update', f: { firstUpdateAt: at(6), firstPersonActionAt: at(6) }, want: [at(6), at(6), null] },
    { name: 'the earliest of alert acknowledgement and person action', f: { firstAlertAckAt: at(4), firstPersonActionAt: at(3) }, want: [at(3), null, null] },
    { name: 'resolving stops every clock', f: { resolvedAt: at(20), firstAlertAckAt: at(25) }, want: [at(20), at(20), at(20)] },
  ];
  it.each(cases)('$name', ({ f, want }) => {
    const m = slaMetTimes(facts(f));
    expect([m.acknowledge, m.first_update, m.resolve]).toEqual(want);
  });
});
