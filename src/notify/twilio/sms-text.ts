import { renderSubject, singleLine, truncate, type PageMessage } from '../sender.js';

/**
 * What a person can text back, and the words of the messages. A page fits one SMS: 160
 * characters, the reply instructions always whole, the summary cut to make room.
 */

export type ReplyAction = 'acknowledge' | 'resolve' | 'escalate';

export type ParsedReply =
  | { kind: 'action'; code: number; action: ReplyAction }
  /** A number with a letter we do not know ("42x"): answer with the right letters for that code. */
  | { kind: 'bad_action'; code: number; text: string }
  | { kind: 'stop'; keyword: string }
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'unknown'; text: string };

const ACTIONS: Record<string, ReplyAction> = {
  a: 'acknowledge',
  ack: 'acknowledge',
  acknowledge: 'acknowledge',
  r: 'resolve',
  res: 'resolve',
  resolve: 'resolve',
  c: 'resolve',
  close: 'resolve',
  e: 'escalate',
  esc: 'escalate',
  escalate: 'escalate',
};

/** Carrier and Twilio opt-out keywords (CTIA); one word, any case. */
export const STOP_WORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
export const START_WORDS = new Set(['START', 'UNSTOP', 'YES']);
export const HELP_WORDS = new Set(['HELP', 'INFO']);

export const MAX_SMS = 160;

/**
 * "42a", "42 a", "42A", "ack 42", "a42" all acknowledge code 42; keywords are whole messages
 * (trailing punctuation ignored) so that "stop escalating 3" is not an opt-out.
 */
export function parseReply(body: string): ParsedReply {
  const text = singleLine(body);
  const word = text.replace(/[.!?]+$/, '').toUpperCase();
  if (STOP_WORDS.has(word)) return { kind: 'stop', keyword: word };
  if (START_WORDS.has(word)) return { kind: 'start' };
  if (HELP_WORDS.has(word)) return { kind: 'help' };
  const m = /^(\d{1,6})\s*([a-z]+)$/i.exec(text) ?? null;
  const r = m ? null : /^([a-z]+)\s*(\d{1,6})$/i.exec(text);
  const code = m ? Number(m[1]) : r ? Number(r[2]) : null;
  const letters = (m ? m[2] : r ? r[1] : '')?.toLowerCase() ?? '';
  if (code === null || code < 1) return { kind: 'unknown', text };
  const action = ACTIONS[letters];
  return action ? { kind: 'action', code, action } : { kind: 'bad_action', code, text };
}

/** "Reply 3a to ack, 3r resolve, 3e escalate" */
export const replyHint = (code: number) => `Reply ${code}a to ack, ${code}r resolve, ${code}e escalate`;

/**
 * "[CRITICAL] Payments API: error rate 7% (#42). Reply 3a to ack, 3r resolve, 3e escalate".
 * Characters outside the GSM alphabet (emoji, many scripts) make the carrier split the message
 * into 70-character parts; it still arrives whole, so the limit stays 160 characters of text.
 */
export function smsPageBody(msg: PageMessage, code: number | null): string {
  const { alert } = msg;
  const prefix = `${msg.kind === 'test' ? '[TEST] ' : ''}[${alert.severity.toUpperCase()}] `;
  const tail = ` (#${alert.id}).${code === null ? '' : ` ${replyHint(code)}`}`;
  // A page for an alert group names the group where the service would be.
  let service = singleLine(msg.group && msg.group.count > 1 ? msg.group.text : alert.serviceName);
  const summary = singleLine(alert.summary);
  // The service name gives way first when it would leave the summary fewer than 30 characters.
  const room = () => MAX_SMS - prefix.length - tail.length - service.length - 2;
  if (room() < 30) service = truncate(service, Math.max(8, service.length - (30 - room())));
  return `${prefix}${service}: ${truncate(summary, Math.max(1, room()))}${tail}`;
}

/**
 * Several alerts held by a noise limit, in one SMS: "[CRITICAL] 5 new alerts on Clipper: Disk
 * full; CPU high; … https://…/alerts". No reply code: a code acts on one alert, and this names many.
 */
export function smsBundleBody(msg: PageMessage): string {
  const url = msg.bundle?.url ?? msg.alert.url;
  return `${truncate(renderSubject(msg), MAX_SMS - url.length - 1)} ${url}`;
}

/** A notice as one SMS: the short text, marked as Watchkeeper's. */
export function smsNoticeBody(short: string): string {
  const text = singleLine(short);
  return truncate(/^watchkeeper\b/i.test(text) ? text : `Watchkeeper: ${text}`, MAX_SMS);
}

export const HELP_TEXT = 'Watchkeeper alerts. Reply with the code from an alert: 3a acknowledge, 3r resolve, 3e escalate. STOP ends messages and calls, START turns them back on.';
export const OPTED_OUT_ERROR = 'number opted out: the person must text START';
