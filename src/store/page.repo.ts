import type { Insertable, Selectable } from 'kysely';
import type { Conn, Dialect, Tx } from './db.js';
import type { PagesTable } from './schema.js';

export type PageRow = Selectable<PagesTable>;
export type NewPage = Omit<Insertable<PagesTable>, 'id'>;

/**
 * Writes pages into the outbox. A page whose key already exists is skipped: the unique key is what
 * makes a second page for the same (alert, notify sequence, level, user, method, rule) impossible,
 * even when two engines race or one retries after a crash.
 */
export async function insertPages(conn: Conn, pages: NewPage[]): Promise<number> {
  if (pages.length === 0) return 0;
  const rows = await conn
    .insertInto('pages')
    .values(pages)
    .onConflict((oc) => oc.column('page_key').doNothing())
    .returning('id')
    .execute();
  return rows.length;
}

/**
 * Claims due pages for delivery: pending ones whose time has come, and ones stuck in `sending`
 * whose lease ran out (their process died). The claim sets a lease so a crash loses nothing.
 */
export async function claimDuePages(
  trx: Tx,
  dialect: Dialect,
  owner: string,
  now: number,
  leaseMs: number,
  limit: number,
  /** Channels whose senders are busy: their pages wait so they cannot hold up other channels. */
  skipChannels: string[] = [],
): Promise<PageRow[]> {
  const due = await trx
    .selectFrom('pages')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
      ]),
    )
    .$if(skipChannels.length > 0, (q) => q.where('channel', 'not in', skipChannels))
    .orderBy('next_attempt_at')
    .limit(limit)
    .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked())
    .execute();
  if (due.length === 0) return [];
  return trx
    .updateTable('pages')
    .set((eb) => ({ status: 'sending', lease_owner: owner, lease_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
    .where(
      'id',
      'in',
      due.map((d) => d.id),
    )
    .returningAll()
    .execute();
}

export async function listPagesForAlert(conn: Conn, alertId: number): Promise<PageRow[]> {
  return conn.selectFrom('pages').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
}
