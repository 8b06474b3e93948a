import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * The notice outbox (messages to a person that are not pages for an alert: verification codes,
 * test pages, handoff notes, shift reminders), and what providers tell us after a page was sent:
 * their message id, and when they confirmed delivery.
 */
export function migration006(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      const t = db.schema.createTable('notices');
      await (dialect === 'postgres' ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
        .addColumn('notice_key', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('contact_method_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('short', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('next_attempt_at', big, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('sent_at', big)
        .addColumn('provider_id', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', big)
        .execute();
      await db.schema.createIndex('notices_due').on('notices').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('notices_user').on('notices').columns(['user_id', 'created_at']).execute();

      await db.schema.alterTable('pages').addColumn('provider_id', 'text').execute();
      await db.schema.alterTable('pages').addColumn('delivered_at', big).execute();
      await db.schema.createIndex('pages_provider').on('pages').column('provider_id').where(sql.ref('provider_id'), 'is not', null).execute();
    },
  };
}
