import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Shift handoffs. A handoff note is written once per shift change of a schedule: the unique
 * (schedule_id, handoff_at) makes a second one impossible, whichever engine gets there first.
 * Its content is a JSON snapshot taken at the handoff, so later changes (an alert resolved, a
 * watch item deleted) never rewrite what was handed over. Watch items are what the person on call
 * wants the next one to keep an eye on. The engine's scan cursor lives in the settings table.
 */
export function migration007(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      const t = db.schema.createTable('handoff_notes');
      await (dialect === 'postgres' ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
        .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
        .addColumn('schedule_name', 'text', (c) => c.notNull())
        .addColumn('handoff_at', big, (c) => c.notNull())
        .addColumn('shift_start_at', big, (c) => c.notNull())
        .addColumn('outgoing_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('incoming_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('read_at', big)
        .addColumn('read_by', 'text')
        .addColumn('handed_over_at', big)
        .addColumn('handed_over_by', 'text')
        .addColumn('handed_over_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('handoff_notes_unique').on('handoff_notes').columns(['schedule_id', 'handoff_at']).unique().execute();
      await db.schema.createIndex('handoff_notes_incoming').on('handoff_notes').columns(['incoming_user_id', 'handoff_at']).execute();
      await db.schema.createIndex('handoff_notes_outgoing').on('handoff_notes').columns(['outgoing_user_id', 'handoff_at']).execute();

      await db.schema
        .createTable('watch_items')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('schedule_id', 'text', (c) => c.notNull().references('schedules.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('text', 'text', (c) => c.notNull())
        // Resolved alerts are pruned after the retention period; the item stays, without its link.
        .addColumn('alert_id', big, (c) => c.references('alerts.id').onDelete('set null'))
        .addColumn('shift_start_at', big, (c) => c.notNull())
        .addColumn('created_by_name', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('watch_items_shift').on('watch_items').columns(['schedule_id', 'user_id', 'created_at']).execute();
      await db.schema
        .createIndex('watch_items_alert')
        .on('watch_items')
        .column('alert_id')
        .where(sql.ref('alert_id'), 'is not', null)
        .execute();

      // A handoff note reads the alerts of a schedule's services opened during the shift.
      await db.schema.createIndex('alerts_service_created').on('alerts').columns(['service_id', 'created_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('alerts_service_created').execute();
      await db.schema.dropTable('watch_items').execute();
      await db.schema.dropTable('handoff_notes').execute();
    },
  };
}
