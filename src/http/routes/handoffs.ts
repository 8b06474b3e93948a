import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.js';
import { addWatchItem, editWatchItem, getNote, handOver, listNotes, listWatchItems, markRead, removeWatchItem, contentOf, type Caller, type CurrentShift } from '../../commands/handoffs.js';
import { roleRank } from '../../commands/tokens.js';
import type { HandoffNoteContent, NoteAlert } from '../../domain/handoff/note.js';
import type { HandoffNoteRow, WatchItemRow } from '../../store/handoff.repo.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import { actorOf } from '../auth.js';
import { iso } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

/**
 * Shift handoffs through /api/v1/handoffs: the notes written at each shift change (list, read one,
 * mark read, hand acknowledged alerts over) and the watch items of the shift under way. Responders
 * act for themselves; managers and admins for anyone.
 */

const NoteId = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, { error: 'must be a handoff note number, like 12' })
    .transform(Number),
});
const ItemId = z.strictObject({ id: z.string().min(1) });
const bool = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');
const ListQuery = z.strictObject({
  schedule: z.string().min(1).optional().describe('Only this schedule’s notes.'),
  user: z.string().min(1).optional().describe('Only notes this person handed over or received.'),
  unread: bool.optional().describe('true: only notes the person (you, or user) has not marked read.'),
  mine: bool.optional().describe('true: only notes you handed over or received (not your schedules’ others).'),
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 200' })
    .int({ error: 'must be a whole number from 1 to 200' })
    .min(1, { error: 'must be a whole number from 1 to 200' })
    .max(200, { error: 'must be a whole number from 1 to 200' })
    .default(20),
  before: z.coerce.number({ error: 'must be a note id' }).int({ error: 'must be a note id' }).min(1, { error: 'must be a note id' }).optional().describe('Notes older than this id (paging).'),
});
const alertId = z
  .number({ error: 'must be an alert number, like 42' })
  .int({ error: 'must be an alert number, like 42' })
  .min(1, { error: 'must be an alert number, like 42' });
const WatchBody = z.strictObject({
  text: z.string({ error: (i) => (i.input === undefined ? 'required: say what to keep an eye on and why' : 'must be text') }).describe('What to keep an eye on and why, up to 500 characters.'),
  alert_id: alertId.nullable().optional().describe('An alert it is about.'),
  schedule: z.string().min(1).optional().describe('The schedule whose shift it belongs to; needed when the person is on call in several.'),
  user: z.string().min(1).optional().describe('The person on call (managers may write for anyone); default you.'),
});
const WatchPatch = z.strictObject({
  text: z.string({ error: 'must be text' }).optional(),
  alert_id: alertId.nullable().optional(),
});
const WatchQuery = z.strictObject({
  schedule: z.string().min(1).optional(),
  user: z.string().min(1).optional().describe('Whose shift; default you.'),
});

function callerOf(req: FastifyRequest): Caller {
  const p = req.principal;
  return { actor: actorOf(req), userId: p?.userId ?? null, manager: roleRank(p?.role ?? 'viewer') >= roleRank('manager') };
}

const userName = (org: OrgSnapshot, id: string | null) => (id === null ? null : (org.users.get(id)?.name ?? id));

function presentAlert(a: NoteAlert) {
  return { id: a.id, summary: a.summary, severity: a.severity, status: a.status, service: a.service, created_at: iso(a.createdAt), acknowledged_by: a.acknowledgedBy, count: a.count };
}

function presentNoteSummary(org: OrgSnapshot, row: HandoffNoteRow, content: HandoffNoteContent) {
  return {
    id: Number(row.id),
    schedule: row.schedule_name,
    time_zone: content.timeZone,
    handoff_at: iso(row.handoff_at),
    shift_start: iso(row.shift_start_at),
    outgoing: userName(org, row.outgoing_user_id) ?? content.outgoing,
    incoming: userName(org, row.incoming_user_id) ?? content.incoming,
    created_at: iso(row.created_at),
    read_at: iso(row.read_at),
    read_by: row.read_by,
    handed_over_at: iso(row.handed_over_at),
    handed_over_by: row.handed_over_by,
    handed_over_count: Number(row.handed_over_count),
    summary: {
      total: content.summary.total,
      by_severity: content.summary.bySeverity,
      triggered: content.summary.triggered,
      acknowledged: content.summary.acknowledged,
    },
  };
}

function presentWatchItem(org: OrgSnapshot, w: WatchItemRow) {
  return {
    id: w.id,
    schedule: org.schedules.get(w.schedule_id)?.name ?? w.schedule_id,
    user: userName(org, w.user_id),
    text: w.text,
    alert_id: w.alert_id === null ? null : Number(w.alert_id),
    shift_start: iso(w.shift_start_at),
    created_by: w.created_by_name,
    created_at: iso(w.created_at),
    updated_at: iso(w.updated_at),
  };
}

const presentShift = (sh: CurrentShift) => ({ schedule: sh.schedule.name, start: iso(sh.start), end: iso(sh.end) });

export function handoffRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  const org = () => ctx.org.get(ctx.store.db);

  r.add({
    method: 'GET',
    url: '/api/v1/handoffs',
    summary: 'Handoff notes, newest first: yours and your schedules’ (or one schedule’s, one person’s, the unread ones); with your unread count',
    tag: 'handoffs',
    role: 'viewer',
    query: ListQuery,
    handler: async (req) => {
      const q = parse(ListQuery, req.query);
      const o = await org();
      const result = await listNotes(ctx, callerOf(req), {
        limit: q.limit,
        ...(q.schedule !== undefined ? { schedule: q.schedule } : {}),
        ...(q.user !== undefined ? { user: q.user } : {}),
        ...(q.unread !== undefined ? { unread: q.unread } : {}),
        ...(q.mine !== undefined ? { mine: q.mine } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
      });
      return { notes: result.notes.map((n) => presentNoteSummary(o, n, contentOf(n))), unread: result.unread };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/handoffs/watch-items',
    summary: 'Watch items of the shifts a person (default you) is on call in now',
    tag: 'handoffs',
    role: 'viewer',
    query: WatchQuery,
    handler: async (req) => {
      const q = parse(WatchQuery, req.query);
      const o = await org();
      const result = await listWatchItems(ctx, callerOf(req), { ...(q.schedule !== undefined ? { schedule: q.schedule } : {}), ...(q.user !== undefined ? { user: q.user } : {}) });
      return { shifts: result.shifts.map(presentShift), items: result.items.map((w) => presentWatchItem(o, w)) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/handoffs/watch-items',
    summary: 'Write a watch item for the shift under way: it goes into the next handoff note',
    tag: 'handoffs',
    role: 'responder',
    body: WatchBody,
    handler: async (req, reply) => {
      const b = parse(WatchBody, req.body);
      const { item, shift } = await addWatchItem(ctx, callerOf(req), {
        text: b.text,
        ...(b.alert_id !== undefined ? { alertId: b.alert_id } : {}),
        ...(b.schedule !== undefined ? { schedule: b.schedule } : {}),
        ...(b.user !== undefined ? { user: b.user } : {}),
      });
      void reply.status(201);
      return { item: presentWatchItem(await org(), item), shift: presentShift(shift) };
    },
  });

  r.add({
    method: 'PUT',
    url: '/api/v1/handoffs/watch-items/:id',
    summary: 'Change a watch item while its shift lasts',
    tag: 'handoffs',
    role: 'responder',
    body: WatchPatch,
    handler: async (req) => {
      const { id } = parse(ItemId, req.params);
      const b = parse(WatchPatch, req.body);
      const item = await editWatchItem(ctx, callerOf(req), id, { ...(b.text !== undefined ? { text: b.text } : {}), ...(b.alert_id !== undefined ? { alertId: b.alert_id } : {}) });
      return { item: presentWatchItem(await org(), item) };
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/handoffs/watch-items/:id',
    summary: 'Remove a watch item while its shift lasts',
    tag: 'handoffs',
    role: 'responder',
    handler: async (req) => {
      const { id } = parse(ItemId, req.params);
      await removeWatchItem(ctx, callerOf(req), id);
      return { deleted: id };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/handoffs/:id',
    summary: 'One handoff note: summary, open alerts, watch items, alerts by severity, recent changes, and the acknowledged alerts to hand over',
    tag: 'handoffs',
    role: 'viewer',
    handler: async (req) => {
      const { id } = parse(NoteId, req.params);
      const o = await org();
      const v = await getNote(ctx, id);
      const c = v.content;
      return {
        ...presentNoteSummary(o, v.row, c),
        open: c.open.map(presentAlert),
        open_more: c.openMore,
        watch_items: c.watchItems.map((w) => ({ id: w.id, text: w.text, alert_id: w.alertId, author: w.author, created_at: iso(w.createdAt) })),
        alerts_by_severity: c.alertsBySeverity.map((g) => ({ severity: g.severity, count: g.count, alerts: g.alerts.map(presentAlert) })),
        changes: c.changes.map((ch) => ({ at: iso(ch.at), actor: ch.actor, action: ch.action, entity_kind: ch.entityKind, entity: ch.entity })),
        changes_more: c.changesMore,
        maintenance: (c.maintenance ?? []).map((m) => ({ name: m.name, scope: m.scope, starts_at: iso(m.start), ends_at: iso(m.end), comment: m.comment })),
        incidents: (c.incidents ?? []).map((i) => ({ id: i.id, title: i.title, severity: i.severity, status: i.status, declared_at: iso(i.declaredAt), resolved_at: iso(i.resolvedAt), commander: i.commander })),
        hand_over: { count: v.handOver.length, alerts: v.handOver },
        text: v.text,
      };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/handoffs/:id/read',
    summary: 'Mark a handoff note read (the incoming person, or a manager)',
    tag: 'handoffs',
    role: 'responder',
    handler: async (req) => {
      const { id } = parse(NoteId, req.params);
      const row = await markRead(ctx, callerOf(req), id);
      return presentNoteSummary(await org(), row, contentOf(row));
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/handoffs/:id/hand-over',
    summary: 'Hand the outgoing person’s acknowledged alerts of the schedule’s services to the incoming person',
    tag: 'handoffs',
    role: 'responder',
    handler: async (req) => {
      const { id } = parse(NoteId, req.params);
      const result = await handOver(ctx, callerOf(req), id);
      return { note: presentNoteSummary(await org(), result.note, contentOf(result.note)), handed_over: result.alerts };
    },
  });
}
