import { AppError, type FieldProblem } from '../domain/errors.js';
import { isOpen } from '../domain/incident/lifecycle.js';
import { actionItemsAssigned, ACTION_ITEM_STATUSES, draftPostmortem, type ActionItemStatus, type DraftInput } from '../domain/incident/postmortem.js';
import type { Conn, Tx } from '../store/db.js';
import { getIncident, getIncidentForUpdate, insertIncidentEvents, listIncidentAlerts, listIncidentEvents, listIncidentRoles, listIncidentUpdates, type IncidentRow } from '../store/incident.repo.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import {
  deleteActionItem as deleteItemRow,
  getActionItem,
  getPostmortemForUpdate,
  getPostmortemOfIncident,
  insertActionItem,
  listActionItems,
  setDeadlineMet,
  updateActionItem as updateItemRow,
  updatePostmortem as updatePostmortemRow,
  type ActionItemRow,
  type PostmortemRow,
} from '../store/postmortem.repo.js';
import type { UsersTable } from '../store/schema.js';
import type { Updateable } from 'kysely';
import type { PostmortemsTable } from '../store/postmortem.table.js';
import { audit } from './audit.js';
import type { Actor, Ctx } from './context.js';
import type { IncidentPolicy } from '../config/org-incidents.js';
import { changeIncident, loadPolicy } from './incidents.js';
import { ensurePostmortem, pmEvent } from './postmortem-hooks.js';

/**
 * What people do with post-mortems, one function per intent. Each locks the incident row (the
 * post-mortem belongs to it) and writes the change, its timeline row and its audit entry together.
 * Completing a post-mortem closes its resolved incident through the incident's own close
 * (changeIncident), so everything that hangs off closing happens the same way.
 */

const num = (id: number) => `#${id}`;
const noPostmortem = (incidentId: number) =>
  new AppError('not_found', `incident ${num(incidentId)} has no post-mortem; start one: watchkeeper postmortem draft ${incidentId} --save`);

function findUser(org: OrgSnapshot, ref: string): UsersTable | undefined {
  return org.usersByName.get(ref) ?? org.users.get(ref) ?? [...org.users.values()].find((u) => u.email.toLowerCase() === ref.toLowerCase());
}

/** Runs fn on the locked incident and its post-mortem in one transaction. */
async function withPostmortem<T>(ctx: Ctx, incidentId: number, fn: (trx: Tx, incident: IncidentRow, pm: PostmortemRow | undefined, org: OrgSnapshot, now: number) => Promise<T>): Promise<T> {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  const result = await ctx.store.tx(async (trx) => {
    const incident = await getIncidentForUpdate(trx, ctx.store.dialect, incidentId);
    if (!incident) throw AppError.notFound(`incident ${num(incidentId)}`);
    const pm = await getPostmortemForUpdate(trx, ctx.store.dialect, incidentId);
    return fn(trx, incident, pm, org, now);
  });
  ctx.bus.publish([{ type: 'incident.updated', at: now }]);
  return result;
}

const refuseComplete = (pm: PostmortemRow) => {
  if (pm.status === 'complete') throw new AppError('conflict', `the post-mortem of incident ${num(pm.incident_id)} is complete; it can no longer change`);
};

/** Starts a post-mortem by hand, for any incident. */
export const startPostmortem = (ctx: Ctx, incidentId: number, actor: Actor) =>
  withPostmortem(ctx, incidentId, async (trx, incident, existing, _org, now) => {
    if (existing) throw new AppError('conflict', `incident ${num(incidentId)} already has a post-mortem; open it: /incidents/${incidentId}/postmortem`);
    const { postmortem } = await ensurePostmortem(trx, ctx.store.dialect, incident, actor, now, null);
    await insertIncidentEvents(trx, [pmEvent(incidentId, now, actor, 'postmortem_started', `post-mortem started by ${actor.name}`, { postmortem: Number(postmortem.id), required: false })]);
    await audit(trx, actor, now, 'postmortem.start', 'incident', String(incidentId), `${num(incidentId)} ${incident.title}`, null);
    return postmortem;
  });

/** Everything the draft is written from, read from the record. */
export async function draftInput(conn: Conn, org: OrgSnapshot, policy: IncidentPolicy, incident: IncidentRow, pm: PostmortemRow | undefined): Promise<DraftInput> {
  const [roles, events, updates, attached, items] = await Promise.all([
    listIncidentRoles(conn, [incident.id], true),
    listIncidentEvents(conn, incident.id),
    listIncidentUpdates(conn, incident.id),
    listIncidentAlerts(conn, incident.id),
    pm ? listActionItems(conn, [pm.id]) : Promise.resolve([] as ActionItemRow[]),
  ]);
  const alertIds = attached.map((a) => Number(a.alert_id));
  const alerts = alertIds.length ? await conn.selectFrom('alerts').select(['id', 'summary', 'created_at', 'acknowledged_at']).where('id', 'in', alertIds).orderBy('id').execute() : [];
  const people: DraftInput['people'] = [];
  for (const r of roles) {
    const name = org.users.get(r.user_id)?.name ?? r.user_id;
    const role = policy.roles[r.role as keyof typeof policy.roles]?.name ?? r.role;
    if (!people.some((p) => p.name === name && p.role === role)) people.push({ role, name });
  }
  return {
    incident: {
      number: num(incident.id),
      title: incident.title,
      severity: incident.severity,
      status: incident.status,
      summary: incident.summary,
      services: (JSON.parse(incident.services) as string[]).map((id) => org.services.get(id)?.name ?? id),
      declaredAt: incident.declared_at,
      declaredBy: incident.declared_by,
      monitoringAt: incident.monitoring_at,
      resolvedAt: incident.resolved_at,
      closedAt: incident.closed_at,
    },
    people,
    events: events.map((e) => ({ at: e.at, kind: e.kind, actor: e.actor_name, message: e.message, data: e.data ? (JSON.parse(e.data) as unknown) : null })),
    updates: [...updates].reverse().map((u) => ({ at: u.at, status: u.status, impact: u.impact, actions: u.actions })),
    alerts: alerts.map((a) => ({ id: Number(a.id), summary: a.summary, createdAt: a.created_at, acknowledgedAt: a.acknowledged_at })),
    actionItems: items.map((i) => ({ title: i.title, owner: i.owner_id ? (org.users.get(i.owner_id)?.name ?? i.owner_id) : null, dueAt: i.due_at, status: i.status, link: i.link })),
    requiredBecause: pm ? (JSON.parse(pm.reasons) as string[]) : [],
  };
}

/** The markdown draft for an incident, from its record; stores nothing. */
export async function draftForIncident(ctx: Ctx, incidentId: number): Promise<string> {
  const incident = await getIncident(ctx.store.db, incidentId);
  if (!incident) throw AppError.notFound(`incident ${num(incidentId)}`);
  const pm = await getPostmortemOfIncident(ctx.store.db, incidentId);
  return draftPostmortem(await draftInput(ctx.store.db, await ctx.org.get(ctx.store.db), await loadPolicy(ctx), incident, pm));
}

/**
 * Writes a fresh draft into the post-mortem (starting one when the incident has none). Text people
 * edited is not overwritten unless `force`.
 */
export const saveDraft = async (ctx: Ctx, incidentId: number, actor: Actor, force = false) => {
  // Read outside the transaction: on SQLite a read through the pool would wait for it.
  const policy = await loadPolicy(ctx);
  return withPostmortem(ctx, incidentId, async (trx, incident, existing, org, now) => {
    if (existing) refuseComplete(existing);
    if (existing && Number(existing.body_edited) === 1 && !force) {
      throw new AppError('conflict', `force: the post-mortem of incident ${num(incidentId)} has edits a new draft would overwrite; keep them, or redraft with --force (API: "force": true)`, { field: 'force' });
    }
    let pm = existing;
    if (!pm) {
      pm = (await ensurePostmortem(trx, ctx.store.dialect, incident, actor, now, null)).postmortem;
      await insertIncidentEvents(trx, [pmEvent(incidentId, now, actor, 'postmortem_started', `post-mortem started by ${actor.name}`, { postmortem: Number(pm.id), required: false })]);
    }
    const body = draftPostmortem(await draftInput(trx, org, policy, incident, pm));
    const patch: Updateable<PostmortemsTable> = { body, body_edited: 0, drafted_at: now, body_saved_at: pm.body_saved_at ?? now, updated_at: now };
    await updatePostmortemRow(trx, pm.id, patch);
    await setDeadlineMet(trx, pm.id, 'initial_report', now);
    await audit(trx, actor, now, 'postmortem.draft', 'incident', String(incidentId), `${num(incidentId)} ${incident.title}`, { force });
    return { ...pm, ...patch } as PostmortemRow;
  });
};

export interface PostmortemPatch {
  body?: string | undefined;
  status?: 'draft' | 'in_review' | undefined;
  /** User name; null or '' clears it (the commander owns it again). */
  owner?: string | null | undefined;
  /** When the post-mortem meeting was held; null clears it. */
  meetingHeldAt?: number | null | undefined;
}

/** Edits the text, sends it to review (or back to draft), names the owner, records the meeting. */
export const changePostmortem = (ctx: Ctx, incidentId: number, actor: Actor, p: PostmortemPatch) =>
  withPostmortem(ctx, incidentId, async (trx, incident, pm, org, now) => {
    if (!pm) throw noPostmortem(incidentId);
    refuseComplete(pm);
    const problems: FieldProblem[] = [];
    const patch: Updateable<PostmortemsTable> = {};
    const events = [];
    if (p.body !== undefined && p.body !== pm.body) {
      patch.body = p.body;
      patch.body_edited = 1;
      if (pm.body_saved_at === null) patch.body_saved_at = now;
    }
    let ownerName: string | null | undefined;
    if (p.owner !== undefined) {
      const ref = p.owner?.trim() ?? '';
      const user = ref ? findUser(org, ref) : undefined;
      if (ref && !user) problems.push({ field: 'owner', message: `no user named "${ref}"` });
      else if ((user?.id ?? null) !== pm.owner_id) {
        patch.owner_id = user?.id ?? null;
        ownerName = user?.name ?? null;
      }
    }
    if (p.meetingHeldAt !== undefined && p.meetingHeldAt !== null && p.meetingHeldAt > now) problems.push({ field: 'meeting_held_at', message: 'must not be in the future; record the meeting once it was held' });
    const body = patch.body ?? pm.body;
    if (p.status === 'in_review' && pm.status !== 'in_review' && !body.trim()) problems.push({ field: 'status', message: `write the post-mortem before sending it to review: watchkeeper postmortem draft ${incidentId} --save` });
    if (problems.length) throw AppError.invalidMany(problems);
    if (ownerName !== undefined) events.push(pmEvent(incidentId, now, actor, 'postmortem_owner', ownerName ? `${ownerName} owns the post-mortem` : 'the commander owns the post-mortem again', { owner: ownerName }));
    if (p.status !== undefined && p.status !== pm.status) {
      patch.status = p.status;
      if (p.status === 'in_review') {
        patch.submitted_at = now;
        events.push(pmEvent(incidentId, now, actor, 'postmortem_in_review', `post-mortem sent to review by ${actor.name}`));
      } else events.push(pmEvent(incidentId, now, actor, 'postmortem_draft', `post-mortem back to draft by ${actor.name}`));
    }
    if (p.meetingHeldAt !== undefined && p.meetingHeldAt !== pm.meeting_held_at) {
      patch.meeting_held_at = p.meetingHeldAt;
      if (p.meetingHeldAt !== null) events.push(pmEvent(incidentId, now, actor, 'postmortem_meeting', `post-mortem meeting held ${new Date(p.meetingHeldAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`));
    }
    if (Object.keys(patch).length === 0) return pm;
    patch.updated_at = now;
    await updatePostmortemRow(trx, pm.id, patch);
    if (patch.body !== undefined) await setDeadlineMet(trx, pm.id, 'initial_report', now);
    if (patch.status === 'in_review') await setDeadlineMet(trx, pm.id, 'draft', now);
    if (patch.meeting_held_at !== undefined) await setDeadlineMet(trx, pm.id, 'meeting', patch.meeting_held_at === null ? null : now);
    await insertIncidentEvents(trx, events);
    await audit(trx, actor, now, 'postmortem.update', 'incident', String(incidentId), `${num(incidentId)} ${incident.title}`, { ...p, body: p.body === undefined ? undefined : `${p.body.length} characters` });
    return { ...pm, ...patch } as PostmortemRow;
  });

/**
 * Marks the post-mortem complete and closes its resolved incident. An open incident is refused:
 * resolve it first. A closed one (a post-mortem written later) stays closed.
 */
export async function completePostmortem(ctx: Ctx, incidentId: number, actor: Actor): Promise<PostmortemRow> {
  const pm = await withPostmortem(ctx, incidentId, async (trx, incident, pm, _org, now) => {
    if (!pm) throw noPostmortem(incidentId);
    refuseComplete(pm);
    if (isOpen(incident.status)) throw new AppError('conflict', `incident ${num(incidentId)} is ${incident.status}; resolve it before completing its post-mortem: watchkeeper incident resolve ${incidentId}`);
    if (!pm.body.trim()) throw new AppError('conflict', `the post-mortem of incident ${num(incidentId)} is empty; write it first: watchkeeper postmortem draft ${incidentId} --save`);
    const patch = { status: 'complete', completed_at: now, completed_by: actor.name, updated_at: now };
    await updatePostmortemRow(trx, pm.id, patch);
    await insertIncidentEvents(trx, [pmEvent(incidentId, now, actor, 'postmortem_completed', `post-mortem completed by ${actor.name}`)]);
    await audit(trx, actor, now, 'postmortem.complete', 'incident', String(incidentId), `${num(incidentId)} ${incident.title}`, null);
    return { ...pm, ...patch } as PostmortemRow;
  });
  const incident = await getIncident(ctx.store.db, incidentId);
  if (incident?.status === 'resolved') await changeIncident(ctx, incidentId, actor, { status: 'closed' });
  return pm;
}

export interface ActionItemInput {
  title?: string | undefined;
  owner?: string | null | undefined;
  dueAt?: number | null | undefined;
  status?: ActionItemStatus | undefined;
  link?: string | null | undefined;
}

function checkItem(org: OrgSnapshot, input: ActionItemInput, creating: boolean, problems: FieldProblem[]): Updateable<ActionItemRow> {
  const out: Updateable<ActionItemRow> = {};
  if (input.title !== undefined || creating) {
    const t = (input.title ?? '').trim();
    if (!t) problems.push({ field: 'title', message: 'must not be empty; say what will be done, e.g. "Alert on replica lag"' });
    else if (t.length > 200) problems.push({ field: 'title', message: 'must be at most 200 characters' });
    else out.title = t;
  }
  if (input.owner !== undefined) {
    const ref = input.owner?.trim() ?? '';
    const user = ref ? findUser(org, ref) : undefined;
    if (ref && !user) problems.push({ field: 'owner', message: `no user named "${ref}"` });
    else out.owner_id = user?.id ?? null;
  }
  if (input.dueAt !== undefined) out.due_at = input.dueAt;
  if (input.status !== undefined) {
    if (!(ACTION_ITEM_STATUSES as readonly string[]).includes(input.status)) problems.push({ field: 'status', message: `use one of ${ACTION_ITEM_STATUSES.join(', ')}` });
    else out.status = input.status;
  }
  if (input.link !== undefined) {
    const l = input.link?.trim() ?? '';
    let ok = l === '';
    if (l) {
      try {
        const u = new URL(l);
        ok = u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        ok = false;
      }
    }
    if (!ok) problems.push({ field: 'link', message: 'must be an http(s) URL, e.g. https://tracker.example.com/OPS-12' });
    else out.link = l || null;
  }
  return out;
}

/** Re-checks the "action items assigned" stage after items changed. */
async function recheckAssigned(trx: Tx, pmId: number, now: number): Promise<void> {
  const items = await listActionItems(trx, [pmId]);
  await setDeadlineMet(trx, pmId, 'action_items_assigned', actionItemsAssigned(items.map((i) => ({ owner: i.owner_id, status: i.status }))) ? now : null);
}

const itemWords = (org: OrgSnapshot, i: { title: string; owner_id: string | null; due_at: number | null }) =>
  `"${i.title}"${i.owner_id ? `, owner ${org.users.get(i.owner_id)?.name ?? i.owner_id}` : ''}${i.due_at !== null ? `, due ${new Date(i.due_at).toISOString().slice(0, 10)}` : ''}`;

export const addActionItem = (ctx: Ctx, incidentId: number, actor: Actor, input: ActionItemInput) =>
  withPostmortem(ctx, incidentId, async (trx, incident, pm, org, now) => {
    if (!pm) throw noPostmortem(incidentId);
    refuseComplete(pm);
    const problems: FieldProblem[] = [];
    const v = checkItem(org, input, true, problems);
    if (problems.length) throw AppError.invalidMany(problems);
    const status = (v.status as string | undefined) ?? 'open';
    const row = await insertActionItem(trx, {
      postmortem_id: pm.id,
      incident_id: incidentId,
      title: v.title as string,
      owner_id: (v.owner_id as string | null | undefined) ?? null,
      due_at: (v.due_at as number | null | undefined) ?? null,
      status,
      link: (v.link as string | null | undefined) ?? null,
      created_at: now,
      created_by: actor.name,
      updated_at: now,
      done_at: status === 'done' ? now : null,
      reminded_due_at: null,
    });
    await recheckAssigned(trx, pm.id, now);
    await updatePostmortemRow(trx, pm.id, { updated_at: now });
    await insertIncidentEvents(trx, [pmEvent(incidentId, now, actor, 'action_item_added', `action item added: ${itemWords(org, row)}`, { item: Number(row.id) })]);
    await audit(trx, actor, now, 'postmortem.action_item.add', 'incident', String(incidentId), `${num(incidentId)} ${incident.title}`, { title: row.title });
    return row;
  });

async function itemIncident(ctx: Ctx, itemId: number): Promise<ActionItemRow> {
  const item = await getActionItem(ctx.store.db, itemId);
  if (!item) throw AppError.notFound(`action item ${itemId}`);
  return item;
}

export async function changeActionItem(ctx: Ctx, itemId: number, actor: Actor, input: ActionItemInput): Promise<ActionItemRow> {
  const { incident_id } = await itemIncident(ctx, itemId);
  return withPostmortem(ctx, Number(incident_id), async (trx, incident, pm, org, now) => {
    const item = await getActionItem(trx, itemId);
    if (!pm || !item) throw AppError.notFound(`action item ${itemId}`);
    refuseComplete(pm);
    const problems: FieldProblem[] = [];
    const v = checkItem(org, input, false, problems);
    if (problems.length) throw AppError.invalidMany(problems);
    if (v.status !== undefined && v.status !== item.status) v.done_at = v.status === 'done' ? now : null;
    const next = { ...item, ...v, updated_at: now } as ActionItemRow;
    await updateItemRow(trx, itemId, { ...v, updated_at: now });
    await recheckAssigned(trx, pm.id, now);
    const events = [];
    if (v.status !== undefined && v.status !== item.status) events.push(pmEvent(incident.id, now, actor, 'action_item_status', `action item "${item.title}": ${item.status} → ${String(v.status)}`, { item: itemId }));
    else if (Object.keys(v).length) events.push(pmEvent(incident.id, now, actor, 'action_item_changed', `action item changed: ${itemWords(org, next)}`, { item: itemId }));
    await insertIncidentEvents(trx, events);
    await audit(trx, actor, now, 'postmortem.action_item.update', 'incident', String(incident.id), `${num(incident.id)} ${incident.title}`, { item: itemId, ...input });
    return next;
  });
}

export async function removeActionItem(ctx: Ctx, itemId: number, actor: Actor): Promise<void> {
  const { incident_id } = await itemIncident(ctx, itemId);
  await withPostmortem(ctx, Number(incident_id), async (trx, incident, pm, _org, now) => {
    const item = await getActionItem(trx, itemId);
    if (!pm || !item) throw AppError.notFound(`action item ${itemId}`);
    refuseComplete(pm);
    await deleteItemRow(trx, itemId);
    await recheckAssigned(trx, pm.id, now);
    await insertIncidentEvents(trx, [pmEvent(incident.id, now, actor, 'action_item_removed', `action item removed: "${item.title}"`, { item: itemId })]);
    await audit(trx, actor, now, 'postmortem.action_item.delete', 'incident', String(incident.id), `${num(incident.id)} ${incident.title}`, { item: itemId, title: item.title });
  });
}
