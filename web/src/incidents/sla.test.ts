import { describe, expect, it } from 'vitest';
import { serverOffset, slaView, type SlaClock } from './sla';

const T0 = Date.UTC(2026, 2, 8, 8, 0);
const MIN = 60_000;
const iso = (m: number) => new Date(T0 + m * MIN).toISOString();
const clock = (over: Partial<SlaClock> = {}): SlaClock => ({ clock: 'acknowledge', target_ms: 5 * MIN, due_at: iso(5), at_risk_at: iso(4), state: 'on_track', met_at: null, elapsed_ms: 0, ...over });

describe('SLA clocks in the browser', () => {
  it.each([
    [1, 'on_track', 'on track, 4 min left'],
    [4, 'at_risk', 'at risk, 1 min left'],
    [5, 'breached', 'breached 1 min ago'],
    [8, 'breached', 'breached 3 min ago'],
  ])('a running 5-minute clock at minute %i is %s', (m, state, text) => {
    expect(slaView(clock(), T0 + m * MIN)).toEqual({ state, text });
  });

  it('a stopped clock says how long it took; long times read in hours', () => {
    expect(slaView(clock({ state: 'met', met_at: iso(2), elapsed_ms: 2 * MIN }), T0 + 60 * MIN)).toEqual({ state: 'met', text: 'met in 2 min' });
    expect(slaView(clock({ state: 'breached', met_at: iso(7), elapsed_ms: 7 * MIN }), T0 + 60 * MIN)).toEqual({ state: 'breached', text: 'breached, met after 7 min' });
    expect(slaView(clock({ clock: 'resolve', target_ms: 60 * MIN, due_at: iso(60), at_risk_at: iso(48) }), T0 + 30 * MIN)).toEqual({ state: 'on_track', text: 'on track, 30 min left' });
    expect(slaView(clock({ clock: 'resolve', target_ms: 90 * MIN, due_at: iso(90), at_risk_at: iso(72) }), T0)).toEqual({ state: 'on_track', text: 'on track, 1 h 30 min left' });
  });

  it('counts on the server clock: the offset comes from a running clock', () => {
    const browserNow = T0 + 1000 * MIN;
    expect(serverOffset([clock({ elapsed_ms: 3 * MIN })], browserNow)).toBe(3 * MIN - 1000 * MIN);
    expect(serverOffset([clock({ met_at: iso(1), state: 'met' })], browserNow)).toBe(0);
  });
});
