import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.js';
import { acceptSwapRequest, cancelSwapRequest, declineSwapRequest, listSwapRequests, requestSwap, swapRequestNames, type SwapCaller, type SwapRequestRow } from '../../commands/swap-requests.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import { SWAP_REQUEST_STATUSES } from '../../store/swap-request.table.js';
import { actorOf } from '../auth.js';
import { iso } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';
import { presentOverride } from './schedules.js';

/**
 * Swap requests: ask someone to trade shifts; they accept (the swap is made) or decline; the
 * requester can cancel. The swap made at once is POST /api/v1/schedules/:name/swaps.
 */

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const instant = () =>
  z
    .string({ error: (iss) => (iss.input === undefined ? 'required' : 'expected a date-time like 2026-03-09T09:00Z') })
    .refine((s) => ISO_WITH_ZONE.test(s) && !Number.isNaN(Date.parse(s)), { error: 'must be a date-time with a zone, like 2026-03-09T09:00Z or 2026-03-09T10:00+01:00' })
    .transform((s) => Date.parse(s));

const Range = z.strictObject({ start: instant(), end: instant() });
const RequestBody = z.strictObject({
  with: z.string({ error: (iss) => (iss.input === undefined ? 'required' : 'expected a user name') }).min(1, { error: 'required' }).describe('Who you ask to swap with (user name).'),
  mine: Range.describe('Your range, which they take.'),
  theirs: Range.describe('Their range, which you take.'),
  note: z.string().max(500).optional(),
});
const Name = z.strictObject({ name: z.string().min(1) });
const Id = z.strictObject({ id: z.string().regex(/^\d{1,15}$/, { error: 'must be a swap request number, like 7' }).transform(Number) });
const ListQuery = z.strictObject({
  status: z.enum(SWAP_REQUEST_STATUSES, { error: `must be one of ${SWAP_REQUEST_STATUSES.join(', ')}` }).optional().describe('Only requests in this status.'),
  schedule: z.string().min(1).optional().describe('Only requests on this schedule.'),
});

function callerOf(req: FastifyRequest): SwapCaller {
  const p = req.principal;
  return { actor: actorOf(req), userId: p?.userId ?? null, role: p?.role ?? 'viewer' };
}

export function presentSwapRequest(org: OrgSnapshot, r: SwapRequestRow, me: string | null) {
  return {
    id: r.id,
    ...swapRequestNames(org, r),
    mine: { start: iso(r.a_start_at), end: iso(r.a_end_at) },
    theirs: { start: iso(r.b_start_at), end: iso(r.b_end_at) },
    note: r.note,
    status: r.status,
    direction: me === r.requester_id ? 'outgoing' : me === r.counterpart_id ? 'incoming' : null,
    created_at: iso(r.created_at),
    decided_at: iso(r.decided_at),
    decided_by: r.decided_by,
  };
}

export function swapRequestRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  const org = () => ctx.org.get(ctx.store.db);

  r.add({
    method: 'POST',
    url: '/api/v1/schedules/:name/swap-requests',
    summary: 'Ask someone to swap shifts: you hand them `mine` and take `theirs` once they accept',
    tag: 'schedules',
    role: 'responder',
    body: RequestBody,
    handler: async (req, reply) => {
      const { name } = parse(Name, req.params);
      const b = parse(RequestBody, req.body);
      const caller = callerOf(req);
      const row = await requestSwap(ctx, caller, name, { with: b.with, mine: b.mine, theirs: b.theirs, note: b.note ?? '' });
      void reply.status(201);
      return { swap_request: presentSwapRequest(await org(), row, caller.userId) };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/swap-requests',
    summary: 'Your swap requests, incoming and outgoing, newest first (every request for a token of no one)',
    tag: 'schedules',
    role: 'viewer',
    query: ListQuery,
    handler: async (req) => {
      const q = parse(ListQuery, req.query);
      const caller = callerOf(req);
      const rows = await listSwapRequests(ctx, caller, { ...(q.status ? { status: q.status } : {}), ...(q.schedule !== undefined ? { schedule: q.schedule } : {}) });
      const o = await org();
      return { swap_requests: rows.map((x) => presentSwapRequest(o, x, caller.userId)) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/swap-requests/:id/accept',
    summary: 'Accept a swap request (the person asked, or a manager): the swap is made at once',
    tag: 'schedules',
    role: 'responder',
    handler: async (req) => {
      const { id } = parse(Id, req.params);
      const caller = callerOf(req);
      const { request, overrides } = await acceptSwapRequest(ctx, caller, id);
      const o = await org();
      return { swap_request: presentSwapRequest(o, request, caller.userId), overrides: overrides.map((x) => presentOverride(o, x)) };
    },
  });

  for (const [action, fn, who] of [
    ['decline', declineSwapRequest, 'the person asked'],
    ['cancel', cancelSwapRequest, 'the person who asked'],
  ] as const) {
    r.add({
      method: 'POST',
      url: `/api/v1/swap-requests/:id/${action}`,
      summary: `${action === 'decline' ? 'Decline' : 'Cancel'} a swap request (${who}); the schedule does not change`,
      tag: 'schedules',
      role: 'responder',
      handler: async (req) => {
        const { id } = parse(Id, req.params);
        const caller = callerOf(req);
        const row = await fn(ctx, caller, id);
        return { swap_request: presentSwapRequest(await org(), row, caller.userId) };
      },
    });
  }
}
