import { z } from 'zod';
import { MatcherError, parseMatchers, type Matcher } from '../domain/silence/matchers.js';
import { parseDuration, type Approver, type SilencePolicy } from '../domain/silence/policy.js';

/**
 * The org file's `silence_policy` section, e.g. Clipper's silence guidelines:
 *
 *   silence_policy:
 *     max_duration: { critical: 1h, warning: 4h, info: 24h }
 *     approvals:
 *       - name: critical silences need a manager
 *         severities: [critical]
 *         approvers: [{ role: manager }]
 *       - name: security silences need a manager and the security team
 *         matchers: ['category="security"']
 *         approvers: [{ role: manager }, { team: Security }]
 */
export const SilencePolicySchema = z
  .strictObject({
    max_duration: z.record(z.string(), z.string()).default({}).describe('Longest silence that may hide alerts of a severity, e.g. critical: 1h.'),
    approvals: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(200).describe('Shown to the author and the approvers.'),
          severities: z.array(z.string()).min(1).optional().describe('Silences that can hide alerts of these severities need approval.'),
          matchers: z.array(z.string()).min(1).optional().describe('Silences that can hide alerts with these labels need approval, e.g. category="security".'),
          approvers: z
            .array(z.union([z.strictObject({ role: z.enum(['manager', 'admin']) }), z.strictObject({ team: z.string().min(1) })]))
            .min(1)
            .max(5)
            .describe('Each entry needs an approver of its own, who is not the author.'),
        }),
      )
      .max(50)
      .default([]),
  })
  .describe('Limits on silences: longest duration per severity and required approvals.');

export type SilencePolicyInput = z.output<typeof SilencePolicySchema>;
type Path = (string | number)[];

export function checkSilencePolicy(
  input: SilencePolicyInput,
  path: Path,
  severity: (raw: string, at: Path) => string | null,
  teams: Set<string> | null,
  problem: (at: Path, message: string) => void,
): SilencePolicy {
  const maxDuration: SilencePolicy['maxDuration'] = [];
  for (const [raw, text] of Object.entries(input.max_duration)) {
    const at = [...path, 'max_duration', raw];
    const name = severity(raw, at);
    const ms = parseDuration(text);
    if (ms === null || ms <= 0) problem(at, `"${text}" is not a duration; write e.g. 1h, 4h, 24h or 1d`);
    else if (name) maxDuration.push({ severity: name, ms });
  }
  const approvals = input.approvals.map((r, i) => {
    const at: Path = [...path, 'approvals', i];
    if (!r.severities && !r.matchers) problem(at, 'give severities or matchers: which silences need this approval');
    const severities = r.severities ? r.severities.flatMap((s, k) => severity(s, [...at, 'severities', k]) ?? []) : null;
    let matchers: Matcher[] | null = null;
    if (r.matchers) {
      matchers = [];
      for (const [k, text] of r.matchers.entries()) {
        try {
          matchers.push(...parseMatchers(text));
        } catch (err) {
          if (err instanceof MatcherError) problem([...at, 'matchers', k], err.message);
          else throw err;
        }
      }
    }
    const approvers: Approver[] = r.approvers.map((a, k) => {
      if ('team' in a && teams && !teams.has(a.team)) problem([...at, 'approvers', k, 'team'], `no team named "${a.team}"`);
      return a;
    });
    return { name: r.name, severities, matchers, approvers };
  });
  return { maxDuration, approvals };
}
