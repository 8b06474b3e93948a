import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/** Reserved; filled in by the change that needs it. */
export function migration017(dialect: Dialect): Migration {
  void dialect;
  return {
    async up(db: Kysely<any>) {
      void db;
    },
  };
}
