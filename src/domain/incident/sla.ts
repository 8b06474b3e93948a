/**
 * Incident SLA clocks, as the Mother-Harness handbook's table has them (P1: acknowledge in 5
 * minutes, first update in 15, resolve in an hour). Every clock starts when the incident is
 * declared and stops at its own event:
 *
 *   acknowledge   the first acknowledgement of an attached alert (one acknowledged before the
 *                 incident was declared counts at the declaration), or the first status change or
 *                 status update posted by a person (signed in or with an API token; the engine
 *                 and alert sources never acknowledge);
 *   first_update  the first status update;
 *   resolve       the resolution.
 *
 * Resolving stops every clock: a resolved incident owes no acknowledgement or first update any
 * more. The target is the one of the severity the incident has now, so raising the severity can
 * put a clock at risk or breach it at once.
 *
 *   on_track ──(share of target used >= at_risk)──▶ at_risk ──(due)──▶ breached
 *       └──────────── stopped by due ──▶ met              stopped after due ──▶ breached (met_at set)
 */
export const SLA_CLOCKS = ['acknowledge', 'first_update', 'resolve'] as const;
export type SlaClockName = (typeof SLA_CLOCKS)[number];
export const isSlaClock = (s: string): s is SlaClockName => (SLA_CLOCKS as readonly string[]).includes(s);

export type SlaState = 'on_track' | 'at_risk' | 'breached' | 'met';

/** Target per clock for one severity; a clock without a target is not shown. */
export type SlaTargets = Partial<Record<SlaClockName, number>>;

/** Default share of a target after which a running clock is "at risk". */
export const DEFAULT_AT_RISK = 0.8;

export const SLA_CLOCK_LABELS: Record<SlaClockName, string> = {
  acknowledge: 'Acknowledge',
  first_update: 'First update',
  resolve: 'Resolve',
};

/** The moments that stop the clocks, as found on the incident's record. */
export interface SlaFacts {
  declaredAt: number;
  /** Null while the incident is not resolved (a reopened incident is not). */
  resolvedAt: number | null;
  firstUpdateAt: number | null;
  /** First status change or update by a person. */
  firstPersonActionAt: number | null;
  /** First acknowledgement of an alert attached to the incident, possibly before it was declared. */
  firstAlertAckAt: number | null;
}

const earliest = (...ts: (number | null)[]): number | null => {
  const known = ts.filter((t): t is number => t !== null);
  return known.length ? Math.min(...known) : null;
};

/** When each clock stopped, or null while it runs. */
export function slaMetTimes(f: SlaFacts): Record<SlaClockName, number | null> {
  const ack = f.firstAlertAckAt === null ? null : Math.max(f.firstAlertAckAt, f.declaredAt);
  return {
    acknowledge: earliest(ack, f.firstPersonActionAt, f.resolvedAt),
    first_update: earliest(f.firstUpdateAt, f.resolvedAt),
    resolve: f.resolvedAt,
  };
}

export interface SlaClock {
  clock: SlaClockName;
  targetMs: number;
  dueAt: number;
  /** When a running clock turns at risk. */
  atRiskAt: number;
  /** Time used: up to the stop, or up to now while running. */
  elapsedMs: number;
  state: SlaState;
  metAt: number | null;
}

/** The clocks of one incident at `now`, in the order of SLA_CLOCKS; clocks without a target are left out. */
export function slaClocks(targets: SlaTargets, declaredAt: number, met: Record<SlaClockName, number | null>, atRisk: number, now: number): SlaClock[] {
  const out: SlaClock[] = [];
  for (const clock of SLA_CLOCKS) {
    const targetMs = targets[clock];
    if (targetMs === undefined) continue;
    const dueAt = declaredAt + targetMs;
    const atRiskAt = declaredAt + Math.round(targetMs * atRisk);
    const metAt = met[clock];
    let state: SlaState;
    if (metAt !== null) state = metAt <= dueAt ? 'met' : 'breached';
    else if (now >= dueAt) state = 'breached';
    else if (now >= atRiskAt) state = 'at_risk';
    else state = 'on_track';
    out.push({ clock, targetMs, dueAt, atRiskAt, elapsedMs: Math.max(0, (metAt ?? now) - declaredAt), state, metAt });
  }
  return out;
}
