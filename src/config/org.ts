import { IANAZone } from 'luxon';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { checkContactAddress } from './contact-address.js';
import { checkSilencePolicy, SilencePolicySchema } from './org-silences.js';
import { checkHeartbeat } from './org-heartbeats.js';
import { checkInhibitRules, InhibitRuleSchema } from './org-inhibit.js';
import { checkResponseTargets, ResponseTargetsSchema, type ResponseTargets } from './org-targets.js';
import { checkCompTime, CompTimeSchema, type CompTimePolicy } from './org-comp-time.js';
import { checkReview, ReviewSchema, type ReviewConfig } from './org-review.js';
import { checkMaintenancePolicy, checkMaintenanceWindow, MaintenancePolicySchema, MaintenanceWindowSchema, type OrgMaintenanceWindow } from './org-maintenance.js';
import type { MaintenancePolicy } from '../domain/maintenance/policy.js';
import { checkIncidentPolicy, IncidentPolicySchema, type IncidentPolicy } from './org-incidents.js';
import { checkPostmortems, PostmortemsSchema } from './org-postmortems.js';
import type { PostmortemPolicy } from '../domain/incident/postmortem.js';
import { checkStatusPage, StatusPageSchema, type StatusPageConfig } from './org-status-page.js';
import { checkRoutes, RouteRuleSchema } from './org-routes.js';
import type { RouteRule } from '../domain/routing/rules.js';
import type { InhibitRule } from '../domain/silence/inhibition.js';
import { checkRunbooks, RunbookSchema, type Runbook } from './org-runbooks.js';
import { checkGrouping, GroupingSchema } from './org-grouping.js';
import type { Grouping } from '../domain/grouping/group-key.js';
import type { SilencePolicy } from '../domain/silence/policy.js';
import { checkSlackRouting, SlackRoutingSchema, type OrgServiceSlack } from './org-slack.js';
import { AppError, type FieldProblem } from '../domain/errors.js';
import type { EscalationPolicySpec } from '../domain/escalation/policy.js';
import { validateLayer, type Layer, type RestrictionWindow, type Turn, type TurnUnit } from '../domain/schedule/schedule.js';
import { DEFAULT_SCALE, type SeverityScale, type Urgency } from '../domain/severity/severity.js';

/**
 * Organisation as code: the YAML file that declares severities, people, teams, on-call schedules,
 * escalation policies and services (examples/demo.yaml, examples/handbooks/*.yaml).
 *
 * Validation runs in two passes and reports every problem in one go:
 *  1. shape: zod strict objects, one list entry at a time, so a typo in users[0] does not hide a
 *     bad reference in services[4];
 *  2. cross references on the entries that passed: names unique per section, references resolve,
 *     severities resolve through the scale (aliases allowed, canonical names in the output),
 *     integration keys unique across the file.
 * Names referenced elsewhere are collected from the raw input, so an entry with a shape error still
 * counts as existing and does not cause a second, misleading "no user named" problem.
 *
 * Problem fields are paths in the file's own snake_case (`services[2].escalation_policy`), never
 * zod's dotted indices, so a person can find the line.
 *
 * The output refers to users, teams and policies by name; the store maps names to ids when it
 * applies the file (see toPolicySpec).
 */

// ---------------------------------------------------------------------------------------------
// Output types
// ---------------------------------------------------------------------------------------------

export const USER_ROLES = ['viewer', 'responder', 'manager', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const CONTACT_METHOD_TYPES = ['email', 'webhook', 'slack', 'sms', 'voice', 'teams'] as const;
export type ContactMethodType = (typeof CONTACT_METHOD_TYPES)[number];

export const INTEGRATION_TYPES = ['events_v2', 'alertmanager', 'generic', 'heartbeat'] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export type RuleUrgency = Urgency | 'any';

export interface OrgContactMethod {
  name: string;
  type: ContactMethodType;
  /** Email address for email, http(s) URL for webhook. */
  address: string;
  /** Webhooks: name of the environment variable holding the signing secret (never the secret). */
  secretEnv: string | null;
}

export interface OrgNotificationRule {
  /** Name of one of the same user's contact methods. */
  contactMethod: string;
  delayMinutes: number;
  urgency: RuleUrgency;
}

export interface OrgUser {
  name: string;
  fullName: string | null;
  email: string;
  timeZone: string;
  role: UserRole;
  contactMethods: OrgContactMethod[];
  notificationRules: OrgNotificationRule[];
}

export interface OrgTeamMember {
  user: string;
  /** Lowercased free word, e.g. "lead"; "member" when not given. */
  role: string;
}

export interface OrgTeam {
  name: string;
  description: string;
  members: OrgTeamMember[];
  /** Schedule lint: warn when the primary and the secondary/shadow on call share a time zone. */
  preferDifferentTimeZones: boolean;
}

export interface OrgTarget {
  kind: 'user' | 'team' | 'schedule' | 'channel';
  /** Name of the user, team, schedule or channel. */
  name: string;
  /** Team targets: only members with this role. */
  role: string | null;
  /** Canonical severity names, or null for all. */
  severities: string[] | null;
}

export interface OrgLevel {
  targets: OrgTarget[];
  delayMinutes: number;
  /** Canonical severity name -> minutes. */
  delayBySeverity: Record<string, number> | null;
  severities: string[] | null;
  unresolvedAfterMinutes: number | null;
}

export interface OrgPolicy {
  name: string;
  description: string;
  repeat: number;
  noAutoEscalate: string[];
  levels: OrgLevel[];
}

export interface OrgIntegration {
  name: string;
  type: IntegrationType;
  /** The 32-character key written in the file. */
  key: string | null;
  /** Environment variable holding the key. Neither key nor keyEnv: the server generates one. */
  keyEnv: string | null;
  /** Generic webhooks: environment variable holding the HMAC secret. */
  secretEnv: string | null;
  /** Heartbeats: a ping is expected every intervalMs; graceMs later a missed one opens an alert. */
  heartbeat?: { intervalMs: number; graceMs: number };
}

/** A destination that is not a person: a Microsoft Teams channel or a webhook, paged by a level. */
export interface OrgChannel {
  name: string;
  type: 'teams' | 'webhook';
  address: string;
  secretEnv: string | null;
}

export interface OrgService {
  name: string;
  description: string;
  escalationPolicy: string;
  team: string | null;
  integrations: OrgIntegration[];
  /** Alert posts to Slack channels by severity (see org-slack.ts); absent = none. */
  slack?: OrgServiceSlack;
  /** Runbooks by alert name (see org-runbooks.ts); absent = none. */
  runbooks?: Runbook[];
  /** Alert grouping (see org-grouping.ts); absent = every alert pages on its own. */
  grouping?: Grouping;
}

/** One rotation of a schedule; participants by user name (see toScheduleLayers). */
export interface OrgLayer {
  name: string;
  participants: string[];
  turn: Turn;
  start: string;
  timeZone: string;
  restrictions: RestrictionWindow[];
}

/**
 * Layers only: overrides (covers, swaps) are operational data changed through the API while people
 * are on call, so a file apply never removes one.
 */
export interface OrgSchedule {
  name: string;
  team: string | null;
  /** Lowercased free word (primary, secondary, shadow, manager…), or null. */
  role: string | null;
  timeZone: string;
  /** Lowest priority first. */
  layers: OrgLayer[];
  /** Schedule lint: the longest one person may be on call here without a break; null = no limit. */
  maxShiftHours: number | null;
  /** Minutes before a shift change the outgoing person is reminded; null = the default (60); 0 = no reminder. */
  handoffReminderMinutes: number | null;
  /** 'partial': intentionally not covered around the clock (office hours); lint reports no gaps. */
  coverage: 'full' | 'partial';
}

export interface OrgConfig {
  severities: SeverityScale;
  users: OrgUser[];
  teams: OrgTeam[];
  schedules: OrgSchedule[];
  escalationPolicies: OrgPolicy[];
  services: OrgService[];
  /** Teams channels and webhooks that escalation levels can page directly. */
  channels: OrgChannel[];
  /** Null when the file has no silence_policy section: any silence, no approvals. */
  silencePolicy: SilencePolicy | null;
  inhibitRules: InhibitRule[];
  /** Null when the file has no maintenance_policy section: any window, no approvals. */
  maintenancePolicy: MaintenancePolicy | null;
  /** The file's maintenance windows (see org-maintenance.ts); windows made through the API are not here. */
  maintenanceWindows: OrgMaintenanceWindow[];
  /** Time to acknowledge and resolve per severity, for reports (see org-targets.ts); {} = none. */
  responseTargets: ResponseTargets;
  /** Time off owed for being on call (see org-comp-time.ts); null = none. */
  compTime: CompTimePolicy | null;
  /** The on-call review sent by email (see org-review.ts); null = none. */
  review?: ReviewConfig | null;
  /** Null when the file has no incident_policy section (see org-incidents.ts). */
  incidentPolicy: IncidentPolicy | null;
  /** Null when the file has no postmortems section (see org-postmortems.ts). */
  postmortems?: PostmortemPolicy | null;
  /** Null when the file has no status_page section (see org-status-page.ts). */
  statusPage?: StatusPageConfig | null;
  /** Routing rules, in order (see src/domain/routing/rules.ts); empty: every alert pages its service. */
  routes: RouteRule[];
}

export type OrgValidation = { ok: true; config: OrgConfig } | { ok: false; problems: FieldProblem[] };

// ---------------------------------------------------------------------------------------------
// File shape (zod)
// ---------------------------------------------------------------------------------------------

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const HANDLE = /^[a-z0-9._-]+$/;
const SEVERITY_NAME = /^[a-z0-9_-]+$/;
const WORD = /^[A-Za-z0-9._-]+$/;
const INTEGRATION_KEY = /^[A-Za-z0-9]{32}$/;
const TRIMMED = /^\S(?:.*\S)?$/;

/**
 * A schema-level message for a value of the right type that is still wrong; a missing field or a
 * wrong type ("expected text, got a number") is left to the default wording.
 */
const unlessMissing =
  (message: string | ((input: unknown) => string | undefined)) =>
  (iss: { code?: string; input?: unknown }): string | undefined => {
    if (iss.input === undefined || iss.code === 'invalid_type') return undefined;
    return typeof message === 'string' ? message : message(iss.input);
  };

const envName = () =>
  z.string().regex(ENV_NAME, {
    error: unlessMissing('must look like an environment variable name (A-Z, 0-9 and _), e.g. ALICE_HOOK_SECRET'),
  });

const displayName = () =>
  z
    .string()
    .min(1)
    .max(100)
    .regex(TRIMMED, { error: unlessMissing('must not start or end with spaces') });

const minutes = (max: number, min = 0) => z.int().min(min).max(max);

const severityRef = () => z.string().min(1);
const severityList = () =>
  z.array(severityRef()).min(1, { error: 'list at least one severity, or leave the field out to mean all' });

const SeverityLevelSchema = z
  .strictObject({
    name: z
      .string()
      .max(32)
      .regex(SEVERITY_NAME, { error: unlessMissing('use lowercase letters, digits, "-" and "_"') })
      .describe('Canonical severity name, e.g. critical.'),
    aliases: z
      .array(z.string().min(1).max(64))
      .max(50)
      .default([])
      .describe('Other spellings senders use (P0, sev1, error…); case-insensitive, unique across the scale.'),
    urgency: z.enum(['high', 'low']).default('high').describe('High urgency follows the high-urgency notification rules.'),
  })
  .describe('One severity level.');

const SeveritiesSchema = z
  .strictObject({
    levels: z.array(SeverityLevelSchema).min(1).max(20).describe('Ordered, most severe first.'),
    default: severityRef().optional().describe('Severity of alerts that carry none (default: the first level).'),
    unknown: severityRef()
      .nullable()
      .default(null)
      .describe('Severity for values no level or alias knows; null rejects such alerts.'),
  })
  .describe('The severity scale. Leave the section out to use critical, high, medium, low, info.');

const ContactMethodSchema = z.strictObject({
  name: z.string().min(1).max(64).describe('Unique per user; notification rules refer to it.'),
  type: z
    .enum(CONTACT_METHOD_TYPES)
    .describe('email, sms, voice, slack, teams or webhook.'),
  address: z
    .string()
    .min(1)
    .max(2000)
    .describe('Email address (email), phone number in international format (sms, voice), Slack member ID (slack), http(s) URL (webhook, teams).'),
  secret_env: envName().optional().describe('Webhooks only: environment variable holding the signing secret.'),
});

const NotificationRuleSchema = z.strictObject({
  contact_method: z.string().min(1).describe("Name of one of this user's contact methods."),
  delay_minutes: minutes(1440).default(0).describe('Minutes after the page before this rule notifies.'),
  urgency: z.enum(['high', 'low', 'any']).default('any').describe('Which alerts this rule is for.'),
});

const UserSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(HANDLE, { error: unlessMissing('use lowercase letters, digits, ".", "-" and "_"') })
    .describe('Unique handle, referenced by teams and policies.'),
  full_name: z.string().min(1).max(200).optional(),
  email: z.email({ error: unlessMissing('not a valid email address') }),
  time_zone: z
    .string()
    .refine((s) => IANAZone.isValidZone(s), {
      error: unlessMissing((input) => `unknown time zone "${String(input)}"; use an IANA name such as Europe/London`),
    })
    .default('UTC')
    .describe('IANA time zone, e.g. Europe/London.'),
  role: z.enum(USER_ROLES).default('responder'),
  contact_methods: z.array(ContactMethodSchema).max(20).default([]),
  notification_rules: z
    .array(NotificationRuleSchema)
    .max(50)
    .optional()
    .describe('Left out: every contact method is notified at once. An empty list notifies nobody.'),
});

const TeamSchema = z.strictObject({
  name: displayName(),
  description: z.string().max(2000).default(''),
  members: z
    .array(
      z.strictObject({
        user: z.string().min(1).describe('Name of a user.'),
        role: z
          .string()
          .max(40)
          .regex(WORD, { error: unlessMissing('use one word: letters, digits, ".", "-" and "_"') })
          .default('member')
          .describe('A free word such as lead; team targets can page only one role.'),
      }),
    )
    .max(200)
    .default([]),
  prefer_different_time_zones: z
    .boolean()
    .default(false)
    .describe('Schedule lint warns when the primary and the secondary/shadow on call are in the same time zone (users’ time_zone).'),
});

export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const TURN = /^\s*(\d+)\s*(hour|day|week)s?\s*$/;

const timeZone = () =>
  z.string().refine((s) => IANAZone.isValidZone(s), {
    error: unlessMissing((input) => `unknown time zone "${String(input)}"; use an IANA name such as Europe/London`),
  });

const RestrictionSchema = z
  .strictObject({
    days: z
      .array(z.enum(DAY_NAMES))
      .min(1)
      .max(7)
      .default([...DAY_NAMES])
      .describe('Days the window starts on (mon … sun); default every day.'),
    from: z.string().min(1).describe('"HH:MM", local to the layer.'),
    to: z.string().min(1).describe('"HH:MM", local; before from runs past midnight, equal to from means 24 hours.'),
  })
  .describe('A window in which the layer is on call; outside every window the layer below shows through.');

const LayerSchema = z.strictObject({
  name: displayName().describe('Unique within the schedule; shown in shift lists.'),
  participants: z.array(z.string().min(1)).max(100).default([]).describe('User names in turn order; a name may appear more than once.'),
  turn: z
    .string()
    .regex(TURN, { error: unlessMissing('write the turn length like "1 week", "2 weeks", "12 hours" or "1 day"') })
    .describe('Length of each turn: "<n> hour(s)|day(s)|week(s)".'),
  start: z.string().min(1).describe('The first handoff, local date-time "YYYY-MM-DDTHH:MM"; the first participant starts then.'),
  time_zone: z.string().min(1).optional().describe("IANA time zone of start and restrictions (default: the schedule's)."),
  restrictions: z.array(RestrictionSchema).max(20).optional().describe('On call only inside these windows.'),
});

const ScheduleSchema = z.strictObject({
  name: displayName().describe('Unique; escalation targets refer to it.'),
  team: z.string().min(1).optional().describe('Name of the owning team.'),
  role: z
    .string()
    .max(40)
    .regex(WORD, { error: unlessMissing('use one word: letters, digits, ".", "-" and "_"') })
    .optional()
    .describe('A free word: primary, secondary, shadow, manager…'),
  time_zone: timeZone().default('UTC').describe('IANA time zone the schedule is shown in, and the default of its layers.'),
  layers: z.array(LayerSchema).min(1).max(10).describe('Lowest priority first: a later layer wins where it has someone on call.'),
  max_shift_hours: z
    .int()
    .min(1)
    .max(8760)
    .optional()
    .describe('Schedule lint warns when one person is on call here longer than this without a break, e.g. 168 for "at most a week".'),
  handoff: z
    .strictObject({
      reminder_minutes: z
        .int()
        .min(0)
        .max(10080)
        .optional()
        .describe('Minutes before each shift change the outgoing person is reminded to write the handoff (default 60; 0 sends no reminder).'),
    })
    .optional()
    .describe('Shift handoffs: the reminder to the outgoing person; the handoff note goes to the incoming person when the shift starts.'),
  coverage: z
    .enum(['full', 'partial'])
    .default('full')
    .describe('partial: nobody on call at times is intended (office hours), so schedule lint reports no gaps.'),
});

const TargetSchema = z
  .strictObject({
    user: z.string().min(1).optional().describe('Name of a user.'),
    team: z.string().min(1).optional().describe('Name of a team.'),
    schedule: z.string().min(1).optional().describe('Name of a schedule: whoever is on call when the level is notified.'),
    channel: z.string().min(1).optional().describe('Name of a channel (channels section): a Teams channel or webhook that gets the page too.'),
    role: z
      .string()
      .max(40)
      .regex(WORD, { error: unlessMissing('use one word: letters, digits, ".", "-" and "_"') })
      .optional()
      .describe('Team targets only: page only members with this role.'),
    severities: severityList().optional().describe('Page this target only for these severities.'),
  })
  .describe('Exactly one of user, team, schedule or channel.');

const LevelSchema = z.strictObject({
  targets: z.array(TargetSchema).min(1).max(20),
  delay_minutes: minutes(1440)
    .optional()
    .describe(
      'Minutes to wait for an acknowledgement before the next level. Required on every level but the last (there it only times a repeat; default 15).',
    ),
  delay_by_severity: z
    .record(z.string(), minutes(1440))
    .optional()
    .describe('Per-severity override of delay_minutes, e.g. {critical: 15, high: 60}.'),
  severities: severityList().optional().describe('The level applies only to these severities.'),
  unresolved_after_minutes: minutes(10080, 1)
    .optional()
    .describe('Also reach this level when the alert is still unresolved this long after it opened.'),
});

const PolicySchema = z.strictObject({
  name: displayName(),
  description: z.string().max(2000).default(''),
  repeat: z.int().min(0).max(9).default(0).describe('How many more times to run the levels after the last one.'),
  no_auto_escalate: z.array(severityRef()).default([]).describe('Severities that never escalate by timer.'),
  levels: z.array(LevelSchema).min(1).max(20),
});

const IntegrationSchema = z.strictObject({
  name: z.string().min(1).max(64).describe('Unique per service.'),
  type: z.enum(INTEGRATION_TYPES),
  key: z
    .string()
    .regex(INTEGRATION_KEY, {
      error: unlessMissing((input) => {
        const s = String(input);
        return s.length === 32
          ? 'must contain only letters and digits'
          : `must be exactly 32 letters or digits (got ${s.length} characters)`;
      }),
    })
    .optional()
    .describe('32 letters or digits. Leave out key and key_env to have the server generate one.'),
  key_env: envName().optional().describe('Environment variable holding the 32-character key.'),
  secret_env: envName().optional().describe('Generic webhooks only (and required there): environment variable holding the HMAC secret.'),
  interval: z.string().optional().describe('Heartbeats only (and required there): how often a ping is expected, e.g. 5m, 1h, 1d.'),
  grace: z.string().optional().describe('Heartbeats only: how late a ping may be before an alert opens (default 5m).'),
});

const ServiceSchema = z.strictObject({
  name: displayName(),
  description: z.string().max(2000).default(''),
  escalation_policy: z.string().min(1).describe('Name of an escalation policy.'),
  team: z.string().min(1).optional().describe('Name of the owning team.'),
  integrations: z.array(IntegrationSchema).max(20).default([]),
  slack: SlackRoutingSchema.optional(),
  runbooks: z.array(RunbookSchema).max(200).optional().describe('What to do when an alert fires, by alert name.'),
  grouping: GroupingSchema.optional().describe('Group alerts by labels: a group pages once, later alerts join it.'),
});

const ChannelSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(HANDLE, { error: unlessMissing('use lowercase letters, digits, ".", "-" and "_"') })
      .describe('Unique handle, referenced by escalation level targets.'),
    type: z.enum(['teams', 'webhook']).describe('teams (incoming webhook or Workflows URL) or webhook (signed JSON POST).'),
    address: z.string().min(1).max(2000).describe('The http(s) URL.'),
    secret_env: envName().optional().describe('Webhooks only: environment variable holding the signing secret.'),
  })
  .describe('A Teams channel or webhook an escalation level can page directly, besides people.');

/** The whole file; used for the JSON Schema. Validation walks the sections one entry at a time. */
const OrgFileSchema = z
  .strictObject({
    severities: SeveritiesSchema.nullish(),
    users: z.array(UserSchema).nullish(),
    teams: z.array(TeamSchema).nullish(),
    schedules: z.array(ScheduleSchema).nullish(),
    escalation_policies: z.array(PolicySchema).nullish(),
    services: z.array(ServiceSchema).nullish(),
    channels: z.array(ChannelSchema).nullish(),
    silence_policy: SilencePolicySchema.nullish(),
    inhibit_rules: z.array(InhibitRuleSchema).nullish(),
    maintenance_policy: MaintenancePolicySchema.nullish(),
    maintenance_windows: z.array(MaintenanceWindowSchema).nullish(),
    incident_policy: IncidentPolicySchema.nullish(),
    postmortems: PostmortemsSchema.nullish(),
    status_page: StatusPageSchema.nullish(),
    response_targets: ResponseTargetsSchema.nullish(),
    comp_time: CompTimeSchema.nullish(),
    review: ReviewSchema.nullish(),
    routes: z.array(RouteRuleSchema).nullish(),
  })
  .describe('Watchkeeper organisation: severities, users, teams, on-call schedules, escalation policies, services and the silence policy.');

type SeveritiesInput = z.output<typeof SeveritiesSchema>;
type UserInput = z.output<typeof UserSchema>;
type TeamInput = z.output<typeof TeamSchema>;
type ScheduleInput = z.output<typeof ScheduleSchema>;
type PolicyInput = z.output<typeof PolicySchema>;
type LevelInput = z.output<typeof LevelSchema>;
type ServiceInput = z.output<typeof ServiceSchema>;

const SECTIONS = ['severities', 'users', 'teams', 'schedules', 'escalation_policies', 'services', 'channels', 'silence_policy', 'inhibit_rules', 'incident_policy', 'status_page', 'response_targets', 'comp_time', 'review', 'routes', 'maintenance_policy', 'maintenance_windows', 'postmortems'] as const;

/** JSON Schema (draft 2020-12) of the file, for editors: `# yaml-language-server: $schema=…`. */
export function orgJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(OrgFileSchema, { io: 'input' }),
    title: 'Watchkeeper organisation',
  };
}

// ---------------------------------------------------------------------------------------------
// Paths and zod issues
// ---------------------------------------------------------------------------------------------

type Path = readonly (string | number)[];

/** `['services', 2, 'escalation_policy']` -> `services[2].escalation_policy`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      out += /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (out ? '.' : '') + key : `[${JSON.stringify(key)}]`;
    }
  }
  return out || '(root)';
}

function describeValue(v: unknown): string {
  if (v === null) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  switch (typeof v) {
    case 'string':
      return 'text';
    case 'number':
    case 'bigint':
      return 'a number';
    case 'boolean':
      return `${String(v)}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof v;
  }
}

const plural = (n: number | bigint, one: string, many: string): string => `${n} ${Number(n) === 1 ? one : many}`;

/** Our wording for zod's issues; a message set on the schema itself takes precedence. */
function defaultMessage(iss: z.core.$ZodRawIssue): string | undefined {
  const input = iss.input;
  switch (iss.code) {
    case 'invalid_type': {
      if (input === undefined) return 'required';
      if (input === null) return 'is empty; give a value or remove the field';
      const got = describeValue(input);
      switch (iss.expected) {
        case 'object':
          return `expected a mapping (key: value), got ${got}`;
        case 'array':
          return `expected a list, got ${got}`;
        case 'string':
          return typeof input === 'number' || typeof input === 'boolean'
            ? `expected text, got ${got}; put the value in quotes`
            : `expected text, got ${got}`;
        case 'int':
          return typeof input === 'number' ? 'must be a whole number' : `expected a whole number, got ${got}`;
        case 'number':
          return `expected a number, got ${got}`;
        default:
          return `expected ${iss.expected}, got ${got}`;
      }
    }
    case 'too_small':
      if (iss.origin === 'string') return Number(iss.minimum) === 1 ? 'must not be empty' : `must be at least ${plural(iss.minimum, 'character', 'characters')}`;
      if (iss.origin === 'array') return `must list at least ${plural(iss.minimum, 'entry', 'entries')}`;
      return `must be at least ${iss.minimum}`;
    case 'too_big':
      if (iss.origin === 'string') return `must be at most ${plural(iss.maximum, 'character', 'characters')}`;
      if (iss.origin === 'array') return `must list at most ${plural(iss.maximum, 'entry', 'entries')}`;
      return `must be at most ${iss.maximum}`;
    case 'invalid_value':
      if (input === undefined) return 'required';
      return `must be one of ${iss.values.map((v) => String(v)).join(', ')} (got ${typeof input === 'string' ? JSON.stringify(input) : describeValue(input)})`;
    case 'invalid_format':
      if (iss.format === 'email') return 'not a valid email address';
      return iss.pattern ? `does not match ${iss.pattern}` : `not a valid ${iss.format}`;
    case 'unrecognized_keys':
      return 'unknown field';
    default:
      return undefined;
  }
}

function zodProblems(error: z.ZodError, prefix: Path): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: formatPath([...path, key]), message: 'unknown field' });
    } else {
      out.push({ field: formatPath(path), message: issue.message });
    }
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

class Problems {
  readonly list: FieldProblem[] = [];
  add(path: Path, message: string): void {
    this.list.push({ field: formatPath(path), message });
  }
  /** A problem whose field is given relative to `path` in the file's own words (`restrictions[0].from`). */
  addUnder(path: Path, field: string, message: string): void {
    const base = formatPath(path);
    this.list.push({ field: field === '' ? base : field.startsWith('[') ? `${base}${field}` : `${base}.${field}`, message });
  }
  addAll(ps: FieldProblem[]): void {
    this.list.push(...ps);
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, path: Path, problems: Problems): T | null {
  const r = schema.safeParse(value, { reportInput: true, error: defaultMessage });
  if (r.success) return r.data;
  problems.addAll(zodProblems(r.error, path));
  return null;
}

/** Parses a list section entry by entry: the result keeps raw indices, null for a bad entry. */
function parseList<T>(value: unknown, path: Path, schema: z.ZodType<T>, problems: Problems): (T | null)[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.add(path, `expected a list, got ${describeValue(value)}`);
    return [];
  }
  return value.map((entry, i) => parseWith(schema, entry, [...path, i], problems));
}

/** Names as written in the raw list (entries with a shape error still count as existing). */
function rawNames(value: unknown, key = 'name'): { name: string; index: number }[] {
  if (!Array.isArray(value)) return [];
  const out: { name: string; index: number }[] = [];
  value.forEach((entry, index) => {
    if (isRecord(entry) && typeof entry[key] === 'string') out.push({ name: entry[key], index });
  });
  return out;
}

/** Checks a section's names are unique; null when the section is present but not a list. */
function sectionNames(value: unknown, path: Path, problems: Problems, opts: { caseInsensitive?: boolean } = {}): Set<string> | null {
  if (value !== undefined && value !== null && !Array.isArray(value)) return null;
  return checkUnique(rawNames(value), path, problems, opts);
}

/** Reports `x[3].name: duplicate name "bob" (also x[1])`; returns the set of names. */
function checkUnique(
  entries: { name: string; index: number }[],
  path: Path,
  problems: Problems,
  opts: { caseInsensitive?: boolean; key?: string; what?: string } = {},
): Set<string> {
  const key = opts.key ?? 'name';
  const seen = new Map<string, number>();
  for (const { name, index } of entries) {
    const k = opts.caseInsensitive ? name.toLowerCase() : name;
    const first = seen.get(k);
    if (first === undefined) seen.set(k, index);
    else problems.add([...path, index, key], `duplicate ${opts.what ?? 'name'} "${name}" (also ${formatPath([...path, first])})`);
  }
  return new Set(entries.map((e) => e.name));
}

interface ScaleBuild {
  scale: SeverityScale;
  lookup: Map<string, string>;
}

function buildLookup(scale: SeverityScale): Map<string, string> {
  const lookup = new Map<string, string>();
  for (const level of scale.levels) lookup.set(level.name.toLowerCase(), level.name);
  for (const level of scale.levels) {
    for (const alias of level.aliases) if (!lookup.has(alias.toLowerCase())) lookup.set(alias.toLowerCase(), level.name);
  }
  return lookup;
}

function buildScale(input: SeveritiesInput, problems: Problems): ScaleBuild | null {
  const before = problems.list.length;
  const base: Path = ['severities', 'levels'];
  checkUnique(
    input.levels.map((l, index) => ({ name: l.name, index })),
    base,
    problems,
  );
  const nameAt = new Map<string, number>();
  input.levels.forEach((l, i) => {
    if (!nameAt.has(l.name)) nameAt.set(l.name, i);
  });
  const aliasAt = new Map<string, Path>();
  const levels = input.levels.map((level, i) => {
    const aliases: string[] = [];
    level.aliases.forEach((alias, j) => {
      const k = alias.toLowerCase();
      if (k === level.name) return; // the name itself: redundant, harmless
      const owner = nameAt.get(k);
      if (owner !== undefined) {
        problems.add([...base, i, 'aliases', j], `"${alias}" is the name of ${formatPath([...base, owner])}`);
        return;
      }
      const seen = aliasAt.get(k);
      if (seen) {
        problems.add([...base, i, 'aliases', j], `duplicate alias "${alias}" (also ${formatPath(seen)})`);
        return;
      }
      aliasAt.set(k, [...base, i, 'aliases', j]);
      aliases.push(alias);
    });
    return { name: level.name, aliases, urgency: level.urgency };
  });
  const first = levels[0]?.name ?? '';
  const draft: SeverityScale = { levels, defaultSeverity: first, unknownSeverity: null };
  const lookup = buildLookup(draft);
  const resolve = (raw: string, path: Path): string | null => {
    const hit = lookup.get(raw.trim().toLowerCase());
    if (!hit) problems.add(path, unknownSeverityMessage(raw, draft));
    return hit ?? null;
  };
  const defaultSeverity = input.default === undefined ? first : resolve(input.default, ['severities', 'default']);
  const unknownSeverity = input.unknown === null ? null : resolve(input.unknown, ['severities', 'unknown']);
  if (problems.list.length > before || defaultSeverity === null) return null;
  const scale: SeverityScale = { levels, defaultSeverity, unknownSeverity };
  return { scale, lookup };
}

function unknownSeverityMessage(raw: string, scale: SeverityScale): string {
  return `unknown severity "${raw}"; use one of ${scale.levels.map((l) => l.name).join(', ')} or an alias`;
}

/** Everything the cross-reference pass needs to know about the other sections. */
interface Refs {
  /** Null when the severities section itself is invalid: severity references are then not checked. */
  severities: ScaleBuild | null;
  /** Names per section; null when the section is not a list, so references to it go unchecked. */
  users: Set<string> | null;
  teams: Set<string> | null;
  schedules: Set<string> | null;
  policies: Set<string> | null;
  channels: Set<string> | null;
  /** Valid teams only: member roles (lowercased) and member count. */
  teamRoles: Map<string, Set<string>>;
}

class SeverityResolver {
  constructor(
    private readonly build: ScaleBuild | null,
    private readonly problems: Problems,
  ) {}

  /** Canonical name, or null (problem added) when unknown. Unchecked when the scale is invalid. */
  one(raw: string, path: Path): string | null {
    if (!this.build) return raw;
    const hit = this.build.lookup.get(raw.trim().toLowerCase());
    if (hit) return hit;
    this.problems.add(path, unknownSeverityMessage(raw, this.build.scale));
    return null;
  }

  /** Canonical name without reporting anything (null when unknown or unchecked). */
  known(raw: string): string | null {
    return this.build?.lookup.get(raw.trim().toLowerCase()) ?? null;
  }

  /** Canonical names in scale order, duplicates dropped. */
  list(raws: readonly string[], path: Path): string[] {
    const out = new Set<string>();
    raws.forEach((raw, i) => {
      const hit = this.one(raw, [...path, i]);
      if (hit) out.add(hit);
    });
    return this.sort([...out]);
  }

  sort(names: string[]): string[] {
    if (!this.build) return names;
    const order = this.build.scale.levels.map((l) => l.name);
    return [...names].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  }
}

function checkUser(user: UserInput, path: Path, problems: Problems): OrgUser {
  const methods = checkUnique(
    user.contact_methods.map((c, index) => ({ name: c.name, index })),
    [...path, 'contact_methods'],
    problems,
  );
  const contactMethods = user.contact_methods.map((cm, i): OrgContactMethod => {
    const at: Path = [...path, 'contact_methods', i];
    if (cm.type !== 'webhook' && cm.secret_env !== undefined) problems.add([...at, 'secret_env'], 'only webhook contact methods have a secret_env');
    const checked = checkContactAddress(cm.type, cm.address);
    if (!checked.ok) problems.add([...at, 'address'], checked.error);
    return { name: cm.name, type: cm.type, address: checked.ok ? checked.address : cm.address, secretEnv: cm.secret_env ?? null };
  });
  const notificationRules: OrgNotificationRule[] =
    user.notification_rules === undefined
      ? contactMethods.map((cm) => ({ contactMethod: cm.name, delayMinutes: 0, urgency: 'any' }))
      : user.notification_rules.map((rule, i) => {
          if (!methods.has(rule.contact_method)) {
            problems.add([...path, 'notification_rules', i, 'contact_method'], `no contact method named "${rule.contact_method}" on this user`);
          }
          return { contactMethod: rule.contact_method, delayMinutes: rule.delay_minutes, urgency: rule.urgency };
        });
  return {
    name: user.name,
    fullName: user.full_name ?? null,
    email: user.email,
    timeZone: user.time_zone,
    role: user.role,
    contactMethods,
    notificationRules,
  };
}

function checkTeam(team: TeamInput, path: Path, refs: Refs, problems: Problems): OrgTeam {
  const seen = new Map<string, number>();
  const members = team.members.map((m, i): OrgTeamMember => {
    if (!known(refs.users, m.user)) problems.add([...path, 'members', i, 'user'], `no user named "${m.user}"`);
    const first = seen.get(m.user);
    if (first !== undefined) {
      problems.add([...path, 'members', i, 'user'], `"${m.user}" is already a member (${formatPath([...path, 'members', first])})`);
    } else seen.set(m.user, i);
    return { user: m.user, role: m.role.toLowerCase() };
  });
  return { name: team.name, description: team.description, members, preferDifferentTimeZones: team.prefer_different_time_zones };
}

function parseTurn(text: string): Turn {
  const m = TURN.exec(text);
  return { count: Number(m?.[1] ?? 0), unit: (m?.[2] ?? 'week') as TurnUnit };
}

/** `{count: 2, unit: 'week'}` -> "2 weeks": the file's own spelling, for export. */
export function formatTurn(turn: Turn): string {
  return `${turn.count} ${turn.unit}${turn.count === 1 ? '' : 's'}`;
}

function checkSchedule(schedule: ScheduleInput, path: Path, refs: Refs, problems: Problems): OrgSchedule {
  if (schedule.team !== undefined && !known(refs.teams, schedule.team)) problems.add([...path, 'team'], `no team named "${schedule.team}"`);
  checkUnique(
    schedule.layers.map((l, index) => ({ name: l.name, index })),
    [...path, 'layers'],
    problems,
  );
  const layers = schedule.layers.map((l, i): OrgLayer => {
    const at: Path = [...path, 'layers', i];
    l.participants.forEach((p, j) => {
      if (!known(refs.users, p)) problems.add([...at, 'participants', j], `no user named "${p}"`);
    });
    const layer: OrgLayer = {
      name: l.name,
      participants: l.participants,
      turn: parseTurn(l.turn),
      start: l.start,
      timeZone: l.time_zone ?? schedule.time_zone,
      restrictions: (l.restrictions ?? []).map((r) => ({ days: r.days.map((d) => DAY_NAMES.indexOf(d) + 1), from: r.from, to: r.to })),
    };
    for (const [field, message] of validateLayer(toLayer(layer, (name) => name))) problems.addUnder(at, field, message);
    return layer;
  });
  return {
    name: schedule.name,
    team: schedule.team ?? null,
    role: schedule.role?.toLowerCase() ?? null,
    timeZone: schedule.time_zone,
    layers,
    maxShiftHours: schedule.max_shift_hours ?? null,
    handoffReminderMinutes: schedule.handoff?.reminder_minutes ?? null,
    coverage: schedule.coverage,
  };
}

function toLayer(l: OrgLayer, idOf: (userName: string) => string): Layer {
  const layer: Layer = { name: l.name, participants: l.participants.map(idOf), turn: { unit: l.turn.unit, count: l.turn.count }, start: l.start, timeZone: l.timeZone };
  if (l.restrictions.length) layer.restrictions = l.restrictions.map((r) => ({ days: [...r.days], from: r.from, to: r.to }));
  return layer;
}

function checkPolicy(policy: PolicyInput, path: Path, refs: Refs, sev: SeverityResolver, problems: Problems): OrgPolicy {
  const noAutoEscalate = sev.list(policy.no_auto_escalate, [...path, 'no_auto_escalate']);
  const last = policy.levels.length - 1;
  const levels = policy.levels.map((level, i) => checkLevel(level, [...path, 'levels', i], i, last, refs, sev, problems, policy.name));
  return { name: policy.name, description: policy.description, repeat: policy.repeat, noAutoEscalate, levels };
}

function checkLevel(level: LevelInput, path: Path, index: number, last: number, refs: Refs, sev: SeverityResolver, problems: Problems, policyName: string): OrgLevel {
  if (level.delay_minutes === undefined && index < last) {
    problems.add([...path, 'delay_minutes'], 'required on every level but the last: minutes to wait for an acknowledgement before the next level');
  }
  if (level.unresolved_after_minutes !== undefined && index === 0) {
    problems.add([...path, 'unresolved_after_minutes'], 'the first level is notified when the alert opens; put unresolved_after_minutes on a later level');
  }
  const severities = level.severities ? sev.list(level.severities, [...path, 'severities']) : null;
  const outside = (name: string): boolean => severities !== null && severities.length > 0 && !severities.includes(name);
  const onlyFor = `the level applies only to ${severities?.join(', ') ?? ''}`;

  let delayBySeverity: Record<string, number> | null = null;
  if (level.delay_by_severity) {
    delayBySeverity = {};
    const from = new Map<string, string>();
    for (const [raw, mins] of Object.entries(level.delay_by_severity)) {
      const at: Path = [...path, 'delay_by_severity', raw];
      const name = sev.one(raw, at);
      if (name === null) continue;
      const dup = from.get(name);
      if (dup !== undefined) {
        problems.add(at, `"${raw}" and "${dup}" are the same severity (${name})`);
        continue;
      }
      if (outside(name)) {
        problems.add(at, onlyFor);
        continue;
      }
      from.set(name, raw);
      delayBySeverity[name] = mins;
    }
  }

  const targets = level.targets.map((t, j): OrgTarget | null => {
    const at: Path = [...path, 'targets', j];
    const targetSeverities = t.severities ? sev.list(t.severities, [...at, 'severities']) : null;
    t.severities?.forEach((raw, k) => {
      const name = sev.known(raw);
      if (name !== null && outside(name)) problems.add([...at, 'severities', k], `${onlyFor}; "${raw}" never reaches this target`);
    });
    const named = [t.user, t.team, t.schedule, t.channel].filter((x) => x !== undefined).length;
    if (named > 1) {
      problems.add(at, 'name only one of user, team, schedule or channel');
      return null;
    }
    if (t.channel !== undefined) {
      if (!known(refs.channels, t.channel)) problems.add([...at, 'channel'], `no channel named "${t.channel}"; add it to the channels section`);
      if (t.role !== undefined) problems.add([...at, 'role'], 'only team targets have a role');
      return { kind: 'channel', name: t.channel, role: null, severities: targetSeverities };
    }
    if (t.user !== undefined) {
      if (!known(refs.users, t.user)) problems.add([...at, 'user'], `no user named "${t.user}"`);
      if (t.role !== undefined) problems.add([...at, 'role'], 'only team targets have a role');
      return { kind: 'user', name: t.user, role: null, severities: targetSeverities };
    }
    if (t.team !== undefined) {
      const role = t.role?.toLowerCase() ?? null;
      if (!known(refs.teams, t.team)) problems.add([...at, 'team'], `no team named "${t.team}"`);
      else {
        const roles = refs.teamRoles.get(t.team);
        if (roles && roles.size === 0) problems.add([...at, 'team'], `team "${t.team}" has no members`);
        else if (roles && role !== null && !roles.has(role)) problems.add([...at, 'role'], `no member of team "${t.team}" has role "${t.role}"`);
      }
      return { kind: 'team', name: t.team, role, severities: targetSeverities };
    }
    if (t.schedule !== undefined) {
      // Named with the policy: when a schedule is removed, this is the line that says who still needs it.
      if (!known(refs.schedules, t.schedule)) problems.add([...at, 'schedule'], `no schedule named "${t.schedule}"; escalation policy "${policyName}" targets it`);
      if (t.role !== undefined) problems.add([...at, 'role'], 'only team targets have a role');
      return { kind: 'schedule', name: t.schedule, role: null, severities: targetSeverities };
    }
    problems.add(at, 'name one of user, team, schedule or channel');
    return null;
  });

  return {
    targets: targets.filter((t): t is OrgTarget => t !== null),
    delayMinutes: level.delay_minutes ?? DEFAULT_LAST_LEVEL_DELAY,
    delayBySeverity,
    severities,
    unresolvedAfterMinutes: level.unresolved_after_minutes ?? null,
  };
}

/** The last level's delay only times a repeat of the policy. */
const DEFAULT_LAST_LEVEL_DELAY = 15;

interface KeyIndex {
  keys: Map<string, Path>;
  keyEnvs: Map<string, Path>;
}

function checkService(service: ServiceInput, path: Path, refs: Refs, keys: KeyIndex, problems: Problems, sev: SeverityResolver): OrgService {
  if (!known(refs.policies, service.escalation_policy)) {
    problems.add([...path, 'escalation_policy'], `no policy named "${service.escalation_policy}"`);
  }
  if (service.team !== undefined && !known(refs.teams, service.team)) problems.add([...path, 'team'], `no team named "${service.team}"`);
  checkUnique(
    service.integrations.map((i, index) => ({ name: i.name, index })),
    [...path, 'integrations'],
    problems,
  );
  const integrations = service.integrations.map((integ, i): OrgIntegration => {
    const at: Path = [...path, 'integrations', i];
    if (integ.key !== undefined && integ.key_env !== undefined) problems.add(at, 'set key or key_env, not both');
    if (integ.key !== undefined) {
      const first = keys.keys.get(integ.key);
      if (first) problems.add([...at, 'key'], `duplicate key (also ${formatPath(first)})`);
      else keys.keys.set(integ.key, [...at, 'key']);
    }
    if (integ.key_env !== undefined) {
      const first = keys.keyEnvs.get(integ.key_env);
      if (first) problems.add([...at, 'key_env'], `duplicate key_env "${integ.key_env}": two integrations cannot share a key (also ${formatPath(first)})`);
      else keys.keyEnvs.set(integ.key_env, [...at, 'key_env']);
    }
    if (integ.type === 'generic' && integ.secret_env === undefined) {
      problems.add([...at, 'secret_env'], 'required for generic integrations: the environment variable holding the HMAC secret');
    }
    if (integ.type !== 'generic' && integ.secret_env !== undefined) {
      problems.add([...at, 'secret_env'], 'only generic integrations have a secret_env');
    }
    const heartbeat = checkHeartbeat(integ, at, (p, m) => problems.add(p, m));
    return {
      name: integ.name,
      type: integ.type,
      key: integ.key ?? null,
      keyEnv: integ.key_env ?? null,
      secretEnv: integ.secret_env ?? null,
      ...(heartbeat ? { heartbeat } : {}),
    };
  });
  return {
    name: service.name,
    description: service.description,
    escalationPolicy: service.escalation_policy,
    team: service.team ?? null,
    integrations,
    ...(service.runbooks ? { runbooks: checkRunbooks(service.runbooks, [...path, 'runbooks'], (at, m) => problems.add(at, m)) } : {}),
    ...(service.grouping ? { grouping: checkGrouping(service.grouping, [...path, 'grouping'], (at, m) => problems.add(at, m)) ?? undefined } : {}),
    ...(service.slack ? { slack: checkSlackRouting(service.slack, [...path, 'slack'], (raw, at) => sev.one(raw, at), refs.severities?.scale.levels.map((l) => l.name) ?? null, (at, m) => problems.add(at, m)) } : {}),
  };
}

/**
 * Validates a parsed file (any JSON-like value). Reports every problem it finds; the config is
 * returned only when there are none.
 */
export function validateOrg(raw: unknown): OrgValidation {
  const problems = new Problems();
  const root: unknown = raw ?? {};
  if (!isRecord(root)) {
    return {
      ok: false,
      problems: [{ field: '(root)', message: `expected a mapping with the sections ${SECTIONS.join(', ')}, got ${describeValue(root)}` }],
    };
  }
  for (const key of Object.keys(root)) {
    if (!(SECTIONS as readonly string[]).includes(key)) problems.add([key], 'unknown field');
  }

  // Severities first: everything else resolves through the scale.
  let severities: ScaleBuild | null = { scale: DEFAULT_SCALE, lookup: buildLookup(DEFAULT_SCALE) };
  if (root.severities !== undefined && root.severities !== null) {
    const input = parseWith(SeveritiesSchema, root.severities, ['severities'], problems);
    severities = input ? buildScale(input, problems) : null;
  }
  const sev = new SeverityResolver(severities, problems);

  const userInputs = parseList(root.users, ['users'], UserSchema, problems);
  const teamInputs = parseList(root.teams, ['teams'], TeamSchema, problems);
  const scheduleInputs = parseList(root.schedules, ['schedules'], ScheduleSchema, problems);
  const policyInputs = parseList(root.escalation_policies, ['escalation_policies'], PolicySchema, problems);
  const serviceInputs = parseList(root.services, ['services'], ServiceSchema, problems);
  const channelInputs = parseList(root.channels, ['channels'], ChannelSchema, problems);
  const channels = channelInputs.map((c, i): OrgChannel | null => {
    if (!c) return null;
    const at: Path = ['channels', i];
    if (c.type !== 'webhook' && c.secret_env !== undefined) problems.add([...at, 'secret_env'], 'only webhook channels have a secret_env');
    const checked = checkContactAddress(c.type, c.address);
    if (!checked.ok) problems.add([...at, 'address'], checked.error);
    return { name: c.name, type: c.type, address: checked.ok ? checked.address : c.address, secretEnv: c.secret_env ?? null };
  });

  const teamRoles = new Map<string, Set<string>>();
  for (const t of teamInputs) if (t) teamRoles.set(t.name, new Set(t.members.map((m) => m.role.toLowerCase())));
  const refs: Refs = {
    severities,
    users: sectionNames(root.users, ['users'], problems),
    teams: sectionNames(root.teams, ['teams'], problems),
    schedules: sectionNames(root.schedules, ['schedules'], problems),
    policies: sectionNames(root.escalation_policies, ['escalation_policies'], problems),
    channels: sectionNames(root.channels, ['channels'], problems),
    teamRoles,
  };
  const serviceNames = sectionNames(root.services, ['services'], problems, { caseInsensitive: true });

  const users = userInputs.map((u, i) => (u ? checkUser(u, ['users', i], problems) : null));
  const teams = teamInputs.map((t, i) => (t ? checkTeam(t, ['teams', i], refs, problems) : null));
  const schedules = scheduleInputs.map((s, i) => (s ? checkSchedule(s, ['schedules', i], refs, problems) : null));
  const policies = policyInputs.map((p, i) => (p ? checkPolicy(p, ['escalation_policies', i], refs, sev, problems) : null));
  const keys: KeyIndex = { keys: new Map(), keyEnvs: new Map() };
  const services = serviceInputs.map((s, i) => (s ? checkService(s, ['services', i], refs, keys, problems, sev) : null));

  const inhibitRules = root.inhibit_rules === undefined || root.inhibit_rules === null ? [] : checkInhibitRules(parseList(root.inhibit_rules, ['inhibit_rules'], InhibitRuleSchema, problems).filter(notNull), ['inhibit_rules'], (at, m) => problems.add(at, m));
  const routes = checkRoutes(parseList(root.routes, ['routes'], RouteRuleSchema, problems), ['routes'], { services: serviceNames, policies: refs.policies, channels: refs.channels, severity: (raw, at) => sev.one(raw, at), knownSeverity: (raw) => sev.known(raw) }, (at, m) => problems.add(at, m));
  let responseTargets: ResponseTargets = {};
  if (root.response_targets !== undefined && root.response_targets !== null) {
    const input = parseWith(ResponseTargetsSchema, root.response_targets, ['response_targets'], problems);
    if (input) responseTargets = checkResponseTargets(input, ['response_targets'], (raw, at) => sev.one(raw, at), (at, m) => problems.add(at, m));
  }
  let compTime: CompTimePolicy | null = null;
  if (root.comp_time !== undefined && root.comp_time !== null) {
    const input = parseWith(CompTimeSchema, root.comp_time, ['comp_time'], problems);
    if (input) compTime = checkCompTime(input, ['comp_time'], refs.schedules, (at, m) => problems.add(at, m), (raw, at) => sev.one(raw, at));
  }
  let review: ReviewConfig | null = null;
  if (root.review !== undefined && root.review !== null) {
    const input = parseWith(ReviewSchema, root.review, ['review'], problems);
    if (input) review = checkReview(input, ['review'], refs, (at, m) => problems.add(at, m));
  }
  let incidentPolicy: IncidentPolicy | null = null;
  if (root.incident_policy !== undefined && root.incident_policy !== null) {
    const input = parseWith(IncidentPolicySchema, root.incident_policy, ['incident_policy'], problems);
    if (input) incidentPolicy = checkIncidentPolicy(input, ['incident_policy'], (raw, at) => sev.one(raw, at), (at, m) => problems.add(at, m), { users: refs.users, teams: refs.teams, schedules: refs.schedules });
  }
  let statusPage: StatusPageConfig | null = null;
  if (root.status_page !== undefined && root.status_page !== null) {
    const input = parseWith(StatusPageSchema, root.status_page, ['status_page'], problems);
    if (input) statusPage = checkStatusPage(input, ['status_page'], serviceNames, (at, m) => problems.add(at, m));
  }
  let postmortems: PostmortemPolicy | null = null;
  if (root.postmortems !== undefined && root.postmortems !== null) {
    const input = parseWith(PostmortemsSchema, root.postmortems, ['postmortems'], problems);
    if (input) postmortems = checkPostmortems(input, ['postmortems'], (raw, at) => sev.one(raw, at), (at, m) => problems.add(at, m));
  }
  let maintenancePolicy: MaintenancePolicy | null = null;
  if (root.maintenance_policy !== undefined && root.maintenance_policy !== null) {
    const input = parseWith(MaintenancePolicySchema, root.maintenance_policy, ['maintenance_policy'], problems);
    if (input) maintenancePolicy = checkMaintenancePolicy(input, ['maintenance_policy'], refs.teams, (at, m) => problems.add(at, m));
  }
  sectionNames(root.maintenance_windows, ['maintenance_windows'], problems);
  const maintenanceWindows = parseList(root.maintenance_windows, ['maintenance_windows'], MaintenanceWindowSchema, problems)
    .map((w, i) => (w ? checkMaintenanceWindow(w, ['maintenance_windows', i], serviceNames, (at, m) => problems.add(at, m)) : null))
    .filter(notNull);
  let silencePolicy: SilencePolicy | null = null;
  if (root.silence_policy !== undefined && root.silence_policy !== null) {
    const input = parseWith(SilencePolicySchema, root.silence_policy, ['silence_policy'], problems);
    if (input) silencePolicy = checkSilencePolicy(input, ['silence_policy'], (raw, at) => sev.one(raw, at), refs.teams, (at, m) => problems.add(at, m));
  }

  if (problems.list.length > 0 || !severities) return { ok: false, problems: problems.list };
  return {
    ok: true,
    config: {
      severities: severities.scale,
      users: users.filter(notNull),
      teams: teams.filter(notNull),
      schedules: schedules.filter(notNull),
      escalationPolicies: policies.filter(notNull),
      services: services.filter(notNull),
      channels: channels.filter(notNull),
      silencePolicy,
      inhibitRules,
      maintenancePolicy,
      maintenanceWindows,
      incidentPolicy,
      postmortems,
      statusPage,
      responseTargets,
      compTime,
      review,
      routes,
    },
  };
}

/** A reference resolves, or cannot be checked because its section is malformed. */
const known = (names: Set<string> | null, name: string): boolean => names === null || names.has(name);

const notNull = <T>(v: T | null): v is T => v !== null;

// ---------------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------------

/**
 * Parses and validates an organisation file. Throws AppError('invalid') listing every problem;
 * a YAML syntax error is a problem with field `(yaml)` and `line:col` in its message, prefixed by
 * `source` (the file name) when given.
 */
export function parseOrgYaml(text: string, source?: string): OrgConfig {
  const read = readYaml(text, source);
  if (!read.ok) throw AppError.invalidMany(read.problems);
  const result = validateOrg(read.value);
  if (!result.ok) throw AppError.invalidMany(result.problems);
  return result.config;
}

export function readYaml(text: string, source?: string): { ok: true; value: unknown } | { ok: false; problems: FieldProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return source ? `${source}:${line}:${col}` : `line ${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ field: '(yaml)', message: `${where(e.pos[0])}: ${e.message.split('\n')[0] ?? e.message}` })),
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 1000 }) as unknown };
  } catch (err) {
    return { ok: false, problems: [{ field: '(yaml)', message: `${source ? `${source}: ` : ''}${err instanceof Error ? err.message : String(err)}` }] };
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers for the code that applies a config
// ---------------------------------------------------------------------------------------------

/**
 * The integration's key: written in the file, read from its `key_env` variable, or null when the
 * server should generate one. Throws naming the variable when it is unset or malformed (the value
 * itself is never put in the message).
 */
export function resolveIntegrationKey(
  i: Pick<OrgIntegration, 'name' | 'key' | 'keyEnv'>,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  if (i.key !== null) return i.key;
  if (i.keyEnv === null) return null;
  const value = env[i.keyEnv]?.trim();
  if (!value) {
    throw AppError.invalid(i.keyEnv, `environment variable is not set; integration "${i.name}" reads its 32-character key from it`);
  }
  if (!INTEGRATION_KEY.test(value)) {
    throw AppError.invalid(i.keyEnv, `must hold exactly 32 letters or digits (integration "${i.name}"; it has ${value.length} characters)`);
  }
  return value;
}

/** A schedule's layers as the maths takes them, participants mapped from names to stored ids. */
export function toScheduleLayers(schedule: OrgSchedule, userIdOf: (name: string) => string): Layer[] {
  return schedule.layers.map((l) => toLayer(l, userIdOf));
}

/** Turns a policy from the file into the engine's spec, mapping target names to stored ids. */
export function toPolicySpec(policy: OrgPolicy, idOf: (kind: OrgTarget['kind'], name: string) => string): EscalationPolicySpec {
  return {
    repeat: policy.repeat,
    noAutoEscalate: [...policy.noAutoEscalate],
    levels: policy.levels.map((level) => ({
      targets: level.targets.map((t) => ({ kind: t.kind, id: idOf(t.kind, t.name), role: t.role, severities: t.severities })),
      delayMinutes: level.delayMinutes,
      delayBySeverity: level.delayBySeverity,
      severities: level.severities,
      unresolvedAfterMinutes: level.unresolvedAfterMinutes,
    })),
  };
}
