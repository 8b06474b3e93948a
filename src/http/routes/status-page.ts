import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.js';
import { mutateOrg } from '../../commands/export-org.js';
import { confirmSubscriber, loadStatusPage, NOT_SET_UP, postPublicUpdate, removeSubscriber, setComponentStatus, statusPageUrl, subscribe, unsubscribe } from '../../commands/status-page.js';
import { presentStatusPage, statusPageView, TEMPLATES } from '../../commands/status-page-view.js';
import { AppError } from '../../domain/errors.js';
import { COMPONENT_STATUSES, PUBLIC_STATUS_TEXT, PUBLIC_STATUSES, type PublicStatus } from '../../domain/status-page/status.js';
import { RateLimiter } from '../rate-limit.js';
import { getStatusPageConfig, listSubscribers, recentPublicUpdates } from '../../store/status-page.repo.js';
import { actorOf } from '../auth.js';
import { toErrorBody } from '../errors.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';
import { renderAtom, renderMessage, renderNotSetUp, renderRss, renderStatusPage, STATUS_HTML_HEADERS, type FeedEntry } from '../status-page-html.js';

/**
 * The public status page (/status, its feeds, subscribing) and its administration under
 * /api/v1/status-page. The public paths need no sign-in and never show internal updates or notes:
 * they read public updates only (src/commands/status-page-view.ts).
 */

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const componentStatus = z.enum(COMPONENT_STATUSES, { error: `use one of ${COMPONENT_STATUSES.join(', ')}` });

const PublicUpdate = z.strictObject({
  status: z.enum(PUBLIC_STATUSES, { error: `use one of ${PUBLIC_STATUSES.join(', ')}` }),
  message: z.string().max(5000, { error: 'must be at most 5000 characters' }).describe('What customers read; GET /api/v1/status-page/templates has starting sentences.'),
  components: z.record(z.string(), componentStatus).optional().describe('Component name -> status this update sets; resolving returns the incident’s components to operational.'),
});

const SetStatus = z.strictObject({ status: componentStatus });

const Component = z.strictObject({
  name: z.string().min(1).max(100),
  description: z.string().max(500).optional(),
  services: z.array(z.string().min(1)).max(100).optional(),
  group: z.string().min(1).max(100).optional(),
});

const Subscribe = z.strictObject({
  email: z.string().max(320).optional(),
  webhook: z.string().max(2000).optional(),
});

const IncidentId = z.strictObject({
  id: z
    .string()
    .transform((s) => Number(s.replace(/^#/, '')))
    .pipe(z.int({ error: 'must be an incident number, e.g. 12' }).min(1, { error: 'must be an incident number, e.g. 12' })),
});
const NameParam = z.strictObject({ name: z.string().min(1) });
const IdParam = z.strictObject({ id: z.string().min(1) });
const TokenParam = z.strictObject({ token: z.string().min(10).max(200) });

/** How many updates the feeds carry. */
const FEED_ENTRIES = 50;

/**
 * Changes the file's status_page through the same path as an apply; problems with the edited
 * component are named by its own fields (`services[0]`, not `status_page.components[3].services[0]`).
 */
async function editComponents(app: App, req: FastifyRequest, edit: (components: Record<string, unknown>[]) => number): Promise<void> {
  let index = -1;
  try {
    await mutateOrg(app.ctx, actorOf(req), 'status_page', (file) => {
      index = edit((file.status_page as { components: Record<string, unknown>[] }).components);
      return null;
    });
  } catch (err) {
    const prefix = `status_page.components[${index}]`;
    if (err instanceof AppError && err.code === 'invalid' && index >= 0) {
      throw AppError.invalidMany(err.problems.map((p) => (p.field.startsWith(prefix) ? { field: p.field.slice(prefix.length).replace(/^\./, '') || 'name', message: p.message } : p)));
    }
    throw err;
  }
}

const componentEntry = (b: z.output<typeof Component>) => ({ name: b.name, services: b.services ?? [], ...(b.description ? { description: b.description } : {}), ...(b.group ? { group: b.group } : {}) });

export function statusPageRoutes(app: App, r: ApiRouter): void {
  const { ctx, http } = app;
  // Per client address: the public form sends mail, so it is limited like an ingest key.
  const subscribeLimit = new RateLimiter(10);

  const admin = async () => {
    const cfg = await loadStatusPage(ctx);
    const view = (await statusPageView(ctx, cfg))!;
    return { ...presentStatusPage(view), public_url: statusPageUrl(ctx, cfg), configured: { components: cfg.components } };
  };

  // ---- The public page ------------------------------------------------------------------------

  http.get('/status', async (_req, reply) => {
    const view = await statusPageView(ctx);
    return reply.headers(STATUS_HTML_HEADERS).send(view ? renderStatusPage(view) : renderNotSetUp());
  });

  const feed = async (reply: FastifyReply, type: 'atom' | 'rss') => {
    const cfg = await getStatusPageConfig(ctx.store.db);
    if (!cfg) throw AppError.notFound('status page (not set up)');
    const updates = await recentPublicUpdates(ctx.store.db, FEED_ENTRIES);
    const ids = [...new Set(updates.map((u) => Number(u.incident_id)))];
    const titles = new Map((ids.length ? await ctx.store.db.selectFrom('incidents').select(['id', 'title']).where('id', 'in', ids).execute() : []).map((i) => [Number(i.id), i.title]));
    const entries: FeedEntry[] = updates.map((u) => ({
      id: Number(u.id),
      incidentId: Number(u.incident_id),
      title: `${PUBLIC_STATUS_TEXT[u.status as PublicStatus]}: ${titles.get(Number(u.incident_id)) ?? `Incident #${u.incident_id}`}`,
      message: u.message,
      at: Number(u.at),
    }));
    const head = { title: cfg.title, url: statusPageUrl(ctx, cfg), now: ctx.clock.now() };
    return reply
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .type(type === 'atom' ? 'application/atom+xml; charset=utf-8' : 'application/rss+xml; charset=utf-8')
      .send(type === 'atom' ? renderAtom(head, entries) : renderRss(head, entries));
  };
  http.get('/status/feed.atom', (_req, reply) => feed(reply, 'atom'));
  http.get('/status/feed.rss', (_req, reply) => feed(reply, 'rss'));

  /** A browser posting the page's form gets a page back; an API client gets JSON. */
  const wantsHtml = (req: FastifyRequest) => String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const htmlError = async (reply: FastifyReply, err: unknown) => {
    const { status, body } = toErrorBody(err);
    const cfg = await getStatusPageConfig(ctx.store.db).catch(() => null);
    return reply
      .status(status)
      .headers(STATUS_HTML_HEADERS)
      .send(renderMessage(cfg?.title ?? 'Status', status === 404 ? 'Link not valid' : 'Could not do that', body.error.message, undefined, true));
  };

  http.post('/status/subscribe', async (req, reply) => {
    const html = wantsHtml(req);
    try {
      if (!subscribeLimit.take(req.ip, ctx.clock.now())) throw new AppError('rate_limited', 'too many subscriptions from your address; try again in a few minutes');
      // A form posts empty fields it does not use: drop them before the strict check.
      const raw = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''));
      const b = parse(Subscribe, raw);
      const res = await subscribe(ctx, b, { public: true });
      const cfg = await getStatusPageConfig(ctx.store.db);
      const text =
        res.subscriber.kind === 'email'
          ? `If ${res.subscriber.address} is not subscribed yet, a confirmation message is on its way: open its link to start getting updates.`
          : `A confirmation request was posted to the webhook: open its confirm_url to start getting updates.${res.secret ? ` Requests are signed with this secret (shown once): ${res.secret}` : ''}`;
      if (html) return reply.status(202).headers(STATUS_HTML_HEADERS).send(renderMessage(cfg?.title ?? 'Status', 'Check your inbox', text));
      return reply.status(202).send({ subscribed: res.subscriber.kind, address: res.subscriber.address, confirmation: 'sent unless already confirmed', secret: res.secret, message: text });
    } catch (err) {
      if (html) return htmlError(reply, err);
      throw err;
    }
  });

  // Links in messages: GET shows one button, POST acts. Mail scanners open links to check them;
  // they must not confirm or unsubscribe anyone by doing so. List-Unsubscribe-Post one-click
  // unsubscribes POST to the same address.
  const tokenPage = (kind: 'confirm' | 'unsubscribe') => async (req: FastifyRequest, reply: FastifyReply) => {
    const cfg = await getStatusPageConfig(ctx.store.db);
    const { token } = parse(TokenParam, req.params);
    const title = cfg?.title ?? 'Status';
    return reply
      .headers(STATUS_HTML_HEADERS)
      .send(
        kind === 'confirm'
          ? renderMessage(title, 'Confirm your subscription', `Press the button to get ${title} updates.`, { action: `/status/confirm/${token}`, button: 'Confirm subscription' })
          : renderMessage(title, 'Unsubscribe', `Press the button to stop getting ${title} updates.`, { action: `/status/unsubscribe/${token}`, button: 'Unsubscribe' }),
      );
  };
  http.get('/status/confirm/:token', tokenPage('confirm'));
  http.get('/status/unsubscribe/:token', tokenPage('unsubscribe'));

  http.post('/status/confirm/:token', async (req, reply) => {
    const cfg = await getStatusPageConfig(ctx.store.db);
    try {
      const { token } = parse(TokenParam, req.params);
      const s = await confirmSubscriber(ctx, token);
      return reply.headers(STATUS_HTML_HEADERS).send(renderMessage(cfg?.title ?? 'Status', 'Subscribed', `${s.address} gets ${cfg?.title ?? 'status'} updates from now on. Every message has an unsubscribe link.`));
    } catch (err) {
      return htmlError(reply, err);
    }
  });

  http.post('/status/unsubscribe/:token', async (req, reply) => {
    const cfg = await getStatusPageConfig(ctx.store.db);
    try {
      const { token } = parse(TokenParam, req.params);
      const s = await unsubscribe(ctx, token);
      return reply.headers(STATUS_HTML_HEADERS).send(renderMessage(cfg?.title ?? 'Status', 'Unsubscribed', `${s.address} gets no more ${cfg?.title ?? 'status'} updates.`));
    } catch (err) {
      return htmlError(reply, err);
    }
  });

  // ---- JSON -----------------------------------------------------------------------------------

  r.add({
    method: 'GET',
    url: '/api/v1/status-page',
    summary: 'The public status page as JSON: overall status, components with 90 days of history, incidents with their public updates, scheduled maintenance',
    tag: 'status-page',
    role: 'viewer',
    auth: 'none',
    handler: async () => {
      const view = await statusPageView(ctx);
      if (!view) throw new AppError('not_found', NOT_SET_UP);
      return presentStatusPage(view);
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/status-page/templates',
    summary: 'The four template sentences for public updates (investigating, identified, monitoring, resolved); {issue} stands for the incident title',
    tag: 'status-page',
    role: 'viewer',
    handler: async () => ({ templates: TEMPLATES }),
  });

  r.add({
    method: 'GET',
    url: '/api/v1/status-page/admin',
    summary: 'The status page with its configured components, for the admin page',
    tag: 'status-page',
    role: 'viewer',
    handler: admin,
  });

  r.add({
    method: 'PUT',
    url: '/api/v1/status-page/components/:name/status',
    summary: 'Set a component’s current status by hand',
    tag: 'status-page',
    role: 'responder',
    body: SetStatus,
    handler: async (req) => {
      const { name } = parse(NameParam, req.params);
      const b = parse(SetStatus, req.body);
      const res = await setComponentStatus(ctx, actorOf(req), name, b.status);
      return { component: res.name, status: res.status, changed: res.changed };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/status-page/components',
    summary: 'Add a component (changes the organisation’s status_page section, as an apply would)',
    tag: 'status-page',
    role: 'admin',
    body: Component,
    handler: async (req, reply) => {
      const b = parse(Component, req.body);
      await loadStatusPage(ctx);
      await editComponents(app, req, (components) => {
        if (components.some((c) => String(c.name).toLowerCase() === b.name.toLowerCase())) throw new AppError('conflict', `name: a component named "${b.name}" exists; change it with PUT /api/v1/status-page/components/${encodeURIComponent(b.name)}`, { field: 'name' });
        return components.push(componentEntry(b)) - 1;
      });
      void reply.status(201);
      return admin();
    },
  });

  r.add({
    method: 'PUT',
    url: '/api/v1/status-page/components/:name',
    summary: 'Change a component’s name, description, services or group',
    tag: 'status-page',
    role: 'admin',
    body: Component,
    handler: async (req) => {
      const { name } = parse(NameParam, req.params);
      const b = parse(Component, req.body);
      await loadStatusPage(ctx);
      await editComponents(app, req, (components) => {
        const i = components.findIndex((c) => String(c.name).toLowerCase() === name.toLowerCase());
        if (i < 0) throw AppError.notFound(`component "${name}"`);
        components[i] = componentEntry(b);
        return i;
      });
      return admin();
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/status-page/components/:name',
    summary: 'Remove a component from the status page',
    tag: 'status-page',
    role: 'admin',
    handler: async (req) => {
      const { name } = parse(NameParam, req.params);
      await loadStatusPage(ctx);
      await editComponents(app, req, (components) => {
        const i = components.findIndex((c) => String(c.name).toLowerCase() === name.toLowerCase());
        if (i < 0) throw AppError.notFound(`component "${name}"`);
        components.splice(i, 1);
        return -1;
      });
      return admin();
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/public-updates',
    summary: 'Post a public update on the status page for this incident; confirmed subscribers get it',
    tag: 'status-page',
    role: 'responder',
    body: PublicUpdate,
    handler: async (req, reply) => {
      const { id } = parse(IncidentId, req.params);
      const b = parse(PublicUpdate, req.body);
      const u = await postPublicUpdate(ctx, id, actorOf(req), b);
      void reply.status(201);
      return { update: { id: Number(u.id), incident: Number(u.incident_id), at: iso(Number(u.at)), status: u.status, message: u.message, components: JSON.parse(u.components) as Record<string, string>, author: u.author_name } };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/status-page/subscribers',
    summary: 'Subscribers of the status page (email addresses and webhooks) and whether they confirmed',
    tag: 'status-page',
    role: 'admin',
    handler: async () => ({
      subscribers: (await listSubscribers(ctx.store.db)).map((s) => ({ id: s.id, kind: s.kind, address: s.address, confirmed: s.confirmed_at !== null, created_at: iso(Number(s.created_at)), confirmed_at: iso(s.confirmed_at === null ? null : Number(s.confirmed_at)) })),
    }),
  });

  r.add({
    method: 'POST',
    url: '/api/v1/status-page/subscribers',
    summary: 'Add a subscriber, confirmed at once (an admin vouches for it); webhooks inside your network are allowed here',
    tag: 'status-page',
    role: 'admin',
    body: Subscribe,
    handler: async (req, reply) => {
      const b = parse(Subscribe, req.body);
      const res = await subscribe(ctx, b, { public: false, actor: actorOf(req) });
      void reply.status(201);
      return { subscriber: { id: res.subscriber.id, kind: res.subscriber.kind, address: res.subscriber.address, confirmed: res.subscriber.confirmed_at !== null }, secret: res.secret };
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/status-page/subscribers/:id',
    summary: 'Remove a subscriber',
    tag: 'status-page',
    role: 'admin',
    handler: async (req) => {
      const { id } = parse(IdParam, req.params);
      await removeSubscriber(ctx, actorOf(req), id);
      return { removed: id };
    },
  });
}
