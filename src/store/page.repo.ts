import type { Insertable, Selectable } from 'kysely';
import type { Conn, Dialect, Tx } from './db.js';
import type { PageAttemptsTable, PagesTable } from './schema.js';

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
 * Claims due pages for delivery: ones stuck in `sending` whose lease ran out (their process died)
 * first, then pending ones whose time has come, high urgency (priority 0) before low and oldest
 * first within each, so a critical page never waits behind a backlog of noise. The pending part is
 * one walk of pages_claim (status, priority, next_attempt_at) with no sort. The claim sets a lease
 * so a crash loses nothing.
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
  const expired = await trx
    .selectFrom('pages')
    .select('id')
    .where('status', '=', 'sending')
    .where('lease_until', '<', now)
    .$if(skipChannels.length > 0, (q) => q.where('channel', 'not in', skipChannels))
    .orderBy('priority')
    .orderBy('lease_until')
    .limit(limit)
    .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked())
    .execute();
  const pending =
    expired.length >= limit
      ? []
      : await trx
          .selectFrom('pages')
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', now)
          .$if(skipChannels.length > 0, (q) => q.where('channel', 'not in', skipChannels))
          .orderBy('priority')
          .orderBy('next_attempt_at')
          .limit(limit - expired.length)
          .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked())
          .execute();
  const ids = [...expired, ...pending].map((d) => d.id);
  if (ids.length === 0) return [];
  const rows = await trx
    .updateTable('pages')
    .set((eb) => ({ status: 'sending', lease_owner: owner, lease_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
    .where('id', 'in', ids)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.priority - b.priority || a.next_attempt_at - b.next_attempt_at || a.id - b.id);
}

/**
 * Claims, for a bundle, the other pages waiting for one contact method: pending ones that are due,
 * and ones a noise limit is holding (whatever their release time: the limit now allows a message,
 * and they go in it). Pages in retry backoff or waiting for a later notification rule stay. Rows
 * another notifier holds are skipped, not waited for.
 */
export async function claimWaitingForMethod(trx: Tx, dialect: Dialect, owner: string, contactMethodId: string, exclude: number[], now: number, leaseMs: number, limit: number): Promise<PageRow[]> {
  const waiting = await trx
    .selectFrom('pages')
    .select('id')
    .where('contact_method_id', '=', contactMethodId)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('next_attempt_at', '<=', now), eb('throttled_at', 'is not', null)]))
    .$if(exclude.length > 0, (q) => q.where('id', 'not in', exclude))
    .orderBy('priority')
    .orderBy('id')
    .limit(limit)
    .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked())
    .execute();
  if (waiting.length === 0) return [];
  return trx
    .updateTable('pages')
    .set((eb) => ({ status: 'sending', lease_owner: owner, lease_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
    .where(
      'id',
      'in',
      waiting.map((w) => w.id),
    )
    .returningAll()
    .execute();
}

export async function listPagesForAlert(conn: Conn, alertId: number): Promise<PageRow[]> {
  return conn.selectFrom('pages').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
}

export type PageAttemptRow = Selectable<PageAttemptsTable>;

/** Every recorded attempt of an alert's pages, oldest first. */
export async function listPageAttemptsForAlert(conn: Conn, alertId: number): Promise<PageAttemptRow[]> {
  return conn
    .selectFrom('page_attempts')
    .innerJoin('pages', 'pages.id', 'page_attempts.page_id')
    .selectAll('page_attempts')
    .where('pages.alert_id', '=', alertId)
    .orderBy('page_attempts.id')
    .execute();
}
