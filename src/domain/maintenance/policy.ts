import { DAY_MS } from '../schedule/wall-clock.js';
import { formatDuration, type Approver } from '../silence/policy.js';
import { nextOccurrences, occurrences, type Occurrence, type Recurrence, type WindowTiming } from './window.js';

/**
 * A maintenance policy, as the handbooks write it: "Sundays 2:00 AM - 6:00 AM", "Engineering
 * Manager approval required for off-schedule maintenance", "Maintenance: manager approval for
 * more than 4h". A window longer than `approvalOverMs`, or with an occurrence outside every
 * occurrence of the `preferred` window, needs approval by the `approvers`; until then it is
 * pending and mutes nothing.
 */
export interface MaintenancePolicy {
  approvalOverMs: number | null;
  /** Each entry needs an approver of its own, not the window's author. Default: one manager. */
  approvers: Approver[];
  preferred: Recurrence | null;
}

/** How many coming occurrences of a recurring window are judged (about a quarter of weekly ones). */
export const JUDGED_OCCURRENCES = 12;

/** Why a window needs approval under the policy; empty: it needs none. */
export function judgeWindow(policy: MaintenancePolicy | null, timing: WindowTiming, now: number): string[] {
  if (!policy) return [];
  const list: Occurrence[] = timing.kind === 'once' ? [{ start: timing.startsAt, end: timing.endsAt }] : nextOccurrences(timing, now, JUDGED_OCCURRENCES);
  const reasons: string[] = [];
  if (policy.approvalOverMs !== null) {
    const longest = list.reduce((m, o) => Math.max(m, o.end - o.start), 0);
    if (longest > policy.approvalOverMs) reasons.push(`longer than ${formatDuration(policy.approvalOverMs)} (${formatDuration(longest)}; maintenance_policy.approval_over)`);
  }
  if (policy.preferred) {
    const preferred = policy.preferred;
    const outside = list.find((o) => !occurrences({ kind: 'recurring', recurrence: preferred }, o.start - 8 * DAY_MS, o.end + DAY_MS).some((p) => p.start <= o.start && o.end <= p.end));
    if (outside) reasons.push(`off-schedule: outside the preferred window (${preferred.rrule} ${preferred.start} for ${formatDuration(preferred.durationMs)}, ${preferred.timeZone}; maintenance_policy.preferred)`);
  }
  return reasons;
}
