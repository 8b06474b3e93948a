import { AppError } from '../domain/errors.js';
import { newApiToken, newId, sha256Hex } from '../store/ids.js';
import type { Conn } from '../store/db.js';
import type { Actor, Ctx } from './context.js';
import { audit } from './audit.js';

/**
 * API tokens. Only a SHA-256 of each token is stored: tokens are 40 random characters, so a fast
 * hash is enough (no password-style stretching needed) and lookups stay one indexed read.
 */
export const ROLES = ['viewer', 'responder', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const roleRank = (r: string): number => ROLES.indexOf(r as Role);

export interface TokenPrincipal {
  tokenId: string;
  name: string;
  role: Role;
  userId: string | null;
  userName: string | null;
}

export async function findToken(conn: Conn, token: string): Promise<TokenPrincipal | null> {
  const row = await conn
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.role', 'api_tokens.user_id', 'api_tokens.revoked_at', 'users.name as user_name'])
    .where('token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  return { tokenId: row.id, name: row.name, role: row.role as Role, userId: row.user_id, userName: row.user_name ?? null };
}

/** Records that a token was used; callers throttle this (see Authenticator). */
export async function markTokenUsed(conn: Conn, tokenId: string, at: number): Promise<void> {
  await conn.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', tokenId).execute();
}

export interface CreatedToken {
  id: string;
  token: string;
  name: string;
  role: Role;
}

export async function createToken(ctx: Ctx, actor: Actor, input: { name: string; role: string; user?: string | null }, presetToken?: string): Promise<CreatedToken> {
  const name = input.name.trim();
  if (!name || name.length > 100) throw AppError.invalid('name', 'must be 1 to 100 characters');
  if (roleRank(input.role) < 0) throw AppError.invalid('role', `must be one of ${ROLES.join(', ')}`);
  const token = presetToken ?? newApiToken();
  const now = ctx.clock.now();
  const id = newId();
  await ctx.store.tx(async (trx) => {
    let userId: string | null = null;
    if (input.user) {
      const u = await trx.selectFrom('users').select('id').where('name', '=', input.user).executeTakeFirst();
      if (!u) throw AppError.invalid('user', `no user named "${input.user}"`);
      userId = u.id;
    }
    // A preset token (WATCHKEEPER_ADMIN_TOKEN) may be inserted by several processes starting at once.
    const inserted = await trx
      .insertInto('api_tokens')
      .values({ id, name, user_id: userId, role: input.role, token_hash: sha256Hex(token), token_hint: token.slice(0, 7), created_at: now, last_used_at: null, revoked_at: null })
      .onConflict((oc) => oc.column('token_hash').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      if (presetToken) return;
      throw new AppError('conflict', 'token collision; try again');
    }
    await audit(trx, actor, now, 'token.create', 'api_token', id, name, { role: input.role, user: input.user ?? null });
  });
  return { id, token, name, role: input.role as Role };
}

export async function listTokens(conn: Conn) {
  return conn
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.role', 'api_tokens.token_hint', 'api_tokens.created_at', 'api_tokens.last_used_at', 'api_tokens.revoked_at', 'users.name as user'])
    .orderBy('api_tokens.created_at')
    .execute();
}

export async function revokeToken(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.tx(async (trx) => {
    const row = await trx.selectFrom('api_tokens').select(['id', 'name', 'revoked_at']).where('id', '=', id).executeTakeFirst();
    if (!row) throw AppError.notFound(`token ${id}`);
    if (row.revoked_at !== null) return;
    await trx.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).execute();
    await audit(trx, actor, now, 'token.revoke', 'api_token', id, row.name, null);
  });
}

/** Makes sure a known token exists (WATCHKEEPER_ADMIN_TOKEN, or the first-start bootstrap token). */
export async function ensureAdminToken(ctx: Ctx, token: string, name: string): Promise<boolean> {
  const existing = await findToken(ctx.store.db, token);
  if (existing) return false;
  await createToken(ctx, { kind: 'system', id: null, name: 'Watchkeeper', surface: 'config' }, { name, role: 'admin' }, token);
  return true;
}

export async function countTokens(conn: Conn): Promise<number> {
  const r = await conn.selectFrom('api_tokens').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}
