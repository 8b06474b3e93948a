import { levelApplies, targetApplies, type EscalationPolicySpec } from '../domain/escalation/policy.js';
import { onCallAt, type Override } from '../domain/schedule/schedule.js';
import type { Conn } from '../store/db.js';
import { overridesAt } from '../store/schedule.repo.js';
import type { AlertRow, NewAlertEvent } from '../store/alert.repo.js';
import type { NewPage } from '../store/page.repo.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { NotifyChannelsTable } from '../store/schema.js';
import type { Actor } from './context.js';
import { MINUTE } from '../domain/clock.js';
import { eventRow, systemEventRow } from './timeline.js';

/** `pages.user_id` of a page to a channel: the prefix and the channel's id. */
export const CHANNEL_PREFIX = 'channel:';

export interface LevelNotification {
  pages: NewPage[];
  events: NewAlertEvent[];
  /** Users the level reached (after de-duplication), for the timeline and tests. */
  userIds: string[];
}

/**
 * Turns "notify level N of this alert's policy" into outbox rows: resolve the level's targets to
 * people (users directly, team members, whoever is on call in a schedule right now), then each person's
 * notification rules for the alert's urgency into pages due now or after the rule's delay.
 * Delayed pages are cancelled at delivery time if the alert was acknowledged or resolved meanwhile.
 */
export function notifyLevel(
  org: OrgSnapshot,
  alert: Pick<AlertRow, 'id' | 'severity'>,
  spec: EscalationPolicySpec,
  level: number,
  cycle: number,
  seq: number,
  now: number,
  actor: Actor,
  reason: string,
  /** Overrides in force now, per schedule id (see levelOverrides). */
  overrides: ReadonlyMap<string, Override[]> = new Map(),
): LevelNotification {
  const lvl = spec.levels[level];
  const pages: NewPage[] = [];
  const events: NewAlertEvent[] = [];
  const userIds: string[] = [];
  if (!lvl) return { pages, events, userIds };

  const seen = new Set<string>();
  const missing: string[] = [];
  const nobody: string[] = [];
  const channels: NotifyChannelsTable[] = [];
  for (const target of lvl.targets) {
    if (!targetApplies(target, alert.severity)) continue;
    if (target.kind === 'channel') {
      const ch = org.channels.get(target.id);
      if (!ch) missing.push(`channel ${target.id}`);
      else if (!channels.includes(ch)) channels.push(ch);
      continue;
    }
    for (const userId of resolveTarget(org, target, missing, overrides, now, nobody)) {
      if (!seen.has(userId)) {
        seen.add(userId);
        userIds.push(userId);
      }
    }
  }

  const urgency = org.severities.urgency(alert.severity);
  const names: string[] = [];
  const unreachable: string[] = [];
  for (const userId of userIds) {
    const user = org.users.get(userId);
    if (!user) continue;
    names.push(user.name);
    const rules = (org.rulesByUser.get(userId) ?? []).filter((r) => r.urgency === 'any' || r.urgency === urgency);
    let any = false;
    for (const rule of rules) {
      const cm = org.contactMethods.get(rule.contact_method_id);
      if (!cm || !cm.verified) continue;
      any = true;
      pages.push({
        page_key: `${alert.id}:${seq}:${level}:${userId}:${cm.id}:${rule.id}`,
        alert_id: alert.id,
        notify_seq: seq,
        level,
        cycle,
        user_id: userId,
        contact_method_id: cm.id,
        rule_id: rule.id,
        channel: cm.kind,
        destination: cm.address,
        status: 'pending',
        created_at: now,
        next_attempt_at: now + rule.delay_minutes * MINUTE,
        attempts: 0,
        last_error: null,
        sent_at: null,
        lease_owner: null,
        lease_until: null,
        // Claims take high-urgency pages first: a critical page never waits behind noise.
        priority: urgency === 'high' ? 0 : 1,
      });
    }
    if (!any) unreachable.push(user.name);
  }
  // Channels (a Teams channel, a webhook) get the page as a person's method would, at once. Their
  // pages carry `channel:<id>` where a person's id would be, so they never fall over to a person.
  for (const ch of channels) {
    names.push(`#${ch.name}`);
    pages.push(channelPage(ch, { pageKey: `${alert.id}:${seq}:${level}:channel:${ch.id}`, alertId: alert.id, seq, level, cycle, now, urgency }));
  }

  const human = `level ${level + 1}${cycle > 0 ? ` (repeat ${cycle})` : ''}`;
  const message = names.length ? `${reason}: notifying ${human}: ${names.join(', ')}` : `${reason}: ${human} has no one to notify`;
  events.push(eventRow(alert.id, now, actor, 'notified', message, { level, cycle, seq, users: names, pages: pages.length }));
  if (unreachable.length) {
    events.push(systemEventRow(alert.id, now, 'unreachable', `no notification rule for ${urgency} urgency: ${unreachable.join(', ')} not paged; add a rule to their profile`));
  }
  if (nobody.length) {
    // The level still times out to the next one: the timer does not depend on who was paged.
    events.push(systemEventRow(alert.id, now, 'unreachable', `nobody is on call in schedule ${nobody.join(', ')}`));
  }
  if (missing.length) {
    events.push(systemEventRow(alert.id, now, 'unreachable', `escalation target no longer exists: ${missing.join(', ')}`));
  }
  return { pages, events, userIds };
}

/**
 * The outbox row of a post to a channel (a Teams channel, a webhook): due at once, with
 * `channel:<id>` where a person's id would be, so it never falls over to a person.
 */
export function channelPage(
  ch: Pick<NotifyChannelsTable, 'id' | 'kind' | 'address'>,
  o: { pageKey: string; alertId: number; seq: number; level: number; cycle: number; now: number; urgency: string },
): NewPage {
  return {
    page_key: o.pageKey,
    alert_id: o.alertId,
    notify_seq: o.seq,
    level: o.level,
    cycle: o.cycle,
    user_id: `${CHANNEL_PREFIX}${ch.id}`,
    contact_method_id: ch.id,
    rule_id: null,
    channel: ch.kind,
    destination: ch.address,
    status: 'pending',
    created_at: o.now,
    next_attempt_at: o.now,
    attempts: 0,
    last_error: null,
    sent_at: null,
    lease_owner: null,
    lease_until: null,
    // Claims take high-urgency pages first: a critical page never waits behind noise.
    priority: o.urgency === 'high' ? 0 : 1,
  };
}

function resolveTarget(
  org: OrgSnapshot,
  target: EscalationPolicySpec['levels'][number]['targets'][number],
  missing: string[],
  overrides: ReadonlyMap<string, Override[]>,
  now: number,
  nobody: string[],
): string[] {
  switch (target.kind) {
    case 'user':
      if (!org.users.has(target.id)) {
        missing.push(`user ${target.id}`);
        return [];
      }
      return [target.id];
    case 'team': {
      const members = org.teamMembers.get(target.id);
      if (!members) {
        missing.push(`team ${target.id}`);
        return [];
      }
      return members.filter((m) => !target.role || m.role === target.role).map((m) => m.userId);
    }
    case 'channel':
      return [];
    case 'schedule': {
      // Resolved when the level is notified, not when the alert opened: the policy snapshot holds
      // the schedule's id, and whoever is on call now (overrides included) is paged.
      const schedule = org.schedules.get(target.id);
      if (!schedule) {
        missing.push(`schedule ${target.id}`);
        return [];
      }
      const userId = onCallAt({ timeZone: schedule.timeZone, layers: schedule.layers, overrides: overrides.get(schedule.id) ?? [] }, now);
      if (userId === null) {
        nobody.push(schedule.name);
        return [];
      }
      return [userId];
    }
  }
}

/**
 * The overrides a level needs, read from the store at the moment it is notified (overrides are
 * not in the cached configuration). No query at all when the level targets no schedule, so the
 * ingest hot path pays nothing for schedules it does not use.
 */
export async function levelOverrides(conn: Conn, spec: EscalationPolicySpec, level: number, severity: string, now: number): Promise<Map<string, Override[]>> {
  const lvl = spec.levels[level];
  if (!lvl || !levelApplies(lvl, severity)) return new Map();
  const ids = [...new Set(lvl.targets.filter((t) => t.kind === 'schedule' && targetApplies(t, severity)).map((t) => t.id))];
  if (ids.length === 0) return new Map();
  return overridesAt(conn, ids, now);
}
