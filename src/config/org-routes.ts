import { z } from 'zod';
import { formatMatcher, MatcherError, parseMatchers, type Matcher } from '../domain/silence/matchers.js';
import type { RouteRule } from '../domain/routing/rules.js';

/**
 * The org file's `routes` section: ordered routing rules (see src/domain/routing/rules.ts for how
 * they match and combine), e.g. the handbook's "warning alerts: Slack only, no page":
 *
 *   routes:
 *     - name: warnings-to-slack
 *       match: ['severity="warning"']
 *       page: false
 *     - name: database-alerts
 *       match: ['team=~"db|storage"']
 *       service: Database
 *       continue: true
 *     - name: watchdog
 *       match: ['alertname="Watchdog"']
 *       drop: true
 *
 * `match` takes Alertmanager matchers: a list of `name="value"` strings (or one `{…}` string), or
 * Alertmanager's older `match:` map of label to exact value.
 */
export const RouteRuleSchema = z
  .strictObject({
    name: z.string().min(1).max(100).optional().describe('Shown on the timeline of the alerts it routes; unique.'),
    match: z
      .union([z.array(z.string()).min(1), z.string().min(1), z.record(z.string(), z.string())])
      .describe('Alertmanager matchers, all of which must match: ["severity=\\"warning\\"", "service=~\\"api|web\\""].'),
    service: z.string().min(1).optional().describe('Re-home the alert to this service (its policy pages, unless escalation_policy says otherwise).'),
    escalation_policy: z.string().min(1).optional().describe('Page this escalation policy instead of the service\'s own.'),
    severity: z.string().min(1).optional().describe('Override the alert\'s severity.'),
    page: z.boolean().optional().describe('false: record the alert and post it to Slack and the channels below, page nobody.'),
    channels: z.array(z.string().min(1)).max(20).optional().describe('Teams channels or webhooks (channels section) that get the alert.'),
    drop: z.boolean().optional().describe('true: record nothing (counted in watchkeeper_routing_dropped_total); the sender is answered as accepted.'),
    continue: z.boolean().optional().describe('true: keep matching the rules below; the first rule that sets a field wins.'),
  })
  .describe('A routing rule: which alerts (match) and what happens to them.');

export type RouteRuleInput = z.output<typeof RouteRuleSchema>;
type Path = readonly (string | number)[];

export interface RouteRefs {
  services: Set<string> | null;
  policies: Set<string> | null;
  channels: Set<string> | null;
  /** Canonical severity name, problem reported when unknown. */
  severity: (raw: string, at: Path) => string | null;
  /** Canonical severity name of an exact name or alias, or null (nothing reported). */
  knownSeverity: (raw: string) => string | null;
}

export function checkRoutes(input: (RouteRuleInput | null)[], path: Path, refs: RouteRefs, problem: (at: Path, message: string) => void): RouteRule[] {
  const names = new Map<string, number>();
  const out: RouteRule[] = [];
  input.forEach((r, i) => {
    if (!r) return;
    const at = [...path, i];
    if (r.name !== undefined) {
      const first = names.get(r.name);
      if (first !== undefined) problem([...at, 'name'], `duplicate name "${r.name}" (also routes[${first}])`);
      else names.set(r.name, i);
    }
    const match = parseMatch(r.match, [...at, 'match'], problem).map((m) => canonicalSeverity(m, refs.knownSeverity));
    if (r.service !== undefined && refs.services && !refs.services.has(r.service)) problem([...at, 'service'], `no service named "${r.service}"; add it to the services section`);
    if (r.escalation_policy !== undefined && refs.policies && !refs.policies.has(r.escalation_policy)) problem([...at, 'escalation_policy'], `no escalation policy named "${r.escalation_policy}"; add it to the escalation_policies section`);
    (r.channels ?? []).forEach((c, k) => {
      if (refs.channels && !refs.channels.has(c)) problem([...at, 'channels', k], `no channel named "${c}"; add it to the channels section (Slack posts follow the service's slack section)`);
    });
    const severity = r.severity === undefined ? null : refs.severity(r.severity, [...at, 'severity']);
    if (r.drop === true) {
      const extra = (['service', 'escalation_policy', 'severity', 'page', 'channels', 'continue'] as const).filter((k) => r[k] !== undefined);
      if (extra.length) problem([...at, 'drop'], `a dropped alert is recorded nowhere; remove ${extra.join(', ')} or the drop`);
    }
    if (r.page === false && r.escalation_policy !== undefined) problem([...at, 'escalation_policy'], 'page: false pages nobody; remove escalation_policy or the page: false');
    out.push({
      name: r.name ?? null,
      match,
      service: r.service ?? null,
      escalationPolicy: r.escalation_policy ?? null,
      severity,
      page: r.page ?? null,
      channels: r.channels ?? [],
      drop: r.drop === true,
      continue: r.continue === true,
    });
  });
  return out;
}

function parseMatch(match: RouteRuleInput['match'], at: Path, problem: (at: Path, message: string) => void): Matcher[] {
  const one = (text: string, where: Path): Matcher[] => {
    try {
      return parseMatchers(text);
    } catch (err) {
      if (err instanceof MatcherError) {
        problem(where, err.message);
        return [];
      }
      throw err;
    }
  };
  if (typeof match === 'string') return one(match, at);
  if (Array.isArray(match)) return match.flatMap((text, k) => one(text, [...at, k]));
  const entries = Object.entries(match);
  if (entries.length === 0) problem(at, 'no matchers given; write at least one, e.g. ["severity=\\"warning\\""]');
  // Alertmanager's `match:` map: label name to exact value.
  return entries.flatMap(([name, value]) => one(formatMatcher({ name, value, isRegex: false, isEqual: true }), [...at, name]));
}

/** `severity="P3"` → `severity="warning"`: rules match the canonical severity, as silences do. */
function canonicalSeverity(m: Matcher, known: (raw: string) => string | null): Matcher {
  if (m.name !== 'severity' || m.isRegex) return m;
  const hit = known(m.value);
  return hit ? { ...m, value: hit } : m;
}

/** The rules in the file's words, for export (matchers always as a list). */
export function routesToFile(rules: readonly RouteRule[]): Record<string, unknown>[] {
  return rules.map((r) => {
    const out: Record<string, unknown> = {};
    if (r.name !== null) out.name = r.name;
    out.match = r.match.map(formatMatcher);
    if (r.service !== null) out.service = r.service;
    if (r.escalationPolicy !== null) out.escalation_policy = r.escalationPolicy;
    if (r.severity !== null) out.severity = r.severity;
    if (r.page !== null) out.page = r.page;
    if (r.channels.length) out.channels = r.channels;
    if (r.drop) out.drop = true;
    if (r.continue) out.continue = true;
    return out;
  });
}

/** The export's `routes` section, left out when there are no rules. */
export function routesSection(rules: readonly RouteRule[]): { routes?: Record<string, unknown>[] } {
  return rules.length ? { routes: routesToFile(rules) } : {};
}
