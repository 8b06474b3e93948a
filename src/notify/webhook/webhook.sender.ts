/**
 * Webhook pages: one JSON POST per page to the contact method's URL.
 *
 * Payload (version "watchkeeper.page.v1"; fields are only ever added within a version):
 *
 *   {
 *     "version": "watchkeeper.page.v1",
 *     "event": "alert.page",
 *     "test": false,                       // true for a test page: nothing is wrong, no action needed
 *     "page_id": 981,                      // stable across retries of one page: use it to drop duplicates
 *     "sent_at": "2026-03-08T08:00:05.000Z",
 *     "alert": {
 *       "id": 42,
 *       "url": "https://watchkeeper.example.com/alerts/42",
 *       "summary": "Error rate above 5%",
 *       "severity": "critical",
 *       "status": "triggered",             // triggered | acknowledged | resolved
 *       "service": { "id": "checkout-api", "name": "Checkout API" },
 *       "source": "prometheus-eu-1",       // or null
 *       "dedup_key": "checkout-error-rate",
 *       "count": 3,                        // how many times the alert fired
 *       "created_at": "2026-03-08T08:00:00.000Z",
 *       "details": { ... },                // as sent by the alert source, or null
 *       "links": [{ "href": "https://…", "text": "Dashboard" }],
 *       "runbook": { "url": "https://…", "steps": "1. …" }   // the service's runbook for it, or null
 *     },
 *     "user": { "id": "u-alice", "name": "Alice", "email": "alice@example.com" },
 *     "escalation": {
 *       "level": 1,                        // 1 = the policy's first level, as shown in the UI
 *       "repeat": 0                        // 0 on the first pass through the policy, n on its n-th repeat
 *     },
 *     "actions": {                         // one-click links, or null where not available
 *       "acknowledge_url": "https://watchkeeper.example.com/a/…",
 *       "resolve_url": "https://watchkeeper.example.com/a/…"
 *     },
 *     "bundle": null                       // or, when one message carries several alerts:
 *   }
 *
 * Bundles: when the person was paged more often than the channel's noise limit allows (see
 * src/notify/throttle.ts), the pages that waited go out as one request. `alert` is then the first
 * of them, `actions` are null, `page_id` is the first page's id, and `bundle` lists every alert the
 * request carries, the first one included:
 *
 *     "bundle": {
 *       "count": 5,
 *       "url": "https://watchkeeper.example.com/alerts",     // the open alerts in the web UI
 *       "alerts": [
 *         { "id": 42, "url": "https://…/alerts/42", "summary": "Disk full", "severity": "critical",
 *           "service": { "id": "clipper", "name": "Clipper Critical" } },
 *         …
 *       ]
 *     }
 *
 * Headers: Content-Type: application/json, User-Agent: Watchkeeper/0.1, X-Watchkeeper-Event,
 * X-Watchkeeper-Page-Id and, when the contact method names a secret:
 *
 *   X-Watchkeeper-Timestamp: <unix seconds>
 *   X-Watchkeeper-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
 *
 * Receivers should recompute the signature over the raw body, compare in constant time and reject
 * timestamps more than a few minutes old, which stops replays of a captured request.
 */
import { createHmac } from 'node:crypto';
import { Agent, request, type Dispatcher } from 'undici';
import type { NoticeMessage, PageMessage, SendResult, Sender } from '../sender.js';
import { errorMessage, failed, isWebUrl, sent } from '../sender.js';

export const PAYLOAD_VERSION = 'watchkeeper.page.v1';
export const USER_AGENT = 'Watchkeeper/0.1';

export interface WebhookSenderOptions {
  /** Milliseconds since the Unix epoch; injectable so tests can pin the signed timestamp. */
  now?: () => number;
  /** Defaults to 10 s. */
  timeoutMs?: number;
  /** Reads secrets by name; defaults to process.env, read at send time so a rotated secret applies at once. */
  env?: Record<string, string | undefined>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_ERROR_BODY = 300;

export class WebhookSender implements Sender {
  readonly channel: string = 'webhook';
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly env: Record<string, string | undefined>;
  /**
   * undici's request API over kept-alive connections: fetch() costs several times more CPU per
   * call, which in an alert storm is the difference between pages in milliseconds and seconds.
   */
  private readonly dispatcher: Agent;

  constructor(opts: WebhookSenderOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.env = opts.env ?? process.env;
    this.dispatcher = new Agent({ connections: 128, keepAliveTimeout: 30_000, connect: { timeout: this.timeoutMs } });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  async send(msg: PageMessage): Promise<SendResult> {
    const at = this.now();
    return this.post(msg, JSON.stringify(webhookPayload(msg, at)), at, { 'X-Watchkeeper-Event': 'alert.page', 'X-Watchkeeper-Page-Id': String(msg.pageId) });
  }

  /** A notice is posted with event "notice" (see noticePayload), signed like a page. */
  async notify(msg: NoticeMessage): Promise<SendResult> {
    const at = this.now();
    return this.post(msg, JSON.stringify(noticePayload(msg, at)), at, { 'X-Watchkeeper-Event': 'notice', 'X-Watchkeeper-Notice-Id': String(msg.noticeId) });
  }

  private async post(msg: PageMessage | NoticeMessage, body: string, at: number, extra: Record<string, string>): Promise<SendResult> {
    if (!isWebUrl(msg.destination)) {
      return failed(false, 'webhook destination must be an http:// or https:// URL');
    }
    const secret = this.secretFor(msg);
    if (!secret.ok) return failed(false, secret.error);
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT, ...extra };
    if (secret.value !== null) Object.assign(headers, signatureHeaders(secret.value, at, body));

    let res: Dispatcher.ResponseData;
    try {
      // Redirects are not followed (undici's request never does): a signed POST must not be
      // replayed somewhere else; a moved endpoint has to be updated in the contact method.
      res = await request(msg.destination, {
        method: 'POST',
        headers,
        body,
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      return failed(true, networkError(err, this.timeoutMs));
    }
    return classifyResponse(res, this.now());
  }

  private secretFor(msg: PageMessage | NoticeMessage): { ok: true; value: string | null } | { ok: false; error: string } {
    if (msg.secretEnv === null) return { ok: true, value: null };
    const value = this.env[msg.secretEnv];
    if (!value) {
      // Sending unsigned would teach the receiver to accept unsigned requests; refuse instead.
      return { ok: false, error: `webhook signing secret variable ${msg.secretEnv} is not set` };
    }
    return { ok: true, value };
  }
}

export function webhookPayload(msg: PageMessage, at: number): Record<string, unknown> {
  const { alert } = msg;
  return {
    version: PAYLOAD_VERSION,
    event: 'alert.page',
    test: msg.kind === 'test',
    page_id: msg.pageId,
    sent_at: new Date(at).toISOString(),
    alert: {
      id: alert.id,
      url: alert.url,
      summary: alert.summary,
      severity: alert.severity,
      status: alert.status,
      service: { id: alert.serviceId, name: alert.serviceName },
      source: alert.source,
      dedup_key: alert.dedupKey,
      count: alert.count,
      created_at: new Date(alert.createdAt).toISOString(),
      details: alert.details,
      links: alert.links,
      runbook: alert.runbook ?? null,
    },
    user: { id: msg.user.id, name: msg.user.name, email: msg.user.email },
    escalation: { level: msg.level + 1, repeat: msg.cycle },
    actions: { acknowledge_url: msg.actions.acknowledgeUrl, resolve_url: msg.actions.resolveUrl },
    bundle: msg.bundle
      ? {
          count: msg.bundle.count,
          url: msg.bundle.url,
          alerts: msg.bundle.alerts.map((a) => ({ id: a.id, url: a.url, summary: a.summary, severity: a.severity, service: { id: a.serviceId, name: a.serviceName } })),
        }
      : null,
  };
}

/**
 * Notice payload (version "watchkeeper.notice.v1"):
 *
 *   { "version": "watchkeeper.notice.v1", "event": "notice", "kind": "handoff_note",
 *     "notice_id": 17, "sent_at": "…", "user": { "id", "name", "email" },
 *     "subject": "…", "text": "…", "url": "https://…/handoffs/3" or null, "data": { … } }
 *
 * `kind` is one of verification, test, handoff_reminder, handoff_note, oncall_soon,
 * shift_started, schedule_change, incident_role, incident_update_due, incident_sla_breach, incident_war_room,
 * incident_stakeholder, stakeholder_update_due, postmortem_required, postmortem_due, action_item_due;
 * `data` holds the kind's
 * structured fields.
 */
export function noticePayload(msg: NoticeMessage, at: number): Record<string, unknown> {
  return {
    version: 'watchkeeper.notice.v1',
    event: 'notice',
    kind: msg.kind,
    notice_id: msg.noticeId,
    sent_at: new Date(at).toISOString(),
    user: { id: msg.user.id, name: msg.user.name, email: msg.user.email },
    subject: msg.subject,
    text: msg.text,
    url: msg.url,
    data: msg.data,
  };
}

export function signatureHeaders(secret: string, atMs: number, body: string): Record<string, string> {
  const timestamp = String(Math.floor(atMs / 1000));
  const hmac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { 'X-Watchkeeper-Timestamp': timestamp, 'X-Watchkeeper-Signature': `v1=${hmac}` };
}

/**
 * 2xx is delivered. 408, 429 and 5xx say "not now"; every other status says the request itself is
 * wrong (bad URL, auth, payload), which the same request will hit again.
 */
async function classifyResponse(res: Dispatcher.ResponseData, nowMs: number): Promise<SendResult> {
  const status = res.statusCode;
  if (status >= 200 && status < 300) {
    // Reading the (usually empty) body to its end gives the connection back to the pool.
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    return sent(null, `HTTP ${status}`);
  }
  const snippet = await readSnippet(res);
  if (status >= 300 && status < 400) {
    const location = header(res, 'location');
    return failed(false, `HTTP ${status}: webhook redirects${location ? ` to ${location}` : ''}; update its URL`);
  }
  const error = `HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
  const retryable = status === 408 || status === 429 || status >= 500;
  return failed(retryable, error, retryable ? retryAfterMs(header(res, 'retry-after'), nowMs) : undefined);
}

function header(res: Dispatcher.ResponseData, name: string): string | null {
  const v = res.headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The start of the response body, for the error message. Reading stops early so a receiver that
 * answers with megabytes cannot hold the sender; the rest is cancelled to free the connection.
 */
async function readSnippet(res: Dispatcher.ResponseData): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).byteLength;
      if (size >= MAX_ERROR_BODY) break;
    }
  } catch {
    // The status already tells the outcome; a body that breaks off is not worth failing over.
  } finally {
    res.body.destroy();
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > MAX_ERROR_BODY ? `${text.slice(0, MAX_ERROR_BODY)}…` : text;
}

/** The useful part of a network error (ECONNREFUSED, ENOTFOUND…), on the error or its cause. */
function networkError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError' || (err as { code?: unknown }).code === 'UND_ERR_CONNECT_TIMEOUT')) {
    return `webhook did not answer within ${timeoutMs} ms`;
  }
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  if (e && typeof e.code === 'string' && !e.code.startsWith('UND_ERR')) return `${e.code}: ${String(e.message ?? errorMessage(err))}`;
  if (e?.cause && typeof e.cause.code === 'string') return `${e.cause.code}: ${String(e.cause.message ?? errorMessage(err))}`;
  return errorMessage(err);
}
