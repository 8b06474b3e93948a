import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/** A service's runbooks (JSON list of { alert, url, steps }), from the organisation file. */
export function migration015(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('services').addColumn('runbooks', 'text').execute();
    },
  };
}
