import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Silences (Alertmanager semantics: matchers, start, end, author, comment; state is computed from
 * the times), the approvals a silence policy asks for, and, on each alert, the silence that is
 * keeping it from paging.
 */
export function migration012(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('silences')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('matchers', 'text', (c) => c.notNull())
        .addColumn('starts_at', big, (c) => c.notNull())
        .addColumn('ends_at', big, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('comment', 'text', (c) => c.notNull())
        .addColumn('author_kind', 'text', (c) => c.notNull())
        .addColumn('author_id', 'text')
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addColumn('approval', 'text', (c) => c.notNull().defaultTo('approved'))
        .addColumn('approvals_needed', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('exempt', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .createTable('silence_approvals')
        .addColumn('silence_id', 'text', (c) => c.notNull().references('silences.id').onDelete('cascade'))
        .addColumn('rule', 'integer', (c) => c.notNull())
        .addColumn('approver', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('silence_approvals_pk', ['silence_id', 'rule', 'approver'])
        .execute();
      await db.schema.createIndex('silences_ends').on('silences').column('ends_at').execute();
      await db.schema.alterTable('alerts').addColumn('silenced_by', 'text').execute();
      await db.schema.createIndex('alerts_silenced_by').on('alerts').column('silenced_by').where(sql.ref('silenced_by'), 'is not', null).execute();
    },
  };
}
