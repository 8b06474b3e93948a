import type { Insertable, Selectable } from 'kysely';
import type { Conn, Dialect, Tx } from './db.js';
import type { IncidentRow } from './incident.repo.js';
import type { IncidentSlackJobsTable, IncidentStakeholdersTable, IncidentWarRoomsTable } from './war-room.table.js';

export type WarRoomRow = Selectable<IncidentWarRoomsTable>;
export type SlackJobRow = Selectable<IncidentSlackJobsTable>;
export type StakeholderRow = Selectable<IncidentStakeholdersTable>;

const OPEN = ['investigating', 'identified', 'monitoring'];

export async function getWarRoom(conn: Conn, incidentId: number): Promise<WarRoomRow | undefined> {
  return conn.selectFrom('incident_war_rooms').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();
}

/** Open incidents of these severities declared at or before `declaredBy` that have no war room row yet. */
export async function incidentsDueWarRoomPrompt(conn: Conn, severities: string[], declaredBy: number, limit: number): Promise<IncidentRow[]> {
  if (severities.length === 0) return [];
  return conn
    .selectFrom('incidents')
    .selectAll()
    .where('status', 'in', OPEN)
    .where('severity', 'in', severities)
    .where('declared_at', '<=', declaredBy)
    .where('id', 'not in', (eb) => eb.selectFrom('incident_war_rooms').select('incident_id'))
    .orderBy('declared_at')
    .limit(limit)
    .execute();
}

/** Records the prompt; false when a row exists already (prompted or opened before): of two engines, one prompts. */
export async function insertWarRoomPrompt(conn: Conn, incidentId: number, now: number): Promise<boolean> {
  const r = await conn
    .insertInto('incident_war_rooms')
    .values({ incident_id: incidentId, state: 'prompted', prompted_at: now, opened_at: null, opened_by: null, channel_name: null, channel_id: null, posted_through: 0, archived_at: null })
    .onConflict((oc) => oc.column('incident_id').doNothing())
    .returning('incident_id')
    .execute();
  return r.length === 1;
}

export async function getWarRoomForUpdate(trx: Tx, dialect: Dialect, incidentId: number): Promise<WarRoomRow | undefined> {
  return trx
    .selectFrom('incident_war_rooms')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .$if(dialect === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function upsertOpenWarRoom(conn: Conn, row: Pick<WarRoomRow, 'incident_id' | 'opened_at' | 'opened_by' | 'channel_name' | 'posted_through'>): Promise<void> {
  const open = { state: 'open', opened_at: row.opened_at, opened_by: row.opened_by, channel_name: row.channel_name, posted_through: row.posted_through };
  await conn
    .insertInto('incident_war_rooms')
    .values({ incident_id: row.incident_id, prompted_at: null, channel_id: null, archived_at: null, ...open })
    .onConflict((oc) => oc.column('incident_id').doUpdateSet(open))
    .execute();
}

/** The highest timeline id of an incident (0 when none). */
export async function lastIncidentEventId(conn: Conn, incidentId: number): Promise<number> {
  const r = await conn.selectFrom('incident_events').select((eb) => eb.fn.max('id').as('id')).where('incident_id', '=', incidentId).executeTakeFirst();
  return Number(r?.id ?? 0);
}

/** Open war rooms whose channel exists or is being created, with the state of their incident. */
export async function openWarRooms(conn: Conn, limit: number): Promise<(WarRoomRow & { status: string })[]> {
  return conn
    .selectFrom('incident_war_rooms')
    .innerJoin('incidents', 'incidents.id', 'incident_war_rooms.incident_id')
    .selectAll('incident_war_rooms')
    .select('incidents.status')
    .where('incident_war_rooms.state', '=', 'open')
    .orderBy('incident_war_rooms.incident_id')
    .limit(limit)
    .execute();
}

/** Moves a war room's state (and more) only if it still is `from`; true for the caller that moved it. */
export async function moveWarRoom(conn: Conn, incidentId: number, from: string, patch: Partial<Omit<WarRoomRow, 'incident_id'>>): Promise<boolean> {
  const r = await conn.updateTable('incident_war_rooms').set(patch).where('incident_id', '=', incidentId).where('state', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Moves the status-update cursor from `from` to `to`, only if it still is `from`. */
export async function advancePostedThrough(conn: Conn, incidentId: number, from: number, to: number): Promise<boolean> {
  const r = await conn.updateTable('incident_war_rooms').set({ posted_through: to }).where('incident_id', '=', incidentId).where('posted_through', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export type NewSlackJob = Pick<Insertable<IncidentSlackJobsTable>, 'incident_id' | 'job_key' | 'action' | 'channel' | 'text'>;

/** Queues Slack calls in the caller's transaction; a job key queued before is skipped. Returns how many were queued. */
export async function queueSlackJobs(conn: Conn, now: number, jobs: NewSlackJob[]): Promise<number> {
  if (jobs.length === 0) return 0;
  const r = await conn
    .insertInto('incident_slack_jobs')
    .values(jobs.map((j) => ({ ...j, status: 'pending', attempts: 0, next_attempt_at: now, last_error: null, lease_owner: null, lease_until: null, created_at: now })))
    .onConflict((oc) => oc.column('job_key').doNothing())
    .returning('id')
    .execute();
  return r.length;
}

/** Open incidents of these severities without a row for this stakeholder rule. */
export async function incidentsToTell(conn: Conn, rule: string, severities: string[], limit: number): Promise<IncidentRow[]> {
  if (severities.length === 0) return [];
  return conn
    .selectFrom('incidents')
    .selectAll()
    .where('status', 'in', OPEN)
    .where('severity', 'in', severities)
    .where('id', 'not in', (eb) => eb.selectFrom('incident_stakeholders').select('incident_id').where('rule', '=', rule))
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Records that a rule's group was told; false when it was before (the other engine won). */
export async function insertStakeholdersTold(conn: Conn, row: Omit<StakeholderRow, 'first_update_at' | 'reminded_at'>): Promise<boolean> {
  const r = await conn
    .insertInto('incident_stakeholders')
    .values({ ...row, first_update_at: null, reminded_at: null })
    .onConflict((oc) => oc.columns(['incident_id', 'rule']).doNothing())
    .returning('incident_id')
    .execute();
  return r.length === 1;
}

/** Rules whose first stakeholder update is overdue at `now`, for open incidents. */
export async function dueStakeholderUpdates(conn: Conn, now: number, limit: number): Promise<(StakeholderRow & { status: string })[]> {
  return conn
    .selectFrom('incident_stakeholders')
    .innerJoin('incidents', 'incidents.id', 'incident_stakeholders.incident_id')
    .selectAll('incident_stakeholders')
    .select('incidents.status')
    .where('incident_stakeholders.next_update_due_at', 'is not', null)
    .where('incident_stakeholders.next_update_due_at', '<=', now)
    .orderBy('incident_stakeholders.next_update_due_at')
    .limit(limit)
    .execute();
}

/** Clears a missed first-update deadline, only if it still is `due`. */
export async function markStakeholderReminded(conn: Conn, incidentId: number, rule: string, due: number, now: number): Promise<boolean> {
  const r = await conn
    .updateTable('incident_stakeholders')
    .set({ next_update_due_at: null, reminded_at: now })
    .where('incident_id', '=', incidentId)
    .where('rule', '=', rule)
    .where('next_update_due_at', '=', due)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A stakeholder update went out for this rule: the first one clears the deadline. */
export async function markStakeholderUpdate(conn: Conn, incidentId: number, rule: string, now: number, told: number): Promise<void> {
  await conn.updateTable('incident_stakeholders').set({ next_update_due_at: null }).where('incident_id', '=', incidentId).where('rule', '=', rule).execute();
  await conn.updateTable('incident_stakeholders').set({ first_update_at: now }).where('incident_id', '=', incidentId).where('rule', '=', rule).where('first_update_at', 'is', null).execute();
  // Sent before the engine announced the incident: the update is the announcement.
  await conn
    .insertInto('incident_stakeholders')
    .values({ incident_id: incidentId, rule, told_at: now, told, next_update_due_at: null, first_update_at: now, reminded_at: null })
    .onConflict((oc) => oc.columns(['incident_id', 'rule']).doNothing())
    .execute();
}

export async function listStakeholderRows(conn: Conn, incidentId: number): Promise<StakeholderRow[]> {
  return conn.selectFrom('incident_stakeholders').selectAll().where('incident_id', '=', incidentId).orderBy('rule').execute();
}
