import { z } from 'zod';
import { DEFAULT_AT_RISK, SLA_CLOCKS, type SlaClockName, type SlaTargets } from '../domain/incident/sla.js';
import { formatDuration, parseDuration } from '../domain/silence/policy.js';

/**
 * Three keys of the org file's `incident_policy`: SLA targets per severity, when a running clock
 * shows "at risk", and what happens when a clock is breached (see src/domain/incident/sla.ts for
 * when each clock starts and stops).
 *
 *   incident_policy:
 *     sla:
 *       critical: { acknowledge: 5m, first_update: 15m, resolve: 1h }
 *       high: { acknowledge: 15m, first_update: 30m, resolve: 4h }
 *     sla_at_risk: 0.8            # share of a target after which the clock shows "at risk"
 *     breach_actions:
 *       - clock: acknowledge      # acknowledge | first_update | resolve | any
 *         severities: [critical]  # default: every severity with a target for the clock
 *         page: [ { schedule: secondary } ]
 *       - clock: resolve
 *         notify: [ { team: leadership }, { user: carol } ]
 *         require_postmortem: true
 *
 * `page` goes to the high-urgency contact methods of each person (whoever is on call for a
 * schedule, every member of a team, or those with `role`), `notify` to their notice methods.
 * Every action whose clock and severity match runs, once per breach.
 */
export type SlaPerson = { user: string } | { team: string; role: string | null } | { schedule: string };

export interface SlaBreachAction {
  clock: SlaClockName | 'any';
  /** Null: every severity. */
  severities: string[] | null;
  page: SlaPerson[];
  notify: SlaPerson[];
  requirePostmortem: boolean;
}

export interface IncidentSla {
  /** Severity name -> target per clock, in ms. */
  targets: Record<string, SlaTargets>;
  atRisk: number;
  breachActions: SlaBreachAction[];
}

export const NO_SLA: IncidentSla = { targets: {}, atRisk: DEFAULT_AT_RISK, breachActions: [] };

const MIN = 60_000;
const MAX = 30 * 24 * 60 * MIN;

const ClockTargetsSchema = z.strictObject({
  acknowledge: z.string().optional().describe('Time from declaration to the first acknowledgement (an attached alert, or a person changing the status or posting an update), e.g. 5m.'),
  first_update: z.string().optional().describe('Time from declaration to the first status update, e.g. 15m.'),
  resolve: z.string().optional().describe('Time from declaration to resolution, e.g. 1h.'),
});

const PersonSchema = z
  .strictObject({
    user: z.string().min(1).optional().describe('A user name.'),
    team: z.string().min(1).optional().describe('A team name: every member (or those with role).'),
    role: z.string().min(1).max(40).optional().describe('Team targets only: only members with this role, e.g. lead.'),
    schedule: z.string().min(1).optional().describe('A schedule name: whoever is on call when the clock breaches.'),
  })
  .describe('Exactly one of user, team or schedule.');

const BreachActionSchema = z.strictObject({
  clock: z.enum([...SLA_CLOCKS, 'any'], { error: `use one of ${[...SLA_CLOCKS, 'any'].join(', ')}` }).describe('The clock whose breach runs the action; any: every clock.'),
  severities: z.array(z.string()).min(1, { error: 'list at least one severity, or leave the field out to mean all' }).optional().describe('Only incidents of these severities; default all.'),
  page: z.array(PersonSchema).max(20).optional().describe('Who is paged (high-urgency contact methods).'),
  notify: z.array(PersonSchema).max(50).optional().describe('Who gets a notice, e.g. executives.'),
  require_postmortem: z.boolean().optional().describe('Record on the timeline that the incident needs a post-mortem.'),
});

export const SlaSchema = z.record(z.string(), ClockTargetsSchema).describe('SLA targets per severity: acknowledge, first_update and resolve, each counted from the declaration.');
export const SlaAtRiskSchema = z
  .number({ error: 'must be a share of the target between 0 and 1, e.g. 0.8' })
  .gt(0, { error: 'must be a share of the target between 0 and 1, e.g. 0.8' })
  .lt(1, { error: 'must be a share of the target between 0 and 1, e.g. 0.8' })
  .describe('Share of a target after which a running clock shows "at risk" (default 0.8).');
export const BreachActionsSchema = z.array(BreachActionSchema).max(50).describe('What happens when an SLA clock is breached: page, notify, require a post-mortem.');

type Path = readonly (string | number)[];

export interface SlaInput {
  sla?: z.output<typeof SlaSchema> | undefined;
  sla_at_risk?: number | undefined;
  breach_actions?: z.output<typeof BreachActionsSchema> | undefined;
}

/** Names to check references against; null: that section is malformed, so its references go unchecked. */
export interface SlaRefs {
  users: Set<string> | null;
  teams: Set<string> | null;
  schedules?: Set<string> | null | undefined;
}

/** The three keys checked; undefined when the file has none of them. */
export function checkIncidentSla(
  input: SlaInput,
  path: Path,
  severity: (raw: string, at: Path) => string | null,
  refs: SlaRefs,
  problem: (at: Path, message: string) => void,
): IncidentSla | undefined {
  if (input.sla === undefined && input.sla_at_risk === undefined && input.breach_actions === undefined) return undefined;
  const targets: Record<string, SlaTargets> = {};
  for (const [raw, given] of Object.entries(input.sla ?? {})) {
    const at = [...path, 'sla', raw];
    const name = severity(raw, at);
    const t: SlaTargets = {};
    for (const clock of SLA_CLOCKS) {
      const text = given[clock];
      if (text === undefined) continue;
      const ms = parseDuration(text);
      if (ms === null || ms < MIN || ms > MAX) problem([...at, clock], `"${text}" is not a duration from 1m to 30d; write e.g. 5m, 1h or 4h`);
      else t[clock] = ms;
    }
    if (Object.keys(given).length === 0) problem(at, 'give acknowledge, first_update or resolve, e.g. { acknowledge: 5m, resolve: 1h }');
    if (name) targets[name] = t;
  }
  const people = (list: z.output<typeof PersonSchema>[] | undefined, at: Path): SlaPerson[] =>
    (list ?? []).flatMap((p, i): SlaPerson[] => {
      const here = [...at, i];
      const kinds = (['user', 'team', 'schedule'] as const).filter((k) => p[k] !== undefined);
      if (kinds.length !== 1) {
        problem(here, 'give exactly one of user, team or schedule, e.g. { schedule: secondary }');
        return [];
      }
      if (p.role !== undefined && p.team === undefined) problem([...here, 'role'], 'only a team target has a role');
      const known = (names: Set<string> | null | undefined, name: string, what: string, field: string): boolean => {
        if (!names || names.has(name)) return true;
        problem([...here, field], `no ${what} named "${name}"`);
        return false;
      };
      if (p.user !== undefined) return known(refs.users, p.user, 'user', 'user') ? [{ user: p.user }] : [];
      if (p.team !== undefined) return known(refs.teams, p.team, 'team', 'team') ? [{ team: p.team, role: p.role?.toLowerCase() ?? null }] : [];
      return known(refs.schedules, p.schedule!, 'schedule', 'schedule') ? [{ schedule: p.schedule! }] : [];
    });
  const breachActions = (input.breach_actions ?? []).map((a, i): SlaBreachAction => {
    const at = [...path, 'breach_actions', i];
    const severities = a.severities ? [...new Set(a.severities.flatMap((s, j) => severity(s, [...at, 'severities', j]) ?? []))] : null;
    if (!a.page?.length && !a.notify?.length && !a.require_postmortem) problem(at, 'does nothing: give page, notify or require_postmortem: true');
    return { clock: a.clock, severities, page: people(a.page, [...at, 'page']), notify: people(a.notify, [...at, 'notify']), requirePostmortem: a.require_postmortem ?? false };
  });
  if (breachActions.length > 0 && Object.keys(input.sla ?? {}).length === 0) problem([...path, 'breach_actions'], 'no clock can breach: add sla targets, e.g. sla: { critical: { acknowledge: 5m } }');
  return { targets, atRisk: input.sla_at_risk ?? DEFAULT_AT_RISK, breachActions };
}

const personToFile = (p: SlaPerson): Record<string, string> => ('team' in p ? { team: p.team, ...(p.role ? { role: p.role } : {}) } : p);

/** The keys as export writes them back; absent when not configured, defaults left out. */
export function incidentSlaToFile(s: IncidentSla | undefined): Record<string, unknown> {
  if (!s) return {};
  return {
    sla: Object.fromEntries(
      Object.entries(s.targets).map(([sev, t]) => [sev, Object.fromEntries(SLA_CLOCKS.flatMap((c) => (t[c] === undefined ? [] : [[c, formatDuration(t[c])]])))]),
    ),
    ...(s.atRisk !== DEFAULT_AT_RISK ? { sla_at_risk: s.atRisk } : {}),
    ...(s.breachActions.length
      ? {
          breach_actions: s.breachActions.map((a) => ({
            clock: a.clock,
            ...(a.severities ? { severities: a.severities } : {}),
            ...(a.page.length ? { page: a.page.map(personToFile) } : {}),
            ...(a.notify.length ? { notify: a.notify.map(personToFile) } : {}),
            ...(a.requirePostmortem ? { require_postmortem: true } : {}),
          })),
        }
      : {}),
  };
}

/** The actions a breach of `clock` on an incident of `severity` runs, in file order. */
export function breachActionsFor(s: IncidentSla, clock: SlaClockName, severity: string): SlaBreachAction[] {
  return s.breachActions.filter((a) => (a.clock === 'any' || a.clock === clock) && (a.severities === null || a.severities.includes(severity)));
}
