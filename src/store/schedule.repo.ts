import type { Layer, Override } from '../domain/schedule/schedule.js';
import type { Conn } from './db.js';
import type { ScheduleOverridesTable } from './schema.js';

/**
 * Schedules as the engine and the API use them, and their overrides. Layers are configuration
 * (cached in the org snapshot); overrides are operational data read per query, so an override
 * placed a minute ago is honoured by the next page without a configuration reload.
 */
export interface StoredSchedule {
  id: string;
  name: string;
  teamId: string | null;
  role: string | null;
  timeZone: string;
  /** Participants by user id. */
  layers: Layer[];
  /** Schedule lint: longest stretch one person may be on call; null = no limit. */
  maxShiftHours: number | null;
  /** Minutes before a shift change the outgoing person is reminded; 0 = no reminder. */
  handoffReminderMinutes: number;
  /** 'partial': nobody on call at times is intended (office hours); lint reports no gaps. */
  coverage: 'full' | 'partial';
}

/** "Handoff: Sunday 23:00 UTC (1 hour before transition)": the reminder when a schedule names none. */
export const DEFAULT_HANDOFF_REMINDER_MINUTES = 60;

export type OverrideRow = ScheduleOverridesTable;

export const toOverride = (r: OverrideRow): Override => ({ id: r.id, start: r.start_at, end: r.end_at, userId: r.user_id, replacesUserId: r.replaces_user_id });

/**
 * Overrides of the given schedules that overlap [from, to), in creation order: the maths applies
 * them in array order, so a later override wins where two overlap.
 */
export async function overridesBetween(conn: Conn, scheduleIds: string[], from: number, to: number): Promise<OverrideRow[]> {
  if (scheduleIds.length === 0) return [];
  return conn
    .selectFrom('schedule_overrides')
    .selectAll()
    .where('schedule_id', 'in', scheduleIds)
    .where('end_at', '>', from)
    .where('start_at', '<', to)
    .orderBy('created_at')
    .orderBy('start_at')
    .execute();
}

/** Each schedule's overrides in force at instant t (keyed by schedule id; absent = none). */
export async function overridesAt(conn: Conn, scheduleIds: string[], t: number): Promise<Map<string, Override[]>> {
  const rows = await overridesBetween(conn, scheduleIds, t, t + 1);
  const out = new Map<string, Override[]>();
  for (const r of rows) {
    const list = out.get(r.schedule_id) ?? [];
    list.push(toOverride(r));
    out.set(r.schedule_id, list);
  }
  return out;
}

export async function insertOverride(conn: Conn, row: OverrideRow): Promise<void> {
  await conn.insertInto('schedule_overrides').values(row).execute();
}

export async function findOverride(conn: Conn, scheduleId: string, id: string): Promise<OverrideRow | undefined> {
  return conn.selectFrom('schedule_overrides').selectAll().where('schedule_id', '=', scheduleId).where('id', '=', id).executeTakeFirst();
}

export async function deleteOverride(conn: Conn, id: string): Promise<void> {
  await conn.deleteFrom('schedule_overrides').where('id', '=', id).execute();
}
