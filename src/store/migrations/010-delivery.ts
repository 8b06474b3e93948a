import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Self-service contact methods and notification rules.
 *
 * - `managed_by` says who owns a contact method or rule: 'org' rows come from the organisation
 *   file (applying it creates, changes and removes only those), 'user' rows were added by the
 *   person on their profile and are never touched by an apply. Existing rows came from the file.
 * - `paused` (0/1) turns a method off without deleting it: it is not paged and carries no notices.
 * - `contact_method_verifications` holds the pending code of a method that is not verified yet:
 *   only a SHA-256 of it, when it expires, how many wrong codes were tried and when it was sent
 *   (a new code may be asked for once a minute).
 */
export function migration010(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('contact_methods').addColumn('managed_by', 'text', (c) => c.notNull().defaultTo('org')).execute();
      await db.schema.alterTable('contact_methods').addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('notification_rules').addColumn('managed_by', 'text', (c) => c.notNull().defaultTo('org')).execute();
      await db.schema.createIndex('notification_rules_user').on('notification_rules').columns(['user_id', 'managed_by']).execute();

      await db.schema
        .createTable('contact_method_verifications')
        .addColumn('contact_method_id', 'text', (c) => c.primaryKey().references('contact_methods.id').onDelete('cascade'))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', big, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('sent_at', big, (c) => c.notNull())
        .execute();
    },
  };
}
