import ical, { ICalEventTransparency } from 'ical-generator';
import { AppError } from '../domain/errors.js';
import type { Shift } from '../domain/schedule/schedule.js';
import type { Conn } from '../store/db.js';
import { newId, randomAlnum, sha256Hex } from '../store/ids.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { StoredSchedule } from '../store/schedule.repo.js';
import { audit } from './audit.js';
import type { Actor, Ctx } from './context.js';
import { DAY, scheduleShifts, userShifts } from './schedules.js';

/**
 * Calendar feeds: secret iCal URLs of a schedule's shifts or of one person's shifts, for calendar
 * apps that subscribe without headers (so the secret is in the URL). Only a SHA-256 of the token is
 * stored, as for API tokens; the URL is shown once, when the feed is created.
 *
 * Who may do what: anyone signed in (or with a token tied to a person) may create a feed of any
 * schedule or of their own shifts; an admin may create one of anyone's shifts. People see and
 * revoke the feeds they created and those of their own shifts; admins see and revoke every feed.
 */

/** What a feed covers, around now. */
export const FEED_PAST_DAYS = 7;
export const FEED_FUTURE_DAYS = 90;
/**
 * Shifts are looked up this much wider than the feed so the ones crossing its edges keep their
 * real start and end (and so their UID) as the window moves day by day.
 */
const EDGE_MARGIN_DAYS = 28;

export const ICAL_PATH = '/ical';
export const feedUrl = (publicUrl: string, token: string): string => `${publicUrl.replace(/\/+$/, '')}${ICAL_PATH}/${token}.ics`;

/** 43 characters over [A-Za-z0-9]: about 256 bits, URL-safe without escaping. */
const newFeedToken = (): string => randomAlnum(43);

export interface FeedCaller {
  actor: Actor;
  /** The person behind the request; null for an API token without one. */
  userId: string | null;
  admin: boolean;
}

export interface FeedInput {
  schedule?: string | undefined;
  user?: string | undefined;
}

export interface FeedView {
  id: string;
  kind: 'schedule' | 'user';
  schedule: string | null;
  user: string | null;
  created_by: string | null;
  created_at: number;
  revoked_at: number | null;
}

const userName = (org: OrgSnapshot, id: string | null): string | null => (id === null ? null : (org.users.get(id)?.name ?? id));

function view(org: OrgSnapshot, r: { id: string; kind: 'schedule' | 'user'; schedule_id: string | null; user_id: string | null; created_by_user_id: string | null; created_at: number; revoked_at: number | null }): FeedView {
  return {
    id: r.id,
    kind: r.kind,
    schedule: r.schedule_id === null ? null : (org.schedules.get(r.schedule_id)?.name ?? r.schedule_id),
    user: userName(org, r.user_id),
    created_by: userName(org, r.created_by_user_id),
    created_at: r.created_at,
    revoked_at: r.revoked_at,
  };
}

const mustBePerson = (caller: FeedCaller): void => {
  if (caller.userId === null && !caller.admin) throw new AppError('forbidden', 'calendar feeds belong to a person; sign in, or use a token tied to a user');
};

export async function createFeed(ctx: Ctx, caller: FeedCaller, input: FeedInput): Promise<{ feed: FeedView; token: string; url: string }> {
  mustBePerson(caller);
  const hasSchedule = input.schedule !== undefined;
  const hasUser = input.user !== undefined;
  if (hasSchedule === hasUser) throw AppError.invalid(hasSchedule ? 'user' : 'schedule', 'give exactly one of schedule or user');
  const org = await ctx.org.get(ctx.store.db);
  let scheduleId: string | null = null;
  let userId: string | null = null;
  let entityName: string;
  if (input.schedule !== undefined) {
    const s = org.schedulesByName.get(input.schedule);
    if (!s) throw AppError.invalid('schedule', `no schedule named "${input.schedule}"`);
    scheduleId = s.id;
    entityName = s.name;
  } else {
    const name = input.user ?? '';
    const u = org.usersByName.get(name);
    if (!u) throw AppError.invalid('user', `no user named "${name}"`);
    if (u.id !== caller.userId && !caller.admin) throw new AppError('forbidden', `only an admin may create a feed of another person's shifts; you may create one for "${userName(org, caller.userId) ?? ''}"`, { field: 'user' });
    userId = u.id;
    entityName = u.name;
  }
  const token = newFeedToken();
  const now = ctx.clock.now();
  const row = {
    id: newId(),
    token_hash: sha256Hex(token),
    kind: (scheduleId !== null ? 'schedule' : 'user') as 'schedule' | 'user',
    schedule_id: scheduleId,
    user_id: userId,
    created_by_user_id: caller.userId,
    created_at: now,
    revoked_at: null,
  };
  await ctx.store.tx(async (trx) => {
    await trx.insertInto('calendar_feeds').values(row).execute();
    await audit(trx, caller.actor, now, 'calendar_feed.create', 'calendar_feed', row.id, entityName, { kind: row.kind, [row.kind]: entityName });
  });
  return { feed: view(org, row), token, url: feedUrl(ctx.publicUrl, token) };
}

/** The caller's feeds (created by them or of their shifts); an admin's: every feed. Newest first. */
export async function listFeeds(ctx: Ctx, caller: FeedCaller): Promise<FeedView[]> {
  mustBePerson(caller);
  const org = await ctx.org.get(ctx.store.db);
  let q = ctx.store.db.selectFrom('calendar_feeds').select(['id', 'kind', 'schedule_id', 'user_id', 'created_by_user_id', 'created_at', 'revoked_at']);
  if (!caller.admin) {
    const me = caller.userId ?? '';
    q = q.where((eb) => eb.or([eb('created_by_user_id', '=', me), eb('user_id', '=', me)]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').execute();
  return rows.map((r) => view(org, r));
}

/** Revokes a feed the caller may see; others are "not found", as if they did not exist. */
export async function revokeFeed(ctx: Ctx, caller: FeedCaller, id: string): Promise<FeedView> {
  mustBePerson(caller);
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  return ctx.store.tx(async (trx) => {
    const row = await trx.selectFrom('calendar_feeds').select(['id', 'kind', 'schedule_id', 'user_id', 'created_by_user_id', 'created_at', 'revoked_at']).where('id', '=', id).executeTakeFirst();
    const mine = row && (caller.admin || (caller.userId !== null && (row.created_by_user_id === caller.userId || row.user_id === caller.userId)));
    if (!row || !mine) throw AppError.notFound(`calendar feed ${id}`);
    if (row.revoked_at !== null) return view(org, row);
    await trx.updateTable('calendar_feeds').set({ revoked_at: now }).where('id', '=', id).execute();
    const v = view(org, { ...row, revoked_at: now });
    await audit(trx, caller.actor, now, 'calendar_feed.revoke', 'calendar_feed', id, v.schedule ?? v.user, { kind: row.kind, [row.kind]: v.schedule ?? v.user });
    return v;
  });
}

// ---------------------------------------------------------------------------------------------
// The feed itself
// ---------------------------------------------------------------------------------------------

interface FeedEvent {
  schedule: StoredSchedule;
  shift: Shift;
}

async function activeFeed(conn: Conn, token: string) {
  const row = await conn.selectFrom('calendar_feeds').select(['id', 'kind', 'schedule_id', 'user_id', 'revoked_at']).where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
  return row && row.revoked_at === null ? row : null;
}

/**
 * The iCalendar text of a feed, or null when the token is unknown or revoked (or what it showed
 * is gone). One event per final shift from FEED_PAST_DAYS ago to FEED_FUTURE_DAYS ahead, in UTC,
 * each with a UID that stays the same for the same shift from one fetch to the next.
 */
export async function renderFeed(ctx: Ctx, token: string): Promise<string | null> {
  const row = await activeFeed(ctx.store.db, token);
  if (!row) return null;
  const org = await ctx.org.get(ctx.store.db);
  const now = ctx.clock.now();
  const from = now - FEED_PAST_DAYS * DAY;
  const to = now + FEED_FUTURE_DAYS * DAY;
  const wideFrom = from - EDGE_MARGIN_DAYS * DAY;
  const wideTo = to + EDGE_MARGIN_DAYS * DAY;
  let title: string;
  let events: FeedEvent[];
  let summary: (e: FeedEvent) => string;
  if (row.kind === 'schedule') {
    const s = row.schedule_id === null ? undefined : org.schedules.get(row.schedule_id);
    if (!s) return null;
    title = `On call: ${s.name}`;
    events = (await scheduleShifts(ctx.store.db, s, wideFrom, wideTo)).final.map((shift) => ({ schedule: s, shift }));
    summary = (e) => `On call: ${userName(org, e.shift.userId) ?? ''}`;
  } else {
    const u = row.user_id === null ? undefined : org.users.get(row.user_id);
    if (!u) return null;
    title = `On call: ${u.name}`;
    events = await userShifts(ctx.store.db, org, u.id, wideFrom, wideTo);
    summary = (e) => `On call: ${e.schedule.name} (${u.name})`;
  }
  const cal = ical({ name: title, prodId: { company: 'Watchkeeper', product: 'Watchkeeper', language: 'EN' }, ttl: 15 * 60 });
  for (const e of events) {
    if (e.shift.end <= from || e.shift.start >= to) continue;
    cal.createEvent({
      id: `${e.schedule.id}-${e.shift.start}-${e.shift.userId}@watchkeeper`,
      start: new Date(e.shift.start),
      end: new Date(e.shift.end),
      stamp: new Date(now),
      summary: summary(e),
      description: `Schedule ${e.schedule.name}, ${e.shift.source === 'override' ? 'override' : `layer ${e.shift.source}`}.`,
      transparency: ICalEventTransparency.TRANSPARENT,
    });
  }
  return cal.toString();
}
