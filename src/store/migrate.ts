import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Store } from './db.js';
import { migration001 } from './migrations/001-paging-core.js';

/** Migrations are code, in order; the same set serves SQLite and PostgreSQL. */
export function migrations(store: Store): Record<string, Migration> {
  return {
    '001-paging-core': migration001(store.dialect),
  };
}

export async function migrateToLatest(store: Store): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(store) };
  const migrator = new Migrator({ db: store.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed on ${store.where}`, { cause: error });
  }
}
