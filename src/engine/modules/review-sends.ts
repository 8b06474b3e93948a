import type { Ctx } from '../../commands/context.js';
import { buildReview } from '../../commands/review.js';
import { reviewMarkdown, reviewTitle } from '../../commands/review-markdown.js';
import type { ReviewConfig } from '../../config/org-review.js';
import { KIND_OF_SEND, lastSendDue } from '../../domain/reports/review-period.js';
import { queueNotice } from '../../notify/notices.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import { getSetting } from '../../store/settings.repo.js';

/**
 * Sends the on-call review by email when it falls due (org file `review`): every Monday at 09:00
 * for a weekly one, on the first Monday of the month or quarter for the others.
 *
 * Durable and exactly once per period. The send is claimed by inserting its key (the schedule and
 * the local date it falls on) into review_sends, in the same transaction as the notices: of two
 * engines, the second insert finds the key taken (on PostgreSQL it waits for the first to commit)
 * and queues nothing; a crash before commit leaves nothing behind, so the next tick sends it. The
 * review is computed before the transaction (it reads a period of data) and only by an engine that
 * found the key free.
 *
 * A review is sent up to CATCH_UP_MS after its time: after a restart on Monday afternoon the
 * morning's review still goes out; one due days ago, before the section existed, does not.
 * A check runs at most once a minute of clock time.
 */

export const CHECK_INTERVAL_MS = 60_000;
export const CATCH_UP_MS = 24 * 3_600_000;

/** User ids the review goes to: named users and every member of named teams, each once. */
export function reviewRecipients(org: OrgSnapshot, cfg: ReviewConfig): string[] {
  const ids = new Set<string>();
  for (const name of cfg.to) {
    const user = org.usersByName.get(name);
    if (user) ids.add(user.id);
    const team = [...org.teams.values()].find((t) => t.name === name);
    if (team) for (const m of org.teamMembers.get(team.id) ?? []) ids.add(m.userId);
  }
  return [...ids].filter((id) => org.users.has(id)).sort();
}

const EMAIL = new Set(['email']);

export async function sendDueReview(ctx: Ctx): Promise<{ key: string; messages: number } | null> {
  const cfg = JSON.parse((await getSetting(ctx.store.db, 'review')) ?? 'null') as ReviewConfig | null;
  if (!cfg) return null;
  const now = ctx.clock.now();
  const due = lastSendDue(cfg, now);
  if (now - due.at > CATCH_UP_MS) return null;
  const key = `${cfg.send}:${due.date}`;
  const sent = await ctx.store.db.selectFrom('review_sends').select('review_key').where('review_key', '=', key).executeTakeFirst();
  if (sent) return null;

  const org = await ctx.org.get(ctx.store.db);
  const review = await buildReview(ctx.store.db, ctx.store.dialect, org, KIND_OF_SEND[cfg.send], due.period, cfg.timeZone, now);
  const subject = reviewTitle(review);
  const text = reviewMarkdown(review);
  const recipients = reviewRecipients(org, cfg);
  return ctx.store.tx(async (trx) => {
    const claimed = await trx
      .insertInto('review_sends')
      .values({ review_key: key, period_from: due.period.from, period_to: due.period.to, sent_at: now, recipients: 0 })
      .onConflict((oc) => oc.column('review_key').doNothing())
      .returning('review_key')
      .execute();
    if (claimed.length === 0) return null;
    let messages = 0;
    for (const userId of recipients) {
      messages += await queueNotice(
        trx,
        org,
        now,
        {
          userId,
          kind: 'review',
          key: `review:${key}:${userId}`,
          subject,
          text,
          url: `/reports?tab=review&period=${KIND_OF_SEND[cfg.send]}`,
          data: { period: KIND_OF_SEND[cfg.send], from: new Date(due.period.from).toISOString(), to: new Date(due.period.to).toISOString() },
        },
        EMAIL,
      );
    }
    await trx.updateTable('review_sends').set({ recipients: messages }).where('review_key', '=', key).execute();
    return { key, messages };
  });
}

export function reviewSendsModule(ctx: Ctx) {
  let lastRun = -Infinity;
  return {
    name: 'review-sends',
    run: async (): Promise<boolean> => {
      const now = ctx.clock.now();
      if (now - lastRun < CHECK_INTERVAL_MS) return false;
      lastRun = now;
      const r = await sendDueReview(ctx);
      if (r && r.messages > 0) {
        ctx.wake();
        ctx.log.info({ component: 'engine', module: 'review-sends', review: r.key, messages: r.messages }, `queued the ${r.key} review to ${r.messages} people`);
      }
      return false;
    },
  };
}
