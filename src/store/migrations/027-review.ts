import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/** Not-actionable marking, the periodic on-call review and its delivery. */
export function migration027(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      // One row per alert a responder judged not actionable (a false positive); unmarking deletes it.
      await db.schema
        .createTable('alert_not_actionable')
        .addColumn('alert_id', big, (c) => c.primaryKey().references('alerts.id').onDelete('cascade'))
        .addColumn('marked_at', big, (c) => c.notNull())
        .addColumn('marked_by', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
      // One row per review sent: its key ("weekly:2026-11-30") is the claim two engines race for.
      await db.schema
        .createTable('review_sends')
        .addColumn('review_key', 'text', (c) => c.primaryKey())
        .addColumn('period_from', big, (c) => c.notNull())
        .addColumn('period_to', big, (c) => c.notNull())
        .addColumn('sent_at', big, (c) => c.notNull())
        .addColumn('recipients', 'integer', (c) => c.notNull())
        .execute();
    },
  };
}
