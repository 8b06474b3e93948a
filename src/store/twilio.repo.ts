import { sql } from 'kysely';
import type { Conn, Store } from './db.js';

/**
 * Reply codes and opt-outs for SMS and voice (009-twilio).
 *
 * A reply code is a small number per phone number: the first alert paged to +4477… gets 1, the
 * next open one 2, and so on, so a reply stays short ("1a") however many alerts the organisation
 * has. The same code on two numbers means two different things, and a reply is looked up by the
 * number it came from, so nobody can act on an alert that was not sent to them.
 *
 * A code is reused only when its alert is resolved (or gone) and it was last sent more than
 * REUSE_AFTER_MS ago: a late reply to last night's resolved alert then finds nothing to act on
 * instead of acting on a new alert that took over the code.
 */
export const REUSE_AFTER_MS = 24 * 3_600_000;

export interface ReplyCode {
  phone: string;
  code: number;
  alertId: number;
  userId: string;
}

/** Advisory-lock namespace for reply-code allocation; the second key is the phone number's hash. */
const REPLY_CODE_LOCK = 7_263_309;

/**
 * The code for (phone, alert): the existing one, refreshed, or the smallest free one. Runs in a
 * transaction of its own that holds a lock per phone number on PostgreSQL (SQLite writes one at a
 * time anyway), so the SMS and the call of one alert sent at the same moment share a code: without
 * it, one could miss the other's row in its first read and see it taken in its second. The primary
 * key stays the last guard, and the loop tries again with what another transaction committed.
 */
export async function replyCodeFor(store: Store, phone: string, alertId: number, userId: string, now: number): Promise<number> {
  return store.tx(async (trx) => {
    if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${REPLY_CODE_LOCK}, hashtext(${phone}))`.execute(trx);
    for (let attempt = 0; attempt < 10; attempt++) {
      const existing = await trx.selectFrom('twilio_reply_codes').select('code').where('phone', '=', phone).where('alert_id', '=', alertId).orderBy('code').executeTakeFirst();
      if (existing) {
        await trx.updateTable('twilio_reply_codes').set({ sent_at: now, user_id: userId }).where('phone', '=', phone).where('code', '=', existing.code).execute();
        return existing.code;
      }
      const rows = await trx
        .selectFrom('twilio_reply_codes as c')
        .leftJoin('alerts as a', 'a.id', 'c.alert_id')
        .select(['c.code', 'c.sent_at', 'a.status'])
        .where('c.phone', '=', phone)
        .orderBy('c.code')
        .execute();
      const held = new Map(rows.map((r) => [r.code, r]));
      let code = 1;
      for (;;) {
        const row = held.get(code);
        if (!row) break;
        const free = (row.status === null || row.status === 'resolved') && row.sent_at < now - REUSE_AFTER_MS;
        if (free) break;
        code++;
      }
      const stale = held.get(code);
      const values = { alert_id: alertId, user_id: userId, created_at: now, sent_at: now };
      const taken = stale
        ? await trx.updateTable('twilio_reply_codes').set(values).where('phone', '=', phone).where('code', '=', code).where('sent_at', '=', stale.sent_at).returning('code').executeTakeFirst()
        : await trx
            .insertInto('twilio_reply_codes')
            .values({ phone, code, ...values })
            .onConflict((oc) => oc.columns(['phone', 'code']).doNothing())
            .returning('code')
            .executeTakeFirst();
      if (taken) return code;
    }
    throw new Error(`could not allocate a reply code for ${phone}`);
  });
}

/** What a code sent to `phone` means, or null when that number was never sent it. */
export async function findReplyCode(conn: Conn, phone: string, code: number): Promise<ReplyCode | null> {
  const row = await conn.selectFrom('twilio_reply_codes').select(['phone', 'code', 'alert_id', 'user_id']).where('phone', '=', phone).where('code', '=', code).executeTakeFirst();
  return row ? { phone: row.phone, code: row.code, alertId: row.alert_id, userId: row.user_id } : null;
}

export async function isOptedOut(conn: Conn, phone: string): Promise<boolean> {
  return (await conn.selectFrom('twilio_opt_outs').select('phone').where('phone', '=', phone).executeTakeFirst()) !== undefined;
}

/** Records an opt-out; true when the number was not opted out before. */
export async function optOut(conn: Conn, phone: string, keyword: string, now: number): Promise<boolean> {
  const inserted = await conn
    .insertInto('twilio_opt_outs')
    .values({ phone, keyword, opted_out_at: now })
    .onConflict((oc) => oc.column('phone').doNothing())
    .returning('phone')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Removes an opt-out; true when the number was opted out. */
export async function optIn(conn: Conn, phone: string): Promise<boolean> {
  return (await conn.deleteFrom('twilio_opt_outs').where('phone', '=', phone).returning('phone').executeTakeFirst()) !== undefined;
}

export interface OptOutRow {
  phone: string;
  keyword: string;
  optedOutAt: number;
  /** People who have this number as an SMS or voice contact method. */
  users: string[];
}

export async function listOptOuts(conn: Conn): Promise<OptOutRow[]> {
  const rows = await conn.selectFrom('twilio_opt_outs').selectAll().orderBy('opted_out_at', 'desc').execute();
  if (rows.length === 0) return [];
  const owners = await conn
    .selectFrom('contact_methods as cm')
    .innerJoin('users as u', 'u.id', 'cm.user_id')
    .select(['cm.address', 'u.name'])
    .where('cm.kind', 'in', ['sms', 'voice'])
    .where(
      'cm.address',
      'in',
      rows.map((r) => r.phone),
    )
    .execute();
  return rows.map((r) => ({
    phone: r.phone,
    keyword: r.keyword,
    optedOutAt: r.opted_out_at,
    users: [...new Set(owners.filter((o) => o.address === r.phone).map((o) => o.name))].sort(),
  }));
}
