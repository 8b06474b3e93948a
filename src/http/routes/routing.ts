import { z } from 'zod';
import type { App } from '../../app.js';
import { testRoute } from '../../commands/routing.js';
import { describeRule, ruleName, type RouteRule } from '../../domain/routing/rules.js';
import { formatMatcher } from '../../domain/silence/matchers.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const TestRoute = z.strictObject({
  labels: z
    .record(z.string().regex(LABEL_NAME, { error: 'label names use letters, digits and "_", not starting with a digit' }), z.string())
    .refine((l) => Object.keys(l).length > 0, { error: 'give at least one label, e.g. {"alertname": "HighErrorRate", "severity": "warning"}' })
    .describe('The example alert\'s labels, e.g. {"alertname": "HighErrorRate", "service": "backend", "severity": "warning"}.'),
  service: z.string().min(1).optional().describe('The service the alert arrives on (an integration\'s); default: its service label.'),
});

export function presentRule(r: RouteRule, i: number): Record<string, unknown> {
  return {
    index: i,
    name: ruleName(r, i),
    match: r.match.map(formatMatcher),
    service: r.service,
    escalation_policy: r.escalationPolicy,
    severity: r.severity,
    page: r.page,
    channels: r.channels,
    drop: r.drop,
    continue: r.continue,
    summary: describeRule(r),
  };
}

/** Routing rules: the ordered list (changed through the org file) and "test route" for an example alert. */
export function routingRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  r.add({
    method: 'GET',
    url: '/api/v1/routes',
    summary: 'Routing rules, in the order they are tried',
    tag: 'routing',
    role: 'viewer',
    handler: async () => ({ routes: (await ctx.org.get(ctx.store.db)).routes.map(presentRule) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/routes/test',
    summary: 'Which routing rules an example alert matches, and where it goes: service, policy, severity, page, channels only or drop',
    tag: 'routing',
    role: 'viewer',
    body: TestRoute,
    handler: async (req) => {
      const b = parse(TestRoute, req.body);
      return testRoute(await ctx.org.get(ctx.store.db), { labels: b.labels, service: b.service ?? null });
    },
  });
}
