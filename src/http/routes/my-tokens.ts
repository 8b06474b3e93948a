import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.js';
import { createToken, listTokens, revokeToken, roleRank, ROLES, type Role } from '../../commands/tokens.js';
import { AppError } from '../../domain/errors.js';
import { actorOf } from '../auth.js';
import { iso } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

/**
 * Everyone's own API tokens, for scripts and the CLI, managed on the Profile page: list, create
 * (at most the person's own role) and revoke. Creating one needs a signed-in web session, not a
 * token: a leaked token cannot mint more. Admins manage everyone's tokens at /api/v1/tokens.
 */

const NewToken = z.strictObject({
  name: z.string().describe('Where it will be used, e.g. "laptop CLI".'),
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }).optional().describe('Default: your own role; at most your own role.'),
});
const Id = z.strictObject({ id: z.string().min(1) });

function person(req: FastifyRequest): { name: string; role: Role } {
  const p = req.principal;
  if (!p?.userName) throw new AppError('forbidden', 'this token belongs to no person; an admin manages such tokens with /api/v1/tokens');
  return { name: p.userName, role: p.role };
}

async function mine(app: App, user: string) {
  return (await listTokens(app.ctx.store.db)).filter((t) => t.user === user);
}

export function myTokenRoutes(app: App, r: ApiRouter): void {
  r.add({
    method: 'GET',
    url: '/api/v1/me/tokens',
    summary: 'Your own API tokens (never the tokens themselves)',
    tag: 'tokens',
    role: 'viewer',
    handler: async (req) => {
      const me = person(req);
      return { tokens: (await mine(app, me.name)).map((t) => ({ ...t, created_at: iso(t.created_at), last_used_at: iso(t.last_used_at), revoked_at: iso(t.revoked_at) })) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/me/tokens',
    summary: 'Create an API token that acts as you, from a signed-in session; the token is shown once',
    tag: 'tokens',
    role: 'viewer',
    body: NewToken,
    handler: async (req, reply) => {
      const me = person(req);
      if (!req.principal?.session) throw new AppError('forbidden', 'create tokens from a signed-in session (the Profile page of the web UI), not with a token');
      const b = parse(NewToken, req.body);
      const role = b.role ?? me.role;
      if (roleRank(role) > roleRank(me.role)) throw AppError.invalid('role', `can be at most your own role (${me.role})`);
      const t = await createToken(app.ctx, actorOf(req), { name: b.name, role, user: me.name });
      void reply.status(201);
      return { id: t.id, name: t.name, role: t.role, token: t.token };
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/me/tokens/:id',
    summary: 'Revoke one of your own API tokens',
    tag: 'tokens',
    role: 'viewer',
    handler: async (req) => {
      const me = person(req);
      const { id } = parse(Id, req.params);
      if (!(await mine(app, me.name)).some((t) => t.id === id)) throw AppError.notFound(`token ${id}`);
      await revokeToken(app.ctx, actorOf(req), id);
      app.auth.forget();
      return { revoked: id };
    },
  });
}
