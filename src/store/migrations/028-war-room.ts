import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * War rooms (an incident's Slack channel) and stakeholder notifications (see
 * src/store/war-room.table.ts): one war room row per incident, the outbox of Slack calls they need
 * (create the channel, post to it, archive it; also stakeholder channel posts), and per incident
 * and stakeholder rule when the group was told and whether the first stakeholder update came.
 */
export function migration028(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('incident_war_rooms')
        .addColumn('incident_id', big, (c) => c.primaryKey().references('incidents.id').onDelete('cascade'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('prompted_at', big)
        .addColumn('opened_at', big)
        .addColumn('opened_by', 'text')
        .addColumn('channel_name', 'text')
        .addColumn('channel_id', 'text')
        .addColumn('posted_through', big, (c) => c.notNull().defaultTo(0))
        .addColumn('archived_at', big)
        .execute();
      await db.schema.createIndex('incident_war_rooms_state').on('incident_war_rooms').column('state').execute();

      const t = db.schema.createTable('incident_slack_jobs');
      await (dialect === 'postgres' ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
        .addColumn('incident_id', big, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
        .addColumn('job_key', 'text', (c) => c.notNull().unique())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('channel', 'text')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', big, (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', big)
        .addColumn('created_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('incident_slack_jobs_due').on('incident_slack_jobs').columns(['status', 'next_attempt_at']).execute();

      await db.schema
        .createTable('incident_stakeholders')
        .addColumn('incident_id', big, (c) => c.notNull().references('incidents.id').onDelete('cascade'))
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('told_at', big, (c) => c.notNull())
        .addColumn('told', 'integer', (c) => c.notNull())
        .addColumn('next_update_due_at', big)
        .addColumn('first_update_at', big)
        .addColumn('reminded_at', big)
        .addPrimaryKeyConstraint('incident_stakeholders_pk', ['incident_id', 'rule'])
        .execute();
      await db.schema.createIndex('incident_stakeholders_due').on('incident_stakeholders').column('next_update_due_at').execute();
    },
  };
}
