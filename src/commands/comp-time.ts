import { DateTime } from 'luxon';
import type { CompTimePolicy } from '../config/org-comp-time.js';
import { AppError } from '../domain/errors.js';
import type { Conn } from '../store/db.js';
import { newId } from '../store/ids.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { getSetting } from '../store/settings.repo.js';
import { audit } from './audit.js';
import type { Actor, Ctx } from './context.js';

/**
 * Comp time: time off owed for being on call, and time off taken.
 *
 * Owed accrues pro rata with hours on call in the schedules the policy counts (1 day per 168 hours
 * for Clipper). Earned time lapses `take_within` after it was earned, so the balance at a moment is
 * what was earned in the `take_within` before it, less what was taken in that time (never below
 * zero): a day off taken last month pays for last month's week, not this one's.
 */

export interface CompTimeEntry {
  id: string;
  user: string;
  day: string;
  days: number;
  note: string;
  recordedBy: string;
  recordedAt: number;
}

export async function loadCompTimePolicy(conn: Conn): Promise<CompTimePolicy | null> {
  return JSON.parse((await getSetting(conn, 'comp_time')) ?? 'null') as CompTimePolicy | null;
}

export interface TakeInput {
  user: string;
  /** The local date the time off starts, YYYY-MM-DD. */
  day: string;
  days: number;
  note: string;
}

/** Records time off taken. A person records their own; a manager records anyone's. */
export async function recordCompTime(ctx: Ctx, actor: Actor, caller: { userName: string | null; manager: boolean }, input: TakeInput): Promise<CompTimeEntry> {
  const org = await ctx.org.get(ctx.store.db);
  const user = [...org.users.values()].find((u) => u.name === input.user);
  if (!user) throw AppError.invalid('user', `no user named "${input.user}"`);
  if (!caller.manager && caller.userName !== user.name) throw new AppError('forbidden', `only ${user.name} or a manager can record ${user.name}'s time off`);
  const start = DateTime.fromISO(input.day, { zone: user.time_zone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.day) || !start.isValid) throw AppError.invalid('day', `"${input.day}" is not a date; write it as YYYY-MM-DD`);
  if (!(input.days > 0 && input.days <= 31) || Math.round(input.days * 8) !== input.days * 8) throw AppError.invalid('days', 'must be from 0.125 (one hour of an 8-hour day) to 31, in eighths of a day, e.g. 1 or 0.5');
  const note = input.note.trim();
  const now = ctx.clock.now();
  const entry = { id: newId(), user_id: user.id, day: input.day, taken_at: start.toMillis(), days: input.days, note, recorded_by: actor.name, recorded_at: now };
  await ctx.store.tx(async (trx) => {
    await trx.insertInto('comp_time_taken').values(entry).execute();
    await audit(trx, actor, now, 'comp_time.record', 'user', user.id, user.name, { day: input.day, days: input.days, note });
  });
  return { id: entry.id, user: user.name, day: entry.day, days: entry.days, note, recordedBy: actor.name, recordedAt: now };
}

export async function listCompTime(conn: Conn, org: OrgSnapshot, opts: { user?: string; from: number; to: number }): Promise<CompTimeEntry[]> {
  let q = conn.selectFrom('comp_time_taken').selectAll().where('taken_at', '>=', opts.from).where('taken_at', '<', opts.to);
  if (opts.user !== undefined) {
    const user = [...org.users.values()].find((u) => u.name === opts.user);
    if (!user) throw AppError.invalid('user', `no user named "${opts.user}"`);
    q = q.where('user_id', '=', user.id);
  }
  const rows = await q.orderBy('taken_at').orderBy('recorded_at').execute();
  return rows.map((r) => ({ id: r.id, user: org.users.get(r.user_id)?.name ?? r.user_id, day: r.day, days: Number(r.days), note: r.note, recordedBy: r.recorded_by, recordedAt: r.recorded_at }));
}

export async function deleteCompTime(ctx: Ctx, actor: Actor, caller: { userName: string | null; manager: boolean }, id: string): Promise<void> {
  const row = await ctx.store.db.selectFrom('comp_time_taken').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw AppError.notFound(`time off entry ${id}`);
  const org = await ctx.org.get(ctx.store.db);
  const name = org.users.get(row.user_id)?.name ?? row.user_id;
  if (!caller.manager && caller.userName !== name) throw new AppError('forbidden', `only ${name} or a manager can remove ${name}'s time off`);
  await ctx.store.tx(async (trx) => {
    await trx.deleteFrom('comp_time_taken').where('id', '=', id).execute();
    await audit(trx, actor, ctx.clock.now(), 'comp_time.delete', 'user', row.user_id, name, { day: row.day, days: Number(row.days) });
  });
}

/** Days taken per user id in [from, to). */
export async function takenBetween(conn: Conn, from: number, to: number): Promise<Map<string, number>> {
  const rows = await conn
    .selectFrom('comp_time_taken')
    .select(['user_id', (eb) => eb.fn.sum<number>('days').as('days')])
    .where('taken_at', '>=', from)
    .where('taken_at', '<', to)
    .groupBy('user_id')
    .execute();
  return new Map(rows.map((r) => [r.user_id, Number(r.days)]));
}
