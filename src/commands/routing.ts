import { AppError } from '../domain/errors.js';
import { routeAlert, type RouteDecision, type RouteOutcome } from '../domain/routing/rules.js';
import { formatMatchers, type Labels } from '../domain/silence/matchers.js';
import type { AlertRow, NewAlertEvent } from '../store/alert.repo.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { NewPage } from '../store/page.repo.js';
import type { ServicesTable } from '../store/schema.js';
import { channelsFor } from '../notify/slack/slack-routing.js';
import { channelPage } from './notify-level.js';
import type { Ctx } from './context.js';
import { systemEventRow } from './timeline.js';

/**
 * Routing rules at work on ingest. Before the transaction, each event is matched against the org's
 * rules with the labels silences see (its labels plus `service` and the canonical `severity`), and
 * the decision re-homes it to another service, changes its severity, picks the escalation policy,
 * or drops it. When the alert opens, its timeline says which rule routed it and, for a
 * channels-only alert, where it was posted instead of paging anyone.
 */

/** What routing makes of one incoming event. */
export interface Routed {
  service: ServicesTable;
  severity: string;
  route: RouteDecision | null;
}

/** Labels rules (and silences) match on: the sender's, plus the service name and canonical severity. */
export function routingLabels(serviceName: string, labels: Labels, severity: string): Record<string, string> {
  return { service: serviceName, ...labels, severity };
}

/** Where the alert goes: `service`/`severity` as sent, unless a rule changes them. */
export function routeEvent(org: OrgSnapshot, service: ServicesTable, severity: string, labels: Labels): Routed {
  if (org.routes.length === 0) return { service, severity, route: null };
  const route = routeAlert(org.routes, routingLabels(service.name, labels, severity));
  if (!route) return { service, severity, route: null };
  // Names were checked when the rules were applied; a service removed since keeps the alert where it was sent.
  const target = route.service === null ? service : (serviceByName(org, route.service) ?? service);
  return { service: target, severity: route.severity ?? severity, route };
}

export function serviceByName(org: OrgSnapshot, name: string): ServicesTable | undefined {
  for (const s of org.services.values()) if (s.name === name) return s;
  return undefined;
}

function policyByName(org: OrgSnapshot, name: string) {
  for (const p of org.policies.values()) if (p.name === name) return p;
  return undefined;
}

/** The policy that pages a routed alert: none for channels-only, the rule's, or the service's own. */
export function routedPolicy(org: OrgSnapshot, p: { service: ServicesTable; route?: RouteDecision | null }) {
  if (p.route?.outcome === 'channels-only') return undefined;
  if (p.route?.escalationPolicy) {
    const chosen = policyByName(org, p.route.escalationPolicy);
    if (chosen) return chosen;
  }
  return p.service.escalation_policy_id ? org.policies.get(p.service.escalation_policy_id) : undefined;
}

/**
 * A trigger a rule drops is answered as accepted and written nowhere; only this counter (by rule)
 * shows it. Acknowledge and resolve events are never dropped: an alert opened before the rule
 * existed can still be closed by its sender.
 */
export function dropNow(ctx: Ctx, action: string, route: RouteDecision | null | undefined): boolean {
  if (action !== 'trigger' || route?.outcome !== 'drop') return false;
  ctx.metrics.routingDropped.inc({ rule: route.decidedBy.outcome ?? '' });
  return true;
}

/** Slack channels the service posts an alert of this severity to (see notify/slack). */
function slackChannels(org: OrgSnapshot, service: ServicesTable, a: { severity: string; class: string | null; labels: Record<string, string> }): string[] {
  const routing = org.slackRouting.get(service.id);
  return routing ? channelsFor(routing, a) : [];
}

function quoted(names: string[]): string {
  return `${names.length > 1 ? 'rules' : 'rule'} ${names.map((n) => `'${n}'`).join(', ')}`;
}

/** "Slack and teams-ops only, nobody paged", or why nothing was posted at all. */
function channelsOnlyText(slack: string[], channels: string[], severity: string): string {
  const where = [...(slack.length ? ['Slack'] : []), ...channels];
  if (where.length) return `${where.join(' and ')} only, nobody paged`;
  return `nobody paged, and posted nowhere: the service has no Slack channel for ${severity} alerts and the rule names no channels`;
}

/**
 * The timeline row saying which rules routed a new alert, and the pages to the rule's channels
 * (Teams channels, webhooks), due at once. A silenced or inhibited alert posts to no channel.
 */
export function routedNotes(org: OrgSnapshot, row: Pick<AlertRow, 'id' | 'severity' | 'class' | 'labels' | 'notify_seq'>, p: { service: ServicesTable; route?: RouteDecision | null }, now: number, muted: boolean): { events: NewAlertEvent[]; pages: NewPage[] } {
  const route = p.route;
  if (!route) return { events: [], pages: [] };
  const what: string[] = [];
  if (route.service !== null) what.push(`service ${p.service.name}`);
  if (route.severity !== null) what.push(`severity ${route.severity}`);
  if (route.escalationPolicy !== null && route.outcome === 'page') what.push(`policy ${route.escalationPolicy}`);
  const labels = JSON.parse(row.labels) as Record<string, string>;
  const slack = route.outcome === 'channels-only' ? slackChannels(org, p.service, { severity: row.severity, class: row.class, labels }) : [];
  if (route.outcome === 'channels-only') what.push(channelsOnlyText(slack, route.channels, row.severity));
  else if (route.channels.length) what.push(`also posted to ${route.channels.join(', ')}`);
  const names = route.matched.map((m) => m.name);
  const message = `routed by ${quoted(names)}: ${what.join(', ') || 'no change'}`;
  const events = [systemEventRow(row.id, now, 'routed', message, { rules: names, service: p.service.name, severity: row.severity, escalation_policy: route.escalationPolicy, outcome: route.outcome, channels: route.channels, slack_channels: slack })];
  const pages: NewPage[] = [];
  if (muted) return { events, pages };
  const urgency = org.severities.urgency(row.severity);
  for (const name of route.channels) {
    const ch = [...org.channels.values()].find((c) => c.name === name);
    if (!ch) continue;
    // One post per channel per alert: the route decides once, when the alert opens.
    pages.push(channelPage(ch, { pageKey: `${row.id}:route:channel:${ch.id}`, alertId: row.id, seq: row.notify_seq, level: 0, cycle: 0, now, urgency }));
  }
  return { events, pages };
}

/** The answer of "test route": what the rules make of an example alert. */
export interface RouteTest {
  labels: Record<string, string>;
  rules: { index: number; name: string; match: string; matched: boolean; decided: string[] }[];
  matched: string[];
  service: string | null;
  escalation_policy: string | null;
  severity: string;
  outcome: RouteOutcome;
  channels: string[];
  slack_channels: string[];
  /** One line for people: "channels only: Slack #alerts-warning; nobody paged". */
  summary: string;
}

/**
 * Evaluates the rules for labels as ingest would. `service` is where the alert arrives (an
 * integration's service); without it, the `service` label names it, as with an API token.
 */
export function testRoute(org: OrgSnapshot, input: { labels: Record<string, string>; service?: string | null }): RouteTest {
  const sev = org.severities.resolve(input.labels.severity);
  if (!sev.ok) throw AppError.invalid('labels.severity', sev.message);
  const arriving = input.service ? serviceByName(org, input.service) : undefined;
  if (input.service && !arriving) throw AppError.invalid('service', `no service named "${input.service}"`);
  const labelService = input.labels.service;
  const labels = { ...(arriving ? { service: arriving.name } : {}), ...input.labels, severity: sev.severity };
  const route = org.routes.length ? routeAlert(org.routes, labels) : null;
  const serviceName = route?.service ?? arriving?.name ?? labelService ?? null;
  const service = serviceName === null ? undefined : serviceByName(org, serviceName);
  const severity = route?.severity ?? sev.severity;
  const outcome: RouteOutcome = route?.outcome ?? 'page';
  const policy = service ? routedPolicy(org, { service, route }) : undefined;
  const slack = service && outcome !== 'drop' ? slackChannels(org, service, { severity, class: null, labels }) : [];
  const channels = route?.channels ?? [];
  const decided = (name: string) => Object.entries(route?.decidedBy ?? {}).filter(([, n]) => n === name).map(([k]) => k);
  let summary: string;
  if (outcome === 'drop') summary = `dropped by ${quoted([route?.decidedBy.outcome ?? ''])}: recorded nowhere`;
  else if (!service) summary = serviceName === null ? 'refused: no service; add a service label, or a rule that sets the service' : `refused: no service named "${serviceName}"`;
  else if (outcome === 'channels-only') summary = `${service.name}: ${channelsOnlyText(slack, channels, severity)}`;
  else summary = `${service.name}: pages ${policy ? `policy ${policy.name}` : 'nobody (the service has no escalation policy)'}${channels.length ? `, also posted to ${channels.join(', ')}` : ''}`;
  return {
    labels,
    rules: org.routes.map((r, i) => {
      const m = route?.matched.find((x) => x.index === i);
      return { index: i, name: m?.name ?? r.name ?? `rule #${i + 1}`, match: formatMatchers(r.match), matched: m !== undefined, decided: m ? decided(m.name) : [] };
    }),
    matched: route?.matched.map((m) => m.name) ?? [],
    service: service?.name ?? null,
    escalation_policy: outcome === 'page' ? (policy?.name ?? null) : null,
    severity,
    outcome,
    channels: outcome === 'drop' ? [] : channels,
    slack_channels: slack,
    summary,
  };
}

/**
 * The service a rule gives an alert that names none (Alertmanager API with an API token), or
 * undefined. Matched without a `service` label; once placed, ingest routes the alert again with
 * its new service's name, which picks the same rule unless a rule before it matches that name.
 */
export function serviceFromRoutes(org: OrgSnapshot, labels: Labels, rawSeverity: string | null | undefined): ServicesTable | undefined {
  if (org.routes.length === 0) return undefined;
  const sev = org.severities.resolve(rawSeverity);
  if (!sev.ok) return undefined;
  const route = routeAlert(org.routes, { ...labels, severity: sev.severity });
  return route?.service ? serviceByName(org, route.service) : undefined;
}
