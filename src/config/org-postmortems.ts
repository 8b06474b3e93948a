import { z } from 'zod';
import { formatDuration, parseDuration } from '../domain/silence/policy.js';
import { DEFAULT_DEADLINES, DEADLINE_STAGES, type DeadlineStage, type PostmortemPolicy, type PostmortemRule } from '../domain/incident/postmortem.js';

/**
 * The org file's `postmortems`: which resolved incidents need a post-mortem and by when each stage
 * is due, counted from the resolution (Clipper: every P1, a P2 lasting over 2 hours, security
 * incidents and SLO breaches; initial report in 24 h, draft in 48 h, meeting within a week,
 * action items assigned within two weeks).
 *
 *   postmortems:
 *     required_for:
 *       - severities: [critical]
 *       - severities: [high]
 *         lasting_over: 2h
 *       - class: security          # an attached alert of class (or label class/category) security
 *       - sla_breach: true         # an SLA clock breached
 *     deadlines: { initial_report: 24h, draft: 48h, meeting: 7d, action_items_assigned: 14d }
 *
 * A rule needs all of its conditions; any rule makes a post-mortem required. Without the section no
 * incident needs one (an SLA breach action may still ask for one), and anyone may start one.
 */
const RuleSchema = z
  .strictObject({
    severities: z.array(z.string().min(1)).min(1).optional().describe('Incidents of these severities.'),
    lasting_over: z.string().optional().describe('Only incidents open (declared to resolved) longer than this, e.g. 2h.'),
    class: z.string().min(1).max(60).optional().describe('An attached alert of this class (or with label class or category set to it), e.g. security.'),
    sla_breach: z.literal(true, { error: 'write sla_breach: true, or leave it out' }).optional().describe('An SLA clock of the incident breached.'),
  })
  .describe('One rule; the incident must meet all of its conditions.');

export const PostmortemsSchema = z
  .strictObject({
    required_for: z.array(RuleSchema).default([]).describe('Which resolved incidents need a post-mortem; any rule suffices.'),
    deadlines: z
      .strictObject(Object.fromEntries(DEADLINE_STAGES.map((s) => [s, z.string().optional()])) as Record<DeadlineStage, z.ZodOptional<z.ZodString>>)
      .optional()
      .describe('Time after resolution by which each stage is due: initial_report (24h), draft (48h), meeting (7d), action_items_assigned (14d).'),
  })
  .describe('Post-mortems: when one is required and its deadlines.');

export type PostmortemsInput = z.output<typeof PostmortemsSchema>;
type Path = readonly (string | number)[];

const MAX_DEADLINE = 90 * 86_400_000;

export function checkPostmortems(input: PostmortemsInput, path: Path, severity: (raw: string, at: Path) => string | null, problem: (at: Path, message: string) => void): PostmortemPolicy {
  const requiredFor: PostmortemRule[] = input.required_for.map((r, i) => {
    const at = [...path, 'required_for', i];
    const rule: PostmortemRule = {};
    if (r.severities) rule.severities = [...new Set(r.severities.flatMap((s, k) => severity(s, [...at, 'severities', k]) ?? []))];
    if (r.lasting_over !== undefined) {
      const ms = parseDuration(r.lasting_over);
      if (ms === null || ms < 60_000) problem([...at, 'lasting_over'], `"${r.lasting_over}" is not a duration of at least 1m; write e.g. 2h`);
      else rule.lastingOverMs = ms;
    }
    if (r.class !== undefined) rule.class = r.class.toLowerCase();
    if (r.sla_breach) rule.slaBreach = true;
    if (Object.keys(r).length === 0) problem(at, 'give at least one condition: severities, lasting_over, class or sla_breach');
    return rule;
  });
  const deadlines = { ...DEFAULT_DEADLINES };
  for (const s of DEADLINE_STAGES) {
    const text = input.deadlines?.[s];
    if (text === undefined) continue;
    const ms = parseDuration(text);
    if (ms === null || ms < 60_000 || ms > MAX_DEADLINE) problem([...path, 'deadlines', s], `"${text}" is not a duration from 1m to 90d; write e.g. 48h or 7d`);
    else deadlines[s] = ms;
  }
  return { requiredFor, deadlines };
}

/** The section as written back by export; default deadlines are left out so a round trip is a no-op. */
export function postmortemsToFile(p: PostmortemPolicy | null): { postmortems?: Record<string, unknown> } {
  if (!p) return {};
  const deadlines = Object.fromEntries(DEADLINE_STAGES.filter((s) => p.deadlines[s] !== DEFAULT_DEADLINES[s]).map((s) => [s, formatDuration(p.deadlines[s])]));
  return {
    postmortems: {
      required_for: p.requiredFor.map((r) => ({
        ...(r.severities ? { severities: r.severities } : {}),
        ...(r.lastingOverMs !== undefined ? { lasting_over: formatDuration(r.lastingOverMs) } : {}),
        ...(r.class !== undefined ? { class: r.class } : {}),
        ...(r.slaBreach ? { sla_breach: true } : {}),
      })),
      ...(Object.keys(deadlines).length ? { deadlines } : {}),
    },
  };
}
