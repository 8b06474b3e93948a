import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.js';
import { handleInboundSms, handleStatusCallback, voiceAlertScript, voiceKeys, voiceNoticeScript } from '../../notify/twilio/inbound.js';
import { formParams, verifyTwilioSignature } from '../../notify/twilio/signature.js';
import { twiml } from '../../notify/twilio/twiml.js';
import { TWILIO_PATHS, inboundSmsUrl, statusCallbackUrl } from '../../notify/twilio/urls.js';
import { listOptOuts } from '../../store/twilio.repo.js';
import type { ApiRouter } from '../router.js';

/**
 * Twilio's webhooks and the integration's status:
 *
 *   POST /integrations/twilio/sms           a text to the Twilio number (reply codes, STOP, START, HELP)
 *   POST /integrations/twilio/voice         an alert call was answered: its script (TwiML)
 *   POST /integrations/twilio/voice/keys    a key pressed in an alert call
 *   POST /integrations/twilio/voice/notice  a notice call was answered
 *   POST /integrations/twilio/status        how a message or call ended (delivery receipts)
 *   GET  /api/v1/integrations/twilio        configured or not, the number, the webhook URLs, opt-outs
 *
 * Every webhook must carry a valid X-Twilio-Signature over the public URL and its parameters; a
 * request without one is answered 403 before anything is read or changed. Twilio signs the URL it
 * was given, so the signature is checked against WATCHKEEPER_PUBLIC_URL + the request path, which
 * holds behind a reverse proxy as long as the public URL is what Twilio calls.
 */
const iso = (ms: number) => new Date(ms).toISOString();

export function twilioRoutes(app: App, router: ApiRouter): void {
  const { ctx, http } = app;

  /** True when the request may go on; otherwise the reply is already sent. */
  const signed = (req: FastifyRequest, reply: FastifyReply): Record<string, string> | null => {
    const twilio = app.twilio;
    if (!twilio) {
      void reply.status(404).type('text/plain; charset=utf-8').send('Twilio is not configured on this server: set WATCHKEEPER_TWILIO_ACCOUNT_SID, WATCHKEEPER_TWILIO_AUTH_TOKEN and WATCHKEEPER_TWILIO_FROM');
      return null;
    }
    const url = `${ctx.publicUrl.replace(/\/+$/, '')}${req.url}`;
    const header = req.headers['x-twilio-signature'];
    const params = formParams(req.rawBody);
    if (!verifyTwilioSignature(twilio.authToken, typeof header === 'string' ? header : undefined, url, params)) {
      ctx.log.warn({ component: 'twilio', url, ip: req.ip }, 'Twilio webhook with a missing or wrong signature rejected');
      void reply.status(403).type('text/plain; charset=utf-8').send('invalid X-Twilio-Signature: the request was not signed by this Twilio account for this URL');
      return null;
    }
    return Object.fromEntries(params);
  };

  const sendTwiml = (reply: FastifyReply, xml: string) => reply.status(200).type('text/xml; charset=utf-8').header('Cache-Control', 'no-store').send(xml);

  /** Query parameters Watchkeeper put in the URL it gave Twilio (signed with it). */
  const queryInt = (req: FastifyRequest, name: string): number | null => {
    const v = (req.query as Record<string, unknown>)[name];
    return typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : null;
  };

  http.post(TWILIO_PATHS.sms, async (req, reply) => {
    const p = signed(req, reply);
    if (!p) return reply;
    const answer = await handleInboundSms(ctx, p.From ?? '', p.Body ?? '');
    return sendTwiml(reply, answer === null ? twiml() : twiml({ message: answer }));
  });

  http.post(TWILIO_PATHS.voice, async (req, reply) => {
    const p = signed(req, reply);
    if (!p) return reply;
    const alertId = queryInt(req, 'alert');
    const code = queryInt(req, 'code');
    if (alertId === null || code === null) return reply.status(400).type('text/plain; charset=utf-8').send('alert and code query parameters are required');
    return sendTwiml(reply, await voiceAlertScript(ctx, p.To ?? '', alertId, code, queryInt(req, 'more') ?? 0));
  });

  http.post(TWILIO_PATHS.voiceKeys, async (req, reply) => {
    const p = signed(req, reply);
    if (!p) return reply;
    const alertId = queryInt(req, 'alert');
    const code = queryInt(req, 'code');
    if (alertId === null || code === null) return reply.status(400).type('text/plain; charset=utf-8').send('alert and code query parameters are required');
    return sendTwiml(reply, await voiceKeys(ctx, p.To ?? '', alertId, code, (p.Digits ?? '').trim()));
  });

  http.post(TWILIO_PATHS.voiceNotice, async (req, reply) => {
    const p = signed(req, reply);
    if (!p) return reply;
    const noticeId = queryInt(req, 'notice');
    if (noticeId === null) return reply.status(400).type('text/plain; charset=utf-8').send('notice query parameter is required');
    return sendTwiml(reply, await voiceNoticeScript(ctx, p.To ?? '', noticeId));
  });

  http.post(TWILIO_PATHS.status, async (req, reply) => {
    const p = signed(req, reply);
    if (!p) return reply;
    await handleStatusCallback(ctx, p);
    return reply.status(204).send();
  });

  router.add({
    method: 'GET',
    url: '/api/v1/integrations/twilio',
    summary: 'SMS and voice through Twilio: whether it is configured, the sending number, the webhook URL to set in Twilio, and numbers that texted STOP (admins see the numbers)',
    tag: 'integrations',
    role: 'viewer',
    handler: async (req) => {
      const twilio = app.twilio;
      const admin = req.principal?.role === 'admin';
      const optOuts = await listOptOuts(ctx.store.db);
      return {
        configured: twilio !== null,
        channels: ['sms', 'voice'].filter((c) => app.senders.get(c) !== undefined),
        account_sid: twilio ? `${twilio.accountSid.slice(0, 6)}…${twilio.accountSid.slice(-4)}` : null,
        from: twilio?.from ?? null,
        api_url: twilio?.apiUrl ?? null,
        webhooks: { incoming_sms: inboundSmsUrl(ctx.publicUrl), status_callback: statusCallbackUrl(ctx.publicUrl) },
        opted_out: {
          count: optOuts.length,
          numbers: admin ? optOuts.map((o) => ({ phone: o.phone, users: o.users, keyword: o.keyword, opted_out_at: iso(o.optedOutAt) })) : null,
        },
      };
    },
  });
}
