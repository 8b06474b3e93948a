import type { WebClient } from '@slack/web-api';
import type { Ctx } from '../../commands/context.js';
import type { UsersTable } from '../../store/schema.js';
import { classifySlackError } from './slack-api.js';

/**
 * Which Watchkeeper user a Slack member is. A person's 'slack' contact method (address = member
 * ID) says it outright. Otherwise their account email is looked up in Slack (users.lookupByEmail)
 * and the answer kept in slack_users: found members for good (until the email changes), "no such
 * member" for a day, so that a stranger pressing buttons does not cost a lookup per person each time.
 */

const NOT_FOUND_TTL_MS = 24 * 3_600_000;
/** Slack wants an answer to a button within 3 s; lookups stop after this long. */
const LOOKUP_BUDGET_MS = 1_500;

export async function userForSlackMember(ctx: Ctx, client: WebClient, memberId: string): Promise<UsersTable | null> {
  const db = ctx.store.db;
  const org = await ctx.org.get(db);
  const linked = new Set<string>();
  for (const cm of org.contactMethods.values()) {
    if (cm.kind !== 'slack') continue;
    linked.add(cm.user_id);
    const u = cm.address === memberId ? org.users.get(cm.user_id) : undefined;
    if (u) return u;
  }
  const cached = new Map((await db.selectFrom('slack_users').selectAll().execute()).map((r) => [r.user_id, r]));
  for (const r of cached.values()) {
    const u = org.users.get(r.user_id);
    if (r.slack_user_id === memberId && u && sameEmail(u.email, r.email)) return u;
  }
  const now = ctx.clock.now();
  const deadline = performance.now() + LOOKUP_BUDGET_MS;
  for (const u of [...org.users.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    // Someone with a Slack contact method is that member, and no other.
    if (!u.email || linked.has(u.id)) continue;
    const r = cached.get(u.id);
    if (r && sameEmail(r.email, u.email) && (r.slack_user_id !== null || now - r.checked_at < NOT_FOUND_TTL_MS)) continue;
    if (performance.now() > deadline) break;
    let found: string | null;
    try {
      const res = await client.users.lookupByEmail({ email: u.email });
      found = res.user?.id ?? null;
    } catch (err) {
      const f = classifySlackError(err, u.email);
      if (f.code !== 'users_not_found') {
        ctx.log.warn({ component: 'slack', code: f.code }, `looking up ${u.name} in Slack by email failed: ${f.error}`);
        break;
      }
      found = null;
    }
    const row = { email: u.email, slack_user_id: found, checked_at: now };
    await db
      .insertInto('slack_users')
      .values({ user_id: u.id, ...row })
      .onConflict((oc) => oc.column('user_id').doUpdateSet(row))
      .execute();
    if (found === memberId) return u;
  }
  return null;
}

const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** How many people Slack messages can be tied to: by contact method, by email, and together. */
export async function mappedUserCounts(ctx: Ctx): Promise<{ total: number; mapped: number; byContactMethod: number; byEmail: number }> {
  const org = await ctx.org.get(ctx.store.db);
  const byCm = new Set([...org.contactMethods.values()].filter((c) => c.kind === 'slack').map((c) => c.user_id));
  const rows = await ctx.store.db.selectFrom('slack_users').select(['user_id', 'email']).where('slack_user_id', 'is not', null).execute();
  const byEmail = new Set(rows.filter((r) => org.users.has(r.user_id) && sameEmail(org.users.get(r.user_id)?.email ?? '', r.email)).map((r) => r.user_id));
  return { total: org.users.size, mapped: new Set([...byCm, ...byEmail]).size, byContactMethod: byCm.size, byEmail: byEmail.size };
}
