import type { App } from '../../app.js';
import { AppError } from '../../domain/errors.js';
import type { ApiRouter } from '../router.js';

/**
 * "Who am I to this server": what `watchkeeper login` checks a token against before saving it, and
 * what a script can ask to learn its role. Answers for a session too, but never with its secrets.
 */
export function meRoutes(app: App, r: ApiRouter): void {
  r.add({
    method: 'GET',
    url: '/api/v1/me',
    summary: 'The caller: its token (none for a web session), role and person',
    tag: 'session',
    role: 'viewer',
    handler: async (req) => {
      const p = req.principal;
      if (!p) throw new AppError('unauthorized', 'missing Authorization header; send "Authorization: Bearer <token>"');
      return {
        token: p.session ? null : { id: p.tokenId, name: p.name },
        role: p.role,
        user: p.userName,
        public_url: app.ctx.publicUrl,
      };
    },
  });
}
