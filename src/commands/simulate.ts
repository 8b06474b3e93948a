import { groupingOf } from '../config/org-grouping.js';
import { MINUTE } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { coveredText } from '../domain/maintenance/window.js';
import { formatDuration } from '../domain/silence/policy.js';
import type { Ctx } from './context.js';
import { previewEscalation, type EscalationPreview } from './escalation-preview.js';
import { inMaintenance } from './maintenance.js';
import { testRoute, type RouteTest } from './routing.js';
import { listSilences, silencing } from './silences.js';

/**
 * Escalation dry-run: what Watchkeeper would do, minute by minute, with an alert that fired at a
 * given moment and that nobody acknowledged: which routing rule decides, whether a silence or a
 * maintenance window holds it (and until when), the group wait, then every level, person and
 * contact method until the policy is exhausted. It runs the same decisions ingest and the engine
 * run, on the real configuration, schedules, overrides and notification rules, and writes nothing.
 *
 * Silences are those stored now that are in force at that moment; inhibition depends on which
 * other alerts are open, so it is not simulated.
 */

export interface SimulateInput {
  service?: string;
  labels: Record<string, string>;
  severity: string;
  at: number;
}

export interface SimulationLine {
  at: number;
  offsetMinutes: number;
  text: string;
}

export interface Simulation {
  at: number;
  route: RouteTest;
  /** What holds the alert before anyone is paged, and until when. */
  held: { by: 'silence' | 'maintenance'; text: string; until: number } | null;
  groupWaitMs: number;
  escalation: EscalationPreview | null;
  lines: SimulationLine[];
}

export async function simulate(ctx: Ctx, input: SimulateInput): Promise<Simulation> {
  const org = await ctx.org.get(ctx.store.db);
  // Named as the caller gave it: `severity`, not the label routing reads it from.
  org.severities.resolveOrThrow('severity', input.severity);
  const route = testRoute(org, { labels: { ...input.labels, severity: input.severity }, service: input.service ?? null });
  const lines: SimulationLine[] = [];
  const line = (at: number, text: string) => lines.push({ at, offsetMinutes: Math.round((at - input.at) / MINUTE), text });
  const base = { at: input.at, route, held: null, groupWaitMs: 0, escalation: null };

  line(input.at, route.matched.length ? `routing: ${route.matched.join(', ')} matched; ${route.summary}` : `routing: no rule matched; ${route.summary}`);
  if (route.outcome === 'drop' || route.service === null || route.outcome === 'channels-only') return { ...base, lines };

  const labels = route.labels;
  const silences = await listSilences(ctx.store.db, ctx.clock.now());
  const silence = silencing(silences, labels, input.at);
  const maintenance = silence ? null : inMaintenance(org, route.service, labels, input.at);
  let start = input.at;
  let held: Simulation['held'] = null;
  if (silence) {
    held = { by: 'silence', until: silence.endsAt, text: `silenced by ${silence.createdBy} (${silence.comment}) until ${new Date(silence.endsAt).toISOString()}` };
    line(input.at, `${held.text}: recorded, nobody paged; pages from the first level when the silence ends if still open`);
    start = silence.endsAt;
  } else if (maintenance) {
    held = { by: 'maintenance', until: maintenance.occurrence.end, text: coveredText(maintenance) };
    line(input.at, `${held.text}: recorded, nobody paged; pages from the first level when it ends if still open`);
    start = maintenance.occurrence.end;
  }

  const service = [...org.services.values()].find((s) => s.name === route.service);
  const grouping = groupingOf(service?.grouping);
  const groupWaitMs = grouping?.waitMs ?? 0;
  if (grouping && groupWaitMs > 0) {
    line(start, `grouping by ${grouping.by.join(', ')}: waits ${formatDuration(groupWaitMs)} for other alerts of the group, then pages once for all (later alerts of an open group page nobody)`);
    start += groupWaitMs;
  }

  if (!route.escalation_policy) {
    line(start, `${route.service} has no escalation policy: nobody is paged`);
    return { ...base, held, groupWaitMs, lines };
  }
  const escalation = await previewEscalation(ctx, { policy: route.escalation_policy, severity: route.severity, at: start });
  for (const step of escalation.steps) {
    const level = `level ${step.level + 1}${step.cycle ? ` (repeat ${step.cycle})` : ''}`;
    const why = step.reason === 'opened' ? '' : step.reason === 'unacknowledged' ? ', not acknowledged' : step.reason === 'unresolved' ? ', not resolved' : ', policy repeats';
    if (step.recipients.length === 0) line(step.at, `${level}${why}: nobody to page`);
    for (const r of step.recipients) {
      if (r.methods.length === 0) continue;
      const byTime = new Map<number, string[]>();
      for (const m of r.methods) byTime.set(m.offsetMinutes, [...(byTime.get(m.offsetMinutes) ?? []), `${m.kind}${m.skipped ? ` (${m.skipped})` : ''}`]);
      for (const [offset, kinds] of [...byTime.entries()].sort((a, b) => a[0] - b[0])) line(step.at + (offset - step.offsetMinutes) * MINUTE, `${level}${why}: ${r.name} by ${kinds.join(', ')}`);
    }
    for (const w of step.warnings) line(step.at, `${level}: ${w}`);
  }
  lines.sort((a, b) => a.at - b.at);
  line(lines.at(-1)?.at ?? start, `then: ${escalation.end}`);
  return { ...base, held, groupWaitMs, escalation, lines };
}

/** Checks the input the API and CLI share. */
export function checkSimulateInput(raw: { service?: string | undefined; labels?: Record<string, string> | undefined; severity?: string | undefined }): void {
  if (!raw.severity) throw AppError.invalid('severity', 'give the severity of the imagined alert, e.g. critical');
  if (!raw.service && !raw.labels?.service) throw AppError.invalid('service', 'name the service the alert arrives at (or a service label a routing rule reads)');
}
