import { DateTime } from 'luxon';
import { z } from 'zod';
import type { App } from '../../app.js';
import type { Ctx } from '../../commands/context.js';
import { addActionItem, changeActionItem, changePostmortem, completePostmortem, draftForIncident, removeActionItem, saveDraft, startPostmortem } from '../../commands/postmortems.js';
import { postmortemUrl } from '../../commands/postmortem-hooks.js';
import { AppError } from '../../domain/errors.js';
import { ACTION_ITEM_STATUSES, DEADLINE_STAGES, isActionItemOpen, POSTMORTEM_STATUSES, STAGE_HOW, STAGE_LABELS, type DeadlineStage } from '../../domain/incident/postmortem.js';
import { getIncident, type IncidentRow } from '../../store/incident.repo.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import { getPostmortem, getPostmortemOfIncident, listActionItems, listDeadlines, listPostmortems, type ActionItemRow, type PostmortemDeadlineRow, type PostmortemRow } from '../../store/postmortem.repo.js';
import { actorOf } from '../auth.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const NUMBER_ERROR = 'must be an incident number, e.g. 12';
const IncidentId = z.strictObject({
  id: z
    .string()
    .transform((s) => Number(s.replace(/^#/, '')))
    .pipe(z.int({ error: NUMBER_ERROR }).min(1, { error: NUMBER_ERROR })),
});
/** A post-mortem number, with `.md` for its markdown. */
const PostmortemId = z.strictObject({
  id: z.string().regex(/^\d+(\.md)?$/, { error: 'must be a post-mortem number, e.g. 3 (3.md for markdown)' }),
});
const ItemId = z.strictObject({ id: z.coerce.number().int({ error: 'must be an action item number' }).min(1, { error: 'must be an action item number' }) });

const Format = z.strictObject({ format: z.enum(['json', 'markdown'], { error: 'use json or markdown' }).optional() });

const statusList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum([...POSTMORTEM_STATUSES, 'open'], { error: `use open or ${POSTMORTEM_STATUSES.join(', ')}` })));

const ListQuery = z.strictObject({
  status: statusList.optional().describe('Comma-separated: draft, in_review, complete, or open (not complete). Default: all.'),
  required: z.enum(['true', 'false'], { error: 'use true or false' }).optional().describe('Only required (true) or optional (false) post-mortems.'),
  owner: z.string().min(1).optional().describe('Only post-mortems this user owns (by name).'),
  overdue: z.enum(['true'], { error: 'use true' }).optional().describe('Only post-mortems with a deadline passed unmet.'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(1).optional(),
});

/** A time, or a date meaning the end of that day (UTC). */
const dueTime = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) ? DateTime.fromISO(s, { zone: 'utc' }).isValid : z.iso.datetime({ offset: true }).safeParse(s).success, { error: 'must be a date such as 2026-03-20 or a time such as 2026-03-20T17:00:00Z' })
  .transform((s) => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? DateTime.fromISO(s, { zone: 'utc' }).plus({ days: 1 }).startOf('day').toMillis() : Date.parse(s)));

const Patch = z.strictObject({
  body: z.string().max(200_000).optional().describe('The post-mortem in markdown.'),
  status: z.enum(['draft', 'in_review'], { error: 'use draft or in_review; complete it with POST …/postmortem/complete' }).optional(),
  owner: z.string().max(100).nullable().optional().describe('User name; null: the incident commander.'),
  meeting_held_at: z.iso.datetime({ offset: true, error: 'must be a time such as 2026-03-10T14:00:00Z' }).nullable().optional(),
});

const Draft = z.strictObject({ force: z.boolean().optional().describe('Overwrite edits people made.') });

const ItemBody = z.strictObject({
  title: z.string().max(200),
  owner: z.string().max(100).nullable().optional(),
  due_at: dueTime.nullable().optional(),
  status: z.enum(ACTION_ITEM_STATUSES, { error: `use one of ${ACTION_ITEM_STATUSES.join(', ')}` }).optional(),
  link: z.string().max(2000).nullable().optional(),
});
const ItemPatch = ItemBody.partial();

type DeadlineState = 'met' | 'overdue' | 'due' | 'moot';

function presentDeadlines(pm: PostmortemRow, rows: PostmortemDeadlineRow[], now: number) {
  const byStage = new Map(rows.map((r) => [r.stage, r]));
  return DEADLINE_STAGES.flatMap((stage: DeadlineStage) => {
    const r = byStage.get(stage);
    if (!r) return [];
    const state: DeadlineState = r.met_at !== null ? 'met' : pm.status === 'complete' ? 'moot' : r.due_at <= now ? 'overdue' : 'due';
    return [{ stage, label: STAGE_LABELS[stage], how: STAGE_HOW[stage], due_at: iso(r.due_at), met_at: iso(r.met_at), reminded_at: iso(r.reminded_at), state }];
  });
}

export function presentActionItem(i: ActionItemRow, org: OrgSnapshot, now: number) {
  return {
    id: Number(i.id),
    postmortem_id: Number(i.postmortem_id),
    incident_id: Number(i.incident_id),
    title: i.title,
    owner: i.owner_id ? (org.users.get(i.owner_id)?.name ?? i.owner_id) : null,
    due_at: iso(i.due_at),
    status: i.status,
    link: i.link,
    overdue: isActionItemOpen(i.status) && i.due_at !== null && i.due_at <= now,
    created_at: iso(i.created_at),
    created_by: i.created_by,
    done_at: iso(i.done_at),
  };
}

async function ownerName(ctx: Ctx, org: OrgSnapshot, pm: PostmortemRow): Promise<string | null> {
  if (pm.owner_id) return org.users.get(pm.owner_id)?.name ?? pm.owner_id;
  const roles = await ctx.store.db.selectFrom('incident_roles').select(['user_id', 'relieved_at']).where('incident_id', '=', pm.incident_id).where('role', '=', 'commander').orderBy('assigned_at').orderBy('id').execute();
  const current = roles.filter((r) => r.relieved_at === null);
  const pick = current[current.length - 1] ?? roles[roles.length - 1];
  return pick ? (org.users.get(pick.user_id)?.name ?? pick.user_id) : null;
}

async function presentPostmortem(ctx: Ctx, pm: PostmortemRow, incident: IncidentRow, full: boolean) {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  const [deadlines, items] = await Promise.all([listDeadlines(ctx.store.db, [pm.id]), listActionItems(ctx.store.db, [pm.id])]);
  const ds = presentDeadlines(pm, deadlines, now);
  const next = ds.filter((d) => d.state === 'due' || d.state === 'overdue')[0] ?? null;
  return {
    id: Number(pm.id),
    incident: { id: Number(incident.id), number: `#${incident.id}`, title: incident.title, severity: incident.severity, status: incident.status, resolved_at: iso(incident.resolved_at), closed_at: iso(incident.closed_at) },
    status: pm.status,
    required: Number(pm.required) === 1,
    reasons: JSON.parse(pm.reasons) as string[],
    owner: pm.owner_id ? (org.users.get(pm.owner_id)?.name ?? pm.owner_id) : null,
    reminded: await ownerName(ctx, org, pm),
    ...(full ? { body: pm.body } : {}),
    body_edited: Number(pm.body_edited) === 1,
    drafted_at: iso(pm.drafted_at),
    body_saved_at: iso(pm.body_saved_at),
    submitted_at: iso(pm.submitted_at),
    meeting_held_at: iso(pm.meeting_held_at),
    completed_at: iso(pm.completed_at),
    completed_by: pm.completed_by,
    created_at: iso(pm.created_at),
    created_by: pm.created_by,
    updated_at: iso(pm.updated_at),
    deadlines: ds,
    next_deadline: next,
    overdue: ds.some((d) => d.state === 'overdue'),
    action_items: items.map((i) => presentActionItem(i, org, now)),
    open_action_items: items.filter((i) => isActionItemOpen(i.status)).length,
    url: postmortemUrl(Number(incident.id)),
    markdown_url: `/api/v1/postmortems/${pm.id}.md`,
  };
}

export function postmortemRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;

  const ofIncident = async (incidentId: number) => {
    const incident = await getIncident(ctx.store.db, incidentId);
    if (!incident) throw AppError.notFound(`incident #${incidentId}`);
    const pm = await getPostmortemOfIncident(ctx.store.db, incidentId);
    if (!pm) throw AppError.notFound(`post-mortem of incident #${incidentId} (start one: POST /api/v1/incidents/${incidentId}/postmortem)`);
    return { incident, pm };
  };
  const detail = async (incidentId: number) => {
    const { incident, pm } = await ofIncident(incidentId);
    return { postmortem: await presentPostmortem(ctx, pm, incident, true) };
  };
  /** The post-mortem as written, or the draft from the record while nothing is written yet. */
  const markdown = async (pm: PostmortemRow) => (pm.body.trim() ? pm.body : draftForIncident(ctx, Number(pm.incident_id)));

  r.add({
    method: 'GET',
    url: '/api/v1/postmortems',
    summary: 'List post-mortems, newest first, filtered by status, requirement, owner or overdue deadlines',
    tag: 'postmortems',
    role: 'viewer',
    query: ListQuery,
    handler: async (req) => {
      const q = parse(ListQuery, req.query);
      const org = await ctx.org.get(ctx.store.db);
      let owner: string | undefined;
      if (q.owner !== undefined) {
        const u = org.usersByName.get(q.owner);
        if (!u) throw AppError.invalid('owner', `no user named "${q.owner}"`);
        owner = u.id;
      }
      const status = q.status?.flatMap((s) => (s === 'open' ? ['draft', 'in_review'] : [s]));
      const rows = await listPostmortems(ctx.store.db, { status, required: q.required === undefined ? undefined : q.required === 'true', owner, limit: q.limit, before: q.before });
      const out = [];
      for (const pm of rows) {
        const incident = await getIncident(ctx.store.db, Number(pm.incident_id));
        if (!incident) continue;
        const p = await presentPostmortem(ctx, pm, incident, false);
        if (q.overdue && !p.overdue) continue;
        out.push(p);
      }
      const last = rows[rows.length - 1];
      return { postmortems: out, next_before: rows.length === q.limit && last ? Number(last.id) : null };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/postmortems/:id',
    summary: 'One post-mortem; /api/v1/postmortems/3.md or ?format=markdown gives its markdown',
    tag: 'postmortems',
    role: 'viewer',
    query: Format,
    handler: async (req, reply) => {
      const { id } = parse(PostmortemId, req.params);
      const q = parse(Format, req.query);
      const pm = await getPostmortem(ctx.store.db, Number(id.replace(/\.md$/, '')));
      if (!pm) throw AppError.notFound(`post-mortem ${id.replace(/\.md$/, '')}`);
      if (id.endsWith('.md') || q.format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(await markdown(pm));
      return detail(Number(pm.incident_id));
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/incidents/:id/postmortem',
    summary: "The incident's post-mortem with its deadlines and action items; ?format=markdown for the text",
    tag: 'postmortems',
    role: 'viewer',
    query: Format,
    handler: async (req, reply) => {
      const { id } = parse(IncidentId, req.params);
      const q = parse(Format, req.query);
      if (q.format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(await markdown((await ofIncident(id)).pm));
      return detail(id);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/postmortem',
    summary: 'Start a post-mortem for any incident (a required one starts by itself when the incident resolves)',
    tag: 'postmortems',
    role: 'responder',
    handler: async (req, reply) => {
      const { id } = parse(IncidentId, req.params);
      await startPostmortem(ctx, id, actorOf(req));
      void reply.status(201);
      return detail(id);
    },
  });

  r.add({
    method: 'PATCH',
    url: '/api/v1/incidents/:id/postmortem',
    summary: 'Edit the text, send it to review (status in_review) or back to draft, name the owner, record the meeting',
    tag: 'postmortems',
    role: 'responder',
    body: Patch,
    handler: async (req) => {
      const { id } = parse(IncidentId, req.params);
      const b = parse(Patch, req.body);
      await changePostmortem(ctx, id, actorOf(req), {
        body: b.body,
        status: b.status,
        owner: b.owner,
        meetingHeldAt: b.meeting_held_at === undefined ? undefined : b.meeting_held_at === null ? null : Date.parse(b.meeting_held_at),
      });
      return detail(id);
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/incidents/:id/postmortem/draft',
    summary: 'A markdown draft in the handbook template, written from the incident record; stores nothing',
    tag: 'postmortems',
    role: 'viewer',
    handler: async (req) => {
      const { id } = parse(IncidentId, req.params);
      return { markdown: await draftForIncident(ctx, id) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/postmortem/draft',
    summary: 'Write a fresh draft into the post-mortem (starting one if needed); edits are kept unless force is true',
    tag: 'postmortems',
    role: 'responder',
    body: Draft,
    handler: async (req) => {
      const { id } = parse(IncidentId, req.params);
      const b = parse(Draft, req.body);
      await saveDraft(ctx, id, actorOf(req), b.force ?? false);
      return detail(id);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/postmortem/complete',
    summary: 'Mark the post-mortem complete; a resolved incident closes with it',
    tag: 'postmortems',
    role: 'responder',
    handler: async (req) => {
      const { id } = parse(IncidentId, req.params);
      await completePostmortem(ctx, id, actorOf(req));
      return detail(id);
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/incidents/:id/postmortem/action-items',
    summary: "The post-mortem's action items",
    tag: 'postmortems',
    role: 'viewer',
    handler: async (req) => {
      const { id } = parse(IncidentId, req.params);
      const { pm } = await ofIncident(id);
      const org = await ctx.org.get(ctx.store.db);
      return { action_items: (await listActionItems(ctx.store.db, [pm.id])).map((i) => presentActionItem(i, org, ctx.clock.now())) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/postmortem/action-items',
    summary: 'Add an action item: title, owner, due date, status, link',
    tag: 'postmortems',
    role: 'responder',
    body: ItemBody,
    handler: async (req, reply) => {
      const { id } = parse(IncidentId, req.params);
      const b = parse(ItemBody, req.body);
      const item = await addActionItem(ctx, id, actorOf(req), { title: b.title, owner: b.owner, dueAt: b.due_at, status: b.status, link: b.link });
      void reply.status(201);
      return { action_item: presentActionItem(item, await ctx.org.get(ctx.store.db), ctx.clock.now()) };
    },
  });

  r.add({
    method: 'PATCH',
    url: '/api/v1/action-items/:id',
    summary: 'Change an action item (title, owner, due date, status, link)',
    tag: 'postmortems',
    role: 'responder',
    body: ItemPatch,
    handler: async (req) => {
      const { id } = parse(ItemId, req.params);
      const b = parse(ItemPatch, req.body);
      const item = await changeActionItem(ctx, id, actorOf(req), { title: b.title, owner: b.owner, dueAt: b.due_at, status: b.status, link: b.link });
      return { action_item: presentActionItem(item, await ctx.org.get(ctx.store.db), ctx.clock.now()) };
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/action-items/:id',
    summary: 'Remove an action item',
    tag: 'postmortems',
    role: 'responder',
    handler: async (req) => {
      const { id } = parse(ItemId, req.params);
      await removeActionItem(ctx, id, actorOf(req));
      return { deleted: id };
    },
  });
}
