import { DateTime } from 'luxon';

/**
 * The public status page's words (Statuspage's, which customers already read) and its pure rules:
 * the worst of several statuses, the page's overall line, and the worst status per UTC day that the
 * history bars show. No I/O; `now` is passed in.
 */

export const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

export const isComponentStatus = (s: string): s is ComponentStatus => (COMPONENT_STATUSES as readonly string[]).includes(s);

/** How bad a status is, for "the worst status of the day": maintenance is planned, so it ranks below any outage. */
const RANK: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };

export const COMPONENT_STATUS_TEXT: Record<ComponentStatus, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};

/** The statuses of a public incident update, as the handbooks' templates name them. */
export const PUBLIC_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type PublicStatus = (typeof PUBLIC_STATUSES)[number];

export const PUBLIC_STATUS_TEXT: Record<PublicStatus, string> = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' };

/**
 * The four template sentences of the handbooks' status page section, offered as one-click starts:
 * "Investigating: We are investigating [issue]" and so on. `{issue}` is the incident's title.
 */
export const PUBLIC_TEMPLATES: Record<PublicStatus, string> = {
  investigating: 'We are investigating {issue}.',
  identified: 'We have identified the issue and are working on a fix.',
  monitoring: 'A fix has been applied, monitoring for stability.',
  resolved: 'The issue has been resolved.',
};

export function templateText(status: PublicStatus, issue: string): string {
  return PUBLIC_TEMPLATES[status].replace('{issue}', issue.trim() || 'an issue');
}

export function worst(statuses: Iterable<string>): ComponentStatus {
  let out: ComponentStatus = 'operational';
  for (const s of statuses) if (isComponentStatus(s) && RANK[s] > RANK[out]) out = s;
  return out;
}

/** The page's headline: "All systems operational", or what the worst component suffers. */
export function overallText(statuses: ComponentStatus[]): { status: ComponentStatus; text: string } {
  const w = worst(statuses);
  const affected = statuses.filter((s) => s === w).length;
  if (w === 'operational') return { status: w, text: 'All systems operational' };
  if (w === 'under_maintenance') return { status: w, text: 'Scheduled maintenance in progress' };
  if (w === 'major_outage') return { status: w, text: 'Major outage' };
  if (w === 'partial_outage') return { status: w, text: affected > 1 ? 'Partial outage of several systems' : 'Partial outage' };
  return { status: w, text: 'Degraded performance' };
}

/** One status change of a component: from `at` on it was `status`. */
export interface StatusChange {
  at: number;
  status: string;
}

export interface DayBar {
  /** YYYY-MM-DD, UTC. */
  day: string;
  status: ComponentStatus;
}

/**
 * The worst status of each of the last `days` UTC days (oldest first, today last). `changes` are
 * the component's changes in time order; `before` is its status before the first of them.
 */
export function dailyWorst(changes: StatusChange[], before: string, now: number, days = 90): DayBar[] {
  const today = DateTime.fromMillis(now, { zone: 'utc' }).startOf('day');
  const out: DayBar[] = [];
  let i = 0;
  let current = before;
  const first = today.minus({ days: days - 1 });
  // Changes before the first day set the status the first day starts with.
  while (i < changes.length && changes[i]!.at < first.toMillis()) current = changes[i++]!.status;
  for (let d = 0; d < days; d++) {
    const start = first.plus({ days: d });
    const end = Math.min(start.plus({ days: 1 }).toMillis(), now + 1);
    const seen = [current];
    while (i < changes.length && changes[i]!.at < end) {
      current = changes[i++]!.status;
      seen.push(current);
    }
    out.push({ day: start.toISODate()!, status: worst(seen) });
  }
  return out;
}
