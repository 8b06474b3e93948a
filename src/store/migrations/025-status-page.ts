import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * The public status page (see src/store/status-page.table.ts): each component's current status
 * and every change of it (the 90-day history bars), the public updates posted on incidents, the
 * subscribers, and the outbox of messages to them.
 */
export function migration025(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const serialId = <T extends string>(t: CreateTableBuilder<T, any>) =>
    dialect === 'postgres'
      ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('status_page_components')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();

      await serialId(db.schema.createTable('status_page_component_events'))
        .addColumn('component', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('incident_id', big)
        .addColumn('actor_name', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('status_page_component_events_component').on('status_page_component_events').columns(['component', 'at']).execute();

      await serialId(db.schema.createTable('status_page_updates'))
        .addColumn('incident_id', big, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('components', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('author_kind', 'text', (c) => c.notNull())
        .addColumn('author_id', 'text')
        .addColumn('author_name', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('status_page_updates_at').on('status_page_updates').column('at').execute();
      await db.schema.createIndex('status_page_updates_incident').on('status_page_updates').columns(['incident_id', 'at']).execute();

      await db.schema
        .createTable('status_page_subscribers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('confirm_token_hash', 'text')
        .addColumn('unsubscribe_token', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('confirmed_at', big)
        .addColumn('unsubscribed_at', big)
        .execute();
      await db.schema.createIndex('status_page_subscribers_address').on('status_page_subscribers').columns(['kind', 'address']).unique().execute();
      await db.schema.createIndex('status_page_subscribers_confirm').on('status_page_subscribers').column('confirm_token_hash').execute();

      await serialId(db.schema.createTable('status_page_deliveries'))
        .addColumn('delivery_key', 'text', (c) => c.notNull().unique())
        .addColumn('subscriber_id', 'text', (c) => c.notNull().references('status_page_subscribers.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('update_id', big)
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('next_attempt_at', big, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('sent_at', big)
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', big)
        .execute();
      await db.schema.createIndex('status_page_deliveries_due').on('status_page_deliveries').columns(['status', 'next_attempt_at']).execute();
    },
  };
}
