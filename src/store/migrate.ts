import { Migrator, sql, type DatabaseIntrospector, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './db.js';
import type { DB } from './schema.js';
import { migration001 } from './migrations/001-paging-core.js';
import { migration002 } from './migrations/002-accounts.js';
import { migration003 } from './migrations/003-schedules.js';
import { migration004 } from './migrations/004-calendar-feeds.js';
import { migration005 } from './migrations/005-lint-settings.js';
import { migration006 } from './migrations/006-notices.js';
import { migration007 } from './migrations/007-handoffs.js';
import { migration008 } from './migrations/008-slack.js';
import { migration009 } from './migrations/009-twilio.js';
import { migration010 } from './migrations/010-delivery.js';
import { migration011 } from './migrations/011-delivery-limits.js';
import { migration012 } from './migrations/012-silences.js';
import { migration013 } from './migrations/013-heartbeats.js';
import { migration014 } from './migrations/014-channels.js';
import { migration015 } from './migrations/015-runbooks.js';
import { migration016 } from './migrations/016-inhibition.js';
import { migration017 } from './migrations/017-routing.js';
import { migration018 } from './migrations/018-grouping.js';
import { migration019 } from './migrations/019-maintenance.js';
import { migration020 } from './migrations/020-incidents.js';
import { migration021 } from './migrations/021-reports.js';
import { migration022 } from './migrations/022-comp-time.js';
import { migration023 } from './migrations/023-incident-sla.js';
import { migration024 } from './migrations/024-postmortems.js';
import { migration025 } from './migrations/025-status-page.js';
import { migration026 } from './migrations/026-report-rollups.js';
import { migration027 } from './migrations/027-review.js';
import { migration028 } from './migrations/028-war-room.js';
import { migration029 } from './migrations/029-swap-requests.js';

/** Migrations are code, in order; the same set serves SQLite and PostgreSQL. */
export function migrations(store: Store): Record<string, Migration> {
  return {
    '001-paging-core': migration001(store.dialect),
    '002-accounts': migration002(store.dialect),
    '003-schedules': migration003(store.dialect),
    '004-calendar-feeds': migration004(store.dialect),
    '005-lint-settings': migration005(store.dialect),
    '006-notices': migration006(store.dialect),
    '007-handoffs': migration007(store.dialect),
    '008-slack': migration008(store.dialect),
    '009-twilio': migration009(store.dialect),
    '010-delivery': migration010(store.dialect),
    '011-delivery-limits': migration011(store.dialect),
    '012-silences': migration012(store.dialect),
    '013-heartbeats': migration013(store.dialect),
    '014-channels': migration014(store.dialect),
    '015-runbooks': migration015(store.dialect),
    '016-inhibition': migration016(store.dialect),
    '017-routing': migration017(store.dialect),
    '018-grouping': migration018(store.dialect),
    '019-maintenance': migration019(store.dialect),
    '020-incidents': migration020(store.dialect),
    '021-reports': migration021(store.dialect),
    '022-comp-time': migration022(store.dialect),
    '023-incident-sla': migration023(store.dialect),
    '024-postmortems': migration024(store.dialect),
    '025-status-page': migration025(store.dialect),
    '026-report-rollups': migration026(store.dialect),
    '027-review': migration027(store.dialect),
    '028-war-room': migration028(store.dialect),
    '029-swap-requests': migration029(store.dialect),
  };
}

export async function migrateToLatest(store: Store): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(store) };
  // Kysely looks for its own tables in every schema of the database unless told which one; on
  // PostgreSQL a kysely_migration_lock in another schema (another app, another test) would make it
  // skip creating ours and then fail to find it. Name the schema the store works in.
  const schema = store.dialect === 'postgres' ? (await sql<{ schema: string | null }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema : null;
  const db = schema ? withSchemaIntrospection(store.db, schema) : store.db;
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed on ${store.where}`, { cause: error });
  }
}

/**
 * The migrator asks the introspector whether its tables exist. Kysely's PostgreSQL introspector
 * lists every table of every schema and calls functions on each (pg_get_serial_sequence,
 * has_schema_privilege), which fail when another process drops a schema during the query: several
 * installations or test runs sharing one database would then fail to start now and then. This one
 * looks at the store's own schema only, with plain catalog reads.
 */
function withSchemaIntrospection(db: Kysely<DB>, schema: string): Kysely<DB> {
  const introspection: DatabaseIntrospector = {
    getSchemas: async () => (await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db)).rows,
    getTables: async () =>
      (await sql<{ name: string; schema: string }>`select tablename as name, schemaname as schema from pg_catalog.pg_tables where schemaname = ${schema}`.execute(db)).rows.map((t) => ({
        name: t.name,
        schema: t.schema,
        isView: false,
        columns: [],
      })),
    getMetadata: async () => ({ tables: await introspection.getTables() }),
  };
  return new Proxy(db, {
    get: (target, prop) => {
      if (prop === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, prop, target);
      // Kysely keeps its state in private fields: its methods must run on the real instance.
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
