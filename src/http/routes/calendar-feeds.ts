import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.js';
import { createFeed, ICAL_PATH, listFeeds, renderFeed, revokeFeed, type FeedCaller, type FeedView } from '../../commands/calendar-feeds.js';
import { actorOf } from '../auth.js';
import { iso } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

/**
 * Calendar feeds: /api/v1/calendar-feeds to create (the URL is shown once), list and revoke them,
 * and the public /ical/<token>.ics that calendar apps subscribe to (the token is the credential).
 */

const FeedBody = z.strictObject({
  schedule: z.string().min(1).optional().describe('A schedule’s name: a feed of everyone’s shifts in it.'),
  user: z.string().min(1).optional().describe('A user’s name: a feed of their shifts in every schedule (your own; admins: anyone’s).'),
});
const IdParams = z.strictObject({ id: z.string().min(1) });

const present = (f: FeedView) => ({ ...f, created_at: iso(f.created_at), revoked_at: iso(f.revoked_at) });

function callerOf(req: FastifyRequest): FeedCaller {
  const p = req.principal;
  return { actor: actorOf(req), userId: p?.userId ?? null, admin: p?.role === 'admin' };
}

export function calendarFeedRoutes(app: App, r: ApiRouter): void {
  const { ctx, http } = app;

  r.add({
    method: 'POST',
    url: '/api/v1/calendar-feeds',
    summary: 'Create a calendar (iCal) feed of a schedule or of a person’s shifts; the URL is shown only in this answer',
    tag: 'schedules',
    role: 'viewer',
    body: FeedBody,
    handler: async (req, reply) => {
      const b = parse(FeedBody, req.body);
      const created = await createFeed(ctx, callerOf(req), b);
      void reply.status(201);
      return { id: created.feed.id, url: created.url, feed: present(created.feed) };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/calendar-feeds',
    summary: 'Calendar feeds you created or of your shifts (admins: every feed); without their URLs',
    tag: 'schedules',
    role: 'viewer',
    handler: async (req) => ({ feeds: (await listFeeds(ctx, callerOf(req))).map(present) }),
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/calendar-feeds/:id',
    summary: 'Revoke a calendar feed: its URL stops working at once',
    tag: 'schedules',
    role: 'viewer',
    handler: async (req) => {
      const { id } = parse(IdParams, req.params);
      return { feed: present(await revokeFeed(ctx, callerOf(req), id)) };
    },
  });

  // No headers from calendar apps: the token in the path is the credential. Unknown and revoked
  // tokens get the same bare 404, so the answer tells nothing about which tokens exist.
  http.get(`${ICAL_PATH}/:token.ics`, async (req, reply) => {
    const { token } = req.params as { token: string };
    const text = /^[A-Za-z0-9]{20,100}$/.test(token) ? await renderFeed(ctx, token) : null;
    void reply.header('cache-control', 'private, no-store').header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff');
    if (text === null) return reply.status(404).type('text/plain; charset=utf-8').send('Not found\n');
    return reply.type('text/calendar; charset=utf-8').send(text);
  });
}
