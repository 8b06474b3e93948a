import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Schedule lint settings. A schedule's `max_shift_hours` lives in its spec JSON with its layers;
 * a team's `prefer_different_time_zones` is a column of its own (teams keep no JSON), 0 or 1 on
 * both stores.
 */
export function migration005(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('teams')
        .addColumn('prefer_different_time_zones', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('teams').dropColumn('prefer_different_time_zones').execute();
    },
  };
}
