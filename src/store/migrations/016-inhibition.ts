import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/** The open alert whose firing inhibits this one (inhibition rules), or null. */
export function migration016(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('alerts').addColumn('inhibited_by', big).execute();
      await db.schema.createIndex('alerts_inhibited_by').on('alerts').column('inhibited_by').where(sql.ref('inhibited_by'), 'is not', null).execute();
    },
  };
}
