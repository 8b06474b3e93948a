import { randomInt, timingSafeEqual } from 'node:crypto';
import { checkContactAddress } from '../config/contact-address.js';
import { CONTACT_METHOD_TYPES, type ContactMethodType } from '../config/org.js';
import { MINUTE } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import { listNotices, queueNotice, type NoticeRow } from '../notify/notices.js';
import type { NoticeKind, SenderRegistry } from '../notify/sender.js';
import type { Tx } from '../store/db.js';
import { newId, sha256Hex } from '../store/ids.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { ContactMethodsTable, UsersTable } from '../store/schema.js';
import { bumpConfigVersion } from '../store/settings.repo.js';
import { audit } from './audit.js';
import type { Actor, Ctx } from './context.js';
import { roleRank } from './tokens.js';

/**
 * A person's contact methods, managed from their profile (self-service). A method is owned either
 * by the organisation file (managed_by 'org': only the file changes it, the person may pause it)
 * or by the person ('user').
 *
 * Verification of a new or changed address, on channels where a code can prove the person reads
 * it (email, SMS, voice):
 *
 *   added / address changed ──code sent──▶ unverified ──right code──▶ verified
 *              ▲                              │ wrong code: attempts + 1 (5 at most)
 *              └──── new code (once a minute) ┘ 15 minutes later: expired
 *
 * Unverified methods are never paged (notify-level.ts skips them); the code goes out through the
 * method itself as a notice, in the transaction that added it. Only a SHA-256 of the code, salted
 * with the method's id, is stored. Webhooks, Slack and Teams have nobody to read a code back, so
 * they are verified on creation.
 */

export const CODE_TTL_MS = 15 * MINUTE;
export const MAX_CODE_ATTEMPTS = 5;
export const RESEND_AFTER_MS = MINUTE;
/** One test page per method per minute: enough to check a method, not enough to run up an SMS bill. */
export const TEST_PAGE_EVERY_MS = MINUTE;
const MAX_METHODS = 20;
const MAX_NAME = 64;

/** Channels on which a code proves the person reads the address, whatever their sender declares. */
const CODE_CHANNELS: ReadonlySet<string> = new Set(['email', 'sms', 'voice']);

export const CHANNEL_NAMES: Record<string, string> = {
  email: 'Email',
  sms: 'SMS',
  voice: 'Voice calls',
  slack: 'Slack',
  teams: 'Microsoft Teams',
  webhook: 'Webhooks',
};

export const channelName = (kind: string): string => CHANNEL_NAMES[kind] ?? kind;

export function needsCode(kind: string, senders: SenderRegistry): boolean {
  return CODE_CHANNELS.has(kind) || senders.supports(kind)?.verification === true;
}

/** Who is asking; `userName` is the person behind the request (null for a token without one). */
export interface PersonCaller {
  actor: Actor;
  userName: string | null;
  role: string;
}

export interface ContactMethodView {
  id: string;
  name: string;
  type: string;
  address: string;
  managed_by: 'org' | 'user';
  verified: boolean;
  paused: boolean;
  /** The pending code, when the method is not verified yet. */
  verification: { expires_at: number; attempts_left: number; resend_at: number } | null;
  /** Whether this server can send through the channel now, and what the channel does. */
  channel: { name: string; connected: boolean; notices: boolean };
  created_at: number;
}

export interface NoticeView {
  id: number;
  kind: string;
  contact_method: string | null;
  channel: string;
  destination: string;
  /** pending | sending | sent | delivered | failed */
  status: string;
  error: string | null;
  attempts: number;
  subject: string;
  created_at: number;
  sent_at: number | null;
}

const isAdmin = (c: PersonCaller) => roleRank(c.role) >= roleRank('admin');

/** The person named in the URL, and whether the caller may read or change their methods. */
export async function personFor(ctx: Ctx, caller: PersonCaller, name: string, mode: 'read' | 'write'): Promise<{ org: OrgSnapshot; user: UsersTable }> {
  const org = await ctx.org.get(ctx.store.db);
  const user = org.usersByName.get(name);
  if (!user) throw AppError.notFound(`user "${name}"`);
  const self = caller.userName === user.name;
  const allowed = self || isAdmin(caller) || (mode === 'read' && roleRank(caller.role) >= roleRank('manager'));
  if (!allowed) {
    throw new AppError('forbidden', mode === 'read' ? `only ${name}, a manager or an admin can see ${name}'s contact methods` : `only ${name} or an admin can change ${name}'s contact methods and rules; you can change your own on your profile`);
  }
  return { org, user };
}

/** A method by id or by name (the CLI uses names), of this person only. */
async function findMethod(trx: Tx, userId: string, ref: string): Promise<ContactMethodsTable> {
  const rows = await trx
    .selectFrom('contact_methods')
    .selectAll()
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .execute();
  const row = rows.find((r) => r.id === ref) ?? rows[0];
  if (!row) throw AppError.notFound(`contact method "${ref}"`);
  return row;
}

function orgOwned(m: ContactMethodsTable, what: string): AppError {
  return new AppError('conflict', `contact method "${m.name}" comes from the organisation file, so ${what} there (ask an admin); you can pause it here`);
}

export async function listContactMethods(ctx: Ctx, senders: SenderRegistry, caller: PersonCaller, name: string): Promise<ContactMethodView[]> {
  const { user } = await personFor(ctx, caller, name, 'read');
  const db = ctx.store.db;
  const [rows, codes] = await Promise.all([
    db.selectFrom('contact_methods').selectAll().where('user_id', '=', user.id).orderBy('created_at').orderBy('name').execute(),
    db
      .selectFrom('contact_method_verifications')
      .innerJoin('contact_methods', 'contact_methods.id', 'contact_method_verifications.contact_method_id')
      .selectAll('contact_method_verifications')
      .where('contact_methods.user_id', '=', user.id)
      .execute(),
  ]);
  const byId = new Map(codes.map((c) => [c.contact_method_id, c]));
  return inOrder(rows).map((r) => view(r, senders, byId.get(r.id) ?? null));
}

/** The file's methods first, then the person's, oldest first. */
function inOrder(rows: ContactMethodsTable[]): ContactMethodsTable[] {
  const rank = (m: ContactMethodsTable) => (m.managed_by === 'org' ? 0 : 1);
  return [...rows].sort((a, b) => rank(a) - rank(b) || Number(a.created_at) - Number(b.created_at) || a.name.localeCompare(b.name));
}

function view(r: ContactMethodsTable, senders: SenderRegistry, code: { expires_at: number; attempts: number; sent_at: number } | null): ContactMethodView {
  const support = senders.supports(r.kind);
  const verified = Number(r.verified) === 1;
  return {
    id: r.id,
    name: r.name,
    type: r.kind,
    address: r.address,
    managed_by: r.managed_by === 'user' ? 'user' : 'org',
    verified,
    paused: Number(r.paused) === 1,
    verification: verified || !code ? null : { expires_at: Number(code.expires_at), attempts_left: Math.max(0, MAX_CODE_ATTEMPTS - code.attempts), resend_at: Number(code.sent_at) + RESEND_AFTER_MS },
    channel: { name: channelName(r.kind), connected: support !== null, notices: support?.notices ?? false },
    created_at: Number(r.created_at),
  };
}

export interface NewContactMethod {
  name: string;
  type: string;
  address: string;
}

function checkName(name: string): string {
  const n = name.trim();
  if (n.length === 0) throw AppError.invalid('name', 'is required, e.g. "mobile" or "work email"');
  if (n.length > MAX_NAME) throw AppError.invalid('name', `must be at most ${MAX_NAME} characters`);
  return n;
}

function checkType(type: string): ContactMethodType {
  if (!(CONTACT_METHOD_TYPES as readonly string[]).includes(type)) throw AppError.invalid('type', `must be one of ${CONTACT_METHOD_TYPES.join(', ')}`);
  return type as ContactMethodType;
}

function checkAddress(type: ContactMethodType, address: string): string {
  const r = checkContactAddress(type, address);
  if (!r.ok) throw AppError.invalid('address', r.error);
  return r.address;
}

/** A code must be able to reach the address, or the method could never be verified. */
function checkCanSendCode(type: string, senders: SenderRegistry): void {
  if (!needsCode(type, senders)) return;
  if (!senders.supports(type)?.notices) {
    throw AppError.invalid('type', `${channelName(type)} is not set up on this server, so no verification code can be sent; ask an admin to connect it, or add another kind of method`);
  }
}

async function nameTaken(trx: Tx, userId: string, name: string, except: string | null): Promise<boolean> {
  const row = await trx.selectFrom('contact_methods').select('id').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
  return row !== undefined && row.id !== except;
}

/**
 * Adds a method the person owns. On a channel that needs a code, the code is queued in the same
 * transaction and goes out at once; the answer says whether one was sent.
 */
export async function addContactMethod(ctx: Ctx, senders: SenderRegistry, caller: PersonCaller, name: string, input: NewContactMethod): Promise<{ method: ContactMethodView; codeSent: boolean }> {
  const { org, user } = await personFor(ctx, caller, name, 'write');
  const methodName = checkName(input.name);
  const type = checkType(input.type);
  const address = checkAddress(type, input.address);
  checkCanSendCode(type, senders);
  const now = ctx.clock.now();
  const code = needsCode(type, senders);
  const row: ContactMethodsTable = { id: newId(), user_id: user.id, name: methodName, kind: type, address, secret_env: null, verified: code ? 0 : 1, created_at: now, managed_by: 'user', paused: 0 };
  const pending = await ctx.store.tx(async (trx) => {
    const count = await trx.selectFrom('contact_methods').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', user.id).executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_METHODS) throw AppError.invalid('name', `you have ${MAX_METHODS} contact methods, the most there can be; delete one first`);
    if (await nameTaken(trx, user.id, methodName, null)) throw AppError.invalid('name', `you already have a contact method named "${methodName}"; pick another name`);
    await trx.insertInto('contact_methods').values(row).execute();
    const sent = code ? await sendCode(trx, org, user, row, now) : null;
    await audit(trx, caller.actor, now, 'contact_method.create', 'contact_method', row.id, `${user.name}/${methodName}`, { type, address, verified: !code });
    await bumpConfigVersion(trx);
    return sent;
  });
  configChanged(ctx);
  return { method: view(row, senders, pending), codeSent: pending !== null };
}

export interface ContactMethodChange {
  name?: string | undefined;
  address?: string | undefined;
  paused?: boolean | undefined;
}

/**
 * Renames a method, changes its address or pauses it. A new address on a channel that needs a
 * code is unverified until its new code is entered; pausing is allowed on any method, the file's
 * included, because being reachable is the person's own state.
 */
export async function updateContactMethod(ctx: Ctx, senders: SenderRegistry, caller: PersonCaller, name: string, ref: string, change: ContactMethodChange): Promise<{ method: ContactMethodView; codeSent: boolean }> {
  const { org, user } = await personFor(ctx, caller, name, 'write');
  const now = ctx.clock.now();
  const result = await ctx.store.tx(async (trx) => {
    const m = await findMethod(trx, user.id, ref);
    const patch: Partial<ContactMethodsTable> = {};
    if (change.name !== undefined && change.name.trim() !== m.name) {
      if (m.managed_by === 'org') throw orgOwned(m, 'rename it');
      const n = checkName(change.name);
      if (await nameTaken(trx, user.id, n, m.id)) throw AppError.invalid('name', `you already have a contact method named "${n}"; pick another name`);
      patch.name = n;
    }
    let readdressed = false;
    if (change.address !== undefined) {
      const address = checkAddress(m.kind as ContactMethodType, change.address);
      if (address !== m.address) {
        if (m.managed_by === 'org') throw orgOwned(m, 'change its address');
        patch.address = address;
        readdressed = true;
      }
    }
    if (change.paused !== undefined && change.paused !== (Number(m.paused) === 1)) patch.paused = change.paused ? 1 : 0;
    const next: ContactMethodsTable = { ...m, ...patch };
    let pending: { expires_at: number; attempts: number; sent_at: number } | null = await trx.selectFrom('contact_method_verifications').selectAll().where('contact_method_id', '=', m.id).executeTakeFirst() ?? null;
    if (readdressed && needsCode(m.kind, senders)) {
      checkCanSendCode(m.kind, senders);
      if (pending && now < Number(pending.sent_at) + RESEND_AFTER_MS) throw tooSoon(Number(pending.sent_at) + RESEND_AFTER_MS - now);
      next.verified = 0;
      patch.verified = 0;
    }
    if (Object.keys(patch).length === 0) return { next, pending, sent: false };
    await trx.updateTable('contact_methods').set(patch).where('id', '=', m.id).execute();
    let sent = false;
    if (readdressed && next.verified === 0) {
      pending = await sendCode(trx, org, user, next, now);
      sent = true;
    }
    await audit(trx, caller.actor, now, 'contact_method.update', 'contact_method', m.id, `${user.name}/${next.name}`, patch);
    await bumpConfigVersion(trx);
    return { next, pending, sent };
  });
  configChanged(ctx);
  return { method: view(result.next, senders, Number(result.next.verified) === 1 ? null : result.pending), codeSent: result.sent };
}

export async function deleteContactMethod(ctx: Ctx, caller: PersonCaller, name: string, ref: string): Promise<void> {
  const { user } = await personFor(ctx, caller, name, 'write');
  const now = ctx.clock.now();
  await ctx.store.tx(async (trx) => {
    const m = await findMethod(trx, user.id, ref);
    if (m.managed_by === 'org') throw orgOwned(m, 'remove it');
    // Rules and a pending code go with it (foreign keys cascade); say so on the record.
    const rules = await trx.selectFrom('notification_rules').select('id').where('contact_method_id', '=', m.id).execute();
    await trx.deleteFrom('notification_rules').where('contact_method_id', '=', m.id).execute();
    await trx.deleteFrom('contact_methods').where('id', '=', m.id).execute();
    await audit(trx, caller.actor, now, 'contact_method.delete', 'contact_method', m.id, `${user.name}/${m.name}`, { type: m.kind, address: m.address, rules_removed: rules.length });
    await bumpConfigVersion(trx);
  });
  configChanged(ctx);
}

/** Checks a code. A wrong code is counted (committed) before the error is thrown. */
export async function verifyContactMethod(ctx: Ctx, senders: SenderRegistry, caller: PersonCaller, name: string, ref: string, code: string): Promise<ContactMethodView> {
  const { user } = await personFor(ctx, caller, name, 'write');
  const now = ctx.clock.now();
  const given = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(given)) throw AppError.invalid('code', 'must be the 6 digits from the message');
  const outcome = await ctx.store.tx(async (trx) => {
    const m = await findMethod(trx, user.id, ref);
    if (Number(m.verified) === 1) return { kind: 'ok' as const, m };
    const v = await trx.selectFrom('contact_method_verifications').selectAll().where('contact_method_id', '=', m.id).executeTakeFirst();
    if (!v) return { kind: 'none' as const, m };
    if (v.attempts >= MAX_CODE_ATTEMPTS) return { kind: 'spent' as const, m };
    if (now >= Number(v.expires_at)) return { kind: 'expired' as const, m };
    if (!sameHash(v.code_hash, codeHash(m.id, given))) {
      await trx.updateTable('contact_method_verifications').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('contact_method_id', '=', m.id).execute();
      return { kind: 'wrong' as const, m, left: MAX_CODE_ATTEMPTS - v.attempts - 1 };
    }
    await trx.updateTable('contact_methods').set({ verified: 1 }).where('id', '=', m.id).execute();
    await trx.deleteFrom('contact_method_verifications').where('contact_method_id', '=', m.id).execute();
    await audit(trx, caller.actor, now, 'contact_method.verify', 'contact_method', m.id, `${user.name}/${m.name}`, { type: m.kind, address: m.address });
    await bumpConfigVersion(trx);
    return { kind: 'verified' as const, m: { ...m, verified: 1 } };
  });
  const what = `contact method "${outcome.m.name}"`;
  switch (outcome.kind) {
    case 'verified':
      configChanged(ctx);
      return view(outcome.m, senders, null);
    case 'ok':
      return view(outcome.m, senders, null);
    case 'none':
      throw AppError.invalid('code', `no code is waiting for ${what}; send a new code`);
    case 'spent':
      throw new AppError('rate_limited', `${MAX_CODE_ATTEMPTS} wrong codes were entered for ${what}; send a new code`, { field: 'code' });
    case 'expired':
      throw AppError.invalid('code', `the code for ${what} has expired (codes last ${CODE_TTL_MS / MINUTE} minutes); send a new code`);
    case 'wrong':
      throw outcome.left > 0
        ? AppError.invalid('code', `wrong code; ${outcome.left} ${outcome.left === 1 ? 'try' : 'tries'} left`)
        : new AppError('rate_limited', `wrong code, and that was the last try; send a new code`, { field: 'code' });
  }
}

/** Sends a new code (the old one stops working); at most once a minute per method. */
export async function resendCode(ctx: Ctx, senders: SenderRegistry, caller: PersonCaller, name: string, ref: string): Promise<ContactMethodView> {
  const { org, user } = await personFor(ctx, caller, name, 'write');
  const now = ctx.clock.now();
  const r = await ctx.store.tx(async (trx) => {
    const m = await findMethod(trx, user.id, ref);
    if (Number(m.verified) === 1) throw new AppError('conflict', `contact method "${m.name}" is already verified`);
    checkCanSendCode(m.kind, senders);
    const v = await trx.selectFrom('contact_method_verifications').select('sent_at').where('contact_method_id', '=', m.id).executeTakeFirst();
    if (v && now < Number(v.sent_at) + RESEND_AFTER_MS) throw tooSoon(Number(v.sent_at) + RESEND_AFTER_MS - now);
    const pending = await sendCode(trx, org, user, m, now);
    await audit(trx, caller.actor, now, 'contact_method.code_sent', 'contact_method', m.id, `${user.name}/${m.name}`, null);
    return { m, pending };
  });
  ctx.wake();
  return view(r.m, senders, r.pending);
}

function tooSoon(waitMs: number): AppError {
  const s = Math.ceil(waitMs / 1000);
  return new AppError('rate_limited', `a code was sent less than a minute ago; wait ${s} second${s === 1 ? '' : 's'} before asking for another`);
}

export const codeHash = (methodId: string, code: string): string => sha256Hex(`${methodId}:${code}`);

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Stores a fresh code (replacing any earlier one) and queues it to the method itself, in the
 * caller's transaction. The snapshot may predate the method, so it is added for queueNotice.
 */
async function sendCode(trx: Tx, org: OrgSnapshot, user: UsersTable, m: ContactMethodsTable, now: number): Promise<{ expires_at: number; attempts: number; sent_at: number }> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const row = { contact_method_id: m.id, code_hash: codeHash(m.id, code), expires_at: now + CODE_TTL_MS, attempts: 0, sent_at: now };
  await trx
    .insertInto('contact_method_verifications')
    .values(row)
    .onConflict((oc) => oc.column('contact_method_id').doUpdateSet({ code_hash: row.code_hash, expires_at: row.expires_at, attempts: 0, sent_at: now }))
    .execute();
  const withMethod: OrgSnapshot = { ...org, contactMethods: new Map(org.contactMethods).set(m.id, m) };
  const minutes = CODE_TTL_MS / MINUTE;
  await queueNotice(trx, withMethod, now, {
    userId: user.id,
    kind: 'verification',
    // Every code is a message of its own: two within one millisecond must not share a key.
    key: `verify:${m.id}:${newId()}`,
    subject: `Your Watchkeeper verification code is ${code}`,
    text: [
      `Your Watchkeeper verification code is ${code}`,
      '',
      `Enter it on your Watchkeeper profile to confirm the contact method "${m.name}" (${channelName(m.kind)}: ${m.address}). It expires in ${minutes} minutes.`,
      '',
      'If you did not add this contact method, ignore this message: nothing is sent here until the code is entered.',
    ].join('\n'),
    short: `Watchkeeper code ${code} confirms "${m.name}". It expires in ${minutes} minutes.`,
    url: '/profile',
    data: { contact_method: m.name },
    contactMethodId: m.id,
  });
  return row;
}

/**
 * A test page: a notice of kind 'test' through each of the person's verified, unpaused methods,
 * or through one named method. Returns the notices, whose states show what arrived.
 */
export async function sendTestPage(ctx: Ctx, caller: PersonCaller, name: string, opts: { contactMethod?: string | undefined } = {}): Promise<NoticeView[]> {
  const { org, user } = await personFor(ctx, caller, name, 'write');
  const now = ctx.clock.now();
  const ids = await ctx.store.tx(async (trx) => {
    let targets: ContactMethodsTable[];
    if (opts.contactMethod !== undefined) {
      const m = await findMethod(trx, user.id, opts.contactMethod).catch((err: unknown) => {
        throw err instanceof AppError && err.code === 'not_found' ? AppError.invalid('contact_method', `you have no contact method named "${opts.contactMethod ?? ''}"`) : err;
      });
      if (Number(m.verified) !== 1) throw AppError.invalid('contact_method', `"${m.name}" is not verified yet; enter the code sent to ${m.address} first`);
      targets = [m];
    } else {
      targets = inOrder(await trx.selectFrom('contact_methods').selectAll().where('user_id', '=', user.id).execute()).filter((m) => Number(m.verified) === 1 && Number(m.paused) === 0);
      if (targets.length === 0) throw AppError.invalid('contact_method', 'you have no verified contact method that is not paused; add one and enter its code first');
    }
    const recent = await trx
      .selectFrom('notices')
      .select(['contact_method_id', 'created_at'])
      .where('user_id', '=', user.id)
      .where('kind', '=', 'test')
      .where('created_at', '>', now - TEST_PAGE_EVERY_MS)
      .where(
        'contact_method_id',
        'in',
        targets.map((t) => t.id),
      )
      .execute();
    if (recent.length > 0) {
      const wait = Math.ceil((Math.min(...recent.map((r) => Number(r.created_at))) + TEST_PAGE_EVERY_MS - now) / 1000);
      throw new AppError('rate_limited', `a test page went out less than a minute ago; wait ${wait} second${wait === 1 ? '' : 's'} and send again`);
    }
    const key = `test:${newId()}`;
    const snapshot: OrgSnapshot = { ...org, contactMethods: new Map([...org.contactMethods, ...targets.map((t) => [t.id, t] as const)]) };
    for (const m of targets) {
      await queueNotice(trx, snapshot, now, {
        userId: user.id,
        kind: 'test',
        key,
        subject: 'Test page from Watchkeeper',
        text: [
          'This is a test page you asked for on Watchkeeper. Nothing is wrong; no action is needed.',
          '',
          `It was sent to your contact method "${m.name}" (${channelName(m.kind)}: ${m.address}). If you are reading this, Watchkeeper can reach you here.`,
        ].join('\n'),
        short: `Watchkeeper test page to "${m.name}". Nothing is wrong; no action is needed.`,
        url: '/profile',
        data: { contact_method: m.name },
        contactMethodId: m.id,
      });
    }
    await audit(trx, caller.actor, now, 'user.test_page', 'user', user.id, user.name, { contact_methods: targets.map((t) => t.name) });
    return (
      await trx
        .selectFrom('notices')
        .select('id')
        .where(
          'notice_key',
          'in',
          targets.map((t) => `${key}:${t.id}`),
        )
        .orderBy('id')
        .execute()
    ).map((r) => r.id);
  });
  ctx.wake();
  const rows = await ctx.store.db.selectFrom('notices').selectAll().where('id', 'in', ids).orderBy('id').execute();
  return presentNotices(ctx, rows);
}

export async function listUserNotices(ctx: Ctx, caller: PersonCaller, name: string, opts: { kind?: NoticeKind; limit?: number } = {}): Promise<NoticeView[]> {
  const { user } = await personFor(ctx, caller, name, 'read');
  return presentNotices(ctx, await listNotices(ctx.store.db, user.id, opts));
}

async function presentNotices(ctx: Ctx, rows: NoticeRow[]): Promise<NoticeView[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.contact_method_id ? [r.contact_method_id] : [])))];
  const names = new Map(ids.length ? (await ctx.store.db.selectFrom('contact_methods').select(['id', 'name']).where('id', 'in', ids).execute()).map((m) => [m.id, m.name]) : []);
  return rows.map((n) => ({
    id: Number(n.id),
    kind: n.kind,
    contact_method: n.contact_method_id ? (names.get(n.contact_method_id) ?? null) : null,
    channel: n.channel,
    destination: n.destination,
    status: n.status,
    error: n.last_error,
    attempts: n.attempts,
    subject: n.subject,
    created_at: Number(n.created_at),
    sent_at: n.sent_at === null ? null : Number(n.sent_at),
  }));
}

/** After a commit that changed methods or rules: this process reloads at once, others by version. */
export function configChanged(ctx: Ctx): void {
  ctx.org.invalidate();
  ctx.bus.publish([{ type: 'config.changed', at: ctx.clock.now() }]);
  ctx.wake();
}
