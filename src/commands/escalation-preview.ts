import { firstApplicableLevel, planNextEscalation, type EscalationPolicySpec, type EscalationState } from '../domain/escalation/policy.js';
import { MINUTE } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { toPolicySpec, validateOrg, type OrgTarget } from '../config/org.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { Conn } from '../store/db.js';
import { exportOrg } from './export-org.js';
import type { Ctx } from './context.js';
import { CHANNEL_PREFIX, levelOverrides, notifyLevel } from './notify-level.js';

/**
 * "If a critical alert fires now, who is paged, when, and how": the escalation an alert would go
 * through if nobody acknowledged it, computed by the same code that pages (notifyLevel over the
 * real schedules, overrides and notification rules at each level's moment) without writing
 * anything. The policy editor shows it live for an unsaved policy; the CLI prints it.
 */

export interface PreviewMethod {
  /** Minutes after the alert opened that this method is paged. */
  offsetMinutes: number;
  kind: string;
  name: string;
  /** Why it will not arrive, when it will not (paused by its owner). */
  skipped: string | null;
}

export interface PreviewRecipient {
  kind: 'user' | 'channel';
  name: string;
  methods: PreviewMethod[];
}

export interface PreviewStep {
  offsetMinutes: number;
  at: number;
  /** 0-based level index, as stored. */
  level: number;
  cycle: number;
  /** How the level was reached: opened | unacknowledged | unresolved | repeat. */
  reason: string;
  recipients: PreviewRecipient[];
  /** Plain-language problems at this step: nobody on call, nobody reachable. */
  warnings: string[];
}

export interface EscalationPreview {
  policy: string;
  severity: string;
  at: number;
  steps: PreviewStep[];
  /** How it ends if nobody acknowledges: "stops after level 3", "never escalates warning alerts by itself". */
  end: string;
}

/** Steps beyond this are cut: a preview is for reading, and repeats add nothing new after a few. */
const MAX_STEPS = 30;

export interface PreviewInput {
  /** A stored policy by name, or… */
  policy?: string;
  /** …an unsaved one in the organisation file's format (the editor's draft). */
  entry?: Record<string, unknown>;
  severity: string;
  at: number;
}

export async function previewEscalation(ctx: Ctx, input: PreviewInput): Promise<EscalationPreview> {
  const org = await ctx.org.get(ctx.store.db);
  const severity = org.severities.resolveOrThrow('severity', input.severity);
  const { name, spec } = input.entry ? await draftSpec(ctx.store.db, org, input.entry) : storedSpec(org, input.policy);
  return { policy: name, severity, at: input.at, ...(await walk(ctx.store.db, org, spec, severity, input.at)) };
}

function storedSpec(org: OrgSnapshot, name: string | undefined): { name: string; spec: EscalationPolicySpec } {
  if (!name) throw AppError.invalid('policy', 'name a policy, or send its draft as entry');
  const p = [...org.policies.values()].find((x) => x.name === name);
  if (!p) throw AppError.notFound(`escalation policy "${name}"`);
  return { name, spec: p.spec };
}

/**
 * Validates the draft as the organisation file would hold it (in place of the stored policy of the
 * same name, or added), so the preview's errors are the ones saving would give.
 */
async function draftSpec(conn: Conn, org: OrgSnapshot, entry: Record<string, unknown>): Promise<{ name: string; spec: EscalationPolicySpec }> {
  const file = await exportOrg(conn);
  const name = typeof entry.name === 'string' && entry.name ? entry.name : '(draft)';
  const draft = { ...entry, name };
  const policies = file.escalation_policies as Record<string, unknown>[];
  let i = policies.findIndex((p) => p.name === name);
  if (i < 0) i = policies.push(draft) - 1;
  else policies[i] = draft;
  const v = validateOrg(file);
  if (!v.ok) {
    const prefix = `escalation_policies[${i}]`;
    const mine = v.problems.filter((p) => p.field === prefix || p.field.startsWith(`${prefix}.`) || p.field.startsWith(`${prefix}[`));
    // Problems elsewhere in the stored organisation are not the draft's to fix.
    if (mine.length) throw AppError.invalidMany(mine.map((p) => ({ field: `entry${p.field.slice(prefix.length)}`, message: p.message })));
  }
  const policy = v.ok ? v.config.escalationPolicies.find((p) => p.name === name) : undefined;
  if (!policy) throw AppError.invalid('entry', 'the organisation does not validate; fix it before previewing a draft');
  const byName = {
    user: new Map([...org.users.values()].map((u) => [u.name, u.id])),
    team: new Map([...org.teams.values()].map((t) => [t.name, t.id])),
    schedule: new Map([...org.schedules.values()].map((s) => [s.name, s.id])),
    channel: new Map([...org.channels.values()].map((c) => [c.name, c.id])),
  };
  const idOf = (kind: OrgTarget['kind'], n: string): string => {
    const id = byName[kind].get(n);
    if (!id) throw AppError.invalid('entry', `${kind} "${n}" does not exist`);
    return id;
  };
  return { name, spec: toPolicySpec(policy, idOf) };
}

async function walk(conn: Conn, org: OrgSnapshot, spec: EscalationPolicySpec, severity: string, at: number): Promise<{ steps: PreviewStep[]; end: string }> {
  const first = firstApplicableLevel(spec, severity, 0);
  if (first === null) return { steps: [], end: `no level applies to ${severity} alerts: nobody is paged` };
  const steps: PreviewStep[] = [];
  const state: EscalationState = { status: 'triggered', severity, level: first, cycle: 0, levelStartedAt: at, openedAt: at };
  let reason = 'opened';
  for (;;) {
    steps.push(await step(conn, org, spec, severity, at, state, reason));
    if (steps.length >= MAX_STEPS) return { steps, end: `continues beyond ${MAX_STEPS} steps` };
    const next = planNextEscalation(spec, state);
    if (!next) break;
    state.level = next.level;
    state.cycle = next.cycle;
    state.levelStartedAt = next.at;
    reason = next.reason;
  }
  const last = `level ${state.level + 1}${state.cycle > 0 ? ` (repeat ${state.cycle})` : ''}`;
  const end = spec.noAutoEscalate.includes(severity)
    ? `${severity} alerts never escalate by themselves: only level ${first + 1} is paged`
    : `stops after ${last}; nobody else is paged until someone escalates by hand`;
  return { steps, end };
}

async function step(conn: Conn, org: OrgSnapshot, spec: EscalationPolicySpec, severity: string, openedAt: number, s: EscalationState, reason: string): Promise<PreviewStep> {
  const now = s.levelStartedAt;
  const overrides = await levelOverrides(conn, spec, s.level, severity, now);
  const actor = { kind: 'system' as const, id: null, name: 'preview', surface: 'engine' as const };
  const n = notifyLevel(org, { id: 0, severity }, spec, s.level, s.cycle, 1, now, actor, reason, overrides);
  const recipients = new Map<string, PreviewRecipient>();
  for (const userId of n.userIds) {
    const u = org.users.get(userId);
    if (u) recipients.set(userId, { kind: 'user', name: u.name, methods: [] });
  }
  for (const p of n.pages) {
    let r = recipients.get(p.user_id);
    if (!r && p.user_id.startsWith(CHANNEL_PREFIX)) {
      r = { kind: 'channel', name: `#${org.channels.get(p.contact_method_id ?? '')?.name ?? p.contact_method_id}`, methods: [] };
      recipients.set(p.user_id, r);
    }
    if (!r) continue;
    const cm = p.contact_method_id ? org.contactMethods.get(p.contact_method_id) : undefined;
    r.methods.push({
      offsetMinutes: Math.round((p.next_attempt_at - openedAt) / MINUTE),
      kind: p.channel,
      name: cm?.name ?? p.channel,
      skipped: cm?.paused ? 'paused by its owner' : null,
    });
  }
  const warnings = n.events.filter((e) => e.kind === 'unreachable').map((e) => e.message);
  return { offsetMinutes: Math.round((now - openedAt) / MINUTE), at: now, level: s.level, cycle: s.cycle, reason, recipients: [...recipients.values()], warnings };
}
