import { DateTime } from 'luxon';
import { NO_INCIDENT_POLICY, type IncidentPolicy } from '../config/org-incidents.js';
import { AppError, type FieldProblem } from '../domain/errors.js';
import {
  checkTransition,
  incidentSlug,
  isOpen,
  KEY_MOMENT_LABELS,
  nextUpdateDue,
  singleHolder,
  type IncidentRole,
  type IncidentStatus,
  type KeyMoment,
} from '../domain/incident/lifecycle.js';
import { queueNotice } from '../notify/notices.js';
import type { Tx } from '../store/db.js';
import {
  getIncidentForUpdate,
  getIncidentPolicy,
  incidentsHoldingAlerts,
  insertIncident,
  insertIncidentEvents,
  insertIncidentRole,
  insertIncidentUpdate,
  listIncidentAlerts,
  listIncidentRoles,
  relieveIncidentRole,
  updateIncident,
  type IncidentRow,
  type NewIncidentEvent,
} from '../store/incident.repo.js';
import type { IncidentsTable } from '../store/incident.table.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { UsersTable } from '../store/schema.js';
import type { Updateable } from 'kysely';
import { audit } from './audit.js';
import { incidentEventRow } from './timeline.js';
import { postmortemOnResolve, refuseCloseWithoutPostmortem } from './postmortem-hooks.js';
import type { Actor, Ctx } from './context.js';

/**
 * What people do with incidents: one function per intent. Each owns its transaction, locks the
 * incident row, and writes the change, its timeline rows, its audit entry and the notices it
 * causes together.
 *
 * A commander is required for the severities the org file's `incident_policy.commander_required_for`
 * lists. Declaring such an incident without naming one makes the declarer the commander when the
 * declarer is a person (the handbooks' "I'm investigating" claim); a token that belongs to no
 * person is refused, naming the `commander` field, because nobody would be reminded to post updates.
 */

export interface DeclareInput {
  title: string;
  severity?: string | undefined;
  summary?: string | undefined;
  services?: string[] | undefined;
  alerts?: number[] | undefined;
  commander?: string | undefined;
  /** Page the commander instead of sending a notice; default from the policy's roles. */
  page?: boolean | undefined;
}

export const ROLE_WORD: Record<IncidentRole, string> = { commander: 'commander', ops_lead: 'ops lead', comms_lead: 'communications lead', sme: 'subject-matter expert' };
export const incidentNumber = (id: number): string => `#${id}`;
const incidentUrl = (id: number): string => `/incidents/${id}`;

export async function loadPolicy(ctx: Ctx): Promise<IncidentPolicy> {
  return (await getIncidentPolicy(ctx.store.db)) ?? NO_INCIDENT_POLICY;
}

export const cadenceOf = (p: IncidentPolicy) => ({ every: p.updateEvery });

const eventOf = incidentEventRow;


function findUser(org: OrgSnapshot, ref: string): UsersTable | undefined {
  return org.usersByName.get(ref) ?? org.users.get(ref) ?? [...org.users.values()].find((u) => u.email.toLowerCase() === ref.toLowerCase());
}

function findService(org: OrgSnapshot, ref: string) {
  const lower = ref.toLowerCase();
  return org.services.get(ref) ?? [...org.services.values()].find((s) => s.name === ref || s.name.toLowerCase() === lower);
}

/** The person an actor is, when it is one. */
function actorUser(org: OrgSnapshot, actor: Actor): UsersTable | undefined {
  return actor.kind === 'user' && actor.id ? org.users.get(actor.id) : undefined;
}

const clockText = (t: number, zone: string): string => DateTime.fromMillis(t, { zone }).toFormat('HH:mm ZZZZ');

/**
 * Methods a role page goes to: the person's verified methods their high-urgency rules notify at
 * once. A page for an alert needs an alert to acknowledge; a role assignment has none, so it is
 * sent through the notice outbox to the methods a page would ring first.
 */
export function pageMethodIds(org: OrgSnapshot, userId: string): string[] {
  const ids = new Set<string>();
  for (const r of org.rulesByUser.get(userId) ?? []) {
    if (r.delay_minutes !== 0 || (r.urgency !== 'high' && r.urgency !== 'any')) continue;
    const cm = org.contactMethods.get(r.contact_method_id);
    if (cm && cm.verified && !Number(cm.paused)) ids.add(cm.id);
  }
  return [...ids];
}

/** Queues the "you have a role" message; returns how many messages were queued. */
async function notifyRole(trx: Tx, org: OrgSnapshot, now: number, policy: IncidentPolicy, incident: IncidentRow, role: IncidentRole, roleRowId: number, user: UsersTable, by: Actor, page: boolean | undefined): Promise<number> {
  // Taking a role yourself (declaring a critical incident, say) needs no message to yourself.
  if (by.kind === 'user' && by.id === user.id) return 0;
  const roleName = policy.roles[role].name;
  const subject = `Incident ${incidentNumber(incident.id)}: you are ${roleName}`;
  const text = [
    `${by.name} made you ${roleName} of incident ${incidentNumber(incident.id)} "${incident.title}" (${incident.severity}, ${incident.status}).`,
    role === 'commander' ? 'You lead the response and post the status updates.' : null,
    `Open it: ${incidentUrl(incident.id)}`,
  ]
    .filter(Boolean)
    .join('\n');
  const input = {
    userId: user.id,
    kind: 'incident_role' as const,
    key: `incident:${incident.id}:role:${roleRowId}`,
    subject,
    text,
    short: `${incidentNumber(incident.id)} ${incident.severity.toUpperCase()}: you are ${roleName}. ${incident.title}`,
    url: incidentUrl(incident.id),
    data: { incident: incident.id, role, role_name: roleName, severity: incident.severity, title: incident.title, paged: false },
  };
  if (page ?? policy.roles[role].page) {
    const methods = pageMethodIds(org, user.id);
    let n = 0;
    for (const contactMethodId of methods) n += await queueNotice(trx, org, now, { ...input, contactMethodId, data: { ...input.data, paged: true } });
    if (methods.length > 0) return n;
  }
  return queueNotice(trx, org, now, input);
}

/** Assigns a role inside a transaction: relieves a single holder, records, notifies. */
async function assignInTx(trx: Tx, org: OrgSnapshot, now: number, policy: IncidentPolicy, incident: IncidentRow, role: IncidentRole, user: UsersTable, actor: Actor, page: boolean | undefined): Promise<number> {
  const current = (await listIncidentRoles(trx, [incident.id])).filter((r) => r.role === role);
  if (current.some((r) => r.user_id === user.id)) throw new AppError('conflict', `user: ${user.name} is already ${policy.roles[role].name} of incident ${incidentNumber(incident.id)}`, { field: 'user' });
  const events: NewIncidentEvent[] = [];
  if (singleHolder(role)) {
    for (const r of current) {
      await relieveIncidentRole(trx, r.id, now);
      const prev = org.users.get(r.user_id);
      events.push(eventOf(incident.id, now, actor, 'role_relieved', `${prev?.name ?? r.user_id} handed over ${policy.roles[role].name}`, { role, user: prev?.name ?? r.user_id }));
    }
  }
  const row = await insertIncidentRole(trx, { incident_id: incident.id, role, user_id: user.id, assigned_at: now, assigned_by: actor.name, relieved_at: null });
  events.push(eventOf(incident.id, now, actor, 'role_assigned', `${user.name} is ${policy.roles[role].name} (assigned by ${actor.name})`, { role, user: user.name }));
  await insertIncidentEvents(trx, events);
  return notifyRole(trx, org, now, policy, incident, role, Number(row.id), user, actor, page);
}

async function attachInTx(trx: Tx, incident: IncidentRow, alertIds: number[], actor: Actor, now: number, field: string): Promise<number> {
  const unique = [...new Set(alertIds)];
  if (unique.length === 0) return 0;
  const alerts = await trx.selectFrom('alerts').select(['id', 'summary', 'status']).where('id', 'in', unique).execute();
  const found = new Map(alerts.map((a) => [Number(a.id), a]));
  const problems: FieldProblem[] = [];
  unique.forEach((id, i) => {
    if (!found.has(id)) problems.push({ field: `${field}[${i}]`, message: `no alert #${id}` });
  });
  const held = await incidentsHoldingAlerts(trx, unique);
  unique.forEach((id, i) => {
    const other = held.get(id);
    if (other !== undefined && other !== incident.id) problems.push({ field: `${field}[${i}]`, message: `alert #${id} is in incident ${incidentNumber(other)}; detach it there first` });
    if (other === incident.id) problems.push({ field: `${field}[${i}]`, message: `alert #${id} is already attached` });
  });
  if (problems.length) throw AppError.invalidMany(problems);
  for (const id of unique) {
    await trx
      .insertInto('incident_alerts')
      .values({ incident_id: incident.id, alert_id: id, attached_at: now, attached_by: actor.name, detached_at: null })
      .onConflict((oc) => oc.columns(['incident_id', 'alert_id']).doUpdateSet({ attached_at: now, attached_by: actor.name, detached_at: null }))
      .execute();
  }
  await insertIncidentEvents(
    trx,
    unique.map((id) => eventOf(incident.id, now, actor, 'alert_attached', `alert #${id} attached: ${found.get(id)!.summary}`, { alert: id })),
  );
  return unique.length;
}

export async function declareIncident(ctx: Ctx, actor: Actor, input: DeclareInput): Promise<IncidentRow> {
  const org = await ctx.org.get(ctx.store.db);
  const policy = await loadPolicy(ctx);
  const now = ctx.clock.now();
  const problems: FieldProblem[] = [];
  const title = input.title.trim();
  if (!title) problems.push({ field: 'title', message: 'must not be empty; say what is broken, e.g. "Checkout returns 5xx"' });
  if (title.length > 200) problems.push({ field: 'title', message: 'must be at most 200 characters' });
  const alertIds = [...new Set(input.alerts ?? [])];
  const alerts = alertIds.length ? await ctx.store.db.selectFrom('alerts').select(['id', 'severity', 'service_id']).where('id', 'in', alertIds).execute() : [];
  const found = new Set(alerts.map((a) => Number(a.id)));
  alertIds.forEach((id, i) => {
    if (!found.has(id)) problems.push({ field: `alerts[${i}]`, message: `no alert #${id}` });
  });
  let severity: string | null = null;
  if (input.severity !== undefined) {
    const r = org.severities.resolve(input.severity);
    if (r.ok) severity = r.severity;
    else problems.push({ field: 'severity', message: r.message });
  } else if (alerts.length) {
    // From alerts: the most severe of them, so a critical alert makes a critical incident.
    severity = alerts.map((a) => a.severity).sort((a, b) => org.severities.rank(a) - org.severities.rank(b))[0] ?? null;
  } else if (alertIds.length === 0) {
    problems.push({ field: 'severity', message: `required when no alert is given; use one of ${org.severities.names().join(', ')}` });
  }
  const serviceIds: string[] = [];
  (input.services ?? []).forEach((ref, i) => {
    const svc = findService(org, ref);
    if (!svc) problems.push({ field: `services[${i}]`, message: `no service named "${ref}"` });
    else if (!serviceIds.includes(svc.id)) serviceIds.push(svc.id);
  });
  for (const a of alerts) if (!serviceIds.includes(a.service_id)) serviceIds.push(a.service_id);
  let commander: UsersTable | undefined;
  if (input.commander !== undefined) {
    commander = findUser(org, input.commander);
    if (!commander) problems.push({ field: 'commander', message: `no user named "${input.commander}"` });
  } else if (severity && policy.commanderRequiredFor.includes(severity)) {
    commander = actorUser(org, actor);
    if (!commander) problems.push({ field: 'commander', message: `required for ${severity} incidents: name who leads the response (a user name, e.g. alice)` });
  }
  if (problems.length) throw AppError.invalidMany(problems);

  const { incident, notices } = await ctx.store.tx(async (trx) => {
    const incident = await insertIncident(trx, {
      slug: incidentSlug(title, now),
      title,
      summary: input.summary?.trim() ?? '',
      status: 'investigating',
      severity: severity!,
      services: JSON.stringify(serviceIds),
      declared_at: now,
      declared_by: actor.name,
      updated_at: now,
      identified_at: null,
      monitoring_at: null,
      resolved_at: null,
      closed_at: null,
      last_update_at: null,
      next_update_at: nextUpdateDue(cadenceOf(policy), severity!, 'investigating', now),
    });
    const serviceNames = serviceIds.map((id) => org.services.get(id)?.name ?? id);
    await insertIncidentEvents(trx, [
      eventOf(incident.id, now, actor, 'declared', `declared by ${actor.name} via ${actor.surface}: ${severity} "${title}"${serviceNames.length ? ` affecting ${serviceNames.join(', ')}` : ''}`, { severity, services: serviceNames }),
    ]);
    await attachInTx(trx, incident, alertIds, actor, now, 'alerts');
    const notices = commander ? await assignInTx(trx, org, now, policy, incident, 'commander', commander, actor, input.page) : 0;
    await audit(trx, actor, now, 'incident.declare', 'incident', String(incident.id), `${incidentNumber(incident.id)} ${title}`, { severity, services: serviceNames, alerts: alertIds, commander: commander?.name ?? null });
    return { incident, notices };
  });
  ctx.bus.publish([{ type: 'incident.updated', at: now }]);
  if (notices > 0) ctx.wake();
  return incident;
}

/** Runs fn on the locked incident in one transaction; wakes the notifier when notices were queued. */
async function withIncident<T>(ctx: Ctx, id: number, fn: (trx: Tx, incident: IncidentRow, org: OrgSnapshot, policy: IncidentPolicy, now: number) => Promise<{ result: T; notices?: number }>): Promise<T> {
  const org = await ctx.org.get(ctx.store.db);
  const policy = await loadPolicy(ctx);
  const now = ctx.clock.now();
  const { result, notices } = await ctx.store.tx(async (trx) => {
    const incident = await getIncidentForUpdate(trx, ctx.store.dialect, id);
    if (!incident) throw AppError.notFound(`incident ${incidentNumber(id)}`);
    return fn(trx, incident, org, policy, now);
  });
  // Live views refetch what they show; the event names no incident (ChangeEvent carries alert ids).
  ctx.bus.publish([{ type: 'incident.updated', at: now }]);
  if ((notices ?? 0) > 0) ctx.wake();
  return result;
}

const refuseClosed = (incident: IncidentRow) => {
  if (incident.status === 'closed') throw new AppError('conflict', `incident ${incidentNumber(incident.id)} is closed; closed is final. Declare a new incident`);
};

/** Fields a status change sets besides the status itself. */
function statusPatch(incident: IncidentRow, to: IncidentStatus, now: number, policy: IncidentPolicy, severity = incident.severity): Updateable<IncidentsTable> {
  const patch: Updateable<IncidentsTable> = { status: to, updated_at: now };
  if (to === 'identified' && incident.identified_at === null) patch.identified_at = now;
  if (to === 'monitoring' && incident.monitoring_at === null) patch.monitoring_at = now;
  if (to === 'resolved') patch.resolved_at = now;
  if (to === 'closed') patch.closed_at = now;
  if (!isOpen(to)) patch.next_update_at = null;
  else if (!isOpen(incident.status)) {
    // Reopened: an update is owed again, counted from now.
    patch.resolved_at = null;
    patch.next_update_at = nextUpdateDue(cadenceOf(policy), severity, to, now);
  }
  return patch;
}

export interface IncidentPatch {
  status?: IncidentStatus | undefined;
  severity?: string | undefined;
  title?: string | undefined;
  summary?: string | undefined;
  services?: string[] | undefined;
}

/** Changes status, severity, title, summary or affected services; each change is on the timeline. */
export const changeIncident = (ctx: Ctx, id: number, actor: Actor, p: IncidentPatch) =>
  withIncident(ctx, id, async (trx, incident, org, policy, now) => {
    refuseClosed(incident);
    const problems: FieldProblem[] = [];
    const patch: Updateable<IncidentsTable> = {};
    const events: NewIncidentEvent[] = [];
    let notices = 0;
    if (p.title !== undefined) {
      const t = p.title.trim();
      if (!t) problems.push({ field: 'title', message: 'must not be empty' });
      else if (t.length > 200) problems.push({ field: 'title', message: 'must be at most 200 characters' });
      else if (t !== incident.title) {
        patch.title = t;
        events.push(eventOf(id, now, actor, 'title_changed', `title changed to "${t}"`, { from: incident.title, to: t }));
      }
    }
    if (p.summary !== undefined && p.summary.trim() !== incident.summary) patch.summary = p.summary.trim();
    let severity = incident.severity;
    if (p.severity !== undefined) {
      const r = org.severities.resolve(p.severity);
      if (!r.ok) problems.push({ field: 'severity', message: r.message });
      else if (r.severity !== incident.severity) {
        severity = r.severity;
        patch.severity = severity;
        events.push(eventOf(id, now, actor, 'severity_changed', `severity ${incident.severity} → ${severity}`, { from: incident.severity, to: severity }));
        // The cadence of the new severity, counted from the last update (or the declaration).
        if (isOpen(incident.status)) patch.next_update_at = nextUpdateDue(cadenceOf(policy), severity, incident.status as IncidentStatus, incident.last_update_at ?? incident.declared_at);
      }
    }
    if (p.services !== undefined) {
      const ids: string[] = [];
      p.services.forEach((ref, i) => {
        const svc = findService(org, ref);
        if (!svc) problems.push({ field: `services[${i}]`, message: `no service named "${ref}"` });
        else if (!ids.includes(svc.id)) ids.push(svc.id);
      });
      if (JSON.stringify(ids) !== incident.services) {
        patch.services = JSON.stringify(ids);
        events.push(eventOf(id, now, actor, 'services_changed', `affected services: ${ids.map((s) => org.services.get(s)?.name ?? s).join(', ') || 'none'}`));
      }
    }
    if (problems.length) throw AppError.invalidMany(problems);
    if (p.status !== undefined && p.status !== incident.status) {
      checkTransition(incident.status as IncidentStatus, p.status);
      if (p.status === 'closed') await refuseCloseWithoutPostmortem(trx, incident);
      Object.assign(patch, statusPatch(incident, p.status, now, policy, severity));
      events.push(eventOf(id, now, actor, 'status_changed', `status ${incident.status} → ${p.status} by ${actor.name}`, { from: incident.status, to: p.status }));
    } else if (p.status !== undefined) {
      checkTransition(incident.status as IncidentStatus, p.status);
    }
    if (patch.severity && policy.commanderRequiredFor.includes(severity) && isOpen((patch.status as string | undefined) ?? incident.status)) {
      const commanders = (await listIncidentRoles(trx, [id])).filter((r) => r.role === 'commander');
      if (commanders.length === 0) {
        const me = actorUser(org, actor);
        if (!me) throw AppError.invalid('severity', `${severity} incidents need a commander; assign one first (role commander)`);
        notices += await assignInTx(trx, org, now, policy, incident, 'commander', me, actor, undefined);
      }
    }
    if (events.length === 0 && Object.keys(patch).length === 0) return { result: incident };
    await updateIncident(trx, id, { ...patch, updated_at: now });
    await insertIncidentEvents(trx, events);
    if (patch.status === 'resolved') notices += await postmortemOnResolve(trx, ctx.store.dialect, org, { ...incident, ...patch } as IncidentRow, actor, now);
    await audit(trx, actor, now, 'incident.update', 'incident', String(id), `${incidentNumber(id)} ${incident.title}`, p);
    return { result: { ...incident, ...patch, updated_at: now } as IncidentRow, notices };
  });

export const assignIncidentRole = (ctx: Ctx, id: number, actor: Actor, role: IncidentRole, userRef: string, page?: boolean) =>
  withIncident(ctx, id, async (trx, incident, org, policy, now) => {
    refuseClosed(incident);
    const user = findUser(org, userRef);
    if (!user) throw AppError.invalid('user', `no user named "${userRef}"`);
    const notices = await assignInTx(trx, org, now, policy, incident, role, user, actor, page);
    await audit(trx, actor, now, 'incident.role.assign', 'incident', String(id), `${incidentNumber(id)} ${incident.title}`, { role, user: user.name, page: page ?? policy.roles[role].page });
    return { result: incident, notices };
  });

export const relieveIncidentRoleHolder = (ctx: Ctx, id: number, actor: Actor, role: IncidentRole, userRef: string) =>
  withIncident(ctx, id, async (trx, incident, org, policy, now) => {
    refuseClosed(incident);
    const user = findUser(org, userRef);
    if (!user) throw AppError.invalid('user', `no user named "${userRef}"`);
    const held = (await listIncidentRoles(trx, [id])).find((r) => r.role === role && r.user_id === user.id);
    if (!held) throw AppError.invalid('user', `${user.name} is not ${policy.roles[role].name} of incident ${incidentNumber(id)}`);
    if (role === 'commander' && isOpen(incident.status) && policy.commanderRequiredFor.includes(incident.severity)) {
      throw new AppError('conflict', `role: ${incident.severity} incidents need a commander; assign the new commander instead (the role is handed over)`, { field: 'role' });
    }
    await relieveIncidentRole(trx, held.id, now);
    await insertIncidentEvents(trx, [eventOf(id, now, actor, 'role_relieved', `${user.name} is no longer ${policy.roles[role].name}`, { role, user: user.name })]);
    await audit(trx, actor, now, 'incident.role.relieve', 'incident', String(id), `${incidentNumber(id)} ${incident.title}`, { role, user: user.name });
    return { result: incident };
  });

export interface UpdateInput {
  status?: IncidentStatus | undefined;
  impact: string;
  actions: string;
  /** The template's "Next update" time; default: the cadence of the severity. */
  nextUpdateAt?: number | undefined;
}

/** A status update in the handbooks' template; resets the update clock. */
export const postIncidentUpdate = (ctx: Ctx, id: number, actor: Actor, input: UpdateInput) =>
  withIncident(ctx, id, async (trx, incident, org, policy, now) => {
    refuseClosed(incident);
    const problems: FieldProblem[] = [];
    const impact = input.impact.trim();
    const actions = input.actions.trim();
    if (!impact) problems.push({ field: 'impact', message: 'must not be empty: who or what is affected, e.g. "Checkout fails for all users"' });
    if (!actions) problems.push({ field: 'actions', message: 'must not be empty: what is being done now' });
    if (input.nextUpdateAt !== undefined && (input.nextUpdateAt <= now || input.nextUpdateAt > now + 24 * 3_600_000)) problems.push({ field: 'next_update_at', message: 'must be in the next 24 hours' });
    if (problems.length) throw AppError.invalidMany(problems);
    const status = input.status ?? (incident.status as IncidentStatus);
    const events: NewIncidentEvent[] = [];
    let patch: Updateable<IncidentsTable> = { updated_at: now, last_update_at: now };
    if (status !== incident.status) {
      checkTransition(incident.status as IncidentStatus, status);
      if (status === 'closed') throw AppError.invalid('status', 'close the incident with its own action, not an update');
      patch = { ...patch, ...statusPatch(incident, status, now, policy) };
      events.push(eventOf(id, now, actor, 'status_changed', `status ${incident.status} → ${status} by ${actor.name}`, { from: incident.status, to: status }));
    }
    const next = nextUpdateDue(cadenceOf(policy), incident.severity, status, now, input.nextUpdateAt ?? null);
    patch.next_update_at = next;
    const update = await insertIncidentUpdate(trx, {
      incident_id: id,
      at: now,
      status,
      impact,
      actions,
      next_update_at: next,
      visibility: 'internal',
      author_kind: actor.kind,
      author_id: actor.id,
      author_name: actor.name,
    });
    events.push(eventOf(id, now, actor, 'update', `status update (${status}): ${impact} — ${actions}`, { update: Number(update.id), status, impact, actions, next_update_at: next === null ? null : new Date(next).toISOString() }));
    await updateIncident(trx, id, patch);
    await insertIncidentEvents(trx, events);
    const notices = status === 'resolved' && incident.status !== 'resolved' ? await postmortemOnResolve(trx, ctx.store.dialect, org, { ...incident, ...patch } as IncidentRow, actor, now) : 0;
    await audit(trx, actor, now, 'incident.status_update', 'incident', String(id), `${incidentNumber(id)} ${incident.title}`, { status, impact, actions });
    return { result: { ...incident, ...patch } as IncidentRow, notices };
  });

/** A note on the timeline; with `moment`, a key moment (root cause identified, mitigation applied, service restored). */
export const addIncidentNote = (ctx: Ctx, id: number, actor: Actor, text: string, moment?: KeyMoment) =>
  withIncident(ctx, id, async (trx, incident, _org, _policy, now) => {
    const t = text.trim();
    if (!t && !moment) throw AppError.invalid('text', 'must not be empty');
    if (t.length > 10_000) throw AppError.invalid('text', 'must be at most 10000 characters');
    const ev = moment
      ? eventOf(id, now, actor, 'key_moment', `${KEY_MOMENT_LABELS[moment]}${t ? `: ${t}` : ''}`, { moment, text: t })
      : eventOf(id, now, actor, 'note', t);
    await insertIncidentEvents(trx, [ev]);
    await updateIncident(trx, id, { updated_at: now });
    await audit(trx, actor, now, moment ? 'incident.key_moment' : 'incident.note', 'incident', String(id), `${incidentNumber(id)} ${incident.title}`, moment ? { moment, text: t } : { text: t });
    return { result: incident };
  });

export const attachIncidentAlerts = (ctx: Ctx, id: number, actor: Actor, alertIds: number[]) =>
  withIncident(ctx, id, async (trx, incident, _org, _policy, now) => {
    refuseClosed(incident);
    if (alertIds.length === 0) throw AppError.invalid('alerts', 'list at least one alert number');
    const n = await attachInTx(trx, incident, alertIds, actor, now, 'alerts');
    await updateIncident(trx, id, { updated_at: now });
    await audit(trx, actor, now, 'incident.alerts.attach', 'incident', String(id), `${incidentNumber(id)} ${incident.title}`, { alerts: alertIds });
    return { result: n };
  });

export const detachIncidentAlert = (ctx: Ctx, id: number, actor: Actor, alertId: number) =>
  withIncident(ctx, id, async (trx, incident, _org, _policy, now) => {
    refuseClosed(incident);
    const attached = (await listIncidentAlerts(trx, id)).some((a) => Number(a.alert_id) === alertId);
    if (!attached) throw AppError.notFound(`alert #${alertId} in incident ${incidentNumber(id)}`);
    await trx.updateTable('incident_alerts').set({ detached_at: now }).where('incident_id', '=', id).where('alert_id', '=', alertId).execute();
    await insertIncidentEvents(trx, [eventOf(id, now, actor, 'alert_detached', `alert #${alertId} detached by ${actor.name}`, { alert: alertId })]);
    await updateIncident(trx, id, { updated_at: now });
    await audit(trx, actor, now, 'incident.alerts.detach', 'incident', String(id), `${incidentNumber(id)} ${incident.title}`, { alert: alertId });
    return { result: null };
  });

/** The reminder the commander gets when a status update is overdue. */
export function updateDueNotice(incident: IncidentRow, user: UsersTable, due: number, every: number | null) {
  const at = clockText(due, user.time_zone);
  return {
    userId: user.id,
    kind: 'incident_update_due' as const,
    key: `incident:${incident.id}:update-due:${due}`,
    subject: `Incident ${incidentNumber(incident.id)}: status update overdue (due ${at})`,
    text: [
      `The status update for incident ${incidentNumber(incident.id)} "${incident.title}" (${incident.severity}, ${incident.status}) was due at ${at}${every ? `; ${incident.severity} incidents get one every ${Math.round(every / 60_000)} minutes` : ''}.`,
      'Post one: status, impact, current actions, next update time.',
      `Open it: ${incidentUrl(incident.id)} or run: watchkeeper incident update ${incident.id} --impact "…" --actions "…"`,
    ].join('\n'),
    short: `${incidentNumber(incident.id)} ${incident.severity.toUpperCase()}: status update overdue since ${at}. ${incident.title}`,
    url: incidentUrl(incident.id),
    data: { incident: incident.id, due_at: new Date(due).toISOString(), severity: incident.severity, title: incident.title },
  };
}
