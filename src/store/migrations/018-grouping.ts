import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Alert grouping: a service's `grouping` (JSON { by, wait_ms }), one row per alert group, and the
 * group each alert belongs to. `open_key` (service id + "\n" + group key while the group is open)
 * is unique, so two writers that open the same group at once settle on one; new alerts find their
 * group through it with one indexed lookup.
 */
export function migration018(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('services').addColumn('grouping', 'text').execute();
      await (dialect === 'postgres'
        ? db.schema.createTable('alert_groups').addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        : db.schema.createTable('alert_groups').addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      )
        .addColumn('service_id', 'text', (c) => c.notNull())
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('open_key', 'text', (c) => c.unique())
        .addColumn('leader_id', big)
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addColumn('ended_at', big)
        .execute();
      // Pages ask whether their alert leads a group (src/notify/group-line.ts).
      await db.schema.createIndex('alert_groups_leader').on('alert_groups').column('leader_id').execute();
      await db.schema.alterTable('alerts').addColumn('group_id', big).execute();
      await db.schema.createIndex('alerts_group_id').on('alerts').column('group_id').where(sql.ref('group_id'), 'is not', null).execute();
    },
  };
}
