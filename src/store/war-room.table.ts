import type { Generated } from 'kysely';

/**
 * An incident's war room (028-war-room): prompted by the engine, opened by a person, and, when
 * Slack is connected, a channel created, posted to and archived through incident_slack_jobs.
 *
 *   prompted ──open──▶ open ──incident closed──▶ archiving ──conversations.archive──▶ archived
 *   (none)   ──open──▶ open
 */
export interface IncidentWarRoomsTable {
  incident_id: number;
  /** prompted | open | archiving | archived */
  state: string;
  prompted_at: number | null;
  opened_at: number | null;
  opened_by: string | null;
  /** The channel name asked for (without #); null without Slack. */
  channel_name: string | null;
  /** Slack's ID once conversations.create answered. */
  channel_id: string | null;
  /** The last incident_events id whose status update was queued for the channel. */
  posted_through: number;
  archived_at: number | null;
}

/** A Slack call an incident needs, delivered by the notify role, never inside a transaction. */
export interface IncidentSlackJobsTable {
  id: Generated<number>;
  incident_id: number;
  /** Idempotency: a second job with the same key is not queued. */
  job_key: string;
  /** create_channel | post | invite | archive */
  action: string;
  /** post: the channel ("#name" or ID); null = the incident's war room. */
  channel: string | null;
  /** post: the message; invite: the user name. */
  text: string;
  /** pending | sending | done | failed */
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
}

/** An incident announced to a stakeholder rule's recipients, and its first-update deadline. */
export interface IncidentStakeholdersTable {
  incident_id: number;
  /** The rule's name in incident_policy.stakeholders. */
  rule: string;
  told_at: number;
  /** How many people were told. */
  told: number;
  /** Timer: the first stakeholder update is owed by then; null once sent or reminded. */
  next_update_due_at: number | null;
  first_update_at: number | null;
  reminded_at: number | null;
}

export interface WarRoomTables {
  incident_war_rooms: IncidentWarRoomsTable;
  incident_slack_jobs: IncidentSlackJobsTable;
  incident_stakeholders: IncidentStakeholdersTable;
}
