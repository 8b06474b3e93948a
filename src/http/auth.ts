import type { FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.js';
import type { Surface } from '../domain/alert/types.js';
import type { Actor, Ctx } from '../commands/context.js';
import { csrfMatches, findSession, type SessionPrincipal } from '../commands/accounts.js';
import { findToken, markTokenUsed, roleRank, type Role, type TokenPrincipal } from '../commands/tokens.js';
import { sha256Hex } from '../store/ids.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Who is calling: an API token, or a person signed in to the web UI (then `session` is set). */
export interface Principal extends TokenPrincipal {
  session?: SessionPrincipal;
}

export const SESSION_COOKIE = 'wk_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const CACHE_MS = 5_000;

/**
 * Bearer-token authentication for /api/v1. Tokens are looked up by hash; a short in-process cache
 * keeps the hot path to one map lookup, and a revoked token stops working within CACHE_MS.
 */
/**
 * The credential of an Authorization header: a bearer token, or the password of basic auth (as
 * amtool and Prometheus send it, the token as password); null when the header is neither.
 */
export function credentialOf(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer?.[1]) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (!basic?.[1]) return null;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

export class Authenticator {
  private cache = new Map<string, { p: TokenPrincipal | null; until: number }>();

  constructor(private readonly ctx: Ctx) {}

  async principal(req: FastifyRequest): Promise<Principal> {
    const header = req.headers.authorization;
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (!header && cookie) return this.sessionPrincipal(req, cookie);
    if (!header) throw new AppError('unauthorized', 'missing Authorization header; send "Authorization: Bearer <token>" (see <data-dir>/admin-token on first start), or sign in');
    const token = credentialOf(header);
    if (token === null) throw new AppError('unauthorized', 'Authorization header must be "Bearer <token>"');
    const key = sha256Hex(token);
    const now = Date.now();
    let hit = this.cache.get(key);
    if (!hit || hit.until < now) {
      hit = { p: await findToken(this.ctx.store.db, token), until: now + CACHE_MS };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, hit);
      // last_used_at is as fresh as the cache: one write per token per CACHE_MS at most.
      if (hit.p) await markTokenUsed(this.ctx.store.db, hit.p.tokenId, this.ctx.clock.now()).catch((err: unknown) => this.ctx.log.warn({ err }, 'recording token use failed'));
    }
    if (!hit.p) throw new AppError('unauthorized', 'token is unknown or revoked; create a new one with POST /api/v1/tokens');
    return hit.p;
  }

  /**
   * A browser session. Sessions are read from the store on every request (one indexed read), so
   * signing out or changing a password takes effect at once. A change needs the CSRF header: a
   * cookie alone proves only that a browser sent the request, not that our UI did.
   */
  private async sessionPrincipal(req: FastifyRequest, cookie: string): Promise<Principal> {
    const session = await findSession(this.ctx, cookie);
    if (!session) throw new AppError('unauthorized', 'your session has ended; sign in again');
    if (!SAFE_METHODS.has(req.method) && !csrfMatches(session, req.headers[CSRF_HEADER])) {
      throw new AppError('forbidden', `missing or wrong ${CSRF_HEADER} header; reload the page and try again`);
    }
    const u = session.user;
    return { tokenId: `session:${session.sessionId.slice(0, 12)}`, name: u.name, role: u.role, userId: u.id, userName: u.name, session };
  }

  forget(): void {
    this.cache.clear();
  }
}

export function requireRole(p: Principal, role: Role): void {
  if (roleRank(p.role) < roleRank(role)) {
    const who = p.session ? `you are signed in as ${p.name}, a ${p.role}` : `the token "${p.name}" has ${p.role}`;
    throw new AppError('forbidden', `this needs the ${role} role; ${who}`);
  }
}

export function actorOf(req: FastifyRequest): Actor {
  const p = req.principal;
  const client = String(req.headers['x-watchkeeper-client'] ?? '').toLowerCase();
  const surface: Surface = p?.session || client === 'ui' ? 'ui' : client === 'cli' ? 'cli' : 'api';
  if (!p) return { kind: 'system', id: null, name: 'anonymous', surface };
  return p.userId ? { kind: 'user', id: p.userId, name: p.userName ?? p.name, surface } : { kind: 'token', id: p.tokenId, name: p.name, surface };
}
