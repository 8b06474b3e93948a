import { z } from 'zod';
import type { App } from '../../app.js';
import { previewEscalation, type EscalationPreview } from '../../commands/escalation-preview.js';
import { lintPolicies } from '../../commands/policy-lint.js';
import { iso } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

const Preview = z.strictObject({
  policy: z.string().min(1).optional().describe('A stored escalation policy, by name. Give this or entry.'),
  entry: z.looseObject({}).optional().describe('An unsaved policy in the organisation file format: what the editor holds.'),
  severity: z.string().min(1).describe('The severity of the imagined alert, e.g. critical.'),
  at: z.iso.datetime({ offset: true }).optional().describe('When it fires; default now.'),
});

/** The preview in the API's words: times as ISO strings, levels counted from 1. */
export function presentPreview(p: EscalationPreview) {
  return {
    policy: p.policy,
    severity: p.severity,
    at: iso(p.at),
    steps: p.steps.map((s) => ({
      at: iso(s.at),
      offset_minutes: s.offsetMinutes,
      level: s.level + 1,
      repeat: s.cycle,
      reason: s.reason,
      recipients: s.recipients.map((r) => ({ kind: r.kind, name: r.name, methods: r.methods.map((m) => ({ offset_minutes: m.offsetMinutes, kind: m.kind, name: m.name, skipped: m.skipped })) })),
      warnings: s.warnings,
    })),
    end: p.end,
  };
}

export function escalationPreviewRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  r.add({
    method: 'POST',
    url: '/api/v1/escalation-policies/preview',
    summary: 'Who would be paged, when and how, if an alert fired now and nobody acknowledged it',
    tag: 'escalation-policies',
    role: 'viewer',
    body: Preview,
    handler: async (req) => {
      const b = parse(Preview, req.body);
      const at = b.at ? Date.parse(b.at) : ctx.clock.now();
      return presentPreview(await previewEscalation(ctx, { ...(b.policy ? { policy: b.policy } : {}), ...(b.entry ? { entry: b.entry } : {}), severity: b.severity, at }));
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/lint/policies',
    summary: 'Policy lint: services without a policy, severities a policy never pages for, levels that reach nobody who can be paged now, unused policies',
    tag: 'escalation-policies',
    role: 'viewer',
    handler: async () => {
      const now = ctx.clock.now();
      return { at: iso(now), findings: await lintPolicies(ctx.store.db, await ctx.org.get(ctx.store.db), now) };
    },
  });
}
