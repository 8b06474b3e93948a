import { z } from 'zod';
import type { App } from '../../app.js';
import {
  addIncidentNote,
  assignIncidentRole,
  attachIncidentAlerts,
  changeIncident,
  declareIncident,
  detachIncidentAlert,
  incidentNumber,
  loadPolicy,
  postIncidentUpdate,
  relieveIncidentRoleHolder,
} from '../../commands/incidents.js';
import type { IncidentPolicy } from '../../config/org-incidents.js';
import { AppError } from '../../domain/errors.js';
import { INCIDENT_ROLES, INCIDENT_STATUSES, isIncidentStatus, KEY_MOMENTS, type IncidentRole } from '../../domain/incident/lifecycle.js';
import { getIncident, listIncidentAlerts, listIncidentEvents, listIncidentRoles, listIncidents, listIncidentUpdates, type IncidentRoleRow, type IncidentRow } from '../../store/incident.repo.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import { actorOf } from '../auth.js';
import { loadSlaFacts } from '../../store/incident-sla.repo.js';
import type { SlaFacts } from '../../domain/incident/sla.js';
import { presentSla } from './incident-sla.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const statusEnum = z.enum(INCIDENT_STATUSES, { error: `use one of ${INCIDENT_STATUSES.join(', ')}` });
const roleEnum = z.enum(INCIDENT_ROLES, { error: `use one of ${INCIDENT_ROLES.join(', ')}` });
const alertList = z.array(z.int().min(1, { error: 'must be an alert number' })).max(100);

const ListQuery = z.strictObject({
  status: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .optional()
    .describe('Comma-separated statuses, or "open" (investigating, identified, monitoring). Default: every status but closed.'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(1).optional().describe('Return incidents with a number below this (paging).'),
  alert: z.coerce.number().int().min(1, { error: 'must be an alert number' }).optional().describe('Only incidents this alert is attached to now.'),
});

const Declare = z.strictObject({
  title: z.string().max(200),
  severity: z.string().min(1).optional().describe('The organisation scale (aliases allowed); default: the most severe attached alert.'),
  summary: z.string().max(10_000).optional(),
  services: z.array(z.string().min(1)).max(50).optional().describe('Affected service names; the attached alerts add theirs.'),
  alerts: alertList.optional().describe('Alert numbers to attach.'),
  commander: z.string().min(1).optional().describe('User name; required for the severities incident_policy.commander_required_for lists, unless the declarer is a person (then they are).'),
  page: z.boolean().optional().describe('Page the commander instead of sending a notice.'),
});

const Patch = z.strictObject({
  status: statusEnum.optional(),
  severity: z.string().min(1).optional(),
  title: z.string().max(200).optional(),
  summary: z.string().max(10_000).optional(),
  services: z.array(z.string().min(1)).max(50).optional(),
});

const Role = z.strictObject({
  role: roleEnum,
  user: z.string().min(1),
  page: z.boolean().optional().describe('Page the person instead of sending a notice; default from incident_policy.roles.'),
});
const Relieve = z.strictObject({ role: roleEnum, user: z.string().min(1) });

const Update = z.strictObject({
  status: statusEnum.optional().describe('Default: the current status.'),
  impact: z.string().max(10_000).describe('Who or what is affected.'),
  actions: z.string().max(10_000).describe('What is being done now.'),
  next_update_at: z.iso.datetime({ offset: true, error: 'must be a time such as 2026-03-08T08:30:00Z' }).optional().describe('Default: now plus the cadence of the severity.'),
  next_update_in_minutes: z.int().min(1).max(1440).optional(),
});

const Note = z.strictObject({
  text: z.string().max(10_000).default(''),
  moment: z.enum(KEY_MOMENTS, { error: `use one of ${KEY_MOMENTS.join(', ')}` }).optional().describe('Mark a key moment.'),
});

const Attach = z.strictObject({ alerts: alertList.min(1, { error: 'list at least one alert number' }) });

/** "12" or "#12". */
const IncidentId = z.strictObject({
  id: z
    .string()
    .transform((s) => Number(s.replace(/^#/, '')))
    .pipe(z.int({ error: 'must be an incident number, e.g. 12' }).min(1, { error: 'must be an incident number, e.g. 12' })),
});
const AlertParam = IncidentId.extend({ alert: z.coerce.number().int().min(1, { error: 'must be an alert number' }) });

function presentRoles(rows: IncidentRoleRow[], org: OrgSnapshot, policy: IncidentPolicy) {
  return rows.map((r) => ({
    role: r.role,
    role_name: policy.roles[r.role as IncidentRole]?.name ?? r.role,
    user: org.users.get(r.user_id)?.name ?? r.user_id,
    full_name: org.users.get(r.user_id)?.full_name || null,
    assigned_at: iso(r.assigned_at),
    assigned_by: r.assigned_by,
  }));
}

export function presentIncident(i: IncidentRow, org: OrgSnapshot, policy: IncidentPolicy, roles: IncidentRoleRow[], now: number, sla?: SlaFacts) {
  const commander = roles.find((r) => r.role === 'commander' && r.incident_id === i.id);
  return {
    id: Number(i.id),
    number: incidentNumber(Number(i.id)),
    slug: i.slug,
    title: i.title,
    summary: i.summary,
    status: i.status,
    severity: i.severity,
    services: (JSON.parse(i.services) as string[]).map((id) => ({ id, name: org.services.get(id)?.name ?? null })),
    commander: commander ? (org.users.get(commander.user_id)?.name ?? commander.user_id) : null,
    declared_at: iso(i.declared_at),
    declared_by: i.declared_by,
    identified_at: iso(i.identified_at),
    monitoring_at: iso(i.monitoring_at),
    resolved_at: iso(i.resolved_at),
    closed_at: iso(i.closed_at),
    last_update_at: iso(i.last_update_at),
    next_update_at: iso(i.next_update_at),
    update_overdue: i.next_update_at !== null && i.next_update_at <= now,
    update_every_minutes: policy.updateEvery[i.severity] === undefined ? null : policy.updateEvery[i.severity]! / 60_000,
    commander_required: policy.commanderRequiredFor.includes(i.severity),
    sla: presentSla(i, policy, sla, now),
    url: `/incidents/${i.id}`,
  };
}

/** Alert timeline rows worth seeing on the incident: acknowledgements and resolutions while attached. */
const ALERT_KINDS = ['acknowledged', 'resolved', 'escalated', 'reassigned'];

export function incidentRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  const org = () => ctx.org.get(ctx.store.db);

  const detail = async (id: number) => {
    const i = await getIncident(ctx.store.db, id);
    if (!i) throw AppError.notFound(`incident ${incidentNumber(id)}`);
    const [o, policy, roles, allRoles, attached, updates, events] = await Promise.all([
      org(),
      loadPolicy(ctx),
      listIncidentRoles(ctx.store.db, [id]),
      listIncidentRoles(ctx.store.db, [id], true),
      listIncidentAlerts(ctx.store.db, id, true),
      listIncidentUpdates(ctx.store.db, id),
      listIncidentEvents(ctx.store.db, id),
    ]);
    const alertIds = attached.map((a) => Number(a.alert_id));
    const [alerts, alertEvents] = alertIds.length
      ? await Promise.all([
          ctx.store.db.selectFrom('alerts').select(['id', 'status', 'severity', 'summary', 'service_id', 'created_at']).where('id', 'in', alertIds).execute(),
          ctx.store.db.selectFrom('alert_events').selectAll().where('alert_id', 'in', alertIds).where('kind', 'in', ALERT_KINDS).orderBy('at').orderBy('id').execute(),
        ])
      : [[], []];
    const alertById = new Map(alerts.map((a) => [Number(a.id), a]));
    const window = new Map(attached.map((a) => [Number(a.alert_id), a]));
    const timeline = [
      ...events.map((e) => ({ id: `i${e.id}`, at: e.at, kind: e.kind, actor: { kind: e.actor_kind, name: e.actor_name }, surface: e.surface, message: e.message, data: e.data ? (JSON.parse(e.data) as unknown) : null, alert: null as number | null })),
      ...alertEvents
        .filter((e) => {
          const w = window.get(Number(e.alert_id));
          return w !== undefined && e.at >= w.attached_at && (w.detached_at === null || e.at <= w.detached_at);
        })
        .map((e) => ({ id: `a${e.id}`, at: e.at, kind: `alert_${e.kind}`, actor: { kind: e.actor_kind, name: e.actor_name }, surface: e.surface, message: `alert #${e.alert_id} ${e.message}`, data: null, alert: Number(e.alert_id) })),
    ]
      // Stable: at the same instant, the incident's own rows (in the order written) come first.
      .sort((a, b) => a.at - b.at)
      .map((e) => ({ ...e, at: iso(e.at) }));
    return {
      incident: presentIncident(i, o, policy, roles, ctx.clock.now(), (await loadSlaFacts(ctx.store.db, [i])).get(Number(i.id))),
      roles: presentRoles(roles, o, policy),
      role_history: presentRoles(allRoles, o, policy).map((x, k) => ({ ...x, relieved_at: iso(allRoles[k]!.relieved_at) })),
      role_names: Object.fromEntries(INCIDENT_ROLES.map((x) => [x, policy.roles[x].name])),
      alerts: attached.map((a) => {
        const al = alertById.get(Number(a.alert_id));
        return {
          id: Number(a.alert_id),
          status: al?.status ?? null,
          severity: al?.severity ?? null,
          summary: al?.summary ?? null,
          service: al ? (o.services.get(al.service_id)?.name ?? null) : null,
          attached_at: iso(a.attached_at),
          attached_by: a.attached_by,
          detached_at: iso(a.detached_at),
        };
      }),
      updates: updates.map((u) => ({ id: Number(u.id), at: iso(u.at), status: u.status, impact: u.impact, actions: u.actions, next_update_at: iso(u.next_update_at), author: u.author_name })),
      timeline,
    };
  };

  r.add({
    method: 'GET',
    url: '/api/v1/incidents',
    summary: 'List incidents, newest first, filtered by status (default: all but closed)',
    tag: 'incidents',
    role: 'viewer',
    query: ListQuery,
    handler: async (req) => {
      const q = parse(ListQuery, req.query);
      const raw = q.status?.length ? q.status : ['investigating', 'identified', 'monitoring', 'resolved'];
      const status = raw.flatMap((s) => (s === 'open' ? ['investigating', 'identified', 'monitoring'] : [s]));
      for (const s of status) if (!isIncidentStatus(s)) throw AppError.invalid('status', `unknown status "${s}"; use open or ${INCIDENT_STATUSES.join(', ')}`);
      const [o, policy, rows] = await Promise.all([org(), loadPolicy(ctx), listIncidents(ctx.store.db, { status, limit: q.limit, before: q.before, alert: q.alert })]);
      const roles = await listIncidentRoles(ctx.store.db, rows.map((x) => Number(x.id)));
      const sla = await loadSlaFacts(ctx.store.db, rows);
      const now = ctx.clock.now();
      const last = rows[rows.length - 1];
      return {
        incidents: rows.map((x) => presentIncident(x, o, policy, roles.filter((y) => Number(y.incident_id) === Number(x.id)), now, sla.get(Number(x.id)))),
        next_before: rows.length === q.limit && last ? Number(last.id) : null,
      };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents',
    summary: 'Declare an incident, from scratch or from alerts',
    tag: 'incidents',
    role: 'responder',
    body: Declare,
    handler: async (req, reply) => {
      const b = parse(Declare, req.body);
      const i = await declareIncident(ctx, actorOf(req), b);
      void reply.status(201);
      return detail(Number(i.id));
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/incidents/:id',
    summary: 'One incident with its roles, alerts, status updates and timeline',
    tag: 'incidents',
    role: 'viewer',
    handler: async (req) => detail(parse(IncidentId, req.params).id),
  });

  r.add({
    method: 'PATCH',
    url: '/api/v1/incidents/:id',
    summary: 'Change status, severity, title, summary or affected services',
    tag: 'incidents',
    role: 'responder',
    body: Patch,
    handler: async (req) => {
      const { id } = parse(IncidentId, req.params);
      const b = parse(Patch, req.body);
      await changeIncident(ctx, id, actorOf(req), b);
      return detail(id);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/roles',
    summary: 'Assign a role (commander, ops_lead, comms_lead, sme); the person is notified, or paged with page: true',
    tag: 'incidents',
    role: 'responder',
    body: Role,
    handler: async (req) => {
      const { id } = parse(IncidentId, req.params);
      const b = parse(Role, req.body);
      await assignIncidentRole(ctx, id, actorOf(req), b.role, b.user, b.page);
      return detail(id);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/roles/relieve',
    summary: 'Relieve a person of a role',
    tag: 'incidents',
    role: 'responder',
    body: Relieve,
    handler: async (req) => {
      const { id } = parse(IncidentId, req.params);
      const b = parse(Relieve, req.body);
      await relieveIncidentRoleHolder(ctx, id, actorOf(req), b.role, b.user);
      return detail(id);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/updates',
    summary: 'Post a status update (status, impact, current actions, next update time); resets the update clock',
    tag: 'incidents',
    role: 'responder',
    body: Update,
    handler: async (req, reply) => {
      const { id } = parse(IncidentId, req.params);
      const b = parse(Update, req.body);
      if (b.next_update_at !== undefined && b.next_update_in_minutes !== undefined) throw AppError.invalid('next_update_in_minutes', 'give next_update_at or next_update_in_minutes, not both');
      const next = b.next_update_at !== undefined ? Date.parse(b.next_update_at) : b.next_update_in_minutes !== undefined ? ctx.clock.now() + b.next_update_in_minutes * 60_000 : undefined;
      await postIncidentUpdate(ctx, id, actorOf(req), { status: b.status, impact: b.impact, actions: b.actions, nextUpdateAt: next });
      void reply.status(201);
      return detail(id);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/notes',
    summary: 'Add a note to the timeline, or mark a key moment (root_cause_identified, mitigation_applied, service_restored)',
    tag: 'incidents',
    role: 'responder',
    body: Note,
    handler: async (req, reply) => {
      const { id } = parse(IncidentId, req.params);
      const b = parse(Note, req.body);
      await addIncidentNote(ctx, id, actorOf(req), b.text, b.moment);
      void reply.status(201);
      return detail(id);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/alerts',
    summary: 'Attach alerts to the incident',
    tag: 'incidents',
    role: 'responder',
    body: Attach,
    handler: async (req) => {
      const { id } = parse(IncidentId, req.params);
      const b = parse(Attach, req.body);
      await attachIncidentAlerts(ctx, id, actorOf(req), b.alerts);
      return detail(id);
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/incidents/:id/alerts/:alert',
    summary: 'Detach an alert from the incident',
    tag: 'incidents',
    role: 'responder',
    handler: async (req) => {
      const { id, alert } = parse(AlertParam, req.params);
      await detachIncidentAlert(ctx, id, actorOf(req), alert);
      return detail(id);
    },
  });
}
