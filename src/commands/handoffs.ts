import { AppError } from '../domain/errors.js';
import { buildHandoffNote, renderHandoffText, type HandoffNoteContent, type NoteAlert, type NoteIncident } from '../domain/handoff/note.js';
import { stretches, type Transition } from '../domain/handoff/transitions.js';
import { finalShifts, type ScheduleSpec } from '../domain/schedule/schedule.js';
import { getAlertForUpdate, insertAlertEvents, updateAlert } from '../store/alert.repo.js';
import type { Conn, Tx } from '../store/db.js';
import {
  acknowledgedBy,
  alertsOpenedBetween,
  auditAbout,
  commandersBetween,
  countUnread,
  deleteWatchItem,
  findHandoffNote,
  findWatchItem,
  incidentsOpenBetween,
  insertHandoffNote,
  insertWatchItem,
  listHandoffNotes,
  markHandedOver,
  markNoteRead,
  openAlertsOf,
  updateWatchItem,
  watchItemsBetween,
  type HandoffNoteRow,
  type WatchItemRow,
} from '../store/handoff.repo.js';
import { newId } from '../store/ids.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { overridesBetween, toOverride, type StoredSchedule } from '../store/schedule.repo.js';
import type { ServicesTable } from '../store/schema.js';
import { audit } from './audit.js';
import type { Actor, ChangeEvent, Ctx } from './context.js';
import { formatInstant } from './handoff-notices.js';
import { DAY, findSchedule, specOf, WHOLE_SHIFT_REACH_MS, wholeShifts } from './schedules.js';
import { eventRow } from './timeline.js';
import { scopeText, windowsDuring } from './maintenance.js';

/**
 * Shift handoffs: the note written at each shift change (by the engine, see
 * engine/modules/shift-notices.ts), reading and acknowledging it, handing acknowledged alerts to
 * the incoming person in one action, and the watch items the person on call writes for the next.
 *
 * Which alerts belong to a schedule: those of services whose escalation policy targets the
 * schedule, and those of services of the schedule's team.
 */

/** A note covers at most this much of a long shift (a month), so it stays a handoff, not a history. */
export const NOTE_MAX_PERIOD_MS = 31 * DAY;
const NOTE_ALERT_LIMIT = 1000;
const NOTE_CHANGE_LIMIT = 200;
const WATCH_TEXT_MAX = 500;

/** Who is asking and what they may do: responders act for themselves, managers and admins for anyone. */
export interface Caller {
  actor: Actor;
  /** The person behind the token or session; null for a token that is nobody's. */
  userId: string | null;
  /** Manager or admin. */
  manager: boolean;
}

// ---------------------------------------------------------------------------------------------
// Which services, alerts and changes belong to a schedule

export function relevantServices(org: OrgSnapshot, s: StoredSchedule): ServicesTable[] {
  const policies = new Set([...org.policies.values()].filter((p) => p.spec.levels.some((l) => l.targets.some((t) => t.kind === 'schedule' && t.id === s.id))).map((p) => p.id));
  return [...org.services.values()]
    .filter((svc) => (svc.escalation_policy_id !== null && policies.has(svc.escalation_policy_id)) || (s.teamId !== null && svc.team_id === s.teamId))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Ids whose audit entries are "recent changes relevant to the team": the schedule, its team, services and their policies. */
function relevantEntityIds(org: OrgSnapshot, s: StoredSchedule, services: ServicesTable[]): string[] {
  const ids = new Set<string>([s.id]);
  if (s.teamId) ids.add(s.teamId);
  for (const svc of services) {
    ids.add(svc.id);
    if (svc.escalation_policy_id) ids.add(svc.escalation_policy_id);
  }
  for (const p of org.policies.values()) if (p.spec.levels.some((l) => l.targets.some((t) => t.kind === 'schedule' && t.id === s.id))) ids.add(p.id);
  return [...ids];
}

/**
 * The stretch of on-call time (one person, whatever layers and overrides put them there) under
 * way at t, with its real start and end; end is null when it runs past the reach of the search.
 */
export function stretchAt(spec: ScheduleSpec, t: number): { userId: string; start: number; end: number | null } | null {
  const [st] = wholeShifts((a, b) => stretches(finalShifts(spec, a, b)), t, t + 1, (x, y) => x.userId === y.userId);
  if (!st || st.start > t) return null;
  return { userId: st.userId, start: st.start, end: st.end >= t + WHOLE_SHIFT_REACH_MS ? null : st.end };
}

/** A schedule's spec with the overrides that can matter around t (reaching as far as a shift is followed). */
export async function specAround(conn: Conn, s: StoredSchedule, t: number): Promise<ScheduleSpec> {
  const rows = await overridesBetween(conn, [s.id], t - WHOLE_SHIFT_REACH_MS, t + WHOLE_SHIFT_REACH_MS);
  return specOf(s, rows.map(toOverride));
}

type AlertSel = Awaited<ReturnType<typeof openAlertsOf>>[number];
const noteAlert = (services: Map<string, string>, a: AlertSel): NoteAlert => ({
  id: Number(a.id),
  summary: a.summary,
  severity: a.severity,
  status: a.status,
  service: services.get(a.service_id) ?? a.service_id,
  createdAt: a.created_at,
  acknowledgedBy: a.acknowledged_by,
  count: a.count,
});

/**
 * Writes the handoff note of one shift change, in the caller's transaction; returns its id and
 * content, or null when the note was written before (its unique key) or nobody hands over.
 */
export async function writeHandoffNote(trx: Tx, org: OrgSnapshot, s: StoredSchedule, spec: ScheduleSpec, t: Transition, now: number): Promise<{ id: number; content: HandoffNoteContent } | null> {
  if (t.outgoing === null || t.incoming === null) return null;
  const outgoingShift = stretchAt(spec, t.at - 1);
  const shiftStart = Math.max(outgoingShift?.start ?? t.at, t.at - NOTE_MAX_PERIOD_MS);
  const services = relevantServices(org, s);
  const serviceIds = services.map((x) => x.id);
  const serviceNames = new Map(services.map((x) => [x.id, x.name]));
  const [during, open, items, changes, incidents] = await Promise.all([
    alertsOpenedBetween(trx, serviceIds, shiftStart, t.at, NOTE_ALERT_LIMIT),
    openAlertsOf(trx, serviceIds, NOTE_ALERT_LIMIT),
    watchItemsBetween(trx, s.id, t.outgoing, shiftStart, t.at),
    auditAbout(trx, relevantEntityIds(org, s, services), shiftStart, t.at, NOTE_CHANGE_LIMIT),
    shiftIncidents(trx, serviceIds, t.outgoing, shiftStart, t.at),
  ]);
  const name = (id: string) => org.users.get(id)?.name ?? id;
  const content = buildHandoffNote({
    schedule: s.name,
    timeZone: s.timeZone,
    outgoing: name(t.outgoing),
    incoming: name(t.incoming),
    shiftStart,
    handoffAt: t.at,
    duringShift: during.map((a) => noteAlert(serviceNames, a)),
    open: open.map((a) => noteAlert(serviceNames, a)),
    watchItems: items.map((w) => ({ id: w.id, text: w.text, alertId: w.alert_id === null ? null : Number(w.alert_id), author: name(w.user_id), createdAt: w.created_at })),
    // Read newest first (the limit keeps the latest); listed oldest first.
    changes: [...changes].reverse().map((c) => ({ at: c.at, actor: c.actor_name, action: c.action, entityKind: c.entity_kind, entity: c.entity_name })),
    maintenance: windowsDuring(org, services.map((x) => x.name), t.at, stretchAt(spec, t.at)?.end ?? t.at + 7 * DAY).map(({ window: w, occurrence: o }) => ({ name: w.name, scope: scopeText(w.scope), start: o.start, end: o.end, comment: w.comment })),
    incidents: incidents.map((i) => ({ ...i, commander: i.commander === null ? null : name(i.commander) })),
    rank: (sev) => org.severities.rank(sev),
  });
  const id = await insertHandoffNote(trx, {
    schedule_id: s.id,
    schedule_name: s.name,
    handoff_at: t.at,
    shift_start_at: shiftStart,
    outgoing_user_id: t.outgoing,
    incoming_user_id: t.incoming,
    content: JSON.stringify(content),
    created_at: now,
    read_at: null,
    read_by: null,
    handed_over_at: null,
    handed_over_by: null,
  });
  return id === null ? null : { id, content };
}

const NOTE_INCIDENT_LIMIT = 500;

/**
 * Incidents open at some time during the shift that touch the schedule's services or that the
 * outgoing person led; `commander` is a user id (the one in charge last during the shift).
 */
async function shiftIncidents(conn: Conn, serviceIds: string[], outgoing: string, from: number, to: number): Promise<NoteIncident[]> {
  const rows = await incidentsOpenBetween(conn, from, to, NOTE_INCIDENT_LIMIT);
  const commanders = await commandersBetween(
    conn,
    rows.map((r) => Number(r.id)),
    from,
    to,
  );
  const ledBy = new Map<number, string>();
  for (const c of commanders) if (!ledBy.has(Number(c.incident_id))) ledBy.set(Number(c.incident_id), c.user_id);
  const ours = new Set(serviceIds);
  return rows
    .filter((r) => ledBy.get(Number(r.id)) === outgoing || (JSON.parse(r.services) as string[]).some((id) => ours.has(id)))
    .map((r) => ({
      id: Number(r.id),
      title: r.title,
      severity: r.severity,
      status: r.status,
      declaredAt: Number(r.declared_at),
      resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
      commander: ledBy.get(Number(r.id)) ?? null,
    }));
}

// ---------------------------------------------------------------------------------------------
// Reading notes

export interface NoteView {
  row: HandoffNoteRow;
  content: HandoffNoteContent;
  text: string;
  /** Alerts the outgoing person still holds acknowledged on the schedule's services: what "hand over" moves. */
  handOver: { id: number; summary: string }[];
}

export const contentOf = (row: HandoffNoteRow): HandoffNoteContent => JSON.parse(row.content) as HandoffNoteContent;

async function loadNote(conn: Conn, id: number): Promise<HandoffNoteRow> {
  if (!Number.isSafeInteger(id) || id < 1) throw AppError.invalid('id', 'must be a handoff note number, like 12');
  const row = await findHandoffNote(conn, id);
  if (!row) throw AppError.notFound(`handoff note ${id}`);
  return row;
}

async function handOverCandidates(conn: Conn, org: OrgSnapshot, row: HandoffNoteRow): Promise<{ id: number; summary: string }[]> {
  const s = org.schedules.get(row.schedule_id);
  const outgoing = row.outgoing_user_id ? org.users.get(row.outgoing_user_id) : undefined;
  if (!s || !outgoing || !row.incoming_user_id) return [];
  return (await acknowledgedBy(conn, relevantServices(org, s).map((x) => x.id), outgoing.name)).map((a) => ({ id: Number(a.id), summary: a.summary }));
}

export async function getNote(ctx: Ctx, id: number): Promise<NoteView> {
  const org = await ctx.org.get(ctx.store.db);
  const row = await loadNote(ctx.store.db, id);
  const content = contentOf(row);
  return { row, content, text: renderHandoffText(content, `${ctx.publicUrl.replace(/\/$/, '')}/handoffs/${row.id}`), handOver: await handOverCandidates(ctx.store.db, org, row) };
}

export interface NoteQuery {
  schedule?: string;
  /** Only notes this person handed over or received. */
  user?: string;
  unread?: boolean;
  /** Only the caller's own notes (handed over or received). */
  mine?: boolean;
  limit: number;
  before?: number;
}

/**
 * Notes newest first. Without a schedule or user: the notes of the caller, and of the schedules
 * they take part in (a layer or the schedule's team); a token that is nobody's sees every note.
 */
export async function listNotes(ctx: Ctx, caller: Caller, q: NoteQuery): Promise<{ notes: HandoffNoteRow[]; unread: number | null }> {
  const org = await ctx.org.get(ctx.store.db);
  const db = ctx.store.db;
  let userId: string | undefined;
  if (q.user !== undefined) {
    const u = org.usersByName.get(q.user);
    if (!u) throw AppError.invalid('user', `no user named "${q.user}"`);
    userId = u.id;
  }
  if (q.mine) {
    if (!caller.userId) throw AppError.invalid('mine', 'this token is not a person’s; name a schedule or a user instead');
    if (userId !== undefined && userId !== caller.userId) throw AppError.invalid('mine', 'give mine or user, not both');
    userId = caller.userId;
  }
  let notes: HandoffNoteRow[];
  const page = { limit: q.limit, ...(q.before !== undefined ? { before: q.before } : {}) };
  if (q.unread) {
    const who = userId ?? caller.userId;
    if (!who) throw AppError.invalid('user', 'this token is not a person’s; name the user whose unread notes to list');
    notes = await listHandoffNotes(db, { ...page, unreadBy: who, ...(q.schedule !== undefined ? { scheduleIds: [findSchedule(org, q.schedule).id] } : {}) });
  } else if (q.schedule !== undefined || userId !== undefined) {
    notes = await listHandoffNotes(db, { ...page, ...(q.schedule !== undefined ? { scheduleIds: [findSchedule(org, q.schedule).id] } : {}), ...(userId !== undefined ? { userId } : {}) });
  } else if (caller.userId) {
    const me = caller.userId;
    const mine = [...org.schedules.values()].filter((s) => s.layers.some((l) => l.participants.includes(me)) || (s.teamId !== null && (org.teamMembers.get(s.teamId) ?? []).some((m) => m.userId === me)));
    const [involving, ofSchedules] = await Promise.all([listHandoffNotes(db, { ...page, userId: me }), listHandoffNotes(db, { ...page, scheduleIds: mine.map((s) => s.id) })]);
    const byId = new Map([...involving, ...ofSchedules].map((n) => [Number(n.id), n]));
    notes = [...byId.values()].sort((a, b) => b.handoff_at - a.handoff_at || Number(b.id) - Number(a.id)).slice(0, q.limit);
  } else {
    notes = await listHandoffNotes(db, page);
  }
  const unreadFor = userId ?? caller.userId;
  return { notes, unread: unreadFor ? await countUnread(db, unreadFor) : null };
}

// ---------------------------------------------------------------------------------------------
// Acting on a note

function mayActOn(org: OrgSnapshot, caller: Caller, row: HandoffNoteRow, who: 'incoming' | 'either', verb: string): void {
  if (caller.manager) return;
  const allowed = who === 'incoming' ? [row.incoming_user_id] : [row.incoming_user_id, row.outgoing_user_id];
  if (caller.userId !== null && allowed.includes(caller.userId)) return;
  const names = allowed.flatMap((id) => (id ? [org.users.get(id)?.name ?? id] : []));
  throw new AppError('forbidden', `only ${names.join(' or ') || 'the people on the handoff'} or a manager can ${verb} handoff note ${row.id}`);
}

/** Marks the note read; reading it twice keeps the first time. */
export async function markRead(ctx: Ctx, caller: Caller, id: number): Promise<HandoffNoteRow> {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  return ctx.store.tx(async (trx) => {
    const row = await loadNote(trx, id);
    mayActOn(org, caller, row, 'incoming', 'mark read');
    if (row.read_at === null) {
      await markNoteRead(trx, row.id, now, caller.actor.name);
      await audit(trx, caller.actor, now, 'handoff_note.read', 'handoff_note', String(row.id), row.schedule_name, { handoff_at: new Date(row.handoff_at).toISOString() });
    }
    return (await findHandoffNote(trx, row.id)) as HandoffNoteRow;
  });
}

/**
 * Hands the outgoing person's acknowledged alerts of the schedule's services to the incoming
 * person: each is acknowledged by them from now on (the time of the first acknowledgement stays,
 * so reports still measure time to acknowledge), with a timeline entry on each alert and one audit
 * entry. Alerts resolved or re-acknowledged by someone else meanwhile are left alone.
 */
export async function handOver(ctx: Ctx, caller: Caller, id: number): Promise<{ note: HandoffNoteRow; alerts: number[] }> {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  const changes: ChangeEvent[] = [];
  const result = await ctx.store.tx(async (trx) => {
    const row = await loadNote(trx, id);
    mayActOn(org, caller, row, 'either', 'hand over alerts of');
    const s = org.schedules.get(row.schedule_id);
    const from = row.outgoing_user_id ? org.users.get(row.outgoing_user_id) : undefined;
    const to = row.incoming_user_id ? org.users.get(row.incoming_user_id) : undefined;
    if (!s || !from || !to) throw new AppError('conflict', `handoff note ${row.id} has no outgoing or incoming person any more; acknowledge the alerts yourself`);
    const candidates = await acknowledgedBy(trx, relevantServices(org, s).map((x) => x.id), from.name);
    const moved: number[] = [];
    const when = formatInstant(row.handoff_at, s.timeZone);
    for (const c of candidates) {
      const alert = await getAlertForUpdate(trx, ctx.store.dialect, Number(c.id));
      if (!alert || alert.status !== 'acknowledged' || alert.acknowledged_by !== from.name) continue;
      await updateAlert(trx, alert.id, { acknowledged_by: to.name, updated_at: now });
      await insertAlertEvents(trx, [
        eventRow(alert.id, now, caller.actor, 'handed_over', `handed over from ${from.name} to ${to.name} by ${caller.actor.name} via ${caller.actor.surface} (handoff of ${s.name} at ${when}); acknowledged by ${to.name}`, {
          handoff_note: row.id,
          from: from.name,
          to: to.name,
        }),
      ]);
      changes.push({ type: 'alert.updated', alertId: alert.id, status: 'acknowledged', at: now });
      moved.push(alert.id);
    }
    if (moved.length > 0) {
      await markHandedOver(trx, row.id, now, caller.actor.name, moved.length);
      await audit(trx, caller.actor, now, 'handoff_note.hand_over', 'handoff_note', String(row.id), s.name, { from: from.name, to: to.name, alerts: moved });
    }
    return { note: (await findHandoffNote(trx, row.id)) as HandoffNoteRow, alerts: moved };
  });
  ctx.bus.publish(changes);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Watch items

export interface CurrentShift {
  schedule: StoredSchedule;
  start: number;
  end: number | null;
}

/** The shifts a person is on call in right now, one per schedule. */
export async function currentShifts(conn: Conn, org: OrgSnapshot, userId: string, now: number): Promise<CurrentShift[]> {
  const schedules = [...org.schedules.values()];
  const rows = await overridesBetween(
    conn,
    schedules.map((s) => s.id),
    now - WHOLE_SHIFT_REACH_MS,
    now + WHOLE_SHIFT_REACH_MS,
  );
  const out: CurrentShift[] = [];
  for (const s of schedules) {
    const spec = specOf(
      s,
      rows.filter((r) => r.schedule_id === s.id).map(toOverride),
    );
    const st = stretchAt(spec, now);
    if (st?.userId === userId) out.push({ schedule: s, start: st.start, end: st.end });
  }
  return out.sort((a, b) => a.schedule.name.localeCompare(b.schedule.name));
}

function whoFor(org: OrgSnapshot, caller: Caller, userName: string | undefined): string {
  if (userName !== undefined) {
    const u = org.usersByName.get(userName);
    if (!u) throw AppError.invalid('user', `no user named "${userName}"`);
    if (u.id !== caller.userId && !caller.manager) throw new AppError('forbidden', `only a manager can write watch items for ${u.name}; you can write your own`);
    return u.id;
  }
  if (!caller.userId) throw AppError.invalid('user', 'this token is not a person’s; name the user on call');
  return caller.userId;
}

function pickShift(org: OrgSnapshot, shifts: CurrentShift[], userId: string, scheduleName: string | undefined): CurrentShift {
  const name = org.users.get(userId)?.name ?? userId;
  if (scheduleName !== undefined) {
    findSchedule(org, scheduleName);
    const sh = shifts.find((x) => x.schedule.name === scheduleName);
    if (!sh) throw new AppError('conflict', `${name} is not on call in ${scheduleName} now; watch items belong to the shift under way`);
    return sh;
  }
  if (shifts.length === 0) throw new AppError('conflict', `${name} is not on call now; watch items belong to the shift under way`);
  if (shifts.length > 1) throw AppError.invalid('schedule', `${name} is on call in ${shifts.map((x) => x.schedule.name).join(' and ')}; name the schedule`);
  return shifts[0] as CurrentShift;
}

async function checkAlert(conn: Conn, alertId: number | null | undefined): Promise<void> {
  if (alertId === null || alertId === undefined) return;
  const a = await conn.selectFrom('alerts').select('id').where('id', '=', alertId).executeTakeFirst();
  if (!a) throw AppError.invalid('alert_id', `no alert #${alertId}`);
}

function checkText(text: string): string {
  const t = text.trim();
  if (!t) throw AppError.invalid('text', 'must not be empty; say what to keep an eye on and why');
  if (t.length > WATCH_TEXT_MAX) throw AppError.invalid('text', `must be at most ${WATCH_TEXT_MAX} characters; link an alert for the details`);
  return t;
}

export async function addWatchItem(ctx: Ctx, caller: Caller, input: { text: string; alertId?: number | null; schedule?: string; user?: string }): Promise<{ item: WatchItemRow; shift: CurrentShift }> {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  const text = checkText(input.text);
  const userId = whoFor(org, caller, input.user);
  const shift = pickShift(org, await currentShifts(ctx.store.db, org, userId, now), userId, input.schedule);
  await checkAlert(ctx.store.db, input.alertId);
  const item: WatchItemRow = {
    id: newId(),
    schedule_id: shift.schedule.id,
    user_id: userId,
    text,
    alert_id: input.alertId ?? null,
    shift_start_at: shift.start,
    created_by_name: caller.actor.name,
    created_at: now,
    updated_at: now,
  };
  await ctx.store.tx(async (trx) => {
    await insertWatchItem(trx, item);
    await audit(trx, caller.actor, now, 'watch_item.create', 'watch_item', item.id, shift.schedule.name, { user: org.users.get(userId)?.name, text, alert_id: item.alert_id });
  });
  return { item, shift };
}

/** The watch items of a person's shifts under way (all of them, or one schedule's). */
export async function listWatchItems(ctx: Ctx, caller: Caller, q: { schedule?: string; user?: string }): Promise<{ shifts: CurrentShift[]; items: WatchItemRow[] }> {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  let userId: string;
  if (q.user !== undefined) {
    const u = org.usersByName.get(q.user);
    if (!u) throw AppError.invalid('user', `no user named "${q.user}"`);
    userId = u.id;
  } else if (caller.userId) userId = caller.userId;
  else throw AppError.invalid('user', 'this token is not a person’s; name the user on call');
  let shifts = await currentShifts(ctx.store.db, org, userId, now);
  if (q.schedule !== undefined) {
    findSchedule(org, q.schedule);
    shifts = shifts.filter((x) => x.schedule.name === q.schedule);
  }
  const items = (await Promise.all(shifts.map((sh) => watchItemsBetween(ctx.store.db, sh.schedule.id, userId, sh.start, now + 1)))).flat();
  return { shifts, items };
}

/** An item can change while its shift lasts; after the handoff the note keeps it as it was. */
async function editableItem(ctx: Ctx, org: OrgSnapshot, caller: Caller, id: string): Promise<WatchItemRow> {
  const item = await findWatchItem(ctx.store.db, id);
  if (!item) throw AppError.notFound(`watch item ${id}`);
  if (item.user_id !== caller.userId && !caller.manager) throw new AppError('forbidden', `only ${org.users.get(item.user_id)?.name ?? 'its author'} or a manager can change this watch item`);
  const shifts = await currentShifts(ctx.store.db, org, item.user_id, ctx.clock.now());
  const sh = shifts.find((x) => x.schedule.id === item.schedule_id);
  if (!sh || item.created_at < sh.start) throw new AppError('conflict', 'that shift has been handed over; the handoff note keeps the item as it was');
  return item;
}

export async function editWatchItem(ctx: Ctx, caller: Caller, id: string, patch: { text?: string; alertId?: number | null }): Promise<WatchItemRow> {
  const org = await ctx.org.get(ctx.store.db);
  const item = await editableItem(ctx, org, caller, id);
  const now = ctx.clock.now();
  const text = patch.text === undefined ? undefined : checkText(patch.text);
  await checkAlert(ctx.store.db, patch.alertId);
  const s = org.schedules.get(item.schedule_id);
  await ctx.store.tx(async (trx) => {
    await updateWatchItem(trx, id, { ...(text !== undefined ? { text } : {}), ...(patch.alertId !== undefined ? { alert_id: patch.alertId } : {}), updated_at: now });
    await audit(trx, caller.actor, now, 'watch_item.update', 'watch_item', id, s?.name ?? null, { text: text ?? item.text, alert_id: patch.alertId === undefined ? item.alert_id : patch.alertId });
  });
  return (await findWatchItem(ctx.store.db, id)) as WatchItemRow;
}

export async function removeWatchItem(ctx: Ctx, caller: Caller, id: string): Promise<void> {
  const org = await ctx.org.get(ctx.store.db);
  const item = await editableItem(ctx, org, caller, id);
  const now = ctx.clock.now();
  const s = org.schedules.get(item.schedule_id);
  await ctx.store.tx(async (trx) => {
    await deleteWatchItem(trx, id);
    await audit(trx, caller.actor, now, 'watch_item.delete', 'watch_item', id, s?.name ?? null, { text: item.text });
  });
}
