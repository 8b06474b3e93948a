import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.js';
import { deleteCompTime, listCompTime, loadCompTimePolicy, recordCompTime, type CompTimeEntry } from '../../commands/comp-time.js';
import { majorIncidentCredits } from '../../commands/incident-load.js';
import { roleRank } from '../../commands/tokens.js';
import { AppError } from '../../domain/errors.js';
import { parseDuration } from '../../domain/silence/policy.js';
import { actorOf } from '../auth.js';
import { iso } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

const Take = z.strictObject({
  user: z.string().min(1).describe('Whose time off.'),
  day: z.string().describe('The local date it starts, YYYY-MM-DD.'),
  days: z.number().describe('How long, in days: 1, 0.5…'),
  note: z.string().max(500).default(''),
});
const ListQuery = z.strictObject({ user: z.string().optional(), since: z.string().default('90d').describe('How far back, e.g. 30d.') });
const Id = z.strictObject({ id: z.string().min(1) });

const present = (e: CompTimeEntry) => ({ id: e.id, user: e.user, day: e.day, days: e.days, note: e.note, recorded_by: e.recordedBy, recorded_at: iso(e.recordedAt) });

function caller(req: FastifyRequest) {
  const p = req.principal;
  return { userName: p?.userName ?? null, manager: roleRank(p?.role ?? 'viewer') >= roleRank('manager') };
}

/** Time off taken for being on call; what is owed is in the load report. */
export function compTimeRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  r.add({
    method: 'GET',
    url: '/api/v1/comp-time',
    summary: 'Time off taken, newest last',
    tag: 'reports',
    role: 'viewer',
    query: ListQuery,
    handler: async (req) => {
      const q = parse(ListQuery, req.query);
      const ms = parseDuration(q.since);
      if (ms === null) throw AppError.invalid('since', `"${q.since}" is not a duration; write e.g. 30d`);
      const now = ctx.clock.now();
      const org = await ctx.org.get(ctx.store.db);
      const entries = await listCompTime(ctx.store.db, org, { ...(q.user !== undefined ? { user: q.user } : {}), from: now - ms, to: now + 366 * 86_400_000 });
      // Extra days owed for long major incidents in the same range, each with its reason.
      const extra = (await majorIncidentCredits(ctx.store.db, org, (await loadCompTimePolicy(ctx.store.db))?.majorIncident, now - ms, now + 1)).filter((e) => q.user === undefined || org.users.get(e.userId)?.name === q.user);
      return { entries: entries.map(present), extra: extra.map((e) => ({ user: org.users.get(e.userId)?.name ?? e.userId, incident: e.incident, days: e.days, earned_at: iso(e.at), reason: e.reason })) };
    },
  });
  r.add({
    method: 'POST',
    url: '/api/v1/comp-time',
    summary: 'Record time off taken (your own, or anyone’s as a manager)',
    tag: 'reports',
    role: 'responder',
    body: Take,
    handler: async (req, reply) => {
      const b = parse(Take, req.body);
      const e = await recordCompTime(ctx, actorOf(req), caller(req), b);
      void reply.status(201);
      return { entry: present(e) };
    },
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/comp-time/:id',
    summary: 'Remove a time off entry recorded by mistake',
    tag: 'reports',
    role: 'responder',
    handler: async (req, reply) => {
      const { id } = parse(Id, req.params);
      await deleteCompTime(ctx, actorOf(req), caller(req), id);
      return reply.status(204).send();
    },
  });
}
