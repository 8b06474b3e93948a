import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from '../app.js';
import { Authenticator } from './auth.js';
import { errorHandler } from './errors.js';
import { ApiRouter } from './router.js';
import { alertmanagerApiRoutes } from './compat/alertmanager-api.js';
import { actionRoutes } from './routes/actions.js';
import { alertRoutes } from './routes/alerts.js';
import { calendarFeedRoutes } from './routes/calendar-feeds.js';
import { handoffRoutes } from './routes/handoffs.js';
import { contactMethodRoutes } from './routes/contact-methods.js';
import { ingestRoutes } from './routes/ingest.js';
import { opsRoutes } from './routes/ops.js';
import { orgRoutes } from './routes/org.js';
import { orgConfigRoutes } from './routes/org-config.js';
import { escalationPreviewRoutes } from './routes/escalation-preview.js';
import { reportRoutes } from './routes/reports.js';
import { simulateRoutes } from './routes/simulate.js';
import { compTimeRoutes } from './routes/comp-time.js';
import { reviewRoutes } from './routes/review.js';
import { scheduleRoutes } from './routes/schedules.js';
import { swapRequestRoutes } from './routes/swap-requests.js';
import { sessionRoutes } from './routes/session.js';
import { meRoutes } from './routes/me.js';
import { myTokenRoutes } from './routes/my-tokens.js';
import { silenceRoutes } from './routes/silences.js';
import { maintenanceRoutes } from './routes/maintenance.js';
import { heartbeatRoutes } from './routes/heartbeats.js';
import { incidentRoutes } from './routes/incidents.js';
import { postmortemRoutes } from './routes/postmortems.js';
import { statusPageRoutes } from './routes/status-page.js';
import { warRoomRoutes } from './routes/war-room.js';
import { routingRoutes } from './routes/routing.js';
import { slackRoutes } from './routes/slack.js';
import { twilioRoutes } from './routes/twilio.js';
import { registerWeb } from './web.js';

export interface HttpOptions {
  ingestRateLimit: number;
}

export function buildHttp(): FastifyInstance {
  const http = Fastify({
    logger: false,
    bodyLimit: 2 * 1024 * 1024,
    // Alertmanager and PagerDuty senders keep connections alive; match their pools.
    keepAliveTimeout: 65_000,
  });
  // Keep the raw text of JSON bodies: the generic webhook's signature is over the exact bytes.
  const defaultJson = http.getDefaultJsonParser('error', 'error');
  http.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    req.rawBody = text;
    if (text.length === 0) return done(null, undefined);
    defaultJson(req, text, done);
  });
  // Forms (the one-time link confirmation, Slack interactions, Twilio webhooks) arrive urlencoded.
  // The raw text is kept because Slack and Twilio sign it; fields are parsed by URLSearchParams,
  // the last value of a repeated name winning.
  http.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    req.rawBody = text;
    done(null, Object.fromEntries(new URLSearchParams(text)));
  });
  // Parses the Cookie header for the web UI's session; API clients use bearer tokens.
  void http.register(fastifyCookie);
  http.setErrorHandler(errorHandler);
  return http;
}

/** Registers every route; separate from construction because routes need the App's other parts. */
export function registerRoutes(app: App, opts: HttpOptions): ApiRouter {
  const router = new ApiRouter(app.http, app.auth);
  opsRoutes(app, router);
  ingestRoutes(app, opts);
  actionRoutes(app);
  alertRoutes(app, router);
  orgRoutes(app, router);
  orgConfigRoutes(app, router);
  escalationPreviewRoutes(app, router);
  reportRoutes(app, router);
  simulateRoutes(app, router);
  compTimeRoutes(app, router);
  reviewRoutes(app, router);
  scheduleRoutes(app, router);
  swapRequestRoutes(app, router);
  calendarFeedRoutes(app, router);
  handoffRoutes(app, router);
  contactMethodRoutes(app, router);
  sessionRoutes(app, router);
  meRoutes(app, router);
  myTokenRoutes(app, router);
  slackRoutes(app, router);
  twilioRoutes(app, router);
  alertmanagerApiRoutes(app);
  silenceRoutes(app, router);
  maintenanceRoutes(app, router);
  heartbeatRoutes(app, router);
  incidentRoutes(app, router);
  postmortemRoutes(app, router);
  statusPageRoutes(app, router);
  warRoomRoutes(app, router);
  routingRoutes(app, router);
  registerWeb(app.http);
  return router;
}

export { Authenticator };
