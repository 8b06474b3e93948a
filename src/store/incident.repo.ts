import type { Insertable, Selectable, Updateable } from 'kysely';
import type { IncidentPolicy } from '../config/org-incidents.js';
import type { Conn, Dialect, Tx } from './db.js';
import type { IncidentAlertsTable, IncidentEventsTable, IncidentRolesTable, IncidentsTable, IncidentUpdatesTable } from './incident.table.js';
import { getSetting } from './settings.repo.js';

export type IncidentRow = Selectable<IncidentsTable>;
export type IncidentEventRow = Selectable<IncidentEventsTable>;
export type IncidentRoleRow = Selectable<IncidentRolesTable>;
export type IncidentUpdateRow = Selectable<IncidentUpdatesTable>;
export type IncidentAlertRow = Selectable<IncidentAlertsTable>;
export type NewIncidentEvent = Omit<Insertable<IncidentEventsTable>, 'id'>;

export const INCIDENT_POLICY_KEY = 'incident_policy';

/** The org file's incident_policy as applied, or null when the file has none. */
export async function getIncidentPolicy(conn: Conn): Promise<IncidentPolicy | null> {
  return JSON.parse((await getSetting(conn, INCIDENT_POLICY_KEY)) ?? 'null') as IncidentPolicy | null;
}

export async function insertIncident(conn: Conn, row: Omit<Insertable<IncidentsTable>, 'id'>): Promise<IncidentRow> {
  return conn.insertInto('incidents').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function getIncident(conn: Conn, id: number): Promise<IncidentRow | undefined> {
  return conn.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the incident row for the rest of the transaction on PostgreSQL (SQLite has one writer). */
export async function getIncidentForUpdate(trx: Tx, dialect: Dialect, id: number): Promise<IncidentRow | undefined> {
  return trx
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', id)
    .$if(dialect === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst();
}

export async function updateIncident(conn: Conn, id: number, patch: Updateable<IncidentsTable>): Promise<void> {
  await conn.updateTable('incidents').set(patch).where('id', '=', id).execute();
}

export async function listIncidents(conn: Conn, f: { status: string[]; limit: number; before?: number | undefined; alert?: number | undefined }): Promise<IncidentRow[]> {
  return conn
    .selectFrom('incidents')
    .selectAll()
    .where('status', 'in', f.status)
    .$if(f.before !== undefined, (q) => q.where('id', '<', f.before!))
    .$if(f.alert !== undefined, (q) =>
      q.where('id', 'in', (eb) => eb.selectFrom('incident_alerts').select('incident_id').where('alert_id', '=', f.alert!).where('detached_at', 'is', null)),
    )
    .orderBy('id', 'desc')
    .limit(f.limit)
    .execute();
}

export async function insertIncidentEvents(conn: Conn, events: NewIncidentEvent[]): Promise<void> {
  if (events.length === 0) return;
  await conn.insertInto('incident_events').values(events).execute();
}

export async function listIncidentEvents(conn: Conn, incidentId: number): Promise<IncidentEventRow[]> {
  return conn.selectFrom('incident_events').selectAll().where('incident_id', '=', incidentId).orderBy('at').orderBy('id').execute();
}

/** Role holders; current only (not relieved) unless `all`. */
export async function listIncidentRoles(conn: Conn, incidentIds: number[], all = false): Promise<IncidentRoleRow[]> {
  if (incidentIds.length === 0) return [];
  return conn
    .selectFrom('incident_roles')
    .selectAll()
    .where('incident_id', 'in', incidentIds)
    .$if(!all, (q) => q.where('relieved_at', 'is', null))
    .orderBy('assigned_at')
    .orderBy('id')
    .execute();
}

export async function insertIncidentRole(conn: Conn, row: Omit<Insertable<IncidentRolesTable>, 'id'>): Promise<IncidentRoleRow> {
  return conn.insertInto('incident_roles').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function relieveIncidentRole(conn: Conn, id: number, at: number): Promise<void> {
  await conn.updateTable('incident_roles').set({ relieved_at: at }).where('id', '=', id).where('relieved_at', 'is', null).execute();
}

export async function insertIncidentUpdate(conn: Conn, row: Omit<Insertable<IncidentUpdatesTable>, 'id'>): Promise<IncidentUpdateRow> {
  return conn.insertInto('incident_updates').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listIncidentUpdates(conn: Conn, incidentId: number): Promise<IncidentUpdateRow[]> {
  return conn.selectFrom('incident_updates').selectAll().where('incident_id', '=', incidentId).orderBy('at', 'desc').orderBy('id', 'desc').execute();
}

/** Attached alerts (and, with `all`, detached ones), oldest attachment first. */
export async function listIncidentAlerts(conn: Conn, incidentId: number, all = false): Promise<IncidentAlertRow[]> {
  return conn
    .selectFrom('incident_alerts')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .$if(!all, (q) => q.where('detached_at', 'is', null))
    .orderBy('attached_at')
    .orderBy('alert_id')
    .execute();
}

/** The open incidents holding these alerts now, by alert id. */
export async function incidentsHoldingAlerts(conn: Conn, alertIds: number[]): Promise<Map<number, number>> {
  if (alertIds.length === 0) return new Map();
  const rows = await conn
    .selectFrom('incident_alerts')
    .innerJoin('incidents', 'incidents.id', 'incident_alerts.incident_id')
    .select(['incident_alerts.alert_id', 'incident_alerts.incident_id'])
    .where('incident_alerts.alert_id', 'in', alertIds)
    .where('incident_alerts.detached_at', 'is', null)
    .where('incidents.status', '!=', 'closed')
    .execute();
  return new Map(rows.map((r) => [Number(r.alert_id), Number(r.incident_id)]));
}

/** Incidents whose status update is overdue at `now`, oldest deadline first. */
export async function dueIncidentUpdates(conn: Conn, now: number, limit: number): Promise<IncidentRow[]> {
  return conn
    .selectFrom('incidents')
    .selectAll()
    .where('next_update_at', 'is not', null)
    .where('next_update_at', '<=', now)
    .where('status', 'in', ['investigating', 'identified', 'monitoring'])
    .orderBy('next_update_at')
    .limit(limit)
    .execute();
}

/**
 * Moves an incident's update deadline from `from` to `to`, only if it still is `from`: of two
 * engines that saw the same missed deadline, exactly one records it.
 */
export async function advanceUpdateDeadline(conn: Conn, id: number, from: number, to: number | null): Promise<boolean> {
  const r = await conn.updateTable('incidents').set({ next_update_at: to }).where('id', '=', id).where('next_update_at', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
