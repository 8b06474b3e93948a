import type { Insertable, Selectable } from 'kysely';
import { finalEnd, type MaintenanceWindow, type WindowTiming } from '../domain/maintenance/window.js';
import type { Matcher } from '../domain/silence/matchers.js';
import type { Approver } from '../domain/silence/policy.js';
import type { Conn } from './db.js';
import type { MaintenanceWindowsTable } from './schema.js';

/** Maintenance window rows (019-maintenance) to and from the domain's shape. */

export function windowFromRow(r: Selectable<MaintenanceWindowsTable>): MaintenanceWindow {
  const timing: WindowTiming =
    r.rrule !== null
      ? { kind: 'recurring', recurrence: { rrule: r.rrule, timeZone: r.time_zone ?? 'UTC', start: r.start_time ?? '00:00', durationMs: Number(r.duration_ms ?? 0), from: r.first_day ?? '2020-01-01' } }
      : { kind: 'once', startsAt: Number(r.starts_at ?? 0), endsAt: Number(r.ends_at ?? 0) };
  return {
    id: r.id,
    name: r.name,
    managedBy: r.managed_by === 'file' ? 'file' : 'api',
    scope: { services: JSON.parse(r.services) as string[], matchers: JSON.parse(r.matchers) as Matcher[] },
    timing,
    comment: r.comment,
    createdBy: r.created_by,
    authorId: r.author_id,
    approval: r.approval === 'pending' ? 'pending' : 'approved',
    approvalReasons: JSON.parse(r.approval_reasons) as string[],
    approvers: JSON.parse(r.approvers) as Approver[],
    endedAt: r.ended_at === null ? null : Number(r.ended_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** The columns that describe what a window covers and when (not who made it or its approval). */
export function windowColumns(w: Pick<MaintenanceWindow, 'name' | 'scope' | 'timing' | 'comment' | 'endedAt'>) {
  const t = w.timing;
  return {
    name: w.name,
    services: JSON.stringify(w.scope.services),
    matchers: JSON.stringify(w.scope.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual }))),
    starts_at: t.kind === 'once' ? t.startsAt : null,
    ends_at: t.kind === 'once' ? t.endsAt : null,
    rrule: t.kind === 'recurring' ? t.recurrence.rrule : null,
    time_zone: t.kind === 'recurring' ? t.recurrence.timeZone : null,
    start_time: t.kind === 'recurring' ? t.recurrence.start : null,
    duration_ms: t.kind === 'recurring' ? t.recurrence.durationMs : null,
    first_day: t.kind === 'recurring' ? t.recurrence.from : null,
    final_end_at: finalEnd(t, w.endedAt),
    comment: w.comment,
  } satisfies Partial<Insertable<MaintenanceWindowsTable>>;
}

/** Windows that may still mute something: not ended early and not over for good. */
export async function liveWindows(conn: Conn, now: number | null = null): Promise<MaintenanceWindow[]> {
  let q = conn.selectFrom('maintenance_windows').selectAll().where('ended_at', 'is', null);
  if (now !== null) q = q.where((eb) => eb.or([eb('final_end_at', 'is', null), eb('final_end_at', '>', now)]));
  return (await q.orderBy('created_at').execute()).map(windowFromRow);
}

export async function getWindow(conn: Conn, id: string): Promise<MaintenanceWindow | null> {
  const row = await conn.selectFrom('maintenance_windows').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? windowFromRow(row) : null;
}

/** Every window whose end is within `keepMs` of now, or that has none. */
export async function recentWindows(conn: Conn, now: number, keepMs: number): Promise<MaintenanceWindow[]> {
  const rows = await conn
    .selectFrom('maintenance_windows')
    .selectAll()
    .where((eb) => eb.or([eb('final_end_at', 'is', null), eb('final_end_at', '>', now - keepMs)]))
    .orderBy('created_at')
    .execute();
  return rows.map(windowFromRow);
}
