import { serviceRunbook } from '../config/org-runbooks.js';
import type { AlertEventRow, AlertRow } from '../store/alert.repo.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { PageAttemptRow, PageRow } from '../store/page.repo.js';
import { policyOf } from '../commands/alert-transitions.js';
import { presentGrouping, type GroupInfo } from './group-presenter.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The API shape of an alert. Levels are shown 1-based, as people count them. */
export function presentAlert(a: AlertRow, org: OrgSnapshot | null, groups?: ReadonlyMap<number, GroupInfo>) {
  const service = org?.services.get(a.service_id);
  const policy = a.escalation_policy_id ? org?.policies.get(a.escalation_policy_id) : undefined;
  const spec = policyOf(a);
  return {
    id: a.id,
    status: a.status,
    severity: a.severity,
    summary: a.summary,
    service: { id: a.service_id, name: service?.name ?? null },
    dedup_key: a.dedup_key,
    source: a.source,
    component: a.component,
    group: a.group_name,
    class: a.class,
    details: a.details ? (JSON.parse(a.details) as unknown) : null,
    links: JSON.parse(a.links) as unknown,
    images: JSON.parse(a.images) as unknown,
    labels: JSON.parse(a.labels) as unknown,
    count: a.count,
    first_seen_at: iso(a.first_seen_at),
    last_seen_at: iso(a.last_seen_at),
    created_at: iso(a.created_at),
    acknowledged_at: iso(a.acknowledged_at),
    acknowledged_by: a.acknowledged_by,
    resolved_at: iso(a.resolved_at),
    resolved_by: a.resolved_by,
    snoozed_until: iso(a.snoozed_until),
    silenced_by: a.silenced_by ?? null,
    inhibited_by: a.inhibited_by ?? null,
    /** The maintenance window keeping it from paging (019-maintenance), by id; see its timeline for name and end. */
    maintenance_by: a.maintenance_by ?? null,
    runbook: serviceRunbook(service?.runbooks ?? null, a),
    /** The alert group (018-grouping); `group` above is the sender's free-form group name. */
    grouping: presentGrouping(a, groups),
    escalation: {
      policy: policy ? { id: policy.id, name: policy.name } : a.escalation_policy_id ? { id: a.escalation_policy_id, name: null } : null,
      level: spec && spec.levels.length ? a.escalation_level + 1 : null,
      levels: spec?.levels.length ?? 0,
      repeat: a.escalation_cycle,
      next_escalation_at: iso(a.next_escalation_at),
    },
  };
}

export function presentEvent(e: AlertEventRow) {
  return {
    id: e.id,
    at: iso(e.at),
    kind: e.kind,
    actor: { kind: e.actor_kind, id: e.actor_id, name: e.actor_name },
    surface: e.surface,
    message: e.message,
    data: e.data ? (JSON.parse(e.data) as unknown) : null,
  };
}

/**
 * One delivery of an alert: a page to one person through one contact method. `status` is pending
 * (queued; `held` when a noise limit holds it, due_at then says when it goes out), sending, sent,
 * delivered (the provider confirmed it), failed or cancelled; `bundled_with` names the page whose
 * message carried it; `attempt_log` lists every attempt with the provider's answer.
 */
export function presentPage(p: PageRow, org: OrgSnapshot | null, attempts: PageAttemptRow[] = []) {
  return {
    id: p.id,
    user: { id: p.user_id, name: org?.users.get(p.user_id)?.name ?? null },
    channel: p.channel,
    contact_method: org?.contactMethods.get(p.contact_method_id)?.name ?? null,
    /** Set when an escalation level paged a channel (a Teams channel, a webhook), not a person. */
    to_channel: p.user_id.startsWith('channel:') ? (org?.channels.get(p.contact_method_id)?.name ?? p.contact_method_id) : null,
    destination: p.destination,
    level: p.level + 1,
    repeat: p.cycle,
    urgency: p.priority === 0 ? 'high' : 'low',
    status: p.status,
    held: p.status === 'pending' && p.throttled_at !== null,
    bundled_with: p.bundle_id,
    created_at: iso(p.created_at),
    due_at: iso(p.next_attempt_at),
    sent_at: iso(p.sent_at),
    delivered_at: iso(p.delivered_at),
    attempts: p.attempts,
    last_error: p.last_error,
    attempt_log: attempts.map((a) => ({ at: iso(a.at), outcome: a.outcome, error: a.error, duration_ms: a.duration_ms })),
  };
}

export { iso };
