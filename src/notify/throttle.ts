/**
 * Noise limits: how many messages one contact method (one person's phone, inbox, webhook) may get
 * in a sliding window. A page the limits hold back waits in the outbox (it is not dropped); when
 * the limit next allows a message, every page waiting for that contact method goes out together as
 * one bundled message ("5 new alerts on Clipper Critical: …").
 *
 * Defaults, per contact method (GoAlert's per-method values for SMS and voice; the other channels
 * are looser because a message there interrupts less):
 *
 *   channel          per minute   per 15 minutes   per hour
 *   sms                   1             5              11
 *   voice                 1             3               7
 *   email                 2            10              30
 *   slack, teams          3            20              60
 *   webhook              10            60             200
 *   any other             2            10              30
 *
 * Urgency: a low-urgency message counts against every limit, a high-urgency one only against the
 * high-urgency messages already sent. So noise never holds back a critical page, and critical pages
 * are themselves held to the same caps. Every message counts once however many alerts it carries,
 * and a message counts from the moment it is handed to the sender, whatever the outcome (a provider
 * that failed to deliver was still called).
 *
 * Sliding windows without GoAlert's "smooth" spreading: with bundling, a person in a storm gets the
 * first page at once and then one bundle whenever a window has room, which is what the caps are
 * for. Rejected alternative: a token bucket per method; it cannot express "1 per minute and 5 per
 * 15 minutes" without one bucket per rule, which is what the windows are.
 */

export interface LimitRule {
  count: number;
  /** Window length in milliseconds. */
  perMs: number;
}

/** Limits per channel; `*` applies to channels not named. A channel mapped to [] has no limit. */
export type DeliveryLimits = Readonly<Record<string, readonly LimitRule[]>>;

const MIN = 60_000;
const rules = (perMinute: number, per15: number, perHour: number): LimitRule[] => [
  { count: perMinute, perMs: MIN },
  { count: per15, perMs: 15 * MIN },
  { count: perHour, perMs: 60 * MIN },
];

export const DEFAULT_DELIVERY_LIMITS: DeliveryLimits = Object.freeze({
  sms: rules(1, 5, 11),
  voice: rules(1, 3, 7),
  email: rules(2, 10, 30),
  slack: rules(3, 20, 60),
  teams: rules(3, 20, 60),
  webhook: rules(10, 60, 200),
  '*': rules(2, 10, 30),
});

/** One message already sent through a contact method: when, and whether it was high urgency. */
export type SentMark = [at: number, high: 0 | 1];

export function rulesFor(limits: DeliveryLimits, channel: string): readonly LimitRule[] {
  return limits[channel] ?? limits['*'] ?? [];
}

/** The longest window of any rule: marks older than this no longer count anywhere. */
export function longestWindow(limits: DeliveryLimits): number {
  let max = 0;
  for (const list of Object.values(limits)) for (const r of list) max = Math.max(max, r.perMs);
  return max;
}

/**
 * The earliest time at or after `now` when one more message may go: `now` itself when the limits
 * allow it at once. `sent` is oldest first.
 */
export function nextAllowedAt(rulesOfChannel: readonly LimitRule[], sent: readonly SentMark[], now: number, high: boolean): number {
  const counted = high ? sent.filter((s) => s[1] === 1) : sent;
  let at = now;
  for (const rule of rulesOfChannel) {
    const inWindow = counted.filter((s) => s[0] > now - rule.perMs);
    if (inWindow.length >= rule.count) {
      // The window has room again once the oldest of its last `count` messages leaves it.
      const oldest = inWindow[inWindow.length - rule.count] as SentMark;
      at = Math.max(at, oldest[0] + rule.perMs);
    }
  }
  return at;
}

/** Parses the stored marks, keeping only those still inside `windowMs` of now. */
export function parseMarks(json: string | null | undefined, now: number, windowMs: number): SentMark[] {
  if (!json) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return (raw as unknown[])
    .filter((m): m is SentMark => Array.isArray(m) && typeof m[0] === 'number' && (m[1] === 0 || m[1] === 1))
    .filter((m) => m[0] > now - windowMs)
    .sort((a, b) => a[0] - b[0]);
}

/** Describes a channel's limits for the timeline: "1 per minute, 5 per 15 min, 11 per hour". */
export function describeRules(rulesOfChannel: readonly LimitRule[]): string {
  return rulesOfChannel
    .map((r) => `${r.count} per ${r.perMs === MIN ? 'minute' : r.perMs === 60 * MIN ? 'hour' : `${Math.round(r.perMs / MIN)} min`}`)
    .join(', ');
}

/**
 * WATCHKEEPER_DELIVERY_LIMITS: "on" (the default) applies the limits above, "off" sends every page
 * as its own message at once (for load tests of the outbox itself, never for people).
 */
export function deliveryLimitsFromEnv(value: string | undefined): DeliveryLimits | null {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'on') return DEFAULT_DELIVERY_LIMITS;
  if (v === 'off') return null;
  throw new Error(`WATCHKEEPER_DELIVERY_LIMITS must be "on" or "off" (got "${value}")`);
}
