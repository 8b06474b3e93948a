import { onCallAt } from '../domain/schedule/schedule.js';
import type { SenderRegistry } from '../notify/sender.js';
import { overridesAt } from '../store/schedule.repo.js';
import { channelName } from './contact-methods.js';
import type { Ctx } from './context.js';

/**
 * Who is on call right now and could not be paged if a high-urgency alert fired now, and why.
 * "On call" is whoever a schedule has on call now (overrides included) and every user an
 * escalation policy names directly. A person is reachable when at least one of their high-urgency
 * rules goes through a method that is verified, not paused, on a channel this server can send
 * through, and for SMS and voice to a number that has not texted STOP. For the unreachable, each
 * method's problem is listed with its fix.
 */

export type UnreachableKind = 'no_rules' | 'unverified' | 'paused' | 'not_connected' | 'opted_out';

export interface UnreachableReason {
  kind: UnreachableKind;
  /** The method concerned; null for a problem with the rules as a whole. */
  contact_method: string | null;
  message: string;
  fix: string;
}

export interface UnreachablePerson {
  user: string;
  full_name: string;
  /** Why they count as on call: "schedule platform-primary", "escalation policy default, level 1". */
  on_call: { kind: 'schedule' | 'escalation_policy'; name: string; level?: number }[];
  reasons: UnreachableReason[];
}

export interface ReachabilityReport {
  at: number;
  /** How many people on call were checked. */
  checked: number;
  unreachable: UnreachablePerson[];
}

export async function reachability(ctx: Ctx, senders: SenderRegistry): Promise<ReachabilityReport> {
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  const onCall = new Map<string, UnreachablePerson['on_call']>();
  const add = (userId: string, why: UnreachablePerson['on_call'][number]) => {
    const list = onCall.get(userId) ?? [];
    if (!list.some((w) => w.kind === why.kind && w.name === why.name)) list.push(why);
    onCall.set(userId, list);
  };

  const schedules = [...org.schedules.values()];
  const overrides = schedules.length ? await overridesAt(ctx.store.db, schedules.map((s) => s.id), now) : new Map();
  for (const s of schedules) {
    const who = onCallAt({ timeZone: s.timeZone, layers: s.layers, overrides: overrides.get(s.id) ?? [] }, now);
    if (who !== null && org.users.has(who)) add(who, { kind: 'schedule', name: s.name });
  }
  for (const p of org.policies.values()) {
    p.spec.levels.forEach((lvl, i) => {
      for (const t of lvl.targets) {
        if (t.kind === 'user' && org.users.has(t.id)) add(t.id, { kind: 'escalation_policy', name: p.name, level: i + 1 });
        // A team target pages its members (with the target's role, when it names one).
        if (t.kind === 'team') for (const m of org.teamMembers.get(t.id) ?? []) if ((!t.role || m.role === t.role) && org.users.has(m.userId)) add(m.userId, { kind: 'escalation_policy', name: p.name, level: i + 1 });
      }
    });
  }
  if (onCall.size === 0) return { at: now, checked: 0, unreachable: [] };

  // From the store, not the snapshot: the snapshot leaves paused methods' rules out, and a paused
  // method is exactly what this report must name.
  const ids = [...onCall.keys()];
  const [methods, rules] = await Promise.all([
    ctx.store.db.selectFrom('contact_methods').selectAll().where('user_id', 'in', ids).execute(),
    ctx.store.db.selectFrom('notification_rules').selectAll().where('user_id', 'in', ids).where('urgency', 'in', ['high', 'any']).orderBy('delay_minutes').orderBy('position').execute(),
  ]);
  const methodById = new Map(methods.map((m) => [m.id, m]));
  const phones = [...new Set(methods.filter((m) => m.kind === 'sms' || m.kind === 'voice').map((m) => m.address))];
  const optedOut = new Set(phones.length ? (await ctx.store.db.selectFrom('twilio_opt_outs').select('phone').where('phone', 'in', phones).execute()).map((r) => r.phone) : []);

  const unreachable: UnreachablePerson[] = [];
  for (const [userId, why] of onCall) {
    const user = org.users.get(userId);
    if (!user) continue;
    const used = [...new Set(rules.filter((r) => r.user_id === userId).map((r) => r.contact_method_id))].flatMap((id) => {
      const m = methodById.get(id);
      return m ? [m] : [];
    });
    const reasons: UnreachableReason[] = [];
    if (used.length === 0) {
      reasons.push({
        kind: 'no_rules',
        contact_method: null,
        message: 'no high-urgency notification rule',
        fix: `add a step under Notification rules → High urgency on ${user.name}'s profile (or notification_rules in the organisation file)`,
      });
    }
    let reachable = false;
    for (const m of used) {
      const label = `"${m.name}" (${channelName(m.kind)}: ${m.address})`;
      if (Number(m.paused) === 1) {
        reasons.push({ kind: 'paused', contact_method: m.name, message: `${label} is paused`, fix: `resume "${m.name}" under Contact methods on ${user.name}'s profile` });
      } else if (Number(m.verified) !== 1) {
        reasons.push({ kind: 'unverified', contact_method: m.name, message: `${label} is not verified`, fix: `enter the code sent to ${m.address} under Contact methods on ${user.name}'s profile, or send a new code` });
      } else if ((m.kind === 'sms' || m.kind === 'voice') && optedOut.has(m.address)) {
        reasons.push({
          kind: 'opted_out',
          contact_method: m.name,
          message: `${label}: the number texted STOP, so no SMS or call goes to it`,
          fix: `${user.name} texts START to the Watchkeeper number, or adds a high-urgency step through another method`,
        });
      } else if (senders.supports(m.kind) === null) {
        reasons.push({
          kind: 'not_connected',
          contact_method: m.name,
          message: `${label} uses ${channelName(m.kind)}, which is not connected on this server`,
          fix: `an admin connects ${channelName(m.kind)} to Watchkeeper, or ${user.name} adds a high-urgency step through another method`,
        });
      } else {
        reachable = true;
      }
    }
    if (!reachable) unreachable.push({ user: user.name, full_name: user.full_name, on_call: why, reasons });
  }
  unreachable.sort((a, b) => a.user.localeCompare(b.user));
  return { at: now, checked: onCall.size, unreachable };
}
