import { sql } from 'kysely';
import { trend } from '../domain/reports/stats.js';
import { periodBefore, periodHolding, type ReviewPeriodKind } from '../domain/reports/review-period.js';
import type { Conn, Dialect } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { loadReport } from './load-report.js';
import { loadTargets, noiseReport, responseReport, type NoisyAlert, type Period, type ResponseReport, type Share } from './reports.js';

/**
 * The on-call review: what a team reads at the Monday handoff (weekly), on the first Monday of the
 * month and each quarter. Every figure comes from the other reports over the same period, so the
 * review never disagrees with them:
 * - incidents declared in the period, against the period before (trend), by severity;
 * - MTTA and MTTR by severity against the response targets (the response report);
 * - SLA adherence: the share of alerts acknowledged and resolved within their severity's targets,
 *   and of incidents resolved within the resolve target of theirs (an incident still open past the
 *   target missed it; one open within it is counted as meeting it so far);
 * - alerts to tune: the noisiest keys with how often they were marked not actionable, the
 *   flapping ones, and the false-positive rate (the noise report);
 * - post-mortem action items past their due date, still open, at the time of the review;
 * - on-call load: interruptions, sleep-hours interruptions, hours on call and incidents worked
 *   per person (the load report).
 */

export interface ReviewIncident {
  id: number;
  title: string;
  severity: string;
  status: string;
  declaredAt: number;
  resolvedAt: number | null;
}

export interface OverdueActionItem {
  id: number;
  incident: number;
  title: string;
  owner: string | null;
  dueAt: number;
  status: string;
}

export interface ReviewNoisy extends NoisyAlert {
  notActionable: number;
}

export interface Review {
  kind: ReviewPeriodKind;
  zone: string;
  period: Period;
  previous: Period;
  generatedAt: number;
  incidents: {
    count: number;
    previous: number;
    trend: number | null;
    bySeverity: { severity: string; count: number; previous: number }[];
    list: ReviewIncident[];
  };
  response: ResponseReport;
  sla: {
    acknowledge: Share | null;
    resolve: Share | null;
    incidents: Share | null;
  };
  alerts: { opened: number; previous: number; trend: number | null };
  tune: {
    noisiest: ReviewNoisy[];
    flapping: ReviewNoisy[];
    notActionable: { marked: number; opened: number; falsePositiveRate: number | null };
  };
  /** Null when post-mortems are not recorded in this installation. */
  actionItems: { overdue: OverdueActionItem[] } | null;
  load: {
    people: { user: string; interruptions: number; sleep: number; hoursOnCall: number; incidents: number; incidentHours: number }[];
    teams: { team: string; spread: number | null }[];
  };
}

const TOP = 5;

/** `met` of `of`: the share that kept the target (a Share counts breaches; the review reads the other way). */
const met = (s: Share | null): Share | null => (s === null ? null : { breached: s.of - s.breached, of: s.of, share: (s.of - s.breached) / s.of });

export function reviewPeriod(kind: ReviewPeriodKind, zone: string, now: number, at?: number): Period {
  return at === undefined ? periodBefore(kind, now, zone) : periodHolding(kind, at, zone);
}

export async function buildReview(conn: Conn, dialect: Dialect, org: OrgSnapshot, kind: ReviewPeriodKind, period: Period, zone: string, now: number): Promise<Review> {
  // The previous period is the same kind of period before, not the same length: February is short.
  const previous = periodBefore(kind, period.from, zone);
  const [response, noise, load, incidents, prevIncidents, targets, actionItems] = await Promise.all([
    responseReport(conn, org, period, 'severity', now),
    noiseReport(conn, org, period, zone),
    loadReport(conn, org, period),
    incidentsDeclared(conn, period),
    incidentsDeclared(conn, previous),
    loadTargets(conn),
    overdueActionItems(conn, dialect, org, now),
  ]);
  const prevAlerts = await conn
    .selectFrom('alerts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('created_at', '>=', previous.from)
    .where('created_at', '<', previous.to)
    .executeTakeFirst();

  const sevs = new Map<string, { count: number; previous: number }>();
  for (const i of incidents) (sevs.get(i.severity) ?? sevs.set(i.severity, { count: 0, previous: 0 }).get(i.severity)!).count++;
  for (const i of prevIncidents) (sevs.get(i.severity) ?? sevs.set(i.severity, { count: 0, previous: 0 }).get(i.severity)!).previous++;

  let measured = 0;
  let missed = 0;
  for (const i of incidents) {
    const target = targets[i.severity]?.resolveMs;
    if (target == null) continue;
    measured++;
    if ((i.resolvedAt ?? now) - i.declaredAt > target) missed++;
  }

  const marks = new Map(noise.notActionable.byAlert.map((a) => [`${a.service}\n${a.dedupKey}`, a.marked]));
  const withMarks = (a: NoisyAlert): ReviewNoisy => ({ ...a, notActionable: marks.get(`${a.service}\n${a.dedupKey}`) ?? 0 });
  const opened = response.total.alerts;
  const prevOpened = Number(prevAlerts?.n ?? 0);

  return {
    kind,
    zone,
    period,
    previous,
    generatedAt: now,
    incidents: {
      count: incidents.length,
      previous: prevIncidents.length,
      trend: trend(incidents.length, prevIncidents.length),
      bySeverity: [...sevs.entries()].sort(([a], [b]) => org.severities.rank(a) - org.severities.rank(b)).map(([severity, c]) => ({ severity, ...c })),
      list: incidents,
    },
    response,
    sla: {
      acknowledge: met(response.total.breached.acknowledge),
      resolve: met(response.total.breached.resolve),
      incidents: measured ? { breached: measured - missed, of: measured, share: (measured - missed) / measured } : null,
    },
    alerts: { opened, previous: prevOpened, trend: trend(opened, prevOpened) },
    tune: {
      noisiest: noise.noisiest.slice(0, TOP).map(withMarks),
      flapping: noise.flapping.slice(0, TOP).map(withMarks),
      notActionable: { marked: noise.notActionable.marked, opened: noise.notActionable.opened, falsePositiveRate: noise.notActionable.falsePositiveRate },
    },
    actionItems,
    load: {
      people: load.people.map((p) => ({
        user: p.user,
        interruptions: p.interruptions.total,
        sleep: p.interruptions.sleep,
        hoursOnCall: p.hoursOnCall,
        incidents: p.incidents.incidents.length,
        incidentHours: p.incidents.hours,
      })),
      teams: load.teams.map((t) => ({ team: t.team, spread: t.spread })),
    },
  };
}

async function incidentsDeclared(conn: Conn, p: Period): Promise<ReviewIncident[]> {
  const rows = await conn
    .selectFrom('incidents')
    .select(['id', 'title', 'severity', 'status', 'declared_at', 'resolved_at'])
    .where('declared_at', '>=', p.from)
    .where('declared_at', '<', p.to)
    .orderBy('declared_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: Number(r.id), title: r.title, severity: r.severity, status: r.status, declaredAt: Number(r.declared_at), resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at) }));
}

/**
 * Post-mortem action items past due and not done. Post-mortems are a separate part with its own
 * table; the review reads it when it is there, through a query of its own, and says "not
 * recorded" (null) when it is not.
 */
async function overdueActionItems(conn: Conn, dialect: Dialect, org: OrgSnapshot, now: number): Promise<{ overdue: OverdueActionItem[] } | null> {
  const present = await (
    dialect === 'postgres'
      ? sql<{ ok: unknown }>`select to_regclass('postmortem_action_items') is not null as ok`
      : sql<{ ok: unknown }>`select count(*) as ok from sqlite_master where type = 'table' and name = 'postmortem_action_items'`
  ).execute(conn);
  const ok = present.rows[0]?.ok;
  if (!(ok === true || Number(ok) > 0)) return null;
  const rows = await sql<{ id: unknown; incident_id: unknown; title: string; owner_id: string | null; due_at: unknown; status: string }>`
    select id, incident_id, title, owner_id, due_at, status from postmortem_action_items
    where status in ('open', 'in_progress') and due_at is not null and due_at < ${sql.lit(now)}
    order by due_at, id limit 50`.execute(conn);
  return {
    overdue: rows.rows.map((r) => ({
      id: Number(r.id),
      incident: Number(r.incident_id),
      title: r.title,
      owner: r.owner_id ? (org.users.get(r.owner_id)?.name ?? null) : null,
      dueAt: Number(r.due_at),
      status: r.status,
    })),
  };
}
