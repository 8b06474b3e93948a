import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * Slack: a service's channel routing (services.slack, JSON), the outbox of alert messages posted
 * to channels and direct messages that are kept up to date (slack_posts), and the Slack member ID
 * found for each person by their email (slack_users).
 */
export function migration008(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('services').addColumn('slack', 'text').execute();

      const t = db.schema.createTable('slack_posts');
      await (dialect === 'postgres' ? t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity()) : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()))
        .addColumn('alert_id', big, (c) => c.notNull().references('alerts.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text')
        .addColumn('ts', 'text')
        .addColumn('wanted_version', big, (c) => c.notNull())
        .addColumn('posted_version', big, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', big, (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', big)
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addUniqueConstraint('slack_posts_alert_channel', ['alert_id', 'channel'])
        .execute();
      await db.schema.createIndex('slack_posts_due').on('slack_posts').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('slack_posts_message').on('slack_posts').columns(['channel_id', 'ts']).execute();

      await db.schema
        .createTable('slack_users')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('slack_user_id', 'text')
        .addColumn('checked_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('slack_users_slack_id').on('slack_users').column('slack_user_id').execute();

      // Channel posts follow the timeline from here on: alerts opened before Slack existed are not posted.
      await sql`insert into settings (key, value) select 'slack.events_cursor', cast(coalesce(max(id), 0) as text) from alert_events`.execute(db);
    },
  };
}
