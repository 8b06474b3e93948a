import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Heartbeat integrations: their interval and grace (JSON on the integration key row) and when
 * each last pinged and was last found missing.
 */
export function migration013(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('integration_keys').addColumn('heartbeat', 'text').execute();
      await db.schema
        .createTable('heartbeat_state')
        .addColumn('integration_id', 'text', (c) => c.primaryKey().references('integration_keys.id').onDelete('cascade'))
        .addColumn('last_ping_at', big, (c) => c.notNull())
        .addColumn('missed_at', big)
        .execute();
    },
  };
}
