import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';
import { migrateToLatest } from './migrate.js';

/**
 * The one place where SQLite and PostgreSQL differ. Callers see a Kysely<DB> and a `dialect` tag for
 * the few statements that need one (row claims with SKIP LOCKED, advisory locks); every other query is
 * shared.
 */
export type Dialect = 'sqlite' | 'postgres';

export type Tx = Transaction<DB>;
export type Conn = Kysely<DB> | Tx;

export interface Store {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  /** Human description for logs: the file path or the database host/name. */
  readonly where: string;
  /** Runs fn in one transaction. On PostgreSQL retries serialization failures and deadlocks. */
  tx<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// int8 (bigint) columns hold epoch milliseconds and counters; they fit in a double.
pg.types.setTypeParser(20, (v: string) => Number(v));

export interface OpenStoreOptions {
  /** postgres:// URL; when absent SQLite is used. */
  databaseUrl?: string | null;
  /** SQLite file path; ':memory:' for tests. */
  sqlitePath?: string;
  /** Pool size on PostgreSQL. */
  poolSize?: number;
  /** PostgreSQL schema to use (tests give each file its own). */
  pgSchema?: string;
  migrate?: boolean;
}

export class StoreLockedError extends Error {}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const store = opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolSize ?? 10, opts.pgSchema) : openSqlite(opts.sqlitePath ?? ':memory:');
  if (opts.migrate !== false) {
    try {
      await migrateToLatest(store);
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

function openSqlite(file: string): Store {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before the ingest request is answered (invariant 2). Group commit
  // makes the fsync cost per alert small.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 0');
  if (file !== ':memory:') {
    // Exactly one process per SQLite file: EXCLUSIVE locking mode keeps the lock taken by the first
    // write until the connection closes, and the OS drops it if the process dies, so there is no
    // stale lock file to clean up after a crash.
    sqlite.pragma('locking_mode = EXCLUSIVE');
    try {
      sqlite.exec('BEGIN IMMEDIATE; COMMIT;');
    } catch (err) {
      sqlite.close();
      throw new StoreLockedError(
        `${file} is in use by another watchkeeper process. Stop it, or start this one with another --data-dir (or DATABASE_URL for several processes on PostgreSQL).`,
        { cause: err },
      );
    }
  }
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    where: file,
    tx: (fn) => db.transaction().execute(fn),
    close: () => db.destroy(),
  };
}

function openPostgres(url: string, poolSize: number, schema?: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const u = new URL(url);
  return {
    db,
    dialect: 'postgres',
    where: `${u.hostname}:${u.port || 5432}${u.pathname}`,
    async tx(fn) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().execute(fn);
        } catch (err) {
          const code = (err as { code?: string }).code;
          // 40001 serialization_failure, 40P01 deadlock_detected, 23505 on a racing insert of the
          // same open alert: all resolve themselves on a retry.
          if (attempt < 5 && (code === '40001' || code === '40P01')) continue;
          throw err;
        }
      }
    },
    close: () => db.destroy(),
  };
}
