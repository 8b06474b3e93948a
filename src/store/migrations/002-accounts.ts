import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/** Local sign-in for the web UI (one password per user, browser sessions) and the open-alert summary index. */
export function migration002(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('user_passwords')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        // SHA-256 of the cookie value: a copy of the database does not hold usable sessions.
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('last_seen_at', big, (c) => c.notNull())
        .addColumn('expires_at', big, (c) => c.notNull())
        .addColumn('user_agent', 'text')
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
      await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();

      // The home page counts open alerts by status, service and severity on every change; with
      // months of resolved alerts in the table, only the open ones should be read.
      await db.schema
        .createIndex('alerts_open_summary')
        .on('alerts')
        .columns(['status', 'service_id', 'severity'])
        .where(sql.ref('status'), 'in', sql`('triggered', 'acknowledged')`)
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('alerts_open_summary').execute();
      await db.schema.dropTable('sessions').execute();
      await db.schema.dropTable('user_passwords').execute();
    },
  };
}
