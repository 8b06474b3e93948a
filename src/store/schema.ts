import type { Generated } from 'kysely';
import type { IncidentTables } from './incident.table.js';
import type { ReportRollupTables } from './report-rollup.table.js';
import type { IncidentSlaBreachesTable } from './incident-sla.table.js';
import type { PostmortemTables } from './postmortem.table.js';
import type { StatusPageTables } from './status-page.table.js';
import type { IncidentSlackJobsTable, IncidentStakeholdersTable, IncidentWarRoomsTable } from './war-room.table.js';
import type { AlertNotActionableTable, ReviewSendsTable } from './review.table.js';
import type { SwapRequestsTable } from './swap-request.table.js';

/**
 * Table shapes. Conventions that keep one set of queries valid on SQLite and PostgreSQL:
 * - times are integer milliseconds since the epoch in `*_at` columns (bigint on PostgreSQL,
 *   parsed back to number), timers are `next_*_at`;
 * - booleans are integers 0/1;
 * - structured values are JSON text.
 */
export interface SettingsTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: string;
  name: string;
  full_name: string;
  email: string;
  time_zone: string;
  role: string;
  created_at: number;
  updated_at: number;
}

export interface ContactMethodsTable {
  id: string;
  user_id: string;
  name: string;
  /** email | webhook | slack | sms | voice | teams … */
  kind: string;
  address: string;
  /** Name of the environment variable holding a signing secret (webhooks); never the secret. */
  secret_env: string | null;
  verified: number;
  created_at: number;
  /** 'org': from the organisation file; 'user': added by the person on their profile (010-delivery). */
  managed_by: string;
  /** 1: turned off by its owner; not paged, carries no notices (010-delivery). */
  paused: number;
}

export interface NotificationRulesTable {
  id: string;
  user_id: string;
  contact_method_id: string;
  urgency: string; // high | low | any
  delay_minutes: number;
  position: number;
  /** 'org' | 'user', as for contact methods (010-delivery). */
  managed_by: string;
}

/** The pending code of a contact method that is not verified yet (010-delivery). */
export interface ContactMethodVerificationsTable {
  contact_method_id: string;
  /** SHA-256 of "<contact method id>:<code>"; the code itself is never stored. */
  code_hash: string;
  expires_at: number;
  /** Wrong codes tried so far. */
  attempts: number;
  /** When the code was sent; a new one may be asked for a minute later. */
  sent_at: number;
}

export interface TeamsTable {
  id: string;
  name: string;
  description: string;
  /** 1: schedule lint warns when primary and backup on call share a time zone (005-lint-settings). */
  prefer_different_time_zones: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  role: string;
  position: number;
}

export interface EscalationPoliciesTable {
  id: string;
  name: string;
  description: string;
  /** EscalationPolicySpec as JSON, targets by id. */
  spec: string;
  created_at: number;
  updated_at: number;
}

export interface SchedulesTable {
  id: string;
  name: string;
  team_id: string | null;
  /** A free word: primary, secondary, shadow, manager… */
  role: string | null;
  time_zone: string;
  /** `{ layers: Layer[] }` as JSON (see domain/schedule/schedule.ts), participants by user id. */
  spec_json: string;
  created_at: number;
  updated_at: number;
}

/** A secret iCal URL of a schedule or of one person's shifts; only the token's SHA-256 is kept. */
export interface CalendarFeedsTable {
  id: string;
  token_hash: string;
  kind: 'schedule' | 'user';
  schedule_id: string | null;
  user_id: string | null;
  created_by_user_id: string | null;
  created_at: number;
  revoked_at: number | null;
}

/** Someone else on call for a range; operational data, never in the organisation file. */
export interface ScheduleOverridesTable {
  id: string;
  schedule_id: string;
  start_at: number;
  end_at: number;
  /** Who is on call instead; null takes people off without a replacement. */
  user_id: string | null;
  /** Only where this user was on call; null = whoever was. */
  replaces_user_id: string | null;
  note: string;
  created_by_name: string;
  created_by_kind: string;
  created_at: number;
}

export interface ServicesTable {
  id: string;
  name: string;
  description: string;
  escalation_policy_id: string | null;
  team_id: string | null;
  created_at: number;
  updated_at: number;
  /** Slack channel routing as JSON (see src/config/org-slack.ts), or null (008-slack). */
  slack: string | null;
  /** JSON list of { alert, url, steps } (015-runbooks); null when the service has none. */
  runbooks: string | null;
  /** Alert grouping as JSON { by, wait_ms } (018-grouping, see src/config/org-grouping.ts); null = none. */
  grouping: string | null;
}

export interface IntegrationKeysTable {
  id: string;
  service_id: string;
  name: string;
  /** events_v2 | alertmanager | generic */
  kind: string;
  /** sha256 hex of the 32-character key: the key itself is never stored. */
  key_hash: string;
  /** First 4 characters, to tell keys apart in lists. */
  key_hint: string;
  /** Generic webhooks: environment variable holding the HMAC secret. */
  secret_env: string | null;
  created_at: number;
  /** Heartbeats (013-heartbeats): JSON { interval_ms, grace_ms }; null for other kinds. */
  heartbeat: string | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  user_id: string | null;
  role: string;
  token_hash: string;
  token_hint: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface UserPasswordsTable {
  user_id: string;
  /** scrypt$<N>$<r>$<p>$<salt base64>$<hash base64> */
  password_hash: string;
  updated_at: number;
}

export interface SessionsTable {
  /** SHA-256 (hex) of the session cookie's value. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  user_agent: string | null;
}

export interface AlertsTable {
  id: Generated<number>;
  service_id: string;
  dedup_key: string;
  /** `service_id + "\n" + dedup_key` while open, null once resolved: unique, so one open alert per key. */
  open_key: string | null;
  status: string;
  severity: string;
  summary: string;
  source: string | null;
  component: string | null;
  group_name: string | null;
  class: string | null;
  details: string | null;
  links: string;
  images: string;
  labels: string;
  count: number;
  first_seen_at: number;
  last_seen_at: number;
  created_at: number;
  updated_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
  escalation_policy_id: string | null;
  /** Snapshot of the policy when the alert opened (see domain/escalation/policy.ts). */
  policy_snapshot: string | null;
  escalation_level: number;
  escalation_cycle: number;
  level_started_at: number;
  /** Bumped every time a level is notified; part of the unique key of every page. */
  notify_seq: number;
  /** Timer: when the alert escalates next (or a snooze ends). Null = nothing pending. */
  next_escalation_at: number | null;
  snoozed_until: number | null;
  /** The silence keeping this open alert from paging (012-silences); its timer is the silence's end. */
  silenced_by: Generated<string | null>;
  /** The open alert whose firing inhibits this one (016-inhibition): it pages nobody until that resolves. */
  inhibited_by: Generated<number | null>;
  /** The maintenance window keeping this open alert from paging (019-maintenance); its timer is the occurrence's end. */
  maintenance_by: Generated<string | null>;
  /** The alert group this alert belongs to (018-grouping), as leader or member; null = ungrouped. */
  group_id: Generated<number | null>;
}

/**
 * An alert group (018-grouping): alerts of one service with the same group-by label values. The
 * leader pages (after the group wait); members are recorded on it and page nobody. `open_key` is
 * set while the group is open and unique, so an alert finds its group with one indexed lookup.
 */
export interface AlertGroupsTable {
  id: Generated<number>;
  service_id: string;
  /** The group labels as Alertmanager prints them: `{alertname="X", service="y"}`. */
  group_key: string;
  /** The group labels as a JSON object. */
  labels: string;
  open_key: string | null;
  leader_id: number | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}

export interface AlertEventsTable {
  id: Generated<number>;
  alert_id: number;
  at: number;
  kind: string;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string;
  surface: string;
  message: string;
  data: string | null;
}

/**
 * The outbox: one row per notification of one person through one contact method. Written in the
 * same transaction as the state change that caused it. The unique `page_key` makes a second page
 * for the same (alert, notify sequence, level, user, contact method, rule) impossible.
 */
export interface PagesTable {
  id: Generated<number>;
  page_key: string;
  alert_id: number;
  notify_seq: number;
  level: number;
  cycle: number;
  user_id: string;
  contact_method_id: string;
  rule_id: string | null;
  channel: string;
  destination: string;
  /**
   * pending (queued: due at next_attempt_at, or held by a noise limit) | sending (claimed, leased) |
   * sent (the provider took it) | delivered (the provider confirmed it reached the person) |
   * failed (permanent error, attempts used up, or the provider reported failure) | cancelled (the
   * alert was acknowledged or resolved first). See src/notify/outbox.ts.
   */
  status: string;
  created_at: number;
  /** When delivery (or the next retry) is due. */
  next_attempt_at: number;
  attempts: number;
  last_error: string | null;
  sent_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  /** The provider's message id (SMTP queue id, Slack ts, Twilio SID), for delivery receipts (006-notices). */
  provider_id: string | null;
  /** When the provider confirmed the message reached the person (SMS status callback…). */
  delivered_at: number | null;
  /** 0 high urgency, 1 low: claims take lower numbers first (011-delivery-limits). */
  priority: Generated<number>;
  /** When a noise limit first held the page back; null when it never was (011-delivery-limits). */
  throttled_at: number | null;
  /** The page whose message carried this one in a bundle; null for its own message (011-delivery-limits). */
  bundle_id: number | null;
}

/** Per contact method, the recent messages the noise limits count (011-delivery-limits). */
export interface DeliveryLimitsTable {
  contact_method_id: string;
  /** JSON `[[at, high 0/1], …]`, oldest first, covering the longest limit window. */
  sends: string;
  updated_at: number;
}

/**
 * The notice outbox (006-notices): one row per message to one contact method that is not a page
 * for an alert. The unique `notice_key` makes a notice idempotent (a reminder is queued once).
 */
export interface NoticesTable {
  id: Generated<number>;
  notice_key: string;
  user_id: string;
  /** Null when the notice goes to the user's account email because no method carries notices. */
  contact_method_id: string | null;
  /** See NoticeKind in src/notify/sender.ts. */
  kind: string;
  channel: string;
  destination: string;
  subject: string;
  body: string;
  short: string;
  /** Absolute web UI link, or null. */
  url: string | null;
  /** JSON object. */
  data: string;
  /** pending | sending | sent | failed */
  status: string;
  created_at: number;
  next_attempt_at: number;
  attempts: number;
  last_error: string | null;
  sent_at: number | null;
  provider_id: string | null;
  lease_owner: string | null;
  lease_until: number | null;
}

export interface PageAttemptsTable {
  id: Generated<number>;
  page_id: number;
  at: number;
  outcome: string;
  error: string | null;
  duration_ms: number;
}

export interface ActionTokensTable {
  token_hash: string;
  alert_id: number;
  user_id: string;
  action: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface WebhookReplaysTable {
  signature: string;
  seen_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string;
  surface: string;
  action: string;
  entity_kind: string;
  entity_id: string | null;
  entity_name: string | null;
  detail: string | null;
}

/**
 * A handoff note (007-handoffs): written once per shift change of a schedule, unique on
 * (schedule_id, handoff_at). `content` is the JSON snapshot taken at the handoff (HandoffNoteContent).
 */
export interface HandoffNotesTable {
  id: Generated<number>;
  schedule_id: string;
  schedule_name: string;
  handoff_at: number;
  /** When the outgoing person's shift began (capped: see commands/handoffs.ts). */
  shift_start_at: number;
  outgoing_user_id: string | null;
  incoming_user_id: string | null;
  content: string;
  created_at: number;
  read_at: number | null;
  /** Name of who marked it read. */
  read_by: string | null;
  handed_over_at: number | null;
  handed_over_by: string | null;
  handed_over_count: Generated<number>;
}

/** Something the person on call wants the next one to keep an eye on (007-handoffs). */
export interface WatchItemsTable {
  id: string;
  schedule_id: string;
  user_id: string;
  text: string;
  alert_id: number | null;
  /** Start of the shift the item was written in. */
  shift_start_at: number;
  created_by_name: string;
  created_at: number;
  updated_at: number;
}

/** A silence (012-silences). Its state (pending, active, expired) is computed from the times. */
export interface SilencesTable {
  id: string;
  /** JSON array of { name, value, isRegex, isEqual }. */
  matchers: string;
  starts_at: number;
  ends_at: number;
  /** Alertmanager's free-text author; the signed-in user's name when made through the API. */
  created_by: string;
  comment: string;
  /** The principal that made it (user, token, system), for the audit trail. */
  author_kind: string;
  author_id: string | null;
  created_at: number;
  updated_at: number;
  /** approved | pending (waiting for the approvals the silence policy asks for; silences nothing). */
  approval: Generated<string>;
  /** JSON: the policy's approval rules that applied when the silence was made. */
  approvals_needed: Generated<string>;
  /** JSON: label sets (Matcher[][]) of alerts this silence never hides (approval rules it does not name). */
  exempt: Generated<string>;
}

/**
 * A maintenance window (019-maintenance): one-off (starts_at, ends_at) or recurring (rrule,
 * time_zone, start_time, duration_ms, first_day). `managed_by` is 'file' for the org file's
 * windows, 'api' for those made through the API, CLI or web.
 */
export interface MaintenanceWindowsTable {
  id: string;
  name: string;
  managed_by: string;
  /** JSON: service names. */
  services: string;
  /** JSON: Matcher[]. */
  matchers: string;
  starts_at: number | null;
  ends_at: number | null;
  rrule: string | null;
  time_zone: string | null;
  /** Local "HH:MM". */
  start_time: string | null;
  duration_ms: number | null;
  /** Local "YYYY-MM-DD": the rule's first day. */
  first_day: string | null;
  /** When the window stops for good; null = never (an endless rule). */
  final_end_at: number | null;
  comment: string;
  created_by: string;
  author_kind: string;
  author_id: string | null;
  /** approved | pending (waiting for the approvals the maintenance policy asks for; mutes nothing). */
  approval: Generated<string>;
  /** JSON string[]: why approval is needed. */
  approval_reasons: Generated<string>;
  /** JSON Approver[]: who must approve, one person each. */
  approvers: Generated<string>;
  ended_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface MaintenanceApprovalsTable {
  window_id: string;
  /** Index into the window's approvers. */
  approver: number;
  user_id: string;
  user_name: string;
  at: number;
}

export interface SilenceApprovalsTable {
  silence_id: string;
  /** Index into approvals_needed, and into that rule's approvers. */
  rule: number;
  approver: number;
  user_id: string;
  user_name: string;
  at: number;
}

/**
 * A reply code sent to a phone number (009-twilio): "3a" from that number acts on `alert_id` as
 * `user_id`. Codes are per number, so a code can never reach another person's alert.
 */
export interface TwilioReplyCodesTable {
  /** E.164. */
  phone: string;
  code: number;
  alert_id: number;
  user_id: string;
  created_at: number;
  /** Last time the code went out in a message or call; a code is reused only long after this. */
  sent_at: number;
}

/** A number that texted STOP (009-twilio): no SMS or calls to it until it texts START. */
export interface TwilioOptOutsTable {
  phone: string;
  keyword: string;
  opted_out_at: number;
}

/** When a heartbeat integration last pinged, and when it was found missing (013-heartbeats). */
export interface HeartbeatStateTable {
  integration_id: string;
  last_ping_at: number;
  /** Set when the missed-heartbeat alert opened; cleared by the next ping. */
  missed_at: number | null;
}

/** A Teams channel or webhook that escalation levels page directly (014-channels). */
export interface NotifyChannelsTable {
  id: string;
  name: string;
  /** teams | webhook */
  kind: string;
  address: string;
  secret_env: string | null;
  created_at: number;
  updated_at: number;
}

/** Time off taken for being on call (022-comp-time). `day` is the person's local date; `taken_at` its start in UTC. */
export interface CompTimeTakenTable {
  id: string;
  user_id: string;
  day: string;
  taken_at: number;
  days: number;
  note: string;
  recorded_by: string;
  recorded_at: number;
}

export interface DB extends IncidentTables, StatusPageTables, PostmortemTables, ReportRollupTables {
  incident_sla_breaches: IncidentSlaBreachesTable;
  incident_war_rooms: IncidentWarRoomsTable;
  incident_slack_jobs: IncidentSlackJobsTable;
  incident_stakeholders: IncidentStakeholdersTable;
  comp_time_taken: CompTimeTakenTable;
  alert_not_actionable: AlertNotActionableTable;
  review_sends: ReviewSendsTable;
  settings: SettingsTable;
  users: UsersTable;
  contact_methods: ContactMethodsTable;
  notification_rules: NotificationRulesTable;
  contact_method_verifications: ContactMethodVerificationsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  escalation_policies: EscalationPoliciesTable;
  schedules: SchedulesTable;
  schedule_overrides: ScheduleOverridesTable;
  swap_requests: SwapRequestsTable;
  calendar_feeds: CalendarFeedsTable;
  services: ServicesTable;
  integration_keys: IntegrationKeysTable;
  api_tokens: ApiTokensTable;
  user_passwords: UserPasswordsTable;
  sessions: SessionsTable;
  alerts: AlertsTable;
  alert_groups: AlertGroupsTable;
  alert_events: AlertEventsTable;
  pages: PagesTable;
  notices: NoticesTable;
  silences: SilencesTable;
  heartbeat_state: HeartbeatStateTable;
  notify_channels: NotifyChannelsTable;
  silence_approvals: SilenceApprovalsTable;
  maintenance_windows: MaintenanceWindowsTable;
  maintenance_approvals: MaintenanceApprovalsTable;
  page_attempts: PageAttemptsTable;
  delivery_limits: DeliveryLimitsTable;
  action_tokens: ActionTokensTable;
  webhook_replays: WebhookReplaysTable;
  audit_log: AuditLogTable;
  handoff_notes: HandoffNotesTable;
  watch_items: WatchItemsTable;
  twilio_reply_codes: TwilioReplyCodesTable;
  twilio_opt_outs: TwilioOptOutsTable;
  slack_posts: SlackPostsTable;
  slack_users: SlackUsersTable;
}

/**
 * One Slack message about one alert that is kept up to date (008-slack): a post to a routed
 * channel ('channel') or a page sent as a direct message ('dm'). `wanted_version` is the id of the
 * latest timeline event the message should reflect; `posted_version` the one it shows.
 */
export interface SlackPostsTable {
  id: Generated<number>;
  alert_id: number;
  kind: 'channel' | 'dm';
  /** As routed ("#incidents") or the member ID of a direct message. */
  channel: string;
  /** Slack's conversation ID, from its answer to the first post. */
  channel_id: string | null;
  /** Slack's message timestamp: the message's id within the conversation. */
  ts: string | null;
  wanted_version: number;
  posted_version: number;
  /** pending | sending | done | failed */
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
}

/** Which Slack member a person is, found by their email through users.lookupByEmail (008-slack). */
export interface SlackUsersTable {
  user_id: string;
  /** The email looked up; a changed account email is looked up again. */
  email: string;
  /** Null when Slack has no member with that email. */
  slack_user_id: string | null;
  checked_at: number;
}
