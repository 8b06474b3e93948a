import type { StatusPageConfig } from '../config/org-status-page.js';
import {
  COMPONENT_STATUS_TEXT,
  dailyWorst,
  overallText,
  PUBLIC_STATUS_TEXT,
  PUBLIC_TEMPLATES,
  type ComponentStatus,
  type DayBar,
  type PublicStatus,
} from '../domain/status-page/status.js';
import { componentHistory, componentStatuses, getStatusPageConfig, publicIncidents, publicUpdatesOf } from '../store/status-page.repo.js';
import type { Ctx } from './context.js';
import { windowsDuring } from './maintenance.js';
import { statusPageUrl } from './status-page.js';

/**
 * What the public status page shows, read in one place for the HTML page, the feeds and the JSON
 * summary, so that they cannot disagree. Only public updates are read: internal status updates and
 * timeline notes live in other tables and never reach this view.
 */

const DAY_MS = 86_400_000;
export const HISTORY_DAYS = 90;
export const PAST_DAYS = 14;
const MAINTENANCE_AHEAD_MS = 30 * DAY_MS;

export interface PublicUpdateView {
  id: number;
  at: number;
  status: PublicStatus;
  status_text: string;
  message: string;
  components: Record<string, ComponentStatus>;
}

export interface PublicIncidentView {
  id: number;
  title: string;
  status: PublicStatus;
  status_text: string;
  started_at: number;
  updated_at: number;
  resolved_at: number | null;
  components: string[];
  updates: PublicUpdateView[];
}

export interface ComponentView {
  name: string;
  description: string | null;
  group: string | null;
  status: ComponentStatus;
  status_text: string;
  history: (DayBar & { status_text: string })[];
}

export interface MaintenanceView {
  name: string;
  starts_at: number;
  ends_at: number;
  in_progress: boolean;
  components: string[];
}

export interface StatusPageView {
  title: string;
  url: string;
  now: number;
  overall: { status: ComponentStatus; text: string };
  components: ComponentView[];
  active_incidents: PublicIncidentView[];
  past_incidents: PublicIncidentView[];
  maintenance: MaintenanceView[];
}

export async function statusPageView(ctx: Ctx, cfgIn?: StatusPageConfig | null): Promise<StatusPageView | null> {
  const db = ctx.store.db;
  const cfg = cfgIn === undefined ? await getStatusPageConfig(db) : cfgIn;
  if (!cfg) return null;
  const now = ctx.clock.now();
  const historyFrom = now - HISTORY_DAYS * DAY_MS;
  const [statuses, history, incidentIds, org] = await Promise.all([componentStatuses(db), componentHistory(db, historyFrom), publicIncidents(db, now - PAST_DAYS * DAY_MS), ctx.org.get(db)]);
  const components: ComponentView[] = cfg.components.map((c) => {
    const status = (statuses.get(c.name)?.status ?? 'operational') as ComponentStatus;
    const bars = dailyWorst(
      history.changes.filter((e) => e.component === c.name).map((e) => ({ at: Number(e.at), status: e.status })),
      history.before.get(c.name) ?? 'operational',
      now,
      HISTORY_DAYS,
    );
    return { name: c.name, description: c.description, group: c.group, status, status_text: COMPONENT_STATUS_TEXT[status], history: bars.map((b) => ({ ...b, status_text: COMPONENT_STATUS_TEXT[b.status] })) };
  });

  const ids = incidentIds.map((i) => i.incident_id);
  const [updates, incidents] = ids.length
    ? await Promise.all([publicUpdatesOf(db, ids), db.selectFrom('incidents').select(['id', 'title']).where('id', 'in', ids).execute()])
    : [[], []];
  const titles = new Map(incidents.map((i) => [Number(i.id), i.title]));
  const views: PublicIncidentView[] = ids
    .map((id) => {
      const list = updates.filter((u) => Number(u.incident_id) === id);
      const latest = list[0]!;
      const touched = new Set<string>();
      for (const u of list) for (const n of Object.keys(JSON.parse(u.components) as Record<string, string>)) touched.add(n);
      const status = latest.status as PublicStatus;
      return {
        id,
        title: titles.get(id) ?? `Incident #${id}`,
        status,
        status_text: PUBLIC_STATUS_TEXT[status],
        started_at: Number(list[list.length - 1]!.at),
        updated_at: Number(latest.at),
        resolved_at: status === 'resolved' ? Number(latest.at) : null,
        components: [...touched],
        updates: list.map((u) => ({ id: Number(u.id), at: Number(u.at), status: u.status as PublicStatus, status_text: PUBLIC_STATUS_TEXT[u.status as PublicStatus], message: u.message, components: JSON.parse(u.components) as Record<string, ComponentStatus> })),
      };
    })
    .sort((a, b) => b.updated_at - a.updated_at);

  const maintenance: MaintenanceView[] = [];
  const servicesOfComponents = new Map(cfg.components.map((c) => [c.name, c.services]));
  const allServices = [...new Set(cfg.components.flatMap((c) => c.services))];
  if (allServices.length) {
    for (const { window, occurrence } of windowsDuring(org, allServices, now, now + MAINTENANCE_AHEAD_MS)) {
      const scoped = window.scope.services;
      const affected = cfg.components.filter((c) => (servicesOfComponents.get(c.name) ?? []).some((s) => scoped.length === 0 || scoped.includes(s))).map((c) => c.name);
      maintenance.push({ name: window.name, starts_at: occurrence.start, ends_at: occurrence.end, in_progress: occurrence.start <= now, components: affected });
    }
  }

  return {
    title: cfg.title,
    url: statusPageUrl(ctx, cfg),
    now,
    overall: overallText(components.map((c) => c.status)),
    components,
    active_incidents: views.filter((v) => v.status !== 'resolved'),
    past_incidents: views.filter((v) => v.status === 'resolved'),
    maintenance,
  };
}

/** The JSON shape of the public summary (GET /api/v1/status-page). */
export function presentStatusPage(v: StatusPageView) {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const incident = (i: PublicIncidentView) => ({
    id: i.id,
    title: i.title,
    status: i.status,
    status_text: i.status_text,
    started_at: iso(i.started_at),
    updated_at: iso(i.updated_at),
    resolved_at: iso(i.resolved_at),
    components: i.components,
    updates: i.updates.map((u) => ({ id: u.id, at: iso(u.at), status: u.status, status_text: u.status_text, message: u.message, components: u.components })),
  });
  return {
    title: v.title,
    url: v.url,
    generated_at: iso(v.now),
    overall: v.overall,
    components: v.components.map((c) => ({ name: c.name, description: c.description, group: c.group, status: c.status, status_text: c.status_text, history: c.history.map((h) => ({ day: h.day, status: h.status })) })),
    active_incidents: v.active_incidents.map(incident),
    past_incidents: v.past_incidents.map(incident),
    scheduled_maintenance: v.maintenance.map((m) => ({ name: m.name, starts_at: iso(m.starts_at), ends_at: iso(m.ends_at), in_progress: m.in_progress, components: m.components })),
  };
}

export const TEMPLATES = (Object.keys(PUBLIC_TEMPLATES) as PublicStatus[]).map((status) => ({ status, status_text: PUBLIC_STATUS_TEXT[status], message: PUBLIC_TEMPLATES[status] }));
