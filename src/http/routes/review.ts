import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { App } from '../../app.js';
import { getNotActionable, markNotActionable, REASON_MAX, unmarkNotActionable, type NotActionableMark, type NotActionableReport } from '../../commands/not-actionable.js';
import type { ExtraCompTime } from '../../commands/incident-load.js';
import { buildReview, reviewPeriod, type Review, type ReviewNoisy } from '../../commands/review.js';
import { reviewMarkdown, reviewTitle } from '../../commands/review-markdown.js';
import type { Share } from '../../commands/reports.js';
import type { ReviewConfig } from '../../config/org-review.js';
import { AppError } from '../../domain/errors.js';
import { getAlert } from '../../store/alert.repo.js';
import { getSetting } from '../../store/settings.repo.js';
import { actorOf } from '../auth.js';
import { iso } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';
import { presentResponse } from './reports.js';

const round = (x: number | null, digits = 4): number | null => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

export function presentNotActionable(r: NotActionableReport) {
  return {
    marked: r.marked,
    opened: r.opened,
    false_positive_rate: round(r.falsePositiveRate),
    by_service: r.byService.map((s) => ({ service: s.service, marked: s.marked, opened: s.opened, rate: round(s.rate) })),
    by_alert: r.byAlert.map((a) => ({ service: a.service, dedup_key: a.dedupKey, summary: a.summary, marked: a.marked, opened: a.opened, rate: round(a.rate) })),
    daily: r.daily,
  };
}

/** The extra days a long major incident earned (incident-load.ts), with the reason for each. */
export function presentExtraCompTime(c: { extraDays?: number; extra?: ExtraCompTime[] }) {
  return {
    extra_days: round(c.extraDays ?? 0, 3),
    extra: (c.extra ?? []).map((e) => ({ incident: e.incident, days: e.days, earned_at: iso(e.at), reason: e.reason })),
  };
}

export const presentMark = (m: NotActionableMark | null) => (m ? { marked_at: iso(m.markedAt), marked_by: m.markedBy, reason: m.reason } : null);

const met = (s: Share | null) => (s ? { met: s.breached, of: s.of, share: round(s.share) } : null);
const noisy = (a: ReviewNoisy) => ({ service: a.service, dedup_key: a.dedupKey, summary: a.summary, opened: a.opened, repeats: a.repeats, quick_refires: a.quickRefires, not_actionable: a.notActionable });

export function presentReview(r: Review) {
  return {
    title: reviewTitle(r),
    period: r.kind,
    tz: r.zone,
    from: iso(r.period.from),
    to: iso(r.period.to),
    previous: { from: iso(r.previous.from), to: iso(r.previous.to) },
    generated_at: iso(r.generatedAt),
    incidents: {
      count: r.incidents.count,
      previous: r.incidents.previous,
      trend: round(r.incidents.trend),
      by_severity: r.incidents.bySeverity,
      list: r.incidents.list.map((i) => ({ id: i.id, title: i.title, severity: i.severity, status: i.status, declared_at: iso(i.declaredAt), resolved_at: i.resolvedAt === null ? null : iso(i.resolvedAt) })),
    },
    alerts: { opened: r.alerts.opened, previous: r.alerts.previous, trend: round(r.alerts.trend) },
    response: presentResponse(r.response),
    sla: { acknowledged_within_target: met(r.sla.acknowledge), resolved_within_target: met(r.sla.resolve), incidents_resolved_within_target: met(r.sla.incidents) },
    tune: {
      noisiest: r.tune.noisiest.map(noisy),
      flapping: r.tune.flapping.map(noisy),
      not_actionable: { marked: r.tune.notActionable.marked, opened: r.tune.notActionable.opened, false_positive_rate: round(r.tune.notActionable.falsePositiveRate) },
    },
    action_items: r.actionItems === null ? null : { overdue: r.actionItems.overdue.map((a) => ({ id: a.id, incident: a.incident, title: a.title, owner: a.owner, due_at: iso(a.dueAt), status: a.status })) },
    load: {
      people: r.load.people.map((p) => ({ user: p.user, interruptions: p.interruptions, sleep_hours_interruptions: p.sleep, hours_on_call: round(p.hoursOnCall, 1), incidents_worked: p.incidents, hours_in_incidents: round(p.incidentHours, 1) })),
      teams: r.load.teams.map((t) => ({ team: t.team, spread: round(t.spread, 2) })),
    },
  };
}

const AlertId = z.strictObject({ id: z.coerce.number().int().min(1, { error: 'must be an alert number' }) });
const Mark = z.strictObject({ reason: z.string().max(REASON_MAX, { error: `must be at most ${REASON_MAX} characters` }).optional().describe('Why it needed no action, e.g. "disk alert on a scratch volume".') });
const ReviewQuery = z.strictObject({
  period: z.enum(['week', 'month', 'quarter'], { error: 'use week, month or quarter' }).default('week'),
  at: z.iso.datetime({ offset: true, error: 'must be a time such as 2026-11-23T00:00:00Z' }).optional().describe('A time inside the period to review; default: the last whole period before now.'),
  tz: z.string().optional().describe("IANA time zone of the period boundaries; default the review section's time_zone, else UTC."),
  format: z.enum(['json', 'markdown'], { error: 'use json or markdown' }).default('json'),
});

export async function reviewZone(app: App, tz: string | undefined): Promise<string> {
  if (tz !== undefined) {
    if (!IANAZone.isValidZone(tz)) throw AppError.invalid('tz', `"${tz}" is not an IANA time zone; write e.g. Europe/London`);
    return tz;
  }
  const cfg = JSON.parse((await getSetting(app.ctx.store.db, 'review')) ?? 'null') as ReviewConfig | null;
  return cfg?.timeZone ?? 'UTC';
}

/** Not-actionable marks on alerts and the on-call review. */
export function reviewRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  const alertBody = async (id: number) => {
    const a = await getAlert(ctx.store.db, id);
    return { alert_id: a ? a.id : id, not_actionable: presentMark(await getNotActionable(ctx.store.db, id)) };
  };
  r.add({
    method: 'POST',
    url: '/api/v1/alerts/:id/not-actionable',
    summary: 'Mark the alert not actionable (a false positive), with an optional reason; counted in the noise report',
    tag: 'alerts',
    role: 'responder',
    body: Mark,
    handler: async (req) => {
      const { id } = parse(AlertId, req.params);
      const b = parse(Mark, req.body ?? {});
      await markNotActionable(ctx, id, actorOf(req), b.reason ?? '');
      return alertBody(id);
    },
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/alerts/:id/not-actionable',
    summary: 'Remove the not-actionable mark',
    tag: 'alerts',
    role: 'responder',
    handler: async (req) => {
      const { id } = parse(AlertId, req.params);
      await unmarkNotActionable(ctx, id, actorOf(req));
      return alertBody(id);
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/reports/review',
    summary: 'The on-call review of a week, month or quarter: incidents and trend, MTTA/MTTR against targets, SLA adherence, alerts to tune, overdue action items, on-call load; JSON or Markdown',
    tag: 'reports',
    role: 'viewer',
    query: ReviewQuery,
    handler: async (req, reply) => {
      const q = parse(ReviewQuery, req.query);
      const zone = await reviewZone(app, q.tz);
      const now = ctx.clock.now();
      const period = reviewPeriod(q.period, zone, now, q.at === undefined ? undefined : Date.parse(q.at));
      if (period.from > now) throw AppError.invalid('at', 'must not be in a period that has not started yet');
      const review = await buildReview(ctx.store.db, ctx.store.dialect, await ctx.org.get(ctx.store.db), q.period, period, zone, now);
      if (q.format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(reviewMarkdown(review));
      return presentReview(review);
    },
  });
}
