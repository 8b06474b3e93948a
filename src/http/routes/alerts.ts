import { z } from 'zod';
import type { App } from '../../app.js';
import { ackAlert, escalateAlert, noteAlert, reassignAlert, resolveAlert, snoozeAlert } from '../../commands/alert-actions.js';
import { AppError } from '../../domain/errors.js';
import { emptyEvent } from '../../domain/alert/types.js';
import { countOpenAlerts, getAlert, listAlertEvents, listAlerts, recurrence } from '../../store/alert.repo.js';
import { listPageAttemptsForAlert, listPagesForAlert } from '../../store/page.repo.js';
import { actorOf } from '../auth.js';
import { presentAlert, presentEvent, presentPage } from '../presenters.js';
import { loadGroups, presentMember } from '../group-presenter.js';
import { listGroupAlerts } from '../../store/alert-group.repo.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';
import { getNotActionable } from '../../commands/not-actionable.js';
import { presentMark } from './review.js';

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .optional();

const ListQuery = z.strictObject({
  status: csv.describe('Comma-separated: triggered, acknowledged, resolved. Default: triggered,acknowledged.'),
  service: csv.describe('Comma-separated service names or ids.'),
  severity: csv.describe('Comma-separated severities (aliases allowed).'),
  silenced: z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true').optional().describe('true: only alerts a silence holds; false: only those it does not.'),
  members: z.enum(['show', 'hide'], { error: 'must be show or hide' }).default('show').describe('hide: leave out alerts that joined a group another alert leads.'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.coerce.number().int().min(1).optional().describe('Return alerts with an id below this (paging).'),
});

const CreateAlert = z.strictObject({
  service: z.string().min(1).describe('Service name or id.'),
  summary: z.string().min(1).max(1024),
  severity: z.string().min(1).optional(),
  dedup_key: z.string().min(1).max(255).optional(),
  source: z.string().max(255).optional(),
  component: z.string().max(255).optional(),
  group: z.string().max(255).optional(),
  class: z.string().max(255).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  links: z.array(z.strictObject({ href: z.url(), text: z.string().optional() })).max(50).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

const AlertId = z.strictObject({ id: z.coerce.number().int().min(1, { error: 'must be an alert number' }) });
const Acknowledge = z.strictObject({});
const Escalate = z.strictObject({ level: z.int().min(1).optional().describe('Level to page (1-based); default the next level.') });
const Snooze = z.strictObject({ minutes: z.int().min(1).max(10080) });
const Reassign = z.strictObject({ user: z.string().min(1).optional(), escalation_policy: z.string().min(1).optional() });
const Note = z.strictObject({ text: z.string().min(1).max(10_000) });
const Resolve = z.strictObject({ note: z.string().max(10_000).optional() });

export function alertRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  const org = () => ctx.org.get(ctx.store.db);

  r.add({
    method: 'GET',
    url: '/api/v1/alerts',
    summary: 'List alerts, newest first, filtered by status, service and severity',
    tag: 'alerts',
    role: 'viewer',
    query: ListQuery,
    handler: async (req) => {
      const q = parse(ListQuery, req.query);
      const o = await org();
      const serviceIds = q.service?.map((s) => {
        const svc = [...o.services.values()].find((x) => x.name === s || x.id === s);
        if (!svc) throw AppError.invalid('service', `no service named "${s}"`);
        return svc.id;
      });
      const severities = q.severity?.map((s) => o.severities.resolveOrThrow('severity', s));
      const status = q.status?.length ? q.status : ['triggered', 'acknowledged'];
      for (const s of status) if (!['triggered', 'acknowledged', 'resolved'].includes(s)) throw AppError.invalid('status', `unknown status "${s}"; use triggered, acknowledged or resolved`);
      const rows = await listAlerts(ctx.store.db, { status, serviceIds, severities, silenced: q.silenced, hideGroupMembers: q.members === 'hide', limit: q.limit, before: q.before });
      const last = rows[rows.length - 1];
      const groups = await loadGroups(ctx.store.db, rows);
      return { alerts: rows.map((a) => presentAlert(a, o, groups)), next_before: rows.length === q.limit && last ? last.id : null };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/alerts',
    summary: 'Trigger an alert on a service (as a person or script)',
    tag: 'alerts',
    role: 'responder',
    body: CreateAlert,
    handler: async (req, reply) => {
      const b = parse(CreateAlert, req.body);
      const o = await org();
      const svc = [...o.services.values()].find((x) => x.name === b.service || x.id === b.service);
      if (!svc) throw AppError.invalid('service', `no service named "${b.service}"`);
      const event = {
        ...emptyEvent('trigger', b.dedup_key ?? null),
        summary: b.summary,
        severity: b.severity ?? null,
        source: b.source ?? null,
        component: b.component ?? null,
        group: b.group ?? null,
        class: b.class ?? null,
        details: b.details ?? null,
        links: b.links ?? [],
        labels: b.labels ?? {},
      };
      const result = await app.ingestor.submit({ serviceId: svc.id, integration: null, event, actor: actorOf(req) });
      const alert = result.alertId ? await getAlert(ctx.store.db, result.alertId) : undefined;
      void reply.status(result.outcome === 'created' ? 201 : 200);
      return { outcome: result.outcome, dedup_key: result.dedupKey, alert: alert ? presentAlert(alert, o, await loadGroups(ctx.store.db, [alert])) : null };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/alerts/summary',
    summary: 'Open alerts counted by severity (every severity, most severe first) and by service (most open first)',
    tag: 'alerts',
    role: 'viewer',
    handler: async () => {
      const o = await org();
      const rows = await countOpenAlerts(ctx.store.db);
      const total = { triggered: 0, acknowledged: 0 };
      const bySeverity = new Map(o.severities.names().map((name) => [name, { severity: name, triggered: 0, acknowledged: 0 }]));
      const byService = new Map<string, { service: string; service_id: string; triggered: number; acknowledged: number }>();
      for (const row of rows) {
        const status = row.status as 'triggered' | 'acknowledged';
        total[status] += row.n;
        // A severity removed from the scale after its alerts opened still counts, after the known ones.
        let sev = bySeverity.get(row.severity);
        if (!sev) bySeverity.set(row.severity, (sev = { severity: row.severity, triggered: 0, acknowledged: 0 }));
        sev[status] += row.n;
        let svc = byService.get(row.service_id);
        if (!svc) byService.set(row.service_id, (svc = { service: o.services.get(row.service_id)?.name ?? row.service_id, service_id: row.service_id, triggered: 0, acknowledged: 0 }));
        svc[status] += row.n;
      }
      const open = (x: { triggered: number; acknowledged: number }) => x.triggered + x.acknowledged;
      return {
        ...total,
        by_severity: [...bySeverity.values()],
        by_service: [...byService.values()].sort((a, b) => open(b) - open(a) || b.triggered - a.triggered || a.service.localeCompare(b.service)),
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/alerts/:id',
    summary: 'One alert with its timeline, deliveries (pages with every attempt) and recurrence',
    tag: 'alerts',
    role: 'viewer',
    handler: async (req) => {
      const { id } = parse(AlertId, req.params);
      const a = await getAlert(ctx.store.db, id);
      if (!a) throw AppError.notFound(`alert #${id}`);
      const o = await org();
      const [events, pages, attempts, rec] = await Promise.all([
        listAlertEvents(ctx.store.db, id),
        listPagesForAlert(ctx.store.db, id),
        listPageAttemptsForAlert(ctx.store.db, id),
        recurrence(ctx.store.db, a.service_id, a.dedup_key, ctx.clock.now() - 7 * 86_400_000),
      ]);
      const attemptsByPage = new Map<number, typeof attempts>();
      for (const t of attempts) attemptsByPage.set(t.page_id, [...(attemptsByPage.get(t.page_id) ?? []), t]);
      const groups = await loadGroups(ctx.store.db, [a]);
      return {
        alert: presentAlert(a, o, groups),
        group_members: a.group_id === null ? [] : (await listGroupAlerts(ctx.store.db, a.group_id)).map(presentMember),
        recurrence: { window_days: 7, alerts: rec.alerts, fired: rec.events },
        not_actionable: presentMark(await getNotActionable(ctx.store.db, id)),
        timeline: events.map(presentEvent),
        pages: pages.map((p) => presentPage(p, o, attemptsByPage.get(p.id))),
      };
    },
  });

  const action = (name: string, summary: string, body: z.ZodType | undefined, run: (id: number, b: never, req: Parameters<typeof actorOf>[0]) => Promise<unknown>) =>
    r.add({
      method: 'POST',
      url: `/api/v1/alerts/:id/${name}`,
      summary,
      tag: 'alerts',
      role: 'responder',
      ...(body ? { body } : {}),
      handler: async (req) => {
        const { id } = parse(AlertId, req.params);
        const b = body ? parse(body, req.body ?? {}) : {};
        await run(id, b as never, req);
        const a = await getAlert(ctx.store.db, id);
        return { alert: a ? presentAlert(a, await org(), await loadGroups(ctx.store.db, [a])) : null };
      },
    });

  action('acknowledge', 'Acknowledge: stop escalating', Acknowledge, (id, _b, req) => ackAlert(ctx, id, actorOf(req)));
  action('resolve', 'Resolve the alert', Resolve, (id, b: z.output<typeof Resolve>, req) => resolveAlert(ctx, id, actorOf(req), b.note));
  action('escalate', 'Escalate now to the next level (or a given level)', Escalate, (id, b: z.output<typeof Escalate>, req) =>
    escalateAlert(ctx, id, actorOf(req), b.level === undefined ? undefined : b.level - 1),
  );
  action('snooze', 'Acknowledge for N minutes, then trigger again', Snooze, (id, b: z.output<typeof Snooze>, req) => snoozeAlert(ctx, id, actorOf(req), b.minutes));
  action('reassign', 'Hand the alert to a user or another escalation policy', Reassign, (id, b: z.output<typeof Reassign>, req) =>
    reassignAlert(ctx, id, actorOf(req), { ...(b.user ? { user: b.user } : {}), ...(b.escalation_policy ? { policy: b.escalation_policy } : {}) }),
  );
  action('notes', 'Add a note to the timeline', Note, (id, b: z.output<typeof Note>, req) => noteAlert(ctx, id, actorOf(req), b.text));
}
