import type { CompTimePolicy, MajorIncidentCredit } from '../config/org-comp-time.js';
import { formatDuration } from '../domain/silence/policy.js';
import type { Conn } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { PersonLoad } from './load-report.js';
import type { Period } from './reports.js';

/**
 * Incidents worked, per person, for the load report; and the extra time off a long major incident
 * earns (comp_time.major_incident).
 *
 * A person worked an incident when they held a role in it (commander, ops lead, comms lead, SME)
 * at any time while it was open, or posted a status update, note or key moment on it. Hours in
 * incidents are the time they held a role within the incident's open span (declared to resolved;
 * still open: to the end of the period), clipped to the period and merged per person, so two roles
 * held at once, or two incidents worked at once, count once. Posting a note alone adds no hours.
 * An incident counts in the period when the person's role time or posts fall in it.
 *
 * Extra time off: an incident of a listed severity that was open longer than `over` earns each
 * person who worked it `days`, once per incident, when it resolves. A reopened incident earns once,
 * at its last resolution, for its whole span from declaration.
 */

export interface IncidentWork {
  /** Incident numbers worked in the period, ascending. */
  incidents: number[];
  hours: number;
}

export interface ExtraCompTime {
  userId: string;
  incident: number;
  title: string;
  severity: string;
  /** When it was earned: the incident's resolution. */
  at: number;
  days: number;
  reason: string;
}

interface IncidentSpan {
  id: number;
  title: string;
  severity: string;
  declaredAt: number;
  resolvedAt: number | null;
}

const HOUR = 3_600_000;

async function incidentsOverlapping(conn: Conn, from: number, to: number): Promise<IncidentSpan[]> {
  const rows = await conn
    .selectFrom('incidents')
    .select(['id', 'title', 'severity', 'declared_at', 'resolved_at'])
    .where('declared_at', '<', to)
    .where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>', from)]))
    .execute();
  return rows.map((r) => ({ id: Number(r.id), title: r.title, severity: r.severity, declaredAt: Number(r.declared_at), resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at) }));
}

/** Sum of the union of [start, end) spans. */
export function mergedLength(spans: [number, number][]): number {
  const list = spans.filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  if (list.length === 0) return 0;
  let total = 0;
  let [cs, ce] = list[0]!;
  for (const [s, e] of list.slice(1)) {
    if (s <= ce) ce = Math.max(ce, e);
    else {
      total += ce - cs;
      [cs, ce] = [s, e];
    }
  }
  return total + ce - cs;
}

/** Incidents worked and hours in them per user id, over the period. */
export async function incidentWork(conn: Conn, period: Period): Promise<Map<string, IncidentWork>> {
  const incidents = await incidentsOverlapping(conn, period.from, period.to);
  const out = new Map<string, IncidentWork>();
  if (incidents.length === 0) return out;
  const byId = new Map(incidents.map((i) => [i.id, i]));
  const ids = [...byId.keys()];
  const [roles, posts] = await Promise.all([
    conn.selectFrom('incident_roles').select(['incident_id', 'user_id', 'assigned_at', 'relieved_at']).where('incident_id', 'in', ids).execute(),
    conn
      .selectFrom('incident_events')
      .select(['incident_id', 'actor_id'])
      .where('incident_id', 'in', ids)
      .where('kind', 'in', ['update', 'note', 'key_moment'])
      .where('actor_kind', '=', 'user')
      .where('at', '>=', period.from)
      .where('at', '<', period.to)
      .execute(),
  ]);
  const worked = new Map<string, Set<number>>();
  const spans = new Map<string, [number, number][]>();
  const mark = (userId: string, incident: number) => (worked.get(userId) ?? worked.set(userId, new Set()).get(userId)!).add(incident);
  for (const r of roles) {
    const i = byId.get(Number(r.incident_id))!;
    const start = Math.max(Number(r.assigned_at), i.declaredAt, period.from);
    const end = Math.min(r.relieved_at === null ? Infinity : Number(r.relieved_at), i.resolvedAt ?? Infinity, period.to);
    if (end <= start) continue;
    mark(r.user_id, i.id);
    (spans.get(r.user_id) ?? spans.set(r.user_id, []).get(r.user_id)!).push([start, end]);
  }
  for (const p of posts) if (p.actor_id) mark(p.actor_id, Number(p.incident_id));
  for (const [userId, set] of worked) {
    out.set(userId, { incidents: [...set].sort((a, b) => a - b), hours: mergedLength(spans.get(userId) ?? []) / HOUR });
  }
  return out;
}

/** "5h30m" as people read it. */
const lasted = (ms: number) => formatDuration(Math.round(ms / 60_000) * 60_000);

/**
 * The extra days earned by incidents that resolved in [from, to) and qualify under the policy,
 * one entry per person and incident, in order of resolution.
 */
export async function majorIncidentCredits(conn: Conn, org: OrgSnapshot, credit: MajorIncidentCredit | null | undefined, from: number, to: number): Promise<ExtraCompTime[]> {
  if (!credit || credit.severities.length === 0) return [];
  const rows = await conn
    .selectFrom('incidents')
    .select(['id', 'title', 'severity', 'declared_at', 'resolved_at'])
    .where('resolved_at', '>=', from)
    .where('resolved_at', '<', to)
    .where('severity', 'in', credit.severities)
    .orderBy('resolved_at')
    .orderBy('id')
    .execute();
  const qualifying = rows.filter((r) => Number(r.resolved_at) - Number(r.declared_at) > credit.overMs);
  if (qualifying.length === 0) return [];
  const ids = qualifying.map((r) => Number(r.id));
  const [roles, posts] = await Promise.all([
    conn.selectFrom('incident_roles').select(['incident_id', 'user_id', 'assigned_at']).where('incident_id', 'in', ids).execute(),
    conn.selectFrom('incident_events').select(['incident_id', 'actor_id']).where('incident_id', 'in', ids).where('kind', 'in', ['update', 'note', 'key_moment']).where('actor_kind', '=', 'user').execute(),
  ]);
  const out: ExtraCompTime[] = [];
  for (const r of qualifying) {
    const id = Number(r.id);
    const resolvedAt = Number(r.resolved_at);
    const people = new Set<string>();
    // A role assigned after the incident resolved (for the record) is not work on it.
    for (const x of roles) if (Number(x.incident_id) === id && Number(x.assigned_at) < resolvedAt) people.add(x.user_id);
    for (const x of posts) if (Number(x.incident_id) === id && x.actor_id) people.add(x.actor_id);
    const reason = `worked incident #${id} (${r.severity}, "${r.title}"), open ${lasted(resolvedAt - Number(r.declared_at))}: more than ${formatDuration(credit.overMs)}`;
    for (const userId of [...people].filter((u) => org.users.has(u)).sort((a, b) => org.users.get(a)!.name.localeCompare(org.users.get(b)!.name))) {
      out.push({ userId, incident: id, title: r.title, severity: r.severity, at: resolvedAt, days: credit.days, reason });
    }
  }
  return out;
}

/**
 * What the load report adds per person: incidents worked and hours in them; with a comp_time
 * policy, the extra days earned in the period and the balance they add (earned within
 * take_within before the period's end).
 */
export interface IncidentLoad {
  work: Map<string, IncidentWork>;
  /** Earned in the period, per user id. */
  extra: Map<string, ExtraCompTime[]>;
  /** Earned within take_within before the period's end, per user id: what adds to the balance. */
  extraRecentDays: Map<string, number>;
}

export async function incidentLoad(conn: Conn, org: OrgSnapshot, period: Period, policy: CompTimePolicy | null): Promise<IncidentLoad> {
  const credit = policy?.majorIncident ?? null;
  const [work, earned, recent] = await Promise.all([
    incidentWork(conn, period),
    majorIncidentCredits(conn, org, credit, period.from, period.to),
    policy ? majorIncidentCredits(conn, org, credit, period.to - policy.takeWithinMs, period.to) : Promise.resolve([]),
  ]);
  const extra = new Map<string, ExtraCompTime[]>();
  for (const e of earned) (extra.get(e.userId) ?? extra.set(e.userId, []).get(e.userId)!).push(e);
  const extraRecentDays = new Map<string, number>();
  for (const e of recent) extraRecentDays.set(e.userId, (extraRecentDays.get(e.userId) ?? 0) + e.days);
  return { work, extra, extraRecentDays };
}

/**
 * Adds incidents worked to the load report's people (creating those who only worked incidents)
 * and, with a comp_time policy, the extra days to what they earned and their balance.
 */
export async function addIncidentLoad(conn: Conn, org: OrgSnapshot, period: Period, policy: CompTimePolicy | null, people: Map<string, PersonLoad>, person: (userId: string) => PersonLoad | null): Promise<void> {
  const load = await incidentLoad(conn, org, period, policy);
  for (const [userId, w] of load.work) {
    const p = person(userId);
    if (p) p.incidents = w;
  }
  if (!policy) return;
  for (const id of new Set([...load.extra.keys(), ...load.extraRecentDays.keys()])) {
    const p = person(id);
    if (!p) continue;
    const c = (p.compTime ??= { earnedDays: 0, takenDays: 0, balanceDays: 0 });
    const extra = load.extra.get(id) ?? [];
    const extraDays = extra.reduce((s, e) => s + e.days, 0);
    c.earnedDays += extraDays;
    c.extraDays = extraDays;
    c.extra = extra;
    // Time taken beyond what on-call hours earned is not set against the extra days.
    c.balanceDays = Math.max(0, c.balanceDays + (load.extraRecentDays.get(id) ?? 0));
  }
  for (const p of people.values()) p.compTime ??= { earnedDays: 0, takenDays: 0, balanceDays: 0 };
}
