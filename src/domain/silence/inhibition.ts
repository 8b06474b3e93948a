import { indexOf } from './matcher-index.js';
import { matchesAll, type Labels, type Matcher } from './matchers.js';

/**
 * Alertmanager's inhibition rules (research note §1.11): while an alert matching the source
 * matchers fires, alerts matching the target matchers that carry the same values for every label
 * in `equal` are muted. An alert never inhibits itself.
 */
export interface InhibitRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

export function sameLabels(a: Labels, b: Labels, names: readonly string[]): boolean {
  // Alertmanager compares values with missing labels as empty: two alerts both lacking one match.
  return names.every((n) => (a[n] ?? '') === (b[n] ?? ''));
}

/** Whether any rule could make this alert a target at all (cheap: no other alert involved). */
export function anyTarget(rules: readonly InhibitRule[], labels: Labels): boolean {
  return indexOf(rules, 'target', (r) => r.target).candidates(labels).some((r) => matchesAll(r.target, labels));
}

export function anySource(rules: readonly InhibitRule[], labels: Labels): boolean {
  return indexOf(rules, 'source', (r) => r.source).candidates(labels).some((r) => matchesAll(r.source, labels));
}

/** The rule by which `source` inhibits `target`, or null. */
export function inhibits(rules: readonly InhibitRule[], source: Labels, target: Labels): InhibitRule | null {
  return rules.find((r) => matchesAll(r.target, target) && matchesAll(r.source, source) && sameLabels(source, target, r.equal)) ?? null;
}
