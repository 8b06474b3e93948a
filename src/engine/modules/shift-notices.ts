import { handoffNoteNotice, handoffReminderNotice, oncallSoonNotice, shiftStartedNotice } from '../../commands/handoff-notices.js';
import { relevantServices, specAround, stretchAt, writeHandoffNote } from '../../commands/handoffs.js';
import { specOf } from '../../commands/schedules.js';
import type { Ctx } from '../../commands/context.js';
import { transitions } from '../../domain/handoff/transitions.js';
import { finalShifts, type ScheduleSpec } from '../../domain/schedule/schedule.js';
import { queueNotice } from '../../notify/notices.js';
import type { Tx } from '../../store/db.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import { overridesBetween, toOverride, type StoredSchedule } from '../../store/schedule.repo.js';
import { getSetting } from '../../store/settings.repo.js';

/**
 * Shift notices: at each change of who is on call in a schedule,
 *   T - reminder_minutes  the outgoing person is reminded to prepare the handoff ('handoff_reminder');
 *   T - 24 h              the incoming person hears they are on call soon ('oncall_soon'), unless
 *                         they are on call in the schedule already;
 *   T                     the handoff note is written and goes to the incoming person ('handoff_note'),
 *                         who also hears that their shift has started ('shift_started').
 *
 * Durable and exactly once. A cursor in the settings table says up to when the clock has been
 * scanned. Each scan claims (cursor, now] with a conditional UPDATE of the cursor, so of two
 * engines that read the same cursor only one goes on (on PostgreSQL the second waits for the
 * first's row lock, then finds the value changed); notices and the note are written in that same
 * transaction, so a crash loses nothing and repeats nothing. Notice keys and the note's unique
 * (schedule, instant) make a repeat impossible even so.
 *
 * Who gets what is decided when the notice falls due, from the schedule and overrides as they are
 * then: an override placed after the 24-hour notice decides who hears the shift has started.
 *
 * After downtime the scan catches up at most CATCH_UP_MS: a reminder for a handoff that has
 * passed, or "on call soon" for a shift already started, is not sent (the later notices are).
 * A scan runs at most once a minute of clock time; between scans a tick costs one comparison.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const SCAN_INTERVAL_MS = MINUTE;
export const CATCH_UP_MS = 6 * HOUR;
export const SOON_MS = 24 * HOUR;
export const CURSOR_KEY = 'shift_notices_cursor';

export interface ScanResult {
  /** The range of clock time scanned, or null when another engine had it or nothing was due. */
  scanned: { from: number; to: number } | null;
  notices: number;
  notes: number;
}

export async function scanShiftChanges(ctx: Ctx): Promise<ScanResult> {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  return ctx.store.tx(async (trx) => {
    const raw = await getSetting(trx, CURSOR_KEY);
    if (raw === null) {
      // First start: begin from now; there is nothing earlier to catch up with.
      await trx.insertInto('settings').values({ key: CURSOR_KEY, value: String(now) }).onConflict((oc) => oc.column('key').doNothing()).execute();
      return { scanned: null, notices: 0, notes: 0 };
    }
    const cursor = Number(raw);
    if (!(cursor < now)) return { scanned: null, notices: 0, notes: 0 };
    const claim = await trx.updateTable('settings').set({ value: String(now) }).where('key', '=', CURSOR_KEY).where('value', '=', raw).executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) return { scanned: null, notices: 0, notes: 0 };
    const from = Math.max(cursor, now - CATCH_UP_MS);
    if (from > cursor) {
      ctx.log.warn({ component: 'engine', module: 'shift-notices', skippedMinutes: Math.round((from - cursor) / MINUTE) }, 'shift notices older than the catch-up limit were not sent');
    }
    const r = await scanRange(trx, org, from, now);
    return { scanned: { from, to: now }, ...r };
  });
}

/** Everything falling due in (from, to], written in `trx`. */
async function scanRange(trx: Tx, org: OrgSnapshot, from: number, to: number): Promise<{ notices: number; notes: number }> {
  const schedules = [...org.schedules.values()];
  if (schedules.length === 0) return { notices: 0, notes: 0 };
  const reach = (s: StoredSchedule) => Math.max(SOON_MS, s.handoffReminderMinutes * MINUTE);
  const maxReach = Math.max(...schedules.map(reach));
  const rows = await overridesBetween(
    trx,
    schedules.map((s) => s.id),
    from - 1,
    to + maxReach + 1,
  );
  let notices = 0;
  let notes = 0;
  for (const s of schedules) {
    const spec = specOf(
      s,
      rows.filter((r) => r.schedule_id === s.id).map(toOverride),
    );
    const shifts = finalShifts(spec, from - 1, to + reach(s) + 1);
    // Whole shifts are looked up with the overrides that reach further, once per schedule at most.
    let wide: ScheduleSpec | null = null;
    const wideSpec = async (t: number) => (wide ??= await specAround(trx, s, t));

    const remind = s.handoffReminderMinutes * MINUTE;
    if (remind > 0) {
      for (const t of transitions(shifts, from + remind, to + remind)) {
        if (t.outgoing === null || t.incoming === null || t.at <= to) continue;
        const open = await openCounts(trx, org, s);
        notices += await queueNotice(trx, org, to, handoffReminderNotice(org, s, t.outgoing, t.incoming, t.at, to, open));
      }
    }
    // Nobody needs "you are on call in 24 hours" while on call in the same schedule (office hours
    // would say it every weekday).
    const onCallNow = (userId: string) => shifts.some((x) => x.userId === userId && x.start <= to && to < x.end);
    for (const t of transitions(shifts, from + SOON_MS, to + SOON_MS)) {
      if (t.incoming === null || t.at <= to || onCallNow(t.incoming)) continue;
      const st = stretchAt(await wideSpec(t.at), t.at);
      notices += await queueNotice(trx, org, to, oncallSoonNotice(org, s, t.incoming, t.outgoing, { start: t.at, end: st?.end ?? null }, to));
    }
    for (const t of transitions(shifts, from, to)) {
      let noteId: number | null = null;
      if (t.outgoing !== null && t.incoming !== null) {
        const note = await writeHandoffNote(trx, org, s, await wideSpec(t.at), t, to);
        if (note) {
          notes++;
          noteId = note.id;
          notices += await queueNotice(trx, org, to, handoffNoteNotice(s, t.incoming, note.id, note.content));
        }
      }
      if (t.incoming !== null) {
        const st = stretchAt(await wideSpec(t.at), t.at);
        notices += await queueNotice(trx, org, to, shiftStartedNotice(org, s, t.incoming, t.outgoing, { start: t.at, end: st?.end ?? null }, noteId));
      }
    }
  }
  return { notices, notes };
}

async function openCounts(trx: Tx, org: OrgSnapshot, s: StoredSchedule): Promise<{ triggered: number; acknowledged: number }> {
  const ids = relevantServices(org, s).map((x) => x.id);
  if (ids.length === 0) return { triggered: 0, acknowledged: 0 };
  const rows = await trx
    .selectFrom('alerts')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('service_id', 'in', ids)
    .where('status', 'in', ['triggered', 'acknowledged'])
    .groupBy('status')
    .execute();
  const n = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { triggered: n('triggered'), acknowledged: n('acknowledged') };
}

export function shiftNoticesModule(ctx: Ctx) {
  let lastRun = -Infinity;
  return {
    name: 'shift-notices',
    run: async (): Promise<boolean> => {
      const now = ctx.clock.now();
      if (now - lastRun < SCAN_INTERVAL_MS) return false;
      lastRun = now;
      const r = await scanShiftChanges(ctx);
      if (r.notices > 0) {
        ctx.wake();
        ctx.log.info({ component: 'engine', module: 'shift-notices', notices: r.notices, notes: r.notes }, `queued ${r.notices} shift notices`);
      }
      return false;
    },
  };
}
