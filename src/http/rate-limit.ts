/**
 * A token bucket per integration key: `perMinute` events on average, bursts up to one minute's
 * worth. In memory, per process: on several processes the effective limit is per process, which
 * errs towards accepting alerts rather than dropping them.
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly perMinute: number) {}

  /** True when the event may pass. */
  take(key: string, now = Date.now()): boolean {
    if (this.perMinute <= 0) return true;
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * rate);
    b.at = now;
    if (this.buckets.size > 100_000) this.buckets.clear();
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
