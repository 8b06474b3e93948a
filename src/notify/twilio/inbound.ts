/**
 * What Twilio tells us, after the signature was checked (src/http/routes/twilio.ts): a text from a
 * person (a reply code, STOP, START, HELP), a call being answered or a key pressed in it, and how a
 * message or call ended. Replies act as the person the code was sent to, with surface 'sms' or
 * 'voice', through the same commands as the web UI, so the timeline reads "acknowledged by alice
 * via sms".
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ackAlert, escalateAlert, resolveAlert } from '../../commands/alert-actions.js';
import { audit } from '../../commands/audit.js';
import type { Actor, Ctx } from '../../commands/context.js';
import type { TransitionResult } from '../../commands/alert-transitions.js';
import { AppError } from '../../domain/errors.js';
import { findReplyCode, optIn, optOut, type ReplyCode } from '../../store/twilio.repo.js';
import { recordReceipt, type Receipt } from '../receipts.js';
import { singleLine, truncate } from '../sender.js';
import { HELP_TEXT, MAX_SMS, parseReply, type ReplyAction } from './sms-text.js';
import { twiml, type Verb } from './twiml.js';
import { voiceKeysUrl } from './urls.js';

/** E.164 as stored on contact methods; Twilio already sends it, this only guards the lookup. */
export function normalisePhone(raw: string): string | null {
  const p = parsePhoneNumberFromString(raw.trim());
  return p?.isValid() ? p.number : null;
}

interface AlertBrief {
  id: number;
  summary: string;
  status: string;
  severity: string;
  service: string;
  acknowledgedBy: string | null;
  resolvedBy: string | null;
  level: number;
}

async function alertBrief(ctx: Ctx, id: number): Promise<AlertBrief | null> {
  const a = await ctx.store.db
    .selectFrom('alerts')
    .leftJoin('services', 'services.id', 'alerts.service_id')
    .select(['alerts.id', 'alerts.summary', 'alerts.status', 'alerts.severity', 'services.name as service', 'alerts.acknowledged_by', 'alerts.resolved_by', 'alerts.escalation_level'])
    .where('alerts.id', '=', id)
    .executeTakeFirst();
  if (!a) return null;
  return { id: a.id, summary: singleLine(a.summary), status: a.status, severity: a.severity, service: a.service ?? 'unknown service', acknowledgedBy: a.acknowledged_by, resolvedBy: a.resolved_by, level: a.escalation_level };
}

/**
 * The person a code acts as: the one it was sent to, as long as the number is still one of their
 * SMS or voice methods (a number handed to someone else must not keep acting for its old owner).
 */
async function actorFor(ctx: Ctx, row: ReplyCode, surface: 'sms' | 'voice'): Promise<Actor | null> {
  const org = await ctx.org.get(ctx.store.db);
  const user = org.users.get(row.userId);
  if (!user) return null;
  const owns = [...org.contactMethods.values()].some((cm) => cm.user_id === user.id && (cm.kind === 'sms' || cm.kind === 'voice') && cm.address === row.phone);
  return owns ? { kind: 'user', id: user.id, name: user.name, surface } : null;
}

async function act(ctx: Ctx, action: ReplyAction, alertId: number, actor: Actor): Promise<TransitionResult> {
  if (action === 'acknowledge') return ackAlert(ctx, alertId, actor);
  if (action === 'resolve') return resolveAlert(ctx, alertId, actor);
  return escalateAlert(ctx, alertId, actor);
}

const PAST: Record<ReplyAction, string> = { acknowledge: 'Acknowledged', resolve: 'Resolved', escalate: 'Escalated' };

/** The owner of a number for the audit log: the one person with it, else Watchkeeper itself. */
async function numberActor(ctx: Ctx, phone: string): Promise<Actor> {
  const owners = await ctx.store.db
    .selectFrom('contact_methods as cm')
    .innerJoin('users as u', 'u.id', 'cm.user_id')
    .select(['u.id', 'u.name'])
    .where('cm.address', '=', phone)
    .where('cm.kind', 'in', ['sms', 'voice'])
    .execute();
  const ids = new Set(owners.map((o) => o.id));
  const only = owners[0];
  return ids.size === 1 && only ? { kind: 'user', id: only.id, name: only.name, surface: 'sms' } : { kind: 'system', id: null, name: 'Watchkeeper', surface: 'sms' };
}

/** Handles a text; returns the answer to send back, or null to answer nothing. */
export async function handleInboundSms(ctx: Ctx, fromRaw: string, body: string): Promise<string | null> {
  const phone = normalisePhone(fromRaw);
  if (!phone) return null;
  const reply = parseReply(body);
  const now = ctx.clock.now();
  switch (reply.kind) {
    case 'stop': {
      const actor = await numberActor(ctx, phone);
      await ctx.store.tx(async (trx) => {
        if (await optOut(trx, phone, reply.keyword, now)) await audit(trx, actor, now, 'twilio.opt_out', 'phone', phone, phone, { keyword: reply.keyword });
      });
      // Twilio confirms the opt-out itself and would refuse a reply to a number that just opted out.
      return null;
    }
    case 'start': {
      const actor = await numberActor(ctx, phone);
      await ctx.store.tx(async (trx) => {
        if (await optIn(trx, phone)) await audit(trx, actor, now, 'twilio.opt_in', 'phone', phone, phone, null);
      });
      return 'Watchkeeper: SMS and calls to this number are on again. Reply HELP for help.';
    }
    case 'help':
      return HELP_TEXT;
    case 'unknown':
      return truncate(`Watchkeeper did not understand "${truncate(reply.text, 20)}". Reply with the code from an alert, e.g. 3a to acknowledge. HELP for help.`, MAX_SMS);
    case 'bad_action':
    case 'action': {
      const row = await findReplyCode(ctx.store.db, phone, reply.code);
      if (!row) return `Unknown code ${reply.kind === 'bad_action' ? reply.text : reply.code}: no alert was sent to this number with code ${reply.code}. Reply HELP for help.`;
      if (reply.kind === 'bad_action') return `Unknown code ${truncate(reply.text, 12)}. Reply ${reply.code}a to acknowledge, ${reply.code}r to resolve, ${reply.code}e to escalate.`;
      const actor = await actorFor(ctx, row, 'sms');
      if (!actor) return `This number is no longer on the profile code ${reply.code} was sent to; act on #${row.alertId} in Watchkeeper.`;
      try {
        const result = await act(ctx, reply.action, row.alertId, actor);
        const a = await alertBrief(ctx, row.alertId);
        if (!a) return `Alert #${row.alertId} no longer exists.`;
        if (!result.changed) return unchangedText(a);
        const level = reply.action === 'escalate' ? ` to level ${a.level + 1}` : '';
        const next = reply.action === 'acknowledge' ? ` Reply ${reply.code}r to resolve.` : '';
        return truncate(`${PAST[reply.action]} #${a.id}${level}: ${truncate(a.summary, 80)}.${next}`, MAX_SMS);
      } catch (err) {
        if (err instanceof AppError && (err.code === 'conflict' || err.code === 'not_found' || err.code === 'invalid')) return truncate(`Could not ${reply.action} #${row.alertId}: ${err.message}.`, MAX_SMS);
        throw err;
      }
    }
  }
}

function unchangedText(a: AlertBrief): string {
  if (a.status === 'resolved') return `#${a.id} was already resolved${a.resolvedBy ? ` by ${a.resolvedBy}` : ''}.`;
  if (a.status === 'acknowledged') return `#${a.id} was already acknowledged${a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''}.`;
  return `#${a.id} is ${a.status}; nothing changed.`;
}

// ---------------------------------------------------------------------------------------------
// Voice

/** Text for text-to-speech: symbols a voice reads badly become words. */
export function spoken(s: string): string {
  return truncate(
    singleLine(s)
      .replace(/%/g, ' percent')
      .replace(/&/g, ' and ')
      .replace(/#(\d)/g, 'number $1')
      .replace(/https?:\/\/\S+/g, 'a link')
      .replace(/\s+/g, ' ')
      .trim(),
    400,
  );
}

/** Digits one by one ("4, 8, 1, 5"), so a code is read as digits and not as a large number. */
export const digitByDigit = (s: string) => s.replace(/\d{3,}/g, (run) => run.split('').join(', '));

const MENU = 'Press 4 to acknowledge. Press 6 to resolve. Press 8 to escalate.';
const DIGITS: Record<string, ReplyAction> = { '4': 'acknowledge', '6': 'resolve', '8': 'escalate' };
const GOODBYE: Verb[] = [{ say: 'Goodbye.' }, { hangup: true }];

function menu(publicUrl: string, alertId: number, code: number, before: string[] = []): Verb[] {
  const gather = (say: string[]): Verb => ({ gather: { action: voiceKeysUrl(publicUrl, alertId, code), numDigits: 1, timeoutSeconds: 8, say } });
  // A second chance when nothing was pressed, then the call ends.
  return [gather([...before, MENU]), gather([MENU]), { say: 'No key was pressed.' }, ...GOODBYE];
}

async function callRow(ctx: Ctx, toRaw: string, alertId: number, code: number): Promise<ReplyCode | null> {
  const phone = normalisePhone(toRaw);
  if (!phone) return null;
  const row = await findReplyCode(ctx.store.db, phone, code);
  return row && row.alertId === alertId ? row : null;
}

const NO_LONGER: Verb[] = [{ say: 'Watchkeeper. This alert call is no longer valid. Open Watchkeeper to see your alerts.' }, { hangup: true }];

/** The script of an alert call when it is answered. */
export async function voiceAlertScript(ctx: Ctx, toRaw: string, alertId: number, code: number, more = 0): Promise<string> {
  const row = await callRow(ctx, toRaw, alertId, code);
  const a = row ? await alertBrief(ctx, alertId) : null;
  if (!a) return twiml(...NO_LONGER);
  // A bundled call (a noise limit held several alerts) reads the most urgent and counts the rest.
  const others = more > 0 ? ` And ${more} more new ${more === 1 ? 'alert' : 'alerts'}: open Watchkeeper to see ${more === 1 ? 'it' : 'them'}.` : '';
  const intro = `Watchkeeper alert. ${capital(a.severity)}. ${spoken(a.service)}. ${spoken(a.summary)}.${others}`;
  if (a.status === 'resolved') return twiml({ say: `${intro} This alert is already resolved${a.resolvedBy ? ` by ${a.resolvedBy}` : ''}.` }, ...GOODBYE);
  const ack = a.status === 'acknowledged' ? ` It is acknowledged${a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''}.` : '';
  return twiml(...menu(ctx.publicUrl, alertId, code, [intro + ack]));
}

/** A key pressed during an alert call: act, then say what happened. */
export async function voiceKeys(ctx: Ctx, toRaw: string, alertId: number, code: number, digits: string): Promise<string> {
  const row = await callRow(ctx, toRaw, alertId, code);
  if (!row) return twiml(...NO_LONGER);
  const action = DIGITS[digits];
  if (!action) return twiml(...menu(ctx.publicUrl, alertId, code, [`${digits ? `${digits.split('').join(' ')} is` : 'That is'} not an option.`]));
  const actor = await actorFor(ctx, row, 'voice');
  if (!actor) return twiml({ say: 'This number is no longer on the profile this alert was sent to. Open Watchkeeper to act on it.' }, ...GOODBYE);
  try {
    const result = await act(ctx, action, alertId, actor);
    const a = await alertBrief(ctx, alertId);
    if (!a) return twiml(...NO_LONGER);
    if (!result.changed) return twiml({ say: `Nothing changed. ${unchangedText(a).replace(/^#(\d+)/, 'Alert $1')}` }, ...GOODBYE);
    const level = action === 'escalate' ? ` to level ${a.level + 1}` : '';
    return twiml({ say: `${PAST[action]}${level}. Alert ${a.id}, ${spoken(a.summary)}.` }, ...GOODBYE);
  } catch (err) {
    if (err instanceof AppError && (err.code === 'conflict' || err.code === 'not_found' || err.code === 'invalid')) return twiml({ say: `Could not ${action}: ${spoken(err.message.replace(/#(\d+)/g, '$1'))}.` }, ...GOODBYE);
    throw err;
  }
}

/** A notice read aloud, twice; codes digit by digit. */
export async function voiceNoticeScript(ctx: Ctx, toRaw: string, noticeId: number): Promise<string> {
  const phone = normalisePhone(toRaw);
  const n = phone ? await ctx.store.db.selectFrom('notices').select(['kind', 'short', 'destination', 'channel']).where('id', '=', noticeId).executeTakeFirst() : undefined;
  if (!n || n.channel !== 'voice' || n.destination !== phone) return twiml({ say: 'Watchkeeper. This message is no longer available.' }, { hangup: true });
  const text = spoken(n.short);
  const said = n.kind === 'verification' ? digitByDigit(text) : text;
  return twiml({ say: `This is Watchkeeper. ${said}` }, { pause: 1 }, { say: `Again: ${said}` }, ...GOODBYE);
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// ---------------------------------------------------------------------------------------------
// Status callbacks

/** Twilio's words for the delivery errors a status callback carries (Messaging 300xx). */
const DELIVERY_ERRORS: Record<string, string> = {
  '30001': 'queue overflow',
  '30002': 'account suspended',
  '30003': 'unreachable destination handset',
  '30004': 'message blocked',
  '30005': 'unknown destination handset',
  '30006': 'landline or unreachable carrier',
  '30007': 'message filtered by the carrier',
  '30008': 'unknown error',
  '30010': 'message price exceeds max price',
};

const CALL_FAILURES: Record<string, string> = { busy: 'line busy', 'no-answer': 'call not answered', failed: 'call failed', canceled: 'call cancelled' };

/**
 * A status callback as a receipt, or null for an intermediate status (queued, sent, ringing…).
 * A completed call counts as delivered: somebody (or a voicemail box) picked up.
 */
export function receiptOf(params: Record<string, string>): Receipt | null {
  const errorCode = params.ErrorCode?.trim() || null;
  const errorText = errorCode ? `error ${errorCode}${DELIVERY_ERRORS[errorCode] ? ` ${DELIVERY_ERRORS[errorCode]}` : ''}` : null;
  if (params.MessageSid) {
    const status = params.MessageStatus ?? params.SmsStatus ?? '';
    if (status === 'delivered') return { channel: 'sms', providerId: params.MessageSid, status: 'delivered' };
    if (status === 'undelivered' || status === 'failed') return { channel: 'sms', providerId: params.MessageSid, status: 'failed', error: `SMS ${status}${errorText ? `: ${errorText}` : ''}` };
    return null;
  }
  if (params.CallSid) {
    const status = params.CallStatus ?? '';
    if (status === 'completed') return { channel: 'voice', providerId: params.CallSid, status: 'delivered' };
    const failure = CALL_FAILURES[status];
    if (failure) return { channel: 'voice', providerId: params.CallSid, status: 'failed', error: `${failure}${errorText ? `: ${errorText}` : ''}` };
  }
  return null;
}

export async function handleStatusCallback(ctx: Ctx, params: Record<string, string>): Promise<void> {
  const receipt = receiptOf(params);
  if (receipt) await recordReceipt(ctx, receipt);
}
