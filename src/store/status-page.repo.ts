import type { Insertable, Selectable } from 'kysely';
import type { StatusPageConfig } from '../config/org-status-page.js';
import type { Conn } from './db.js';
import { getSetting } from './settings.repo.js';
import type { StatusPageComponentEventsTable, StatusPageDeliveriesTable, StatusPageSubscribersTable, StatusPageUpdatesTable } from './status-page.table.js';

export type StatusPageUpdateRow = Selectable<StatusPageUpdatesTable>;
export type SubscriberRow = Selectable<StatusPageSubscribersTable>;
export type StatusDeliveryRow = Selectable<StatusPageDeliveriesTable>;
export type ComponentEventRow = Selectable<StatusPageComponentEventsTable>;

export const STATUS_PAGE_KEY = 'status_page';

/** The org file's status_page as applied, or null when the file has none. */
export async function getStatusPageConfig(conn: Conn): Promise<StatusPageConfig | null> {
  return JSON.parse((await getSetting(conn, STATUS_PAGE_KEY)) ?? 'null') as StatusPageConfig | null;
}

/** Current status by component name; components without a row are operational. */
export async function componentStatuses(conn: Conn): Promise<Map<string, { status: string; updated_at: number }>> {
  const rows = await conn.selectFrom('status_page_components').selectAll().execute();
  return new Map(rows.map((r) => [r.name, { status: r.status, updated_at: Number(r.updated_at) }]));
}

/** Sets a component's status and records the change; no row is written when it is unchanged. Returns whether it changed. */
export async function setComponentStatusRow(conn: Conn, name: string, status: string, at: number, by: string, incidentId: number | null): Promise<boolean> {
  const current = await conn.selectFrom('status_page_components').select('status').where('name', '=', name).executeTakeFirst();
  if ((current?.status ?? 'operational') === status) return false;
  await conn
    .insertInto('status_page_components')
    .values({ name, status, updated_at: at, updated_by: by })
    .onConflict((oc) => oc.column('name').doUpdateSet({ status, updated_at: at, updated_by: by }))
    .execute();
  await conn.insertInto('status_page_component_events').values({ component: name, status, at, incident_id: incidentId, actor_name: by }).execute();
  return true;
}

/** Every status change since `from`, oldest first, and the last one before it per component. */
export async function componentHistory(conn: Conn, from: number): Promise<{ changes: ComponentEventRow[]; before: Map<string, string> }> {
  const changes = await conn.selectFrom('status_page_component_events').selectAll().where('at', '>=', from).orderBy('at').orderBy('id').execute();
  const earlier = await conn
    .selectFrom('status_page_component_events as e')
    .select(['e.component', 'e.status'])
    .where('e.at', '<', from)
    .where('e.id', '=', (eb) => eb.selectFrom('status_page_component_events as l').select((x) => x.fn.max('l.id').as('id')).whereRef('l.component', '=', 'e.component').where('l.at', '<', from))
    .execute();
  return { changes, before: new Map(earlier.map((r) => [r.component, r.status])) };
}

export async function insertPublicUpdate(conn: Conn, row: Omit<Insertable<StatusPageUpdatesTable>, 'id'>): Promise<StatusPageUpdateRow> {
  return conn.insertInto('status_page_updates').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Public updates of these incidents, newest first. */
export async function publicUpdatesOf(conn: Conn, incidentIds: number[]): Promise<StatusPageUpdateRow[]> {
  if (incidentIds.length === 0) return [];
  return conn.selectFrom('status_page_updates').selectAll().where('incident_id', 'in', incidentIds).orderBy('at', 'desc').orderBy('id', 'desc').execute();
}

/** The newest public updates (for the feeds). */
export async function recentPublicUpdates(conn: Conn, limit: number): Promise<StatusPageUpdateRow[]> {
  return conn.selectFrom('status_page_updates').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Incidents to show: those with a public update since `since`, and those whose latest public
 * update is not "resolved", however old (an incident nobody resolved publicly stays active).
 */
export async function publicIncidents(conn: Conn, since: number): Promise<{ incident_id: number; first_at: number; last_at: number }[]> {
  const unresolved = conn
    .selectFrom('status_page_updates as u')
    .select('u.incident_id')
    .where('u.status', '!=', 'resolved')
    .where('u.id', '=', (eb) => eb.selectFrom('status_page_updates as l').select((x) => x.fn.max('l.id').as('id')).whereRef('l.incident_id', '=', 'u.incident_id'));
  const rows = await conn
    .selectFrom('status_page_updates')
    .select((eb) => ['incident_id', eb.fn.min('at').as('first_at'), eb.fn.max('at').as('last_at')])
    .groupBy('incident_id')
    .having((eb) => eb.or([eb(eb.fn.max('at'), '>=', since), eb('incident_id', 'in', unresolved)]))
    .execute();
  return rows.map((r) => ({ incident_id: Number(r.incident_id), first_at: Number(r.first_at), last_at: Number(r.last_at) }));
}

export async function findSubscriber(conn: Conn, kind: string, address: string): Promise<SubscriberRow | undefined> {
  return conn.selectFrom('status_page_subscribers').selectAll().where('kind', '=', kind).where('address', '=', address).executeTakeFirst();
}

export async function listSubscribers(conn: Conn): Promise<SubscriberRow[]> {
  return conn.selectFrom('status_page_subscribers').selectAll().where('unsubscribed_at', 'is', null).orderBy('created_at').orderBy('id').execute();
}

export async function insertDeliveries(conn: Conn, rows: Omit<Insertable<StatusPageDeliveriesTable>, 'id'>[]): Promise<number> {
  if (rows.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < rows.length; i += 200) {
    const inserted = await conn
      .insertInto('status_page_deliveries')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.column('delivery_key').doNothing())
      .returning('id')
      .execute();
    n += inserted.length;
  }
  return n;
}
