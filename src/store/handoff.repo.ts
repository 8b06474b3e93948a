import type { Insertable, Selectable } from 'kysely';
import type { Conn } from './db.js';
import type { HandoffNotesTable, WatchItemsTable } from './schema.js';

/**
 * Handoff notes, watch items and the reads a note is built from (alerts of a schedule's services,
 * audit entries about them). Notes are written once per (schedule, handoff instant): a second
 * insert for the same change does nothing and returns null.
 */

export type HandoffNoteRow = Selectable<HandoffNotesTable>;
export type WatchItemRow = WatchItemsTable;

export async function insertHandoffNote(conn: Conn, row: Insertable<HandoffNotesTable>): Promise<number | null> {
  const r = await conn
    .insertInto('handoff_notes')
    .values(row)
    .onConflict((oc) => oc.columns(['schedule_id', 'handoff_at']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return r ? Number(r.id) : null;
}

export async function findHandoffNote(conn: Conn, id: number): Promise<HandoffNoteRow | undefined> {
  return conn.selectFrom('handoff_notes').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findNoteAt(conn: Conn, scheduleId: string, handoffAt: number): Promise<HandoffNoteRow | undefined> {
  return conn.selectFrom('handoff_notes').selectAll().where('schedule_id', '=', scheduleId).where('handoff_at', '=', handoffAt).executeTakeFirst();
}

export interface NoteFilter {
  scheduleIds?: string[];
  /** Notes this person handed over or received. */
  userId?: string;
  unreadBy?: string;
  limit: number;
  /** Notes with a smaller id only (paging back). */
  before?: number;
}

export async function listHandoffNotes(conn: Conn, f: NoteFilter): Promise<HandoffNoteRow[]> {
  let q = conn.selectFrom('handoff_notes').selectAll();
  if (f.scheduleIds) q = q.where('schedule_id', 'in', f.scheduleIds.length ? f.scheduleIds : ['']);
  if (f.userId !== undefined) {
    const u = f.userId;
    q = q.where((eb) => eb.or([eb('incoming_user_id', '=', u), eb('outgoing_user_id', '=', u)]));
  }
  if (f.unreadBy !== undefined) q = q.where('incoming_user_id', '=', f.unreadBy).where('read_at', 'is', null);
  if (f.before !== undefined) q = q.where('id', '<', f.before);
  return q.orderBy('handoff_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

export async function countUnread(conn: Conn, userId: string): Promise<number> {
  const r = await conn
    .selectFrom('handoff_notes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('incoming_user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function markNoteRead(conn: Conn, id: number, at: number, by: string): Promise<void> {
  await conn.updateTable('handoff_notes').set({ read_at: at, read_by: by }).where('id', '=', id).where('read_at', 'is', null).execute();
}

export async function markHandedOver(conn: Conn, id: number, at: number, by: string, count: number): Promise<void> {
  await conn
    .updateTable('handoff_notes')
    .set((eb) => ({ handed_over_at: at, handed_over_by: by, handed_over_count: eb('handed_over_count', '+', count) }))
    .where('id', '=', id)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Watch items

export async function insertWatchItem(conn: Conn, row: WatchItemRow): Promise<void> {
  await conn.insertInto('watch_items').values(row).execute();
}

export async function findWatchItem(conn: Conn, id: string): Promise<WatchItemRow | undefined> {
  return conn.selectFrom('watch_items').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateWatchItem(conn: Conn, id: string, patch: { text?: string; alert_id?: number | null; updated_at: number }): Promise<void> {
  await conn.updateTable('watch_items').set(patch).where('id', '=', id).execute();
}

export async function deleteWatchItem(conn: Conn, id: string): Promise<void> {
  await conn.deleteFrom('watch_items').where('id', '=', id).execute();
}

/** One person's items in a schedule written in [from, to), oldest first. */
export async function watchItemsBetween(conn: Conn, scheduleId: string, userId: string, from: number, to: number): Promise<WatchItemRow[]> {
  return conn
    .selectFrom('watch_items')
    .selectAll()
    .where('schedule_id', '=', scheduleId)
    .where('user_id', '=', userId)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// What a note is built from

const ALERT_COLUMNS = ['id', 'service_id', 'status', 'severity', 'summary', 'created_at', 'acknowledged_by', 'count'] as const;

export async function alertsOpenedBetween(conn: Conn, serviceIds: string[], from: number, to: number, limit: number) {
  if (serviceIds.length === 0) return [];
  return conn
    .selectFrom('alerts')
    .select(ALERT_COLUMNS)
    .where('service_id', 'in', serviceIds)
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function openAlertsOf(conn: Conn, serviceIds: string[], limit: number) {
  if (serviceIds.length === 0) return [];
  return conn
    .selectFrom('alerts')
    .select(ALERT_COLUMNS)
    .where('service_id', 'in', serviceIds)
    .where('status', 'in', ['triggered', 'acknowledged'])
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Acknowledged alerts of these services whose acknowledgement is `name`'s, oldest first. */
export async function acknowledgedBy(conn: Conn, serviceIds: string[], name: string) {
  if (serviceIds.length === 0) return [];
  return conn
    .selectFrom('alerts')
    .select(['id', 'summary'])
    .where('service_id', 'in', serviceIds)
    .where('status', '=', 'acknowledged')
    .where('acknowledged_by', '=', name)
    .orderBy('id')
    .execute();
}

/** Audit entries about the given entities in [from, to), oldest first. */
export async function auditAbout(conn: Conn, entityIds: string[], from: number, to: number, limit: number) {
  if (entityIds.length === 0) return [];
  return conn
    .selectFrom('audit_log')
    .select(['at', 'actor_name', 'action', 'entity_kind', 'entity_id', 'entity_name'])
    .where('entity_id', 'in', entityIds)
    .where('at', '>=', from)
    .where('at', '<', to)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/**
 * Incidents open at some time in [from, to): declared before `to` and not resolved before `from`.
 * The services filter runs in JavaScript (services are a JSON list on the row); incidents are few.
 */
export async function incidentsOpenBetween(conn: Conn, from: number, to: number, limit: number) {
  return conn
    .selectFrom('incidents')
    .select(['id', 'title', 'severity', 'status', 'services', 'declared_at', 'resolved_at'])
    .where('declared_at', '<', to)
    .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', from)]))
    .orderBy('declared_at', 'desc')
    .limit(limit)
    .execute();
}

/** Commanders of the given incidents during [from, to): incident id -> user ids, latest first. */
export async function commandersBetween(conn: Conn, incidentIds: number[], from: number, to: number) {
  if (incidentIds.length === 0) return [];
  return conn
    .selectFrom('incident_roles')
    .select(['incident_id', 'user_id', 'assigned_at'])
    .where('incident_id', 'in', incidentIds)
    .where('role', '=', 'commander')
    .where('assigned_at', '<', to)
    .where((eb) => eb.or([eb('relieved_at', 'is', null), eb('relieved_at', '>=', from)]))
    .orderBy('assigned_at', 'desc')
    .execute();
}
