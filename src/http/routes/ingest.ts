import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import type { Actor } from '../../commands/context.js';
import type { IngestResult } from '../../commands/ingest.js';
import { AppError } from '../../domain/errors.js';
import type { AlertEventInput } from '../../domain/alert/types.js';
import { sha256Hex } from '../../store/ids.js';
import { HOT_PATH_ORG_AGE_MS } from '../../store/org.repo.js';
import type { IntegrationKeysTable } from '../../store/schema.js';
import { parseAlertmanagerWebhook } from '../compat/alertmanager-webhook.js';
import { parseGenericEvent, verifyGenericSignature } from '../compat/generic-webhook.js';
import { PD_JSON_PARSE_ERROR_BODY, PD_MAX_BODY_BYTES, PD_TOO_LARGE_BODY, parsePagerDutyEvent } from '../compat/pagerduty-events.js';
import { toErrorBody } from '../errors.js';
import { RateLimiter } from '../rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

/**
 * Wire-compatible ingest. Each route authenticates by integration key, normalises the payload
 * with its parser (src/http/compat) and hands events to the group-commit ingestor; the response
 * is sent only after the transaction holding the event committed.
 */
export function ingestRoutes(app: App, opts: { ingestRateLimit: number }): void {
  const { ctx, http } = app;
  const limiter = new RateLimiter(opts.ingestRateLimit);

  const integrationFor = async (key: string, kind: string): Promise<IntegrationKeysTable | null> => {
    const org = await ctx.org.recent(ctx.store.db, HOT_PATH_ORG_AGE_MS);
    const i = org.integrationsByHash.get(sha256Hex(key));
    return i && i.kind === kind ? i : null;
  };
  const actorFor = (i: IntegrationKeysTable, surface: Actor['surface']): Actor => ({ kind: 'integration', id: i.id, name: i.name, surface });
  const submit = (i: IntegrationKeysTable, event: AlertEventInput, surface: Actor['surface']): Promise<IngestResult> =>
    app.ingestor.submit({ serviceId: i.service_id, integration: i, event, actor: actorFor(i, surface) });

  // PagerDuty Events API v2: same status codes and bodies as PagerDuty.
  http.post('/v2/enqueue', {
    bodyLimit: PD_MAX_BODY_BYTES * 2,
    errorHandler: (err, _req, reply) => {
      const code = (err as { code?: string }).code;
      if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(400).send(PD_TOO_LARGE_BODY);
      if ((err as { statusCode?: number }).statusCode === 400) return reply.status(400).send(PD_JSON_PARSE_ERROR_BODY);
      const { status } = toErrorBody(err);
      if (status >= 500) ctx.log.error({ err }, 'events v2 ingest failed');
      return reply.status(status >= 500 ? 500 : status).send({ status: 'error', message: status >= 500 ? 'Internal error; retry later' : String((err as Error).message), errors: [] });
    },
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      if ((req.rawBody?.length ?? 0) > PD_MAX_BODY_BYTES) {
        ctx.metrics.ingestEvents.inc({ source: 'events_v2', outcome: 'invalid' });
        return reply.status(400).send(PD_TOO_LARGE_BODY);
      }
      const parsed = parsePagerDutyEvent(req.body);
      if (!parsed.ok) {
        ctx.metrics.ingestEvents.inc({ source: 'events_v2', outcome: 'invalid' });
        return reply.status(400).send(parsed.body);
      }
      const integration = await integrationFor(parsed.routingKey, 'events_v2');
      if (!integration) {
        ctx.metrics.ingestEvents.inc({ source: 'events_v2', outcome: 'unknown_key' });
        return reply.status(400).send({ status: 'invalid event', message: 'Event object is invalid', errors: ["'routing_key' is not a known integration key; copy it from the service's Events API v2 integration"] });
      }
      if (!limiter.take(integration.id)) {
        ctx.metrics.ingestEvents.inc({ source: 'events_v2', outcome: 'rate_limited' });
        return reply.status(429).send({ status: 'throttle event', message: 'Requests for this routing key are arriving too quickly. Please retry later.', errors: [] });
      }
      try {
        const result = await submit(integration, parsed.event, 'events_v2');
        ctx.metrics.ingestEvents.inc({ source: 'events_v2', outcome: result.outcome });
        return reply.status(202).send({ status: 'success', message: 'Event processed', dedup_key: result.dedupKey });
      } catch (err) {
        if (err instanceof AppError && err.code === 'invalid') {
          ctx.metrics.ingestEvents.inc({ source: 'events_v2', outcome: 'invalid' });
          const field = err.field === 'severity' ? 'payload.severity' : (err.field ?? 'payload');
          return reply.status(400).send({ status: 'invalid event', message: 'Event object is invalid', errors: [`'${field}' ${err.message.replace(/^[^:]+: /, '')}`] });
        }
        throw err;
      }
    },
  });

  const withKey = async (req: FastifyRequest, kind: 'alertmanager' | 'generic'): Promise<IntegrationKeysTable> => {
    const { key } = req.params as { key: string };
    if (!/^[A-Za-z0-9]{32}$/.test(key)) throw new AppError('unauthorized', 'the integration key in the URL must be 32 letters or digits; copy the URL from the service page');
    const integration = await integrationFor(key, kind);
    if (!integration) throw new AppError('unauthorized', `unknown ${kind} integration key; copy the URL from the service page`);
    if (!limiter.take(integration.id)) throw new AppError('rate_limited', 'too many events for this integration key; retry later');
    return integration;
  };

  // Alertmanager webhook_configs (payload version 4): one alert per fingerprint.
  http.post('/integrations/alertmanager/:key', async (req, reply) => {
    const integration = await withKey(req, 'alertmanager');
    const parsed = parseAlertmanagerWebhook(req.body);
    if (!parsed.ok) {
      ctx.metrics.ingestEvents.inc({ source: 'alertmanager', outcome: 'invalid' });
      throw AppError.invalidMany(parsed.problems);
    }
    // Severities are mapped when the events commit, one by one; check them all first so that an
    // unknown value rejects the whole batch, as any other problem does, instead of a 400 for a
    // batch whose other alerts were stored (and paged).
    const org = await ctx.org.recent(ctx.store.db, HOT_PATH_ORG_AGE_MS);
    const severityProblems = parsed.events.flatMap((e, i) => {
      const r = org.severities.resolve(e.severity);
      return r.ok ? [] : [{ field: e.labels.severity !== undefined ? `alerts[${i}].labels.severity` : 'commonLabels.severity', message: r.message }];
    });
    if (severityProblems.length > 0) {
      ctx.metrics.ingestEvents.inc({ source: 'alertmanager', outcome: 'invalid' });
      throw AppError.invalidMany(severityProblems);
    }
    const results = await Promise.all(parsed.events.map((e) => submit(integration, e, 'alertmanager')));
    for (const r of results) ctx.metrics.ingestEvents.inc({ source: 'alertmanager', outcome: r.outcome });
    return reply.status(200).send({ status: 'success', alerts: results.map((r) => ({ dedup_key: r.dedupKey, alert_id: r.alertId, outcome: r.outcome })) });
  });

  // Generic JSON webhook, HMAC-signed over timestamp + "." + body, each signature usable once.
  http.post('/integrations/generic/:key', async (req, reply) => {
    const integration = await withKey(req, 'generic');
    const secret = integration.secret_env ? process.env[integration.secret_env] : undefined;
    if (!secret) {
      ctx.log.error({ integration: integration.name, env: integration.secret_env }, 'generic webhook secret variable is not set');
      throw new AppError('unavailable', `the integration's secret is not configured on the server (environment variable ${integration.secret_env ?? '(none)'}); ask an admin to set it`);
    }
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const verdict = verifyGenericSignature({
      secret,
      timestamp: header('x-watchkeeper-timestamp'),
      signature: header('x-watchkeeper-signature'),
      rawBody: req.rawBody ?? '',
      nowMs: ctx.clock.now(),
    });
    if (!verdict.ok) {
      ctx.metrics.ingestEvents.inc({ source: 'generic', outcome: 'bad_signature' });
      throw new AppError('unauthorized', verdict.message);
    }
    const parsed = parseGenericEvent(req.body);
    if (!parsed.ok) {
      ctx.metrics.ingestEvents.inc({ source: 'generic', outcome: 'invalid' });
      throw AppError.invalidMany(parsed.problems);
    }
    // Remember the signature before acting, so a replay is refused even if this request fails later.
    const now = ctx.clock.now();
    const fresh = await ctx.store.db
      .insertInto('webhook_replays')
      .values({ signature: `${integration.id}:${verdict.replayKey}`, seen_at: now })
      .onConflict((oc) => oc.column('signature').doNothing())
      .returning('signature')
      .executeTakeFirst();
    if (!fresh) {
      ctx.metrics.ingestEvents.inc({ source: 'generic', outcome: 'replay' });
      throw new AppError('unauthorized', 'this signature was already used (replayed request); sign each request with a fresh timestamp');
    }
    const result = await submit(integration, parsed.event, 'generic_webhook');
    ctx.metrics.ingestEvents.inc({ source: 'generic', outcome: result.outcome });
    return reply.status(202).send({ status: 'success', dedup_key: result.dedupKey, alert_id: result.alertId, outcome: result.outcome });
  });
}
