import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { alertsMatching, expireSilence, getSilence, listSilences, matchLabels, saveSilence, silenceState, type Silence } from '../../commands/silences.js';
import { alertmanagerFingerprint } from '../../domain/alert/fingerprint.js';
import { AppError } from '../../domain/errors.js';
import { formatMatchers, matchesAll, parseMatchers, MatcherError, type Matcher } from '../../domain/silence/matchers.js';
import type { AlertRow } from '../../store/alert.repo.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import { actorOf, credentialOf, requireRole } from '../auth.js';
import type { Role } from '../../commands/tokens.js';
import type { IngestResult } from '../../commands/ingest.js';
import { sha256Hex } from '../../store/ids.js';
import { HOT_PATH_ORG_AGE_MS } from '../../store/org.repo.js';
import type { IntegrationKeysTable } from '../../store/schema.js';
import { parseAlertmanagerWebhook } from './alertmanager-webhook.js';
import { alertmanagerGroups } from './alertmanager-groups.js';
import { serviceFromRoutes } from '../../commands/routing.js';
import { alertmanagerConfig, alertmanagerReceivers, receiversOf } from './alertmanager-routes.js';

/**
 * The Alertmanager API v2 surface that amtool and other Alertmanager clients use (research note
 * §1.2–§1.6, wire format of Alertmanager 0.25): silences, status, receivers and the alert list.
 * Errors keep Alertmanager's shapes: handler errors are a JSON-encoded string with 400/404/500,
 * schema errors 422 `{code, message}`. Authentication is an API token, as a bearer token or as the
 * password of basic auth (amtool's `http.config.file`).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Go's zero time, which amtool sends for times it was not given. */
const ZERO_TIME = /^0001-01-01T00:00:00(\.0+)?Z$/;
const STARTED = Date.now();

class AmError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body));
  }
}

const schemaError = (code: number, message: string) => new AmError(422, { code, message });

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function presentSilence(s: Silence, now: number): Record<string, unknown> {
  return {
    id: s.id,
    // Alertmanager knows no approval: a silence waiting for one silences nothing yet, like a pending one.
    status: { state: s.approval === 'pending' && silenceState(s, now) === 'active' ? 'pending' : silenceState(s, now) },
    updatedAt: iso(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: iso(s.endsAt),
    matchers: s.matchers.map((m) => ({ isEqual: m.isEqual, isRegex: m.isRegex, name: m.name, value: m.value })),
    startsAt: iso(s.startsAt),
  };
}

/** An alert as Alertmanager's GET /api/v2/alerts shows it. */
export function presentAmAlert(a: AlertRow, org: OrgSnapshot, now: number, fingerprintOf: (alertId: number) => string | undefined = () => undefined): Record<string, unknown> {
  const labels = amLabels(a, org);
  const annotations: Record<string, string> = { summary: a.summary };
  const details = a.details ? (JSON.parse(a.details) as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(details)) if (typeof v === 'string' && k !== 'summary') annotations[k] = v;
  return {
    annotations,
    endsAt: iso(a.resolved_at ?? now + 5 * 60_000),
    fingerprint: alertmanagerFingerprint(labels),
    receivers: receiversOf(org.routes, labels),
    startsAt: iso(a.first_seen_at),
    status: {
      inhibitedBy: a.inhibited_by !== null ? [fingerprintOf(a.inhibited_by) ?? String(a.inhibited_by)] : [],
      silencedBy: a.silenced_by ? [a.silenced_by] : [],
      state: a.silenced_by || a.inhibited_by !== null ? 'suppressed' : 'active',
    },
    updatedAt: iso(a.updated_at),
    generatorURL: (JSON.parse(a.links) as { href: string }[])[0]?.href ?? '',
    labels,
  };
}

function amLabels(a: AlertRow, org: OrgSnapshot): Record<string, string> {
  const labels = matchLabels(a, org.services.get(a.service_id)?.name);
  if (labels.alertname === undefined) labels.alertname = a.class ?? a.summary.slice(0, 100);
  return labels;
}

function bool(q: unknown, name: string, dflt: boolean): boolean {
  if (q === undefined) return dflt;
  if (q === 'true') return true;
  if (q === 'false') return false;
  throw schemaError(601, `${name} in query must be of type boolean: "${String(q)}"`);
}

function filters(raw: unknown): Matcher[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out: Matcher[] = [];
  for (const f of list) {
    try {
      out.push(...parseMatchers(String(f)));
    } catch (err) {
      if (err instanceof MatcherError) throw new AmError(400, `bad matcher format: ${String(f)}`);
      throw err;
    }
  }
  return out;
}

function parseTime(v: unknown, field: string, required: boolean): number | null {
  if (v === undefined || v === null || v === '') {
    if (required) throw schemaError(602, `${field} in body is required`);
    return null;
  }
  if (typeof v !== 'string') throw schemaError(602, `${field} in body must be of type string`);
  if (ZERO_TIME.test(v)) return null;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw schemaError(602, `${field} in body must be of type date-time: "${v}"`);
  return t;
}

function postableSilence(body: unknown): { id?: string; matchers: Matcher[]; startsAt: number | null; endsAt: number | null; createdBy: string; comment: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AmError(400, { code: 400, message: 'parsing silence body from "" failed, because the body must be a JSON object' });
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.matchers)) throw schemaError(602, 'matchers in body is required');
  if (b.matchers.length === 0) throw schemaError(612, 'matchers in body should have at least 1 items');
  const matchers = b.matchers.map((m: unknown, i): Matcher => {
    const r = (m ?? {}) as Record<string, unknown>;
    if (typeof r.name !== 'string') throw schemaError(602, `matchers.${i}.name in body is required`);
    if (typeof r.value !== 'string') throw schemaError(602, `matchers.${i}.value in body is required`);
    if (typeof r.isRegex !== 'boolean') throw schemaError(602, `matchers.${i}.isRegex in body is required`);
    return { name: r.name, value: r.value, isRegex: r.isRegex, isEqual: typeof r.isEqual === 'boolean' ? r.isEqual : true };
  });
  for (const f of ['createdBy', 'comment'] as const) if (typeof b[f] !== 'string') throw schemaError(602, `${f} in body is required`);
  const id = b.id === undefined || b.id === '' ? undefined : String(b.id);
  return { ...(id ? { id } : {}), matchers, startsAt: parseTime(b.startsAt, 'startsAt', true), endsAt: parseTime(b.endsAt, 'endsAt', true), createdBy: b.createdBy as string, comment: b.comment as string };
}

/**
 * Alertmanager's postable alerts as the webhook receiver's alerts, so both ways in share one
 * parser: an alert whose endsAt has passed is resolved, any other is firing (Prometheus re-sends
 * firing alerts with endsAt a few minutes ahead, and those repeats deduplicate by fingerprint).
 */
export function postableAsWebhook(body: unknown, now: number): { ok: true; webhook: Record<string, unknown> } | { ok: false; error: string } {
  if (!Array.isArray(body)) return { ok: false, error: 'parsing alerts body failed: the body must be a JSON array of alerts' };
  const alerts: Record<string, unknown>[] = [];
  for (const [i, raw] of body.entries()) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: `${i}: alert must be an object` };
    const a = raw as Record<string, unknown>;
    if (typeof a.labels !== 'object' || a.labels === null) return { ok: false, error: `${i}.labels in body is required` };
    const labels = Object.fromEntries(Object.entries(a.labels as Record<string, unknown>).filter(([, v]) => v !== ''));
    if (Object.keys(labels).length === 0) return { ok: false, error: 'at least one label pair required' };
    for (const name of Object.keys(labels)) if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) return { ok: false, error: `invalid label set: invalid name "${name}"` };
    const time = (v: unknown) => (typeof v === 'string' && v !== '' && !ZERO_TIME.test(v) ? Date.parse(v) : null);
    const startsAt = time(a.startsAt);
    const endsAt = time(a.endsAt);
    if (startsAt !== null && endsAt !== null && endsAt < startsAt) return { ok: false, error: 'start time must be before end time' };
    alerts.push({
      status: endsAt !== null && endsAt <= now ? 'resolved' : 'firing',
      labels,
      annotations: a.annotations ?? {},
      startsAt: typeof a.startsAt === 'string' ? a.startsAt : undefined,
      endsAt: typeof a.endsAt === 'string' ? a.endsAt : undefined,
      generatorURL: typeof a.generatorURL === 'string' ? a.generatorURL : undefined,
    });
  }
  return { ok: true, webhook: { version: '4', alerts } };
}

export function alertmanagerApiRoutes(app: App): void {
  const { ctx, http } = app;

  /**
   * POST /api/v2/alerts, as Prometheus and `amtool alert add` send it. With an Alertmanager
   * integration key (as bearer token, basic-auth password, or in the path when Prometheus's
   * `path_prefix` is /integrations/alertmanager/<key>) alerts go to that key's service; with an
   * API token, to the service their `service` label names.
   */
  const postAlerts = async (req: FastifyRequest, reply: FastifyReply, pathKey: string | null) => {
    const send = (status: number, body: unknown) => reply.status(status).type('application/json').send(JSON.stringify(body));
    const org = await ctx.org.recent(ctx.store.db, HOT_PATH_ORG_AGE_MS);
    const cred = pathKey ?? credentialOf(req.headers.authorization);
    let integration: IntegrationKeysTable | null = null;
    let actor = null as null | { kind: 'integration' | 'user' | 'token'; id: string | null; name: string; surface: 'alertmanager' };
    if (cred) {
      const i = org.integrationsByHash.get(sha256Hex(cred));
      if (i && i.kind === 'alertmanager') {
        integration = i;
        actor = { kind: 'integration', id: i.id, name: i.name, surface: 'alertmanager' };
      }
    }
    if (!integration) {
      if (pathKey) return send(401, 'unknown alertmanager integration key; copy the URL from the service page');
      try {
        const p = await authed(req, 'responder');
        actor = { kind: p.userId ? 'user' : 'token', id: p.userId ?? p.tokenId, name: p.userName ?? p.name, surface: 'alertmanager' };
      } catch (err) {
        if (err instanceof AppError) return send(err.code === 'forbidden' ? 403 : 401, err.message);
        throw err;
      }
    }
    const converted = postableAsWebhook(req.body, ctx.clock.now());
    if (!converted.ok) return send(400, converted.error);
    const parsed = parseAlertmanagerWebhook(converted.webhook);
    if (!parsed.ok) return send(400, parsed.problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    const items: { serviceId: string; event: (typeof parsed.events)[number] }[] = [];
    for (const [i, e] of parsed.events.entries()) {
      let serviceId = integration?.service_id;
      if (!serviceId) {
        const name = e.labels.service;
        // Without a service label, a routing rule that sets the service may place the alert.
        const svc = name === undefined ? serviceFromRoutes(org, e.labels, e.severity) : [...org.services.values()].find((x) => x.name === name || x.id === name);
        if (!svc) return send(400, `${i}.labels.service: ${name === undefined ? 'is required when posting with an API token' : `no service named "${name}"`}; or post with the service's Alertmanager integration key`);
        serviceId = svc.id;
      }
      const sev = org.severities.resolve(e.severity);
      if (!sev.ok) return send(400, `${i}.labels.severity: ${sev.message}`);
      items.push({ serviceId, event: e });
    }
    const results: IngestResult[] = await Promise.all(items.map((it) => app.ingestor.submit({ serviceId: it.serviceId, integration, event: it.event, actor: actor! })));
    for (const r of results) ctx.metrics.ingestEvents.inc({ source: 'alertmanager_api', outcome: r.outcome });
    return reply.status(200).send();
  };
  http.post('/api/v2/alerts', (req, reply) => postAlerts(req, reply, null));
  http.post('/integrations/alertmanager/:key/api/v2/alerts', (req, reply) => postAlerts(req, reply, (req.params as { key: string }).key));

  const authed = async (req: FastifyRequest, role: Role) => {
    req.principal = await app.auth.principal(req);
    requireRole(req.principal, role);
    return req.principal;
  };

  const handle =
    (role: Role, fn: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        await authed(req, role);
        return await fn(req, reply);
      } catch (err) {
        if (err instanceof AmError) return reply.status(err.status).type('application/json').send(JSON.stringify(err.body));
        if (err instanceof AppError) {
          const status = { invalid: 400, not_found: 404, conflict: 400, forbidden: 403, unauthorized: 401, rate_limited: 429, unavailable: 503 }[err.code];
          return reply.status(status).type('application/json').send(JSON.stringify(err.message));
        }
        throw err;
      }
    };

  http.get(
    '/api/v2/status',
    handle('viewer', async () => ({
      cluster: { name: 'watchkeeper', status: 'ready', peers: [] },
      // amtool's `config routes test` evaluates this tree: the routing rules, one route each.
      config: { original: await ctx.org.get(ctx.store.db).then((org) => alertmanagerConfig(org.routes, org.severities.scale)) },
      versionInfo: { version: '0.25.0', revision: 'watchkeeper', branch: 'watchkeeper', buildUser: 'watchkeeper', buildDate: '', goVersion: '' },
      uptime: iso(STARTED),
    })),
  );

  http.get('/api/v2/receivers', handle('viewer', async () => alertmanagerReceivers((await ctx.org.get(ctx.store.db)).routes)));

  http.get(
    '/api/v2/silences',
    handle('viewer', async (req) => {
      const q = req.query as Record<string, unknown>;
      const wanted = filters(q.filter);
      const now = ctx.clock.now();
      const show = { active: bool(q.active, 'active', true), pending: bool(q.pending, 'pending', true), expired: bool(q.expired, 'expired', true) };
      const all = await listSilences(ctx.store.db, now);
      // Alertmanager filters silences structurally: each filter matcher must be one of the silence's.
      const structural = (s: Silence) => wanted.every((f) => s.matchers.some((m) => formatMatchers([m]) === formatMatchers([f])));
      return all.filter((s) => show[silenceState(s, now)] && structural(s)).map((s) => presentSilence(s, now));
    }),
  );

  http.post(
    '/api/v2/silences',
    handle('responder', async (req) => {
      const input = postableSilence(req.body);
      if (input.id !== undefined && !UUID.test(input.id)) throw new AmError(404, 'silence not found');
      if (input.endsAt === null) throw new AmError(400, "Failed to create silence: end time can't be in the past");
      try {
        const r = await saveSilence(ctx, actorOf(req), { ...input, endsAt: input.endsAt });
        return { silenceID: r.id };
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') throw new AmError(404, 'silence not found');
        if (err instanceof AppError && err.code === 'invalid') throw new AmError(400, `Failed to create silence: ${err.field === 'endsAt' ? err.message.replace(/^endsAt: /, '') : err.message}`);
        throw err;
      }
    }),
  );

  http.get(
    '/api/v2/silence/:id',
    handle('viewer', async (req) => {
      const { id } = req.params as { id: string };
      if (!UUID.test(id)) throw schemaError(601, `silenceID in path must be of type uuid: "${id}"`);
      const s = await getSilence(ctx.store.db, id);
      if (!s) throw new AmError(404, 'silence not found');
      return presentSilence(s, ctx.clock.now());
    }),
  );

  http.delete(
    '/api/v2/silence/:id',
    handle('responder', async (req, reply) => {
      const { id } = req.params as { id: string };
      if (!UUID.test(id)) throw schemaError(601, `silenceID in path must be of type uuid: "${id}"`);
      try {
        await expireSilence(ctx, actorOf(req), id);
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') throw new AmError(404, 'silence not found');
        throw err;
      }
      return reply.status(200).send();
    }),
  );

  http.get(
    '/api/v2/alerts',
    handle('viewer', async (req) => {
      const q = req.query as Record<string, unknown>;
      const wanted = filters(q.filter);
      const showSilenced = bool(q.silenced, 'silenced', true);
      const showActive = bool(q.active, 'active', true);
      bool(q.unprocessed, 'unprocessed', true);
      const org = await ctx.org.get(ctx.store.db);
      const now = ctx.clock.now();
      const showInhibited = bool(q.inhibited, 'inhibited', true);
      const all = await alertsMatching(ctx.store.db, org, [], 10_000);
      const fingerprints = new Map(all.map((a) => [a.id, alertmanagerFingerprint(amLabels(a, org))]));
      const open = wanted.length ? all.filter((a) => matchesAll(wanted, matchLabels(a, org.services.get(a.service_id)?.name))) : all;
      return open
        .filter((a) => (a.silenced_by ? showSilenced : a.inhibited_by !== null ? showInhibited : showActive))
        .map((a) => presentAmAlert(a, org, now, (id) => fingerprints.get(id)))
        .sort((x, y) => String(x.fingerprint).localeCompare(String(y.fingerprint)));
    }),
  );

  http.get(
    '/api/v2/alerts/groups',
    handle('viewer', async (req) => {
      const q = req.query as Record<string, unknown>;
      const wanted = filters(q.filter);
      const org = await ctx.org.get(ctx.store.db);
      const now = ctx.clock.now();
      // The services' alert groups (018-grouping); ungrouped alerts by alertname.
      return alertmanagerGroups(ctx.store.db, await alertsMatching(ctx.store.db, org, wanted, 10_000), (a) => presentAmAlert(a, org, now));
    }),
  );
}

