import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Swap requests (src/store/swap-request.table.ts): one person offers a trade of shifts, the other
 * accepts (the swap is made then, as two overrides), declines, or the requester cancels.
 */
export function migration029(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      const t = db.schema.createTable('swap_requests');
      await (dialect === 'postgres' ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
        .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
        // A request of or to a person removed from the organisation goes with them.
        .addColumn('requester_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('a_start_at', big, (c) => c.notNull())
        .addColumn('a_end_at', big, (c) => c.notNull())
        .addColumn('counterpart_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('b_start_at', big, (c) => c.notNull())
        .addColumn('b_end_at', big, (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('decided_at', big)
        .addColumn('decided_by', 'text')
        .execute();
      await db.schema.createIndex('swap_requests_requester').on('swap_requests').columns(['requester_id', 'status']).execute();
      await db.schema.createIndex('swap_requests_counterpart').on('swap_requests').columns(['counterpart_id', 'status']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('swap_requests').execute();
    },
  };
}
