import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.js';
import { SESSION_MAX_MS, SignInLimiter, setPassword, signIn, signOut, type SessionPrincipal } from '../../commands/accounts.js';
import { roleRank } from '../../commands/tokens.js';
import { AppError } from '../../domain/errors.js';
import { actorOf, SESSION_COOKIE } from '../auth.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

const SignIn = z.strictObject({
  email: z.string().min(1, { error: 'is required' }).max(320).describe('Email address (or user name).'),
  password: z.string().min(1, { error: 'is required' }).max(1024),
});

const SetPassword = z.strictObject({
  password: z.string().describe('At least 12 characters.'),
  current_password: z.string().optional().describe('Required when changing your own password.'),
});

const UserName = z.strictObject({ name: z.string().min(1) });

function presentSession(s: SessionPrincipal) {
  return { user: s.user, csrf_token: s.csrfToken, expires_at: new Date(s.expiresAt).toISOString() };
}

/**
 * Sign-in for the web UI (browser sessions in an HttpOnly cookie) and passwords. The cookie is
 * SameSite=Strict and Secure when the public URL is https; changes also need the CSRF header.
 */
export function sessionRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  const limiter = new SignInLimiter();
  const secure = ctx.publicUrl.startsWith('https:');

  const setCookie = (reply: FastifyReply, value: string, maxAgeMs: number) =>
    reply.setCookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: Math.floor(maxAgeMs / 1000) });

  r.add({
    method: 'POST',
    url: '/api/v1/session',
    summary: 'Sign in with email and password; sets the session cookie',
    tag: 'session',
    role: 'viewer',
    auth: 'none',
    body: SignIn,
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const body = parse(SignIn, req.body);
      const now = ctx.clock.now();
      const wait = limiter.retryAfter(body.email, req.ip, now);
      if (wait > 0) {
        const minutes = Math.ceil(wait / 60_000);
        void reply.header('retry-after', String(Math.ceil(wait / 1000)));
        throw new AppError('rate_limited', `too many failed sign-ins; try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an admin to set a new password`);
      }
      const result = await signIn(ctx, { login: body.email, password: body.password, userAgent: req.headers['user-agent'] ?? null });
      if (!result) {
        limiter.fail(body.email, req.ip, now);
        throw new AppError('unauthorized', 'wrong email or password');
      }
      limiter.succeed(body.email);
      setCookie(reply, result.cookie, SESSION_MAX_MS);
      return presentSession(result.session);
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/session',
    summary: 'The signed-in user and the CSRF token for changes',
    tag: 'session',
    role: 'viewer',
    handler: async (req) => {
      const s = req.principal?.session;
      if (!s) throw new AppError('unauthorized', 'not signed in: this request used an API token, not a session');
      return presentSession(s);
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/session',
    summary: 'Sign out',
    tag: 'session',
    role: 'viewer',
    handler: async (req, reply) => {
      const s = req.principal?.session;
      if (!s) throw new AppError('invalid', 'not signed in: this request used an API token, not a session');
      await signOut(ctx, s);
      void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
      return reply.status(204).send();
    },
  });

  r.add({
    method: 'PUT',
    url: '/api/v1/users/:name/password',
    summary: "Set a user's password for signing in to the web UI (admins: anyone's; others: their own, with the current one)",
    tag: 'users',
    role: 'viewer',
    body: SetPassword,
    handler: async (req, reply) => {
      const { name } = parse(UserName, req.params);
      const body = parse(SetPassword, req.body);
      const p = req.principal;
      const self = p?.userName === name;
      const admin = p ? roleRank(p.role) >= roleRank('admin') : false;
      if (!self && !admin) throw new AppError('forbidden', `only an admin can set another user's password; you can set your own (${p?.userName ?? 'no user'})`);
      await setPassword(ctx, actorOf(req), {
        user: name,
        password: body.password,
        currentPassword: body.current_password,
        // Changing your own needs the current one, admins included; an admin resetting someone
        // else's does not know it.
        requireCurrent: self,
        keepSessionId: self ? (p?.session?.sessionId ?? null) : null,
      });
      return reply.status(204).send();
    },
  });
}
