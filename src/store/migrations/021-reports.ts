import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Reports read alerts by the time they opened and pages by the time they were sent: without these
 * a report over last week scans every alert ever kept.
 */
export function migration021(dialect: Dialect): Migration {
  void dialect;
  return {
    async up(db: Kysely<any>) {
      await db.schema.createIndex('alerts_created_at').on('alerts').column('created_at').execute();
      await db.schema.createIndex('pages_sent_at').on('pages').column('sent_at').execute();
    },
  };
}
