import { randomUUID } from 'node:crypto';
import type { OrgConfig } from '../config/org.js';
import { maintenancePolicyToFile, recurrenceToFile } from '../config/org-maintenance.js';
import { AppError, type FieldProblem } from '../domain/errors.js';
import { handoffWarnings, type HandoffWarning } from '../domain/maintenance/overlap.js';
import { judgeWindow, type MaintenancePolicy } from '../domain/maintenance/policy.js';
import { checkRecurrence, checkScope, covering, coveredText, inScope, localDay, nextOccurrences, type Covering, type MaintenanceWindow, type Occurrence, type Scope, type WindowTiming } from '../domain/maintenance/window.js';
import { finalShifts } from '../domain/schedule/schedule.js';
import { checkMatcher, formatMatcher, formatMatchers, matchesAll, MatcherError, type Labels, type Matcher } from '../domain/silence/matchers.js';
import { approverText, type Approver } from '../domain/silence/policy.js';
import { insertAlertEvents, updateAlert, type AlertRow } from '../store/alert.repo.js';
import type { Conn, Tx } from '../store/db.js';
import { newId } from '../store/ids.js';
import { overridesBetween, toOverride } from '../store/schedule.repo.js';
import { getWindow, recentWindows, windowColumns, windowFromRow } from '../store/maintenance.repo.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { bumpConfigVersion, getSetting, putSetting } from '../store/settings.repo.js';
import type { TransitionResult } from './alert-transitions.js';
import { audit } from './audit.js';
import type { Actor, ChangeEvent, Ctx } from './context.js';
import { matchLabels } from './silences.js';
import { systemEventRow } from './timeline.js';

/**
 * Maintenance windows at work. An alert that opens inside an active, approved window of its scope
 * is recorded, shown as "in maintenance window <name> until <end>", and pages nobody: its
 * escalation timer is the occurrence's end, when the engine checks it again and, if it is still
 * open, unacknowledged and no other window or silence holds it, pages from its first level (the
 * same way out as a silence). Alerts already open when an occurrence starts go on escalating:
 * they paged before the work began.
 *
 * Windows live in the organisation snapshot (OrgSnapshot.maintenanceWindows), the cache every
 * ingest batch already reads; a window change bumps the config version, so other processes see
 * it within HOT_PATH_ORG_AGE_MS. Changes are rare (a few a week); alerts are not.
 *
 * The file and the API: the org file's `maintenance_windows` are `managed_by: file` and are
 * changed only by applying the file; windows made through the API, CLI or web are
 * `managed_by: api`, ended early and approved there, and never touched by an apply.
 */

// ---------------------------------------------------------------------------------------------
// The hot path and the engine

/** The approved window covering a new alert now, or null. Costs nothing when there are none. */
export function inMaintenance(org: OrgSnapshot, serviceName: string | undefined, labels: Labels, now: number): Covering | null {
  if (org.maintenanceWindows.length === 0) return null;
  return covering(org.maintenanceWindows, serviceName, labels, now);
}

/** Timeline text of an alert a window holds: "in maintenance window X until …; nobody paged". */
export function maintenanceText(c: Covering): string {
  return `${coveredText(c)} (${c.window.comment}); nobody paged`;
}

/**
 * An alert in maintenance fell due (the occurrence ended, the window was ended early or removed).
 * If a window still covers it, it waits for that one's end and the answer is the no-op result;
 * null means nothing holds it any more and the caller pages it from its first level.
 */
export async function holdInMaintenance(trx: Tx, org: OrgSnapshot, alert: AlertRow, now: number, clear: Partial<AlertRow> = {}): Promise<TransitionResult | null> {
  const service = org.services.get(alert.service_id)?.name;
  const still = inMaintenance(org, service, matchLabels(alert, service), now);
  if (!still) return null;
  if (still.window.id !== alert.maintenance_by) await insertAlertEvents(trx, [systemEventRow(alert.id, now, 'maintenance', maintenanceText(still), { maintenance_window_id: still.window.id })]);
  await updateAlert(trx, alert.id, { ...clear, maintenance_by: still.window.id, next_escalation_at: still.occurrence.end });
  return { changed: false, changes: [], pages: 0 };
}

// ---------------------------------------------------------------------------------------------
// Input

export type TimingInput =
  | { kind: 'once'; startsAt: number | null; endsAt: number | null }
  | { kind: 'recurring'; rrule: string; timeZone: string; start: string; durationMs: number | null; from: string | null };

export interface WindowInput {
  name?: string;
  services: string[];
  matchers: Matcher[];
  timing: TimingInput;
  comment: string;
}

interface Checked {
  name: string;
  scope: Scope;
  timing: WindowTiming;
  comment: string;
}

/** Checks a window made through the API; throws AppError naming every bad field. */
export function checkWindowInput(org: OrgSnapshot, input: WindowInput, now: number): Checked {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const byLower = new Map([...org.services.values()].map((s) => [s.name.toLowerCase(), s.name]));
  const services = input.services.map((s, i) => {
    const name = byLower.get(s.trim().toLowerCase());
    if (!name) add(`services[${i}]`, `no service named "${s}"; see watchkeeper's services list`);
    return name ?? s;
  });
  input.matchers.forEach((m, i) => {
    try {
      checkMatcher(m);
    } catch (err) {
      if (err instanceof MatcherError) add(`matchers[${i}]`, err.message);
      else throw err;
    }
  });
  const scope = { services: [...new Set(services)], matchers: input.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual })) };
  if (problems.length === 0) for (const [field, message] of checkScope(scope)) add(field, message);
  if (!input.comment.trim()) add('comment', 'is required: say what the work is, e.g. "Database upgrade"');
  const name = (input.name ?? '').trim() || input.comment.trim().slice(0, 80);
  if (name.length > 100) add('name', 'at most 100 characters');
  let timing: WindowTiming | null = null;
  const t = input.timing;
  if (t.kind === 'once') {
    if (t.startsAt === null) add('starts_at', 'is required for a one-off window (or give rrule for a recurring one)');
    if (t.endsAt === null) add('ends_at', 'is required: give ends_at or a duration');
    else if (t.endsAt <= now) add('ends_at', "end time can't be in the past");
    else if (t.startsAt !== null && t.endsAt <= t.startsAt) add('ends_at', 'must be after starts_at');
    else if (t.startsAt !== null && t.endsAt - t.startsAt > 31 * 86_400_000) add('ends_at', 'a one-off window lasts at most 31 days');
    if (t.startsAt !== null && t.endsAt !== null && t.endsAt > t.startsAt && t.endsAt > now) timing = { kind: 'once', startsAt: t.startsAt, endsAt: t.endsAt };
  } else {
    const rec = { rrule: t.rrule.trim(), timeZone: t.timeZone, start: t.start, durationMs: t.durationMs, from: t.from ?? safeLocalDay(t.timeZone, now) };
    for (const [field, message] of checkRecurrence(rec)) add(field, message);
    if (problems.length === 0) {
      timing = { kind: 'recurring', recurrence: { ...rec, durationMs: rec.durationMs as number } };
      if (nextOccurrences(timing, now, 1).length === 0) add('rrule', 'has no occurrence in the coming year; check FREQ, BYDAY, COUNT and UNTIL');
    }
  }
  if (problems.length > 0 || !timing) throw AppError.invalidMany(problems.length ? problems : [{ field: 'starts_at', message: 'is required' }]);
  return { name, scope, timing, comment: input.comment.trim() };
}

/** Today in the zone; the UTC day when the zone is unknown (that problem is reported on time_zone). */
function safeLocalDay(zone: string, now: number): string {
  try {
    return localDay(zone, now);
  } catch {
    return new Date(now).toISOString().slice(0, 10);
  }
}

// ---------------------------------------------------------------------------------------------
// Warnings and preview

/** Services a scope can cover: the ones it names, or those its `service` matchers allow. */
function servicesOf(org: OrgSnapshot, scope: Scope) {
  const onService = scope.matchers.filter((m) => m.name === 'service');
  return [...org.services.values()].filter((s) => (scope.services.length ? scope.services.includes(s.name) : matchesAll(onService, { service: s.name })));
}

/** How far ahead a recurring window's handoff conflicts are looked for, and how many occurrences. */
const WARN_HORIZON_MS = 35 * 86_400_000;
const WARN_OCCURRENCES = 5;

/**
 * Shift changes of the schedules the covered services' escalation policies page, during the
 * window's coming occurrences: "coordinate with alice, on call for Platform Primary".
 */
export async function overlapWarnings(conn: Conn, org: OrgSnapshot, scope: Scope, timing: WindowTiming, now: number): Promise<HandoffWarning[]> {
  const scheduleIds = new Set<string>();
  for (const svc of servicesOf(org, scope)) {
    const policy = svc.escalation_policy_id ? org.policies.get(svc.escalation_policy_id) : undefined;
    for (const level of policy?.spec.levels ?? []) for (const t of level.targets) if (t.kind === 'schedule') scheduleIds.add(t.id);
  }
  if (scheduleIds.size === 0) return [];
  const occ: Occurrence[] = nextOccurrences(timing, now, WARN_OCCURRENCES, WARN_HORIZON_MS);
  const name = (id: string) => org.users.get(id)?.name ?? id;
  const out: HandoffWarning[] = [];
  for (const id of scheduleIds) {
    const s = org.schedules.get(id);
    if (!s) continue;
    for (const o of occ) {
      const overrides = (await overridesBetween(conn, [s.id], o.start - 1, o.end + 1)).map(toOverride);
      const spec = { timeZone: s.timeZone, layers: s.layers, overrides };
      out.push(...handoffWarnings(s.name, s.timeZone, o, finalShifts(spec, o.start - 1, o.end + 1), name));
    }
  }
  return out.sort((a, b) => a.at - b.at || a.schedule.localeCompare(b.schedule)).slice(0, 20);
}

/** Open alerts a scope covers (the preview's "would be held if they opened in the window"). */
export async function openAlertsInScope(conn: Conn, org: OrgSnapshot, scope: Scope, limit = 200): Promise<AlertRow[]> {
  const open = await conn.selectFrom('alerts').selectAll().where('open_key', 'is not', null).orderBy('id', 'desc').execute();
  return open
    .filter((a) => {
      const service = org.services.get(a.service_id)?.name;
      return inScope(scope, service, matchLabels(a, service));
    })
    .slice(0, limit);
}

export interface Preview {
  name: string;
  scope: Scope;
  timing: WindowTiming;
  occurrences: Occurrence[];
  needsApproval: string[];
  approvers: Approver[];
  warnings: HandoffWarning[];
  alerts: AlertRow[];
}

/** What a window would be: its next occurrences, whether it needs approval, warnings, alerts it covers. */
export async function previewWindow(ctx: Ctx, input: WindowInput): Promise<Preview> {
  const now = ctx.clock.now();
  const org = await ctx.org.get(ctx.store.db);
  const w = checkWindowInput(org, input, now);
  const reasons = judgeWindow(org.maintenancePolicy, w.timing, now);
  return {
    ...w,
    occurrences: nextOccurrences(w.timing, now, 5),
    needsApproval: reasons,
    approvers: reasons.length ? approversOf(org.maintenancePolicy) : [],
    warnings: await overlapWarnings(ctx.store.db, org, w.scope, w.timing, now),
    alerts: await openAlertsInScope(ctx.store.db, org, w.scope),
  };
}

const approversOf = (p: MaintenancePolicy | null): Approver[] => (p?.approvers.length ? p.approvers : [{ role: 'manager' }]);

// ---------------------------------------------------------------------------------------------
// Create, approve, end

async function changed(ctx: Ctx, changes: ChangeEvent[]): Promise<void> {
  ctx.org.invalidate();
  ctx.bus.publish([...changes, { type: 'config.changed', at: ctx.clock.now() }]);
}

/** Creates a window; answers the window and the handoff warnings (the window is made regardless). */
export async function createWindow(ctx: Ctx, actor: Actor, input: WindowInput): Promise<{ window: MaintenanceWindow; warnings: HandoffWarning[] }> {
  const now = ctx.clock.now();
  const org = await ctx.org.get(ctx.store.db);
  const w = checkWindowInput(org, input, now);
  const reasons = judgeWindow(org.maintenancePolicy, w.timing, now);
  const approvers = reasons.length ? approversOf(org.maintenancePolicy) : [];
  const warnings = await overlapWarnings(ctx.store.db, org, w.scope, w.timing, now);
  const id = randomUUID();
  await ctx.store.tx(async (trx) => {
    await trx
      .insertInto('maintenance_windows')
      .values({
        id,
        managed_by: 'api',
        ...windowColumns({ ...w, endedAt: null }),
        created_by: actor.name,
        author_kind: actor.kind,
        author_id: actor.id,
        approval: reasons.length ? 'pending' : 'approved',
        approval_reasons: JSON.stringify(reasons),
        approvers: JSON.stringify(approvers),
        ended_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await audit(trx, actor, now, 'maintenance_window.create', 'maintenance_window', id, w.name, {
      scope: scopeText(w.scope),
      ...(reasons.length ? { needs_approval: reasons } : {}),
      ...(warnings.length ? { warnings: warnings.map((x) => x.message) } : {}),
    });
    await bumpConfigVersion(trx);
  });
  await changed(ctx, []);
  return { window: (await getWindow(ctx.store.db, id)) as MaintenanceWindow, warnings };
}

/** "Backend, Frontend", "Backend where {env="prod"}", "alerts matching {team="db"}". */
export function scopeText(scope: Scope): string {
  const matchers = scope.matchers.length ? formatMatchers(scope.matchers) : '';
  if (!scope.services.length) return `alerts matching ${matchers}`;
  return matchers ? `${scope.services.join(', ')} where ${matchers}` : scope.services.join(', ');
}

/** What a pending window still waits for, and the approvals given. */
export async function windowApprovals(conn: Conn, w: MaintenanceWindow): Promise<{ given: { approver: string; by: string; at: number }[]; missing: string[] }> {
  const rows = await conn.selectFrom('maintenance_approvals').selectAll().where('window_id', '=', w.id).execute();
  const given = rows.map((r) => ({ approver: approverText(w.approvers[r.approver] ?? { role: 'manager' }), by: r.user_name, at: r.at }));
  const missing = w.approvers.flatMap((a, k) => (rows.some((r) => r.approver === k) ? [] : [approverText(a)]));
  return { given, missing };
}

const ROLE_RANK: Record<string, number> = { viewer: 0, responder: 1, manager: 2, admin: 3 };

/** A person approves a pending window: one slot each, never the author; complete, it takes effect. */
export async function approveWindow(ctx: Ctx, actor: Actor, id: string): Promise<{ approved: boolean; missing: string[] }> {
  if (actor.kind !== 'user' || !actor.id) throw new AppError('forbidden', 'approve maintenance windows as a person: sign in, or use a token that belongs to a user');
  const now = ctx.clock.now();
  const org = await ctx.org.get(ctx.store.db);
  const user = org.users.get(actor.id);
  if (!user) throw new AppError('forbidden', 'your user no longer exists');
  const out = await ctx.store.tx(async (trx) => {
    const row = await trx.selectFrom('maintenance_windows').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw AppError.notFound(`maintenance window ${id}`);
    const w = windowFromRow(row);
    if (w.approval === 'approved') throw new AppError('conflict', 'this window needs no approval (it is already in effect)');
    if (w.endedAt !== null) throw new AppError('conflict', 'this window was ended; create a new one');
    if (w.authorId === actor.id) throw new AppError('forbidden', 'you made this window; someone else must approve it');
    const rows = await trx.selectFrom('maintenance_approvals').selectAll().where('window_id', '=', id).execute();
    if (rows.some((r) => r.user_id === user.id)) throw new AppError('conflict', 'you approved this window already; it waits for someone else');
    const qualifies = (a: Approver) => {
      if ('role' in a) return (ROLE_RANK[user.role] ?? 0) >= (ROLE_RANK[a.role] ?? 99);
      const team = [...org.teams.values()].find((t) => t.name === a.team);
      return team ? (org.teamMembers.get(team.id) ?? []).some((m) => m.userId === user.id) : false;
    };
    const k = w.approvers.findIndex((a, k) => !rows.some((r) => r.approver === k) && qualifies(a));
    if (k < 0) {
      const status = await windowApprovals(trx, w);
      throw new AppError('forbidden', `you cannot approve this window; it waits for ${status.missing.join(', ')}`);
    }
    await trx.insertInto('maintenance_approvals').values({ window_id: id, approver: k, user_id: user.id, user_name: user.name, at: now }).execute();
    const status = await windowApprovals(trx, w);
    await audit(trx, actor, now, 'maintenance_window.approve', 'maintenance_window', id, w.name, { missing: status.missing });
    if (status.missing.length > 0) return { approved: false, missing: status.missing };
    await trx.updateTable('maintenance_windows').set({ approval: 'approved', updated_at: now }).where('id', '=', id).execute();
    await bumpConfigVersion(trx);
    return { approved: true, missing: [] };
  });
  if (out.approved) await changed(ctx, []);
  return out;
}

/** Alerts a window held are due now: the engine checks them again (and pages them if nothing holds them). */
async function releaseAlerts(trx: Tx, windowId: string, now: number): Promise<ChangeEvent[]> {
  const held = await trx.selectFrom('alerts').select(['id', 'status']).where('maintenance_by', '=', windowId).where('open_key', 'is not', null).execute();
  if (held.length === 0) return [];
  await trx.updateTable('alerts').set({ next_escalation_at: now }).where('maintenance_by', '=', windowId).where('open_key', 'is not', null).execute();
  return held.map((a) => ({ type: 'alert.updated' as const, alertId: a.id, status: a.status, at: now }));
}

/** Ends a window now (a recurring one for good); open alerts it held page at once. */
export async function endWindow(ctx: Ctx, actor: Actor, id: string): Promise<MaintenanceWindow> {
  const now = ctx.clock.now();
  const changes = await ctx.store.tx(async (trx) => {
    const row = await trx.selectFrom('maintenance_windows').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw AppError.notFound(`maintenance window ${id}`);
    const w = windowFromRow(row);
    if (w.managedBy === 'file') throw new AppError('conflict', `window "${w.name}" is defined in the org file; remove or change it there and apply the file`);
    if (w.endedAt !== null) return [];
    await trx.updateTable('maintenance_windows').set({ ended_at: now, final_end_at: windowColumns({ ...w, endedAt: now }).final_end_at, updated_at: now }).where('id', '=', id).execute();
    await audit(trx, actor, now, 'maintenance_window.end', 'maintenance_window', id, w.name, null);
    await bumpConfigVersion(trx);
    return releaseAlerts(trx, id, now);
  });
  await changed(ctx, changes);
  ctx.wake();
  return (await getWindow(ctx.store.db, id)) as MaintenanceWindow;
}

/** Windows to list: live ones and those over within the last 5 days, soonest first. */
export async function listWindows(conn: Conn, now: number): Promise<MaintenanceWindow[]> {
  const list = await recentWindows(conn, now, 5 * 86_400_000);
  const next = (w: MaintenanceWindow) => nextOccurrences(w.timing, now, 1, 400 * 86_400_000, w.endedAt)[0]?.start ?? Number.MAX_SAFE_INTEGER;
  return list.map((w) => ({ w, at: next(w) })).sort((a, b) => a.at - b.at || a.w.name.localeCompare(b.w.name)).map((x) => x.w);
}

/** Open alerts a window is holding now. */
export async function alertsInWindow(conn: Conn, id: string): Promise<AlertRow[]> {
  return conn.selectFrom('alerts').selectAll().where('maintenance_by', '=', id).where('open_key', 'is not', null).orderBy('id', 'desc').execute();
}

/** Approved windows in scope of any of these services with an occurrence overlapping [from, to). */
export function windowsDuring(org: OrgSnapshot, serviceNames: string[], from: number, to: number): { window: MaintenanceWindow; occurrence: Occurrence }[] {
  const out: { window: MaintenanceWindow; occurrence: Occurrence }[] = [];
  for (const w of org.maintenanceWindows) {
    if (w.approval !== 'approved') continue;
    const svc = servicesOf(org, w.scope).map((s) => s.name);
    if (!svc.some((s) => serviceNames.includes(s))) continue;
    const [o] = nextOccurrences(w.timing, from, 1, to - from, w.endedAt);
    if (o && o.start < to) out.push({ window: w, occurrence: o });
  }
  return out.sort((a, b) => a.occurrence.start - b.occurrence.start);
}

// ---------------------------------------------------------------------------------------------
// The org file

type Record_ = (action: 'create' | 'update' | 'delete', kind: 'maintenance_policy' | 'maintenance_window', id: string | null, name: string, detail?: unknown) => Promise<void>;

/**
 * Applies the file's maintenance policy and windows (in the apply's transaction). Windows are
 * matched by name among the file's own; a removed or changed one releases the alerts it held.
 */
export async function applyFileMaintenance(trx: Tx, now: number, config: Pick<OrgConfig, 'maintenancePolicy' | 'maintenanceWindows'>, actor: Actor, record: Record_): Promise<void> {
  const policyJson = JSON.stringify(config.maintenancePolicy);
  if (((await getSetting(trx, 'maintenance_policy')) ?? 'null') !== policyJson) {
    await putSetting(trx, 'maintenance_policy', policyJson);
    await record('update', 'maintenance_policy', null, 'maintenance_policy', config.maintenancePolicy);
  }
  const rows = await trx.selectFrom('maintenance_windows').selectAll().where('managed_by', '=', 'file').execute();
  const byName = new Map(rows.map((r) => [r.name, r]));
  const seen = new Set<string>();
  for (const w of config.maintenanceWindows) {
    seen.add(w.name);
    const cols = windowColumns({ name: w.name, scope: { services: w.services, matchers: w.matchers }, timing: w.timing, comment: w.comment, endedAt: null });
    const existing = byName.get(w.name);
    if (!existing) {
      const id = newId();
      await trx
        .insertInto('maintenance_windows')
        .values({ id, managed_by: 'file', ...cols, created_by: actor.name, author_kind: actor.kind, author_id: actor.id, approval: 'approved', approval_reasons: '[]', approvers: '[]', ended_at: null, created_at: now, updated_at: now })
        .execute();
      await record('create', 'maintenance_window', id, w.name, fileDetail(w));
      continue;
    }
    const stored = Object.fromEntries(Object.keys(cols).map((k) => [k, (existing as unknown as Record<string, unknown>)[k] ?? null]));
    if (JSON.stringify(stored) === JSON.stringify(cols)) continue;
    await trx.updateTable('maintenance_windows').set({ ...cols, updated_at: now }).where('id', '=', existing.id).execute();
    await releaseAlerts(trx, existing.id, now);
    await record('update', 'maintenance_window', existing.id, w.name, fileDetail(w));
  }
  for (const [name, r] of byName) {
    if (seen.has(name)) continue;
    await releaseAlerts(trx, r.id, now);
    await trx.deleteFrom('maintenance_windows').where('id', '=', r.id).execute();
    await record('delete', 'maintenance_window', r.id, name);
  }
}

function fileDetail(w: OrgConfig['maintenanceWindows'][number]): Record<string, unknown> {
  return { scope: scopeText({ services: w.services, matchers: w.matchers }), ...timingToFile(w.timing) };
}

function timingToFile(t: WindowTiming): Record<string, string> {
  return t.kind === 'once' ? { starts_at: isoZ(t.startsAt), ends_at: isoZ(t.endsAt) } : recurrenceToFile(t.recurrence);
}

const isoZ = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The org file's maintenance sections, as export writes them. */
export async function maintenanceToFile(conn: Conn): Promise<{ maintenance_policy?: Record<string, unknown>; maintenance_windows?: Record<string, unknown>[] }> {
  const policy = JSON.parse((await getSetting(conn, 'maintenance_policy')) ?? 'null') as MaintenancePolicy | null;
  const rows = await conn.selectFrom('maintenance_windows').selectAll().where('managed_by', '=', 'file').orderBy('name').execute();
  const windows = rows.map(windowFromRow).map((w) => ({
    name: w.name,
    ...(w.scope.services.length ? { services: w.scope.services } : {}),
    ...(w.scope.matchers.length ? { matchers: w.scope.matchers.map(formatMatcher) } : {}),
    ...timingToFile(w.timing),
    comment: w.comment,
  }));
  return { ...maintenancePolicyToFile(policy), ...(windows.length ? { maintenance_windows: windows } : {}) };
}
