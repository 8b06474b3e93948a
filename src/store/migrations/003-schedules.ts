import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * On-call schedules. A schedule's layers are configuration (the organisation file), kept as JSON
 * like a policy's spec; overrides are operational data, written through the API while people
 * cover and swap shifts, so they are rows of their own that survive edits of the schedule.
 */
export function migration003(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('schedules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('set null'))
        .addColumn('role', 'text')
        .addColumn('time_zone', 'text', (c) => c.notNull())
        .addColumn('spec_json', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('schedule_overrides')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
        .addColumn('start_at', big, (c) => c.notNull())
        .addColumn('end_at', big, (c) => c.notNull())
        // An override for a person who is removed from the organisation goes with them.
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('replaces_user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_by_name', 'text', (c) => c.notNull())
        .addColumn('created_by_kind', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .execute();
      // Every read is "this schedule's overrides that have not ended by t".
      await db.schema.createIndex('schedule_overrides_schedule_end').on('schedule_overrides').columns(['schedule_id', 'end_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('schedule_overrides').execute();
      await db.schema.dropTable('schedules').execute();
    },
  };
}
