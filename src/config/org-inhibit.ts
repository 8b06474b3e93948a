import { z } from 'zod';
import { MatcherError, parseMatchers, type Matcher } from '../domain/silence/matchers.js';
import type { InhibitRule } from '../domain/silence/inhibition.js';

/**
 * The org file's `inhibit_rules`, as Alertmanager writes them:
 *
 *   inhibit_rules:
 *     - source_matchers: ['alertname="ServiceDown"']
 *       target_matchers: ['alertname=~"HighErrorRate|HighLatency"']
 *       equal: [service]
 */
export const InhibitRuleSchema = z.strictObject({
  source_matchers: z.array(z.string()).min(1).describe('The alert that, while it fires, mutes others.'),
  target_matchers: z.array(z.string()).min(1).describe('The alerts it mutes.'),
  equal: z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)).default([]).describe('Labels that must have the same value on both, e.g. [service].'),
});

type Path = readonly (string | number)[];

export function checkInhibitRules(input: z.output<typeof InhibitRuleSchema>[], path: Path, problem: (at: Path, message: string) => void): InhibitRule[] {
  const parse = (list: string[], at: Path): Matcher[] =>
    list.flatMap((text, k) => {
      try {
        return parseMatchers(text);
      } catch (err) {
        if (err instanceof MatcherError) {
          problem([...at, k], err.message);
          return [];
        }
        throw err;
      }
    });
  return input.map((r, i) => ({ source: parse(r.source_matchers, [...path, i, 'source_matchers']), target: parse(r.target_matchers, [...path, i, 'target_matchers']), equal: r.equal }));
}
