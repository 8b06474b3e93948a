import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { StatusPageConfig } from '../config/org-status-page.js';
import { checkContactAddress } from '../config/contact-address.js';
import { AppError, type FieldProblem } from '../domain/errors.js';
import {
  COMPONENT_STATUS_TEXT,
  isComponentStatus,
  PUBLIC_STATUS_TEXT,
  PUBLIC_STATUSES,
  type ComponentStatus,
  type PublicStatus,
} from '../domain/status-page/status.js';
import type { Tx } from '../store/db.js';
import { getIncidentForUpdate, insertIncidentEvents, updateIncident } from '../store/incident.repo.js';
import { newId, sha256Hex } from '../store/ids.js';
import {
  findSubscriber,
  getStatusPageConfig,
  insertDeliveries,
  insertPublicUpdate,
  setComponentStatusRow,
  type StatusPageUpdateRow,
  type SubscriberRow,
} from '../store/status-page.repo.js';
import { audit } from './audit.js';
import type { Actor, Ctx } from './context.js';

/**
 * The public status page: what people do with it, one function per intent, each owning its
 * transaction. A public update is tied to an incident and written with its timeline row
 * ('status_page_post'), its audit entry, the component statuses it sets and one outbox row per
 * confirmed subscriber, together; the notifier sends them afterwards (src/notify/status-page.ts).
 *
 * Subscribers:
 *
 *   subscribe ──▶ unconfirmed ──confirm link──▶ confirmed ──unsubscribe link──▶ unsubscribed
 *                     │ (a confirmation message is queued)       (every message carries the link)
 *
 * Only confirmed subscribers get updates, so nobody can sign someone else up for mail.
 */

/** A delivery row's state when queued: due now, not yet tried or claimed. */
const pendingDelivery = (now: number) =>
  ({ status: 'pending', created_at: now, next_attempt_at: now, attempts: 0, last_error: null, sent_at: null, lease_owner: null, lease_until: null }) as const;

export const NOT_SET_UP = 'the status page is not set up: add a status_page section (title, components) to the organisation file and apply it';

export async function loadStatusPage(ctx: Ctx): Promise<StatusPageConfig> {
  const cfg = await getStatusPageConfig(ctx.store.db);
  if (!cfg) throw new AppError('conflict', NOT_SET_UP);
  return cfg;
}

/** Where the status page is read: the file's public_url, else the server's own /status. */
export function statusPageUrl(ctx: Ctx, cfg: StatusPageConfig | null): string {
  return (cfg?.publicUrl ?? `${ctx.publicUrl.replace(/\/$/, '')}/status`).replace(/\/$/, '');
}

function findComponent(cfg: StatusPageConfig, name: string) {
  const lower = name.trim().toLowerCase();
  return cfg.components.find((c) => c.name.toLowerCase() === lower);
}

const componentNames = (cfg: StatusPageConfig) => cfg.components.map((c) => c.name).join(', ') || '(none: add components to status_page in the organisation file)';

/** Sets one component's status by hand (an admin in the web UI, the API or the CLI). */
export async function setComponentStatus(ctx: Ctx, actor: Actor, name: string, status: string): Promise<{ name: string; status: ComponentStatus; changed: boolean }> {
  const cfg = await loadStatusPage(ctx);
  const problems: FieldProblem[] = [];
  const component = findComponent(cfg, name);
  if (!component) problems.push({ field: 'component', message: `no component named "${name}"; the status page has ${componentNames(cfg)}` });
  if (!isComponentStatus(status)) problems.push({ field: 'status', message: `unknown status "${status}"; use one of ${Object.keys(COMPONENT_STATUS_TEXT).join(', ')}` });
  if (problems.length) throw AppError.invalidMany(problems);
  const now = ctx.clock.now();
  const changed = await ctx.store.tx(async (trx) => {
    const changed = await setComponentStatusRow(trx, component!.name, status, now, actor.name, null);
    if (changed) await audit(trx, actor, now, 'status_page.component.set', 'status_page_component', component!.name, component!.name, { status });
    return changed;
  });
  return { name: component!.name, status: status as ComponentStatus, changed };
}

export interface PublicUpdateInput {
  status: string;
  message: string;
  /** Component name -> status this update sets. */
  components?: Record<string, string> | undefined;
}

/**
 * Posts a public update on an incident. Resolving publicly returns every component this
 * incident's public updates touched to operational (unless the update itself says otherwise).
 */
export async function postPublicUpdate(ctx: Ctx, incidentId: number, actor: Actor, input: PublicUpdateInput): Promise<StatusPageUpdateRow> {
  const cfg = await loadStatusPage(ctx);
  const problems: FieldProblem[] = [];
  if (!(PUBLIC_STATUSES as readonly string[]).includes(input.status)) problems.push({ field: 'status', message: `unknown status "${input.status}"; use one of ${PUBLIC_STATUSES.join(', ')}` });
  const message = input.message.trim();
  if (!message) problems.push({ field: 'message', message: 'must not be empty: say what customers see and what is being done; GET /api/v1/status-page/templates has starting sentences' });
  if (message.length > 5000) problems.push({ field: 'message', message: 'must be at most 5000 characters' });
  const set = new Map<string, ComponentStatus>();
  for (const [name, status] of Object.entries(input.components ?? {})) {
    const c = findComponent(cfg, name);
    if (!c) problems.push({ field: `components.${name}`, message: `no component named "${name}"; the status page has ${componentNames(cfg)}` });
    else if (!isComponentStatus(status)) problems.push({ field: `components.${name}`, message: `unknown status "${status}"; use one of ${Object.keys(COMPONENT_STATUS_TEXT).join(', ')}` });
    else set.set(c.name, status);
  }
  if (problems.length) throw AppError.invalidMany(problems);
  const status = input.status as PublicStatus;
  const now = ctx.clock.now();

  const { update, queued } = await ctx.store.tx(async (trx) => {
    const incident = await getIncidentForUpdate(trx, ctx.store.dialect, incidentId);
    if (!incident) throw AppError.notFound(`incident #${incidentId}`);
    if (incident.status === 'closed') throw new AppError('conflict', `incident #${incidentId} is closed; post public updates on an open or resolved incident`);
    if (status === 'resolved') {
      const touched = await trx.selectFrom('status_page_updates').select('components').where('incident_id', '=', incidentId).execute();
      for (const row of touched) for (const name of Object.keys(JSON.parse(row.components) as Record<string, string>)) if (!set.has(name) && findComponent(cfg, name)) set.set(name, 'operational');
    }
    const components = Object.fromEntries(set);
    const update = await insertPublicUpdate(trx, { incident_id: incidentId, at: now, status, message, components: JSON.stringify(components), author_kind: actor.kind, author_id: actor.id, author_name: actor.name });
    for (const [name, s] of set) await setComponentStatusRow(trx, name, s, now, actor.name, incidentId);
    const componentText = [...set].map(([n, s]) => `${n}: ${COMPONENT_STATUS_TEXT[s]}`).join(', ');
    await insertIncidentEvents(trx, [
      {
        incident_id: incidentId,
        at: now,
        kind: 'status_page_post',
        actor_kind: actor.kind,
        actor_id: actor.id,
        actor_name: actor.name,
        surface: actor.surface,
        message: `public update (${PUBLIC_STATUS_TEXT[status]}) posted by ${actor.name}: ${message}${componentText ? ` — ${componentText}` : ''}`,
        data: JSON.stringify({ update: Number(update.id), status, message, components }),
      },
    ]);
    await updateIncident(trx, incidentId, { updated_at: now });
    await audit(trx, actor, now, 'status_page.post', 'incident', String(incidentId), `#${incidentId} ${incident.title}`, { status, message, components });
    const queued = await queueUpdateDeliveries(trx, ctx, cfg, update, incident.title, now);
    return { update, queued };
  });
  ctx.bus.publish([{ type: 'incident.updated', at: now }]);
  if (queued > 0) ctx.wake();
  return update;
}

/** One outbox row per confirmed subscriber, with the message rendered now. */
async function queueUpdateDeliveries(trx: Tx, ctx: Ctx, cfg: StatusPageConfig, update: StatusPageUpdateRow, title: string, now: number): Promise<number> {
  const subs = await trx.selectFrom('status_page_subscribers').selectAll().where('confirmed_at', 'is not', null).where('unsubscribed_at', 'is', null).execute();
  if (subs.length === 0) return 0;
  const base = statusPageUrl(ctx, cfg);
  const status = update.status as PublicStatus;
  const components = JSON.parse(update.components) as Record<string, ComponentStatus>;
  const subject = `[${cfg.title}] ${PUBLIC_STATUS_TEXT[status]}: ${title}`;
  const lines = [
    `${PUBLIC_STATUS_TEXT[status]} — ${title}`,
    '',
    update.message,
    ...(Object.keys(components).length ? ['', 'Affected components:', ...Object.entries(components).map(([n, s]) => `  ${n}: ${COMPONENT_STATUS_TEXT[s]}`)] : []),
    '',
    `Posted ${new Date(update.at).toISOString().replace('T', ' ').slice(0, 16)} UTC. Current status: ${base}`,
  ];
  return insertDeliveries(
    trx,
    subs.map((s) => {
      const unsubscribe = `${base}/unsubscribe/${s.unsubscribe_token}`;
      return {
        delivery_key: `update:${update.id}:${s.id}`,
        subscriber_id: s.id,
        kind: 'update',
        update_id: Number(update.id),
        subject,
        body: `${lines.join('\n')}\n\nYou get this because you subscribed to ${cfg.title}. Unsubscribe: ${unsubscribe}\n`,
        data: JSON.stringify({
          event: 'status_page.update',
          update: { id: Number(update.id), incident: Number(update.incident_id), title, status, message: update.message, components, at: new Date(update.at).toISOString() },
          page: { title: cfg.title, url: base },
          unsubscribe_url: unsubscribe,
        }),
        ...pendingDelivery(now),
      };
    }),
  );
}

export interface SubscribeInput {
  email?: string | undefined;
  webhook?: string | undefined;
}

export interface SubscribeResult {
  subscriber: SubscriberRow;
  /** Webhooks: the signing secret, shown once; null for email or an already confirmed webhook. */
  secret: string | null;
  /** False when a confirmation was sent a moment ago or the address is already confirmed. */
  queued: boolean;
}

/** A confirmation request per address at most this often, so the form cannot be used to flood a mailbox. */
const CONFIRM_EVERY_MS = 10 * 60_000;

/**
 * Loopback, private, link-local and unique-local addresses: a webhook given on the public form
 * must not make the server post into its own network. Admins add such webhooks through the API.
 */
export function privateHost(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return true;
  const v = isIP(host);
  if (v === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (v === 6) return host === '::1' || host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host.startsWith('::ffff:');
  return false;
}

/**
 * Subscribes an address (the public form, or an admin with `confirmed`). A new or unconfirmed
 * address gets a confirmation message with a one-time link; an address already confirmed gets
 * nothing new, and the answer does not say so (the form must not tell who is subscribed).
 */
export async function subscribe(ctx: Ctx, input: SubscribeInput, opts: { public: boolean; actor?: Actor } = { public: true }): Promise<SubscribeResult> {
  const cfg = await loadStatusPage(ctx);
  const given = (['email', 'webhook'] as const).filter((k) => input[k] !== undefined && input[k].trim() !== '');
  if (given.length !== 1) throw AppError.invalid('email', given.length ? 'give an email address or a webhook URL, not both' : 'give an email address (or a webhook URL in webhook)');
  const kind = given[0]!;
  const checked = checkContactAddress(kind, input[kind]!);
  if (!checked.ok) throw AppError.invalid(kind, checked.error);
  const address = kind === 'email' ? checked.address.toLowerCase() : checked.address;
  if (kind === 'webhook' && opts.public && privateHost(address)) throw AppError.invalid('webhook', 'must be a public http(s) URL; an admin can add webhooks inside your network through the API');
  if (address.length > 2000) throw AppError.invalid(kind, 'must be at most 2000 characters');
  const now = ctx.clock.now();
  const confirmed = !opts.public;
  const result = await ctx.store.tx(async (trx) => {
    const existing = await findSubscriber(trx, kind, address);
    const active = existing && existing.unsubscribed_at === null;
    if (active && existing.confirmed_at !== null) return { subscriber: existing, secret: null, queued: false };
    const token = randomBytes(24).toString('base64url');
    const secret = kind === 'webhook' ? `whsec_${randomBytes(24).toString('base64url')}` : null;
    if (active && existing.confirmed_at === null && !confirmed) {
      const recent = await trx.selectFrom('status_page_deliveries').select('id').where('subscriber_id', '=', existing.id).where('kind', '=', 'confirm').where('created_at', '>', now - CONFIRM_EVERY_MS).executeTakeFirst();
      if (recent) return { subscriber: existing, secret: null, queued: false };
    }
    const row = {
      kind,
      address,
      secret,
      confirm_token_hash: confirmed ? null : sha256Hex(token),
      unsubscribe_token: randomBytes(24).toString('base64url'),
      created_at: now,
      confirmed_at: confirmed ? now : null,
      unsubscribed_at: null,
    };
    const subscriber = existing
      ? await trx.updateTable('status_page_subscribers').set(row).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow()
      : await trx.insertInto('status_page_subscribers').values({ id: newId(), ...row }).returningAll().executeTakeFirstOrThrow();
    if (opts.actor) await audit(trx, opts.actor, now, 'status_page.subscriber.add', 'status_page_subscriber', subscriber.id, address, { kind });
    if (confirmed) return { subscriber, secret, queued: false };
    const base = statusPageUrl(ctx, cfg);
    const link = `${base}/confirm/${token}`;
    const queued = await insertDeliveries(trx, [
      {
        delivery_key: `confirm:${subscriber.id}:${now}`,
        subscriber_id: subscriber.id,
        kind: 'confirm',
        update_id: null,
        subject: `[${cfg.title}] Confirm your subscription`,
        body: [
          `Someone (we hope you) asked to get ${cfg.title} updates at this address.`,
          '',
          `Confirm: ${link}`,
          '',
          'If it was not you, ignore this message: nothing is sent until the subscription is confirmed.',
          '',
        ].join('\n'),
        data: JSON.stringify({ event: 'status_page.confirm', confirm_url: link, page: { title: cfg.title, url: base }, unsubscribe_url: `${base}/unsubscribe/${row.unsubscribe_token}` }),
        ...pendingDelivery(now),
      },
    ]);
    return { subscriber, secret, queued: queued > 0 };
  });
  if (result.queued) ctx.wake();
  return result;
}

/** The one-time confirmation link: the subscriber gets updates from now on. */
export async function confirmSubscriber(ctx: Ctx, token: string): Promise<SubscriberRow> {
  const now = ctx.clock.now();
  return ctx.store.tx(async (trx) => {
    const s = await trx.selectFrom('status_page_subscribers').selectAll().where('confirm_token_hash', '=', sha256Hex(token)).where('unsubscribed_at', 'is', null).executeTakeFirst();
    if (!s) throw AppError.notFound('this confirmation link is not valid or was already used; subscribe again to get a new one. The subscription');
    return trx.updateTable('status_page_subscribers').set({ confirmed_at: now, confirm_token_hash: null }).where('id', '=', s.id).returningAll().executeTakeFirstOrThrow();
  });
}

/** The unsubscribe link of every message; unsubscribing twice is fine. */
export async function unsubscribe(ctx: Ctx, token: string): Promise<SubscriberRow> {
  const now = ctx.clock.now();
  return ctx.store.tx(async (trx) => {
    const s = await trx.selectFrom('status_page_subscribers').selectAll().where('unsubscribe_token', '=', token).executeTakeFirst();
    if (!s) throw AppError.notFound('this unsubscribe link is not valid. The subscription');
    if (s.unsubscribed_at !== null) return s;
    await trx.updateTable('status_page_deliveries').set({ status: 'cancelled', last_error: 'unsubscribed before delivery' }).where('subscriber_id', '=', s.id).where('status', '=', 'pending').execute();
    return trx.updateTable('status_page_subscribers').set({ unsubscribed_at: now, confirm_token_hash: null }).where('id', '=', s.id).returningAll().executeTakeFirstOrThrow();
  });
}

/** An admin removes a subscriber (and what was waiting to be sent to it). */
export async function removeSubscriber(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.tx(async (trx) => {
    const s = await trx.selectFrom('status_page_subscribers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!s) throw AppError.notFound(`subscriber ${id}`);
    await trx.deleteFrom('status_page_subscribers').where('id', '=', id).execute();
    await audit(trx, actor, now, 'status_page.subscriber.remove', 'status_page_subscriber', id, s.address, { kind: s.kind });
  });
}
