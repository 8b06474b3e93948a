import { z } from 'zod';
import type { App } from '../../app.js';
import { alertsMatching, alertsSilencedBy, approvalStatus, approveSilence, expireSilence, getSilence, listSilences, saveSilence, silenceState, type Silence } from '../../commands/silences.js';
import type { Conn } from '../../store/db.js';
import { AppError } from '../../domain/errors.js';
import { formatMatchers, MatcherError, parseMatchers, type Matcher } from '../../domain/silence/matchers.js';
import { judgeSilence, parseDuration } from '../../domain/silence/policy.js';
import { actorOf } from '../auth.js';
import { presentAlert } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

/**
 * Silences in Watchkeeper's own API: matchers as text (`service=backend`, `severity=~"critical|high"`)
 * or as Alertmanager's objects, a duration or an end time, and a required comment. The author is
 * whoever is signed in. Alertmanager's wire-compatible API is in compat/alertmanager-api.ts.
 */

const MatcherObject = z.strictObject({ name: z.string(), value: z.string(), isRegex: z.boolean().default(false), isEqual: z.boolean().default(true) });
const Matchers = z.union([z.string().min(1), z.array(z.union([z.string().min(1), MatcherObject])).min(1, { error: 'give at least one matcher, e.g. service=backend' })]);

const CreateSilence = z.strictObject({
  matchers: Matchers.describe('Matchers as text ("service=backend, severity=~\\"critical|high\\"") or a list of strings or {name, value, isRegex, isEqual}.'),
  duration: z.string().optional().describe('How long from the start, e.g. 2h, 30m, 1d, 1h30m. Give this or ends_at.'),
  starts_at: z.iso.datetime({ offset: true }).optional().describe('Default: now.'),
  ends_at: z.iso.datetime({ offset: true }).optional(),
  comment: z.string().max(2000).describe('Why: required.'),
});
const Preview = z.strictObject({ matchers: Matchers });
const ListQuery = z.strictObject({ state: z.string().optional().describe('Comma-separated: active, pending, expired. Default: active,pending.') });
const Id = z.strictObject({ id: z.string().min(1) });

function toMatchers(input: z.output<typeof Matchers>, field = 'matchers'): Matcher[] {
  const items = typeof input === 'string' ? [input] : input;
  const out: Matcher[] = [];
  items.forEach((item, i) => {
    if (typeof item !== 'string') return void out.push(item);
    try {
      out.push(...parseMatchers(item));
    } catch (err) {
      if (err instanceof MatcherError) throw AppError.invalid(typeof input === 'string' ? field : `${field}[${i}]`, err.message);
      throw err;
    }
  });
  return out;
}

export async function presentSilenceV1(conn: Conn, s: Silence, now: number, held?: number): Promise<Record<string, unknown>> {
  const approval = s.approval === 'pending' ? { state: 'pending', ...(await approvalStatus(conn, s)) } : { state: 'approved' };
  return {
    id: s.id,
    state: silenceState(s, now),
    approval: approval.state === 'pending' ? { state: 'pending', waiting_for: (approval as { missing: string[] }).missing, given: (approval as { given: unknown[] }).given } : { state: 'approved' },
    matchers: formatMatchers(s.matchers),
    matcher_list: s.matchers,
    starts_at: new Date(s.startsAt).toISOString(),
    ends_at: new Date(s.endsAt).toISOString(),
    created_by: s.createdBy,
    comment: s.comment,
    updated_at: new Date(s.updatedAt).toISOString(),
    ...(held === undefined ? {} : { silenced_alerts: held }),
  };
}

export function silenceRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;

  r.add({
    method: 'GET',
    url: '/api/v1/silences',
    summary: 'List silences: active (soonest end first), pending, then expired',
    tag: 'silences',
    role: 'viewer',
    query: ListQuery,
    handler: async (req) => {
      const q = parse(ListQuery, req.query);
      const states = (q.state ?? 'active,pending').split(',').map((s) => s.trim()).filter(Boolean);
      for (const s of states) if (!['active', 'pending', 'expired'].includes(s)) throw AppError.invalid('state', `unknown state "${s}"; use active, pending or expired`);
      const now = ctx.clock.now();
      const all = (await listSilences(ctx.store.db, now)).filter((s) => states.includes(silenceState(s, now)));
      const counts = new Map<string, number>();
      const held = await ctx.store.db.selectFrom('alerts').select(['silenced_by']).where('silenced_by', 'is not', null).where('open_key', 'is not', null).execute();
      for (const a of held) if (a.silenced_by) counts.set(a.silenced_by, (counts.get(a.silenced_by) ?? 0) + 1);
      return { silences: await Promise.all(all.map((s) => presentSilenceV1(ctx.store.db, s, now, counts.get(s.id) ?? 0))) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/silences',
    summary: 'Silence alerts matching the matchers for a while; they are recorded but page nobody',
    tag: 'silences',
    role: 'responder',
    body: CreateSilence,
    handler: async (req, reply) => {
      const b = parse(CreateSilence, req.body);
      const now = ctx.clock.now();
      const start = b.starts_at ? Date.parse(b.starts_at) : now;
      let end: number;
      if ((b.duration === undefined) === (b.ends_at === undefined)) throw AppError.invalid('duration', 'give a duration (e.g. 2h) or ends_at, not both');
      if (b.duration !== undefined) {
        const ms = parseDuration(b.duration);
        if (ms === null || ms <= 0) throw AppError.invalid('duration', `"${b.duration}" is not a duration; write e.g. 2h, 30m, 1d or 1h30m`);
        end = Math.max(start, now) + ms;
      } else end = Date.parse(b.ends_at as string);
      const actor = actorOf(req);
      const { id } = await saveSilence(ctx, actor, { matchers: toMatchers(b.matchers), startsAt: start, endsAt: end, createdBy: actor.name, comment: b.comment });
      const s = await getSilence(ctx.store.db, id);
      const held = (await alertsSilencedBy(ctx.store.db, id)).length;
      reply.status(201);
      return { silence: await presentSilenceV1(ctx.store.db, s as Silence, ctx.clock.now(), held) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/silences/preview',
    summary: 'Open alerts that matchers would silence now, before creating the silence',
    tag: 'silences',
    role: 'viewer',
    body: Preview,
    handler: async (req) => {
      const b = parse(Preview, req.body);
      const matchers = toMatchers(b.matchers);
      const org = await ctx.org.get(ctx.store.db);
      // What the silence would really hide: alerts the silence policy exempts stay out.
      const alerts = await alertsMatching(ctx.store.db, org, matchers, 200, judgeSilence(org.silencePolicy, matchers, org.severities.scale.levels).exempt);
      return { matchers: formatMatchers(matchers), alerts: alerts.map((a) => presentAlert(a, org)) };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/silences/:id',
    summary: 'A silence and the open alerts it is holding',
    tag: 'silences',
    role: 'viewer',
    handler: async (req) => {
      const { id } = parse(Id, req.params);
      const s = await getSilence(ctx.store.db, id);
      if (!s) throw AppError.notFound(`silence ${id}`);
      const org = await ctx.org.get(ctx.store.db);
      const held = await alertsSilencedBy(ctx.store.db, id);
      return { silence: await presentSilenceV1(ctx.store.db, s, ctx.clock.now(), held.length), alerts: held.map((a) => presentAlert(a, org)) };
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/silences/:id',
    summary: 'Expire a silence now; alerts it held that are still open page at once',
    tag: 'silences',
    role: 'responder',
    handler: async (req) => {
      const { id } = parse(Id, req.params);
      await expireSilence(ctx, actorOf(req), id);
      const s = await getSilence(ctx.store.db, id);
      return { silence: await presentSilenceV1(ctx.store.db, s as Silence, ctx.clock.now()) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/silences/:id/approve',
    summary: 'Approve a silence the silence policy holds for approval; it takes effect when every approver has',
    tag: 'silences',
    role: 'responder',
    handler: async (req) => {
      const { id } = parse(Id, req.params);
      const r = await approveSilence(ctx, actorOf(req), id);
      const s = await getSilence(ctx.store.db, id);
      const held = (await alertsSilencedBy(ctx.store.db, id)).length;
      return { approved: r.approved, waiting_for: r.missing, silence: await presentSilenceV1(ctx.store.db, s as Silence, ctx.clock.now(), held) };
    },
  });
}
