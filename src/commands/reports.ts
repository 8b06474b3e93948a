import type { ResponseTargets } from '../config/org-targets.js';
import { sql, type RawBuilder } from 'kysely';
import { dayBuckets, summariseCounts, trend, type Summary } from '../domain/reports/stats.js';
import type { Conn } from '../store/db.js';
import { notActionableReport, type NotActionableReport } from './not-actionable.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { getSetting } from '../store/settings.repo.js';

/**
 * Reports computed from the record Watchkeeper keeps: every alert's open, acknowledge and resolve
 * times, and the pages each level sent. Nothing is sampled or estimated.
 *
 * Definitions (the ones PagerDuty and the handbooks use):
 * - time to acknowledge: first acknowledgement minus opening, for alerts acknowledged;
 * - time to resolve: resolution minus opening, for alerts resolved;
 * - an alert breaches its acknowledge target when it was acknowledged later than the target, or
 *   stayed unacknowledged (open, or resolved without acknowledgement) for longer than the target;
 *   the resolve target likewise. An alert that resolved on its own before the target breached
 *   nothing. Shares are over the alerts whose severity has that target.
 * - the previous period is the same length, immediately before.
 * Alerts belong to the period in which they opened.
 */

export type ResponseDimension = 'severity' | 'service' | 'team' | 'policy';

export interface Period {
  from: number;
  to: number;
}

export interface ResponseGroup {
  key: string;
  alerts: number;
  acknowledged: number;
  resolved: number;
  /** Seconds. */
  tta: Summary;
  ttr: Summary;
  /** Severity groups only: that severity's targets, in seconds. */
  target: { acknowledge: number | null; resolve: number | null } | null;
  /** Breached / measured against a target; null when no alert in the group has a target. */
  breached: { acknowledge: Share | null; resolve: Share | null };
  previous: { alerts: number; ttaMean: number | null; ttrMean: number | null };
  /** Relative change of the mean against the previous period (+0.25 = 25% slower). */
  trend: { alerts: number | null; tta: number | null; ttr: number | null };
}

export interface Share {
  breached: number;
  of: number;
  share: number;
}

export interface ResponseReport {
  period: Period;
  previous: Period;
  by: ResponseDimension;
  groups: ResponseGroup[];
  total: ResponseGroup;
  /** Incidents declared in the period, by severity (scale order), measured against the same targets. */
  incidents: { groups: IncidentGroup[]; total: IncidentGroup };
}

/**
 * Incidents, per severity:
 * - time to acknowledge: declaration to the first sign that someone is on it: an attached alert
 *   acknowledged, a status update posted, or the status moved to identified or monitoring. An alert
 *   acknowledged before the incident was declared makes that 0 s;
 * - time to resolve: declaration to resolution (a reopened incident counts from its last one);
 * - breaches follow the alerts' rule with the severity's response targets.
 */
export interface IncidentGroup {
  key: string;
  incidents: number;
  acknowledged: number;
  resolved: number;
  tta: Summary;
  ttr: Summary;
  target: { acknowledge: number | null; resolve: number | null } | null;
  breached: { acknowledge: Share | null; resolve: Share | null };
}

export async function loadTargets(conn: Conn): Promise<ResponseTargets> {
  return JSON.parse((await getSetting(conn, 'response_targets')) ?? '{}') as ResponseTargets;
}

/**
 * The work is done by the database, and most of it ahead of time. Whole UTC days inside the period
 * are read from the rollups the triggers of 026-report-rollups keep (per day, service, severity and
 * policy: counts and sums, and each measure's distribution in whole seconds); the partial days at
 * the edges, and the breaches of alerts still open (they depend on `now`), are read from the alerts
 * themselves. Both give the same sums, so the figures are those of one pass over the alerts:
 * means exact, percentiles exact to the second, breaches exact to the millisecond. Over a million
 * alerts in 30 days this reads about 30 x groups rows of counts and the distinct (group, seconds)
 * pairs of each day, instead of every alert: see bench/reports.js.
 */
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const DAY = 86_400_000;

/** `case when severity = 'critical' then 300000 … end`: a severity's target in ms, null if none. */
function targetCase(targets: ResponseTargets, pick: 'acknowledgeMs' | 'resolveMs'): RawBuilder<number | null> {
  const arms = Object.entries(targets).filter(([, t]) => t[pick] !== null);
  if (arms.length === 0) return sql<null>`null`;
  return sql<number>`case ${sql.join(
    arms.map(([sev, t]) => sql`when severity = ${sev} then ${sql.lit(t[pick]!)}`),
    sql` `,
  )} else null end`;
}

/** The column alerts are grouped by in SQL; teams are gathered from their services afterwards. */
const DIM_COLUMN: Record<ResponseDimension, 'severity' | 'service_id' | 'escalation_policy_id'> = {
  severity: 'severity',
  service: 'service_id',
  team: 'service_id',
  policy: 'escalation_policy_id',
};
/** The same in the rollups, where "no policy" is ''. */
const ROLLUP_COLUMN: Record<ResponseDimension, 'severity' | 'service_id' | 'policy_id'> = {
  severity: 'severity',
  service: 'service_id',
  team: 'service_id',
  policy: 'policy_id',
};

interface Counted {
  k: string | null;
  severity: string;
  n: unknown;
  acked: unknown;
  resolved: unknown;
  tta_sum: unknown;
  ttr_sum: unknown;
  ack_breached: unknown;
  res_breached: unknown;
}

type Dist = { k: string | null; s: unknown; c: unknown };

/** What a period holds: counts and breaches per (group, severity), distributions per group. */
interface Measured {
  counts: Counted[];
  tta: Dist[];
  ttr: Dist[];
}

/** The whole UTC days inside a period, and the partial ones at its edges. */
export function splitDays(p: Period): { edges: Period[]; days: { first: number; end: number } | null } {
  const first = Math.ceil(p.from / DAY);
  const end = Math.floor(p.to / DAY);
  if (end <= first) return { edges: [p], days: null };
  const edges: Period[] = [];
  if (p.from < first * DAY) edges.push({ from: p.from, to: first * DAY });
  if (end * DAY < p.to) edges.push({ from: end * DAY, to: p.to });
  return { edges, days: { first, end } };
}

async function measured(conn: Conn, p: Period, by: ResponseDimension, targets: ResponseTargets, now: number, distributions: boolean, rollups: boolean): Promise<Measured> {
  const { edges, days } = rollups ? splitDays(p) : { edges: [p], days: null };
  const parts = await Promise.all([
    ...edges.map((e) => fromAlerts(conn, e, by, targets, now, distributions)),
    ...(days ? [fromRollups(conn, days, by, targets, now, distributions)] : []),
  ]);
  return { counts: parts.flatMap((x) => x.counts), tta: parts.flatMap((x) => x.tta), ttr: parts.flatMap((x) => x.ttr) };
}

async function fromAlerts(conn: Conn, p: Period, by: ResponseDimension, targets: ResponseTargets, now: number, distributions: boolean): Promise<Measured> {
  const dim = sql.ref(DIM_COLUMN[by]);
  const range = sql`created_at >= ${sql.lit(p.from)} and created_at < ${sql.lit(p.to)}`;
  /** How many alerts took each whole number of seconds to reach `column`, per group. */
  const distribution = async (column: 'acknowledged_at' | 'resolved_at') => {
    if (!distributions) return [];
    const at = sql.ref(column);
    const r = await sql<Dist>`
      select ${dim} as k, (${at} - created_at) / 1000 as s, count(*) as c
      from alerts where ${range} and ${at} is not null
      group by 1, 2`.execute(conn);
    return r.rows;
  };
  const [counts, tta, ttr] = await Promise.all([
    sql<Counted>`
      select ${dim} as k, severity, count(*) as n, count(acknowledged_at) as acked, count(resolved_at) as resolved,
        sum(acknowledged_at - created_at) as tta_sum, sum(resolved_at - created_at) as ttr_sum,
        sum(case when coalesce(acknowledged_at, resolved_at, ${sql.lit(now)}) - created_at > ${targetCase(targets, 'acknowledgeMs')} then 1 else 0 end) as ack_breached,
        sum(case when coalesce(resolved_at, ${sql.lit(now)}) - created_at > ${targetCase(targets, 'resolveMs')} then 1 else 0 end) as res_breached
      from alerts where ${range}
      group by ${dim}, severity`.execute(conn),
    distribution('acknowledged_at'),
    distribution('resolved_at'),
  ]);
  return { counts: counts.rows, tta, ttr };
}

async function fromRollups(conn: Conn, days: { first: number; end: number }, by: ResponseDimension, targets: ResponseTargets, now: number, distributions: boolean): Promise<Measured> {
  const dim = sql.ref(ROLLUP_COLUMN[by]);
  const range = sql`day >= ${sql.lit(days.first)} and day < ${sql.lit(days.end)}`;
  const [counts, open, times] = await Promise.all([
    sql<Counted>`
      select ${dim} as k, severity, sum(alerts) as n, sum(acknowledged) as acked, sum(resolved) as resolved,
        sum(tta_sum_ms) as tta_sum, sum(ttr_sum_ms) as ttr_sum, 0 as ack_breached, 0 as res_breached
      from report_alert_days where ${range} group by 1, 2 having sum(alerts) <> 0`.execute(conn),
    // Alerts still open: whether they breached depends on now. Few, and found by the open key's
    // index (SQLite uses an index for a range, not for "is not null"; open keys are never empty).
    sql<Counted>`
      select ${sql.ref(DIM_COLUMN[by])} as k, severity, 0 as n, 0 as acked, 0 as resolved, 0 as tta_sum, 0 as ttr_sum,
        sum(case when acknowledged_at is null and ${sql.lit(now)} - created_at > ${targetCase(targets, 'acknowledgeMs')} then 1 else 0 end) as ack_breached,
        sum(case when ${sql.lit(now)} - created_at > ${targetCase(targets, 'resolveMs')} then 1 else 0 end) as res_breached
      from alerts where open_key > '' and resolved_at is null and +created_at >= ${sql.lit(days.first * DAY)} and +created_at < ${sql.lit(days.end * DAY)}
      group by 1, 2`.execute(conn),
    // Breaches of settled alerts and, when asked, the distributions: one pass over the seconds.
    // The previous period needs only counts and sums.
    distributions
      ? sql<{ k: string; severity: string; measure: string; s: unknown; n: unknown; inexact: unknown }>`
          select ${dim} as k, severity, measure, s, sum(n) as n, sum(inexact) as inexact
          from report_alert_times where ${range}
          group by 1, 2, 3, 4 having sum(n) <> 0`.execute(conn)
      : { rows: [] },
  ]);
  const breaches = new Map<string, Counted>();
  const tta: Dist[] = [];
  const ttr: Dist[] = [];
  for (const r of times.rows) {
    const s = num(r.s);
    const n = num(r.n);
    if (r.measure === 'ack') tta.push({ k: r.k, s, c: n });
    if (r.measure === 'resolve') ttr.push({ k: r.k, s, c: n });
    // Longer than a target of T whole seconds: more than T seconds, or T and a fraction.
    const target = targets[r.severity]?.[r.measure === 'resolve' ? 'resolveMs' : 'acknowledgeMs'];
    if (target == null) continue;
    const t = target / 1000;
    const breached = s > t ? n : s === t ? num(r.inexact) : 0;
    if (breached === 0) continue;
    const key = `${r.k}\n${r.severity}`;
    let b = breaches.get(key);
    if (!b) breaches.set(key, (b = { k: r.k, severity: r.severity, n: 0, acked: 0, resolved: 0, tta_sum: 0, ttr_sum: 0, ack_breached: 0, res_breached: 0 }));
    if (r.measure === 'resolve') b.res_breached = num(b.res_breached) + breached;
    else b.ack_breached = num(b.ack_breached) + breached;
  }
  return { counts: [...counts.rows, ...open.rows, ...breaches.values()], tta, ttr };
}

/** Group names: alerts of deleted services, teams or policies say so. */
function namer(org: OrgSnapshot, by: ResponseDimension): (k: string | null) => string {
  const policies = new Map([...org.policies.values()].map((p) => [p.id, p.name]));
  switch (by) {
    case 'severity':
      return (k) => k ?? '(none)';
    case 'service':
      return (k) => (k ? (org.services.get(k)?.name ?? '(deleted service)') : '(none)');
    case 'team':
      return (k) => {
        const teamId = k ? org.services.get(k)?.team_id : null;
        return teamId ? (org.teams.get(teamId)?.name ?? '(deleted team)') : '(no team)';
      };
    case 'policy':
      return (k) => (k ? (policies.get(k) ?? '(deleted policy)') : '(no policy)');
  }
}

class Acc {
  alerts = 0;
  acknowledged = 0;
  resolved = 0;
  ttaSumMs = 0;
  ttrSumMs = 0;
  ackMeasured = 0;
  ackBreached = 0;
  resMeasured = 0;
  resBreached = 0;
  tta = new Map<number, number>();
  ttr = new Map<number, number>();

  addCounts(r: Counted, t: ResponseTargets): void {
    const n = num(r.n);
    this.alerts += n;
    this.acknowledged += num(r.acked);
    this.resolved += num(r.resolved);
    this.ttaSumMs += num(r.tta_sum);
    this.ttrSumMs += num(r.ttr_sum);
    const target = t[r.severity];
    if (target?.acknowledgeMs != null) {
      this.ackMeasured += n;
      this.ackBreached += num(r.ack_breached);
    }
    if (target?.resolveMs != null) {
      this.resMeasured += n;
      this.resBreached += num(r.res_breached);
    }
  }
}

const addTo = (m: Map<number, number>, s: number, c: number) => m.set(s, (m.get(s) ?? 0) + c);

const share = (breached: number, of: number): Share | null => (of === 0 ? null : { breached, of, share: breached / of });

function group(key: string, cur: Acc, prev: Acc | undefined, target: ResponseGroup['target']): ResponseGroup {
  const tta = summariseCounts(cur.tta, cur.acknowledged, cur.ttaSumMs);
  const ttr = summariseCounts(cur.ttr, cur.resolved, cur.ttrSumMs);
  const pTta = prev && prev.acknowledged ? prev.ttaSumMs / 1000 / prev.acknowledged : null;
  const pTtr = prev && prev.resolved ? prev.ttrSumMs / 1000 / prev.resolved : null;
  const pAlerts = prev?.alerts ?? 0;
  return {
    key,
    alerts: cur.alerts,
    acknowledged: cur.acknowledged,
    resolved: cur.resolved,
    tta,
    ttr,
    target,
    breached: { acknowledge: share(cur.ackBreached, cur.ackMeasured), resolve: share(cur.resBreached, cur.resMeasured) },
    previous: { alerts: pAlerts, ttaMean: pTta, ttrMean: pTtr },
    trend: { alerts: trend(cur.alerts, pAlerts), tta: trend(tta.mean, pTta), ttr: trend(ttr.mean, pTtr) },
  };
}

/** `rollups: false` reads every alert of the period (the rollups' tests compare the two). */
export async function responseReport(conn: Conn, org: OrgSnapshot, period: Period, by: ResponseDimension, now: number, opts: { rollups?: boolean } = {}): Promise<ResponseReport> {
  const previous = { from: period.from - (period.to - period.from), to: period.from };
  const targets = await loadTargets(conn);
  const name = namer(org, by);
  const rollups = opts.rollups ?? true;
  const [current, before] = await Promise.all([measured(conn, period, by, targets, now, true, rollups), measured(conn, previous, by, targets, now, false, rollups)]);
  const [cur, prev, ttaDist, ttrDist] = [current.counts, before.counts, current.tta, current.ttr];
  const gather = (rows: Counted[]) => {
    const groups = new Map<string, Acc>();
    const total = new Acc();
    for (const r of rows) {
      const k = name(r.k);
      let acc = groups.get(k);
      if (!acc) groups.set(k, (acc = new Acc()));
      acc.addCounts(r, targets);
      total.addCounts(r, targets);
    }
    return { groups, total };
  };
  const c = gather(cur);
  const p = gather(prev);
  for (const [rows, pick] of [
    [ttaDist, 'tta'],
    [ttrDist, 'ttr'],
  ] as const) {
    for (const r of rows) {
      const acc = c.groups.get(name(r.k));
      if (!acc) continue;
      addTo(acc[pick], num(r.s), num(r.c));
      addTo(c.total[pick], num(r.s), num(r.c));
    }
  }
  const targetOf = (key: string): ResponseGroup['target'] => {
    if (by !== 'severity') return null;
    const t = targets[key];
    return { acknowledge: t?.acknowledgeMs != null ? t.acknowledgeMs / 1000 : null, resolve: t?.resolveMs != null ? t.resolveMs / 1000 : null };
  };
  // Severities in the scale's order (most severe first); other dimensions by name.
  const keys = [...c.groups.keys()].sort(by === 'severity' ? (x, y) => org.severities.rank(x) - org.severities.rank(y) : (x, y) => x.localeCompare(y));
  return {
    period,
    previous,
    by,
    groups: keys.map((k) => group(k, c.groups.get(k)!, p.groups.get(k), targetOf(k))),
    total: group('all', c.total, p.total, null),
    incidents: await incidentResponse(conn, org, period, targets, now),
  };
}

/**
 * One row per incident declared in the period (thousands a month at most), with its first
 * acknowledgement of an attached alert and its first status update looked up by index.
 */
async function incidentResponse(conn: Conn, org: OrgSnapshot, p: Period, targets: ResponseTargets, now: number): Promise<ResponseReport['incidents']> {
  const rows = await sql<{ severity: string; declared_at: unknown; resolved_at: unknown; identified_at: unknown; monitoring_at: unknown; alert_ack: unknown; first_update: unknown }>`
    select i.severity, i.declared_at, i.resolved_at, i.identified_at, i.monitoring_at,
      (select min(a.acknowledged_at) from incident_alerts ia join alerts a on a.id = ia.alert_id where ia.incident_id = i.id and ia.detached_at is null) as alert_ack,
      (select min(u.at) from incident_updates u where u.incident_id = i.id) as first_update
    from incidents i where i.declared_at >= ${sql.lit(p.from)} and i.declared_at < ${sql.lit(p.to)}`.execute(conn);
  const groups = new Map<string, IncidentAcc>();
  const total = new IncidentAcc();
  const opt = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  for (const r of rows.rows) {
    const declared = Number(r.declared_at);
    const resolvedAt = opt(r.resolved_at);
    const signs = [r.alert_ack, r.first_update, r.identified_at, r.monitoring_at].map(opt).filter((v): v is number => v !== null);
    const ackAt = signs.length ? Math.max(declared, Math.min(...signs)) : null;
    let acc = groups.get(r.severity);
    if (!acc) groups.set(r.severity, (acc = new IncidentAcc()));
    for (const a of [acc, total]) a.add(declared, ackAt, resolvedAt, targets[r.severity], now);
  }
  const keys = [...groups.keys()].sort((x, y) => org.severities.rank(x) - org.severities.rank(y));
  const sec = (ms: number | null | undefined) => (ms == null ? null : ms / 1000);
  return {
    groups: keys.map((k) => groups.get(k)!.result(k, { acknowledge: sec(targets[k]?.acknowledgeMs), resolve: sec(targets[k]?.resolveMs) })),
    total: total.result('all', null),
  };
}

class IncidentAcc {
  incidents = 0;
  acknowledged = 0;
  resolved = 0;
  ttaSumMs = 0;
  ttrSumMs = 0;
  tta = new Map<number, number>();
  ttr = new Map<number, number>();
  ackMeasured = 0;
  ackBreached = 0;
  resMeasured = 0;
  resBreached = 0;

  add(declared: number, ackAt: number | null, resolvedAt: number | null, target: ResponseTargets[string] | undefined, now: number): void {
    this.incidents++;
    if (ackAt !== null) {
      this.acknowledged++;
      this.ttaSumMs += ackAt - declared;
      addTo(this.tta, Math.floor((ackAt - declared) / 1000), 1);
    }
    if (resolvedAt !== null) {
      this.resolved++;
      this.ttrSumMs += resolvedAt - declared;
      addTo(this.ttr, Math.floor((resolvedAt - declared) / 1000), 1);
    }
    if (target?.acknowledgeMs != null) {
      this.ackMeasured++;
      if ((ackAt ?? resolvedAt ?? now) - declared > target.acknowledgeMs) this.ackBreached++;
    }
    if (target?.resolveMs != null) {
      this.resMeasured++;
      if ((resolvedAt ?? now) - declared > target.resolveMs) this.resBreached++;
    }
  }

  result(key: string, target: IncidentGroup['target']): IncidentGroup {
    return {
      key,
      incidents: this.incidents,
      acknowledged: this.acknowledged,
      resolved: this.resolved,
      tta: summariseCounts(this.tta, this.acknowledged, this.ttaSumMs),
      ttr: summariseCounts(this.ttr, this.resolved, this.ttrSumMs),
      target,
      breached: { acknowledge: share(this.ackBreached, this.ackMeasured), resolve: share(this.resBreached, this.resMeasured) },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Noise
// ---------------------------------------------------------------------------------------------

export interface NoiseReport {
  period: Period;
  zone: string;
  days: string[];
  /** Alerts opened per day, per severity (scale order) and per service. */
  bySeverity: { key: string; counts: number[]; total: number }[];
  byService: { key: string; counts: number[]; total: number }[];
  /** The alert keys that opened most often, with how often they fired again while open. */
  noisiest: NoisyAlert[];
  /** Keys that resolved and fired again within FLAP_WINDOW_MS at least twice. */
  flapping: NoisyAlert[];
  resolvedWithoutAck: Share | null;
  /** How many alerts reached each level of each policy: how often the secondary had to be paged. */
  escalations: { policy: string; level: number; alerts: number; share: number }[];
  /** Alerts marked not actionable and the false-positive rate (see not-actionable.ts). */
  notActionable: NotActionableReport;
}

export interface NoisyAlert {
  service: string;
  dedupKey: string;
  summary: string;
  /** Alerts opened with this key in the period. */
  opened: number;
  /** Repeats of an open alert (deduplicated events). */
  repeats: number;
  resolvedWithoutAck: number;
  /** Re-fired within FLAP_WINDOW_MS of the previous resolution. */
  quickRefires: number;
}

export const FLAP_WINDOW_MS = 60 * 60_000;
const TOP = 10;

/**
 * `case when created_at < d1 then … end` as a balanced tree over the day starts: the day index of
 * each alert in about log2(days) comparisons, in the database.
 */
function dayCase(starts: number[], lo: number, hi: number): RawBuilder<number> {
  if (lo >= hi) return sql<number>`${sql.lit(lo)}`;
  const mid = (lo + hi + 1) >> 1;
  return sql<number>`(case when created_at < ${sql.lit(starts[mid]!)} then ${dayCase(starts, lo, mid - 1)} else ${dayCase(starts, mid, hi)} end)`;
}

export async function noiseReport(conn: Conn, org: OrgSnapshot, period: Period, zone: string): Promise<NoiseReport> {
  const buckets = dayBuckets(period.from, period.to, zone);
  const n = buckets.days.length;
  const range = sql`created_at >= ${sql.lit(period.from)} and created_at < ${sql.lit(period.to)}`;
  const [volume, perKey, refires, perPolicy, levels] = await Promise.all([
    sql<{ d: unknown; severity: string; service_id: string; c: unknown; resolved: unknown; rna: unknown }>`
      select ${dayCase(buckets.starts, 0, n - 1)} as d, severity, service_id, count(*) as c,
        count(resolved_at) as resolved, sum(case when resolved_at is not null and acknowledged_at is null then 1 else 0 end) as rna
      from alerts where ${range} group by 1, 2, 3`.execute(conn),
    sql<{ service_id: string; dedup_key: string; opened: unknown; repeats: unknown; rna: unknown; summary: string }>`
      select service_id, dedup_key, count(*) as opened, sum(count - 1) as repeats,
        sum(case when resolved_at is not null and acknowledged_at is null then 1 else 0 end) as rna, max(summary) as summary
      from alerts where ${range} group by service_id, dedup_key`.execute(conn),
    // Fired again within the window after the previous alert with the same key resolved.
    sql<{ service_id: string; dedup_key: string; quick: unknown }>`
      select service_id, dedup_key, count(*) as quick from (
        select service_id, dedup_key, created_at - lag(resolved_at) over (partition by service_id, dedup_key order by created_at, id) as gap
        from alerts where ${range}
      ) x where gap is not null and gap <= ${sql.lit(FLAP_WINDOW_MS)} group by service_id, dedup_key`.execute(conn),
    sql<{ policy_id: string | null; n: unknown; paged: unknown }>`
      select escalation_policy_id as policy_id, count(*) as n, sum(case when notify_seq > 0 then 1 else 0 end) as paged
      from alerts where ${range} group by escalation_policy_id`.execute(conn),
    // Levels past the first: few pages, counted per alert.
    sql<{ policy_id: string | null; level: unknown; alerts: unknown }>`
      select a.escalation_policy_id as policy_id, p.level as level, count(distinct p.alert_id) as alerts
      from pages p join alerts a on a.id = p.alert_id
      where p.level > 0 and a.created_at >= ${sql.lit(period.from)} and a.created_at < ${sql.lit(period.to)}
      group by a.escalation_policy_id, p.level`.execute(conn),
  ]);

  const serviceName = (id: string) => org.services.get(id)?.name ?? '(deleted service)';
  const sev = new Map<string, number[]>();
  const svc = new Map<string, number[]>();
  const bump = (m: Map<string, number[]>, k: string, i: number, c: number) => {
    let counts = m.get(k);
    if (!counts) m.set(k, (counts = new Array<number>(n).fill(0)));
    counts[i]! += c;
  };
  let resolved = 0;
  let resolvedNoAck = 0;
  for (const r of volume.rows) {
    const c = num(r.c);
    bump(sev, r.severity, num(r.d), c);
    bump(svc, serviceName(r.service_id), num(r.d), c);
    resolved += num(r.resolved);
    resolvedNoAck += num(r.rna);
  }
  const series = (m: Map<string, number[]>, order: (a: string, b: string) => number) =>
    [...m.entries()].sort(([a], [b]) => order(a, b)).map(([key, counts]) => ({ key, counts, total: counts.reduce((s, c) => s + c, 0) }));

  const quick = new Map(refires.rows.map((r) => [`${r.service_id}\n${r.dedup_key}`, num(r.quick)]));
  const all: NoisyAlert[] = perKey.rows.map((r) => ({
    service: serviceName(r.service_id),
    dedupKey: r.dedup_key,
    summary: r.summary,
    opened: num(r.opened),
    repeats: num(r.repeats),
    resolvedWithoutAck: num(r.rna),
    quickRefires: quick.get(`${r.service_id}\n${r.dedup_key}`) ?? 0,
  }));
  const loud = (a: NoisyAlert, b: NoisyAlert) => b.opened - a.opened || b.repeats - a.repeats || a.service.localeCompare(b.service) || a.dedupKey.localeCompare(b.dedupKey);

  const policyNames = new Map([...org.policies.values()].map((p) => [p.id, p.name]));
  const policyName = (id: string | null) => (id ? (policyNames.get(id) ?? '(deleted policy)') : '(no policy)');
  const totals = new Map(perPolicy.rows.map((r) => [r.policy_id, num(r.n)]));
  const escalations = [
    // The first level reached is every alert that paged anyone.
    ...perPolicy.rows.filter((r) => r.policy_id !== null && num(r.paged) > 0).map((r) => ({ policy: policyName(r.policy_id), level: 1, alerts: num(r.paged), share: num(r.paged) / num(r.n) })),
    ...levels.rows.map((r) => ({ policy: policyName(r.policy_id), level: num(r.level) + 1, alerts: num(r.alerts), share: num(r.alerts) / (totals.get(r.policy_id) ?? num(r.alerts)) })),
  ].sort((a, b) => a.policy.localeCompare(b.policy) || a.level - b.level);

  return {
    period,
    zone,
    days: buckets.days,
    bySeverity: series(sev, (a, b) => org.severities.rank(a) - org.severities.rank(b)),
    byService: series(svc, (a, b) => a.localeCompare(b)),
    noisiest: [...all].sort(loud).slice(0, TOP),
    flapping: all.filter((a) => a.quickRefires >= 2).sort((a, b) => b.quickRefires - a.quickRefires || loud(a, b)),
    resolvedWithoutAck: share(resolvedNoAck, resolved),
    escalations,
    notActionable: await notActionableReport(conn, org, period, buckets, all),
  };
}
