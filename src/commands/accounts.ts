import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { sha256Hex } from '../store/ids.js';
import type { Conn } from '../store/db.js';
import type { Actor, Ctx } from './context.js';
import { audit } from './audit.js';
import type { Role } from './tokens.js';

/**
 * Local accounts for the web UI: a password per user (scrypt, from node:crypto) and browser
 * sessions. A session is a random cookie value; only its SHA-256 is stored, with a CSRF token the
 * UI must echo in a header on every change.
 */

export const MIN_PASSWORD = 12;
const MAX_PASSWORD = 1024;
/** A session lasts while it is used at least once a week, and 30 days at most. */
export const SESSION_IDLE_MS = 7 * 86_400_000;
export const SESSION_MAX_MS = 30 * 86_400_000;
/** last_seen_at is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

// OWASP's minimum for scrypt is N=2^17, r=8, p=1 (128 MiB); 2^15 with r=8 keeps a sign-in near
// 50 ms on a small server and inside Node's default maxmem. The parameters are stored with each
// hash, so raising them later re-hashes on the next sign-in.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 };

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: SCRYPT.maxmem });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time comparison; false for a malformed stored hash rather than an exception. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (!N || !r || !p || expected.length === 0) return false;
  const key = await scryptAsync(password, salt, expected.length, { N, r, p, maxmem: Math.max(SCRYPT.maxmem, 256 * N * r) });
  return timingSafeEqual(key, expected);
}

/** Spent on unknown emails so that a wrong email and a wrong password take the same time. */
let dummyHash: Promise<string> | null = null;

export function checkPasswordRules(password: unknown, field = 'password'): string {
  if (typeof password !== 'string') throw AppError.invalid(field, 'must be a string');
  if (password.length < MIN_PASSWORD) throw AppError.invalid(field, `must be at least ${MIN_PASSWORD} characters`);
  if (password.length > MAX_PASSWORD) throw AppError.invalid(field, `must be at most ${MAX_PASSWORD} characters`);
  return password;
}

export async function hasPassword(conn: Conn, userId: string): Promise<boolean> {
  return (await conn.selectFrom('user_passwords').select('user_id').where('user_id', '=', userId).executeTakeFirst()) !== undefined;
}

/**
 * Sets a user's password. Everyone else's sessions for that user end, so a changed password
 * locks out whoever had the old one; `keepSessionId` keeps the caller signed in.
 */
export async function setPassword(
  ctx: Ctx,
  actor: Actor,
  input: { user: string; password: string; currentPassword?: string | undefined; requireCurrent: boolean; keepSessionId?: string | null },
): Promise<void> {
  const password = checkPasswordRules(input.password);
  const user = await ctx.store.db.selectFrom('users').select(['id', 'name']).where('name', '=', input.user).executeTakeFirst();
  if (!user) throw AppError.notFound(`user "${input.user}"`);
  const existing = await ctx.store.db.selectFrom('user_passwords').select('password_hash').where('user_id', '=', user.id).executeTakeFirst();
  if (input.requireCurrent && existing) {
    if (typeof input.currentPassword !== 'string' || !(await verifyPassword(input.currentPassword, existing.password_hash))) {
      throw AppError.invalid('current_password', 'does not match your current password');
    }
  }
  const hash = await hashPassword(password);
  const now = ctx.clock.now();
  await ctx.store.tx(async (trx) => {
    await trx
      .insertInto('user_passwords')
      .values({ user_id: user.id, password_hash: hash, updated_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ password_hash: hash, updated_at: now }))
      .execute();
    let ended = trx.deleteFrom('sessions').where('user_id', '=', user.id);
    if (input.keepSessionId) ended = ended.where('id', '!=', input.keepSessionId);
    await ended.execute();
    await audit(trx, actor, now, 'user.password', 'user', user.id, user.name, null);
  });
}

export interface SessionUser {
  id: string;
  name: string;
  full_name: string;
  email: string;
  role: Role;
  time_zone: string;
}

export interface SessionPrincipal {
  sessionId: string;
  csrfToken: string;
  user: SessionUser;
  expiresAt: number;
}

const USER_COLUMNS = ['users.id', 'users.name', 'users.full_name', 'users.email', 'users.role', 'users.time_zone'] as const;

/** How a person proved who they are; recorded with the session's audit entry. */
export type SignInMethod = 'password' | 'oidc';

/**
 * Checks an email (or user name) and password and opens a session. Returns null for any mismatch,
 * without saying which part was wrong.
 */
export async function signIn(ctx: Ctx, input: { login: string; password: string; userAgent: string | null }): Promise<{ cookie: string; session: SessionPrincipal } | null> {
  const login = input.login.trim();
  const rows = await ctx.store.db
    .selectFrom('users')
    .leftJoin('user_passwords', 'user_passwords.user_id', 'users.id')
    .select([...USER_COLUMNS, 'user_passwords.password_hash'])
    .where((eb) => eb.or([eb(eb.fn('lower', ['users.email']), '=', login.toLowerCase()), eb('users.name', '=', login)]))
    .execute();
  // An email shared by several users signs in nobody: the name tells them apart.
  const row = rows.length === 1 ? rows[0] : rows.find((r) => r.name === login);
  if (!row?.password_hash) {
    dummyHash ??= hashPassword('watchkeeper-timing-equaliser');
    await verifyPassword(input.password, await dummyHash);
    return null;
  }
  if (!(await verifyPassword(input.password, row.password_hash))) return null;
  const user: SessionUser = { id: row.id, name: row.name, full_name: row.full_name, email: row.email, role: row.role as Role, time_zone: row.time_zone };
  return openSession(ctx, user, { method: 'password', userAgent: input.userAgent });
}

/** The users whose email is this one, compared case-insensitively (an organisation file may repeat one). */
export async function usersByEmail(ctx: Ctx, email: string): Promise<SessionUser[]> {
  const rows = await ctx.store.db
    .selectFrom('users')
    .select([...USER_COLUMNS])
    .where((eb) => eb(eb.fn('lower', ['users.email']), '=', email.trim().toLowerCase()))
    .execute();
  return rows.map((r) => ({ ...r, role: r.role as Role }));
}

/**
 * Opens a session for a user whose identity was proven (a password, or an identity provider's
 * signed ID token): one place for the cookie, the stored row and the audit entry, whatever the
 * method.
 */
export async function openSession(ctx: Ctx, user: SessionUser, input: { method: SignInMethod; userAgent: string | null }): Promise<{ cookie: string; session: SessionPrincipal }> {
  const cookie = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = ctx.clock.now();
  const userAgent = input.userAgent?.slice(0, 300) ?? null;
  const session: SessionPrincipal = {
    sessionId: sha256Hex(cookie),
    csrfToken,
    user: { id: user.id, name: user.name, full_name: user.full_name, email: user.email, role: user.role, time_zone: user.time_zone },
    expiresAt: now + SESSION_IDLE_MS,
  };
  await ctx.store.tx(async (trx) => {
    await trx
      .insertInto('sessions')
      .values({ id: session.sessionId, user_id: user.id, csrf_token: csrfToken, created_at: now, last_seen_at: now, expires_at: session.expiresAt, user_agent: userAgent })
      .execute();
    await audit(trx, { kind: 'user', id: user.id, name: user.name, surface: 'ui' }, now, 'session.create', 'user', user.id, user.name, { method: input.method, user_agent: userAgent });
  });
  return { cookie, session };
}

/** The session behind a cookie value, sliding its expiry forward; null when unknown or expired. */
export async function findSession(ctx: Ctx, cookie: string): Promise<SessionPrincipal | null> {
  const id = sha256Hex(cookie);
  const row = await ctx.store.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([...USER_COLUMNS, 'sessions.csrf_token', 'sessions.created_at', 'sessions.last_seen_at', 'sessions.expires_at'])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
  const now = ctx.clock.now();
  if (!row || row.expires_at <= now) return null;
  let expiresAt = row.expires_at;
  if (now - row.last_seen_at >= TOUCH_EVERY_MS) {
    expiresAt = Math.min(now + SESSION_IDLE_MS, row.created_at + SESSION_MAX_MS);
    await ctx.store.db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
  }
  return {
    sessionId: id,
    csrfToken: row.csrf_token,
    user: { id: row.id, name: row.name, full_name: row.full_name, email: row.email, role: row.role as Role, time_zone: row.time_zone },
    expiresAt,
  };
}

export async function signOut(ctx: Ctx, session: SessionPrincipal): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.tx(async (trx) => {
    await trx.deleteFrom('sessions').where('id', '=', session.sessionId).execute();
    await audit(trx, { kind: 'user', id: session.user.id, name: session.user.name, surface: 'ui' }, now, 'session.end', 'user', session.user.id, session.user.name, null);
  });
}

/** Constant-time check of the CSRF header against the session's token. */
export function csrfMatches(session: SessionPrincipal, header: unknown): boolean {
  if (typeof header !== 'string' || header.length !== session.csrfToken.length) return false;
  return timingSafeEqual(Buffer.from(header), Buffer.from(session.csrfToken));
}

/**
 * Failed sign-ins per email and per client address, in memory: 10 per email and 50 per address in
 * 15 minutes. Per process, like the ingest rate limit; enough to make guessing useless.
 */
export class SignInLimiter {
  private failures = new Map<string, number[]>();
  static readonly WINDOW_MS = 15 * 60_000;

  constructor(
    private readonly perLogin = 10,
    private readonly perAddress = 50,
  ) {}

  /** Milliseconds until another attempt is allowed, or 0. */
  retryAfter(login: string, address: string, now: number): number {
    const a = this.wait(`l:${login.trim().toLowerCase()}`, this.perLogin, now);
    const b = this.wait(`a:${address}`, this.perAddress, now);
    return Math.max(a, b);
  }

  fail(login: string, address: string, now: number): void {
    for (const key of [`l:${login.trim().toLowerCase()}`, `a:${address}`]) {
      const list = this.recent(key, now);
      list.push(now);
      if (this.failures.size > 50_000) this.failures.clear();
      this.failures.set(key, list);
    }
  }

  succeed(login: string): void {
    this.failures.delete(`l:${login.trim().toLowerCase()}`);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - SignInLimiter.WINDOW_MS);
  }

  private wait(key: string, limit: number, now: number): number {
    const list = this.recent(key, now);
    if (list.length < limit) return 0;
    return (list[list.length - limit] ?? now) + SignInLimiter.WINDOW_MS - now;
  }
}
