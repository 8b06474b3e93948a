import type { Insertable, Selectable } from 'kysely';
import type { AlertRow } from './alert.repo.js';
import type { Conn, Dialect, Tx } from './db.js';
import type { AlertGroupsTable } from './schema.js';

export type AlertGroupRow = Selectable<AlertGroupsTable>;

export const groupOpenKey = (serviceId: string, groupKey: string): string => `${serviceId}\n${groupKey}`;

/** The open group of a service with this key: the one lookup a new grouped alert costs. */
export async function findOpenGroup(conn: Conn, serviceId: string, groupKey: string): Promise<AlertGroupRow | undefined> {
  return conn.selectFrom('alert_groups').selectAll().where('open_key', '=', groupOpenKey(serviceId, groupKey)).executeTakeFirst();
}

/** Opens a group; undefined when another writer opened the same one first (the unique open_key). */
export async function insertOpenGroup(conn: Conn, row: Omit<Insertable<AlertGroupsTable>, 'id'>): Promise<AlertGroupRow | undefined> {
  return conn
    .insertInto('alert_groups')
    .values(row)
    .onConflict((oc) => oc.column('open_key').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function getGroup(conn: Conn, id: number): Promise<AlertGroupRow | undefined> {
  return conn.selectFrom('alert_groups').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateGroup(conn: Conn, id: number, patch: Partial<Omit<AlertGroupRow, 'id'>>): Promise<void> {
  await conn.updateTable('alert_groups').set(patch).where('id', '=', id).execute();
}

export async function deleteGroup(conn: Conn, id: number): Promise<void> {
  await conn.deleteFrom('alert_groups').where('id', '=', id).execute();
}

export interface GroupCounts {
  size: number;
  open: number;
}

/** Groups by id with how many alerts each holds (and how many are open): two indexed queries. */
export async function groupsWithCounts(conn: Conn, ids: readonly number[]): Promise<Map<number, AlertGroupRow & GroupCounts>> {
  const out = new Map<number, AlertGroupRow & GroupCounts>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const [groups, counts] = await Promise.all([
      conn.selectFrom('alert_groups').selectAll().where('id', 'in', chunk).execute(),
      conn
        .selectFrom('alerts')
        .select((eb) => [
          'group_id',
          eb.fn.countAll<number>().as('size'),
          eb.fn.sum<number>(eb.case().when('status', '!=', 'resolved').then(1).else(0).end()).as('open'),
        ])
        .where('group_id', 'in', chunk)
        .groupBy('group_id')
        .execute(),
    ]);
    const byId = new Map(counts.map((c) => [Number(c.group_id), c]));
    for (const g of groups) {
      const c = byId.get(g.id);
      out.set(g.id, { ...g, size: Number(c?.size ?? 0), open: Number(c?.open ?? 0) });
    }
  }
  return out;
}

/** Every alert of a group, oldest first. */
export async function listGroupAlerts(conn: Conn, groupId: number, limit = 1000): Promise<AlertRow[]> {
  return conn.selectFrom('alerts').selectAll().where('group_id', '=', groupId).orderBy('id').limit(limit).execute();
}

/** The group's open alerts other than `exceptId`, oldest first, locked on PostgreSQL. */
export async function openGroupAlertsForUpdate(trx: Tx, dialect: Dialect | null, groupId: number, exceptId: number): Promise<AlertRow[]> {
  return trx
    .selectFrom('alerts')
    .selectAll()
    .where('group_id', '=', groupId)
    .where('id', '!=', exceptId)
    .where('status', '!=', 'resolved')
    .orderBy('id')
    .$if(dialect === 'postgres', (q) => q.forUpdate())
    .execute();
}

/** Open groups (for Alertmanager's GET /api/v2/alerts/groups), newest first. */
export async function listOpenGroups(conn: Conn, limit: number): Promise<AlertGroupRow[]> {
  return conn.selectFrom('alert_groups').selectAll().where('open_key', 'is not', null).orderBy('id', 'desc').limit(limit).execute();
}
