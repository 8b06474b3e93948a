import { randomUUID } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { Ctx } from '../../commands/context.js';
import { systemActor } from '../../commands/context.js';
import { incidentEvent, insertEvent } from '../../commands/war-room.js';
import { listIncidentRoles } from '../../store/incident.repo.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import { getWarRoom, type SlackJobRow } from '../../store/war-room.repo.js';
import { classifySlackError, type SlackFailure } from './slack-api.js';

/**
 * Delivers incident_slack_jobs, the Slack calls war rooms and stakeholder rules need, outside any
 * transaction: claim a batch (lease), call Slack, record the outcomes.
 *
 *   pending ──claim──▶ sending ──ok──▶ done
 *      ▲                  │ └─permanent error / attempts used up──▶ failed (on the incident timeline)
 *      └──retryable error─┘ (next_attempt_at = now + backoff, at least Slack's Retry-After)
 *
 * create_channel: conversations.create with the war room's name; when Slack answers name_taken
 * (another incident of the same day and title, or a retry after a crash between the call and the
 * record) the name gets a -2, -3 … suffix. Then the role holders whose Slack member IDs are known
 * (a slack contact method, or their email found in Slack) are invited with conversations.invite.
 * post: chat.postMessage to a channel, or to the war room once its channel exists (until then the
 * post waits without using an attempt). invite: a person given a role after the war room opened.
 * archive: conversations.archive.
 */
const CLAIM_BATCH = 10;
const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 8;
const BACKOFF_MS = [5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
const WAIT_FOR_CHANNEL_MS = 5_000;
const MAX_SUFFIX = 9;
const ENGINE = systemActor('engine');

type Outcome =
  | { job: SlackJobRow; ok: true; event?: { kind: string; message: string; data: unknown }; room?: { channel_name?: string; channel_id?: string; state?: string; archived_at?: number } }
  | { job: SlackJobRow; ok: false; wait: true }
  | { job: SlackJobRow; ok: false; wait?: false; failure: SlackFailure };

export class WarRoomSlack {
  readonly owner = `war-room-${randomUUID().slice(0, 8)}`;
  private pausedUntil = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly client: WebClient,
  ) {}

  async run(): Promise<boolean> {
    const { ctx } = this;
    const now = ctx.clock.now();
    if (now < this.pausedUntil) return false;
    const claimed = await ctx.store.tx(async (trx) => {
      const due = await trx
        .selectFrom('incident_slack_jobs')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
            eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
          ]),
        )
        .orderBy('id')
        .limit(CLAIM_BATCH)
        .$if(ctx.store.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
        .execute();
      if (due.length === 0) return [];
      const rows = await trx
        .updateTable('incident_slack_jobs')
        .set((eb) => ({ status: 'sending', lease_owner: this.owner, lease_until: now + LEASE_MS, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', due.map((d) => d.id))
        .returningAll()
        .execute();
      return rows.sort((a, b) => a.id - b.id);
    });
    if (claimed.length === 0) return false;
    const org = await ctx.org.get(ctx.store.db);
    const outcomes: Outcome[] = [];
    for (const job of claimed) {
      if (ctx.clock.now() < this.pausedUntil) {
        outcomes.push({ job, ok: false, wait: true });
        continue;
      }
      const o = await this.send(job, org);
      if (!o.ok && !o.wait && o.failure.code === 'ratelimited') this.pausedUntil = ctx.clock.now() + (o.failure.retryAfterMs ?? 30_000);
      outcomes.push(o);
    }
    await this.record(outcomes);
    return claimed.length === CLAIM_BATCH;
  }

  private async send(job: SlackJobRow, org: OrgSnapshot): Promise<Outcome> {
    const room = await getWarRoom(this.ctx.store.db, job.incident_id);
    try {
      if (job.action === 'create_channel') {
        if (!room?.channel_name) return { job, ok: true };
        if (room.channel_id) return { job, ok: true };
        let name = room.channel_name;
        let created: { id: string; name: string } | null = null;
        for (let n = 1; n <= MAX_SUFFIX && !created; n++) {
          name = n === 1 ? room.channel_name : `${room.channel_name.slice(0, 77)}-${n}`;
          try {
            const r = await this.client.conversations.create({ name, is_private: false });
            if (!r.channel?.id) return { job, ok: false, failure: { retryable: false, code: 'bad_response', error: 'Slack answered conversations.create without a channel' } };
            created = { id: r.channel.id, name: r.channel.name ?? name };
          } catch (err) {
            const f = classifySlackError(err, `#${name}`);
            if (f.code !== 'name_taken') throw err;
          }
        }
        if (!created) return { job, ok: false, failure: { retryable: false, code: 'name_taken', error: `Slack channels #${room.channel_name} to #${name} exist already (name_taken): rename or archive one, then open the war room again` } };
        const invited = await this.invite(job.incident_id, created.id, org);
        return {
          job,
          ok: true,
          room: { channel_id: created.id, channel_name: created.name },
          event: { kind: 'war_room_channel', message: `Slack channel #${created.name} created${invited.text}`, data: { channel: `#${created.name}`, channel_id: created.id, invited: invited.names } },
        };
      }
      if (job.action === 'post') {
        let channel = job.channel;
        if (!channel) {
          if (room?.channel_id && (room.state === 'open' || room.state === 'archiving')) channel = room.channel_id;
          else if (room?.channel_name && room.state === 'open') return { job, ok: false, wait: true };
          else return { job, ok: true };
        }
        await this.client.chat.postMessage({ channel, text: job.text, unfurl_links: false, unfurl_media: false });
        return { job, ok: true };
      }
      if (job.action === 'invite') {
        if (!room?.channel_name || room.state !== 'open') return { job, ok: true };
        if (!room.channel_id) return { job, ok: false, wait: true };
        const user = org.usersByName.get(job.text);
        const member = user ? await slackMemberOf(this.ctx, org, user.id) : null;
        if (!member) return { job, ok: true, event: { kind: 'war_room_invite', message: `${job.text} not invited to #${room.channel_name}: no Slack member ID known (add a Slack contact method)`, data: { user: job.text } } };
        try {
          await this.client.conversations.invite({ channel: room.channel_id, users: member });
        } catch (err) {
          if (classifySlackError(err, `#${room.channel_name}`).code === 'already_in_channel') return { job, ok: true };
          throw err;
        }
        return { job, ok: true, event: { kind: 'war_room_invite', message: `invited ${job.text} to #${room.channel_name}`, data: { user: job.text, member } } };
      }
      if (job.action === 'archive') {
        if (!room?.channel_id) return { job, ok: true, room: { state: 'archived', archived_at: this.ctx.clock.now() }, event: { kind: 'war_room_archived', message: 'war room closed with the incident; its Slack channel was never created', data: {} } };
        try {
          await this.client.conversations.archive({ channel: room.channel_id });
        } catch (err) {
          if (classifySlackError(err, '').code !== 'already_archived') throw err;
        }
        return { job, ok: true, room: { state: 'archived', archived_at: this.ctx.clock.now() }, event: { kind: 'war_room_archived', message: `Slack channel #${room.channel_name} archived: the incident is closed`, data: { channel: `#${room.channel_name}`, channel_id: room.channel_id } } };
      }
      return { job, ok: false, failure: { retryable: false, code: 'unknown_action', error: `unknown job ${job.action}` } };
    } catch (err) {
      const where = job.channel ?? (room?.channel_name ? `#${room.channel_name}` : 'the war room');
      return { job, ok: false, failure: classifySlackError(err, where) };
    }
  }

  /** Invites the current role holders whose Slack member IDs are known; failures are reported, not retried. */
  private async invite(incidentId: number, channelId: string, org: OrgSnapshot): Promise<{ names: string[]; text: string }> {
    const roles = await listIncidentRoles(this.ctx.store.db, [incidentId]);
    const userIds = [...new Set(roles.map((r) => r.user_id))];
    if (userIds.length === 0) return { names: [], text: '' };
    const members = new Map<string, string>();
    for (const u of userIds) {
      const m = await slackMemberOf(this.ctx, org, u);
      if (m) members.set(u, m);
    }
    const names = [...members.keys()].map((u) => org.users.get(u)?.name ?? u).sort();
    const unknown = userIds.filter((u) => !members.has(u)).map((u) => org.users.get(u)?.name ?? u);
    const unknownText = unknown.length ? `; not invited (no Slack member ID known): ${unknown.join(', ')}` : '';
    if (members.size === 0) return { names: [], text: unknownText };
    try {
      await this.client.conversations.invite({ channel: channelId, users: [...members.values()].join(',') });
      return { names, text: `; invited ${names.join(', ')}${unknownText}` };
    } catch (err) {
      const f = classifySlackError(err, 'the war room');
      if (f.code === 'already_in_channel') return { names, text: `; invited ${names.join(', ')}${unknownText}` };
      return { names: [], text: `; inviting ${names.join(', ')} failed: ${f.error}${unknownText}` };
    }
  }

  private async record(outcomes: Outcome[]): Promise<void> {
    const { ctx } = this;
    const now = ctx.clock.now();
    let events = 0;
    await ctx.store.tx(async (trx) => {
      for (const o of outcomes) {
        const { job } = o;
        const ours = trx.updateTable('incident_slack_jobs').where('id', '=', job.id).where('lease_owner', '=', this.owner);
        const release = { lease_owner: null, lease_until: null };
        if (o.ok) {
          await ours.set({ status: 'done', last_error: null, ...release }).execute();
          if (o.room) await trx.updateTable('incident_war_rooms').set(o.room).where('incident_id', '=', job.incident_id).execute();
          if (o.event) {
            await insertEvent(trx, incidentEvent(job.incident_id, now, ENGINE, o.event.kind, o.event.message, o.event.data));
            events++;
          }
          ctx.metrics.deliveries.inc({ channel: 'slack', outcome: 'sent' });
          continue;
        }
        if (o.wait) {
          await ours.set((eb) => ({ status: 'pending', next_attempt_at: Math.max(now + WAIT_FOR_CHANNEL_MS, this.pausedUntil), attempts: eb('attempts', '-', 1), ...release })).execute();
          continue;
        }
        const f = o.failure;
        ctx.metrics.deliveries.inc({ channel: 'slack', outcome: 'failed' });
        if (f.retryable && job.attempts < MAX_ATTEMPTS) {
          const wait = Math.max(f.retryAfterMs ?? 0, BACKOFF_MS[Math.min(job.attempts - 1, BACKOFF_MS.length - 1)] ?? 60_000);
          await ours.set({ status: 'pending', next_attempt_at: now + wait, last_error: f.error, ...release }).execute();
          continue;
        }
        await ours.set({ status: 'failed', last_error: f.error, ...release }).execute();
        // No channel will come: posts waiting for it are dropped, and closing needs no archive.
        if (job.action === 'create_channel') await trx.updateTable('incident_war_rooms').set({ channel_name: null }).where('incident_id', '=', job.incident_id).where('channel_id', 'is', null).execute();
        const what = job.action === 'create_channel' ? 'creating the war room channel' : job.action === 'archive' ? 'archiving the war room channel' : `posting to ${job.channel ?? 'the war room'} in Slack`;
        await insertEvent(trx, incidentEvent(job.incident_id, now, ENGINE, 'slack_failed', `${what} failed after ${job.attempts} attempt(s): ${f.error}`, { action: job.action, code: f.code }));
        events++;
        ctx.log.warn({ component: 'slack', incidentId: job.incident_id, action: job.action, code: f.code }, f.error);
      }
    });
    if (events > 0) ctx.bus.publish([{ type: 'incident.updated', at: now }]);
  }
}

/** A person's Slack member ID when known: their Slack contact method, or their email found in Slack before. */
async function slackMemberOf(ctx: Ctx, org: OrgSnapshot, userId: string): Promise<string | null> {
  for (const cm of org.contactMethods.values()) if (cm.kind === 'slack' && cm.user_id === userId) return cm.address;
  const r = await ctx.store.db.selectFrom('slack_users').select('slack_user_id').where('user_id', '=', userId).where('slack_user_id', 'is not', null).executeTakeFirst();
  return r?.slack_user_id ?? null;
}

/** The notify role's module: war room channels and stakeholder channel posts. */
export function warRoomSlackModule(ctx: Ctx, client: WebClient) {
  const w = new WarRoomSlack(ctx, client);
  return { name: 'war-room-slack', run: () => w.run() };
}
