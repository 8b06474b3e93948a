import { z } from 'zod';
import type { App } from '../../app.js';
import { alertsInWindow, approveWindow, createWindow, endWindow, listWindows, previewWindow, scopeText, windowApprovals, type WindowInput } from '../../commands/maintenance.js';
import { AppError } from '../../domain/errors.js';
import type { HandoffWarning } from '../../domain/maintenance/overlap.js';
import { nextOccurrences, occurrenceAt, occurrences, timingText, windowState, type MaintenanceWindow, type Occurrence } from '../../domain/maintenance/window.js';
import { formatMatchers, MatcherError, parseMatchers, type Matcher } from '../../domain/silence/matchers.js';
import { approverText, formatDuration, parseDuration } from '../../domain/silence/policy.js';
import { getWindow, recentWindows } from '../../store/maintenance.repo.js';
import type { Conn } from '../../store/db.js';
import { actorOf } from '../auth.js';
import { presentAlert } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

/**
 * Maintenance windows: one-off (starts_at, and ends_at or duration) or recurring (rrule,
 * time_zone, start, duration), scoped to services and/or label matchers. Creating one answers
 * `warnings` about on-call handoffs during it; the window is created regardless.
 */

const MatcherObject = z.strictObject({ name: z.string(), value: z.string(), isRegex: z.boolean().default(false), isEqual: z.boolean().default(true) });
const Matchers = z.union([z.string(), z.array(z.union([z.string().min(1), MatcherObject]))]);

const WindowBody = z.strictObject({
  name: z.string().max(100).optional().describe('Shown on the alerts it mutes; default: the comment.'),
  services: z.union([z.string().min(1), z.array(z.string().min(1)).max(100)]).optional().describe('Services it covers, by name.'),
  matchers: Matchers.optional().describe('Label matchers the alerts must match ("env=prod", or Alertmanager objects).'),
  starts_at: z.iso.datetime({ offset: true }).optional().describe('One-off: start (default now).'),
  ends_at: z.iso.datetime({ offset: true }).optional().describe('One-off: end; or give duration.'),
  duration: z.string().optional().describe('Length, e.g. 4h; for a recurring window, in local time.'),
  rrule: z.string().optional().describe('Recurring: iCalendar RRULE, e.g. FREQ=WEEKLY;BYDAY=SU.'),
  time_zone: z.string().optional().describe('Recurring: IANA zone of start, e.g. America/Chicago.'),
  start: z.string().optional().describe('Recurring: local start time, HH:MM.'),
  from: z.string().optional().describe('Recurring: first day, YYYY-MM-DD (default today in time_zone).'),
  comment: z.string().max(2000).describe('What the work is: required.'),
});
const Id = z.strictObject({ id: z.string().min(1) });
const CALENDAR_MAX_DAYS = 62;
const Instant = z.iso.datetime({ offset: true, error: 'must be a date and time with its offset, e.g. 2026-03-01T00:00:00Z' });
const CalendarQuery = z.strictObject({
  from: Instant.describe('Start of the range, e.g. 2026-03-01T00:00:00Z.'),
  to: Instant.describe(`End of the range (not included); at most ${CALENDAR_MAX_DAYS} days after from.`),
});

function toMatchers(input: z.output<typeof Matchers> | undefined): Matcher[] {
  if (input === undefined) return [];
  const items = typeof input === 'string' ? (input.trim() ? [input] : []) : input;
  const out: Matcher[] = [];
  items.forEach((item, i) => {
    if (typeof item !== 'string') return void out.push(item);
    try {
      out.push(...parseMatchers(item));
    } catch (err) {
      if (err instanceof MatcherError) throw AppError.invalid(typeof input === 'string' ? 'matchers' : `matchers[${i}]`, err.message);
      throw err;
    }
  });
  return out;
}

function toInput(b: z.output<typeof WindowBody>, now: number): WindowInput {
  let durationMs: number | null = null;
  if (b.duration !== undefined) {
    durationMs = parseDuration(b.duration);
    if (durationMs === null || durationMs <= 0) throw AppError.invalid('duration', `"${b.duration}" is not a duration; write e.g. 4h, 90m or 1h30m`);
  }
  const services = b.services === undefined ? [] : typeof b.services === 'string' ? b.services.split(',').map((s) => s.trim()).filter(Boolean) : b.services;
  const base = { services, matchers: toMatchers(b.matchers), comment: b.comment, ...(b.name !== undefined ? { name: b.name } : {}) };
  if (b.rrule !== undefined) {
    const stray = (['starts_at', 'ends_at'] as const).find((k) => b[k] !== undefined);
    if (stray) throw AppError.invalid(stray, 'a recurring window has rrule, time_zone, start and duration; leave starts_at and ends_at out');
    const missing = (['time_zone', 'start', 'duration'] as const).filter((k) => b[k] === undefined);
    if (missing.length) throw AppError.invalidMany(missing.map((k) => ({ field: k, message: `is required with rrule (e.g. ${k === 'time_zone' ? 'America/Chicago' : k === 'start' ? '02:00' : '4h'})` })));
    return { ...base, timing: { kind: 'recurring', rrule: b.rrule, timeZone: b.time_zone as string, start: b.start as string, durationMs, from: b.from ?? null } };
  }
  const stray = (['time_zone', 'start', 'from'] as const).find((k) => b[k] !== undefined);
  if (stray) throw AppError.invalid(stray, 'only a recurring window (with rrule) has this');
  if (b.ends_at !== undefined && durationMs !== null) throw AppError.invalid('duration', 'give a duration (e.g. 4h) or ends_at, not both');
  const startsAt = b.starts_at ? Date.parse(b.starts_at) : now;
  const endsAt = b.ends_at !== undefined ? Date.parse(b.ends_at) : durationMs !== null ? Math.max(startsAt, now) + durationMs : null;
  return { ...base, timing: { kind: 'once', startsAt, endsAt } };
}

const iso = (ms: number) => new Date(ms).toISOString();
const occ = (o: Occurrence) => ({ starts_at: iso(o.start), ends_at: iso(o.end) });

export function presentWarning(w: HandoffWarning) {
  return { schedule: w.schedule, at: iso(w.at), outgoing: w.outgoing, incoming: w.incoming, on_call: w.onCall, window: occ(w.occurrence), message: w.message };
}

export async function presentWindow(conn: Conn, w: MaintenanceWindow, now: number, held?: number): Promise<Record<string, unknown>> {
  const t = w.timing;
  const approval = w.approval === 'pending' ? { state: 'pending', reasons: w.approvalReasons, ...(await windowApprovals(conn, w)) } : { state: 'approved' };
  const current = occurrenceAt(t, now, w.endedAt);
  return {
    id: w.id,
    name: w.name,
    managed_by: w.managedBy,
    state: windowState(w, now),
    approval: approval.state === 'pending' ? { state: 'pending', reasons: w.approvalReasons, waiting_for: (approval as { missing: string[] }).missing, given: (approval as { given: unknown[] }).given } : { state: 'approved' },
    services: w.scope.services,
    matchers: w.scope.matchers.length ? formatMatchers(w.scope.matchers) : '',
    scope: scopeText(w.scope),
    kind: t.kind,
    ...(t.kind === 'once'
      ? { starts_at: iso(t.startsAt), ends_at: iso(t.endsAt) }
      : { rrule: t.recurrence.rrule, time_zone: t.recurrence.timeZone, start: t.recurrence.start, duration: formatDuration(t.recurrence.durationMs), from: t.recurrence.from }),
    schedule: timingText(t, formatDuration),
    // A pending window mutes nothing: no occurrence of it is "in effect".
    current: current && w.approval === 'approved' ? occ(current) : null,
    next: nextOccurrences(t, now, 3, 400 * 86_400_000, w.endedAt).map(occ),
    comment: w.comment,
    created_by: w.createdBy,
    ended_at: w.endedAt === null ? null : iso(w.endedAt),
    ...(held === undefined ? {} : { held_alerts: held }),
  };
}

export function maintenanceRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;

  r.add({
    method: 'GET',
    url: '/api/v1/maintenance-windows',
    summary: 'Maintenance windows, next occurrence first (including those over in the last 5 days)',
    tag: 'maintenance',
    role: 'viewer',
    handler: async () => {
      const now = ctx.clock.now();
      const list = await listWindows(ctx.store.db, now);
      const counts = new Map<string, number>();
      const held = await ctx.store.db.selectFrom('alerts').select(['maintenance_by']).where('maintenance_by', 'is not', null).where('open_key', 'is not', null).execute();
      for (const a of held) if (a.maintenance_by) counts.set(a.maintenance_by, (counts.get(a.maintenance_by) ?? 0) + 1);
      return { windows: await Promise.all(list.map((w) => presentWindow(ctx.store.db, w, now, counts.get(w.id) ?? 0))) };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/maintenance-windows/calendar',
    summary: 'Every occurrence of every window (approved or awaiting approval) that overlaps [from, to), for a calendar',
    tag: 'maintenance',
    role: 'viewer',
    query: CalendarQuery,
    handler: async (req) => {
      const q = parse(CalendarQuery, req.query);
      const from = Date.parse(q.from);
      const to = Date.parse(q.to);
      if (to <= from) throw AppError.invalid('to', 'must be after from');
      if (to - from > CALENDAR_MAX_DAYS * 86_400_000) throw AppError.invalid('to', `must be at most ${CALENDAR_MAX_DAYS} days after from; ask for a month at a time`);
      const now = ctx.clock.now();
      const windows = await recentWindows(ctx.store.db, from, 0);
      const out = windows.flatMap((w) =>
        occurrences(w.timing, from, to, w.endedAt).map((o) => ({
          window: { id: w.id, name: w.name, state: windowState(w, now), approval: w.approval, scope: scopeText(w.scope), managed_by: w.managedBy },
          ...occ(o),
        })),
      );
      out.sort((a, b) => a.starts_at.localeCompare(b.starts_at) || a.window.name.localeCompare(b.window.name));
      return { from: iso(from), to: iso(to), occurrences: out };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/maintenance-windows',
    summary: 'Create a maintenance window: alerts it covers are recorded but page nobody; answers warnings about on-call handoffs during it',
    tag: 'maintenance',
    role: 'responder',
    body: WindowBody,
    handler: async (req, reply) => {
      const b = parse(WindowBody, req.body);
      const { window, warnings } = await createWindow(ctx, actorOf(req), toInput(b, ctx.clock.now()));
      reply.status(201);
      return { window: await presentWindow(ctx.store.db, window, ctx.clock.now(), 0), warnings: warnings.map(presentWarning) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/maintenance-windows/preview',
    summary: 'What a window would be: next occurrences, approval needed, handoff warnings, open alerts in its scope',
    tag: 'maintenance',
    role: 'viewer',
    body: WindowBody,
    handler: async (req) => {
      const b = parse(WindowBody, req.body);
      const p = await previewWindow(ctx, toInput(b, ctx.clock.now()));
      const org = await ctx.org.get(ctx.store.db);
      return {
        name: p.name,
        scope: scopeText(p.scope),
        schedule: timingText(p.timing, formatDuration),
        occurrences: p.occurrences.map(occ),
        needs_approval: p.needsApproval,
        approvers: p.approvers.map(approverText),
        warnings: p.warnings.map(presentWarning),
        alerts: p.alerts.map((a) => presentAlert(a, org)),
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/maintenance-windows/:id',
    summary: 'A maintenance window and the open alerts it is holding',
    tag: 'maintenance',
    role: 'viewer',
    handler: async (req) => {
      const { id } = parse(Id, req.params);
      const w = await getWindow(ctx.store.db, id);
      if (!w) throw AppError.notFound(`maintenance window ${id}`);
      const org = await ctx.org.get(ctx.store.db);
      const held = await alertsInWindow(ctx.store.db, id);
      return { window: await presentWindow(ctx.store.db, w, ctx.clock.now(), held.length), alerts: held.map((a) => presentAlert(a, org)) };
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/maintenance-windows/:id',
    summary: 'End a window now (a recurring one for good); open alerts it held page at once',
    tag: 'maintenance',
    role: 'responder',
    handler: async (req) => {
      const { id } = parse(Id, req.params);
      const w = await endWindow(ctx, actorOf(req), id);
      return { window: await presentWindow(ctx.store.db, w, ctx.clock.now()) };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/maintenance-windows/:id/approve',
    summary: 'Approve a window the maintenance policy holds for approval; it takes effect when every approver has',
    tag: 'maintenance',
    role: 'responder',
    handler: async (req) => {
      const { id } = parse(Id, req.params);
      const res = await approveWindow(ctx, actorOf(req), id);
      const w = (await getWindow(ctx.store.db, id)) as MaintenanceWindow;
      return { approved: res.approved, waiting_for: res.missing, window: await presentWindow(ctx.store.db, w, ctx.clock.now()) };
    },
  });
}
