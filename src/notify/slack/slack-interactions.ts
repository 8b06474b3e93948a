import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { request } from 'undici';
import { ackAlert, escalateAlert, resolveAlert } from '../../commands/alert-actions.js';
import type { Actor, Ctx } from '../../commands/context.js';
import { roleRank } from '../../commands/tokens.js';
import { AppError } from '../../domain/errors.js';
import { errorMessage, isWebUrl } from '../sender.js';
import { alertMessage, parseActionId, type SlackAction } from './slack-blocks.js';
import { alertView } from './slack-posts.js';
import { userForSlackMember } from './slack-users.js';

/**
 * Buttons pressed on alert messages (Slack "interactivity" callbacks). Slack signs each request:
 *
 *   X-Slack-Request-Timestamp: <unix seconds>
 *   X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)>
 *
 * and the body is a form with one field, `payload`, holding JSON. A request that is not signed
 * with our secret, or is more than five minutes old (a replay), changes nothing.
 */

const MAX_AGE_S = 5 * 60;

export type Verification = { ok: true } | { ok: false; reason: string };

export function verifySlackSignature(secret: string, headers: Record<string, string | string[] | undefined>, rawBody: string, nowMs: number): Verification {
  const ts = one(headers['x-slack-request-timestamp']);
  const sig = one(headers['x-slack-signature']);
  if (!ts || !/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'missing or malformed X-Slack-Request-Timestamp' };
  if (!sig) return { ok: false, reason: 'missing X-Slack-Signature' };
  if (Math.abs(Math.floor(nowMs / 1000) - Number(ts)) > MAX_AGE_S) return { ok: false, reason: 'request timestamp is more than 5 minutes away from now' };
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${ts}:${rawBody}`).digest('hex')}`);
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

interface BlockActionsPayload {
  type?: string;
  user?: { id?: string; name?: string; username?: string };
  channel?: { id?: string };
  container?: { message_ts?: string; channel_id?: string };
  message?: { ts?: string };
  response_url?: string;
  actions?: { action_id?: string; value?: string }[];
}

export interface InteractionOutcome {
  /** What happened, for logs and tests: 'acknowledged', 'unknown_user', 'ignored'… */
  result: string;
  alertId: number | null;
  /** The ephemeral reply sent to the person, if any. */
  reply: string | null;
}

const VERB: Record<SlackAction, string> = { ack: 'acknowledged', resolve: 'resolved', escalate: 'escalated' };

/** Acts on a verified callback. Never throws for the person's mistakes: they get an ephemeral reply. */
export async function handleInteraction(ctx: Ctx, client: WebClient, payloadText: string | undefined): Promise<InteractionOutcome> {
  let payload: BlockActionsPayload;
  try {
    payload = JSON.parse(payloadText ?? '') as BlockActionsPayload;
  } catch {
    throw AppError.invalid('payload', 'must be the JSON Slack sends');
  }
  if (payload.type !== 'block_actions') return { result: 'ignored', alertId: null, reply: null };
  const parsed = (payload.actions ?? []).map((a) => parseActionId(a.action_id ?? '')).find((a) => a !== null) ?? null;
  if (!parsed) return { result: 'ignored', alertId: null, reply: null };
  const reply = async (text: string, result: string): Promise<InteractionOutcome> => {
    await respond(ctx, payload.response_url, { response_type: 'ephemeral', replace_original: false, text });
    return { result, alertId: parsed.alertId, reply: text };
  };
  const memberId = payload.user?.id ?? '';
  const user = memberId ? await userForSlackMember(ctx, client, memberId) : null;
  if (!user) {
    const profile = `${ctx.publicUrl.replace(/\/$/, '')}/profile`;
    return reply(
      `Your Slack account is not linked to a Watchkeeper user, so nothing was done. Add your member ID ${memberId || '(Slack profile → ⋯ → Copy member ID)'} as a Slack contact method on your Watchkeeper profile (${profile}), or ask an admin to make your Watchkeeper email match your Slack email; then press the button again.`,
      'unknown_user',
    );
  }
  if (roleRank(user.role) < roleRank('responder')) {
    return reply(`You are a ${user.role} in Watchkeeper; acting on alerts needs the responder role. Ask an admin.`, 'forbidden');
  }
  const actor: Actor = { kind: 'user', id: user.id, name: user.name, surface: 'slack' };
  let changed: boolean;
  try {
    const r =
      parsed.action === 'ack' ? await ackAlert(ctx, parsed.alertId, actor) : parsed.action === 'resolve' ? await resolveAlert(ctx, parsed.alertId, actor) : await escalateAlert(ctx, parsed.alertId, actor);
    changed = r.changed;
  } catch (err) {
    if (err instanceof AppError && err.code !== 'unavailable') return reply(`Nothing was done: ${err.message}.`, err.code);
    throw err;
  }
  const alert = await ctx.store.db.selectFrom('alerts').selectAll().where('id', '=', parsed.alertId).executeTakeFirst();
  if (!changed) return reply(`Nothing to do: alert #${parsed.alertId} is already ${alert?.status ?? 'gone'}.`, 'unchanged');
  // The message is updated in place by the Slack outbox, which the change woke. A message it does
  // not track (sent before this process knew it) is replaced through the response URL.
  ctx.wake();
  const channelId = payload.channel?.id ?? payload.container?.channel_id;
  const ts = payload.container?.message_ts ?? payload.message?.ts;
  const tracked = channelId && ts ? await ctx.store.db.selectFrom('slack_posts').select('id').where('channel_id', '=', channelId).where('ts', '=', ts).executeTakeFirst() : undefined;
  if (!tracked && alert) {
    const org = await ctx.org.get(ctx.store.db);
    const m = alertMessage(alertView(alert, org, ctx.publicUrl));
    await respond(ctx, payload.response_url, { replace_original: true, text: m.text, blocks: m.blocks });
  }
  return { result: VERB[parsed.action], alertId: parsed.alertId, reply: null };
}

/** Posts to the callback's response_url (Slack keeps it valid for 30 minutes). */
async function respond(ctx: Ctx, url: string | undefined, body: Record<string, unknown>): Promise<void> {
  if (!url || !isWebUrl(url)) return;
  try {
    const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(2_500) });
    await res.body.dump();
    if (res.statusCode >= 300) ctx.log.warn({ component: 'slack', status: res.statusCode }, 'Slack refused the reply to a button');
  } catch (err) {
    ctx.log.warn({ component: 'slack', err: errorMessage(err) }, 'replying to a Slack button failed');
  }
}
