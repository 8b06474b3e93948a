import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/db.js';

/**
 * Store and scenario tests run against SQLite always and against PostgreSQL when
 * WATCHKEEPER_TEST_DATABASE_URL is set (CI sets it). Each PostgreSQL store gets a schema of its
 * own, dropped when the store closes, so test files never see each other's rows.
 */
export const PG_URL = process.env.WATCHKEEPER_TEST_DATABASE_URL ?? null;

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  open(opts?: { poolSize?: number }): Promise<TestStore>;
}

export interface TestStore extends Store {
  /** Opens another connection pool on the same database (another "process"). */
  another?(opts?: { poolSize?: number }): Promise<Store>;
}

export const sqliteKind: StoreKind = {
  name: 'sqlite',
  open: () => openStore({ sqlitePath: ':memory:' }),
};

export const postgresKind: StoreKind = {
  name: 'postgres',
  async open(opts = {}) {
    if (!PG_URL) throw new Error('WATCHKEEPER_TEST_DATABASE_URL is not set');
    const schema = `wk_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const dropSchema = async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    };
    let store: Store;
    try {
      store = await openStore({ databaseUrl: PG_URL, pgSchema: schema, poolSize: opts.poolSize ?? 5 });
    } catch (err) {
      await dropSchema().catch(() => undefined);
      throw err;
    }
    const others: Store[] = [];
    return {
      ...store,
      async another(o = {}) {
        const s = await openStore({ databaseUrl: PG_URL, pgSchema: schema, poolSize: o.poolSize ?? 5, migrate: false });
        others.push(s);
        return s;
      },
      async close() {
        await Promise.all(others.map((o) => o.close().catch(() => undefined)));
        await store.close();
        await dropSchema();
      },
    };
  },
};

/** The stores to run a suite against. */
export const storeKinds: StoreKind[] = PG_URL ? [sqliteKind, postgresKind] : [sqliteKind];
