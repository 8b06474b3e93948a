import { AppError } from '../domain/errors.js';
import { finalShifts, layerShifts, nextChange, onCallAt, type Override, type ScheduleSpec, type Shift } from '../domain/schedule/schedule.js';
import type { Conn } from '../store/db.js';
import { newId } from '../store/ids.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { deleteOverride, findOverride, insertOverride, overridesBetween, toOverride, type OverrideRow, type StoredSchedule } from '../store/schedule.repo.js';
import { audit } from './audit.js';
import { queueScheduleChangeNotices } from './handoff-notices.js';
import type { Actor, Ctx } from './context.js';

/**
 * On-call schedules at work: who is on call, the shifts over a range, and the overrides people
 * place while they cover and swap shifts. The layers come from the organisation (cached);
 * overrides are read from the store on every call. All time maths is in domain/schedule.
 */

export const DAY = 86_400_000;
/** Longest range a shifts query may cover: a year and a day, enough for "this year" in any zone. */
export const MAX_RANGE_DAYS = 366;

export function findSchedule(org: OrgSnapshot, name: string): StoredSchedule {
  const s = org.schedulesByName.get(name);
  if (!s) throw AppError.notFound(`schedule "${name}"`);
  return s;
}

export const specOf = (s: StoredSchedule, overrides: Override[]): ScheduleSpec => ({ timeZone: s.timeZone, layers: s.layers, overrides });

/** The range [from, to) checked: `to` after `from` and at most MAX_RANGE_DAYS later. */
export function checkRange(from: number, to: number): void {
  if (to <= from) throw AppError.invalid('to', 'must be after from');
  if (to - from > MAX_RANGE_DAYS * DAY) throw AppError.invalid('to', `must be at most ${MAX_RANGE_DAYS} days after from; ask for a shorter range`);
}

export interface OnCallNow {
  schedule: StoredSchedule;
  userId: string | null;
  /** When who is on call next changes; null = never. */
  until: number | null;
}

/** Who is on call at t in each of the given schedules (overrides included). */
export async function onCallIn(conn: Conn, schedules: StoredSchedule[], t: number): Promise<OnCallNow[]> {
  const rows = await overridesBetween(
    conn,
    schedules.map((s) => s.id),
    t,
    Number.MAX_SAFE_INTEGER,
  );
  return schedules.map((s) => {
    const spec = specOf(
      s,
      rows.filter((r) => r.schedule_id === s.id).map(toOverride),
    );
    return { schedule: s, userId: onCallAt(spec, t), until: nextChange(spec, t) };
  });
}

/** How far past either edge of a range a shift is followed to its real start or end. */
export const WHOLE_SHIFT_REACH_MS = MAX_RANGE_DAYS * DAY;

const sameShift = (a: Shift, b: Shift) => a.userId === b.userId && a.source === b.source;

/**
 * The shifts `compute` gives over [from, to), with the first and last followed past the edges to
 * where they really start and end (at most WHOLE_SHIFT_REACH_MS away): a week either side is
 * looked at, then two, four… until the shift is seen to begin or end. A reader asking about
 * Wednesday learns that the shift under way started on Monday, not "at the edge of your question".
 */
export function wholeShifts(compute: (a: number, b: number) => Shift[], from: number, to: number, same: (a: Shift, b: Shift) => boolean = sameShift): Shift[] {
  const shifts = compute(from, to).map((x) => ({ ...x }));
  const first = shifts[0];
  const last = shifts[shifts.length - 1];
  if (first && first.start === from) {
    for (let reach = 7 * DAY; ; reach *= 2) {
      const r = Math.min(reach, WHOLE_SHIFT_REACH_MS);
      const cover = compute(from - r, from + 1).find((x) => x.start <= from && from < x.end && same(x, first));
      if (!cover) break;
      first.start = cover.start;
      if (cover.start > from - r || r === WHOLE_SHIFT_REACH_MS) break;
    }
  }
  if (last && last.end === to) {
    for (let reach = 7 * DAY; ; reach *= 2) {
      const r = Math.min(reach, WHOLE_SHIFT_REACH_MS);
      const cover = compute(to - 1, to + r).find((x) => x.start <= to - 1 && to - 1 < x.end && same(x, last));
      if (!cover) break;
      last.end = cover.end;
      if (cover.end < to + r || r === WHOLE_SHIFT_REACH_MS) break;
    }
  }
  return shifts;
}

export interface ScheduleShifts {
  final: Shift[];
  layers: { name: string; shifts: Shift[] }[];
  overrides: OverrideRow[];
}

/**
 * A schedule's final shifts, each layer's and the overrides overlapping [from, to). Shifts are
 * whole: one that runs past an edge keeps its real start and end.
 */
export async function scheduleShifts(conn: Conn, s: StoredSchedule, from: number, to: number): Promise<ScheduleShifts> {
  checkRange(from, to);
  const wide = await overridesBetween(conn, [s.id], from - WHOLE_SHIFT_REACH_MS, to + WHOLE_SHIFT_REACH_MS);
  const spec = specOf(s, wide.map(toOverride));
  return {
    final: wholeShifts((a, b) => finalShifts(spec, a, b), from, to),
    layers: s.layers.map((l) => ({ name: l.name, shifts: wholeShifts((a, b) => layerShifts(l, a, b), from, to) })),
    overrides: wide.filter((r) => r.end_at > from && r.start_at < to).sort((a, b) => a.start_at - b.start_at || a.created_at - b.created_at),
  };
}

/** One person's final shifts across every schedule ("my shifts"), whole, in time order. */
export async function userShifts(conn: Conn, org: OrgSnapshot, userId: string, from: number, to: number): Promise<{ schedule: StoredSchedule; shift: Shift }[]> {
  checkRange(from, to);
  const schedules = [...org.schedules.values()];
  const rows = await overridesBetween(
    conn,
    schedules.map((s) => s.id),
    from - WHOLE_SHIFT_REACH_MS,
    to + WHOLE_SHIFT_REACH_MS,
  );
  const out: { schedule: StoredSchedule; shift: Shift }[] = [];
  for (const s of schedules) {
    const spec = specOf(
      s,
      rows.filter((r) => r.schedule_id === s.id).map(toOverride),
    );
    for (const shift of wholeShifts((a, b) => finalShifts(spec, a, b), from, to)) if (shift.userId === userId) out.push({ schedule: s, shift });
  }
  return out.sort((a, b) => a.shift.start - b.shift.start || a.schedule.name.localeCompare(b.schedule.name));
}

/** Overrides that have not ended, in start order. */
export async function upcomingOverrides(conn: Conn, s: StoredSchedule, now: number): Promise<OverrideRow[]> {
  return (await overridesBetween(conn, [s.id], now, Number.MAX_SAFE_INTEGER)).sort((a, b) => a.start_at - b.start_at || a.created_at - b.created_at);
}

// ---------------------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------------------

export interface OverrideInput {
  start: number;
  end: number;
  /** User name, or null to take people off without a replacement. */
  user: string | null;
  replaces: string | null;
  note: string;
}

function userIdOf(org: OrgSnapshot, field: string, name: string): string {
  const u = org.usersByName.get(name);
  if (!u) throw AppError.invalid(field, `no user named "${name}"`);
  return u.id;
}

/** Checks an override and returns its row; `prefix` names the fields of a swap half (`a.`). */
function overrideRow(org: OrgSnapshot, s: StoredSchedule, input: OverrideInput, actor: Actor, now: number, prefix = ''): OverrideRow {
  if (input.end <= input.start) throw AppError.invalid(`${prefix}end`, 'must be after start');
  if (input.end <= now) throw AppError.invalid(`${prefix}end`, 'is in the past; an override can only change who is on call from now on');
  if (input.end - input.start > MAX_RANGE_DAYS * DAY) throw AppError.invalid(`${prefix}end`, `must be at most ${MAX_RANGE_DAYS} days after start`);
  const userId = input.user === null ? null : userIdOf(org, `${prefix}user`, input.user);
  const replacesUserId = input.replaces === null ? null : userIdOf(org, `${prefix}replaces`, input.replaces);
  if (userId !== null && userId === replacesUserId) throw AppError.invalid(`${prefix}replaces`, `"${input.replaces ?? ''}" cannot replace themselves; name someone else as user`);
  return {
    id: newId(),
    schedule_id: s.id,
    start_at: input.start,
    end_at: input.end,
    user_id: userId,
    replaces_user_id: replacesUserId,
    note: input.note,
    created_by_name: actor.name,
    created_by_kind: actor.kind,
    created_at: now,
  };
}

const auditDetail = (org: OrgSnapshot, r: OverrideRow) => ({
  id: r.id,
  start: new Date(r.start_at).toISOString(),
  end: new Date(r.end_at).toISOString(),
  user: r.user_id ? (org.users.get(r.user_id)?.name ?? r.user_id) : null,
  replaces: r.replaces_user_id ? (org.users.get(r.replaces_user_id)?.name ?? r.replaces_user_id) : null,
  note: r.note || null,
});

/** Overrides change who is on call, which live views show: tell them, as configuration does. */
function changed(ctx: Ctx): void {
  ctx.bus.publish([{ type: 'config.changed', at: ctx.clock.now() }]);
  // The change may have queued notices to the people it moved.
  ctx.wake();
}

export async function addOverride(ctx: Ctx, actor: Actor, scheduleName: string, input: OverrideInput): Promise<OverrideRow> {
  const org = await ctx.org.get(ctx.store.db);
  const s = findSchedule(org, scheduleName);
  const now = ctx.clock.now();
  const row = overrideRow(org, s, input, actor, now);
  await ctx.store.tx(async (trx) => {
    const before = (await overridesBetween(trx, [s.id], row.start_at, row.end_at)).map(toOverride);
    await insertOverride(trx, row);
    await audit(trx, actor, now, 'schedule_override.create', 'schedule', s.id, s.name, auditDetail(org, row));
    await queueScheduleChangeNotices(trx, org, s, actor, now, {
      key: `override:${row.id}`,
      what: 'placed an override',
      range: { start: row.start_at, end: row.end_at },
      before,
      after: [...before, toOverride(row)],
      note: row.note,
    });
  });
  changed(ctx);
  return row;
}

export async function removeOverride(ctx: Ctx, actor: Actor, scheduleName: string, id: string): Promise<void> {
  const org = await ctx.org.get(ctx.store.db);
  const s = findSchedule(org, scheduleName);
  const now = ctx.clock.now();
  await ctx.store.tx(async (trx) => {
    const row = await findOverride(trx, s.id, id);
    if (!row) throw AppError.notFound(`override ${id} of schedule "${s.name}"`);
    const before = (await overridesBetween(trx, [s.id], row.start_at, row.end_at)).map(toOverride);
    await deleteOverride(trx, id);
    await audit(trx, actor, now, 'schedule_override.delete', 'schedule', s.id, s.name, auditDetail(org, row));
    await queueScheduleChangeNotices(trx, org, s, actor, now, {
      key: `override-removed:${row.id}`,
      what: 'removed an override',
      range: { start: row.start_at, end: row.end_at },
      before,
      after: before.filter((o) => o.id !== row.id),
      note: row.note,
    });
  });
  changed(ctx);
}

export interface SwapHalf {
  user: string;
  start: number;
  end: number;
}

/** Names of a swap's fields in errors: the swaps API's `a.`/`b.`, or a swap request's own. */
export interface SwapFields {
  a: string;
  b: string;
  aUser: string;
  bUser: string;
}
const SWAP_FIELDS: SwapFields = { a: 'a.', b: 'b.', aUser: 'a.user', bUser: 'b.user' };

/**
 * Checks a swap (see swapShifts) against the overrides `conn` sees and returns its two overrides,
 * unwritten. Each person must be on call somewhere in their own range, or the swap would change nothing there.
 */
export async function planSwap(conn: Conn, org: OrgSnapshot, s: StoredSchedule, actor: Actor, now: number, a: SwapHalf, b: SwapHalf, note = '', fields: SwapFields = SWAP_FIELDS): Promise<[OverrideRow, OverrideRow]> {
  if (a.user === b.user) throw AppError.invalid(fields.bUser, 'a swap needs two different people');
  const first = overrideRow(org, s, { start: a.start, end: a.end, user: b.user, replaces: a.user, note }, actor, now, fields.a);
  const second = overrideRow(org, s, { start: b.start, end: b.end, user: a.user, replaces: b.user, note }, actor, now, fields.b);
  const existing = await overridesBetween(conn, [s.id], Math.min(a.start, b.start), Math.max(a.end, b.end));
  const spec = specOf(s, existing.map(toOverride));
  for (const [half, field, row] of [[a, fields.aUser, first], [b, fields.bUser, second]] as const) {
    const onCall = finalShifts(spec, half.start, half.end).some((sh) => sh.userId === row.replaces_user_id);
    if (!onCall) {
      throw AppError.invalid(field, `${half.user} is not on call in schedule "${s.name}" between ${new Date(half.start).toISOString()} and ${new Date(half.end).toISOString()}`);
    }
  }
  return [first, second];
}

/** Writes a planned swap in the caller's transaction: both overrides, the audit entry and the notices. */
export async function writeSwap(trx: Conn, org: OrgSnapshot, s: StoredSchedule, actor: Actor, now: number, [first, second]: [OverrideRow, OverrideRow], note = ''): Promise<void> {
  const range = { start: Math.min(first.start_at, second.start_at), end: Math.max(first.end_at, second.end_at) };
  const before = (await overridesBetween(trx, [s.id], range.start, range.end)).map(toOverride);
  await insertOverride(trx, first);
  await insertOverride(trx, second);
  await audit(trx, actor, now, 'schedule_override.swap', 'schedule', s.id, s.name, { a: auditDetail(org, first), b: auditDetail(org, second) });
  const nameOf = (id: string | null) => (id ? (org.users.get(id)?.name ?? id) : 'nobody');
  await queueScheduleChangeNotices(trx, org, s, actor, now, {
    key: `swap:${first.id}`,
    what: `swapped shifts between ${nameOf(first.replaces_user_id)} and ${nameOf(second.replaces_user_id)}`,
    range,
    before,
    after: [...before, toOverride(first), toOverride(second)],
    note,
  });
}

/**
 * A swap: `a` hands [a.start, a.end) to b and takes [b.start, b.end) from b. Two overrides, each
 * only where its person was on call, written in one transaction so a swap is never half done.
 * Each person must be on call somewhere in their own range, or the swap would change nothing there.
 */
export async function swapShifts(ctx: Ctx, actor: Actor, scheduleName: string, a: SwapHalf, b: SwapHalf, note = ''): Promise<[OverrideRow, OverrideRow]> {
  const org = await ctx.org.get(ctx.store.db);
  const s = findSchedule(org, scheduleName);
  const now = ctx.clock.now();
  const rows = await planSwap(ctx.store.db, org, s, actor, now, a, b, note);
  await ctx.store.tx((trx) => writeSwap(trx, org, s, actor, now, rows, note));
  changed(ctx);
  return rows;
}

/** Overrides changed who is on call: live views hear it and the notifier wakes for the notices. */
export const schedulesChanged = changed;
