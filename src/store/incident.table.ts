import type { Generated } from 'kysely';

/** An incident (020-incidents). `id` is its short number (#12). */
export interface IncidentsTable {
  id: Generated<number>;
  /** `YYYYMMDD-short-description`, as the handbooks name incident channels. */
  slug: string;
  title: string;
  summary: string;
  /** investigating | identified | monitoring | resolved | closed (src/domain/incident/lifecycle.ts) */
  status: string;
  severity: string;
  /** JSON list of affected service ids. */
  services: string;
  declared_at: number;
  /** Who declared it, by name. */
  declared_by: string;
  updated_at: number;
  /** First time the incident reached each status. */
  identified_at: number | null;
  monitoring_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  last_update_at: number | null;
  /** Timer: when the commander owes the next status update; null = none owed. */
  next_update_at: number | null;
}

/** An alert attached to an incident; detaching keeps the row (for the record) with `detached_at`. */
export interface IncidentAlertsTable {
  incident_id: number;
  alert_id: number;
  attached_at: number;
  attached_by: string;
  detached_at: number | null;
}

/** Who holds (or held, until `relieved_at`) a role in an incident. */
export interface IncidentRolesTable {
  id: Generated<number>;
  incident_id: number;
  /** commander | ops_lead | comms_lead | sme */
  role: string;
  user_id: string;
  assigned_at: number;
  assigned_by: string;
  relieved_at: number | null;
}

/** A status update in the handbooks' template: status, impact, current actions, next update. */
export interface IncidentUpdatesTable {
  id: Generated<number>;
  incident_id: number;
  at: number;
  status: string;
  impact: string;
  actions: string;
  next_update_at: number | null;
  /** 'internal' for now; public updates for the status page come later. */
  visibility: string;
  author_kind: string;
  author_id: string | null;
  author_name: string;
}

/** One row of an incident's timeline: what happened, who did it, through which surface. */
export interface IncidentEventsTable {
  id: Generated<number>;
  incident_id: number;
  at: number;
  /** declared | alert_attached | alert_detached | role_assigned | role_relieved | status_changed | severity_changed | title_changed | update | update_overdue | note | key_moment | postmortem_* and action_item_* (src/commands/postmortems.ts) */
  kind: string;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string;
  surface: string;
  message: string;
  data: string | null;
}

export interface IncidentTables {
  incidents: IncidentsTable;
  incident_alerts: IncidentAlertsTable;
  incident_roles: IncidentRolesTable;
  incident_updates: IncidentUpdatesTable;
  incident_events: IncidentEventsTable;
}
