import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Calendar feeds: secret iCal URLs that calendar apps subscribe to without headers. Only a SHA-256
 * of each token is stored, as for API tokens. A feed is of one schedule or of one person's shifts
 * across every schedule; it goes with its schedule, its person, or the person who created it.
 */
export function migration004(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('calendar_feeds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('schedule', 'user')`))
        .addColumn('schedule_id', 'text', (c) => c.references('schedules.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        // Null when an API token without a person (an admin token) created it.
        .addColumn('created_by_user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('revoked_at', big)
        .execute();
      await db.schema.createIndex('calendar_feeds_created_by').on('calendar_feeds').column('created_by_user_id').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('calendar_feeds').execute();
    },
  };
}
