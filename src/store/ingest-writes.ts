import type Database from 'better-sqlite3';
import type { Insertable } from 'kysely';
import { countRepeat, findOpenAlert, insertAlertEvents, insertOpenAlert, openKey, type AlertRow, type NewAlertEvent } from './alert.repo.js';
import type { Conn } from './db.js';
import { insertPages, type NewPage } from './page.repo.js';
import type { AlertsTable } from './schema.js';

/**
 * The writes of the ingest hot path. On PostgreSQL (and as the reference) they are Kysely queries;
 * on SQLite the same statements run as prepared better-sqlite3 statements inside one transaction
 * that holds the connection, which skips building and compiling each query anew. Measured with
 * bench/ingest.js: see the figure in the README.
 */
export interface IngestWrites {
  findOpen(serviceId: string, dedupKey: string): Promise<AlertRow | undefined>;
  /** Undefined when another writer opened the same key first. */
  insertOpen(values: Omit<Insertable<AlertsTable>, 'id'>): Promise<AlertRow | undefined>;
  countRepeat(id: number, now: number): Promise<number>;
  insertEvents(rows: NewAlertEvent[]): Promise<void>;
  insertPages(rows: NewPage[]): Promise<void>;
}

export function kyselyIngestWrites(conn: Conn): IngestWrites {
  return {
    findOpen: (serviceId, dedupKey) => findOpenAlert(conn, serviceId, dedupKey),
    insertOpen: (values) => insertOpenAlert(conn, values),
    countRepeat: (id, now) => countRepeat(conn, id, now),
    insertEvents: (rows) => insertAlertEvents(conn, rows),
    insertPages: async (rows) => {
      await insertPages(conn, rows);
    },
  };
}

const ALERT_COLUMNS = [
  'service_id', 'dedup_key', 'open_key', 'status', 'severity', 'summary', 'source', 'component', 'group_name', 'class', 'details', 'links', 'images', 'labels',
  'count', 'first_seen_at', 'last_seen_at', 'created_at', 'updated_at', 'acknowledged_at', 'acknowledged_by', 'resolved_at', 'resolved_by', 'escalation_policy_id',
  'policy_snapshot', 'escalation_level', 'escalation_cycle', 'level_started_at', 'notify_seq', 'next_escalation_at', 'snoozed_until', 'silenced_by', 'inhibited_by', 'maintenance_by', 'group_id',
] as const satisfies readonly (keyof Omit<AlertsTable, 'id'>)[];

const EVENT_COLUMNS = ['alert_id', 'at', 'kind', 'actor_kind', 'actor_id', 'actor_name', 'surface', 'message', 'data'] as const satisfies readonly (keyof NewAlertEvent)[];

const PAGE_COLUMNS = [
  'page_key', 'alert_id', 'notify_seq', 'level', 'cycle', 'user_id', 'contact_method_id', 'rule_id', 'channel', 'destination', 'status', 'created_at',
  'next_attempt_at', 'attempts', 'last_error', 'sent_at', 'lease_owner', 'lease_until', 'priority',
] as const satisfies readonly (keyof NewPage)[];

const insertSql = (table: string, cols: readonly string[], tail = '') => `insert into "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) values (${cols.map(() => '?').join(', ')})${tail}`;

/** Prepared statements over one SQLite connection; call only while holding that connection. */
export function sqliteIngestWrites(prepare: (sql: string) => Database.Statement): IngestWrites {
  const findOpen = prepare('select * from "alerts" where "open_key" = ?');
  const insertOpen = prepare(insertSql('alerts', ALERT_COLUMNS, ' on conflict ("open_key") do nothing returning *'));
  const repeat = prepare('update "alerts" set "count" = "count" + 1, "last_seen_at" = ?, "updated_at" = ? where "id" = ? returning "count"');
  const insertEvent = prepare(insertSql('alert_events', EVENT_COLUMNS));
  const insertPage = prepare(insertSql('pages', PAGE_COLUMNS, ' on conflict ("page_key") do nothing'));
  return {
    findOpen: async (serviceId, dedupKey) => findOpen.get(openKey(serviceId, dedupKey)) as AlertRow | undefined,
    insertOpen: async (values) => insertOpen.get(ALERT_COLUMNS.map((c) => values[c] ?? null)) as AlertRow | undefined,
    countRepeat: async (id, now) => (repeat.get(now, now, id) as { count: number }).count,
    insertEvents: async (rows) => {
      for (const r of rows) insertEvent.run(EVENT_COLUMNS.map((c) => r[c] ?? null));
    },
    insertPages: async (rows) => {
      // A page written without a priority is high urgency (the column's default).
      for (const r of rows) insertPage.run(PAGE_COLUMNS.map((c) => r[c] ?? (c === 'priority' ? 0 : null)));
    },
  };
}
