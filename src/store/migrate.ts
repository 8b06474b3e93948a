import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './db.js';
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
  };
}

export async function migrateToLatest(store: Store): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(store) };
  // Kysely looks for its own tables in every schema of the database unless told which one; on
  // PostgreSQL a kysely_migration_lock in another schema (another app, another test) would make it
  // skip creating ours and then fail to find it. Name the schema the store works in.
  const schema = store.dialect === 'postgres' ? (await sql<{ schema: string | null }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema : null;
  const migrator = new Migrator({ db: store.db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed on ${store.where}`, { cause: error });
  }
}
