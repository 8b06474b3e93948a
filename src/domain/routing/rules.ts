import { indexOf } from '../silence/matcher-index.js';
import { formatMatchers, matchesAll, type Labels, type Matcher } from '../silence/matchers.js';

/**
 * Routing rules: an ordered list, each a set of Alertmanager label matchers and actions. Matching
 * follows Alertmanager's route tree flattened to one level (research note §1.4): rules are tried in
 * order, the first rule that matches is taken, and matching stops there unless that rule says
 * `continue: true`, in which case later rules are tried as well.
 *
 * Alertmanager sends an alert that matches several `continue` routes to each of their receivers.
 * Here the matched rules' actions are combined into one decision instead, and the FIRST rule that
 * sets a field wins (service, escalation policy, severity, and the page / channels-only / drop
 * outcome), just as the first matching route is the one Alertmanager treats as the alert's route.
 * Channels are the exception: they add up, as every matched `continue` route's receiver gets the
 * alert in Alertmanager. Last-setter-wins was rejected: a broad catch-all rule at the end of the
 * list would then override the specific rules above it, the opposite of how people read the list.
 *
 * An alert no rule matches is paged by its own service's policy, exactly as without any rules.
 */
export interface RouteRule {
  /** Shown on the alert's timeline; rules without one are called by position ("rule #3"). */
  name: string | null;
  match: Matcher[];
  /** Service name to re-home the alert to. */
  service: string | null;
  /** Escalation policy name that pages instead of the service's own. */
  escalationPolicy: string | null;
  /** Canonical severity name. */
  severity: string | null;
  /** false: record and post to channels, page nobody; true: page, whatever later `continue` rules say; null: not decided here. */
  page: boolean | null;
  /** Teams channels and webhooks (the org file's channels section) that get the alert. */
  channels: string[];
  /** Record nothing; the sender is still answered as accepted. */
  drop: boolean;
  continue: boolean;
}

export type RouteOutcome = 'page' | 'channels-only' | 'drop';

export interface RouteDecision {
  /** The rules that matched, in order (0-based index into the list). */
  matched: { index: number; name: string }[];
  service: string | null;
  escalationPolicy: string | null;
  severity: string | null;
  outcome: RouteOutcome;
  channels: string[];
  /** The rule that decided each field, by display name, for the timeline and "test route". */
  decidedBy: Partial<Record<'service' | 'escalation_policy' | 'severity' | 'outcome', string>>;
}

export function ruleName(rule: Pick<RouteRule, 'name'>, index: number): string {
  return rule.name ?? `rule #${index + 1}`;
}

/**
 * The decision for an alert with these labels, or null when no rule matches (the alert goes where
 * it was sent and pages as usual). `labels` are the labels silences see: the alert's own plus
 * `service` (the service's name) and the canonical `severity`.
 */
export function routeAlert(rules: readonly RouteRule[], labels: Labels): RouteDecision | null {
  let d: RouteDecision | null = null;
  // Rules that cannot match are skipped (see MatcherIndex); the rest keep their order.
  for (const r of indexOf(rules, 'route', (x) => x.match).candidates(labels)) {
    if (!matchesAll(r.match, labels)) continue;
    const i = rules.indexOf(r);
    const name = ruleName(r, i);
    d ??= { matched: [], service: null, escalationPolicy: null, severity: null, outcome: 'page', channels: [], decidedBy: {} };
    d.matched.push({ index: i, name });
    if (r.service !== null && d.decidedBy.service === undefined) {
      d.service = r.service;
      d.decidedBy.service = name;
    }
    if (r.escalationPolicy !== null && d.decidedBy.escalation_policy === undefined) {
      d.escalationPolicy = r.escalationPolicy;
      d.decidedBy.escalation_policy = name;
    }
    if (r.severity !== null && d.decidedBy.severity === undefined) {
      d.severity = r.severity;
      d.decidedBy.severity = name;
    }
    const outcome = ruleOutcome(r);
    if (outcome !== null && d.decidedBy.outcome === undefined) {
      d.outcome = outcome;
      d.decidedBy.outcome = name;
    }
    for (const c of r.channels) if (!d.channels.includes(c)) d.channels.push(c);
    if (!r.continue) break;
  }
  return d;
}

/** What the rule itself decides about paging, or null when it leaves that to the rules after it. */
export function ruleOutcome(r: Pick<RouteRule, 'drop' | 'page'>): RouteOutcome | null {
  if (r.drop) return 'drop';
  if (r.page === false) return 'channels-only';
  if (r.page === true) return 'page';
  return null;
}

/** One line describing a rule, for lists: `{severity="warning"} → channels only: teams-ops`. */
export function describeRule(r: RouteRule): string {
  const parts: string[] = [];
  if (r.drop) parts.push('drop');
  if (r.service) parts.push(`service ${r.service}`);
  if (r.escalationPolicy) parts.push(`policy ${r.escalationPolicy}`);
  if (r.severity) parts.push(`severity ${r.severity}`);
  if (r.page === false) parts.push('page nobody');
  if (r.page === true) parts.push('page');
  if (r.channels.length) parts.push(`channels ${r.channels.join(', ')}`);
  if (r.continue) parts.push('continue');
  return `${formatMatchers(r.match)} → ${parts.join('; ') || 'no action'}`;
}
