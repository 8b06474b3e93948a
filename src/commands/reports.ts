import type { ResponseTargets } from '../config/org-targets.js';
import { sql, type RawBuilder } from 'kysely';
import { dayBuckets, summariseCounts, trend, type Summary } from '../domain/reports/stats.js';
import type { Conn } from '../store/db.js';
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
}

export async function loadTargets(conn: Conn): Promise<ResponseTargets> {
  return JSON.parse((await getSetting(conn, 'response_targets')) ?? '{}') as ResponseTargets;
}

/**
 * The work is done by the database: one grouped pass for counts, sums and breaches, and one per
 * measure for its distribution in whole seconds (value, how many), from which exact percentiles
 * follow. Nothing per alert crosses into JavaScript, so a month of a million alerts is a few
 * thousand rows. Means are exact; percentiles are to the second.
 */
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

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

async function counted(conn: Conn, p: Period, by: ResponseDimension, targets: ResponseTargets, now: number): Promise<Counted[]> {
  const dim = sql.ref(DIM_COLUMN[by]);
  const r = await sql<Counted>`
    select ${dim} as k, severity, count(*) as n, count(acknowledged_at) as acked, count(resolved_at) as resolved,
      sum(acknowledged_at - created_at) as tta_sum, sum(resolved_at - created_at) as ttr_sum,
      sum(case when coalesce(acknowledged_at, resolved_at, ${sql.lit(now)}) - created_at > ${targetCase(targets, 'acknowledgeMs')} then 1 else 0 end) as ack_breached,
      sum(case when coalesce(resolved_at, ${sql.lit(now)}) - created_at > ${targetCase(targets, 'resolveMs')} then 1 else 0 end) as res_breached
    from alerts where created_at >= ${sql.lit(p.from)} and created_at < ${sql.lit(p.to)}
    group by ${dim}, severity`.execute(conn);
  return r.rows;
}

/** How many alerts took each whole number of seconds to reach `column`, per group. */
async function distribution(conn: Conn, p: Period, by: ResponseDimension, column: 'acknowledged_at' | 'resolved_at'): Promise<{ k: string | null; s: unknown; c: unknown }[]> {
  const dim = sql.ref(DIM_COLUMN[by]);
  const at = sql.ref(column);
  const r = await sql<{ k: string | null; s: unknown; c: unknown }>`
    select ${dim} as k, (${at} - created_at) / 1000 as s, count(*) as c
    from alerts where created_at >= ${sql.lit(p.from)} and created_at < ${sql.lit(p.to)} and ${at} is not null
    group by 1, 2`.execute(conn);
  return r.rows;
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

export async function responseReport(conn: Conn, org: OrgSnapshot, period: Period, by: ResponseDimension, now: number): Promise<ResponseReport> {
  const previous = { from: period.from - (period.to - period.from), to: period.from };
  const targets = await loadTargets(conn);
  const name = namer(org, by);
  const [cur, prev, ttaDist, ttrDist] = await Promise.all([
    counted(conn, period, by, targets, now),
    counted(conn, previous, by, targets, now),
    distribution(conn, period, by, 'acknowledged_at'),
    distribution(conn, period, by, 'resolved_at'),
  ]);
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
  };
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
  };
}
