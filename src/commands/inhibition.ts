import { anySource, anyTarget, inhibits } from '../domain/silence/inhibition.js';
import type { Labels } from '../domain/silence/matchers.js';
import type { AlertRow } from '../store/alert.repo.js';
import { insertAlertEvents, updateAlert } from '../store/alert.repo.js';
import type { Conn, Tx } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { ChangeEvent } from './context.js';
import { matchLabels } from './silences.js';
import { systemEventRow } from './timeline.js';

/**
 * Inhibition at work: an alert that opens while a source alert of a rule fires (with the rule's
 * equal labels) is recorded but pages nobody; a source that opens mutes the open, unacknowledged
 * targets it inhibits; when the source resolves, the alerts it held are checked again by the
 * engine and page from their first level if nothing else inhibits them.
 */

async function openAlerts(conn: Conn): Promise<AlertRow[]> {
  return conn.selectFrom('alerts').selectAll().where('open_key', 'is not', null).execute();
}

/** The open alert inhibiting an alert with these labels, or null. Costs nothing when no rule targets it. */
export async function findInhibitor(conn: Conn, org: OrgSnapshot, labels: Labels, selfId: number | null): Promise<AlertRow | null> {
  if (org.inhibitRules.length === 0 || !anyTarget(org.inhibitRules, labels)) return null;
  for (const a of await openAlerts(conn)) {
    if (a.id === selfId || a.status === 'resolved') continue;
    if (inhibits(org.inhibitRules, matchLabels(a, org.services.get(a.service_id)?.name), labels)) return a;
  }
  return null;
}

export function inhibitedText(source: Pick<AlertRow, 'id' | 'summary'>): string {
  return `inhibited by #${source.id} (${source.summary}): pages nobody while that alert is open`;
}

/** A new source alert mutes the open, unacknowledged, not yet muted alerts it inhibits. */
export async function inhibitTargets(trx: Tx, org: OrgSnapshot, source: AlertRow, now: number): Promise<ChangeEvent[]> {
  if (org.inhibitRules.length === 0) return [];
  const srcLabels = matchLabels(source, org.services.get(source.service_id)?.name);
  if (!anySource(org.inhibitRules, srcLabels)) return [];
  const changes: ChangeEvent[] = [];
  for (const t of await openAlerts(trx)) {
    if (t.id === source.id || t.status !== 'triggered' || t.silenced_by !== null || t.maintenance_by !== null || t.inhibited_by !== null) continue;
    if (!inhibits(org.inhibitRules, srcLabels, matchLabels(t, org.services.get(t.service_id)?.name))) continue;
    await updateAlert(trx, t.id, { inhibited_by: source.id, next_escalation_at: null, updated_at: now });
    await insertAlertEvents(trx, [systemEventRow(t.id, now, 'inhibited', inhibitedText(source), { inhibited_by: source.id })]);
    changes.push({ type: 'alert.updated', alertId: t.id, status: t.status, at: now });
  }
  return changes;
}

/** A source resolved: the alerts it held are due now, for the engine to check again. */
export async function releaseInhibited(trx: Tx, sourceId: number, now: number): Promise<void> {
  await trx.updateTable('alerts').set({ next_escalation_at: now }).where('inhibited_by', '=', sourceId).where('open_key', 'is not', null).execute();
}
