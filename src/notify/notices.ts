import { randomUUID } from 'node:crypto';
import type { Ctx } from '../commands/context.js';
import type { Conn } from '../store/db.js';
import type { NoticesTable } from '../store/schema.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { Insertable, Selectable } from 'kysely';
import { errorMessage, truncate, singleLine, type NoticeKind, type NoticeMessage, type SendResult, type SenderRegistry } from './sender.js';

/**
 * Notices: messages to a person that are not pages for an alert (verification codes, test pages,
 * handoff notes, "you are on call in 24 hours"). They share the senders with pages but not the
 * pages outbox: a notice never escalates, is never cancelled by an acknowledgement, and must not
 * compete with pages for delivery slots.
 *
 *   pending ──claim──▶ sending ──ok──▶ sent
 *      ▲                  │ └─permanent error / attempts used up──▶ failed
 *      └──retryable error─┘ (next_attempt_at = now + backoff)
 *
 * Rows are written in the transaction of whatever caused them (a shift change, an override), so a
 * notice is never lost and, by its unique key, never queued twice.
 */

export type NoticeRow = Selectable<NoticesTable>;

export interface NoticeInput {
  userId: string;
  kind: NoticeKind;
  /** Idempotency: a second queueNotice with the same key (per contact method) is a no-op. */
  key: string;
  subject: string;
  text: string;
  /** For SMS and voice; defaults to the subject. Cut to 160 characters. */
  short?: string;
  /** A web UI path such as "/handoffs/12", made absolute with the public URL; or an absolute URL. */
  url?: string | null;
  data?: Record<string, unknown>;
  /**
   * Send through this one contact method, verified or not (verification codes, test pages).
   * Otherwise the notice goes to the person's notice methods (see noticeMethods).
   */
  contactMethodId?: string;
  /** Not before this time; defaults to now. */
  at?: number;
}

const LEASE_MS = 60_000;
const BATCH = 50;
const MAX_ATTEMPTS = 5;
const BACKOFF_MS = [30_000, 120_000, 600_000, 1_800_000];

/**
 * Which of a person's contact methods carry notices: the verified methods their low-urgency rules
 * notify at once (low urgency is what a notice is: worth knowing, not worth waking up for); when
 * they have none, the ones their high-urgency rules notify at once. Methods on channels that carry
 * no notices are left out by the caller's `channels`.
 */
export function noticeMethods(org: OrgSnapshot, userId: string, channels?: ReadonlySet<string>): { id: string; kind: string; address: string }[] {
  const rules = org.rulesByUser.get(userId) ?? [];
  const pick = (urgency: string) => {
    const out = new Map<string, { id: string; kind: string; address: string }>();
    for (const r of rules) {
      if (r.delay_minutes !== 0 || (r.urgency !== 'any' && r.urgency !== urgency)) continue;
      const cm = org.contactMethods.get(r.contact_method_id);
      if (!cm || !cm.verified || (channels && !channels.has(cm.kind))) continue;
      out.set(cm.id, { id: cm.id, kind: cm.kind, address: cm.address });
    }
    return [...out.values()];
  };
  const low = pick('low');
  return low.length ? low : pick('high');
}

/**
 * Queues a notice in the caller's transaction; returns how many messages were queued (one per
 * contact method; 0 when the same key was queued before). A person with no method that carries
 * notices gets it by email at their account address.
 */
export async function queueNotice(conn: Conn, org: OrgSnapshot, now: number, input: NoticeInput, channels?: ReadonlySet<string>): Promise<number> {
  const user = org.users.get(input.userId);
  if (!user) return 0;
  let targets: { id: string | null; kind: string; address: string }[];
  if (input.contactMethodId) {
    const cm = org.contactMethods.get(input.contactMethodId);
    if (!cm || cm.user_id !== input.userId) return 0;
    targets = [{ id: cm.id, kind: cm.kind, address: cm.address }];
  } else {
    targets = noticeMethods(org, input.userId, channels);
    if (targets.length === 0 && user.email) targets = [{ id: null, kind: 'email', address: user.email }];
  }
  if (targets.length === 0) return 0;
  const rows: Insertable<NoticesTable>[] = targets.map((t) => ({
    notice_key: `${input.key}:${t.id ?? 'account-email'}`,
    user_id: input.userId,
    contact_method_id: t.id,
    kind: input.kind,
    channel: t.kind,
    destination: t.address,
    subject: singleLine(input.subject),
    body: input.text,
    short: truncate(singleLine(input.short ?? input.subject), 160),
    url: input.url ?? null,
    data: JSON.stringify(input.data ?? {}),
    status: 'pending',
    created_at: now,
    next_attempt_at: input.at ?? now,
    attempts: 0,
    last_error: null,
    sent_at: null,
    provider_id: null,
    lease_owner: null,
    lease_until: null,
  }));
  const inserted = await conn
    .insertInto('notices')
    .values(rows)
    .onConflict((oc) => oc.column('notice_key').doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}

export async function listNotices(conn: Conn, userId: string, opts: { kind?: NoticeKind; limit?: number } = {}): Promise<NoticeRow[]> {
  return conn
    .selectFrom('notices')
    .selectAll()
    .where('user_id', '=', userId)
    .$if(opts.kind !== undefined, (q) => q.where('kind', '=', opts.kind!))
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 50)
    .execute();
}

/** Delivers due notices: an engine module of the notify role. */
export class NoticeDeliverer {
  readonly owner = `notice-${randomUUID().slice(0, 8)}`;

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
        .selectFrom('notices')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
            eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
          ]),
        )
        .orderBy('next_attempt_at')
        .limit(BATCH)
        .$if(ctx.store.dialect === 'postgres', (q) => q.forUpdate().skipLocked())
        .execute();
      if (due.length === 0) return [];
      return trx
        .updateTable('notices')
        .set((eb) => ({ status: 'sending', lease_owner: this.owner, lease_until: now + LEASE_MS, attempts: eb('attempts', '+', 1) }))
        .where(
          'id',
          'in',
          due.map((d) => d.id),
        )
        .returningAll()
        .execute();
    });
    if (claimed.length === 0) return false;
    const users = new Map(
      (
        await ctx.store.db
          .selectFrom('users')
          .select(['id', 'name', 'email'])
          .where('id', 'in', [...new Set(claimed.map((n) => n.user_id))])
          .execute()
      ).map((u) => [u.id, u]),
    );
    const secrets = new Map(
      (
        await ctx.store.db
          .selectFrom('contact_methods')
          .select(['id', 'secret_env'])
          .where('id', 'in', [...new Set(claimed.flatMap((n) => (n.contact_method_id ? [n.contact_method_id] : [])))].concat(['']))
          .execute()
      ).map((c) => [c.id, c.secret_env]),
    );
    const results = await Promise.all(
      claimed.map(async (n) => {
        const user = users.get(n.user_id) ?? { id: n.user_id, name: n.user_id, email: '' };
        const msg: NoticeMessage = {
          noticeId: n.id,
          kind: n.kind as NoticeKind,
          channel: n.channel,
          destination: n.destination,
          secretEnv: n.contact_method_id ? (secrets.get(n.contact_method_id) ?? null) : null,
          user,
          subject: n.subject,
          text: n.body,
          short: n.short,
          url: n.url === null ? null : absoluteUrl(ctx.publicUrl, n.url),
          data: JSON.parse(n.data) as Record<string, unknown>,
        };
        let result: SendResult;
        try {
          result = await this.senders.notify(msg);
        } catch (err) {
          result = { ok: false, retryable: true, error: errorMessage(err) };
        }
        return { n, result };
      }),
    );
    const done = ctx.clock.now();
    await ctx.store.tx(async (trx) => {
      for (const { n, result } of results) {
        const release = { lease_owner: null, lease_until: null };
        const patch = result.ok
          ? { status: 'sent', sent_at: done, provider_id: result.providerId, last_error: null, ...release }
          : result.retryable && n.attempts < MAX_ATTEMPTS
            ? { status: 'pending', next_attempt_at: done + Math.max(result.retryAfterMs ?? 0, BACKOFF_MS[Math.min(n.attempts - 1, BACKOFF_MS.length - 1)]!), last_error: result.error, ...release }
            : { status: 'failed', last_error: result.error, ...release };
        await trx.updateTable('notices').set(patch).where('id', '=', n.id).where('lease_owner', '=', this.owner).execute();
        ctx.metrics.deliveries.inc({ channel: n.channel, outcome: result.ok ? 'sent' : 'failed' });
        if (!result.ok) ctx.log.warn({ component: 'notify', noticeId: n.id, kind: n.kind, channel: n.channel, error: result.error }, 'notice not delivered');
      }
    });
    return claimed.length === BATCH;
  }
}

export function absoluteUrl(publicUrl: string, url: string): string {
  if (/^https?:\/\//.test(url)) return url;
  return `${publicUrl.replace(/\/$/, '')}${url.startsWith('/') ? '' : '/'}${url}`;
}
