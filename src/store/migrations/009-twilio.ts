import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

/**
 * SMS and voice through Twilio: the reply codes a number was sent ("reply 3a to acknowledge"),
 * each meaning one alert and the person paged at that number, and the numbers that texted STOP.
 */
export function migration009(dialect: Dialect): Migration {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('twilio_reply_codes')
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('code', 'integer', (c) => c.notNull())
        .addColumn('alert_id', big, (c) => c.notNull().references('alerts.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('sent_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('twilio_reply_codes_pk', ['phone', 'code'])
        .execute();
      await db.schema.createIndex('twilio_reply_codes_alert').on('twilio_reply_codes').columns(['phone', 'alert_id']).execute();
      await db.schema.createIndex('twilio_reply_codes_alert_fk').on('twilio_reply_codes').column('alert_id').execute();

      await db.schema
        .createTable('twilio_opt_outs')
        .addColumn('phone', 'text', (c) => c.primaryKey())
        .addColumn('keyword', 'text', (c) => c.notNull())
        .addColumn('opted_out_at', big, (c) => c.notNull())
        .execute();
    },
  };
}
