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
 *
 * Without the section no time off is owed; time taken can still be recorded.
 */
export interface CompTimePolicy {
  /** Days off per 168 hours on call. */
  perWeekOnCall: number;
  takeWithinMs: number;
  /** Schedule names that count; null = all. */
  schedules: string[] | null;
}

export const CompTimeSchema = z
  .strictObject({
    per_week_on_call: z.number().min(0).max(7).describe('Days off owed per week (168 hours) on call, pro rata, e.g. 1.'),
    take_within: z.string().default('30d').describe('How long earned time off may wait before it lapses, e.g. 30d.'),
    schedules: z.array(z.string().min(1)).min(1).optional().describe('Only time on call in these schedules earns time off; default all schedules.'),
  })
  .describe('Time off owed for being on call.');

type Path = readonly (string | number)[];

export function checkCompTime(input: z.output<typeof CompTimeSchema>, path: Path, schedules: Set<string> | null, problem: (at: Path, message: string) => void): CompTimePolicy {
  const within = parseDuration(input.take_within);
  if (within === null || within < 86_400_000 || within > 366 * 86_400_000) problem([...path, 'take_within'], `"${input.take_within}" is not a duration from 1d to 366d; write e.g. 30d`);
  input.schedules?.forEach((s, i) => {
    if (schedules && !schedules.has(s)) problem([...path, 'schedules', i], `no schedule named "${s}"; add it to the schedules section`);
  });
  return { perWeekOnCall: input.per_week_on_call, takeWithinMs: within ?? 30 * 86_400_000, schedules: input.schedules ?? null };
}

export function compTimeToFile(p: CompTimePolicy | null): { comp_time?: Record<string, unknown> } {
  if (!p) return {};
  const within = p.takeWithinMs === 30 * 86_400_000 ? {} : { take_within: formatDuration(p.takeWithinMs) };
  return { comp_time: { per_week_on_call: p.perWeekOnCall, ...within, ...(p.schedules ? { schedules: p.schedules } : {}) } };
}
