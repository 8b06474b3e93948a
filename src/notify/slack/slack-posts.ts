import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Ctx } from '../../commands/context.js';
import { eventRow } from '../../commands/timeline.js';
import { insertAlertEvents, type NewAlertEvent } from '../../store/alert.repo.js';
import type { Conn } from '../../store/db.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import type { AlertsTable, SlackPostsTable } from '../../store/schema.js';
import { getSetting, putSetting } from '../../store/settings.repo.js';
import type { Selectable } from 'kysely';
import { classifySlackError, type SlackFailure } from './slack-api.js';
import { alertMessage, type SlackAlertView } from './slack-blocks.js';
import { channelsFor } from './slack-routing.js';

/**
 * Alert messages in Slack that follow the alert: posts to the channels a service routes its
 * severities to, and pages sent as direct messages. One row per message in slack_posts:
 *
 *   pending ──claim──▶ sending ──ok──▶ done ──alert changed──▶ pending (chat.update)
 *      ▲                  │ └─permanent error / attempts used up──▶ failed ──alert changed──▶ pending
 *      └──retryable error─┘ (next_attempt_at = now + backoff, at least Slack's Retry-After)
 *
 * Rows are fed from the alert timeline on a cursor (settings 'slack.events_cursor', the last
 * alert_events id read), not from the code that changes alerts: ingest stays as fast as it was, and
 * nothing calls Slack inside a transaction. The feed writes rows and moves the cursor in one
 * transaction, so a crash between the two loses nothing. `wanted_version` is the newest timeline
 * event a message should reflect and `posted_version` the one it shows; many changes in a row
 * become one chat.update of the alert as it is then.
 *
 * On PostgreSQL, event ids are taken when a transaction inserts and become visible when it
 * commits, so a later id can be seen first. The feed reads the last OVERLAP ids again each time
 * and skips those it has already handled; a transaction that commits after more than OVERLAP later
 * events have been read is missed (SQLite commits one writer at a time, in id order).
 */

const CURSOR_KEY = 'slack.events_cursor';
const FEED_BATCH = 500;
const OVERLAP = 1_000;
const CLAIM_BATCH = 10;
const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 8;
const BACKOFF_MS = [5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
/** A resolved alert is still announced when it opened this recently (it came and went between two reads). */
const ANNOUNCE_RESOLVED_MS = 60 * 60_000;

/** Timeline events that change what an alert message shows. */
const WATCHED = new Set(['triggered', 'repeated', 'acknowledged', 'resolved', 'notified', 'snoozed', 'snooze_ended']);

type PostRow = Selectable<SlackPostsTable>;
type AlertRow = Selectable<AlertsTable>;

export function alertView(alert: Pick<AlertRow, 'id' | 'summary' | 'severity' | 'status' | 'service_id' | 'source' | 'count' | 'acknowledged_by' | 'resolved_by' | 'escalation_level' | 'links'>, org: OrgSnapshot, publicUrl: string): SlackAlertView {
  return {
    id: alert.id,
    summary: alert.summary,
    severity: alert.severity,
    status: alert.status,
    serviceName: org.services.get(alert.service_id)?.name ?? alert.service_id,
    url: `${publicUrl.replace(/\/$/, '')}/alerts/${alert.id}`,
    source: alert.source,
    count: alert.count,
    acknowledgedBy: alert.acknowledged_by,
    resolvedBy: alert.resolved_by,
    level: alert.escalation_level,
    links: safeJson<{ href: string; text?: string }[]>(alert.links, []),
  };
}

function safeJson<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/**
 * A page went out as a direct message: remember it so that it is updated like a channel post.
 * Written after the send, outside any transaction; if the process dies in between, the message
 * simply stays as sent (its buttons still work).
 */
export async function recordDirectMessage(ctx: Ctx, m: { alertId: number; pageId: number; channelId: string; ts: string }): Promise<void> {
  const now = ctx.clock.now();
  const db = ctx.store.db;
  const [latest, alert] = await Promise.all([
    db.selectFrom('alert_events').select((eb) => eb.fn.max('id').as('id')).where('alert_id', '=', m.alertId).executeTakeFirst(),
    db.selectFrom('alerts').select('status').where('id', '=', m.alertId).executeTakeFirst(),
  ]);
  if (!alert) return;
  const version = Number(latest?.id ?? 0);
  // The page was rendered as triggered; if the alert moved on meanwhile, update it at once.
  const shown = alert.status === 'triggered' ? version : 0;
  await db
    .insertInto('slack_posts')
    .values({
      alert_id: m.alertId,
      kind: 'dm',
      channel: `page:${m.pageId}`,
      channel_id: m.channelId,
      ts: m.ts,
      wanted_version: version,
      posted_version: shown,
      status: shown === version ? 'done' : 'pending',
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      lease_owner: null,
      lease_until: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['alert_id', 'channel']).doUpdateSet({ channel_id: m.channelId, ts: m.ts, updated_at: now }))
    .execute();
}

interface Claimed {
  row: PostRow;
  alert: AlertRow | undefined;
}

interface Outcome {
  row: PostRow;
  ok: { channelId: string; ts: string } | null;
  failure: SlackFailure | null;
  /** Not attempted: Slack asked us to wait (rate limit) before this one's turn came. */
  deferredUntil?: number;
}

export class SlackPoster {
  readonly owner = `slack-${randomUUID().slice(0, 8)}`;
  /** Event ids at or below the cursor that this process has handled (PostgreSQL overlap). */
  private readonly seen = new Set<number>();
  /** Slack said to wait (HTTP 429 Retry-After): no calls before this time. */
  private pausedUntil = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly client: WebClient,
  ) {}

  /** One engine round: feed from the timeline, then deliver what is due. */
  async run(): Promise<boolean> {
    const fed = await this.feed();
    const delivered = await this.deliver();
    return fed || delivered;
  }

  /** Reads the timeline past the cursor and marks the messages it changes; true when more may wait. */
  async feed(): Promise<boolean> {
    const { ctx } = this;
    const db = ctx.store.db;
    const cursor = Number((await getSetting(db, CURSOR_KEY)) ?? 0);
    const overlap = ctx.store.dialect === 'postgres' ? OVERLAP : 0;
    const rows = await db
      .selectFrom('alert_events')
      .select(['id', 'alert_id', 'kind'])
      .where('id', '>', cursor - overlap)
      .orderBy('id')
      .limit(FEED_BATCH + overlap)
      .execute();
    const fresh = rows.filter((r) => r.id > cursor || !this.seen.has(r.id));
    const last = rows.length ? (rows[rows.length - 1]?.id ?? cursor) : cursor;
    if (fresh.length === 0) return false;
    const latest = new Map<number, { version: number; opened: boolean }>();
    for (const r of fresh) {
      if (!WATCHED.has(r.kind)) continue;
      const prev = latest.get(r.alert_id);
      latest.set(r.alert_id, { version: Math.max(prev?.version ?? 0, r.id), opened: (prev?.opened ?? false) || r.kind === 'triggered' });
    }
    const now = ctx.clock.now();
    const org = await ctx.org.get(db);
    await ctx.store.tx(async (trx) => {
      if (latest.size > 0) await this.mark(trx, org, latest, now);
      if (last > cursor) await putSetting(trx, CURSOR_KEY, String(last));
    });
    for (const r of fresh) this.seen.add(r.id);
    for (const id of this.seen) if (id <= last - overlap) this.seen.delete(id);
    return fresh.length >= FEED_BATCH;
  }

  private async mark(trx: Conn, org: OrgSnapshot, latest: Map<number, { version: number; opened: boolean }>, now: number): Promise<void> {
    const ids = [...latest.keys()];
    const inserts: { alert_id: number; channel: string; version: number }[] = [];
    if (org.slackRouting.size > 0) {
      for (let i = 0; i < ids.length; i += 500) {
        const alerts = await trx.selectFrom('alerts').select(['id', 'service_id', 'severity', 'class', 'labels', 'status', 'created_at']).where('id', 'in', ids.slice(i, i + 500)).execute();
        for (const a of alerts) {
          const routing = org.slackRouting.get(a.service_id);
          const seen = latest.get(a.id);
          // A post is opened for an alert that is open, or that opened and resolved moments ago.
          // History is not announced: not alerts resolved before their service was routed, nor,
          // when Slack is connected to a server that ran without it, the backlog the feed reads.
          if (!routing || !seen) continue;
          if (a.status === 'resolved' && !(seen.opened && now - a.created_at < ANNOUNCE_RESOLVED_MS)) continue;
          for (const channel of channelsFor(routing, { severity: a.severity, class: a.class, labels: safeJson<Record<string, string>>(a.labels, {}) })) {
            inserts.push({ alert_id: a.id, channel, version: seen.version });
          }
        }
      }
    }
    for (let i = 0; i < inserts.length; i += 200) {
      await trx
        .insertInto('slack_posts')
        .values(
          inserts.slice(i, i + 200).map((p) => ({
            alert_id: p.alert_id,
            kind: 'channel' as const,
            channel: p.channel,
            channel_id: null,
            ts: null,
            wanted_version: p.version,
            posted_version: 0,
            status: 'pending',
            attempts: 0,
            next_attempt_at: now,
            last_error: null,
            lease_owner: null,
            lease_until: null,
            created_at: now,
            updated_at: now,
          })),
        )
        .onConflict((oc) => oc.columns(['alert_id', 'channel']).doNothing())
        .execute();
    }
    // Messages that already exist: only alerts that have one pay for the updates.
    const tracked = new Set<number>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const r of await trx.selectFrom('slack_posts').select('alert_id').distinct().where('alert_id', 'in', ids.slice(i, i + 500)).execute()) tracked.add(r.alert_id);
    }
    for (const alertId of tracked) {
      const version = latest.get(alertId)?.version ?? 0;
      // Settled messages (and failed ones: the fix may have come since) are due again at once…
      await trx
        .updateTable('slack_posts')
        .set({ wanted_version: version, status: 'pending', next_attempt_at: now, attempts: 0, updated_at: now })
        .where('alert_id', '=', alertId)
        .where('status', 'in', ['done', 'failed'])
        .where('wanted_version', '<', version)
        .where('posted_version', '<', version)
        .execute();
      // …those waiting or in flight only learn the newer version (an update follows the send).
      await trx.updateTable('slack_posts').set({ wanted_version: version, updated_at: now }).where('alert_id', '=', alertId).where('wanted_version', '<', version).execute();
    }
  }

  /** Sends one batch of due messages; true when the batch was full. */
  async deliver(): Promise<boolean> {
    const { ctx } = this;
    const now = ctx.clock.now();
    if (now < this.pausedUntil) return false;
    const org = await ctx.org.get(ctx.store.db);
    const claimed = await ctx.store.relaxedTx(async (trx): Promise<Claimed[]> => {
      const due = await trx
        .selectFrom('slack_posts')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
            eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
          ]),
        )
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(CLAIM_BATCH)
        .$if(ctx.store.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
        .execute();
      if (due.length === 0) return [];
      const rows = await trx
        .updateTable('slack_posts')
        .set((eb) => ({ status: 'sending', lease_owner: this.owner, lease_until: now + LEASE_MS, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', due.map((d) => d.id))
        .returningAll()
        .execute();
      const alerts = new Map((await trx.selectFrom('alerts').selectAll().where('id', 'in', [...new Set(rows.map((r) => r.alert_id))]).execute()).map((a) => [a.id, a]));
      return rows.sort((a, b) => a.id - b.id).map((row) => ({ row, alert: alerts.get(row.alert_id) }));
    });
    if (claimed.length === 0) return false;
    const outcomes: Outcome[] = [];
    for (const c of claimed) {
      if (this.ctx.clock.now() < this.pausedUntil) {
        outcomes.push({ row: c.row, ok: null, failure: null, deferredUntil: this.pausedUntil });
        continue;
      }
      const outcome = await this.send(c, org);
      if (outcome.failure?.code === 'ratelimited') this.pausedUntil = this.ctx.clock.now() + (outcome.failure.retryAfterMs ?? 30_000);
      outcomes.push(outcome);
    }
    await this.record(outcomes);
    return claimed.length === CLAIM_BATCH;
  }

  private async send(c: Claimed, org: OrgSnapshot): Promise<Outcome> {
    const { row, alert } = c;
    const target = row.kind === 'dm' ? 'the direct message' : row.channel;
    if (!alert) return { row, ok: null, failure: { retryable: false, code: 'alert_deleted', error: 'the alert was deleted' } };
    const m = alertMessage(alertView(alert, org, this.ctx.publicUrl));
    try {
      if (row.channel_id && row.ts) {
        const r = await this.client.chat.update({ channel: row.channel_id, ts: row.ts, text: m.text, blocks: m.blocks });
        return { row, ok: { channelId: r.channel ?? row.channel_id, ts: r.ts ?? row.ts }, failure: null };
      }
      const r = await this.client.chat.postMessage({ channel: row.channel, text: m.text, blocks: m.blocks, unfurl_links: false, unfurl_media: false });
      if (!r.channel || !r.ts) return { row, ok: null, failure: { retryable: false, code: 'bad_response', error: 'Slack answered chat.postMessage without channel and ts' } };
      return { row, ok: { channelId: r.channel, ts: r.ts }, failure: null };
    } catch (err) {
      return { row, ok: null, failure: classifySlackError(err, target) };
    }
  }

  private async record(outcomes: Outcome[]): Promise<void> {
    const { ctx } = this;
    const now = ctx.clock.now();
    const system = { kind: 'system' as const, id: null, name: 'Watchkeeper', surface: 'engine' as const };
    const events: NewAlertEvent[] = [];
    await ctx.store.tx(async (trx) => {
      for (const o of outcomes) {
        const { row } = o;
        const ours = trx.updateTable('slack_posts').where('id', '=', row.id).where('lease_owner', '=', this.owner);
        const release = { lease_owner: null, lease_until: null, updated_at: now };
        if (o.deferredUntil !== undefined) {
          await ours.set((eb) => ({ status: 'pending', next_attempt_at: o.deferredUntil as number, attempts: eb('attempts', '-', 1), ...release })).execute();
          continue;
        }
        if (o.ok) {
          ctx.metrics.deliveries.inc({ channel: 'slack', outcome: 'sent' });
          const base = { channel_id: o.ok.channelId, ts: o.ok.ts, posted_version: row.wanted_version, attempts: 0, last_error: null, ...release };
          // Settled unless the alert changed again while this call was in flight.
          const settled = await ours.set({ ...base, status: 'done' }).where('wanted_version', '<=', row.wanted_version).executeTakeFirst();
          if (Number(settled.numUpdatedRows) === 0) await ours.set({ ...base, status: 'pending', next_attempt_at: now }).execute();
          if (row.kind === 'channel' && !row.ts) events.push(eventRow(row.alert_id, now, system, 'slack_posted', `posted to ${row.channel} in Slack`, { channel: row.channel, channel_id: o.ok.channelId, ts: o.ok.ts }));
          continue;
        }
        const f = o.failure as SlackFailure;
        ctx.metrics.deliveries.inc({ channel: 'slack', outcome: 'failed' });
        if ((f.code === 'message_not_found' || f.code === 'cant_update_message') && row.kind === 'channel') {
          // Someone deleted the message: post it anew.
          await ours.set({ status: 'pending', channel_id: null, ts: null, next_attempt_at: now, last_error: f.error, ...release }).execute();
          continue;
        }
        if (f.retryable && row.attempts < MAX_ATTEMPTS) {
          const wait = Math.max(f.retryAfterMs ?? 0, BACKOFF_MS[Math.min(row.attempts - 1, BACKOFF_MS.length - 1)] ?? 60_000);
          await ours.set({ status: 'pending', next_attempt_at: now + wait, last_error: f.error, ...release }).execute();
          continue;
        }
        await ours.set({ status: 'failed', last_error: f.error, ...release }).execute();
        const what = row.kind === 'dm' ? 'updating the Slack direct message' : row.ts ? `updating the Slack message in ${row.channel}` : `posting to ${row.channel} in Slack`;
        events.push(eventRow(row.alert_id, now, system, 'slack_failed', `${what} failed after ${row.attempts} attempt(s): ${f.error}`, { channel: row.channel, code: f.code }));
        ctx.log.warn({ component: 'slack', alertId: row.alert_id, channel: row.channel, code: f.code }, f.error);
      }
      if (events.length) await insertAlertEvents(trx, events);
    });
    if (events.length) ctx.bus.publish(events.map((e) => ({ type: 'alert.updated' as const, alertId: e.alert_id, at: now })));
  }
}
