import { z } from 'zod';
import type { App } from '../../app.js';
import { checkSimulateInput, simulate, type Simulation } from '../../commands/simulate.js';
import { iso } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

const Simulate = z.strictObject({
  service: z.string().min(1).optional().describe('The service the alert arrives at, as an integration would deliver it.'),
  labels: z.record(z.string(), z.string()).default({}).describe('The alert\'s labels (alertname, environment…), as routing rules and silences see them.'),
  severity: z.string().min(1).describe('Its severity, e.g. critical or P1.'),
  at: z.iso.datetime({ offset: true }).optional().describe('When it fires; default now.'),
});

export function presentSimulation(s: Simulation) {
  const hhmm = (m: number) => `+${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return {
    at: iso(s.at),
    route: { matched: s.route.matched, service: s.route.service, escalation_policy: s.route.escalation_policy, severity: s.route.severity, outcome: s.route.outcome, summary: s.route.summary },
    held: s.held ? { by: s.held.by, text: s.held.text, until: iso(s.held.until) } : null,
    group_wait_seconds: s.groupWaitMs / 1000,
    timeline: s.lines.map((l) => ({ at: iso(l.at), after: hhmm(l.offsetMinutes), text: l.text })),
  };
}

export function simulateRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  r.add({
    method: 'POST',
    url: '/api/v1/simulate',
    summary: 'Escalation dry-run: routing, silences, maintenance, grouping and every page an alert would cause if nobody acknowledged it',
    tag: 'escalation-policies',
    role: 'viewer',
    body: Simulate,
    handler: async (req) => {
      const b = parse(Simulate, req.body);
      checkSimulateInput(b);
      return presentSimulation(await simulate(ctx, { ...(b.service ? { service: b.service } : {}), labels: b.labels, severity: b.severity, at: b.at ? Date.parse(b.at) : ctx.clock.now() }));
    },
  });
}
