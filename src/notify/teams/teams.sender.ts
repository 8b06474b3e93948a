/**
 * Microsoft Teams: one POST per page to the contact method's address, a Teams incoming-webhook URL
 * (Office 365 connector) or a Power Automate "Workflows" webhook URL, which both take a message
 * carrying one Adaptive Card:
 *
 *   { "type": "message",
 *     "attachments": [{ "contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": null,
 *                       "content": { "type": "AdaptiveCard", "version": "1.4", "body": […], "actions": […] } }] }
 *
 * A page's card shows severity, service, summary and the facts of the alert, with Action.OpenUrl
 * buttons for the one-time acknowledge and resolve links and for the alert; a notice (verification
 * code, test page, handoff note) is a plain card with its subject and text.
 *
 * Outcomes: Workflows answer 202, connectors 200 with the body "1". Connectors also answer 200
 * when Teams refused the message, with a text body "Webhook message delivery failed with error:
 * Microsoft Teams endpoint returned HTTP error 429 …", so that body is read and classified by the
 * status inside it. 408, 429 and 5xx may pass later (Retry-After is honoured); any other 4xx is
 * the URL or the card, which the same request will hit again.
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { NoticeMessage, PageMessage, SendResult, Sender } from '../sender.js';
import { detailRows, errorMessage, escalationText, failed, firedText, formatTimestamp, isWebUrl, sent, truncate, bundleHeadline, bundleLines, renderSubject } from '../sender.js';
import { retryAfterMs, USER_AGENT } from '../webhook/webhook.sender.js';

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_BODY = 300;
/** Teams refuses messages over about 28 KB; the card's free text is kept well below that. */
const MAX_TEXT = 4000;
const MAX_FACTS = 12;

export interface TeamsSenderOptions {
  now?: () => number;
  timeoutMs?: number;
}

export class TeamsSender implements Sender {
  readonly channel = 'teams';
  readonly supports = { notices: true, verification: false, policyTarget: true, replies: false, statusUpdates: false };
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly dispatcher: Agent;

  constructor(opts: TeamsSenderOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.dispatcher = new Agent({ connections: 32, keepAliveTimeout: 30_000, connect: { timeout: this.timeoutMs } });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  send(msg: PageMessage): Promise<SendResult> {
    return this.post(msg.destination, teamsMessage(pageCard(msg)));
  }

  notify(msg: NoticeMessage): Promise<SendResult> {
    return this.post(msg.destination, teamsMessage(noticeCard(msg)));
  }

  private async post(url: string, payload: Record<string, unknown>): Promise<SendResult> {
    if (!isWebUrl(url)) return failed(false, 'Teams address must be an https:// incoming-webhook or Workflows URL; copy it from the channel’s Connectors or Workflows settings');
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT },
        body: JSON.stringify(payload),
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const e = err as { name?: string; code?: string };
      if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'UND_ERR_CONNECT_TIMEOUT') return failed(true, `Teams did not answer within ${this.timeoutMs} ms`);
      return failed(true, `cannot reach Teams: ${errorMessage(err)}`);
    }
    const text = await readBody(res);
    return classify(res.statusCode, text, headerOf(res, 'retry-after'), this.now());
  }
}

/** The outcome of a Teams answer; exported for its table of cases. */
export function classify(status: number, body: string, retryAfter: string | null, nowMs: number): SendResult {
  if (status >= 200 && status < 300) {
    const inner = /returned HTTP error (\d{3})/.exec(body);
    if (!/^Webhook message delivery failed/i.test(body) || !inner) return sent(null, `HTTP ${status}`);
    return refused(Number(inner[1]), body, retryAfter, nowMs);
  }
  return refused(status, body, retryAfter, nowMs);
}

function refused(status: number, body: string, retryAfter: string | null, nowMs: number): SendResult {
  const snippet = truncate(body.replace(/\s+/g, ' ').trim(), MAX_BODY);
  const error = `HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return failed(true, error, retryAfterMs(retryAfter, nowMs));
  if (status === 404 || status === 410) return failed(false, `${error}; the Teams webhook no longer exists: create a new one in the channel and update the contact method`);
  if (status === 401 || status === 403) return failed(false, `${error}; Teams refused the webhook URL: check it was copied whole, or create a new one`);
  if (status === 413) return failed(false, `${error}; the message is too large for Teams`);
  if (status >= 300 && status < 400) return failed(false, `${error}; the Teams URL redirects: update the contact method with the current URL`);
  return failed(false, `${error}; Teams did not accept the message: check the contact method's URL is a Teams incoming-webhook or Workflows URL`);
}

export function teamsMessage(card: Record<string, unknown>): Record<string, unknown> {
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD, contentUrl: null, content: card }] };
}

const COLOR: Record<string, string> = { critical: 'Attention', high: 'Attention', medium: 'Warning', low: 'Accent', info: 'Default' };

export function pageCard(msg: PageMessage): Record<string, unknown> {
  const { alert } = msg;
  if (msg.bundle) {
    // Several alerts in one message (a noise limit held them): list them; one link opens them all.
    const body = [
      { type: 'TextBlock', text: `${alert.severity.toUpperCase()} · ${bundleHeadline(msg.bundle)}`, weight: 'Bolder', color: COLOR[alert.severity] ?? 'Default', size: 'Medium', wrap: true },
      ...bundleLines(msg.bundle).map((line) => ({ type: 'TextBlock', text: truncate(line, MAX_TEXT), wrap: true, spacing: 'Small' })),
    ];
    return card(body, [{ type: 'Action.OpenUrl', title: 'Open alerts', url: msg.bundle.url }], renderSubject(msg));
  }
  const test = msg.kind === 'test';
  const body: Record<string, unknown>[] = [];
  if (test) body.push({ type: 'TextBlock', text: 'Test page: nothing is wrong; no action is needed.', weight: 'Bolder', color: 'Good', wrap: true });
  body.push(
    { type: 'TextBlock', text: `${alert.severity.toUpperCase()} · ${alert.serviceName}`, weight: 'Bolder', color: COLOR[alert.severity] ?? 'Default', size: 'Small', wrap: true },
    { type: 'TextBlock', text: truncate(alert.summary, MAX_TEXT), weight: 'Bolder', size: 'Large', wrap: true },
    {
      type: 'FactSet',
      facts: [
        { title: 'Service', value: alert.serviceName },
        { title: 'Severity', value: alert.severity },
        { title: 'Status', value: alert.status },
        { title: 'Source', value: alert.source ?? '(not given)' },
        { title: 'Fired', value: `${firedText(alert.count)}, first at ${formatTimestamp(alert.createdAt)}` },
        { title: 'Escalation', value: escalationText(msg) },
        { title: 'Alert', value: `#${alert.id}` },
      ],
    },
  );
  const details = detailRows(alert.details).slice(0, MAX_FACTS);
  if (details.length) body.push({ type: 'FactSet', separator: true, facts: details.map((d) => ({ title: d.key, value: d.value })) });
  const actions: Record<string, unknown>[] = [];
  if (msg.actions.acknowledgeUrl) actions.push({ type: 'Action.OpenUrl', title: 'Acknowledge', url: msg.actions.acknowledgeUrl, style: 'positive' });
  if (msg.actions.resolveUrl) actions.push({ type: 'Action.OpenUrl', title: 'Resolve', url: msg.actions.resolveUrl });
  actions.push({ type: 'Action.OpenUrl', title: 'Open alert', url: alert.url });
  for (const l of alert.links.filter((x) => isWebUrl(x.href)).slice(0, 2)) actions.push({ type: 'Action.OpenUrl', title: truncate(l.text ?? 'Link', 40), url: l.href });
  return card(body, actions, `${test ? '[TEST] ' : ''}[${alert.severity.toUpperCase()}] ${alert.serviceName}: ${truncate(alert.summary, 150)}`);
}

export function noticeCard(msg: NoticeMessage): Record<string, unknown> {
  const body = [
    { type: 'TextBlock', text: msg.subject, weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: truncate(msg.text, MAX_TEXT), wrap: true },
  ];
  const actions = msg.url ? [{ type: 'Action.OpenUrl', title: 'Open in Watchkeeper', url: msg.url }] : [];
  return card(body, actions, msg.subject);
}

function card(body: Record<string, unknown>[], actions: Record<string, unknown>[], fallback: string): Record<string, unknown> {
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    fallbackText: fallback,
    body,
    ...(actions.length ? { actions } : {}),
    msteams: { width: 'Full' },
  };
}

function headerOf(res: Dispatcher.ResponseData, name: string): string | null {
  const v = res.headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

/** At most a few KB of the answer: enough for "1" or the connector's error text. */
async function readBody(res: Dispatcher.ResponseData): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).byteLength;
      if (size >= 4096) break;
    }
  } catch {
    // The status still tells the outcome.
  } finally {
    res.body.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
