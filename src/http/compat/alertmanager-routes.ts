import { stringify } from 'yaml';
import { routeAlert, ruleOutcome, type RouteRule } from '../../domain/routing/rules.js';
import { formatMatcher, type Matcher } from '../../domain/silence/matchers.js';
import type { SeverityScale } from '../../domain/severity/severity.js';

/**
 * The routing rules as an Alertmanager configuration, for `GET /api/v2/status` (`config.original`).
 * amtool parses it and evaluates the route tree itself, so `amtool config routes test
 * severity=warning` prints the receiver of the rule the alert hits. Each rule becomes one child
 * route of the root, in order, with its matchers and `continue`; the root's receiver
 * (`watchkeeper`, the receiver every alert shows in the API) is where an alert no rule matches goes:
 * its own service's escalation policy.
 *
 * Receivers are named after what the rule does, since there is nothing else to send to:
 * `page`, `page:<service>`, `channels-only:slack+<channel>…`, `drop`, with `:policy=<name>`,
 * `:severity=<name>` and `:channels=<a>+<b>` when the rule sets them.
 *
 * Every rule can be written as such a route; what amtool cannot know is told here instead:
 * - the `service` label: Watchkeeper matches the name of the service an alert arrives on when the
 *   alert has no such label; amtool sees only the labels it is given;
 * - severity: rules match the scale's name (`medium`), so an equality on it becomes a regex over the
 *   name and its aliases (`severity=~"medium|warning|warn|p3|sev3|minor"`); Watchkeeper also
 *   ignores case there, amtool does not;
 * - with `continue`, amtool lists every matched rule's receiver, while Watchkeeper combines them
 *   into one decision in which the first rule that sets a field wins.
 */

const ROOT = 'watchkeeper';

export function receiverName(r: RouteRule): string {
  const outcome = ruleOutcome(r) ?? 'page';
  if (outcome === 'drop') return 'drop';
  const parts: string[] = [outcome];
  if (r.service !== null) parts.push(r.service);
  if (outcome === 'channels-only') parts.push(['slack', ...r.channels].join('+'));
  if (r.escalationPolicy !== null) parts.push(`policy=${r.escalationPolicy}`);
  if (r.severity !== null) parts.push(`severity=${r.severity}`);
  if (outcome !== 'channels-only' && r.channels.length) parts.push(`channels=${r.channels.join('+')}`);
  return parts.join(':');
}

/** `severity="medium"` → `severity=~"medium|warning|…"`: what a sender may call that severity. */
function withAliases(m: Matcher, scale: SeverityScale): Matcher {
  if (m.name !== 'severity' || m.isRegex) return m;
  const level = scale.levels.find((l) => l.name === m.value);
  if (!level || level.aliases.length === 0) return m;
  return { ...m, isRegex: true, value: [level.name, ...level.aliases].map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') };
}

export function alertmanagerConfig(rules: readonly RouteRule[], scale: SeverityScale): string {
  const receivers = alertmanagerReceivers(rules);
  const route: Record<string, unknown> = {
    receiver: ROOT,
    group_by: ['alertname'],
    group_wait: '30s',
    group_interval: '5m',
    repeat_interval: '4h',
  };
  if (rules.length) {
    route.routes = rules.map((r) => ({
      receiver: receiverName(r),
      matchers: r.match.map((m) => formatMatcher(withAliases(m, scale))),
      ...(r.continue ? { continue: true } : {}),
    }));
  }
  const header = rules.length ? '# Watchkeeper routing rules as an Alertmanager route tree, one child route per rule, in order.\n' : '';
  return header + stringify({ global: { resolve_timeout: '5m' }, route, receivers, templates: [] });
}

/** The receivers an alert with these labels reaches in that tree (every matched rule's, as amtool lists them). */
export function receiversOf(rules: readonly RouteRule[], labels: Record<string, string>): { name: string }[] {
  const d = rules.length ? routeAlert(rules, labels) : null;
  if (!d) return [{ name: ROOT }];
  return [...new Set(d.matched.map((m) => receiverName(rules[m.index]!)))].map((name) => ({ name }));
}

/** Receiver names for `GET /api/v2/receivers`. */
export function alertmanagerReceivers(rules: readonly RouteRule[]): { name: string }[] {
  return [ROOT, ...rules.map(receiverName)].filter((n, i, all) => all.indexOf(n) === i).map((name) => ({ name }));
}
