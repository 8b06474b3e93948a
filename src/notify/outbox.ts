import { randomUUID } from 'node:crypto';
import type { Ctx } from '../commands/context.js';
import { eventRow } from '../commands/timeline.js';
import { insertAlertEvents, type NewAlertEvent } from '../store/alert.repo.js';
import type { Updateable } from 'kysely';
import type { PagesTable } from '../store/schema.js';
import { claimDuePages, type PageRow } from '../store/page.repo.js';
import { newActionToken, sha256Hex } from '../store/ids.js';
import { HOT_PATH_ORG_AGE_MS, type OrgSnapshot } from '../store/org.repo.js';
import type { PageMessage, SendResult, SenderRegistry } from './sender.js';

/**
 * Delivers the outbox. Page states:
 *
 *   pending ──claim──▶ sending ──ok──▶ sent
 *      ▲                  │ └─permanent error / attempts used up──▶ failed
 *      └──retryable error─┘ (next_attempt_at = now + backoff)
 *   pending/sending ──alert acknowledged or resolved before delivery──▶ cancelled
 *
 * Claiming sets a lease; the network call happens outside any transaction (on SQLite a transaction
 * held across a network call would stall the whole process). If the process dies while sending,
 * the lease runs out and the page is claimed again: delivery is at least once, and exactly once
 * whenever processes stop cleanly. Every attempt is recorded in page_attempts.
 *
 * Delivery is a pipeline, not a sequence of batches: up to MAX_IN_FLIGHT sends run at once, each
 * page's outcome is queued as soon as its send ends, and queued outcomes are written together in
 * one transaction. An earlier version awaited a whole batch of 100 before claiming more, so every
 * page waited for the slowest one in its batch: at 1,000 alerts/s (email + webhook) p99 page
 * latency was 13 s; see bench/page-latency.js for the current figure.
 */
const LEASE_MS = 60_000;
const MAX_IN_FLIGHT = 200;
/**
 * Claims and outcome writes are cut into small transactions: on SQLite a transaction runs on the
 * event loop from BEGIN to COMMIT, and every SMTP round trip of the sends in flight waits behind it.
 */
const CLAIM_CHUNK = 50;
/**
 * No channel may hold more than this many of the sends in flight: a slow channel (an SMTP relay
 * at its limit) must not hold up pages on a fast one. At 1,000 alerts/s paged by email and webhook
 * the shared budget filled with queued emails and webhook p99 rose from 54 ms to 9.4 s.
 */
const MAX_IN_FLIGHT_PER_CHANNEL = 120;
const FLUSH_CHUNK = 100;
const FLUSH_GATHER_MS = 10;
const MAX_ATTEMPTS = 8;
const BACKOFF_MS = [5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
const ACTION_LINK_TTL_MS = 24 * 3_600_000;

interface Claimed {
  page: PageRow;
  msg: PageMessage | null;
  cancelReason: string | null;
}

export class Deliverer {
  readonly owner = `notify-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly ctx: Ctx,
    private readonly senders: SenderRegistry,
  ) {}

  private inFlight = 0;
  private readonly inFlightByChannel = new Map<string, number>();
  private finished: { c: Claimed; result: SendResult | null; ms: number }[] = [];
  private flushing: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  /**
   * Claims as many due pages as there is room for and starts sending them; does not wait for the
   * sends. Returns true when it filled the room (more may be due).
   */
  async run(): Promise<boolean> {
    // Wait for room for a whole chunk: claiming one page per freed slot would spend a transaction
    // per page.
    while (this.inFlight > MAX_IN_FLIGHT - CLAIM_CHUNK) await new Promise<void>((r) => this.waiters.push(r));
    const busy = [...this.inFlightByChannel].filter(([, n]) => n >= MAX_IN_FLIGHT_PER_CHANNEL).map(([ch]) => ch);
    const claimed = await this.claim(CLAIM_CHUNK, busy);
    for (const c of claimed) this.dispatch(c);
    return claimed.length === CLAIM_CHUNK;
  }

  /** Resolves when no send is in flight and every outcome is written. */
  async idle(): Promise<void> {
    while (this.inFlight > 0 || this.finished.length > 0 || this.flushing) {
      if (this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
      else if (this.flushing) await this.flushing;
      else await this.flush();
    }
  }

  private async claim(limit: number, skipChannels: string[]): Promise<Claimed[]> {
    const { ctx } = this;
    const org = await ctx.org.recent(ctx.store.db, HOT_PATH_ORG_AGE_MS);
    const now = ctx.clock.now();
    return ctx.store.relaxedTx(async (trx) => {
      const pages = await claimDuePages(trx, ctx.store.dialect, this.owner, now, LEASE_MS, limit, skipChannels);
      if (pages.length === 0) return [];
      const alertIds = [...new Set(pages.map((p) => p.alert_id))];
      const alerts = new Map((await trx.selectFrom('alerts').selectAll().where('id', 'in', alertIds).execute()).map((a) => [a.id, a]));
      const out: Claimed[] = [];
      const tokens: { token_hash: string; alert_id: number; user_id: string; action: string; created_at: number; expires_at: number; used_at: null }[] = [];
      for (const page of pages) {
        const alert = alerts.get(page.alert_id);
        if (!alert || alert.status !== 'triggered') {
          out.push({ page, msg: null, cancelReason: alert ? `alert ${alert.status} before delivery` : 'alert deleted' });
          continue;
        }
        const ack = newActionToken();
        const res = newActionToken();
        for (const [token, action] of [
          [ack, 'acknowledge'],
          [res, 'resolve'],
        ] as const) {
          tokens.push({ token_hash: sha256Hex(token), alert_id: alert.id, user_id: page.user_id, action, created_at: now, expires_at: now + ACTION_LINK_TTL_MS, used_at: null });
        }
        out.push({ page, msg: this.message(org, page, alert, ack, res), cancelReason: null });
      }
      if (tokens.length) await trx.insertInto('action_tokens').values(tokens).execute();
      return out;
    });
  }

  private dispatch(c: Claimed): void {
    const channel = c.page.channel;
    this.inFlight++;
    this.inFlightByChannel.set(channel, (this.inFlightByChannel.get(channel) ?? 0) + 1);
    const t0 = performance.now();
    const sending = c.msg ? this.senders.send(c.msg) : Promise.resolve(null);
    void sending.then((result) => {
      this.finished.push({ c, result, ms: Math.round(performance.now() - t0) });
      this.inFlight--;
      const left = (this.inFlightByChannel.get(channel) ?? 1) - 1;
      this.inFlightByChannel.set(channel, left);
      // The channel was skipped by claims while full: look for its waiting pages again.
      if (left === MAX_IN_FLIGHT_PER_CHANNEL - 1) this.ctx.wake();
      this.waiters.shift()?.();
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    // Gather outcomes for a few milliseconds: one transaction per handful of pages instead of one
    // per page keeps the database work per page small when hundreds complete each second.
    const wait = this.finished.length >= FLUSH_CHUNK || this.inFlight === 0 ? 0 : FLUSH_GATHER_MS;
    this.flushing = new Promise<void>((resolve) => setTimeout(resolve, wait))
      .then(() => this.flush())
      .catch((err: unknown) => this.ctx.log.error({ err, component: 'notify' }, 'recording delivery outcomes failed; leases will expire and pages be retried'))
      .finally(() => {
        this.flushing = null;
        // More outcomes queued meanwhile (or beyond this chunk): write them after the loop has run.
        if (this.finished.length) this.scheduleFlush();
      });
  }

  /** Writes every queued outcome in one transaction. */
  private async flush(): Promise<void> {
    const results = this.finished.splice(0, FLUSH_CHUNK);
    if (results.length === 0) return;
    const { ctx } = this;
    const org = await ctx.org.recent(ctx.store.db, HOT_PATH_ORG_AGE_MS);
    const done = ctx.clock.now();
    const system = { kind: 'system' as const, id: null, name: 'Watchkeeper', surface: 'engine' as const };
    await ctx.store.relaxedTx(async (trx) => {
      const attempts: { page_id: number; at: number; outcome: string; error: string | null; duration_ms: number }[] = [];
      const events: NewAlertEvent[] = [];
      const record = (c: Claimed, result: SendResult, ms: number, event: NewAlertEvent | null) => {
        const { page } = c;
        attempts.push({ page_id: page.id, at: done, outcome: result.ok ? 'sent' : result.retryable ? 'retry' : 'failed', error: result.ok ? null : result.error, duration_ms: ms });
        if (event) events.push(event);
        ctx.metrics.deliveries.inc({ channel: page.channel, outcome: result.ok ? 'sent' : 'failed' });
        if (result.ok) ctx.metrics.deliveryLatency.observe(Math.max(0, done - page.next_attempt_at) / 1000);
      };
      const release = { lease_owner: null, lease_until: null };
      const whoOf = (page: PageRow) => `${org.users.get(page.user_id)?.name ?? page.user_id} via ${page.channel} (${page.destination})`;
      // Delivered pages, the bulk of a storm, are marked in one statement. A send that outlived its
      // lease may have been claimed again elsewhere; then that process records the outcome, and
      // this one must not record it a second time: hence `lease_owner` in every update.
      const delivered = results.filter((r) => r.result?.ok);
      for (let i = 0; i < delivered.length; i += 200) {
        const chunk = delivered.slice(i, i + 200);
        const ours = new Set(
          (
            await trx
              .updateTable('pages')
              .set({ status: 'sent', sent_at: done, last_error: null, ...release })
              .where('id', 'in', chunk.map((r) => r.c.page.id))
              .where('lease_owner', '=', this.owner)
              .returning('id')
              .execute()
          ).map((r) => r.id),
        );
        for (const { c, result, ms } of chunk) {
          if (!ours.has(c.page.id) || !result?.ok) continue;
          // Only channels with delivery receipts pay for a row update of their own.
          if (result.receipt && result.providerId) await trx.updateTable('pages').set({ provider_id: result.providerId }).where('id', '=', c.page.id).execute();
          record(c, result, ms, eventRow(c.page.alert_id, done, system, 'page_sent', `paged ${whoOf(c.page)}${result.detail ? `: ${result.detail}` : ''}`, { page_id: c.page.id }));
        }
      }
      for (const { c, result, ms } of results) {
        if (result?.ok) continue;
        const { page } = c;
        let patch: Updateable<PagesTable>;
        let event: NewAlertEvent | null = null;
        if (!result) {
          patch = { status: 'cancelled', last_error: c.cancelReason, ...release };
        } else if (result.retryable && page.attempts < MAX_ATTEMPTS) {
          const wait = Math.max(result.retryAfterMs ?? 0, BACKOFF_MS[Math.min(page.attempts - 1, BACKOFF_MS.length - 1)] ?? 60_000);
          patch = { status: 'pending', next_attempt_at: done + wait, last_error: result.error, ...release };
          event = eventRow(page.alert_id, done, system, 'page_retry', `page to ${whoOf(page)} failed (attempt ${page.attempts}), retrying in ${Math.round(wait / 1000)} s: ${result.error}`, { page_id: page.id });
        } else {
          patch = { status: 'failed', last_error: result.error, ...release };
          event = eventRow(page.alert_id, done, system, 'page_failed', `page to ${whoOf(page)} failed after ${page.attempts} attempt(s): ${result.error}`, { page_id: page.id });
        }
        const ours = await trx.updateTable('pages').set(patch).where('id', '=', page.id).where('lease_owner', '=', this.owner).returning('id').executeTakeFirst();
        if (!ours || !result) continue;
        record(c, result, ms, event);
      }
      for (let i = 0; i < attempts.length; i += 200) await trx.insertInto('page_attempts').values(attempts.slice(i, i + 200)).execute();
      for (let i = 0; i < events.length; i += 200) await insertAlertEvents(trx, events.slice(i, i + 200));
    });
    ctx.bus.publish(results.map((r) => ({ type: 'page.updated' as const, alertId: r.c.page.alert_id, at: done })));
  }

  private message(org: OrgSnapshot, page: PageRow, alert: { id: number; summary: string; severity: string; status: string; service_id: string; source: string | null; details: string | null; links: string; count: number; created_at: number; dedup_key: string }, ack: string, res: string): PageMessage {
    const user = org.users.get(page.user_id);
    const service = org.services.get(alert.service_id);
    const cm = org.contactMethods.get(page.contact_method_id);
    const base = this.ctx.publicUrl.replace(/\/$/, '');
    return {
      pageId: page.id,
      kind: 'page',
      channel: page.channel,
      destination: page.destination,
      secretEnv: cm?.secret_env ?? null,
      user: { id: page.user_id, name: user?.name ?? page.user_id, email: user?.email ?? '' },
      alert: {
        id: alert.id,
        summary: alert.summary,
        severity: alert.severity,
        status: alert.status,
        serviceName: service?.name ?? alert.service_id,
        serviceId: alert.service_id,
        source: alert.source,
        details: alert.details ? (JSON.parse(alert.details) as Record<string, unknown>) : null,
        links: JSON.parse(alert.links) as { href: string; text?: string }[],
        count: alert.count,
        createdAt: alert.created_at,
        dedupKey: alert.dedup_key,
        url: `${base}/alerts/${alert.id}`,
      },
      level: page.level,
      cycle: page.cycle,
      actions: { acknowledgeUrl: `${base}/a/${ack}`, resolveUrl: `${base}/a/${res}` },
    };
  }
}
