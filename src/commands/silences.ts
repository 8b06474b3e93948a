import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { checkMatcher, formatMatchers, matchesAll, matchesEmpty, MatcherError, type Labels, type Matcher } from '../domain/silence/matchers.js';
import { indexOf } from '../domain/silence/matcher-index.js';
import { approverText, formatDuration, judgeSilence, type ApprovalRule } from '../domain/silence/policy.js';
import type { Conn, Tx } from '../store/db.js';
import type { AlertRow } from '../store/alert.repo.js';
import { insertAlertEvents, updateAlert } from '../store/alert.repo.js';
import type { SilencesTable } from '../store/schema.js';
import { getSetting, putSetting } from '../store/settings.repo.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { Selectable } from 'kysely';
import { audit } from './audit.js';
import type { Actor, ChangeEvent, Ctx } from './context.js';
import { systemEventRow } from './timeline.js';

/**
 * Silences, with Alertmanager's semantics (research note §1.6): a silence is a list of matchers
 * and a time range; its state is computed (pending before its start, active until its end, then
 * expired). Alerts it matches are still recorded and shown as silenced, but page nobody: an alert
 * that opens under a silence waits, its escalation timer set to the silence's end, and pages from
 * its first level then if it is still open and no other silence holds it.
 */

export type SilenceState = 'pending' | 'active' | 'expired';

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  updatedAt: number;
  createdAt: number;
  /** 'pending': waiting for approvals the silence policy asks for; it silences nothing meanwhile. */
  approval: 'approved' | 'pending';
  approvalsNeeded: ApprovalRule[];
  /** Alerts matching any of these label sets are never hidden by this silence (see judgeSilence). */
  exempt: Matcher[][];
  authorId: string | null;
}

export function silenceState(s: Pick<Silence, 'startsAt' | 'endsAt'>, now: number): SilenceState {
  if (now < s.startsAt) return 'pending';
  if (now < s.endsAt) return 'active';
  return 'expired';
}

function fromRow(r: Selectable<SilencesTable>): Silence {
  return {
    id: r.id,
    matchers: JSON.parse(r.matchers) as Matcher[],
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    createdBy: r.created_by,
    comment: r.comment,
    updatedAt: r.updated_at,
    createdAt: r.created_at,
    approval: r.approval === 'pending' ? 'pending' : 'approved',
    approvalsNeeded: JSON.parse(r.approvals_needed) as ApprovalRule[],
    exempt: JSON.parse(r.exempt) as Matcher[][],
    authorId: r.author_id,
  };
}

/**
 * Labels silences match an alert on: its own labels, plus `service` (the service's name) when it
 * has none, and `severity` always as the scale's name ("critical", not the "P1" it was sent with),
 * so `severity!=critical` means what it says; matcher values that are aliases are stored as names.
 */
export function matchLabels(alert: Pick<AlertRow, 'labels' | 'severity'>, serviceName: string | undefined): Record<string, string> {
  const labels = JSON.parse(alert.labels) as Record<string, string>;
  const out: Record<string, string> = { ...labels, severity: alert.severity };
  if (out.service === undefined && serviceName !== undefined) out.service = serviceName;
  return out;
}

/** `severity="P1"` → `severity="critical"`: exact aliases of the scale become its names. */
export function canonicalMatchers(matchers: Matcher[], org: OrgSnapshot): Matcher[] {
  const lookup = new Map<string, string>();
  for (const l of org.severities.scale.levels) for (const v of [l.name, ...l.aliases]) if (!lookup.has(v.toLowerCase())) lookup.set(v.toLowerCase(), l.name);
  return matchers.map((m) => (m.name === 'severity' && !m.isRegex && lookup.has(m.value.toLowerCase()) ? { ...m, value: lookup.get(m.value.toLowerCase()) as string } : m));
}

/** The active silence among `silences` that holds the labels longest, or null. */
export function silencing(silences: readonly Silence[], labels: Labels, now: number): Silence | null {
  let best: Silence | null = null;
  // Only the silences that can match these labels are tested (see MatcherIndex).
  for (const s of indexOf(silences, 'silence', (x) => x.matchers).candidates(labels)) {
    if (s.approval !== 'approved' || silenceState(s, now) !== 'active' || !hides(s, labels)) continue;
    if (!best || s.endsAt > best.endsAt) best = s;
  }
  return best;
}

/** The silence's matchers hold and no exempt label set does. */
export function hides(s: Pick<Silence, 'matchers' | 'exempt'>, labels: Labels): boolean {
  return matchesAll(s.matchers, labels) && !s.exempt.some((set) => matchesAll(set, labels));
}

const VERSION_KEY = 'silences_version';

/**
 * Silences that are not yet expired, cached per process for the ingest hot path. A change made
 * in this process invalidates it at once; other processes see it within `maxAgeMs`, when they
 * confirm the stored version (one indexed read of the settings table).
 */
export class SilenceCache {
  private list: Silence[] | null = null;
  private version: string | null = null;
  private checkedAt = -Infinity;

  async current(conn: Conn, now: number, maxAgeMs: number): Promise<Silence[]> {
    if (this.list && performance.now() - this.checkedAt < maxAgeMs) return this.list;
    this.checkedAt = performance.now();
    const version = (await getSetting(conn, VERSION_KEY)) ?? '0';
    if (this.list && version === this.version) return this.list;
    const rows = await conn.selectFrom('silences').selectAll().where('ends_at', '>', now).execute();
    this.list = rows.map(fromRow);
    this.version = version;
    return this.list;
  }

  invalidate(): void {
    this.list = null;
  }
}

const caches = new WeakMap<Ctx, SilenceCache>();
export function silenceCache(ctx: Ctx): SilenceCache {
  let c = caches.get(ctx);
  if (!c) caches.set(ctx, (c = new SilenceCache()));
  return c;
}

async function bumpVersion(trx: Tx): Promise<void> {
  await putSetting(trx, VERSION_KEY, randomUUID());
}

export interface SilenceInput {
  /** Given: update this silence (Alertmanager's POST with an id). */
  id?: string;
  matchers: Matcher[];
  startsAt: number | null;
  endsAt: number;
  createdBy: string;
  comment: string;
}

/** Checks matchers and times; throws AppError naming the field. */
export function checkSilenceInput(input: SilenceInput, now: number): void {
  if (input.matchers.length === 0) throw AppError.invalid('matchers', 'give at least one matcher, e.g. alertname="HighErrorRate"');
  input.matchers.forEach((m, i) => {
    try {
      checkMatcher(m);
    } catch (err) {
      if (err instanceof MatcherError) throw AppError.invalid(`matchers[${i}]`, err.message);
      throw err;
    }
  });
  if (input.matchers.every(matchesEmpty)) {
    throw AppError.invalid('matchers', 'at least one matcher must not match the empty string, or the silence would hide every alert');
  }
  if (!input.comment.trim()) throw AppError.invalid('comment', 'is required: say why alerts are silenced, e.g. "Backend deployment in progress"');
  if (!input.createdBy.trim()) throw AppError.invalid('createdBy', 'is required');
  const start = input.startsAt === null ? now : Math.max(input.startsAt, now);
  if (input.endsAt <= now) throw AppError.invalid('endsAt', "end time can't be in the past");
  if (input.endsAt <= start) throw AppError.invalid('endsAt', 'must be after startsAt');
}

function sameMatchers(a: Matcher[], b: Matcher[]): boolean {
  return formatMatchers(a) === formatMatchers(b);
}

/**
 * Creates a silence, or updates one in place when Alertmanager would (same matchers; active with
 * the same start, or still pending); otherwise the old one is expired and a new id returned.
 */
export async function saveSilence(ctx: Ctx, actor: Actor, input: SilenceInput): Promise<{ id: string; created: boolean; approval: 'approved' | 'pending' }> {
  const now = ctx.clock.now();
  checkSilenceInput(input, now);
  const start = input.startsAt === null ? now : Math.max(input.startsAt, now);
  const org = await ctx.org.get(ctx.store.db);
  input = { ...input, matchers: canonicalMatchers(input.matchers, org) };
  const verdict = judgeSilence(org.silencePolicy, input.matchers, org.severities.scale.levels);
  if (verdict.limit && input.endsAt - start > verdict.limit.ms) {
    throw AppError.invalid(
      'duration',
      `silences that can hide ${verdict.limit.severity} alerts last at most ${formatDuration(verdict.limit.ms)} (silence_policy.max_duration); shorten it, or narrow the matchers (e.g. severity!=${verdict.limit.severity})`,
    );
  }
  const needsApproval = verdict.approvals.length > 0;
  const { result, changes } = await ctx.store.tx(async (trx) => {
    const changes: ChangeEvent[] = [];
    if (input.id !== undefined) {
      const row = await trx.selectFrom('silences').selectAll().where('id', '=', input.id).executeTakeFirst();
      if (!row) throw AppError.notFound(`silence ${input.id}`);
      const old = fromRow(row);
      const state = silenceState(old, now);
      const inPlace = sameMatchers(old.matchers, input.matchers) && ((state === 'active' && (input.startsAt === null || input.startsAt <= now || input.startsAt === old.startsAt)) || state === 'pending');
      // Same matchers: the approvals already given still hold (the policy judged these matchers).
      if (inPlace) {
        const startsAt = state === 'active' ? old.startsAt : start;
        await trx.updateTable('silences').set({ starts_at: startsAt, ends_at: input.endsAt, comment: input.comment, created_by: input.createdBy, updated_at: now }).where('id', '=', old.id).execute();
        await audit(trx, actor, now, 'silence.update', 'silence', old.id, formatMatchers(input.matchers), { ends_at: input.endsAt, comment: input.comment });
        if (old.approval === 'approved') changes.push(...(await applyToOpenAlerts(trx, org, { ...old, startsAt, endsAt: input.endsAt, comment: input.comment }, now)));
        changes.push(...(await releaseAlerts(trx, old.id, now)));
        await bumpVersion(trx);
        return { result: { id: old.id, created: false, approval: old.approval }, changes };
      }
      if (state !== 'expired') {
        await trx.updateTable('silences').set({ ends_at: now, starts_at: state === 'pending' ? now : old.startsAt, updated_at: now }).where('id', '=', old.id).execute();
        changes.push(...(await releaseAlerts(trx, old.id, now)));
      }
    }
    const id = randomUUID();
    const silence: Silence = {
      id,
      matchers: input.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual })),
      startsAt: start,
      endsAt: input.endsAt,
      createdBy: input.createdBy,
      comment: input.comment,
      updatedAt: now,
      createdAt: now,
      approval: needsApproval ? 'pending' : 'approved',
      approvalsNeeded: verdict.approvals,
      exempt: verdict.exempt,
      authorId: actor.id,
    };
    await trx
      .insertInto('silences')
      .values({
        id,
        matchers: JSON.stringify(silence.matchers),
        starts_at: start,
        ends_at: input.endsAt,
        created_by: input.createdBy,
        comment: input.comment,
        author_kind: actor.kind,
        author_id: actor.id,
        created_at: now,
        updated_at: now,
        approval: silence.approval,
        approvals_needed: JSON.stringify(verdict.approvals),
        exempt: JSON.stringify(verdict.exempt),
      })
      .execute();
    await audit(trx, actor, now, 'silence.create', 'silence', id, formatMatchers(silence.matchers), {
      starts_at: start,
      ends_at: input.endsAt,
      comment: input.comment,
      replaces: input.id ?? null,
      ...(needsApproval ? { needs_approval: verdict.approvals.map((r) => r.name) } : {}),
    });
    if (!needsApproval) changes.push(...(await applyToOpenAlerts(trx, org, silence, now)));
    await bumpVersion(trx);
    return { result: { id, created: true, approval: silence.approval }, changes };
  });
  silenceCache(ctx).invalidate();
  ctx.bus.publish(changes);
  return result;
}

/** What a silence still waits for: one line per approver not yet found. */
export async function approvalStatus(conn: Conn, s: Silence): Promise<{ given: { rule: string; approver: string; by: string; at: number }[]; missing: string[] }> {
  const rows = await conn.selectFrom('silence_approvals').selectAll().where('silence_id', '=', s.id).execute();
  const given = rows.map((r) => ({ rule: s.approvalsNeeded[r.rule]?.name ?? '', approver: approverText(s.approvalsNeeded[r.rule]?.approvers[r.approver] ?? { role: 'manager' }), by: r.user_name, at: r.at }));
  const missing: string[] = [];
  s.approvalsNeeded.forEach((rule, i) =>
    rule.approvers.forEach((a, k) => {
      if (!rows.some((r) => r.rule === i && r.approver === k)) missing.push(`${approverText(a)} (${rule.name})`);
    }),
  );
  return { given, missing };
}

const ROLE_RANK: Record<string, number> = { viewer: 0, responder: 1, manager: 2, admin: 3 };

/**
 * A person approves a silence waiting for approval. They fill every approver slot they qualify
 * for that is still open, except that one person fills at most one slot of a rule ("a manager and
 * a member of the security team" takes two people) and the author can approve none. When every
 * slot is filled the silence takes effect.
 */
export async function approveSilence(ctx: Ctx, actor: Actor, id: string): Promise<{ approved: boolean; missing: string[] }> {
  if (actor.kind !== 'user' || !actor.id) throw new AppError('forbidden', 'approve silences as a person: sign in, or use a token that belongs to a user');
  const now = ctx.clock.now();
  const org = await ctx.org.get(ctx.store.db);
  const user = org.users.get(actor.id);
  if (!user) throw new AppError('forbidden', 'your user no longer exists');
  const out = await ctx.store.tx(async (trx) => {
    const row = await trx.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw AppError.notFound(`silence ${id}`);
    const s = fromRow(row);
    if (s.approval === 'approved') throw new AppError('conflict', 'this silence needs no approval (it is already in effect)');
    if (silenceState(s, now) === 'expired') throw new AppError('conflict', 'this silence has expired; create a new one');
    if (s.authorId === actor.id) throw new AppError('forbidden', 'you made this silence; someone else must approve it');
    const rows = await trx.selectFrom('silence_approvals').selectAll().where('silence_id', '=', id).execute();
    const qualifies = (a: ApprovalRule['approvers'][number]) => {
      if ('role' in a) return (ROLE_RANK[user.role] ?? 0) >= (ROLE_RANK[a.role] ?? 99);
      const team = [...org.teams.values()].find((t) => t.name === a.team);
      return team ? (org.teamMembers.get(team.id) ?? []).some((m) => m.userId === user.id) : false;
    };
    let filled = 0;
    for (const [i, rule] of s.approvalsNeeded.entries()) {
      if (rows.some((r) => r.rule === i && r.user_id === user.id)) continue;
      const k = rule.approvers.findIndex((a, k) => !rows.some((r) => r.rule === i && r.approver === k) && qualifies(a));
      if (k < 0) continue;
      await trx.insertInto('silence_approvals').values({ silence_id: id, rule: i, approver: k, user_id: user.id, user_name: user.name, at: now }).execute();
      rows.push({ silence_id: id, rule: i, approver: k, user_id: user.id, user_name: user.name, at: now });
      filled++;
    }
    const status = await approvalStatus(trx, s);
    if (filled === 0) throw new AppError('forbidden', `you cannot approve this silence; it waits for ${status.missing.join(', ')}`);
    await audit(trx, actor, now, 'silence.approve', 'silence', id, formatMatchers(s.matchers), { missing: status.missing });
    if (status.missing.length > 0) return { approved: false, missing: status.missing, changes: [] as ChangeEvent[] };
    await trx.updateTable('silences').set({ approval: 'approved', updated_at: now }).where('id', '=', id).execute();
    await bumpVersion(trx);
    const changes = await applyToOpenAlerts(trx, org, { ...s, approval: 'approved' }, now);
    return { approved: true, missing: [], changes };
  });
  silenceCache(ctx).invalidate();
  ctx.bus.publish(out.changes);
  return { approved: out.approved, missing: out.missing };
}

/** Expires a silence now (Alertmanager's DELETE); alerts it held page at once if still open. */
export async function expireSilence(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  const now = ctx.clock.now();
  const changes = await ctx.store.tx(async (trx) => {
    const row = await trx.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw AppError.notFound(`silence ${id}`);
    const s = fromRow(row);
    const state = silenceState(s, now);
    if (state === 'expired') return [];
    await trx.updateTable('silences').set({ ends_at: now, starts_at: state === 'pending' ? now : s.startsAt, updated_at: now }).where('id', '=', id).execute();
    await audit(trx, actor, now, 'silence.expire', 'silence', id, formatMatchers(s.matchers), null);
    await bumpVersion(trx);
    return releaseAlerts(trx, id, now);
  });
  silenceCache(ctx).invalidate();
  ctx.bus.publish(changes);
  ctx.wake();
}

/**
 * A new or extended active silence takes hold of open, triggered alerts it matches: they stop
 * escalating until it ends. Pages already sent stay sent.
 */
async function applyToOpenAlerts(trx: Tx, org: OrgSnapshot, s: Silence, now: number): Promise<ChangeEvent[]> {
  if (silenceState(s, now) !== 'active') return [];
  const open = await trx.selectFrom('alerts').selectAll().where('status', '=', 'triggered').where('open_key', 'is not', null).execute();
  const changes: ChangeEvent[] = [];
  for (const a of open) {
    if (!hides(s, matchLabels(a, org.services.get(a.service_id)?.name))) continue;
    if (a.silenced_by === s.id) {
      await updateAlert(trx, a.id, { next_escalation_at: s.endsAt });
      continue;
    }
    // Held by another silence that lasts at least as long (its end is the alert's timer): leave it there.
    if (a.silenced_by !== null && (a.next_escalation_at ?? 0) >= s.endsAt) continue;
    await updateAlert(trx, a.id, { silenced_by: s.id, next_escalation_at: s.endsAt, updated_at: now });
    await insertAlertEvents(trx, [systemEventRow(a.id, now, 'silenced', `silenced until ${iso(s.endsAt)} by ${s.createdBy}: ${s.comment}`, { silence_id: s.id })]);
    changes.push({ type: 'alert.updated', alertId: a.id, status: a.status, at: now });
  }
  return changes;
}

/** Alerts held by a silence that ended early or changed are due now: the engine re-checks them. */
async function releaseAlerts(trx: Tx, silenceId: string, now: number): Promise<ChangeEvent[]> {
  const held = await trx.selectFrom('alerts').select(['id', 'status']).where('silenced_by', '=', silenceId).where('open_key', 'is not', null).execute();
  if (held.length === 0) return [];
  await trx.updateTable('alerts').set({ next_escalation_at: now }).where('silenced_by', '=', silenceId).where('open_key', 'is not', null).execute();
  return held.map((a) => ({ type: 'alert.updated' as const, alertId: a.id, status: a.status, at: now }));
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

export async function getSilence(conn: Conn, id: string): Promise<Silence | null> {
  const row = await conn.selectFrom('silences').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? fromRow(row) : null;
}

/**
 * All silences, ordered as Alertmanager lists them: active (soonest end first), pending (soonest
 * start first), then expired (most recently ended first). Expired ones are kept for 5 days.
 */
export async function listSilences(conn: Conn, now: number): Promise<Silence[]> {
  const rows = await conn.selectFrom('silences').selectAll().where('ends_at', '>', now - 5 * 24 * 3_600_000).execute();
  const rank = { active: 0, pending: 1, expired: 2 } as const;
  return rows.map(fromRow).sort((a, b) => {
    const sa = silenceState(a, now);
    const sb = silenceState(b, now);
    if (sa !== sb) return rank[sa] - rank[sb];
    if (sa === 'active') return a.endsAt - b.endsAt;
    if (sa === 'pending') return a.startsAt - b.startsAt;
    return b.endsAt - a.endsAt;
  });
}

/** Open alerts a silence with these matchers would hide right now (the preview before creating one). */
export async function alertsMatching(conn: Conn, org: OrgSnapshot, matchers: Matcher[], limit = 200, exempt: Matcher[][] = []): Promise<AlertRow[]> {
  const open = await conn.selectFrom('alerts').selectAll().where('open_key', 'is not', null).orderBy('id', 'desc').execute();
  return open.filter((a) => hides({ matchers, exempt }, matchLabels(a, org.services.get(a.service_id)?.name))).slice(0, limit);
}

/** Open alerts a silence is holding now. */
export async function alertsSilencedBy(conn: Conn, id: string): Promise<AlertRow[]> {
  return conn.selectFrom('alerts').selectAll().where('silenced_by', '=', id).where('open_key', 'is not', null).orderBy('id', 'desc').execute();
}

