import type { Selectable, Insertable, Updateable } from 'kysely';
import type { Conn, Dialect, Tx } from './db.js';
import type { AlertEventsTable, AlertsTable } from './schema.js';

export type AlertRow = Selectable<AlertsTable>;
export type AlertEventRow = Selectable<AlertEventsTable>;
export type NewAlertEvent = Omit<Insertable<AlertEventsTable>, 'id'>;

export const openKey = (serviceId: string, dedupKey: string): string => `${serviceId}\n${dedupKey}`;

export async function findOpenAlert(conn: Conn, serviceId: string, dedupKey: string): Promise<AlertRow | undefined> {
  return conn.selectFrom('alerts').selectAll().where('open_key', '=', openKey(serviceId, dedupKey)).executeTakeFirst();
}

export async function getAlert(conn: Conn, id: number): Promise<AlertRow | undefined> {
  return conn.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the alert row for the rest of the transaction on PostgreSQL (SQLite has one writer). */
export async function getAlertForUpdate(trx: Tx, dialect: Dialect, id: number): Promise<AlertRow | undefined> {
  return trx
    .selectFrom('alerts')
    .selectAll()
    .where('id', '=', id)
    .$if(dialect === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst();
}

/**
 * Inserts a new open alert. Returns undefined when another process opened the same key first
 * (the unique open_key), so the caller re-reads and treats the event as a repeat.
 */
export async function insertOpenAlert(conn: Conn, row: Omit<Insertable<AlertsTable>, 'id'>): Promise<AlertRow | undefined> {
  return conn
    .insertInto('alerts')
    .values(row)
    .onConflict((oc) => oc.column('open_key').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function updateAlert(conn: Conn, id: number, patch: Updateable<AlertsTable>): Promise<void> {
  await conn.updateTable('alerts').set(patch).where('id', '=', id).execute();
}

/** A repeat of an open alert: counted in SQL, so concurrent repeats are never lost. Returns the new count. */
export async function countRepeat(conn: Conn, id: number, now: number): Promise<number> {
  const row = await conn
    .updateTable('alerts')
    .set((eb) => ({ count: eb('count', '+', 1), last_seen_at: now, updated_at: now }))
    .where('id', '=', id)
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertAlertEvents(conn: Conn, events: NewAlertEvent[]): Promise<void> {
  if (events.length === 0) return;
  await conn.insertInto('alert_events').values(events).execute();
}

export async function listAlertEvents(conn: Conn, alertId: number): Promise<AlertEventRow[]> {
  return conn.selectFrom('alert_events').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
}

/**
 * How often the same key fired since `since`: the "is this recurring?" figure. Counts the trigger
 * and repeat events themselves, so an alert that started firing before the window only counts its
 * firings inside it.
 */
export async function recurrence(conn: Conn, serviceId: string, dedupKey: string, since: number): Promise<{ alerts: number; events: number }> {
  const row = await conn
    .selectFrom('alert_events')
    .innerJoin('alerts', 'alerts.id', 'alert_events.alert_id')
    .select((eb) => [eb.fn.count<number>('alerts.id').distinct().as('alerts'), eb.fn.countAll<number>().as('events')])
    .where('alerts.service_id', '=', serviceId)
    .where('alerts.dedup_key', '=', dedupKey)
    .where('alerts.last_seen_at', '>=', since)
    .where('alert_events.kind', 'in', ['triggered', 'repeated'])
    .where('alert_events.at', '>=', since)
    .executeTakeFirst();
  return { alerts: Number(row?.alerts ?? 0), events: Number(row?.events ?? 0) };
}

export interface AlertFilter {
  status?: string[];
  serviceIds?: string[];
  severities?: string[];
  /** true: only alerts a silence holds; false: only those it does not. */
  silenced?: boolean;
  /** True: leave out alerts that joined a group led by another alert (018-grouping). */
  hideGroupMembers?: boolean;
  limit: number;
  /** Return alerts with id below this (newest first paging). */
  before?: number;
}

export async function listAlerts(conn: Conn, f: AlertFilter): Promise<AlertRow[]> {
  let q = conn.selectFrom('alerts').selectAll();
  if (f.status?.length) q = q.where('status', 'in', f.status);
  if (f.serviceIds?.length) q = q.where('service_id', 'in', f.serviceIds);
  if (f.severities?.length) q = q.where('severity', 'in', f.severities);
  if (f.silenced !== undefined) q = q.where('silenced_by', f.silenced ? 'is not' : 'is', null);
  if (f.before !== undefined) q = q.where('id', '<', f.before);
  if (f.hideGroupMembers) {
    q = q.where((eb) => eb.or([eb('group_id', 'is', null), eb.not(eb.exists(eb.selectFrom('alert_groups').select('alert_groups.id').whereRef('alert_groups.id', '=', 'alerts.group_id').whereRef('alert_groups.leader_id', '!=', 'alerts.id')))]));
  }
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

/** Open alerts counted by status, service and severity (served by the alerts_open_summary index). */
export async function countOpenAlerts(conn: Conn): Promise<{ status: string; service_id: string; severity: string; n: number }[]> {
  const rows = await conn
    .selectFrom('alerts')
    .select(['status', 'service_id', 'severity', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', 'in', ['triggered', 'acknowledged'])
    .groupBy(['status', 'service_id', 'severity'])
    .execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** Alerts whose escalation timer is due, oldest first; locked and skipped by other engines on PostgreSQL. */
export async function claimDueEscalations(trx: Tx, dialect: Dialect, now: number, limit: number): Promise<AlertRow[]> {
  return trx
    .selectFrom('alerts')
    .selectAll()
    .where('next_escalation_at', '<=', now)
    .orderBy('next_escalation_at')
    .limit(limit)
    .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked())
    .execute();
}
