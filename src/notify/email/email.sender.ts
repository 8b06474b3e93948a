import type { NodemailerError } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import { AppError } from '../../domain/errors.js';
import type { NoticeMessage, PageBundle, PageMessage, SendResult, Sender } from '../sender.js';
import { composeMail, envelopeAddress, type MailParts } from './mime.js';
import { SmtpPool } from './smtp-pool.js';
import {
  BUNDLE_LISTED,
  bundleHeadline,
  detailRows,
  errorMessage,
  escalationText,
  failed,
  firedText,
  formatTimestamp,
  isWebUrl,
  renderPageText,
  renderSubject,
  runbookSteps,
  sent,
} from '../sender.js';

export const DEFAULT_FROM = 'Watchkeeper <watchkeeper@localhost>';

export interface EmailSenderOptions {
  /** smtp://user:pass@host:port or smtps://…; may carry nodemailer options as query parameters. */
  smtpUrl: string;
  /** Defaults to DEFAULT_FROM. */
  from?: string;
  /** Connect, greeting and idle-socket timeout. Defaults to 10 s. */
  timeoutMs?: number;
  /**
   * Upper bound for one send, including waiting for a free pooled connection. Defaults to 30 s.
   * Socket timeouts alone do not catch a server that trickles its replies.
   */
  sendTimeoutMs?: number;
  /** Parallel SMTP connections; defaults to 10. */
  maxConnections?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_SEND_TIMEOUT_MS = 30_000;

/** Failures that repeat until someone changes configuration or the address. */
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'ECONFIG', 'EENVELOPE', 'EMAXRECIPIENTS']);

export class EmailSender implements Sender {
  readonly channel: string = 'email';
  /** A new address is confirmed with a code before it is paged. */
  readonly supports = { notices: true, verification: true };
  private readonly pool: SmtpPool;
  private readonly from: string;
  private readonly envelopeFrom: string;
  private readonly messageIdDomain: string;
  private readonly sendTimeoutMs: number;

  constructor(opts: EmailSenderOptions) {
    assertSmtpUrl(opts.smtpUrl);
    const timeout = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.from = opts.from ?? DEFAULT_FROM;
    this.envelopeFrom = envelopeAddress(this.from);
    this.messageIdDomain = domainOf(this.from);
    this.sendTimeoutMs = opts.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    // nodemailer reads host, port, smtps:// (TLS from the start), credentials and options given
    // as query parameters (e.g. ?requireTLS=true) from the URL.
    const { auth, ...connection } = parseConnectionUrl(opts.smtpUrl) as Record<string, unknown> & { auth?: { user?: string; pass?: string } };
    this.pool = new SmtpPool({
      connection: { ...connection, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout, logger: false },
      auth: auth?.user ? { user: auth.user, pass: auth.pass ?? '' } : undefined,
      maxConnections: opts.maxConnections ?? 10,
    });
  }

  async send(msg: PageMessage): Promise<SendResult> {
    try {
      const parts = this.compose(msg);
      const info = await this.pool.send({ from: this.envelopeFrom, to: [msg.destination] }, composeMail(parts), AbortSignal.timeout(this.sendTimeoutMs));
      return sent(info.serverMessageId ?? parts.messageId, info.response);
    } catch (err) {
      return classifySmtpError(err);
    }
  }

  /** A notice is plain text with its link; no HTML part, nothing to click but the link itself. */
  async notify(msg: NoticeMessage): Promise<SendResult> {
    try {
      const messageId = msg.messageId ?? `<watchkeeper.notice.${msg.noticeId}@${this.messageIdDomain}>`;
      const text = msg.url ? `${msg.text.replace(/\n*$/, '')}\n\n${msg.url}\n` : msg.text;
      const parts: MailParts = {
        from: this.from,
        to: msg.destination,
        subject: msg.subject,
        text,
        messageId,
        headers: { 'X-Watchkeeper-Notice': msg.kind, 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', ...msg.headers },
      };
      const info = await this.pool.send({ from: this.envelopeFrom, to: [msg.destination] }, composeMail(parts), AbortSignal.timeout(this.sendTimeoutMs));
      return sent(info.serverMessageId ?? messageId, info.response);
    } catch (err) {
      return classifySmtpError(err);
    }
  }

  async close(): Promise<void> {
    this.pool.close();
  }

  private compose(msg: PageMessage): MailParts {
    const { subject, text } = renderPageText(msg);
    const thread = threadId(msg.alert.id, this.messageIdDomain);
    return {
      from: this.from,
      to: msg.destination,
      subject,
      text,
      html: renderPageHtml(msg),
      // Same page, same Message-ID: a retry after an uncertain failure (a timeout after the server
      // took the message) is recognisably the same message, and mail systems that dedupe drop it.
      messageId: `<watchkeeper.page.${msg.pageId}.alert.${msg.alert.id}@${this.messageIdDomain}>`,
      // Every page of an alert refers to one (never sent) root, so clients thread them together.
      inReplyTo: thread,
      references: [thread],
      headers: {
        'X-Watchkeeper-Alert-Id': String(msg.alert.id),
        'X-Watchkeeper-Page-Id': String(msg.pageId),
        // How many alerts a bundled mail carries (see renderBundleHtml); absent for one alert.
        ...(msg.bundle ? { 'X-Watchkeeper-Bundle': String(msg.bundle.count) } : {}),
        // Keeps out-of-office replies and auto-forward loops away from a paging system (RFC 3834).
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
      },
    };
  }
}

export function threadId(alertId: number, domain: string): string {
  return `<watchkeeper.alert.${alertId}@${domain}>`;
}

/** The domain of the From address, so Message-IDs are unique to this installation's sender. */
export function domainOf(from: string): string {
  const match = /@([^\s>@]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'localhost';
}

/** Rejects bad configuration at startup; the URL is never echoed because it may hold a password. */
function assertSmtpUrl(smtpUrl: string): void {
  let protocol: string;
  try {
    protocol = new URL(smtpUrl).protocol;
  } catch {
    throw AppError.invalid('smtp_url', 'is not a valid URL (expected smtp://user:pass@host:port)');
  }
  if (protocol !== 'smtp:' && protocol !== 'smtps:') {
    throw AppError.invalid('smtp_url', `must use smtp:// or smtps://, not ${protocol}//`);
  }
}

/**
 * 4yz replies are transient by RFC 5321 and 5yz permanent, except 503 (bad sequence of commands),
 * which describes the session rather than the message and goes away on a fresh connection.
 * Errors without a reply are about reaching the server, so they are retryable unless they are
 * configuration problems that retrying cannot fix. Unknown errors retry: a duplicate page costs
 * less than a lost one, and the worker caps attempts.
 */
export function classifySmtpError(err: unknown): SendResult {
  const e = (typeof err === 'object' && err !== null ? err : {}) as Partial<NodemailerError>;
  const message = errorMessage(err);
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    const retryable = e.responseCode < 500 || e.responseCode === 503;
    return failed(retryable, `SMTP ${e.responseCode}: ${e.response ?? message}`);
  }
  const code = e.originalCode ?? e.code;
  const label = code ? `${code}: ${message}` : message;
  return failed(!(e.code && PERMANENT_CODES.has(e.code)), label);
}

// ---------------------------------------------------------------------------------------------
// HTML part. Table layout and inline styles only, because many mail clients (Outlook above all)
// drop <style> blocks and ignore flexbox. Everything that came from an alert is escaped: alert
// sources are outside our control.

const SEVERITY_COLOURS: Record<string, string> = {
  critical: '#c62828',
  high: '#ef6c00',
  error: '#ef6c00',
  medium: '#f9a825',
  warning: '#f9a825',
  low: '#1565c0',
  info: '#546e7a',
};
const FALLBACK_COLOUR = '#546e7a';
const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe for element content and for quoted attribute values alike. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Severity names are the organisation's own, so unknown ones get a neutral colour rather than a guess. */
export function severityColour(severity: string): string {
  return SEVERITY_COLOURS[severity.toLowerCase()] ?? FALLBACK_COLOUR;
}

export function renderPageHtml(msg: PageMessage): string {
  if (msg.bundle) return renderBundleHtml(msg, msg.bundle);
  const colour = severityColour(msg.alert.severity);
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(renderSubject(msg))}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:${FONT};color:#1f2328">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0"><tr><td align="center">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border:1px solid #d8dee4;border-radius:6px;overflow:hidden">
<tr><td style="background:${colour};height:8px;font-size:0;line-height:0">&nbsp;</td></tr>
<tr><td style="padding:24px">
${testBanner(msg)}<p style="margin:0 0 4px;font-size:13px;color:#57606a;text-transform:uppercase;letter-spacing:0.05em">${escapeHtml(msg.alert.severity)} &middot; ${escapeHtml(msg.alert.serviceName)}</p>
<h1 style="margin:0 0 20px;font-size:20px;line-height:1.3;font-weight:600">${escapeHtml(msg.alert.summary)}</h1>
${factsTable(msg)}
${actionButtons(msg, colour)}
<p style="margin:20px 0 0;font-size:14px"><a href="${escapeHtml(msg.alert.url)}" style="color:#0969da">View alert #${msg.alert.id} in Watchkeeper</a></p>
${runbookBlock(msg)}${linksList(msg)}${detailsTable(msg)}
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #d8dee4;font-size:12px;color:#57606a">You are receiving this because you are on call for ${escapeHtml(msg.alert.serviceName)} (${escapeHtml(escalationText(msg))}).</td></tr>
</table>
</td></tr></table>
</body></html>
`;
}

/** One mail for several alerts: the headline, the first few alerts as links, and the alerts list. */
function renderBundleHtml(msg: PageMessage, bundle: PageBundle): string {
  const colour = severityColour(msg.alert.severity);
  const listed = bundle.alerts.slice(0, BUNDLE_LISTED);
  const rows = listed
    .map(
      (a) =>
        `<tr><td style="padding:6px 12px 6px 0;vertical-align:top;white-space:nowrap"><span style="display:inline-block;padding:2px 6px;border-radius:3px;background:${severityColour(a.severity)};color:#ffffff;font-size:12px">${escapeHtml(a.severity)}</span></td><td style="padding:6px 0;word-break:break-word"><a href="${escapeHtml(a.url)}" style="color:#0969da">#${a.id} ${escapeHtml(a.summary)}</a><br><span style="color:#57606a;font-size:13px">${escapeHtml(a.serviceName)}</span></td></tr>`,
    )
    .join('');
  const more = bundle.count > listed.length ? `<p style="margin:12px 0 0;font-size:14px;color:#57606a">… and ${bundle.count - listed.length} more</p>` : '';
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(renderSubject(msg))}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:${FONT};color:#1f2328">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;padding:24px 0"><tr><td align="center">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border:1px solid #d8dee4;border-radius:6px;overflow:hidden">
<tr><td style="background:${colour};height:8px;font-size:0;line-height:0">&nbsp;</td></tr>
<tr><td style="padding:24px">
<h1 style="margin:0 0 20px;font-size:20px;line-height:1.3;font-weight:600">${escapeHtml(bundleHeadline(bundle))}</h1>
<table role="presentation" cellpadding="0" cellspacing="0" style="font-size:14px">${rows}</table>
${more}
<p style="margin:20px 0 0;font-size:14px"><a href="${escapeHtml(bundle.url)}" style="color:#0969da">Open alerts in Watchkeeper</a>: open an alert to acknowledge or resolve it.</p>
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #d8dee4;font-size:12px;color:#57606a">One message for ${bundle.count} alerts: you were paged more often than the ${escapeHtml(msg.channel)} limit allows, so the pages that waited go out together.</td></tr>
</table>
</td></tr></table>
</body></html>
`;
}

function testBanner(msg: PageMessage): string {
  if (msg.kind !== 'test') return '';
  return `<p style="margin:0 0 16px;padding:8px 12px;background:#ddf4ff;border-radius:4px;font-size:14px">This is a test page. Nothing is wrong; no action is needed.</p>\n`;
}

function factsTable(msg: PageMessage): string {
  const { alert } = msg;
  const facts: [string, string][] = [
    ['Service', alert.serviceName],
    ['Severity', alert.severity],
    ['Status', alert.status],
    ['Source', alert.source ?? '(not given)'],
    ['First seen', formatTimestamp(alert.createdAt)],
    ['Fired', firedText(alert.count)],
    ['Escalation', escalationText(msg)],
  ];
  return table(facts, 'font-size:14px');
}

function actionButtons(msg: PageMessage, colour: string): string {
  const { acknowledgeUrl, resolveUrl } = msg.actions;
  const buttons = [
    acknowledgeUrl ? button('Acknowledge', acknowledgeUrl, colour) : '',
    resolveUrl ? button('Resolve', resolveUrl, '#2e7d32') : '',
  ].filter((b) => b !== '');
  if (buttons.length === 0) return '';
  return `<table role="presentation" cellpadding="0" cellspacing="0" style="margin-top:24px"><tr>${buttons.join('')}</tr></table>`;
}

function button(label: string, href: string, colour: string): string {
  return `<td style="padding-right:12px"><a href="${escapeHtml(href)}" style="display:inline-block;padding:12px 28px;background:${colour};color:#ffffff;font-size:16px;font-weight:600;text-decoration:none;border-radius:4px">${escapeHtml(label)}</a></td>`;
}

function runbookBlock(msg: PageMessage): string {
  const rb = msg.alert.runbook;
  if (!rb || (!rb.url && !rb.steps)) return '';
  const link = rb.url && isWebUrl(rb.url) ? `<p style="margin:0 0 8px;font-size:14px"><a href="${escapeHtml(rb.url)}" style="color:#0969da">${escapeHtml(rb.url)}</a></p>` : '';
  const steps = rb.steps ? `<pre style="margin:0;white-space:pre-wrap;font-size:13px;font-family:SFMono-Regular,Consolas,Menlo,monospace">${escapeHtml(runbookSteps(rb.steps).join('\n'))}</pre>` : '';
  return `<h2 style="margin:24px 0 8px;font-size:14px">Runbook</h2>${link}${steps}\n`;
}

function linksList(msg: PageMessage): string {
  const links = msg.alert.links.filter((l) => isWebUrl(l.href));
  if (links.length === 0) return '';
  const items = links
    .map((l) => `<li><a href="${escapeHtml(l.href)}" style="color:#0969da">${escapeHtml(l.text || l.href)}</a></li>`)
    .join('');
  return `<h2 style="margin:24px 0 8px;font-size:14px">Links</h2><ul style="margin:0;padding-left:20px;font-size:14px">${items}</ul>\n`;
}

function detailsTable(msg: PageMessage): string {
  const rows = detailRows(msg.alert.details);
  if (rows.length === 0) return '';
  return `<h2 style="margin:24px 0 8px;font-size:14px">Details</h2>${table(
    rows.map((r) => [r.key, r.value]),
    'font-size:13px;font-family:SFMono-Regular,Consolas,Menlo,monospace',
  )}\n`;
}

function table(rows: [string, string][], style: string): string {
  const body = rows
    .map(
      ([k, v]) =>
        `<tr><td style="padding:4px 16px 4px 0;color:#57606a;vertical-align:top;white-space:nowrap">${escapeHtml(k)}</td><td style="padding:4px 0;word-break:break-word">${escapeHtml(v)}</td></tr>`,
    )
    .join('');
  return `<table role="presentation" cellpadding="0" cellspacing="0" style="${style}">${body}</table>`;
}
