import { z } from 'zod';
import { DEFAULT_ROLE_NAMES, INCIDENT_ROLES, type IncidentRole } from '../domain/incident/lifecycle.js';
import { formatDuration, parseDuration } from '../domain/silence/policy.js';
import { BreachActionsSchema, checkIncidentSla, incidentSlaToFile, SlaAtRiskSchema, SlaSchema, type IncidentSla, type SlaRefs } from './org-incident-sla.js';
import { checkStakeholders, checkWarRoom, StakeholdersSchema, warRoomToFile, WarRoomSchema, type StakeholderRule, type WarRoomPolicy, type WarRoomRefs } from './org-war-room.js';

/**
 * The org file's `incident_policy`: how often the commander owes a status update per severity,
 * which severities need a commander, and what the organisation calls each role.
 *
 *   incident_policy:
 *     update_every: { critical: 15m, high: 30m, medium: 1h }
 *     commander_required_for: [critical]
 *     roles:
 *       commander: { name: Incident Commander, page: true }
 *       ops_lead: { name: Ops Lead }
 *
 * Without the section no update is owed and no severity needs a commander.
 */
export interface IncidentPolicy {
  /** Severity name -> ms between status updates. */
  updateEvery: Record<string, number>;
  commanderRequiredFor: string[];
  /** Per role: the organisation's name for it, and whether assigning it pages (true) or notifies. */
  roles: Record<IncidentRole, { name: string; page: boolean }>;
  /** War room prompt and stakeholder rules (org-war-room.ts); absent when not configured. */
  warRoom?: WarRoomPolicy;
  stakeholders?: StakeholderRule[];
  /** SLA targets, at-risk share and breach actions (org-incident-sla.ts); absent when not configured. */
  sla?: IncidentSla;
}

const MIN = 60_000;
const MAX_EVERY = 24 * 60 * MIN;

const RoleSchema = z.strictObject({
  name: z.string().min(1).max(60).optional().describe('What the organisation calls the role, e.g. Incident Commander.'),
  page: z.boolean().optional().describe('true: assigning the role pages the person (high-urgency methods); false (default): a notice.'),
});

export const IncidentPolicySchema = z
  .strictObject({
    update_every: z.record(z.string(), z.string()).default({}).describe('Status update cadence per severity, e.g. critical: 15m; the commander is reminded when one is overdue.'),
    commander_required_for: z.array(z.string()).default([]).describe('Severities that cannot be declared without an incident commander.'),
    roles: z
      .strictObject(Object.fromEntries(INCIDENT_ROLES.map((r) => [r, RoleSchema.optional()])) as Record<IncidentRole, z.ZodOptional<typeof RoleSchema>>)
      .optional()
      .describe('Names of the roles commander, ops_lead, comms_lead and sme, and whether assigning them pages.'),
    war_room: WarRoomSchema.optional(),
    stakeholders: StakeholdersSchema.optional(),
    sla: SlaSchema.optional(),
    sla_at_risk: SlaAtRiskSchema.optional(),
    breach_actions: BreachActionsSchema.optional(),
  })
  .describe('Incident response: status update cadence per severity, when a commander is required, role names.');

export type IncidentPolicyInput = z.output<typeof IncidentPolicySchema>;
type Path = readonly (string | number)[];

export function defaultRoles(): IncidentPolicy['roles'] {
  return Object.fromEntries(INCIDENT_ROLES.map((r) => [r, { name: DEFAULT_ROLE_NAMES[r], page: false }])) as IncidentPolicy['roles'];
}

/** The policy in force when the file has no incident_policy section. */
export const NO_INCIDENT_POLICY: IncidentPolicy = { updateEvery: {}, commanderRequiredFor: [], roles: defaultRoles() };

export function checkIncidentPolicy(
  input: IncidentPolicyInput,
  path: Path,
  severity: (raw: string, at: Path) => string | null,
  problem: (at: Path, message: string) => void,
  refs: WarRoomRefs & Partial<SlaRefs> = { users: null, teams: null },
): IncidentPolicy {
  const updateEvery: Record<string, number> = {};
  for (const [raw, text] of Object.entries(input.update_every)) {
    const at = [...path, 'update_every', raw];
    const name = severity(raw, at);
    const ms = parseDuration(text);
    if (ms === null || ms < MIN || ms > MAX_EVERY) problem(at, `"${text}" is not a duration from 1m to 24h; write e.g. 15m, 30m or 1h`);
    else if (name) updateEvery[name] = ms;
  }
  const commanderRequiredFor = [...new Set(input.commander_required_for.flatMap((s, i) => severity(s, [...path, 'commander_required_for', i]) ?? []))];
  const roles = defaultRoles();
  for (const r of INCIDENT_ROLES) {
    const given = input.roles?.[r];
    if (given) roles[r] = { name: given.name ?? DEFAULT_ROLE_NAMES[r], page: given.page ?? false };
  }
  const warRoom = input.war_room ? checkWarRoom(input.war_room, [...path, 'war_room'], severity, problem) : null;
  const stakeholders = input.stakeholders ? checkStakeholders(input.stakeholders, [...path, 'stakeholders'], severity, refs, problem) : [];
  const sla = checkIncidentSla(input, path, severity, refs, problem);
  return { updateEvery, commanderRequiredFor, roles, ...(warRoom ? { warRoom } : {}), ...(stakeholders.length ? { stakeholders } : {}), ...(sla ? { sla } : {}) };
}

/** The section as written back by export: names, not ids; defaults left out so a round trip is a no-op. */
export function incidentPolicyToFile(p: IncidentPolicy | null): { incident_policy?: Record<string, unknown> } {
  if (!p) return {};
  const roles = Object.fromEntries(
    INCIDENT_ROLES.flatMap((r) => {
      const v = p.roles[r];
      const out: Record<string, unknown> = {};
      if (v.name !== DEFAULT_ROLE_NAMES[r]) out.name = v.name;
      if (v.page) out.page = true;
      return Object.keys(out).length ? [[r, out]] : [];
    }),
  );
  return {
    incident_policy: {
      update_every: Object.fromEntries(Object.entries(p.updateEvery).map(([s, ms]) => [s, formatDuration(ms)])),
      commander_required_for: p.commanderRequiredFor,
      ...(Object.keys(roles).length ? { roles } : {}),
      ...warRoomToFile(p),
      ...incidentSlaToFile(p.sla),
    },
  };
}
