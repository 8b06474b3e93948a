import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Incident SLA breaches (see src/store/incident-sla.table.ts). The clocks themselves need no rows:
 * each is due at the incident's `declared_at` plus its severity's target. A breach is recorded
 * once per incident and clock; the primary key is what makes a second engine's insert a no-op.
 */
export function migration023(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('incident_sla_breaches')
        .addColumn('incident_id', big, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
        .addColumn('clock', 'text', (c) => c.notNull())
        .addColumn('target_ms', big, (c) => c.notNull())
        .addColumn('due_at', big, (c) => c.notNull())
        .addColumn('breached_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('incident_sla_breaches_pk', ['incident_id', 'clock'])
        .execute();
    },
  };
}
