import { MINUTE } from '../clock.js';

/**
 * Escalation semantics.
 *
 * A policy is an ordered list of levels. When an alert opens, the first level that applies to its
 * severity is notified. While the alert stays unacknowledged, each level waits its delay (which may
 * differ by severity) and then the next applicable level is notified. After the last level the
 * policy starts over, `repeat` more times. Severities listed in `noAutoEscalate` never move on by
 * themselves (Clipper: P3 never auto-escalates); a person can still escalate by hand.
 *
 * Handbooks also escalate on time to *resolve*: a level with `unresolvedAfterMinutes` is reached
 * directly when the alert is still unresolved that long after it opened, even if acknowledged
 * (QAWave: "cannot resolve in 30 minutes → secondary"). Reaching a level that way returns the alert
 * to `triggered`, so the new level must acknowledge and its own delay runs from there.
 *
 * Each alert keeps a snapshot of its policy taken when it opened, so a later edit never changes an
 * escalation already under way (edits apply to new alerts). We chose snapshot over live config
 * (GoAlert's choice) because a half-edited policy must never skip or repeat a page mid-incident.
 */
export interface EscalationTarget {
  kind: 'user' | 'team' | 'schedule' | 'channel';
  /** Stored id of the user, team or schedule. */
  id: string;
  /** For team targets: only members with this team role (e.g. "lead"). */
  role?: string | null;
  /** Notify this target only for these severities (Mother-Harness: P1 also pages the manager). */
  severities?: string[] | null;
}

export interface EscalationLevel {
  targets: EscalationTarget[];
  /** Minutes to wait for an acknowledgement before the next level. */
  delayMinutes: number;
  /** Per-severity override of `delayMinutes` (Clipper: 15 for P1, 60 for P2). */
  delayBySeverity?: Record<string, number> | null;
  /** The level applies only to these severities (Mahavishnu T4: critical only). Null = all. */
  severities?: string[] | null;
  /** Reach this level when the alert is still unresolved this long after it opened. */
  unresolvedAfterMinutes?: number | null;
}

export interface EscalationPolicySpec {
  levels: EscalationLevel[];
  /** How many more times the whole policy runs after the last level. */
  repeat: number;
  /** Severities that never escalate by timer. */
  noAutoEscalate: string[];
}

export interface EscalationState {
  status: 'triggered' | 'acknowledged' | 'resolved';
  severity: string;
  /** Index of the level last notified. */
  level: number;
  /** 0 for the first pass through the policy, 1 for the first repeat… */
  cycle: number;
  /** When the current level was notified. */
  levelStartedAt: number;
  /** When the alert opened. */
  openedAt: number;
}

export type EscalationReason = 'unacknowledged' | 'unresolved' | 'repeat';

export interface PlannedEscalation {
  at: number;
  level: number;
  cycle: number;
  reason: EscalationReason;
  /** Minutes that passed, for the timeline: "not acknowledged within 5 minutes". */
  afterMinutes: number;
}

export function levelApplies(level: EscalationLevel, severity: string): boolean {
  return !level.severities || level.severities.length === 0 || level.severities.includes(severity);
}

export function targetApplies(target: EscalationTarget, severity: string): boolean {
  return !target.severities || target.severities.length === 0 || target.severities.includes(severity);
}

/** The first level at index >= from that applies to the severity, or null. */
export function firstApplicableLevel(spec: EscalationPolicySpec, severity: string, from = 0): number | null {
  for (let i = Math.max(0, from); i < spec.levels.length; i++) {
    const level = spec.levels[i];
    if (level && levelApplies(level, severity)) return i;
  }
  return null;
}

export function levelDelayMinutes(level: EscalationLevel, severity: string): number {
  const bySeverity = level.delayBySeverity?.[severity];
  return bySeverity ?? level.delayMinutes;
}

/**
 * When and where the alert escalates next if nothing happens, or null if it never will.
 * Pure: the engine stores `at` as the alert's `next_escalation_at` and calls this again after
 * every change of state.
 */
export function planNextEscalation(spec: EscalationPolicySpec, s: EscalationState): PlannedEscalation | null {
  if (s.status === 'resolved') return null;
  if (spec.noAutoEscalate.includes(s.severity)) return null;
  const candidates: PlannedEscalation[] = [];

  const current = spec.levels[s.level];
  if (s.status === 'triggered' && current) {
    const delay = levelDelayMinutes(current, s.severity);
    const at = s.levelStartedAt + delay * MINUTE;
    const next = firstApplicableLevel(spec, s.severity, s.level + 1);
    if (next !== null) {
      candidates.push({ at, level: next, cycle: s.cycle, reason: 'unacknowledged', afterMinutes: delay });
    } else if (s.cycle < spec.repeat) {
      const first = firstApplicableLevel(spec, s.severity, 0);
      if (first !== null) candidates.push({ at, level: first, cycle: s.cycle + 1, reason: 'repeat', afterMinutes: delay });
    }
  }

  // Time-to-resolve escalation is measured from the alert's opening, in the first pass only:
  // a repeat pass must not jump straight back to the levels it already reached.
  if (s.cycle === 0) {
    for (let j = s.level + 1; j < spec.levels.length; j++) {
      const level = spec.levels[j];
      if (!level || !levelApplies(level, s.severity)) continue;
      const after = level.unresolvedAfterMinutes;
      if (after === null || after === undefined) continue;
      candidates.push({ at: s.openedAt + after * MINUTE, level: j, cycle: 0, reason: 'unresolved', afterMinutes: after });
    }
  }

  let best: PlannedEscalation | null = null;
  for (const c of candidates) {
    if (!best || c.at < best.at || (c.at === best.at && c.level > best.level)) best = c;
  }
  return best;
}
