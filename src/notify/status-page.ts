import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { Ctx } from '../commands/context.js';
import { errorMessage, failed, sent, type SendResult, type SenderRegistry } from './sender.js';
import { signatureHeaders, USER_AGENT } from './webhook/webhook.sender.js';

/**
 * Delivers the status page outbox (status_page_deliveries): confirmation requests and public
 * updates to subscribers, by email through the registered email sender, or as a signed JSON POST
 * to a webhook. A notify-role engine module, like the notices outbox:
 *
 *   pending ──claim──▶ sending ──ok──▶ sent
 *      ▲                  │ └─permanent error / attempts used up──▶ failed
 *      └──retryable error─┘          (unsubscribed before delivery ──▶ cancelled)
 *
 * Claims and outcomes are written in short transactions; the sends happen between them, never
 * inside one.
 *
 * Webhook payload (JSON): { "version": "watchkeeper.status_page.v1", "event": "status_page.update"
 * or "status_page.confirm", "delivery_id": 7, "sent_at": "…", "page": { "title", "url" },
 * "update": { … } or "confirm_url": "…", "unsubscribe_url": "…" }, signed with the subscriber's
 * secret as X-Watchkeeper-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>.
 */
const LEASE_MS = 60_000;
const BATCH = 50;
const MAX_ATTEMPTS = 5;
const BACKOFF_MS = [30_000, 120_000, 600_000, 1_800_000];
const TIMEOUT_MS = 10_000;

export class StatusPageDeliverer {
  readonly owner = `status-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly ctx: Ctx,
    private readonly senders: SenderRegistry,
  ) {}

  /** Claims one batch, sends it and records the outcomes; true when the batch was full. */
  async run(): Promise<boolean> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const claimed = await ctx.store.tx(async (trx) => {
      const due = await trx
        .selectFrom('status_page_deliveries')
        .select('id')
        .where((eb) => eb.or([eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]), eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)])]))
        .orderBy('next_attempt_at')
        .limit(BATCH)
        .$if(ctx.store.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
        .execute();
      if (due.length === 0) return [];
      return trx
        .updateTable('status_page_deliveries')
        .set((eb) => ({ status: 'sending', lease_owner: this.owner, lease_until: now + LEASE_MS, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', due.map((d) => d.id))
        .returningAll()
        .execute();
    });
    if (claimed.length === 0) return false;
    const subs = new Map(
      (await ctx.store.db.selectFrom('status_page_subscribers').selectAll().where('id', 'in', [...new Set(claimed.map((d) => d.subscriber_id))]).execute()).map((s) => [s.id, s]),
    );
    const results = await Promise.all(
      claimed.map(async (d) => {
        const s = subs.get(d.subscriber_id);
        // Read now, not when queued: an unsubscribe a moment ago stops what was still waiting.
        if (!s || s.unsubscribed_at !== null || (d.kind === 'update' && s.confirmed_at === null)) return { d, result: null };
        const data = JSON.parse(d.data) as Record<string, unknown>;
        let result: SendResult;
        try {
          if (s.kind === 'email') {
            const unsubscribe = String(data.unsubscribe_url ?? '');
            result = await this.senders.notify({
              noticeId: Number(d.id),
              kind: 'status_page',
              channel: 'email',
              destination: s.address,
              secretEnv: null,
              user: { id: s.id, name: s.address, email: s.address },
              subject: d.subject,
              text: d.body,
              short: d.subject,
              url: null,
              data,
              messageId: `<watchkeeper.status.${d.id}.${s.id}@watchkeeper>`,
              headers: unsubscribe ? { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {},
            });
          } else {
            result = await postWebhook(s.address, s.secret, JSON.stringify({ version: 'watchkeeper.status_page.v1', delivery_id: Number(d.id), sent_at: new Date(ctx.clock.now()).toISOString(), ...data }), ctx.clock.now(), d.kind);
          }
        } catch (err) {
          result = failed(true, errorMessage(err));
        }
        return { d, result };
      }),
    );
    const done = ctx.clock.now();
    await ctx.store.tx(async (trx) => {
      for (const { d, result } of results) {
        const release = { lease_owner: null, lease_until: null };
        const patch =
          result === null
            ? { status: 'cancelled', last_error: 'unsubscribed or not confirmed before delivery', ...release }
            : result.ok
              ? { status: 'sent', sent_at: done, last_error: null, ...release }
              : result.retryable && d.attempts < MAX_ATTEMPTS
                ? { status: 'pending', next_attempt_at: done + Math.max(result.retryAfterMs ?? 0, BACKOFF_MS[Math.min(d.attempts - 1, BACKOFF_MS.length - 1)]!), last_error: result.error, ...release }
                : { status: 'failed', last_error: result.error, ...release };
        await trx.updateTable('status_page_deliveries').set(patch).where('id', '=', d.id).where('lease_owner', '=', this.owner).execute();
        if (result) ctx.metrics.deliveries.inc({ channel: `status_page_${d.kind}`, outcome: result.ok ? 'sent' : 'failed' });
        if (result && !result.ok) ctx.log.warn({ component: 'notify', deliveryId: d.id, kind: d.kind, error: result.error }, 'status page message not delivered');
      }
    });
    return claimed.length === BATCH;
  }
}

async function postWebhook(url: string, secret: string | null, body: string, at: number, kind: string): Promise<SendResult> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT, 'X-Watchkeeper-Event': `status_page.${kind}` };
  if (secret) Object.assign(headers, signatureHeaders(secret, at, body));
  try {
    // No redirects (undici's request never follows them): a signed POST goes where it was told.
    const res = await request(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    if (res.statusCode >= 200 && res.statusCode < 300) return sent(null, `HTTP ${res.statusCode}`);
    const retryable = res.statusCode === 408 || res.statusCode === 429 || res.statusCode >= 500;
    return failed(retryable, `HTTP ${res.statusCode}`);
  } catch (err) {
    return failed(true, errorMessage(err));
  }
}
