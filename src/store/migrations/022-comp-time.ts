import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/** Time off taken for being on call (comp time), as recorded by the person or a manager. */
export function migration022(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('comp_time_taken')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('taken_at', big, (c) => c.notNull())
        .addColumn('days', 'real', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('recorded_by', 'text', (c) => c.notNull())
        .addColumn('recorded_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('comp_time_taken_user').on('comp_time_taken').columns(['user_id', 'taken_at']).execute();
    },
  };
}
