import { AppError } from '../domain/errors.js';
import type { DayBuckets } from '../domain/reports/stats.js';
import { getAlertForUpdate, insertAlertEvents, updateAlert } from '../store/alert.repo.js';
import type { Conn } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { audit } from './audit.js';
import type { Actor, Ctx } from './context.js';
import type { Period } from './reports.js';
import { eventRow } from './timeline.js';

/**
 * "Not actionable": a responder's judgement that an alert needed no action (a false positive, a
 * threshold too tight). The mark is kept beside the alert, not in its state: a marked alert is
 * acknowledged and resolved as any other. The noise report counts the marks per service and alert
 * key, and the false-positive rate is marked / opened over the alerts opened in the period.
 *
 * Marking again replaces the reason; unmarking an alert that is not marked changes nothing.
 */

export const REASON_MAX = 1000;

export interface NotActionableMark {
  markedAt: number;
  markedBy: string;
  reason: string;
}

export async function getNotActionable(conn: Conn, alertId: number): Promise<NotActionableMark | null> {
  const r = await conn.selectFrom('alert_not_actionable').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
  return r ? { markedAt: Number(r.marked_at), markedBy: r.marked_by, reason: r.reason } : null;
}

export async function markNotActionable(ctx: Ctx, id: number, actor: Actor, reason = ''): Promise<NotActionableMark> {
  const why = reason.trim();
  if (why.length > REASON_MAX) throw AppError.invalid('reason', `must be at most ${REASON_MAX} characters`);
  const now = ctx.clock.now();
  const mark = await ctx.store.tx(async (trx) => {
    const alert = await getAlertForUpdate(trx, ctx.store.dialect, id);
    if (!alert) throw AppError.notFound(`alert #${id}`);
    const before = await getNotActionable(trx, id);
    if (before && before.reason === why) return before;
    const row = { alert_id: id, marked_at: now, marked_by: actor.name, reason: why };
    if (before) await trx.updateTable('alert_not_actionable').set(row).where('alert_id', '=', id).execute();
    else await trx.insertInto('alert_not_actionable').values(row).execute();
    const message = `marked not actionable by ${actor.name} via ${actor.surface}${why ? `: ${why}` : ''}`;
    await insertAlertEvents(trx, [eventRow(id, now, actor, 'not_actionable', message, { reason: why })]);
    await updateAlert(trx, id, { updated_at: now });
    await audit(trx, actor, now, 'alert.not_actionable', 'alert', String(id), `#${id} ${alert.summary}`, { reason: why });
    return { markedAt: now, markedBy: actor.name, reason: why };
  });
  ctx.bus.publish([{ type: 'alert.updated', alertId: id, at: now }]);
  return mark;
}

export async function unmarkNotActionable(ctx: Ctx, id: number, actor: Actor): Promise<void> {
  const now = ctx.clock.now();
  const changed = await ctx.store.tx(async (trx) => {
    const alert = await getAlertForUpdate(trx, ctx.store.dialect, id);
    if (!alert) throw AppError.notFound(`alert #${id}`);
    const gone = await trx.deleteFrom('alert_not_actionable').where('alert_id', '=', id).executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) return false;
    await insertAlertEvents(trx, [eventRow(id, now, actor, 'not_actionable_cleared', `not-actionable mark removed by ${actor.name} via ${actor.surface}`)]);
    await updateAlert(trx, id, { updated_at: now });
    await audit(trx, actor, now, 'alert.not_actionable.clear', 'alert', String(id), `#${id} ${alert.summary}`, null);
    return true;
  });
  if (changed) ctx.bus.publish([{ type: 'alert.updated', alertId: id, at: now }]);
}

// ---------------------------------------------------------------------------------------------
// In the noise report
// ---------------------------------------------------------------------------------------------

export interface NotActionableKey {
  service: string;
  dedupKey: string;
  summary: string;
  marked: number;
  opened: number;
  /** marked / opened for this key. */
  rate: number;
}

export interface NotActionableReport {
  /** Alerts opened in the period that were marked not actionable, of all opened in it. */
  marked: number;
  opened: number;
  /** The false-positive rate: marked / opened; null when nothing opened. */
  falsePositiveRate: number | null;
  byService: { service: string; marked: number; opened: number; rate: number }[];
  /** Alert keys with at least one mark, most marked first. */
  byAlert: NotActionableKey[];
  /** Marked alerts per local day of `days` (by when they opened). */
  daily: number[];
}

/**
 * Counted over the alerts opened in the period, like the rest of the noise report. Only the marked
 * alerts are read here (people mark few, by hand); how many opened per key comes from the noise
 * report's own count (`opened`), so the report does not scan the period's alerts once more.
 */
export async function notActionableReport(conn: Conn, org: OrgSnapshot, period: Period, days: DayBuckets, opened: readonly { service: string; dedupKey: string; opened: number }[]): Promise<NotActionableReport> {
  const rows = await conn
    .selectFrom('alert_not_actionable as n')
    .innerJoin('alerts as a', 'a.id', 'n.alert_id')
    .select(['a.service_id', 'a.dedup_key', 'a.created_at', 'a.summary'])
    .where('a.created_at', '>=', period.from)
    .where('a.created_at', '<', period.to)
    .execute();
  const serviceName = (id: string) => org.services.get(id)?.name ?? '(deleted service)';
  const daily = new Array<number>(days.days.length).fill(0);
  const perKey = new Map<string, { service: string; dedupKey: string; summary: string; marked: number }>();
  for (const r of rows) {
    const t = Number(r.created_at);
    let lo = 0;
    let hi = days.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (days.starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    if (daily.length) daily[lo]! += 1;
    const service = serviceName(r.service_id);
    const k = `${service}\n${r.dedup_key}`;
    const e = perKey.get(k) ?? perKey.set(k, { service, dedupKey: r.dedup_key, summary: r.summary, marked: 0 }).get(k)!;
    e.marked++;
  }
  const openedByKey = new Map<string, number>();
  const openedByService = new Map<string, number>();
  let total = 0;
  for (const o of opened) {
    const k = `${o.service}\n${o.dedupKey}`;
    openedByKey.set(k, (openedByKey.get(k) ?? 0) + o.opened);
    openedByService.set(o.service, (openedByService.get(o.service) ?? 0) + o.opened);
    total += o.opened;
  }
  const byAlert: NotActionableKey[] = [...perKey.entries()].map(([k, e]) => {
    const n = Math.max(openedByKey.get(k) ?? 0, e.marked);
    return { ...e, opened: n, rate: e.marked / n };
  });
  const services = new Map<string, number>();
  for (const a of byAlert) services.set(a.service, (services.get(a.service) ?? 0) + a.marked);
  const marked = rows.length;
  return {
    marked,
    opened: total,
    falsePositiveRate: total ? marked / total : null,
    byService: [...services.entries()]
      .map(([service, m]) => {
        const n = Math.max(openedByService.get(service) ?? 0, m);
        return { service, marked: m, opened: n, rate: m / n };
      })
      .sort((a, b) => b.marked - a.marked || a.service.localeCompare(b.service)),
    daily,
    byAlert: byAlert.sort((a, b) => b.marked - a.marked || b.rate - a.rate || a.service.localeCompare(b.service) || a.dedupKey.localeCompare(b.dedupKey)),
  };
}
