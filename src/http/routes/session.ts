import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.js';
import { OIDC_COOKIE, OIDC_COOKIE_PATH, OIDC_FLOW_MS, OidcSignInError, safeNext } from '../../auth/oidc.js';
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

const OidcStart = z.object({
  next: z.string().optional().describe('Where to go after signing in: a path on this site (anything else means /).'),
});

const OidcCallback = z.object({
  code: z.string().optional(),
  state: z.string().optional(),
  iss: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/** Read (and then deleted) by the sign-in page. */
export const LOGIN_ERROR_COOKIE = 'wk_login_error';

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
  // Clearing a cookie needs the attributes it was set with.
  const sessionCookie = { httpOnly: true, sameSite: 'strict', secure, path: '/' } as const;

  const setCookie = (reply: FastifyReply, value: string, maxAgeMs: number) =>
    reply.setCookie(SESSION_COOKIE, value, { ...sessionCookie, maxAge: Math.floor(maxAgeMs / 1000) });
  const oidc = app.oidc;
  const passwords = oidc?.passwords ?? true;
  // The provider sends the browser back with a cross-site navigation, which carries Lax cookies
  // and not Strict ones: the flow cookie is Lax, sent only to the OIDC routes, and single-use.
  const oidcCookie = { httpOnly: true, sameSite: 'lax', secure, path: OIDC_COOKIE_PATH } as const;
  // Why a single sign-on failed travels in a short-lived cookie only this server can set, not in
  // the URL: a link to /login?error=… must not be able to put someone's words on our sign-in page.
  const toLogin = (reply: FastifyReply, message: string, next: string) => {
    const q = new URLSearchParams({ error: 'sso' });
    if (next !== '/') q.set('next', next);
    void reply.setCookie(LOGIN_ERROR_COOKIE, message, { httpOnly: false, sameSite: 'lax', secure, path: '/login', maxAge: 120 });
    return reply.header('cache-control', 'no-store').redirect(`/login?${q.toString()}`, 302);
  };

  r.add({
    method: 'GET',
    url: '/api/v1/session/providers',
    summary: 'How people can sign in to the web UI: passwords, single sign-on, or both',
    tag: 'session',
    role: 'viewer',
    auth: 'none',
    handler: async () => ({ password: passwords, oidc: oidc ? { name: oidc.name } : null }),
  });

  r.add({
    method: 'POST',
    url: '/api/v1/session',
    summary: 'Sign in with email and password; sets the session cookie',
    tag: 'session',
    role: 'viewer',
    auth: 'none',
    body: SignIn,
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      if (!passwords) throw new AppError('forbidden', `password sign-in is turned off on this server; sign in with ${oidc?.name ?? 'single sign-on'} on the sign-in page (${ctx.publicUrl}/login)`);
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

  if (oidc) {
    r.add({
      method: 'GET',
      url: '/api/v1/session/oidc/start',
      summary: `Start signing in with ${oidc.name} (OpenID Connect): redirects to the identity provider`,
      tag: 'session',
      role: 'viewer',
      auth: 'none',
      query: OidcStart,
      handler: async (req, reply) => {
        const next = safeNext((req.query as Record<string, unknown>).next);
        try {
          const flow = await oidc.start(next);
          void reply.setCookie(OIDC_COOKIE, flow.cookie, { ...oidcCookie, maxAge: Math.floor(OIDC_FLOW_MS / 1000) });
          return reply.header('cache-control', 'no-store').redirect(flow.url, 302);
        } catch (err) {
          if (err instanceof OidcSignInError) return toLogin(reply, err.message, err.next);
          throw err;
        }
      },
    });

    r.add({
      method: 'GET',
      url: '/api/v1/session/oidc/callback',
      summary: `Where ${oidc.name} sends the browser back: opens a session and redirects to where the person was going`,
      tag: 'session',
      role: 'viewer',
      auth: 'none',
      query: OidcCallback,
      handler: async (req, reply) => {
        // The flow cookie is used once, whatever happens next.
        void reply.clearCookie(OIDC_COOKIE, oidcCookie);
        const q = req.url.indexOf('?');
        try {
          const result = await oidc.finish({ cookie: req.cookies[OIDC_COOKIE], query: q < 0 ? '' : req.url.slice(q + 1), userAgent: req.headers['user-agent'] ?? null });
          setCookie(reply, result.cookie, SESSION_MAX_MS);
          return reply.header('cache-control', 'no-store').redirect(result.next, 302);
        } catch (err) {
          if (err instanceof OidcSignInError) return toLogin(reply, err.message, err.next);
          throw err;
        }
      },
    });
  }

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
      void reply.clearCookie(SESSION_COOKIE, sessionCookie);
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
