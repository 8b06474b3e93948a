import type { Generated } from 'kysely';

/** A status page component's current status (025-status-page); a component without a row is operational. */
export interface StatusPageComponentsTable {
  /** The component's name in the org file's status_page.components. */
  name: string;
  /** operational | degraded_performance | partial_outage | major_outage | under_maintenance */
  status: string;
  updated_at: number;
  updated_by: string;
}

/** Every change of a component's status: the history bars are drawn from these. */
export interface StatusPageComponentEventsTable {
  id: Generated<number>;
  component: string;
  status: string;
  at: number;
  /** The incident whose public update set it, or null when set by hand. */
  incident_id: number | null;
  actor_name: string;
}

/** A public update on an incident: what the status page and its feeds show, and subscribers get. */
export interface StatusPageUpdatesTable {
  id: Generated<number>;
  incident_id: number;
  at: number;
  /** investigating | identified | monitoring | resolved */
  status: string;
  message: string;
  /** JSON object: component name -> status set by this update. */
  components: string;
  author_kind: string;
  author_id: string | null;
  author_name: string;
}

/** Someone who asked to hear about public updates: by email, or by a signed webhook POST. */
export interface StatusPageSubscribersTable {
  id: string;
  /** email | webhook */
  kind: string;
  address: string;
  /** Webhooks: the HMAC-SHA256 signing secret, told to the subscriber once when they subscribe. */
  secret: string | null;
  /** SHA-256 of the confirmation token; null once confirmed. */
  confirm_token_hash: string | null;
  /** In every message's unsubscribe link; it can only unsubscribe, so it is kept as is. */
  unsubscribe_token: string;
  created_at: number;
  confirmed_at: number | null;
  unsubscribed_at: number | null;
}

/** The outbox of messages to subscribers (a confirmation request or a public update), rendered when queued. */
export interface StatusPageDeliveriesTable {
  id: Generated<number>;
  /** Idempotency: `confirm:<subscriber>:<n>` or `update:<update id>:<subscriber>`. */
  delivery_key: string;
  subscriber_id: string;
  /** confirm | update */
  kind: string;
  update_id: number | null;
  subject: string;
  body: string;
  /** JSON: the webhook payload's fields, and the unsubscribe URL. */
  data: string;
  /** pending | sending | sent | failed */
  status: string;
  created_at: number;
  next_attempt_at: number;
  attempts: number;
  last_error: string | null;
  sent_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
}

export interface StatusPageTables {
  status_page_components: StatusPageComponentsTable;
  status_page_component_events: StatusPageComponentEventsTable;
  status_page_updates: StatusPageUpdatesTable;
  status_page_subscribers: StatusPageSubscribersTable;
  status_page_deliveries: StatusPageDeliveriesTable;
}
