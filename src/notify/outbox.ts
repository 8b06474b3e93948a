import { randomUUID } from 'node:crypto';
import type { ChangeEvent, Ctx } from '../commands/context.js';
import { eventRow } from '../commands/timeline.js';
import { insertAlertEvents, type AlertRow, type NewAlertEvent } from '../store/alert.repo.js';
import type { Updateable } from 'kysely';
import type { PagesTable } from '../store/schema.js';
import type { Tx } from '../store/db.js';
import { claimDuePages, claimWaitingForMethod, type PageRow } from '../store/page.repo.js';
import { newActionToken, sha256Hex } from '../store/ids.js';
import { HOT_PATH_ORG_AGE_MS, type OrgSnapshot } from '../store/org.repo.js';
import { fallOver, type FailedPage } from './fallover.js';
import { CHANNEL_PREFIX } from '../commands/notify-level.js';
import { serviceRunbook } from '../config/org-runbooks.js';
import { addGroupLines } from './group-line.js';
import { formatTimestamp, type PageMessage, type SendResult, type SenderRegistry } from './sender.js';
import { describeRules, longestWindow, nextAllowedAt, parseMarks, rulesFor, type DeliveryLimits, type SentMark } from './throttle.js';

/**
 * Delivers the outbox. Page states:
 *
 *   pending ──claim──▶ sending ──ok──▶ sent ──provider receipt──▶ delivered
 *    ▲  ▲                 │ │                  └──receipt "failed"──▶ failed ──▶ fall-over
 *    │  └─retryable error─┘ └─permanent error / attempts used up──▶ failed ──▶ fall-over
 *    │    (next_attempt_at = now + backoff)
 *    └─noise limit reached at claim: held (throttled_at, next_attempt_at = when the limit allows)
 *   pending/sending ──alert acknowledged or resolved before delivery──▶ cancelled
 *
 * Claims take high-urgency pages first (pages.priority). With noise limits on (see throttle.ts),
 * a claimed page whose contact method is at its limit goes back to pending until the limit allows
 * a message; when it does, every page waiting for that method goes out in one bundled message and
 * all of them are marked sent with it (bundle_id names the page that carried them). A page that
 * fails for good hands over to the person's next method, or escalates when nobody on the level can
 * be reached (fallover.ts), in the transaction that records the failure.
 *
 * The timeline gets one row per page per attempt outcome (sent with the provider's answer, retry,
 * failed), one when a limit first holds the page, and the receipts; never one per claim, so a
 * storm writes a bounded number of rows per alert.
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
const SYSTEM = { kind: 'system' as const, id: null, name: 'Watchkeeper', surface: 'engine' as const };
/** At most this many pages in one bundled message; more wait for the next one. */
const BUNDLE_MAX = 500;

interface Claimed {
  /** The page the message is for; for a bundle, its first page. */
  page: PageRow;
  /** The other pages a bundled message carries (empty for a message about one alert). */
  bundle: PageRow[];
  msg: PageMessage | null;
  cancelReason: string | null;
}

type AlertForMessage = Pick<AlertRow, 'id' | 'summary' | 'severity' | 'status' | 'service_id' | 'source' | 'details' | 'links' | 'count' | 'created_at' | 'dedup_key' | 'labels' | 'class' | 'silenced_by' | 'inhibited_by'>;

export class Deliverer {
  readonly owner = `notify-${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly ctx: Ctx,
    private readonly senders: SenderRegistry,
    /** Noise limits per channel; null sends every page as its own message at once. */
    private readonly limits: DeliveryLimits | null = null,
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
    const { claimed, taken } = await this.claim(CLAIM_CHUNK, busy);
    for (const c of claimed) this.dispatch(c);
    return taken === CLAIM_CHUNK;
  }

  /** Resolves when no send is in flight and every outcome is written. */
  async idle(): Promise<void> {
    while (this.inFlight > 0 || this.finished.length > 0 || this.flushing) {
      if (this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
      else if (this.flushing) await this.flushing;
      else await this.flush();
    }
  }

  /** `taken` counts the due pages claimed, held ones included: equal to the limit means more may be due. */
  private async claim(limit: number, skipChannels: string[]): Promise<{ claimed: Claimed[]; taken: number }> {
    const { ctx } = this;
    const org = await ctx.org.recent(ctx.store.db, HOT_PATH_ORG_AGE_MS);
    const now = ctx.clock.now();
    return ctx.store.relaxedTx(async (trx) => {
      const pages = await claimDuePages(trx, ctx.store.dialect, this.owner, now, LEASE_MS, limit, skipChannels);
      if (pages.length === 0) return { claimed: [], taken: 0 };
      const alerts = await this.alertsOf(trx, pages);
      // Read in this transaction, not from the cached configuration: a method added a moment ago
      // in another process must not look removed.
      const methodIds = [...new Set(pages.filter((p) => !isChannelPage(p)).map((p) => p.contact_method_id))];
      const methods = new Map<string, { paused: number; verified: number; address: string }>();
      if (methodIds.length) for (const c of await trx.selectFrom('contact_methods').select(['id', 'paused', 'verified', 'address']).where('id', 'in', methodIds).execute()) methods.set(c.id, c);
      const channelIds = [...new Set(pages.filter(isChannelPage).map((p) => p.contact_method_id))];
      if (channelIds.length) for (const c of await trx.selectFrom('notify_channels').select(['id', 'address']).where('id', 'in', channelIds).execute()) methods.set(c.id, { paused: 0, verified: 1, address: c.address });
      const out: Claimed[] = [];
      const live: PageRow[] = [];
      for (const page of pages) {
        const alert = alerts.get(page.alert_id);
        // A delayed page goes where the person's method is now: not to one removed, paused or
        // waiting for verification since the page was queued (a changed address is unverified).
        const cm = methods.get(page.contact_method_id);
        const methodGone = !cm ? (isChannelPage(page) ? 'channel removed' : 'contact method removed') : Number(cm.paused) === 1 ? 'contact method paused' : !cm.verified ? 'contact method not verified' : cm.address !== page.destination ? 'contact method address changed' : null;
        // A page queued before a silence or an inhibiting alert took hold of its alert waits no more.
        const muted = alert ? (alert.silenced_by !== null ? 'alert silenced' : alert.inhibited_by !== null ? `alert inhibited by #${alert.inhibited_by}` : null) : null;
        if (alert && alert.status === 'triggered' && !methodGone && !muted) live.push(page);
        else out.push({ page, bundle: [], msg: null, cancelReason: !alert ? 'alert deleted' : alert.status !== 'triggered' ? `alert ${alert.status} before delivery` : muted ? `${muted} before delivery` : `${methodGone} before delivery` });
      }
      const groups = this.limits ? await this.applyLimits(trx, org, now, live, alerts, out) : live.map((page) => ({ page, bundle: [] as PageRow[] }));
      const tokens: { token_hash: string; alert_id: number; user_id: string; action: string; created_at: number; expires_at: number; used_at: null }[] = [];
      for (const { page, bundle } of groups) {
        const alert = alerts.get(page.alert_id) as AlertForMessage;
        if (bundle.length > 0) {
          out.push({ page, bundle, msg: this.message(org, page, alert, null, bundle.map((b) => alerts.get(b.alert_id) as AlertForMessage)), cancelReason: null });
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
        out.push({ page, bundle: [], msg: this.message(org, page, alert, { ack, res }), cancelReason: null });
      }
      if (tokens.length) await trx.insertInto('action_tokens').values(tokens).execute();
      await addGroupLines(trx, out, this.ctx.publicUrl);
      return { claimed: out, taken: pages.length };
    });
  }

  private async alertsOf(trx: Tx, pages: PageRow[], into = new Map<number, AlertForMessage>()): Promise<Map<number, AlertForMessage>> {
    const ids = [...new Set(pages.map((p) => p.alert_id))].filter((id) => !into.has(id));
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await trx
        .selectFrom('alerts')
        .select(['id', 'summary', 'severity', 'status', 'service_id', 'source', 'details', 'links', 'count', 'created_at', 'dedup_key', 'labels', 'class', 'silenced_by', 'inhibited_by'])
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const a of rows) into.set(a.id, a);
    }
    return into;
  }

  /**
   * Noise limits, per contact method of the claimed pages: a method at its limit gets its pages
   * back in pending until the limit allows a message (one 'page_held' timeline row per page, the
   * first time); a method with room gets one message carrying its claimed pages and every other
   * page waiting for it. The method's row in delivery_limits is locked for the rest of the claim,
   * so two notifiers cannot both spend its last free slot.
   */
  private async applyLimits(trx: Tx, org: OrgSnapshot, now: number, live: PageRow[], alerts: Map<number, AlertForMessage>, out: Claimed[]): Promise<{ page: PageRow; bundle: PageRow[] }[]> {
    const limits = this.limits as DeliveryLimits;
    const { dialect } = this.ctx.store;
    const byMethod = new Map<string, PageRow[]>();
    for (const p of live) byMethod.set(p.contact_method_id, [...(byMethod.get(p.contact_method_id) ?? []), p]);
    const limited = [...byMethod.keys()].filter((id) => rulesFor(limits, (byMethod.get(id) as PageRow[])[0]?.channel ?? '').length > 0).sort();
    const groups: { page: PageRow; bundle: PageRow[] }[] = [];
    for (const [id, list] of byMethod) if (!limited.includes(id)) for (const page of list) groups.push({ page, bundle: [] });
    if (limited.length === 0) return groups;

    await trx
      .insertInto('delivery_limits')
      .values(limited.map((id) => ({ contact_method_id: id, sends: '[]', updated_at: now })))
      .onConflict((oc) => oc.column('contact_method_id').doNothing())
      .execute();
    const rows = await trx
      .selectFrom('delivery_limits')
      .selectAll()
      .where('contact_method_id', 'in', limited)
      .orderBy('contact_method_id')
      .$if(dialect === 'postgres', (q) => q.forUpdate())
      .execute();
    const state = new Map(rows.map((r) => [r.contact_method_id, r.sends]));
    const windowMs = longestWindow(limits);
    const events: NewAlertEvent[] = [];
    for (const id of limited) {
      const list = byMethod.get(id) as PageRow[];
      const first = list[0] as PageRow;
      const rules = rulesFor(limits, first.channel);
      const marks = parseMarks(state.get(id), now, windowMs);
      const at = nextAllowedAt(rules, marks, now, list.some((p) => p.priority === 0));
      if (at > now) {
        await trx
          .updateTable('pages')
          .set((eb) => ({ status: 'pending', next_attempt_at: at, throttled_at: eb.fn.coalesce('throttled_at', eb.val(now)), lease_owner: null, lease_until: null, attempts: eb('attempts', '-', 1) }))
          .where('id', 'in', list.map((p) => p.id))
          .where('lease_owner', '=', this.owner)
          .execute();
        const name = org.users.get(first.user_id)?.name ?? first.user_id;
        for (const p of list) {
          if (p.throttled_at !== null) continue;
          events.push(
            eventRow(p.alert_id, now, SYSTEM, 'page_held', `page to ${name} via ${p.channel} (${p.destination}) held: the ${p.channel} limit is ${describeRules(rules)}; it goes out by ${formatTimestamp(at)} with the other pages waiting`, { page_id: p.id, until: at }),
          );
        }
        continue;
      }
      const waiting = await claimWaitingForMethod(trx, dialect, this.owner, id, list.map((p) => p.id), now, LEASE_MS, Math.max(0, BUNDLE_MAX - list.length));
      await this.alertsOf(trx, waiting, alerts);
      const carried: PageRow[] = [...list];
      for (const w of waiting) {
        const alert = alerts.get(w.alert_id);
        if (alert && alert.status === 'triggered') carried.push(w);
        else out.push({ page: w, bundle: [], msg: null, cancelReason: alert ? `alert ${alert.status} before delivery` : 'alert deleted' });
      }
      carried.sort((a, b) => a.priority - b.priority || a.id - b.id);
      const lead = carried[0] as PageRow;
      groups.push({ page: lead, bundle: carried.slice(1) });
      const mark: SentMark = [now, carried.some((p) => p.priority === 0) ? 1 : 0];
      await trx
        .updateTable('delivery_limits')
        .set({ sends: JSON.stringify([...marks, mark]), updated_at: now })
        .where('contact_method_id', '=', id)
        .execute();
    }
    for (let i = 0; i < events.length; i += 200) await insertAlertEvents(trx, events.slice(i, i + 200));
    return groups;
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

  /**
   * Writes every queued outcome in one transaction: page states, attempts, timeline rows and, for
   * pages that failed for good, the fall-over (fallover.ts) with any escalation it causes.
   */
  private async flush(): Promise<void> {
    const results = this.finished.splice(0, FLUSH_CHUNK);
    if (results.length === 0) return;
    const { ctx } = this;
    const org = await ctx.org.recent(ctx.store.db, HOT_PATH_ORG_AGE_MS);
    const done = ctx.clock.now();
    let fell: { changes: ChangeEvent[]; pages: number } = { changes: [], pages: 0 };
    await ctx.store.relaxedTx(async (trx) => {
      // A PostgreSQL retry after a deadlock runs this again from the start.
      fell = { changes: [], pages: 0 };
      const attempts: { page_id: number; at: number; outcome: string; error: string | null; duration_ms: number }[] = [];
      const events: NewAlertEvent[] = [];
      const failures: FailedPage[] = [];
      // The attempt's outcome is what became of the page: a retryable error on the last attempt failed it.
      const record = (page: PageRow, result: SendResult, ms: number, event: NewAlertEvent | null, outcome: 'sent' | 'retry' | 'failed' = 'sent') => {
        attempts.push({ page_id: page.id, at: done, outcome, error: result.ok ? null : result.error, duration_ms: ms });
        if (event) events.push(event);
        ctx.metrics.deliveries.inc({ channel: page.channel, outcome: result.ok ? 'sent' : 'failed' });
        if (result.ok) ctx.metrics.deliveryLatency.observe(Math.max(0, done - page.next_attempt_at) / 1000);
      };
      const release = { lease_owner: null, lease_until: null };
      const whoOf = (page: PageRow) => `${recipientName(org, page)} via ${page.channel} (${page.destination})`;
      const attemptOf = (page: PageRow) => (page.attempts > 1 ? ` (attempt ${page.attempts})` : '');
      const inOne = (c: Claimed) => (c.bundle.length > 0 ? ` in one message for ${c.bundle.length + 1} alerts` : '');
      // Delivered pages, the bulk of a storm, are marked in one statement per chunk. A send that
      // outlived its lease may have been claimed again elsewhere; then that process records the
      // outcome, and this one must not record it a second time: hence `lease_owner` in every update.
      const delivered = results.filter((r) => r.result?.ok);
      const sentRows = delivered.flatMap(({ c, result, ms }) => [c.page, ...c.bundle].map((page) => ({ page, c, result: result as SendResult & { ok: true }, ms })));
      const ours = new Set<number>();
      for (let i = 0; i < sentRows.length; i += 200) {
        const chunk = sentRows.slice(i, i + 200);
        const rows = await trx
          .updateTable('pages')
          .set({ status: 'sent', sent_at: done, last_error: null, ...release })
          .where('id', 'in', chunk.map((r) => r.page.id))
          .where('lease_owner', '=', this.owner)
          .returning('id')
          .execute();
        for (const r of rows) ours.add(r.id);
      }
      for (const { c, result } of delivered) {
        const mine = [c.page, ...c.bundle].map((p) => p.id).filter((id) => ours.has(id));
        const carried = mine.filter((id) => id !== c.page.id);
        if (carried.length) await trx.updateTable('pages').set({ bundle_id: c.page.id }).where('id', 'in', carried).execute();
        // Only channels with delivery receipts pay for a row update of their own.
        if (result?.ok && result.receipt && result.providerId && mine.length) await trx.updateTable('pages').set({ provider_id: result.providerId }).where('id', 'in', mine).execute();
      }
      for (const { page, c, result, ms } of sentRows) {
        if (!ours.has(page.id)) continue;
        record(page, result, ms, eventRow(page.alert_id, done, SYSTEM, 'page_sent', `paged ${whoOf(page)}${inOne(c)}${result.detail ? `: ${result.detail}` : ''}${attemptOf(page)}`, { page_id: page.id, ...(c.bundle.length ? { bundle_id: c.page.id } : {}) }));
      }
      for (const { c, result, ms } of results) {
        if (result?.ok) continue;
        if (!result) {
          const cancelled = await trx.updateTable('pages').set({ status: 'cancelled', last_error: c.cancelReason, ...release }).where('id', '=', c.page.id).where('lease_owner', '=', this.owner).returning('id').executeTakeFirst();
          if (cancelled) ctx.metrics.deliveries.inc({ channel: c.page.channel, outcome: 'cancelled' });
          continue;
        }
        const all = [c.page, ...c.bundle];
        const retry = result.retryable ? all.filter((p) => p.attempts < MAX_ATTEMPTS) : [];
        const fail = all.filter((p) => !retry.includes(p));
        const wait = Math.max(result.retryAfterMs ?? 0, BACKOFF_MS[Math.min(c.page.attempts - 1, BACKOFF_MS.length - 1)] ?? 60_000);
        const update = async (pages: PageRow[], patch: Updateable<PagesTable>) => {
          if (pages.length === 0) return new Set<number>();
          const rows = await trx.updateTable('pages').set(patch).where('id', 'in', pages.map((p) => p.id)).where('lease_owner', '=', this.owner).returning('id').execute();
          return new Set(rows.map((r) => r.id));
        };
        // A retry is not held by a limit any more: it waits for its backoff, not for a bundle.
        const retried = await update(retry, { status: 'pending', next_attempt_at: done + wait, throttled_at: null, last_error: result.error, ...release });
        const failedIds = await update(fail, { status: 'failed', last_error: result.error, ...release });
        for (const page of retry) {
          if (!retried.has(page.id)) continue;
          record(page, result, ms, eventRow(page.alert_id, done, SYSTEM, 'page_retry', `page to ${whoOf(page)}${inOne(c)} failed (attempt ${page.attempts}), retrying in ${Math.round(wait / 1000)} s: ${result.error}`, { page_id: page.id }), 'retry');
        }
        for (const page of fail) {
          if (!failedIds.has(page.id)) continue;
          record(page, result, ms, eventRow(page.alert_id, done, SYSTEM, 'page_failed', `page to ${whoOf(page)}${inOne(c)} failed after ${page.attempts} attempt(s): ${result.error}`, { page_id: page.id }), 'failed');
          failures.push({ page, error: result.error });
        }
      }
      for (let i = 0; i < attempts.length; i += 200) await trx.insertInto('page_attempts').values(attempts.slice(i, i + 200)).execute();
      for (let i = 0; i < events.length; i += 200) await insertAlertEvents(trx, events.slice(i, i + 200));
      if (failures.length) {
        const r = await fallOver(trx, ctx.store.dialect, org, done, failures);
        fell.changes.push(...r.changes);
        fell.pages += r.pages;
      }
    });
    const alertIds = new Set(results.flatMap((r) => [r.c.page.alert_id, ...r.c.bundle.map((b) => b.alert_id)]));
    ctx.bus.publish([...[...alertIds].map((alertId) => ({ type: 'page.updated' as const, alertId, at: done })), ...fell.changes]);
    if (fell.pages > 0) ctx.wake();
  }

  private message(org: OrgSnapshot, page: PageRow, alert: AlertForMessage, links: { ack: string; res: string } | null, others: AlertForMessage[] = []): PageMessage {
    const user = org.users.get(page.user_id);
    const service = org.services.get(alert.service_id);
    const cm = isChannelPage(page) ? org.channels.get(page.contact_method_id) : org.contactMethods.get(page.contact_method_id);
    const base = this.ctx.publicUrl.replace(/\/$/, '');
    const serviceName = (id: string) => org.services.get(id)?.name ?? id;
    return {
      pageId: page.id,
      kind: 'page',
      channel: page.channel,
      destination: page.destination,
      secretEnv: cm?.secret_env ?? null,
      user: { id: page.user_id, name: user?.name ?? recipientName(org, page), email: user?.email ?? '' },
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
        runbook: serviceRunbook(service?.runbooks ?? null, alert),
      },
      level: page.level,
      cycle: page.cycle,
      actions: links ? { acknowledgeUrl: `${base}/a/${links.ack}`, resolveUrl: `${base}/a/${links.res}` } : { acknowledgeUrl: null, resolveUrl: null },
      bundle:
        others.length === 0
          ? null
          : {
              count: others.length + 1,
              url: `${base}/alerts`,
              alerts: [alert, ...others].map((a) => ({ id: a.id, summary: a.summary, severity: a.severity, serviceId: a.service_id, serviceName: serviceName(a.service_id), url: `${base}/alerts/${a.id}` })),
            },
    };
  }
}

/** A page to a channel (an escalation level's Teams channel or webhook), not to a person. */
export function isChannelPage(page: Pick<PageRow, 'user_id'>): boolean {
  return page.user_id.startsWith(CHANNEL_PREFIX);
}

/** "alice", or "#ops-teams" for a channel. */
function recipientName(org: OrgSnapshot, page: Pick<PageRow, 'user_id' | 'contact_method_id'>): string {
  if (isChannelPage(page)) return `#${org.channels.get(page.contact_method_id)?.name ?? page.contact_method_id}`;
  return org.users.get(page.user_id)?.name ?? page.user_id;
}
