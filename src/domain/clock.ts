/**
 * Everything that reads the time takes a Clock. Production uses the system clock; tests drive a
 * FakeClock and tick the engine, so no test ever sleeps to wait for an escalation.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export class FakeClock implements Clock {
  private t: number;

  constructor(start: number | string | Date = '2026-03-08T08:00:00Z') {
    this.t = typeof start === 'number' ? start : new Date(start).getTime();
  }

  now(): number {
    return this.t;
  }

  /** Moves time forward by `ms`; never backwards. */
  advance(ms: number): void {
    if (ms < 0) throw new Error('a fake clock only moves forward');
    this.t += ms;
  }

  advanceMinutes(minutes: number): void {
    this.advance(minutes * 60_000);
  }

  set(at: number | string | Date): void {
    this.t = typeof at === 'number' ? at : new Date(at).getTime();
  }
}

export const MINUTE = 60_000;
