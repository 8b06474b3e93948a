import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Incidents (see src/store/incident.table.ts): the incident with its update timer, the alerts
 * attached to it, who holds which role, the status updates, and the timeline. SLA clocks, war
 * rooms, post-mortems and the public status page hang off `incidents.id` in later migrations.
 */
export function migration020(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const serialId = <T extends string>(t: CreateTableBuilder<T, any>) =>
    dialect === 'postgres'
      ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<any>) {
      await serialId(db.schema.createTable('incidents'))
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('services', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('declared_at', big, (c) => c.notNull())
        .addColumn('declared_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addColumn('identified_at', big)
        .addColumn('monitoring_at', big)
        .addColumn('resolved_at', big)
        .addColumn('closed_at', big)
        .addColumn('last_update_at', big)
        .addColumn('next_update_at', big)
        .execute();
      await db.schema.createIndex('incidents_status').on('incidents').columns(['status', 'declared_at']).execute();
      await db.schema.createIndex('incidents_next_update').on('incidents').column('next_update_at').execute();

      await db.schema
        .createTable('incident_alerts')
        .addColumn('incident_id', big, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
        .addColumn('alert_id', big, (c) => c.notNull().references('alerts.id').onDelete('cascade'))
        .addColumn('attached_at', big, (c) => c.notNull())
        .addColumn('attached_by', 'text', (c) => c.notNull())
        .addColumn('detached_at', big)
        .addPrimaryKeyConstraint('incident_alerts_pk', ['incident_id', 'alert_id'])
        .execute();
      await db.schema.createIndex('incident_alerts_alert').on('incident_alerts').column('alert_id').execute();

      await serialId(db.schema.createTable('incident_roles'))
        .addColumn('incident_id', big, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('assigned_at', big, (c) => c.notNull())
        .addColumn('assigned_by', 'text', (c) => c.notNull())
        .addColumn('relieved_at', big)
        .execute();
      await db.schema.createIndex('incident_roles_incident').on('incident_roles').columns(['incident_id', 'role']).execute();

      await serialId(db.schema.createTable('incident_updates'))
        .addColumn('incident_id', big, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('impact', 'text', (c) => c.notNull())
        .addColumn('actions', 'text', (c) => c.notNull())
        .addColumn('next_update_at', big)
        .addColumn('visibility', 'text', (c) => c.notNull().defaultTo('internal'))
        .addColumn('author_kind', 'text', (c) => c.notNull())
        .addColumn('author_id', 'text')
        .addColumn('author_name', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('incident_updates_incident').on('incident_updates').columns(['incident_id', 'at']).execute();

      await serialId(db.schema.createTable('incident_events'))
        .addColumn('incident_id', big, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('actor_kind', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('actor_name', 'text', (c) => c.notNull())
        .addColumn('surface', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('data', 'text')
        .execute();
      await db.schema.createIndex('incident_events_incident').on('incident_events').columns(['incident_id', 'at']).execute();
    },
  };
}
