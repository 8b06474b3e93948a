import { CHANNEL_PREFIX } from '../commands/notify-level.js';
import { firstApplicableLevel } from '../domain/escalation/policy.js';
import { escalateTo, policyOf } from '../commands/alert-transitions.js';
import { systemActor, type ChangeEvent } from '../commands/context.js';
import { systemEventRow } from '../commands/timeline.js';
import { getAlertForUpdate, insertAlertEvents, type NewAlertEvent } from '../store/alert.repo.js';
import type { Dialect, Tx } from '../store/db.js';
import { insertPages, type NewPage, type PageRow } from '../store/page.repo.js';
import type { OrgSnapshot } from '../store/org.repo.js';

/**
 * Fall-over: what happens when a page can no longer reach its person (a permanent error, its
 * retries used up, or the provider reporting later that it was not delivered). In the transaction
 * that records the failure:
 *
 * 1. The person's next way in is paged at once: the next step of their notification rules for the
 *    alert's urgency that was not paged yet for this notification (a later step waiting for its
 *    delay is brought forward), or, when the rules have none left, any other verified method of
 *    theirs. Timeline: "SMS to alice failed (21610 opted out); falling over to voice".
 * 2. When nothing is left that could reach the person (no other page of theirs for this
 *    notification is on its way or went out), an 'unreachable' event says so.
 * 3. When nobody the level paged can be reached any more, the alert escalates to the next level at
 *    once instead of waiting for the level's timeout ("nobody on level 1 could be reached").
 *
 * Exactly once across processes: the caller records the failure only for pages it holds the lease
 * of, and this locks the alert row (PostgreSQL; SQLite has one writer) before looking at its pages,
 * so two failures of one alert committed by two notifiers are seen one after the other. An
 * escalation bumps notify_seq, so a second look at the same level finds it already left behind.
 * Alerts are locked in id order so two notifiers never wait for each other in a cycle.
 */

export interface FailedPage {
  page: Pick<PageRow, 'id' | 'alert_id' | 'notify_seq' | 'level' | 'cycle' | 'user_id' | 'contact_method_id' | 'channel' | 'priority'>;
  error: string;
}

export interface FallOverResult {
  events: NewAlertEvent[];
  changes: ChangeEvent[];
  /** Pages queued or brought forward: the notifier should look for due pages again. */
  pages: number;
}

const LABELS: Record<string, string> = { sms: 'SMS', voice: 'voice', email: 'email', webhook: 'webhook', slack: 'Slack', teams: 'Teams', log: 'log' };

export function channelLabel(channel: string): string {
  return LABELS[channel] ?? channel;
}

/** Pages in these states can still reach (or have reached) the person. */
const ALIVE = new Set(['pending', 'sending', 'sent', 'delivered']);

export async function fallOver(trx: Tx, dialect: Dialect, org: OrgSnapshot, now: number, failed: FailedPage[]): Promise<FallOverResult> {
  const out: FallOverResult = { events: [], changes: [], pages: 0 };
  const byAlert = new Map<number, FailedPage[]>();
  for (const f of failed) byAlert.set(f.page.alert_id, [...(byAlert.get(f.page.alert_id) ?? []), f]);
  for (const alertId of [...byAlert.keys()].sort((a, b) => a - b)) {
    const alert = await getAlertForUpdate(trx, dialect, alertId);
    // Acknowledged, resolved or deleted: nobody needs reaching any more.
    if (!alert || alert.status !== 'triggered') continue;
    // Only failures of the notification the alert is waiting on matter; an earlier level's page
    // that fails after the alert moved on has been followed up by the escalation already.
    const current = (byAlert.get(alertId) ?? []).filter((f) => f.page.notify_seq === alert.notify_seq);
    if (current.length === 0) continue;
    const seqPages = () =>
      trx
        .selectFrom('pages')
        .select(['id', 'user_id', 'contact_method_id', 'status', 'next_attempt_at'])
        .where('alert_id', '=', alertId)
        .where('notify_seq', '=', alert.notify_seq)
        .execute();
    const pages = await seqPages();
    const urgency = org.severities.urgency(alert.severity);
    const events: NewAlertEvent[] = [];
    const newPages: NewPage[] = [];
    const handled = new Set<string>();
    for (const f of current) {
      const { page } = f;
      // A channel (a level's Teams channel or webhook) has no other method to fall over to; its
      // failure is on the timeline already.
      if (page.user_id.startsWith(CHANNEL_PREFIX)) continue;
      // One fall-over per person and method per batch: a bundle failing carries one page per alert.
      const key = `${page.user_id}\n${page.contact_method_id}`;
      if (handled.has(key)) continue;
      handled.add(key);
      const name = org.users.get(page.user_id)?.name ?? page.user_id;
      const mine = pages.filter((p) => p.user_id === page.user_id);
      const target = await nextMethod(trx, org, page.user_id, urgency, mine, newPages, now);
      const failure = `${channelLabel(page.channel)} to ${name} failed (${f.error})`;
      if (target) {
        if (target.kind === 'new') {
          const cm = target.cm;
          newPages.push({
            page_key: `${alertId}:${alert.notify_seq}:${page.level}:${page.user_id}:${cm.id}:fallover`,
            alert_id: alertId,
            notify_seq: alert.notify_seq,
            level: page.level,
            cycle: page.cycle,
            user_id: page.user_id,
            contact_method_id: cm.id,
            rule_id: null,
            channel: cm.kind,
            destination: cm.address,
            status: 'pending',
            created_at: now,
            next_attempt_at: now,
            attempts: 0,
            last_error: null,
            sent_at: null,
            lease_owner: null,
            lease_until: null,
            priority: page.priority,
          });
        }
        out.pages++;
        events.push(systemEventRow(alertId, now, 'page_fallover', `${failure}; falling over to ${channelLabel(target.cm.kind)} (${target.cm.name})`, { page_id: page.id, contact_method: target.cm.name }));
      } else if (!mine.some((p) => p.id !== page.id && ALIVE.has(p.status))) {
        events.push(systemEventRow(alertId, now, 'unreachable', `${failure}; ${name} cannot be reached for this alert: no contact method is left to try`, { page_id: page.id, user: name }));
      }
    }
    if (newPages.length) await insertPages(trx, newPages);
    await insertAlertEvents(trx, events);
    out.events.push(...events);

    // Is anybody on the level still reachable? People whose every page failed are not.
    const after = await seqPages();
    // People count; channels only when the level pages no person.
    const people = after.filter((p) => !p.user_id.startsWith(CHANNEL_PREFIX));
    if ((people.length ? people : after).some((p) => ALIVE.has(p.status))) continue;
    const spec = policyOf(alert);
    const levelText = `level ${alert.escalation_level + 1}`;
    const next = spec ? firstApplicableLevel(spec, alert.severity, alert.escalation_level + 1) : null;
    if (!spec || next === null) {
      const e = systemEventRow(alertId, now, 'unreachable', `nobody on ${levelText} could be reached and no later level applies; the policy's timer still runs`, { level: alert.escalation_level });
      await insertAlertEvents(trx, [e]);
      out.events.push(e);
      continue;
    }
    const r = await escalateTo(trx, org, alert, spec, next, alert.escalation_cycle, systemActor('engine'), now, `nobody on ${levelText} could be reached`);
    out.changes.push(...r.changes);
    out.pages += r.pages;
  }
  return out;
}

type Method = { id: string; name: string; kind: string; address: string };
type Target = { kind: 'new'; cm: Method } | { kind: 'forward'; cm: Method };

/**
 * The person's next way in: the first rule step (in delay order) for this urgency whose method has
 * not been tried for this notification, or whose page is still waiting for its delay (then it is
 * brought forward to now); else any other verified method never tried.
 */
async function nextMethod(
  trx: Tx,
  org: OrgSnapshot,
  userId: string,
  urgency: string,
  mine: { id: number; contact_method_id: string; status: string; next_attempt_at: number }[],
  queued: NewPage[],
  now: number,
): Promise<Target | null> {
  const tried = new Set(mine.map((p) => p.contact_method_id));
  for (const q of queued) if (q.user_id === userId) tried.add(q.contact_method_id);
  const rules = (org.rulesByUser.get(userId) ?? [])
    .filter((r) => r.urgency === 'any' || r.urgency === urgency)
    .sort((a, b) => a.delay_minutes - b.delay_minutes || a.position - b.position);
  for (const rule of rules) {
    const cm = org.contactMethods.get(rule.contact_method_id);
    if (!cm || !cm.verified || Number(cm.paused) === 1) continue;
    const waiting = mine.find((p) => p.contact_method_id === cm.id && p.status === 'pending' && p.next_attempt_at > now);
    if (waiting) {
      const moved = await trx.updateTable('pages').set({ next_attempt_at: now }).where('id', '=', waiting.id).where('status', '=', 'pending').returning('id').executeTakeFirst();
      if (moved) return { kind: 'forward', cm };
    }
    if (!tried.has(cm.id)) return { kind: 'new', cm };
  }
  for (const cm of org.contactMethods.values()) {
    if (cm.user_id !== userId || !cm.verified || Number(cm.paused) === 1 || tried.has(cm.id)) continue;
    return { kind: 'new', cm };
  }
  return null;
}
