import { stringify } from 'csv-stringify/sync';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { App } from '../../app.js';
import { loadReport, type LoadReport } from '../../commands/load-report.js';
import { noiseReport, responseReport, type IncidentGroup, type NoiseReport, type ResponseGroup, type ResponseReport } from '../../commands/reports.js';
import { AppError } from '../../domain/errors.js';
import { parseDuration } from '../../domain/silence/policy.js';
import { iso } from '../presenters.js';
import { presentExtraCompTime, presentNotActionable } from './review.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

/** Reports cover at most a year: longer ranges belong in a data warehouse, not a request. */
const MAX_RANGE_MS = 366 * 86_400_000;

const Range = {
  since: z.string().optional().describe('How far back from now, e.g. 7d, 30d, 12h. Default 30d. Or give from and to.'),
  from: z.iso.datetime({ offset: true }).optional().describe('Start (inclusive), ISO time with offset.'),
  to: z.iso.datetime({ offset: true }).optional().describe('End (exclusive); default now.'),
  format: z.enum(['json', 'csv']).default('json'),
};
const ResponseQuery = z.strictObject({
  ...Range,
  by: z.enum(['severity', 'service', 'team', 'policy']).default('severity'),
  of: z.enum(['alerts', 'incidents']).default('alerts').describe('Which rows the CSV holds: alerts by the chosen grouping, or incidents by severity. JSON holds both.'),
});
const NoiseQuery = z.strictObject({ ...Range, tz: z.string().default('UTC').describe('IANA time zone for the daily buckets, e.g. Europe/London.') });

function period(q: { since?: string | undefined; from?: string | undefined; to?: string | undefined }, now: number): { from: number; to: number } {
  const to = q.to ? Date.parse(q.to) : now;
  let from: number;
  if (q.from) {
    if (q.since) throw AppError.invalid('since', 'give since or from, not both');
    from = Date.parse(q.from);
  } else {
    const ms = parseDuration(q.since ?? '30d');
    if (ms === null || ms <= 0) throw AppError.invalid('since', `"${q.since}" is not a duration; write e.g. 7d, 30d or 12h`);
    from = to - ms;
  }
  if (from >= to) throw AppError.invalid('from', 'must be before to');
  if (to - from > MAX_RANGE_MS) throw AppError.invalid('from', 'a report covers at most 366 days; narrow the range');
  return { from, to };
}

const round = (x: number | null, digits = 1): number | null => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

function presentGroup(g: ResponseGroup) {
  const s = (x: ResponseGroup['tta']) => ({ count: x.count, mean: round(x.mean), median: round(x.median), p95: round(x.p95) });
  const b = (x: ResponseGroup['breached']['acknowledge']) => (x ? { breached: x.breached, of: x.of, share: round(x.share, 4) } : null);
  return {
    key: g.key,
    alerts: g.alerts,
    acknowledged: g.acknowledged,
    resolved: g.resolved,
    time_to_acknowledge: s(g.tta),
    time_to_resolve: s(g.ttr),
    target: g.target,
    breached: { acknowledge: b(g.breached.acknowledge), resolve: b(g.breached.resolve) },
    previous: { alerts: g.previous.alerts, time_to_acknowledge_mean: round(g.previous.ttaMean), time_to_resolve_mean: round(g.previous.ttrMean) },
    trend: { alerts: round(g.trend.alerts, 4), time_to_acknowledge: round(g.trend.tta, 4), time_to_resolve: round(g.trend.ttr, 4) },
  };
}

function presentIncidentGroup(g: IncidentGroup) {
  const s = (x: IncidentGroup['tta']) => ({ count: x.count, mean: round(x.mean), median: round(x.median), p95: round(x.p95) });
  const b = (x: IncidentGroup['breached']['acknowledge']) => (x ? { breached: x.breached, of: x.of, share: round(x.share, 4) } : null);
  return {
    key: g.key,
    incidents: g.incidents,
    acknowledged: g.acknowledged,
    resolved: g.resolved,
    time_to_acknowledge: s(g.tta),
    time_to_resolve: s(g.ttr),
    target: g.target,
    breached: { acknowledge: b(g.breached.acknowledge), resolve: b(g.breached.resolve) },
  };
}

export function presentResponse(r: ResponseReport) {
  return {
    from: iso(r.period.from),
    to: iso(r.period.to),
    previous: { from: iso(r.previous.from), to: iso(r.previous.to) },
    by: r.by,
    unit: 'seconds',
    groups: r.groups.map(presentGroup),
    total: presentGroup(r.total),
    incidents: { groups: r.incidents.groups.map(presentIncidentGroup), total: presentIncidentGroup(r.incidents.total) },
  };
}

export const RESPONSE_CSV_COLUMNS = [
  'key',
  'alerts',
  'acknowledged',
  'resolved',
  'mtta_mean_s',
  'mtta_median_s',
  'mtta_p95_s',
  'mttr_mean_s',
  'mttr_median_s',
  'mttr_p95_s',
  'acknowledge_target_s',
  'resolve_target_s',
  'acknowledge_breached',
  'acknowledge_measured',
  'resolve_breached',
  'resolve_measured',
  'previous_alerts',
  'previous_mtta_mean_s',
  'previous_mttr_mean_s',
] as const;

/** One row per group, then the total; empty cells where a figure does not exist. */
export function responseCsv(r: ReturnType<typeof presentResponse>): string {
  const row = (g: ReturnType<typeof presentGroup>) => [
    g.key,
    g.alerts,
    g.acknowledged,
    g.resolved,
    g.time_to_acknowledge.mean,
    g.time_to_acknowledge.median,
    g.time_to_acknowledge.p95,
    g.time_to_resolve.mean,
    g.time_to_resolve.median,
    g.time_to_resolve.p95,
    g.target?.acknowledge ?? null,
    g.target?.resolve ?? null,
    g.breached.acknowledge?.breached ?? null,
    g.breached.acknowledge?.of ?? null,
    g.breached.resolve?.breached ?? null,
    g.breached.resolve?.of ?? null,
    g.previous.alerts,
    g.previous.time_to_acknowledge_mean,
    g.previous.time_to_resolve_mean,
  ];
  return stringify([[...RESPONSE_CSV_COLUMNS], ...r.groups.map(row), row(r.total)]);
}

export const INCIDENT_CSV_COLUMNS = [
  'severity',
  'incidents',
  'acknowledged',
  'resolved',
  'tta_mean_s',
  'tta_median_s',
  'tta_p95_s',
  'ttr_mean_s',
  'ttr_median_s',
  'ttr_p95_s',
  'acknowledge_target_s',
  'resolve_target_s',
  'acknowledge_breached',
  'acknowledge_measured',
  'resolve_breached',
  'resolve_measured',
] as const;

/** `of=incidents`: one row per severity, then the total. */
export function incidentCsv(r: ReturnType<typeof presentResponse>): string {
  const row = (g: ReturnType<typeof presentIncidentGroup>) => [
    g.key,
    g.incidents,
    g.acknowledged,
    g.resolved,
    g.time_to_acknowledge.mean,
    g.time_to_acknowledge.median,
    g.time_to_acknowledge.p95,
    g.time_to_resolve.mean,
    g.time_to_resolve.median,
    g.time_to_resolve.p95,
    g.target?.acknowledge ?? null,
    g.target?.resolve ?? null,
    g.breached.acknowledge?.breached ?? null,
    g.breached.acknowledge?.of ?? null,
    g.breached.resolve?.breached ?? null,
    g.breached.resolve?.of ?? null,
  ];
  return stringify([[...INCIDENT_CSV_COLUMNS], ...r.incidents.groups.map(row), row(r.incidents.total)]);
}

export function presentNoise(r: NoiseReport) {
  const alert = (a: NoiseReport['noisiest'][number]) => ({
    service: a.service,
    dedup_key: a.dedupKey,
    summary: a.summary,
    opened: a.opened,
    repeats: a.repeats,
    resolved_without_ack: a.resolvedWithoutAck,
    quick_refires: a.quickRefires,
  });
  return {
    from: iso(r.period.from),
    to: iso(r.period.to),
    tz: r.zone,
    days: r.days,
    by_severity: r.bySeverity,
    by_service: r.byService,
    noisiest: r.noisiest.map(alert),
    flapping: r.flapping.map(alert),
    resolved_without_ack: r.resolvedWithoutAck ? { count: r.resolvedWithoutAck.breached, of: r.resolvedWithoutAck.of, share: round(r.resolvedWithoutAck.share, 4) } : null,
    escalations: r.escalations.map((e) => ({ ...e, share: round(e.share, 4) })),
    not_actionable: presentNotActionable(r.notActionable),
  };
}

/** Daily volume: one row per day, a column per severity and per service. */
export function noiseCsv(r: ReturnType<typeof presentNoise>): string {
  const header = ['day', ...r.by_severity.map((s) => `severity:${s.key}`), ...r.by_service.map((s) => `service:${s.key}`), 'not_actionable'];
  const rows = r.days.map((d, i) => [d, ...r.by_severity.map((s) => s.counts[i]), ...r.by_service.map((s) => s.counts[i]), r.not_actionable.daily[i] ?? 0]);
  return stringify([header, ...rows]);
}

export function presentLoad(r: LoadReport) {
  const hours = (x: number) => Math.round(x * 10) / 10;
  return {
    from: iso(r.period.from),
    to: iso(r.period.to),
    bands: { business: 'Mon-Fri 08:00-18:00', off: '18:00-22:00 and weekend days', sleep: '22:00-08:00', zone: "each person's own time zone" },
    people: r.people.map((p) => ({
      user: p.user,
      time_zone: p.timeZone,
      interruptions: p.interruptions,
      hours_on_call: hours(p.hoursOnCall),
      comp_time: p.compTime ? { earned_days: round(p.compTime.earnedDays, 2), taken_days: round(p.compTime.takenDays, 3), balance_days: round(p.compTime.balanceDays, 2), ...presentExtraCompTime(p.compTime) } : null,
      incidents_worked: p.incidents.incidents.length,
      hours_in_incidents: hours(p.incidents.hours),
    })),
    teams: r.teams.map((t) => ({
      team: t.team,
      spread: round(t.spread, 2),
      members: t.members.map((m) => ({ user: m.user, interruptions: m.interruptions, interruption_share: round(m.interruptionShare, 4), hours_on_call: hours(m.hoursOnCall), hours_share: round(m.hoursShare, 4) })),
    })),
  };
}

/** One row per person. */
export function loadCsv(r: ReturnType<typeof presentLoad>): string {
  return stringify([
    ['user', 'time_zone', 'interruptions', 'business_hours', 'off_hours', 'sleep_hours', 'hours_on_call', 'comp_days_earned', 'comp_days_taken', 'comp_days_balance', 'incidents_worked', 'hours_in_incidents', 'comp_days_extra'],
    ...r.people.map((p) => [
      p.user,
      p.time_zone,
      p.interruptions.total,
      p.interruptions.business,
      p.interruptions.off,
      p.interruptions.sleep,
      p.hours_on_call,
      p.comp_time?.earned_days ?? null,
      p.comp_time?.taken_days ?? null,
      p.comp_time?.balance_days ?? null,
      p.incidents_worked,
      p.hours_in_incidents,
      p.comp_time?.extra_days ?? null,
    ]),
  ]);
}

export function reportRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  r.add({
    method: 'GET',
    url: '/api/v1/reports/response',
    summary: 'MTTA and MTTR (mean, median, p95) by severity, service, team or policy, against the response targets, with the trend against the previous period; and for incidents by severity',
    tag: 'reports',
    role: 'viewer',
    query: ResponseQuery,
    handler: async (req, reply) => {
      const q = parse(ResponseQuery, req.query);
      const now = ctx.clock.now();
      const report = presentResponse(await responseReport(ctx.store.db, await ctx.org.get(ctx.store.db), period(q, now), q.by, now));
      if (q.format === 'csv' && q.of === 'incidents') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="incident-response.csv"').send(incidentCsv(report));
      if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="response-by-${q.by}.csv"`).send(responseCsv(report));
      return report;
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/reports/noise',
    summary: 'Alert volume per day by severity and service, the noisiest and flapping alerts, alerts resolved without acknowledgement, and how often each level was reached',
    tag: 'reports',
    role: 'viewer',
    query: NoiseQuery,
    handler: async (req, reply) => {
      const q = parse(NoiseQuery, req.query);
      if (!IANAZone.isValidZone(q.tz)) throw AppError.invalid('tz', `"${q.tz}" is not an IANA time zone; write e.g. Europe/London`);
      const report = presentNoise(await noiseReport(ctx.store.db, await ctx.org.get(ctx.store.db), period(q, ctx.clock.now()), q.tz));
      if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="alert-volume.csv"').send(noiseCsv(report));
      return report;
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/reports/load',
    summary: "On-call load per person: interruptions in business, off and sleep hours in the person's own time zone, hours on call, and the spread across each team",
    tag: 'reports',
    role: 'viewer',
    query: z.strictObject(Range),
    handler: async (req, reply) => {
      const q = parse(z.strictObject(Range), req.query);
      const report = presentLoad(await loadReport(ctx.store.db, await ctx.org.get(ctx.store.db), period(q, ctx.clock.now())));
      if (q.format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="on-call-load.csv"').send(loadCsv(report));
      return report;
    },
  });
}
