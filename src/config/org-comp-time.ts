import { z } from 'zod';
import { formatDuration, parseDuration } from '../domain/silence/policy.js';

/**
 * The org file's `comp_time`: time off owed for being on call (Clipper: "1 day off for every week
 * on call (taken within 30 days)").
 *
 *   comp_time:
 *     per_week_on_call: 1        # days off per 168 hours on call, pro rata
 *     take_within: 30d           # what is not taken in time lapses
 *     schedules: [primary]       # optional: only these schedules count (default: all)
 *     major_incident:            # optional: extra time off after a long major incident
 *       severities: [critical]   #   incidents of these severities
 *       over: 4h                 #   open (declared to resolved) longer than this
 *       days: 1                  #   earn everyone who worked it this many days
 *
 * Without the section no time off is owed; time taken can still be recorded.
 */
export interface CompTimePolicy {
  /** Days off per 168 hours on call. */
  perWeekOnCall: number;
  takeWithinMs: number;
  /** Schedule names that count; null = all. */
  schedules: string[] | null;
  /** Extra days for working a long major incident (Clipper: "additional time off for major incidents (>4h)"); absent = none. */
  majorIncident?: MajorIncidentCredit | null;
}

export interface MajorIncidentCredit {
  severities: string[];
  overMs: number;
  days: number;
}

export const CompTimeSchema = z
  .strictObject({
    per_week_on_call: z.number().min(0).max(7).describe('Days off owed per week (168 hours) on call, pro rata, e.g. 1.'),
    take_within: z.string().default('30d').describe('How long earned time off may wait before it lapses, e.g. 30d.'),
    schedules: z.array(z.string().min(1)).min(1).optional().describe('Only time on call in these schedules earns time off; default all schedules.'),
    major_incident: z
      .strictObject({
        severities: z.array(z.string().min(1)).min(1).describe('Incidents of these severities count, e.g. [critical].'),
        over: z.string().describe('Only incidents open (declared to resolved) longer than this, e.g. 4h.'),
        days: z.number().min(0.125).max(7).describe('Extra days off for everyone who worked such an incident, e.g. 1.'),
      })
      .optional()
      .describe('Extra time off for everyone who worked a long major incident (held a role in it or posted an update or note).'),
  })
  .describe('Time off owed for being on call.');

type Path = readonly (string | number)[];

export function checkCompTime(
  input: z.output<typeof CompTimeSchema>,
  path: Path,
  schedules: Set<string> | null,
  problem: (at: Path, message: string) => void,
  severity: (raw: string, at: Path) => string | null = (raw) => raw,
): CompTimePolicy {
  const within = parseDuration(input.take_within);
  if (within === null || within < 86_400_000 || within > 366 * 86_400_000) problem([...path, 'take_within'], `"${input.take_within}" is not a duration from 1d to 366d; write e.g. 30d`);
  input.schedules?.forEach((s, i) => {
    if (schedules && !schedules.has(s)) problem([...path, 'schedules', i], `no schedule named "${s}"; add it to the schedules section`);
  });
  let majorIncident: MajorIncidentCredit | null = null;
  const mi = input.major_incident;
  if (mi) {
    const at = [...path, 'major_incident'];
    const over = parseDuration(mi.over);
    if (over === null || over <= 0 || over > 30 * 86_400_000) problem([...at, 'over'], `"${mi.over}" is not a duration from 1m to 30d; write e.g. 4h`);
    const severities = [...new Set(mi.severities.map((raw, i) => severity(raw, [...at, 'severities', i])).filter((x): x is string => x !== null))];
    majorIncident = { severities, overMs: over ?? 0, days: mi.days };
  }
  return { perWeekOnCall: input.per_week_on_call, takeWithinMs: within ?? 30 * 86_400_000, schedules: input.schedules ?? null, ...(majorIncident ? { majorIncident } : {}) };
}

export function compTimeToFile(p: CompTimePolicy | null): { comp_time?: Record<string, unknown> } {
  if (!p) return {};
  const within = p.takeWithinMs === 30 * 86_400_000 ? {} : { take_within: formatDuration(p.takeWithinMs) };
  const mi = p.majorIncident ? { major_incident: { severities: p.majorIncident.severities, over: formatDuration(p.majorIncident.overMs), days: p.majorIncident.days } } : {};
  return { comp_time: { per_week_on_call: p.perWeekOnCall, ...within, ...(p.schedules ? { schedules: p.schedules } : {}), ...mi } };
}
