import { isWebUrl, singleLine, truncate } from '../sender.js';

/**
 * Block Kit for alert messages (channel posts and direct-message pages) and plain notices.
 * Alert text comes from whoever sent the alert, so every piece of it is escaped for Slack's mrkdwn
 * (&, < and > are control characters: `<!channel>` would notify a whole channel, `<https://…|x>`
 * would disguise a link).
 */

export type SlackAction = 'ack' | 'resolve' | 'escalate';

export const ACTION_PREFIX = 'watchkeeper';

/** What a message shows about an alert; built from a stored alert or a page. */
export interface SlackAlertView {
  id: number;
  summary: string;
  severity: string;
  status: string;
  serviceName: string;
  /** Web link to the alert. */
  url: string;
  source: string | null;
  count: number;
  acknowledgedBy: string | null;
  resolvedBy: string | null;
  /** 0-based escalation level. */
  level: number;
  links: { href: string; text?: string }[];
  /** A test page: nothing is wrong and there is nothing to act on. */
  test?: boolean;
}

/** One Block Kit block as JSON. */
export interface SlackBlock {
  type: string;
  [field: string]: unknown;
}

export interface SlackMessage {
  /** Fallback text: notifications, screen readers, clients without blocks. */
  text: string;
  blocks: SlackBlock[];
}

const MAX_SUMMARY = 2000;
const MAX_LINKS = 5;

/** Escapes Slack's mrkdwn control characters; the rest (* _ ~ `) only styles text. */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<url|label>`; only web links, and a `|` or `>` in the URL cannot end it early. */
export function slackLink(href: string, label: string): string {
  const url = new URL(href).href.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
  return `<${url}|${escapeMrkdwn(singleLine(label)).replace(/\|/g, '¦')}>`;
}

/** "watchkeeper.ack.42" for a button acting on alert 42. */
export function actionId(action: SlackAction, alertId: number): string {
  return `${ACTION_PREFIX}.${action}.${alertId}`;
}

export function parseActionId(id: string): { action: SlackAction; alertId: number } | null {
  const m = /^watchkeeper\.(ack|resolve|escalate)\.([1-9][0-9]{0,15})$/.exec(id);
  if (!m) return null;
  return { action: m[1] as SlackAction, alertId: Number(m[2]) };
}

const STATUS_EMOJI: Record<string, string> = { triggered: ':rotating_light:', acknowledged: ':eyes:', resolved: ':white_check_mark:' };

/** "Acknowledged by alice", "Resolved by bob", "Triggered (escalation level 2)". */
export function statusLine(a: Pick<SlackAlertView, 'status' | 'acknowledgedBy' | 'resolvedBy' | 'level'>): string {
  if (a.status === 'resolved') return a.resolvedBy ? `Resolved by ${a.resolvedBy}` : 'Resolved';
  if (a.status === 'acknowledged') return a.acknowledgedBy ? `Acknowledged by ${a.acknowledgedBy}` : 'Acknowledged';
  return `Triggered (escalation level ${a.level + 1})`;
}

export function alertMessage(a: SlackAlertView): SlackMessage {
  const summary = truncate(singleLine(a.summary), MAX_SUMMARY);
  const sev = a.severity.toUpperCase();
  const status = statusLine(a);
  const blocks: SlackBlock[] = [];
  if (a.test) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: ':test_tube: This is a test page from Watchkeeper. Nothing is wrong; no action is needed.' }] });
  }
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: `${STATUS_EMOJI[a.status] ?? ''} *[${escapeMrkdwn(sev)}] ${escapeMrkdwn(summary)}*`.trim() },
  });
  blocks.push({
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*Service*\n${escapeMrkdwn(a.serviceName)}` },
      { type: 'mrkdwn', text: `*Severity*\n${escapeMrkdwn(a.severity)}` },
      { type: 'mrkdwn', text: `*Status*\n${escapeMrkdwn(status)}` },
      { type: 'mrkdwn', text: `*Alert*\n${isWebUrl(a.url) ? slackLink(a.url, `#${a.id}`) : `#${a.id}`}${a.count > 1 ? ` (fired ${a.count} times)` : ''}` },
    ],
  });
  const links = a.links.filter((l) => isWebUrl(l.href)).slice(0, MAX_LINKS);
  const context = [...(a.source ? [`Source: ${escapeMrkdwn(singleLine(a.source))}`] : []), ...links.map((l) => slackLink(l.href, l.text ?? l.href))];
  if (context.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join('  ·  ') }] });
  const buttons = a.test ? [] : alertButtons(a);
  if (buttons.length) blocks.push({ type: 'actions', block_id: `watchkeeper.alert.${a.id}`, elements: buttons });
  const text = `[${sev}] ${singleLine(a.serviceName)}: ${truncate(summary, 200)} (#${a.id}): ${status}`;
  return { text: escapeMrkdwn(a.test ? `[TEST] ${text}` : text), blocks };
}

function alertButtons(a: SlackAlertView): Record<string, unknown>[] {
  if (a.status === 'resolved') return [];
  const button = (action: SlackAction, label: string, style?: 'primary' | 'danger') => ({
    type: 'button',
    action_id: actionId(action, a.id),
    value: String(a.id),
    text: { type: 'plain_text', text: label },
    ...(style ? { style } : {}),
  });
  const out: Record<string, unknown>[] = [];
  if (a.status === 'triggered') out.push(button('ack', 'Acknowledge', 'primary'));
  out.push(button('resolve', 'Resolve'));
  out.push({
    ...button('escalate', 'Escalate'),
    confirm: {
      title: { type: 'plain_text', text: 'Escalate?' },
      text: { type: 'plain_text', text: `Page the next level of the escalation policy for alert #${a.id} now.` },
      confirm: { type: 'plain_text', text: 'Escalate' },
      deny: { type: 'plain_text', text: 'Cancel' },
    },
  });
  return out;
}

/** A notice (verification code, handoff note…) as a plain direct message. */
export function noticeMessage(n: { subject: string; text: string; url: string | null }): SlackMessage {
  const parts = [`*${escapeMrkdwn(singleLine(n.subject))}*`, escapeMrkdwn(n.text.trim())];
  if (n.url && isWebUrl(n.url)) parts.push(slackLink(n.url, 'Open in Watchkeeper'));
  const text = truncate(parts.join('\n\n'), 3000);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
