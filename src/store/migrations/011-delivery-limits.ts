import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Noise limits, bundles and priority for the page outbox (see src/notify/throttle.ts):
 *
 * - `pages.priority`: 0 for high-urgency pages, 1 for low; claims take lower numbers first, so a
 *   critical page never waits behind a backlog of noise. Existing rows count as high urgency.
 * - `pages.throttled_at`: when a noise limit first held the page back (null: never held). Held
 *   pages wait in `pending` and go out together, as one bundled message, when the limit allows.
 * - `pages.bundle_id`: the page whose message carried this one (null: its own message).
 * - `delivery_limits`: per contact method, the recent messages the limits count, as JSON
 *   `[[at, high 0/1], …]` covering the longest window. One row per method, locked by the claim that
 *   spends from it, so two notifiers cannot both take the last free slot.
 *
 * The claim index replaces pages_due: it serves "pending, due, lowest priority number first, oldest
 * first" as an index walk without a sort.
 */
export function migration011(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('pages').addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('pages').addColumn('throttled_at', big).execute();
      await db.schema.alterTable('pages').addColumn('bundle_id', big).execute();
      await db.schema.dropIndex('pages_due').execute();
      await db.schema.createIndex('pages_claim').on('pages').columns(['status', 'priority', 'next_attempt_at']).execute();
      await db.schema.createIndex('pages_method').on('pages').columns(['contact_method_id', 'status']).execute();
      await db.schema
        .createTable('delivery_limits')
        .addColumn('contact_method_id', 'text', (c) => c.primaryKey())
        .addColumn('sends', 'text', (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();
    },
  };
}
