import { z } from 'zod';
import { checkRecurrence, checkScope, type Recurrence, type WindowTiming } from '../domain/maintenance/window.js';
import type { MaintenancePolicy } from '../domain/maintenance/policy.js';
import { MatcherError, parseMatchers, type Matcher } from '../domain/silence/matchers.js';
import { formatDuration, parseDuration, type Approver } from '../domain/silence/policy.js';

/**
 * The org file's `maintenance_policy` and `maintenance_windows` sections, e.g. QAWave's
 * "Sundays 2:00 AM - 6:00 AM" and Clipper's "Maintenance: manager approval for more than 4h":
 *
 *   maintenance_policy:
 *     approval_over: 4h
 *     approvers: [{ role: manager }]      # default: one manager
 *     preferred: { rrule: FREQ=WEEKLY;BYDAY=SU, time_zone: America/Chicago, start: "02:00", duration: 4h }
 *
 *   maintenance_windows:
 *     - name: sunday-maintenance
 *       services: [Backend API]
 *       rrule: FREQ=WEEKLY;BYDAY=SU
 *       time_zone: America/Chicago
 *       start: "02:00"
 *       duration: 4h
 *       comment: Weekly maintenance window
 *     - name: db-upgrade
 *       matchers: ['team="db"']
 *       starts_at: 2026-12-05T02:00:00-06:00
 *       ends_at: 2026-12-05T05:00:00-06:00
 *       comment: PostgreSQL 17 upgrade
 *
 * Windows in the file are the file's: applying it creates, changes and removes them by name, and
 * the API, CLI and web show them as `managed_by: file`, not to be ended or approved there. They
 * are approved by being in the file (whoever applies it is an admin). Windows made through the
 * API are operational data, like silences and overrides: the file never touches them.
 */

/** The first day of a rule that does not say (weekly and daily rules do not depend on it). */
export const DEFAULT_FROM = '2020-01-01';

const RecurrenceFields = {
  rrule: z.string().min(1).max(500).describe('iCalendar RRULE, e.g. FREQ=WEEKLY;BYDAY=SU.'),
  time_zone: z.string().min(1).describe('IANA zone the start time is in, e.g. America/Chicago.'),
  start: z.string().describe('Local start time, "HH:MM".'),
  duration: z.string().describe('Length in local time, e.g. 4h.'),
  from: z.string().optional().describe('First day (YYYY-MM-DD) an occurrence may fall on; anchors INTERVAL and monthly rules.'),
};

export const MaintenancePolicySchema = z
  .strictObject({
    approval_over: z.string().optional().describe('Windows longer than this need approval, e.g. 4h.'),
    approvers: z
      .array(z.union([z.strictObject({ role: z.enum(['manager', 'admin']) }), z.strictObject({ team: z.string().min(1) })]))
      .min(1)
      .max(5)
      .optional()
      .describe('Who approves; each entry needs an approver of its own, not the author. Default: a manager.'),
    preferred: z.strictObject(RecurrenceFields).optional().describe('The usual window: one outside it is off-schedule and needs approval.'),
  })
  .describe('Limits on maintenance windows: longest without approval, and the preferred window.');

export const MaintenanceWindowSchema = z
  .strictObject({
    name: z.string().min(1).max(100).describe('Unique among the file\'s windows; shown on the alerts it mutes.'),
    services: z.array(z.string().min(1)).max(100).optional().describe('Services the window covers, by name.'),
    matchers: z.array(z.string()).max(20).optional().describe('Label matchers the alerts must match, e.g. env="prod".'),
    comment: z.string().min(1).max(2000).describe('Why: shown on the alerts it mutes.'),
    starts_at: z.iso.datetime({ offset: true }).optional().describe('One-off window: start, with a zone offset.'),
    ends_at: z.iso.datetime({ offset: true }).optional().describe('One-off window: end.'),
    rrule: RecurrenceFields.rrule.optional(),
    time_zone: RecurrenceFields.time_zone.optional(),
    start: RecurrenceFields.start.optional(),
    duration: RecurrenceFields.duration.optional(),
    from: RecurrenceFields.from,
  })
  .describe('A maintenance window: alerts it covers are recorded but page nobody; one-off (starts_at, ends_at) or recurring (rrule, time_zone, start, duration).');

export type MaintenanceWindowInput = z.output<typeof MaintenanceWindowSchema>;

export interface OrgMaintenanceWindow {
  name: string;
  services: string[];
  matchers: Matcher[];
  timing: WindowTiming;
  comment: string;
}

type Path = readonly (string | number)[];
type Problem = (at: Path, message: string) => void;

function checkRecurrenceInput(r: { rrule?: string; time_zone?: string; start?: string; duration?: string; from?: string }, path: Path, problem: Problem): Recurrence | null {
  const missing = (['rrule', 'time_zone', 'start', 'duration'] as const).filter((k) => r[k] === undefined);
  for (const k of missing) problem([...path, k], 'is required for a recurring window');
  if (missing.length) return null;
  const durationMs = parseDuration(r.duration as string);
  const rec = { rrule: (r.rrule as string).trim(), timeZone: r.time_zone as string, start: r.start as string, durationMs, from: r.from ?? DEFAULT_FROM };
  const problems = checkRecurrence(rec);
  for (const [field, message] of problems) problem([...path, field === 'time_zone' ? 'time_zone' : field], field === 'duration' && durationMs === null ? `"${r.duration}" is not a duration; write e.g. 4h or 1h30m` : message);
  return problems.length ? null : { ...rec, durationMs: durationMs as number };
}

export function checkMaintenancePolicy(input: z.output<typeof MaintenancePolicySchema>, path: Path, teams: Set<string> | null, problem: Problem): MaintenancePolicy {
  let approvalOverMs: number | null = null;
  if (input.approval_over !== undefined) {
    approvalOverMs = parseDuration(input.approval_over);
    if (approvalOverMs === null || approvalOverMs <= 0) problem([...path, 'approval_over'], `"${input.approval_over}" is not a duration; write e.g. 4h`);
  }
  const approvers: Approver[] = (input.approvers ?? [{ role: 'manager' }]).map((a, k) => {
    if ('team' in a && teams && !teams.has(a.team)) problem([...path, 'approvers', k, 'team'], `no team named "${a.team}"`);
    return a;
  });
  const preferred = input.preferred ? checkRecurrenceInput(input.preferred, [...path, 'preferred'], problem) : null;
  return { approvalOverMs, approvers, preferred };
}

export function parseMatcherList(list: string[], path: Path, problem: Problem): Matcher[] {
  return list.flatMap((text, k) => {
    try {
      return parseMatchers(text);
    } catch (err) {
      if (err instanceof MatcherError) {
        problem([...path, k], err.message);
        return [];
      }
      throw err;
    }
  });
}

export function checkMaintenanceWindow(input: MaintenanceWindowInput, path: Path, services: Set<string> | null, problem: Problem): OrgMaintenanceWindow | null {
  const before = { n: 0 };
  const p: Problem = (at, m) => {
    before.n++;
    problem(at, m);
  };
  const names = input.services ?? [];
  names.forEach((s, k) => {
    if (services && !services.has(s)) p([...path, 'services', k], `no service named "${s}"`);
  });
  const matchers = parseMatcherList(input.matchers ?? [], [...path, 'matchers'], p);
  if (before.n === 0) for (const [field, message] of checkScope({ services: names, matchers })) p([...path, field], message);
  let timing: WindowTiming | null = null;
  const once = input.starts_at !== undefined || input.ends_at !== undefined;
  const recurring = (['rrule', 'time_zone', 'start', 'duration', 'from'] as const).some((k) => input[k] !== undefined);
  if (once && recurring) p(path, 'give starts_at and ends_at (one-off) or rrule, time_zone, start and duration (recurring), not both');
  else if (once) {
    if (input.starts_at === undefined) p([...path, 'starts_at'], 'is required with ends_at');
    else if (input.ends_at === undefined) p([...path, 'ends_at'], 'is required with starts_at');
    else if (Date.parse(input.ends_at) <= Date.parse(input.starts_at)) p([...path, 'ends_at'], 'must be after starts_at');
    else timing = { kind: 'once', startsAt: Date.parse(input.starts_at), endsAt: Date.parse(input.ends_at) };
  } else if (recurring) {
    const r = checkRecurrenceInput(input, path, p);
    if (r) timing = { kind: 'recurring', recurrence: r };
  } else p(path, 'give starts_at and ends_at (one-off) or rrule, time_zone, start and duration (recurring)');
  if (before.n > 0 || !timing) return null;
  return { name: input.name, services: names, matchers, timing, comment: input.comment };
}

/** A recurrence in the file's words; `from` only when it is not the default. */
export function recurrenceToFile(r: Recurrence): Record<string, string> {
  return { rrule: r.rrule, time_zone: r.timeZone, start: r.start, duration: formatDuration(r.durationMs), ...(r.from === DEFAULT_FROM ? {} : { from: r.from }) };
}

export function maintenancePolicyToFile(p: MaintenancePolicy | null): { maintenance_policy?: Record<string, unknown> } {
  if (!p) return {};
  return {
    maintenance_policy: {
      ...(p.approvalOverMs === null ? {} : { approval_over: formatDuration(p.approvalOverMs) }),
      approvers: p.approvers,
      ...(p.preferred ? { preferred: recurrenceToFile(p.preferred) } : {}),
    },
  };
}
