import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';
import { migrateToLatest } from './migrate.js';
import { kyselyIngestWrites, sqliteIngestWrites, type IngestWrites } from './ingest-writes.js';

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
  /**
   * A transaction that returns without waiting for the disk flush (SQLite; see WalSync).
   * Only for bookkeeping that is safe to redo after a power loss: delivery claims and outcomes (a
   * lost one means a page is sent again, never lost). Everything a caller is told is stored uses
   * tx(). On PostgreSQL this is tx().
   */
  relaxedTx<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  /**
   * A transaction for the ingest hot path: `writes` are the ingest statements (prepared statements
   * on SQLite), `trx` runs any other query inside the same transaction.
   */
  ingestTx<T>(fn: (writes: IngestWrites, trx: Tx) => Promise<T>): Promise<T>;
  /**
   * Resolves once everything committed so far is on disk. ingestTx does not wait for it; the
   * ingestor awaits it before answering anyone.
   */
  flushed(): Promise<void>;
  /**
   * Cross-process wake-ups (PostgreSQL LISTEN/NOTIFY). Only a hint that makes other processes act
   * sooner; polling is what guarantees progress. Absent on SQLite, where there is one process.
   */
  wakeups?: Wakeups;
  close(): Promise<void>;
}

export interface Wakeups {
  listen(onWake: () => void): Promise<void>;
  notify(): void;
  /**
   * Change events for other processes' live views (the UI's event stream). Delivered to every
   * process on the same database and schema, this one included; payloads stay under PostgreSQL's
   * 8,000-byte NOTIFY limit (the caller chunks them).
   */
  listenChanges(onPayload: (payload: string) => void): Promise<void>;
  notifyChanges(payload: string): void;
}

const WAKE_CHANNEL = 'watchkeeper_wake';
/** NOTIFY channels are database-wide: name the schema so two installations in one database stay apart. */
const changesChannel = (schema: string | undefined) => `watchkeeper_changes_${(schema ?? 'default').toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);

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
  // timeout 0: a file held by another process is reported at once instead of after 5 s of retries.
  const sqlite = new Database(file, { timeout: 0 });
  try {
    // The first statement already reads the file, so a second process fails here (SQLITE_BUSY on
    // `journal_mode`), not only at the BEGIN below: every step is inside the same check.
    sqlite.pragma('journal_mode = WAL');
    // NORMAL: SQLite writes the WAL at COMMIT without waiting for the disk; WalSync below flushes
    // it before any caller is told a transaction is stored (see tx()).
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 0');
    if (file !== ':memory:') {
      // Exactly one process per SQLite file: EXCLUSIVE locking mode keeps the lock taken by the first
      // write until the connection closes, and the OS drops it if the process dies, so there is no
      // stale lock file to clean up after a crash.
      sqlite.pragma('locking_mode = EXCLUSIVE');
      sqlite.exec('BEGIN IMMEDIATE; COMMIT;');
    }
  } catch (err) {
    sqlite.close();
    if (file !== ':memory:' && /^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: unknown }).code))) {
      throw new StoreLockedError(
        `${file} is in use by another watchkeeper process. Stop it, or start this one with another --data-dir (or DATABASE_URL for several processes on PostgreSQL).`,
        { cause: err },
      );
    }
    throw err;
  }
  const cached = cachedStatements(sqlite);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: cached }) });
  const wal = file === ':memory:' ? null : new WalSync(`${file}-wal`);
  let writes: IngestWrites | null = null;
  const flushed = async (): Promise<void> => {
    await wal?.sync();
  };
  return {
    db,
    dialect: 'sqlite',
    where: file,
    tx: async (fn) => {
      const result = await db.transaction().execute(fn);
      await flushed();
      return result;
    },
    relaxedTx: (fn) => db.transaction().execute(fn),
    flushed,
    // Holding the connection keeps every other query out while the raw transaction is open; the
    // Kysely queries the callback runs on `conn` use the same connection, inside the transaction.
    ingestTx: (fn) =>
      db.connection().execute(async (conn) => {
        writes ??= sqliteIngestWrites((q) => cached.prepare(q));
        sqlite.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(writes, conn as unknown as Tx);
          sqlite.exec('COMMIT');
          return result;
        } catch (err) {
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
          throw err;
        }
      }),
    close: async () => {
      await db.destroy();
      wal?.close();
    },
  };
}

/**
 * Group commit with the disk flush off the event loop. With synchronous=FULL SQLite calls fsync
 * inside COMMIT, which blocks the whole process (better-sqlite3 is synchronous): in bench/ingest.js
 * 35 % of the server's time went to waiting in COMMIT. Instead COMMIT only writes the WAL
 * (synchronous=NORMAL) and this class runs fdatasync on the WAL file in libuv's thread pool; every
 * durable transaction waits for a flush that started after its COMMIT before it returns. One
 * flush covers every commit before it, so a burst of commits shares one flush, and the next batch
 * runs while the disk works. The guarantee is FULL's: nothing is reported stored before the WAL
 * frames holding it are on disk (fsync applies to the file, whichever descriptor asks).
 */
class WalSync {
  private fd: number | null = null;
  /** Commits requested so far, and the highest one a finished flush covers. */
  private requested = 0;
  private covered = 0;
  private inFlight: Promise<void> | null = null;

  constructor(private readonly path: string) {}

  async sync(): Promise<void> {
    const ticket = ++this.requested;
    while (this.covered < ticket) {
      if (!this.inFlight) {
        const target = this.requested;
        this.inFlight = this.flush().then(
          () => {
            this.covered = Math.max(this.covered, target);
            this.inFlight = null;
          },
          (err: unknown) => {
            this.inFlight = null;
            throw err;
          },
        );
      }
      await this.inFlight;
    }
  }

  private flush(): Promise<void> {
    if (this.fd === null) {
      // The WAL exists from the first write (the lock check at open writes).
      this.fd = fs.openSync(this.path, 'r');
    }
    const fd = this.fd;
    return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs about as much as running a
 * small insert. Our statements come from a fixed set of query shapes, so each SQL text is prepared
 * once and reused (better-sqlite3 statements are reusable). Measured in-process on the ingest path
 * (16 concurrent submitters, no HTTP): 3.2k → 6.5k new alerts/s.
 */
function cachedStatements(sqlite: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = sqlite.prepare(sql);
      // Bound the cache: multi-row inserts of many sizes could otherwise grow it without end.
      if (cache.size >= 2000) cache.clear();
      cache.set(sql, stmt);
    }
    return stmt;
  };
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return prepare;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function openPostgres(url: string, poolSize: number, schema?: string): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const u = new URL(url);
  let listener: Promise<pg.Client> | null = null;
  let notifyQueued = false;
  const changes = changesChannel(schema);
  const handlers = new Map<string, (payload: string) => void>();
  /** One LISTEN connection per process, shared by the channels it listens to. */
  const listenOn = async (channel: string, onPayload: (payload: string) => void) => {
    if (handlers.has(channel)) return;
    handlers.set(channel, onPayload);
    listener ??= (async () => {
      const client = new pg.Client({ connectionString: url });
      client.on('notification', (n) => handlers.get(n.channel)?.(n.payload ?? ''));
      // A lost listener only makes wake-ups and live views slower (polling still runs); never crash for it.
      client.on('error', () => undefined);
      await client.connect();
      return client;
    })();
    await (await listener).query(`LISTEN ${channel}`);
  };
  const wakeups: Wakeups = {
    listen: (onWake) => listenOn(WAKE_CHANNEL, () => onWake()),
    listenChanges: (onPayload) => listenOn(changes, onPayload),
    notifyChanges(payload) {
      pool.query('SELECT pg_notify($1, $2)', [changes, payload]).catch(() => undefined);
    },
    notify() {
      // Coalesce bursts: one NOTIFY per tick of the event loop is enough to wake everyone.
      if (notifyQueued) return;
      notifyQueued = true;
      setImmediate(() => {
        notifyQueued = false;
        pool.query(`SELECT pg_notify('${WAKE_CHANNEL}', '')`).catch(() => undefined);
      });
    },
  };
  const tx = async <T>(fn: (trx: Tx) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute(fn);
      } catch (err) {
        const code = (err as { code?: string }).code;
        // 40001 serialization_failure and 40P01 deadlock_detected resolve themselves on a retry.
        if (attempt < 5 && (code === '40001' || code === '40P01')) continue;
        throw err;
      }
    }
  };
  return {
    db,
    dialect: 'postgres',
    wakeups,
    where: `${u.hostname}:${u.port || 5432}${u.pathname}`,
    tx,
    relaxedTx: tx,
    ingestTx: (fn) => tx((trx) => fn(kyselyIngestWrites(trx), trx)),
    flushed: async () => undefined,
    async close() {
      const l = listener;
      listener = null;
      handlers.clear();
      if (l) await l.then((c) => c.end()).catch(() => undefined);
      await db.destroy();
    },
  };
}
