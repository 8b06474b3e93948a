import { DAY_NAMES, formatTurn, validateOrg } from '../config/org.js';
import { slackRoutingToFile } from '../config/org-slack.js';
import type { Runbook } from '../config/org-runbooks.js';
import { groupingToFile } from '../config/org-grouping.js';
import type { Layer } from '../domain/schedule/schedule.js';
import type { EscalationPolicySpec } from '../domain/escalation/policy.js';
import { AppError, type FieldProblem } from '../domain/errors.js';
import type { SeverityScale } from '../domain/severity/severity.js';
import type { Conn } from '../store/db.js';
import { getSetting } from '../store/settings.repo.js';
import { DEFAULT_SCALE } from '../domain/severity/severity.js';
import { applyOrg, type ApplyResult } from './apply-org.js';
import { formatMatcher } from '../domain/silence/matchers.js';
import { formatDuration, type SilencePolicy } from '../domain/silence/policy.js';
import type { InhibitRule } from '../domain/silence/inhibition.js';
import { incidentPolicyToFile } from '../config/org-incidents.js';
import { postmortemsToFile } from '../config/org-postmortems.js';
import type { PostmortemPolicy } from '../domain/incident/postmortem.js';
import { statusPageToFile, type StatusPageConfig } from '../config/org-status-page.js';
import { responseTargetsToFile, type ResponseTargets } from '../config/org-targets.js';
import { compTimeToFile, type CompTimePolicy } from '../config/org-comp-time.js';
import { reviewToFile, type ReviewConfig } from '../config/org-review.js';
import { getIncidentPolicy } from '../store/incident.repo.js';
import { routesSection } from '../config/org-routes.js';
import { loadRoutes } from '../store/routes.repo.js';
import type { Actor, Ctx } from './context.js';
import { maintenanceToFile } from './maintenance.js';

/**
 * The live organisation in the file format (snake_case, names instead of ids), so that
 * `export | apply` changes nothing. Integration keys are never exported: an integration without a
 * key in the file keeps the one stored.
 */
export type OrgFile = {
  severities: { levels: { name: string; aliases: string[]; urgency: string }[]; default: string; unknown: string | null };
  users: Record<string, unknown>[];
  teams: Record<string, unknown>[];
  schedules: Record<string, unknown>[];
  escalation_policies: Record<string, unknown>[];
  services: Record<string, unknown>[];
  channels?: Record<string, unknown>[];
  silence_policy?: Record<string, unknown> | null;
  inhibit_rules?: Record<string, unknown>[];
  maintenance_policy?: Record<string, unknown>;
  maintenance_windows?: Record<string, unknown>[];
  incident_policy?: Record<string, unknown>;
  postmortems?: Record<string, unknown>;
  status_page?: Record<string, unknown>;
  response_targets?: Record<string, Record<string, string>>;
  comp_time?: Record<string, unknown>;
  review?: Record<string, unknown>;
  routes?: Record<string, unknown>[];
};

const omitNull = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T;

export async function exportOrg(conn: Conn): Promise<OrgFile> {
  const scaleJson = await getSetting(conn, 'severities');
  const scale: SeverityScale = scaleJson ? (JSON.parse(scaleJson) as SeverityScale) : DEFAULT_SCALE;
  const [users, cms, rules, teams, members, policies, services, keys, schedules] = await Promise.all([
    conn.selectFrom('users').selectAll().orderBy('name').execute(),
    // Only what the file owns: methods and rules people added on their profile are theirs.
    conn.selectFrom('contact_methods').selectAll().where('managed_by', '=', 'org').orderBy('created_at').orderBy('name').execute(),
    conn.selectFrom('notification_rules').selectAll().where('managed_by', '=', 'org').orderBy('position').execute(),
    conn.selectFrom('teams').selectAll().orderBy('name').execute(),
    conn.selectFrom('team_members').selectAll().orderBy('position').execute(),
    conn.selectFrom('escalation_policies').selectAll().orderBy('name').execute(),
    conn.selectFrom('services').selectAll().orderBy('name').execute(),
    conn.selectFrom('integration_keys').selectAll().orderBy('created_at').orderBy('name').execute(),
    conn.selectFrom('schedules').selectAll().orderBy('name').execute(),
  ]);
  const scheduleName = new Map(schedules.map((s) => [s.id, s.name]));
  const channels = await conn.selectFrom('notify_channels').selectAll().orderBy('name').execute();
  const channelName = new Map(channels.map((c) => [c.id, c.name]));
  const userName = new Map(users.map((u) => [u.id, u.name]));
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  const cmName = new Map(cms.map((c) => [c.id, c.name]));
  const policyName = new Map(policies.map((p) => [p.id, p.name]));
  return {
    severities: { levels: scale.levels.map((l) => ({ name: l.name, aliases: l.aliases, urgency: l.urgency })), default: scale.defaultSeverity, unknown: scale.unknownSeverity },
    users: users.map((u) =>
      omitNull({
        name: u.name,
        full_name: u.full_name || null,
        email: u.email,
        time_zone: u.time_zone,
        role: u.role,
        contact_methods: cms.filter((c) => c.user_id === u.id).map((c) => omitNull({ name: c.name, type: c.kind, address: c.address, secret_env: c.secret_env })),
        notification_rules: rules.filter((r) => r.user_id === u.id).map((r) => ({ contact_method: cmName.get(r.contact_method_id), delay_minutes: r.delay_minutes, urgency: r.urgency })),
      }),
    ),
    teams: teams.map((t) => ({
      name: t.name,
      description: t.description,
      members: members.filter((m) => m.team_id === t.id).map((m) => ({ user: userName.get(m.user_id), role: m.role })),
      ...(Number(t.prefer_different_time_zones) ? { prefer_different_time_zones: true } : {}),
    })),
    schedules: schedules.map((s) => {
      const spec = JSON.parse(s.spec_json) as { layers: Layer[]; maxShiftHours?: number; handoffReminderMinutes?: number; coverage?: string };
      return omitNull({
        name: s.name,
        team: s.team_id ? teamName.get(s.team_id) : null,
        role: s.role,
        time_zone: s.time_zone,
        layers: spec.layers.map((l) =>
          omitNull({
            name: l.name,
            participants: l.participants.map((id) => userName.get(id) ?? id),
            turn: formatTurn(l.turn),
            start: l.start,
            time_zone: l.timeZone === s.time_zone ? null : l.timeZone,
            restrictions: l.restrictions?.length ? l.restrictions.map((r) => ({ days: r.days.map((d: number) => DAY_NAMES[d - 1]), from: r.from, to: r.to })) : null,
          }),
        ),
        max_shift_hours: spec.maxShiftHours ?? null,
        handoff: spec.handoffReminderMinutes !== undefined ? { reminder_minutes: spec.handoffReminderMinutes } : null,
        coverage: spec.coverage === 'partial' ? 'partial' : null,
      });
    }),
    escalation_policies: policies.map((p) => {
      const spec = JSON.parse(p.spec) as EscalationPolicySpec;
      return {
        name: p.name,
        description: p.description,
        repeat: spec.repeat,
        no_auto_escalate: spec.noAutoEscalate,
        levels: spec.levels.map((l) =>
          omitNull({
            targets: l.targets.map((t) =>
              omitNull({
                [t.kind]: t.kind === 'user' ? userName.get(t.id) : t.kind === 'team' ? teamName.get(t.id) : t.kind === 'channel' ? (channelName.get(t.id) ?? t.id) : (scheduleName.get(t.id) ?? t.id),
                role: t.role ?? null,
                severities: t.severities ?? null,
              }),
            ),
            delay_minutes: l.delayMinutes,
            delay_by_severity: l.delayBySeverity ?? null,
            severities: l.severities ?? null,
            unresolved_after_minutes: l.unresolvedAfterMinutes ?? null,
          }),
        ),
      };
    }),
    services: services.map((s) =>
      omitNull({
        name: s.name,
        description: s.description,
        escalation_policy: s.escalation_policy_id ? policyName.get(s.escalation_policy_id) : null,
        team: s.team_id ? teamName.get(s.team_id) : null,
        integrations: keys.filter((k) => k.service_id === s.id).map((k) => omitNull({ name: k.name, type: k.kind, secret_env: k.secret_env, ...heartbeatToFile(k.heartbeat) })),
        slack: slackRoutingToFile(s.slack),
        runbooks: s.runbooks ? (JSON.parse(s.runbooks) as Runbook[]).map((r) => omitNull({ alert: r.alert, url: r.url, steps: r.steps })) : null,
        grouping: groupingToFile(s.grouping),
      }),
    ),
    ...(channels.length ? { channels: channels.map((c) => omitNull({ name: c.name, type: c.kind, address: c.address, secret_env: c.secret_env })) } : {}),
    ...inhibitRulesToFile(JSON.parse((await getSetting(conn, 'inhibit_rules')) ?? '[]') as InhibitRule[]),
    ...silencePolicyToFile(JSON.parse((await getSetting(conn, 'silence_policy')) ?? 'null') as SilencePolicy | null),
    ...(await maintenanceToFile(conn)),
    ...incidentPolicyToFile(await getIncidentPolicy(conn)),
    ...postmortemsToFile(JSON.parse((await getSetting(conn, 'postmortems')) ?? 'null') as PostmortemPolicy | null),
    ...statusPageToFile(JSON.parse((await getSetting(conn, 'status_page')) ?? 'null') as StatusPageConfig | null),
    ...compTimeToFile(JSON.parse((await getSetting(conn, 'comp_time')) ?? 'null') as CompTimePolicy | null),
    ...reviewToFile(JSON.parse((await getSetting(conn, 'review')) ?? 'null') as ReviewConfig | null),
    ...responseTargetsToFile(JSON.parse((await getSetting(conn, 'response_targets')) ?? '{}') as ResponseTargets),
    ...routesSection(await loadRoutes(conn)),
  };
}

function inhibitRulesToFile(rules: InhibitRule[]): Pick<OrgFile, 'inhibit_rules'> {
  if (rules.length === 0) return {};
  return { inhibit_rules: rules.map((r) => ({ source_matchers: r.source.map(formatMatcher), target_matchers: r.target.map(formatMatcher), equal: r.equal })) };
}

function silencePolicyToFile(p: SilencePolicy | null): Pick<OrgFile, 'silence_policy'> {
  if (!p) return {};
  return {
    silence_policy: {
      max_duration: Object.fromEntries(p.maxDuration.map((l) => [l.severity, formatDuration(l.ms)])),
      approvals: p.approvals.map((r) => omitNull({ name: r.name, severities: r.severities, matchers: r.matchers?.map(formatMatcher) ?? null, approvers: r.approvers })),
    },
  };
}

/**
 * Changes one thing through the same path as a whole-file apply: export, edit, validate, apply.
 * Every REST create/update/delete of users, teams, schedules, policies and services goes through here, so
 * the API and organisation files can never disagree about what is valid. Problems about the edited
 * entry are reported with its own field names (`escalation_policy`, not `services[4].escalation_policy`).
 */
export async function mutateOrg(ctx: Ctx, actor: Actor, section: keyof OrgFile, edit: (file: OrgFile) => number | null): Promise<ApplyResult> {
  const file = await exportOrg(ctx.store.db);
  const index = edit(file);
  const prefix = index === null ? null : `${section}[${index}]`;
  const local = (problems: FieldProblem[]): FieldProblem[] =>
    problems.map((p) =>
      prefix && (p.field === prefix || p.field.startsWith(`${prefix}.`) || p.field.startsWith(`${prefix}[`))
        ? { field: p.field.slice(prefix.length).replace(/^\./, '') || section, message: p.message }
        : p,
    );
  const v = validateOrg(file);
  if (!v.ok) throw AppError.invalidMany(local(v.problems));
  try {
    return await applyOrg(ctx, v.config, actor);
  } catch (err) {
    // Applying can find problems too (a key already in use); name them the same way.
    if (err instanceof AppError && err.code === 'invalid' && err.problems.length > 0) throw AppError.invalidMany(local(err.problems));
    throw err;
  }
}

function heartbeatToFile(json: string | null): { interval?: string; grace?: string } {
  if (!json) return {};
  const h = JSON.parse(json) as { interval_ms: number; grace_ms: number };
  return { interval: formatDuration(h.interval_ms), grace: formatDuration(h.grace_ms) };
}
