import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Post-mortems, their deadlines and action items (see src/store/postmortem.table.ts). One
 * post-mortem per incident; each deadline is a timer row (`due_at`, met or reminded once); each
 * action item reminds its owner once per due date.
 */
export function migration024(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const serialId = <T extends string>(t: CreateTableBuilder<T, any>) =>
    dialect === 'postgres'
      ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<any>) {
      await serialId(db.schema.createTable('postmortems'))
        .addColumn('incident_id', big, (c) => c.notNull().unique().references('incidents.id').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('required', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reasons', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('body_edited', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('drafted_at', big)
        .addColumn('body_saved_at', big)
        .addColumn('submitted_at', big)
        .addColumn('meeting_held_at', big)
        .addColumn('completed_at', big)
        .addColumn('completed_by', 'text')
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('postmortems_status').on('postmortems').columns(['status', 'created_at']).execute();

      await db.schema
        .createTable('postmortem_deadlines')
        .addColumn('postmortem_id', big, (c) => c.notNull().references('postmortems.id').onDelete('cascade'))
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('due_at', big, (c) => c.notNull())
        .addColumn('met_at', big)
        .addColumn('reminded_at', big)
        .addPrimaryKeyConstraint('postmortem_deadlines_pk', ['postmortem_id', 'stage'])
        .execute();
      await db.schema.createIndex('postmortem_deadlines_due').on('postmortem_deadlines').column('due_at').execute();

      await serialId(db.schema.createTable('postmortem_action_items'))
        .addColumn('postmortem_id', big, (c) => c.notNull().references('postmortems.id').onDelete('cascade'))
        .addColumn('incident_id', big, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('due_at', big)
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('link', 'text')
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addColumn('done_at', big)
        .addColumn('reminded_due_at', big)
        .execute();
      await db.schema.createIndex('postmortem_action_items_pm').on('postmortem_action_items').column('postmortem_id').execute();
      await db.schema.createIndex('postmortem_action_items_due').on('postmortem_action_items').columns(['status', 'due_at']).execute();
    },
  };
}
