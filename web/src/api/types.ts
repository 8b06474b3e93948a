/** Shapes of the /api/v1 answers the UI reads (see src/http/presenters.ts and src/http/routes/). */

export type Role = 'viewer' | 'responder' | 'manager' | 'admin';
export const ROLES: Role[] = ['viewer', 'responder', 'manager', 'admin'];
export const roleRank = (r: string): number => ROLES.indexOf(r as Role);

export interface SessionUser {
  id: string;
  name: string;
  full_name: string | null;
  email: string;
  role: Role;
  time_zone: string | null;
}

export interface Session {
  user: SessionUser;
  csrf_token: string;
}

export type AlertStatus = 'triggered' | 'acknowledged' | 'resolved';
export const ALERT_STATUSES: AlertStatus[] = ['triggered', 'acknowledged', 'resolved'];

export interface AlertLink {
  href: string;
  text?: string;
}

export interface Alert {
  id: number;
  status: AlertStatus;
  severity: string;
  summary: string;
  service: { id: string; name: string | null };
  dedup_key: string;
  source: string | null;
  component: string | null;
  group: string | null;
  class: string | null;
  details: unknown;
  links: AlertLink[];
  labels: Record<string, string>;
  count: number;
  first_seen_at: string;
  last_seen_at: string;
  created_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  snoozed_until: string | null;
  silenced_by?: string | null;
  /** The maintenance window keeping it from paging, by id. */
  maintenance_by?: string | null;
  /** The service's runbook for this alert (organisation file), or null. */
  runbook?: { url: string | null; steps: string | null } | null;
  /** The alert group it belongs to (the service groups alerts by labels), or null. */
  grouping?: AlertGrouping | null;
  escalation: {
    policy: { id: string; name: string | null } | null;
    level: number | null;
    levels: number;
    repeat: number;
    next_escalation_at: string | null;
  };
}

export interface AlertGrouping {
  id: number;
  key: string | null;
  labels: Record<string, string> | null;
  title: string | null;
  /** "12 alerts in group HighErrorRate / service=backend". */
  text: string | null;
  leader_id: number | null;
  leader: boolean;
  size: number | null;
  open: number | null;
  ended_at: string | null;
}

export interface GroupMember {
  id: number;
  status: AlertStatus;
  severity: string;
  summary: string;
  created_at: string;
}

export interface AlertList {
  alerts: Alert[];
  next_before: number | null;
}

export interface Actor {
  kind: string;
  id: string | null;
  name: string | null;
}

export interface TimelineEvent {
  id: number;
  at: string;
  kind: string;
  actor: Actor;
  surface: string;
  message: string | null;
  data: unknown;
}

/** One delivery of an alert to one person through one contact method, with every attempt. */
export interface Page {
  id: number;
  user: { id: string; name: string | null };
  /** Set when an escalation level paged a channel (Teams, webhook) rather than a person. */
  to_channel?: string | null;
  channel: string;
  contact_method: string | null;
  destination: string;
  level: number;
  repeat: number;
  urgency: 'high' | 'low';
  /** pending | sending | sent | delivered | failed | cancelled */
  status: string;
  /** Pending because a noise limit holds it; due_at says when it goes out. */
  held: boolean;
  /** The page whose message carried this one in a bundle. */
  bundled_with: number | null;
  created_at: string;
  due_at: string | null;
  sent_at: string | null;
  delivered_at: string | null;
  attempts: number;
  last_error: string | null;
  attempt_log: { at: string; outcome: string; error: string | null; duration_ms: number }[];
}

export interface AlertDetail {
  alert: Alert;
  recurrence: { window_days: number; alerts: number; fired: number };
  timeline: TimelineEvent[];
  pages: Page[];
  /** Every alert of its group, oldest first (empty outside a group). */
  group_members?: GroupMember[];
  /** Set when a responder marked the alert not actionable. */
  not_actionable?: { marked_at: string; marked_by: string; reason: string } | null;
}

export interface SeverityCount {
  severity: string;
  triggered: number;
  acknowledged: number;
}

export interface ServiceCount {
  service: string;
  service_id: string;
  triggered: number;
  acknowledged: number;
}

export interface AlertSummary {
  triggered: number;
  acknowledged: number;
  by_severity: SeverityCount[];
  by_service: ServiceCount[];
}

export interface ContactMethod {
  name: string;
  type: string;
  address: string;
}

export interface User {
  name: string;
  full_name?: string;
  email: string;
  time_zone?: string;
  role?: Role;
  contact_methods?: ContactMethod[];
  notification_rules?: { contact_method: string; delay_minutes: number; urgency?: string | null }[];
}

export interface Team {
  name: string;
  description: string | null;
  members: { user: string; role: string }[];
}

/** A target names its kind as its key: { user: "alice" } or { team: "sre", role: "lead" }. */
export type PolicyTarget = Record<string, unknown> & { role?: string; severities?: string[] };

export interface PolicyLevel {
  targets: PolicyTarget[];
  delay_minutes: number;
  delay_by_severity?: Record<string, number>;
  severities?: string[];
  unresolved_after_minutes?: number;
}

export interface EscalationPolicy {
  name: string;
  description: string | null;
  repeat: number;
  no_auto_escalate?: boolean;
  levels: PolicyLevel[];
}

export interface Integration {
  name: string;
  type: 'events_v2' | 'alertmanager' | 'generic' | 'heartbeat' | string;
  secret_env?: string;
  /** Heartbeats: how often a ping is expected, and how late it may be. */
  interval?: string;
  grace?: string;
  url: string;
}

export interface Service {
  name: string;
  description?: string;
  escalation_policy?: string;
  team?: string;
  integrations: Integration[];
  /** Slack channels by severity (the organisation file's slack section). */
  slack?: { channels: Record<string, string>; security_channel?: string };
}

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  token_hint: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  user: string | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: Actor;
  surface: string;
  action: string;
  entity: { kind: string; id: string | null; name: string | null };
  detail: unknown;
}

/** One event from /api/v1/stream. */
export interface StreamEvent {
  type: 'alert.created' | 'alert.updated' | 'page.updated' | 'config.changed' | 'incident.updated';
  alert_id: number | null;
  status: AlertStatus | null;
  at: string;
}
