/**
 * Alert state machine:
 *
 *   triggered ──ack──▶ acknowledged ──resolve──▶ resolved
 *       ▲                   │  │
 *       └──escalate/snooze end┘  └──resolve──▶ resolved
 *   triggered ──resolve──▶ resolved
 *
 * One open alert per (service, dedup key). A repeat of an open key increments `count` and
 * `last_seen_at`; a trigger after resolution opens a new alert with the same key.
 */
export type AlertStatus = 'triggered' | 'acknowledged' | 'resolved';

export type IngestAction = 'trigger' | 'acknowledge' | 'resolve';

/** How an action reached us: shown on the timeline next to the actor. */
export type Surface =
  | 'events_v2'
  | 'alertmanager'
  | 'generic_webhook'
  | 'api'
  | 'cli'
  | 'ui'
  | 'email'
  | 'webhook'
  | 'sms'
  | 'voice'
  | 'slack'
  | 'teams'
  | 'heartbeat'
  | 'engine'
  | 'config';

export interface AlertLink {
  href: string;
  text?: string;
}

export interface AlertImage {
  src: string;
  href?: string;
  alt?: string;
}

/**
 * One alert event as every ingest adapter (PagerDuty Events v2, Alertmanager webhook, generic
 * webhook, REST API) normalises it, before severity mapping and storage.
 */
export interface AlertEventInput {
  action: IngestAction;
  /** Required for acknowledge/resolve. On trigger, null means "generate one" (a new alert every time). */
  dedupKey: string | null;
  summary: string;
  source: string | null;
  /** The raw severity as sent; mapped through the organisation's aliases later. Null = service default. */
  severity: string | null;
  /** When the source says it happened (ms since epoch), if it said. */
  occurredAt: number | null;
  component: string | null;
  group: string | null;
  class: string | null;
  details: Record<string, unknown> | null;
  links: AlertLink[];
  images: AlertImage[];
  labels: Record<string, string>;
}

export function emptyEvent(action: IngestAction, dedupKey: string | null): AlertEventInput {
  return {
    action,
    dedupKey,
    summary: '',
    source: null,
    severity: null,
    occurredAt: null,
    component: null,
    group: null,
    class: null,
    details: null,
    links: [],
    images: [],
    labels: {},
  };
}
