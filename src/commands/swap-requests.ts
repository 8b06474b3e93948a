import type { Selectable } from 'kysely';
import { AppError } from '../domain/errors.js';
import { queueNotice } from '../notify/notices.js';
import type { Conn } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { OverrideRow, StoredSchedule } from '../store/schedule.repo.js';
import type { SwapRequestsTable, SwapRequestStatus } from '../store/swap-request.table.js';
import { audit } from './audit.js';
import type { Actor, Ctx } from './context.js';
import { formatSpan, schedulePath } from './handoff-notices.js';
import { findSchedule, planSwap, schedulesChanged, writeSwap, type SwapFields } from './schedules.js';
import { roleRank } from './tokens.js';

/**
 * Swap requests: a person on call asks someone else to trade shifts. The counterpart (or a
 * manager) accepts, which makes the swap at once (swapShifts' two overrides, in the same
 * transaction as the request's change of status: all or nothing); the counterpart declines, or
 * the requester cancels. Each step is audited and tells the other person.
 */

export type SwapRequestRow = Selectable<SwapRequestsTable>;

/** Who is asking: their actor, the person behind it (null for a token of no one) and their role. */
export interface SwapCaller {
  actor: Actor;
  userId: string | null;
  role: string;
}

export interface SwapRequestInput {
  /** The other person's user name. */
  with: string;
  /** The requester's range, handed to the other person. */
  mine: { start: number; end: number };
  /** The other person's range, taken by the requester. */
  theirs: { start: number; end: number };
  note: string;
}

const FIELDS: SwapFields = { a: 'mine.', b: 'theirs.', aUser: 'mine', bUser: 'theirs' };

const nameOf = (org: OrgSnapshot, id: string): string => org.users.get(id)?.name ?? id;
const scheduleOf = (org: OrgSnapshot, id: string): StoredSchedule | undefined => [...org.schedules.values()].find((s) => s.id === id);

function halves(org: OrgSnapshot, r: SwapRequestRow) {
  return {
    a: { user: nameOf(org, r.requester_id), start: r.a_start_at, end: r.a_end_at },
    b: { user: nameOf(org, r.counterpart_id), start: r.b_start_at, end: r.b_end_at },
  };
}

const auditDetail = (org: OrgSnapshot, r: SwapRequestRow) => ({
  id: r.id,
  requester: nameOf(org, r.requester_id),
  with: nameOf(org, r.counterpart_id),
  mine: { start: new Date(r.a_start_at).toISOString(), end: new Date(r.a_end_at).toISOString() },
  theirs: { start: new Date(r.b_start_at).toISOString(), end: new Date(r.b_end_at).toISOString() },
  note: r.note || null,
});

/** "you take Mon 2 Mar 09:00 UTC – Mon 9 Mar 09:00 UTC, alice takes …" as the counterpart reads it. */
function terms(org: OrgSnapshot, s: StoredSchedule, r: SwapRequestRow): string {
  return `you take ${formatSpan(r.a_start_at, r.a_end_at, s.timeZone)}, ${nameOf(org, r.requester_id)} takes ${formatSpan(r.b_start_at, r.b_end_at, s.timeZone)}`;
}

async function tell(conn: Conn, org: OrgSnapshot, s: StoredSchedule, r: SwapRequestRow, now: number, to: string, event: string, subject: string, text: string[]): Promise<void> {
  await queueNotice(conn, org, now, {
    userId: to,
    kind: 'swap_request',
    key: `swap-request:${r.id}:${event}`,
    subject,
    text: text.join('\n\n'),
    url: schedulePath(s),
    data: { ...auditDetail(org, r), swap_request: r.id, schedule: s.name, event },
  });
}

async function findRequest(conn: Conn, id: number): Promise<SwapRequestRow> {
  const row = await conn.selectFrom('swap_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw AppError.notFound(`swap request ${id}`);
  return row;
}

function pendingOrRefuse(r: SwapRequestRow, verb: string): void {
  if (r.status !== 'pending') {
    throw new AppError('conflict', `swap request ${r.id} is already ${r.status}${r.decided_by ? ` (by ${r.decided_by})` : ''}; it cannot be ${verb}`);
  }
}

/**
 * Sets the request's status from pending, conditionally: of two people deciding at once, one
 * wins and the other is told it was decided already.
 */
async function decide(conn: Conn, r: SwapRequestRow, status: SwapRequestStatus, actor: Actor, now: number, verb: string): Promise<SwapRequestRow> {
  const res = await conn.updateTable('swap_requests').set({ status, decided_at: now, decided_by: actor.name }).where('id', '=', r.id).where('status', '=', 'pending').executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) pendingOrRefuse(await findRequest(conn, r.id), verb);
  return { ...r, status, decided_at: now, decided_by: actor.name };
}

export async function requestSwap(ctx: Ctx, caller: SwapCaller, scheduleName: string, input: SwapRequestInput): Promise<SwapRequestRow> {
  if (caller.userId === null) throw new AppError('forbidden', 'a swap request is made by the person on call; sign in, or use a token of your own (watchkeeper login)');
  const org = await ctx.org.get(ctx.store.db);
  const s = findSchedule(org, scheduleName);
  const me = nameOf(org, caller.userId);
  const other = org.usersByName.get(input.with);
  if (!other) throw AppError.invalid('with', `no user named "${input.with}"`);
  if (other.id === caller.userId) throw AppError.invalid('with', 'name someone else: you cannot swap with yourself');
  const now = ctx.clock.now();
  const a = { user: me, ...input.mine };
  const b = { user: other.name, ...input.theirs };
  // The same checks as a swap made at once, so a request that could never be accepted is refused now.
  await planSwap(ctx.store.db, org, s, caller.actor, now, a, b, input.note, FIELDS);
  const created = await ctx.store.tx(async (trx) => {
    const inserted = await trx
      .insertInto('swap_requests')
      .values({
        schedule_id: s.id,
        requester_id: caller.userId as string,
        a_start_at: a.start,
        a_end_at: a.end,
        counterpart_id: other.id,
        b_start_at: b.start,
        b_end_at: b.end,
        note: input.note,
        status: 'pending',
        created_at: now,
        decided_at: null,
        decided_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const row = await findRequest(trx, Number(inserted.id));
    await audit(trx, caller.actor, now, 'swap_request.create', 'schedule', s.id, s.name, auditDetail(org, row));
    await tell(trx, org, s, row, now, other.id, 'requested', `Swap request on ${s.name}: ${me} asks to swap shifts with you`, [
      `${me} asks to swap on ${s.name}: ${terms(org, s, row)}.`,
      ...(row.note ? [`Note: ${row.note}`] : []),
      `Accept: watchkeeper swap accept ${row.id}\nDecline: watchkeeper swap decline ${row.id}\nOr use Swap requests on the schedule page.`,
    ]);
    return row;
  });
  ctx.wake();
  return created;
}

export async function acceptSwapRequest(ctx: Ctx, caller: SwapCaller, id: number): Promise<{ request: SwapRequestRow; overrides: [OverrideRow, OverrideRow] }> {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  const result = await ctx.store.tx(async (trx) => {
    const r = await findRequest(trx, id);
    const manager = roleRank(caller.role) >= roleRank('manager');
    if (caller.userId !== r.counterpart_id && !manager) {
      throw new AppError('forbidden', `only ${nameOf(org, r.counterpart_id)} (or a manager) can accept swap request ${id}`);
    }
    pendingOrRefuse(r, 'accepted');
    const s = scheduleOf(org, r.schedule_id);
    if (!s) throw AppError.notFound(`the schedule of swap request ${id}`);
    const { a, b } = halves(org, r);
    let rows: [OverrideRow, OverrideRow];
    try {
      rows = await planSwap(trx, org, s, caller.actor, now, a, b, r.note, FIELDS);
    } catch (err) {
      if (err instanceof AppError && err.code === 'invalid') {
        const reason = err.message.replace(/^[a-z.]+: /, '');
        throw new AppError('conflict', `swap request ${id} can no longer be done: ${reason}. Decline it and ask for a new swap.`);
      }
      throw err;
    }
    const decided = await decide(trx, r, 'accepted', caller.actor, now, 'accepted');
    await writeSwap(trx, org, s, caller.actor, now, rows, r.note);
    await audit(trx, caller.actor, now, 'swap_request.accept', 'schedule', s.id, s.name, auditDetail(org, decided));
    if (caller.userId !== r.requester_id) {
      await tell(trx, org, s, decided, now, r.requester_id, 'accepted', `Swap accepted on ${s.name}: ${caller.actor.name} accepted your swap with ${b.user}`, [
        `${caller.actor.name} accepted your swap request ${id} on ${s.name}. You now take ${formatSpan(b.start, b.end, s.timeZone)}; ${b.user} takes ${formatSpan(a.start, a.end, s.timeZone)}.`,
        'See it on the schedule page: watchkeeper schedule show ' + s.name,
      ]);
    }
    return { request: decided, overrides: rows };
  });
  schedulesChanged(ctx);
  return result;
}

export async function declineSwapRequest(ctx: Ctx, caller: SwapCaller, id: number): Promise<SwapRequestRow> {
  return closeRequest(ctx, caller, id, 'declined');
}

export async function cancelSwapRequest(ctx: Ctx, caller: SwapCaller, id: number): Promise<SwapRequestRow> {
  return closeRequest(ctx, caller, id, 'cancelled');
}

/** Decline (the counterpart) or cancel (the requester): nothing on the schedule changes. */
async function closeRequest(ctx: Ctx, caller: SwapCaller, id: number, status: 'declined' | 'cancelled'): Promise<SwapRequestRow> {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  const verb = status === 'declined' ? 'declined' : 'cancelled';
  const row = await ctx.store.tx(async (trx) => {
    const r = await findRequest(trx, id);
    const who = status === 'declined' ? r.counterpart_id : r.requester_id;
    if (caller.userId !== who) {
      throw new AppError('forbidden', status === 'declined' ? `only ${nameOf(org, who)} can decline swap request ${id}` : `only ${nameOf(org, who)}, who asked, can cancel swap request ${id}`);
    }
    pendingOrRefuse(r, verb);
    const s = scheduleOf(org, r.schedule_id);
    if (!s) throw AppError.notFound(`the schedule of swap request ${id}`);
    const decided = await decide(trx, r, status, caller.actor, now, verb);
    await audit(trx, caller.actor, now, status === 'declined' ? 'swap_request.decline' : 'swap_request.cancel', 'schedule', s.id, s.name, auditDetail(org, decided));
    const to = status === 'declined' ? r.requester_id : r.counterpart_id;
    await tell(trx, org, s, decided, now, to, status, `Swap ${verb} on ${s.name}: ${caller.actor.name} ${verb} swap request ${id}`, [
      `${caller.actor.name} ${verb} swap request ${id} on ${s.name}; nothing on the schedule changed.`,
      status === 'declined' ? `Ask someone else: watchkeeper swap request ${s.name} --mine FROM..TO --theirs FROM..TO --with SOMEONE` : 'There is nothing for you to do.',
    ]);
    return decided;
  });
  ctx.wake();
  return row;
}

/**
 * Swap requests the caller asked for or was asked, newest first; every request for a token of
 * no one (an admin's). Optionally of one status and one schedule.
 */
export async function listSwapRequests(ctx: Ctx, caller: SwapCaller, opts: { status?: SwapRequestStatus; schedule?: string } = {}): Promise<SwapRequestRow[]> {
  const org = await ctx.org.get(ctx.store.db);
  let q = ctx.store.db.selectFrom('swap_requests').selectAll();
  if (caller.userId !== null) {
    const me = caller.userId;
    q = q.where((eb) => eb.or([eb('requester_id', '=', me), eb('counterpart_id', '=', me)]));
  }
  if (opts.status) q = q.where('status', '=', opts.status);
  if (opts.schedule !== undefined) q = q.where('schedule_id', '=', findSchedule(org, opts.schedule).id);
  return q.orderBy('id', 'desc').limit(200).execute();
}

/** The request's people and schedule by name, for the API. */
export function swapRequestNames(org: OrgSnapshot, r: SwapRequestRow): { schedule: string; requester: string; with: string } {
  return { schedule: scheduleOf(org, r.schedule_id)?.name ?? r.schedule_id, requester: nameOf(org, r.requester_id), with: nameOf(org, r.counterpart_id) };
}
