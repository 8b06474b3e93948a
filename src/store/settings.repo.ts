import type { Conn } from './db.js';

export async function getSetting(conn: Conn, key: string): Promise<string | null> {
  const row = await conn.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

export async function putSetting(conn: Conn, key: string, value: string): Promise<void> {
  await conn
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** Bumped by every configuration change so each process knows to reload its cached org. */
export async function bumpConfigVersion(conn: Conn): Promise<void> {
  const current = Number((await getSetting(conn, 'config_version')) ?? '0');
  await putSetting(conn, 'config_version', String(current + 1));
}
