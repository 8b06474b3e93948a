import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Maintenance windows (one-off or recurring by an RRULE in a time zone), the approvals a
 * maintenance policy asks for, and, on each alert, the window keeping it from paging.
 */
export function migration019(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('maintenance_windows')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('managed_by', 'text', (c) => c.notNull())
        .addColumn('services', 'text', (c) => c.notNull())
        .addColumn('matchers', 'text', (c) => c.notNull())
        .addColumn('starts_at', big)
        .addColumn('ends_at', big)
        .addColumn('rrule', 'text')
        .addColumn('time_zone', 'text')
        .addColumn('start_time', 'text')
        .addColumn('duration_ms', big)
        .addColumn('first_day', 'text')
        .addColumn('final_end_at', big)
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('author_kind', 'text', (c) => c.notNull())
        .addColumn('author_id', 'text')
        .addColumn('approval', 'text', (c) => c.notNull().defaultTo('approved'))
        .addColumn('approval_reasons', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('approvers', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('ended_at', big)
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('maintenance_approvals')
        .addColumn('window_id', 'text', (c) => c.notNull().references('maintenance_windows.id').onDelete('cascade'))
        .addColumn('approver', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('maintenance_approvals_pk', ['window_id', 'approver'])
        .execute();
      await db.schema.createIndex('maintenance_windows_final_end').on('maintenance_windows').column('final_end_at').execute();
      await db.schema.alterTable('alerts').addColumn('maintenance_by', 'text').execute();
      await db.schema.createIndex('alerts_maintenance_by').on('alerts').column('maintenance_by').where(sql.ref('maintenance_by'), 'is not', null).execute();
    },
  };
}
