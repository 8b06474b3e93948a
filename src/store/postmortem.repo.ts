import type { Insertable, Selectable, Updateable } from 'kysely';
import type { PostmortemPolicy } from '../domain/incident/postmortem.js';
import type { Conn, Dialect, Tx } from './db.js';
import type { PostmortemActionItemsTable, PostmortemDeadlinesTable, PostmortemsTable } from './postmortem.table.js';
import { getSetting } from './settings.repo.js';

export type PostmortemRow = Selectable<PostmortemsTable>;
export type PostmortemDeadlineRow = Selectable<PostmortemDeadlinesTable>;
export type ActionItemRow = Selectable<PostmortemActionItemsTable>;

export const POSTMORTEMS_KEY = 'postmortems';

/** The org file's postmortems section as applied, or null when the file has none. */
export async function getPostmortemPolicy(conn: Conn): Promise<PostmortemPolicy | null> {
  return JSON.parse((await getSetting(conn, POSTMORTEMS_KEY)) ?? 'null') as PostmortemPolicy | null;
}

export async function insertPostmortem(conn: Conn, row: Omit<Insertable<PostmortemsTable>, 'id'>): Promise<PostmortemRow> {
  return conn.insertInto('postmortems').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function getPostmortem(conn: Conn, id: number): Promise<PostmortemRow | undefined> {
  return conn.selectFrom('postmortems').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getPostmortemOfIncident(conn: Conn, incidentId: number): Promise<PostmortemRow | undefined> {
  return conn.selectFrom('postmortems').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();
}

/** Locks the post-mortem row on PostgreSQL (SQLite has one writer). */
export async function getPostmortemForUpdate(trx: Tx, dialect: Dialect, incidentId: number): Promise<PostmortemRow | undefined> {
  return trx
    .selectFrom('postmortems')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .$if(dialect === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function updatePostmortem(conn: Conn, id: number, patch: Updateable<PostmortemsTable>): Promise<void> {
  await conn.updateTable('postmortems').set(patch).where('id', '=', id).execute();
}

export interface PostmortemFilter {
  status?: string[] | undefined;
  required?: boolean | undefined;
  owner?: string | undefined;
  incident?: number | undefined;
  limit: number;
  before?: number | undefined;
}

export async function listPostmortems(conn: Conn, f: PostmortemFilter): Promise<PostmortemRow[]> {
  return conn
    .selectFrom('postmortems')
    .selectAll()
    .$if(f.status !== undefined && f.status.length > 0, (q) => q.where('status', 'in', f.status!))
    .$if(f.required !== undefined, (q) => q.where('required', '=', f.required ? 1 : 0))
    .$if(f.owner !== undefined, (q) => q.where('owner_id', '=', f.owner!))
    .$if(f.incident !== undefined, (q) => q.where('incident_id', '=', f.incident!))
    .$if(f.before !== undefined, (q) => q.where('id', '<', f.before!))
    .orderBy('id', 'desc')
    .limit(f.limit)
    .execute();
}

export async function insertDeadlines(conn: Conn, rows: Insertable<PostmortemDeadlinesTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await conn.insertInto('postmortem_deadlines').values(rows).onConflict((oc) => oc.columns(['postmortem_id', 'stage']).doNothing()).execute();
}

export async function listDeadlines(conn: Conn, postmortemIds: number[]): Promise<PostmortemDeadlineRow[]> {
  if (postmortemIds.length === 0) return [];
  return conn.selectFrom('postmortem_deadlines').selectAll().where('postmortem_id', 'in', postmortemIds).orderBy('due_at').execute();
}

/** Marks a stage met (or, with null, not met any more); a stage met stays met at its first time. */
export async function setDeadlineMet(conn: Conn, postmortemId: number, stage: string, at: number | null): Promise<void> {
  await conn
    .updateTable('postmortem_deadlines')
    .set({ met_at: at })
    .where('postmortem_id', '=', postmortemId)
    .where('stage', '=', stage)
    .$if(at !== null, (q) => q.where('met_at', 'is', null))
    .execute();
}

/** Deadlines passed unmet and not yet reminded, of post-mortems not complete; oldest first. */
export async function dueDeadlines(conn: Conn, now: number, limit: number): Promise<(PostmortemDeadlineRow & { incident_id: number; owner_id: string | null })[]> {
  return conn
    .selectFrom('postmortem_deadlines')
    .innerJoin('postmortems', 'postmortems.id', 'postmortem_deadlines.postmortem_id')
    .selectAll('postmortem_deadlines')
    .select(['postmortems.incident_id', 'postmortems.owner_id'])
    .where('postmortem_deadlines.due_at', '<=', now)
    .where('postmortem_deadlines.met_at', 'is', null)
    .where('postmortem_deadlines.reminded_at', 'is', null)
    .where('postmortems.status', '!=', 'complete')
    .orderBy('postmortem_deadlines.due_at')
    .limit(limit)
    .execute();
}

/** Records the reminder once: of two engines that saw the same missed deadline, exactly one wins. */
export async function markDeadlineReminded(conn: Conn, postmortemId: number, stage: string, at: number): Promise<boolean> {
  const r = await conn
    .updateTable('postmortem_deadlines')
    .set({ reminded_at: at })
    .where('postmortem_id', '=', postmortemId)
    .where('stage', '=', stage)
    .where('reminded_at', 'is', null)
    .where('met_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertActionItem(conn: Conn, row: Omit<Insertable<PostmortemActionItemsTable>, 'id'>): Promise<ActionItemRow> {
  return conn.insertInto('postmortem_action_items').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function getActionItem(conn: Conn, id: number): Promise<ActionItemRow | undefined> {
  return conn.selectFrom('postmortem_action_items').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateActionItem(conn: Conn, id: number, patch: Updateable<PostmortemActionItemsTable>): Promise<void> {
  await conn.updateTable('postmortem_action_items').set(patch).where('id', '=', id).execute();
}

export async function deleteActionItem(conn: Conn, id: number): Promise<void> {
  await conn.deleteFrom('postmortem_action_items').where('id', '=', id).execute();
}

export async function listActionItems(conn: Conn, postmortemIds: number[]): Promise<ActionItemRow[]> {
  if (postmortemIds.length === 0) return [];
  return conn.selectFrom('postmortem_action_items').selectAll().where('postmortem_id', 'in', postmortemIds).orderBy('id').execute();
}

/** Open or in-progress items past their due date whose owner was not reminded of that date. */
export async function dueActionItems(conn: Conn, now: number, limit: number): Promise<ActionItemRow[]> {
  return conn
    .selectFrom('postmortem_action_items')
    .selectAll()
    .where('status', 'in', ['open', 'in_progress'])
    .where('due_at', 'is not', null)
    .where('due_at', '<=', now)
    .where((eb) => eb.or([eb('reminded_due_at', 'is', null), eb('reminded_due_at', '!=', eb.ref('due_at'))]))
    .orderBy('due_at')
    .limit(limit)
    .execute();
}

/** Records the reminder for this due date once (conditional UPDATE, as markDeadlineReminded). */
export async function markActionItemReminded(conn: Conn, id: number, dueAt: number): Promise<boolean> {
  const r = await conn
    .updateTable('postmortem_action_items')
    .set({ reminded_due_at: dueAt })
    .where('id', '=', id)
    .where('due_at', '=', dueAt)
    .where('status', 'in', ['open', 'in_progress'])
    .where((eb) => eb.or([eb('reminded_due_at', 'is', null), eb('reminded_due_at', '!=', dueAt)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
