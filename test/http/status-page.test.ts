import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSDOM } from 'jsdom';
import { afterEach, describe, expect, it } from 'vitest';
import { exportOrg } from '../../src/commands/export-org.js';
import { readYaml, validateOrg } from '../../src/config/org.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * The public status page: public updates on incidents reach /status, the Atom and RSS feeds, the
 * JSON summary and confirmed subscribers (email through the local SMTP server, signed webhooks);
 * internal updates and notes never do; bad input names the field and stores nothing.
 */
const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods: [{ name: work, type: email, address: alice@example.com }]
escalation_policies:
  - name: ops
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 30
services:
  - name: Checkout API
    escalation_policy: ops
  - name: Search API
    escalation_policy: ops
maintenance_windows:
  - name: Database upgrade
    services: [Search API]
    starts_at: "2026-03-10T02:00:00Z"
    ends_at: "2026-03-10T04:00:00Z"
    comment: PostgreSQL 17
status_page:
  title: Acme status
  components:
    - name: Checkout
      description: Paying for an order
      services: [Checkout API]
      group: Web
    - name: Search
      services: [Search API]
`;

type Problem = { field: string; message: string };
type ErrorBody = { error?: { code: string; message: string; field?: string; problems?: Problem[] } };

/** The part of the DOM these tests read (test/helpers/jsdom.d.ts declares the XML side only). */
interface El {
  readonly textContent: string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El> & Iterable<El>;
  getAttribute(name: string): string | null;
}
const html = (text: string) => new JSDOM(text).window.document as unknown as El & { body: El };
const xml = (text: string) => new JSDOM(text, { contentType: 'application/xml' }).window.document;
const texts = (doc: ReturnType<typeof xml>, tag: string) => [...doc.getElementsByTagName(tag)].map((e) => e.textContent ?? '');

describe.each(storeKinds)('status page on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, token: string | null = h!.adminToken) => {
    const res = await h!.app.http.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    return { status: res.statusCode, body: (res.body ? res.json() : {}) as Record<string, unknown> & ErrorBody, headers: res.headers };
  };
  const get = async (url: string, accept = 'text/html') => h!.app.http.inject({ method: 'GET', url, headers: { accept } });
  const declare = async (title: string) => (await call('POST', '/api/v1/incidents', { title, severity: 'high', services: ['Checkout API'] })).body as unknown as { incident: { id: number } };
  const count = async (table: 'status_page_updates' | 'status_page_subscribers' | 'status_page_deliveries' | 'status_page_component_events') =>
    Number((await h!.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('shows a public update on /status, in both feeds and the JSON summary; internal updates and notes stay private; resolving restores the components', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    // Before anything happens: all operational, the maintenance of Search is scheduled.
    let page = html((await get('/status')).body);
    expect(page.querySelector('main h1')?.textContent).toBe('Acme status');
    expect(page.querySelector('.overall')?.textContent).toBe('All systems operational');
    expect(page.body.textContent).toContain('Database upgrade');
    expect(page.body.textContent).toContain('10 Mar 2026, 02:00 UTC');

    const { incident } = await declare('Checkout payments failing');
    expect((await call('POST', `/api/v1/incidents/${incident.id}/updates`, { impact: 'SECRET-IMPACT internal only', actions: 'rolling back build 4411' })).status).toBe(201);
    expect((await call('POST', `/api/v1/incidents/${incident.id}/notes`, { text: 'SECRET-NOTE db password rotated' })).status).toBe(201);
    const posted = await call('POST', `/api/v1/incidents/${incident.id}/public-updates`, { status: 'investigating', message: 'We are investigating failed payments at checkout.', components: { Checkout: 'partial_outage' } });
    expect(posted.status).toBe(201);
    expect(posted.body.update).toMatchObject({ status: 'investigating', components: { Checkout: 'partial_outage' } });

    const res = await get('/status');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    page = html(res.body);
    expect(page.querySelector('.overall')?.textContent).toBe('Partial outage');
    const active = page.querySelector('section[aria-labelledby="active-h"]');
    expect(active?.querySelector('h3')?.textContent).toBe('Checkout payments failing');
    expect(active?.textContent).toContain('We are investigating failed payments at checkout.');
    const checkout = [...page.querySelectorAll('article.component')].find((a) => a.querySelector('h3')?.textContent === 'Checkout')!;
    expect(checkout.querySelector('.state')?.textContent).toBe('Partial outage');
    const bars = checkout.querySelectorAll('ol.bars li');
    expect(bars).toHaveLength(90);
    expect(bars[89]?.textContent).toBe('2026-03-08: Partial outage');
    expect(bars[88]?.textContent).toBe('2026-03-07: Operational');
    expect(page.body.textContent).not.toContain('SECRET');

    const atom = xml((await get('/status/feed.atom', 'application/atom+xml')).body);
    expect(atom.documentElement.nodeName).toBe('feed');
    expect(texts(atom, 'entry')).toHaveLength(1);
    expect(texts(atom, 'content')).toEqual(['We are investigating failed payments at checkout.']);
    expect(texts(atom, 'title')).toContain('Investigating: Checkout payments failing');
    const rssRes = await get('/status/feed.rss', 'application/rss+xml');
    expect(rssRes.headers['content-type']).toContain('application/rss+xml');
    const rss = xml(rssRes.body);
    expect(texts(rss, 'item')).toHaveLength(1);
    expect(texts(rss, 'description')).toContain('We are investigating failed payments at checkout.');
    expect(`${rssRes.body}${(await get('/status/feed.atom')).body}`).not.toContain('SECRET');

    const summary = await call('GET', '/api/v1/status-page', undefined, null);
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ title: 'Acme status', overall: { status: 'partial_outage' }, scheduled_maintenance: [{ name: 'Database upgrade', components: ['Search'] }] });
    expect((summary.body.active_incidents as { updates: unknown[] }[])[0]!.updates).toHaveLength(1);
    expect(JSON.stringify(summary.body)).not.toContain('SECRET');

    const detail = (await call('GET', `/api/v1/incidents/${incident.id}`)).body as { timeline: { kind: string; message: string }[] };
    expect(detail.timeline.filter((e) => e.kind === 'status_page_post').map((e) => e.message)).toEqual(['public update (Investigating) posted by test admin: We are investigating failed payments at checkout. — Checkout: Partial outage']);

    h.clock.advanceMinutes(30);
    expect((await call('POST', `/api/v1/incidents/${incident.id}/public-updates`, { status: 'resolved', message: 'The issue has been resolved.' })).status).toBe(201);
    page = html((await get('/status')).body);
    expect(page.querySelector('.overall')?.textContent).toBe('All systems operational');
    expect(page.querySelector('section[aria-labelledby="active-h"]')).toBeNull();
    const past = page.querySelector('section[aria-labelledby="past-h"]')!;
    expect(past.textContent).toContain('Checkout payments failing');
    expect(past.textContent).toContain('The issue has been resolved.');
    // The day keeps its worst status.
    const bar = [...page.querySelectorAll('article.component')].find((a) => a.querySelector('h3')?.textContent === 'Checkout')!.querySelectorAll('ol.bars li')[89];
    expect(bar?.textContent).toBe('2026-03-08: Partial outage');
    expect(texts(xml((await get('/status/feed.atom')).body), 'entry')).toHaveLength(2);

    // The templates are offered through the API.
    const t = await call('GET', '/api/v1/status-page/templates');
    expect((t.body.templates as { status: string; message: string }[]).map((x) => x.message)).toEqual([
      'We are investigating {issue}.',
      'We have identified the issue and are working on a fix.',
      'A fix has been applied, monitoring for stability.',
      'The issue has been resolved.',
    ]);
  });

  it('an email subscriber confirms, gets the update, unsubscribes, and gets no more', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const sub = await call('POST', '/status/subscribe', { email: 'Carol@Example.com' }, null);
    expect(sub.status).toBe(202);
    await h.tick();
    const confirmMail = h.smtp.to('carol@example.com');
    expect(confirmMail).toHaveLength(1);
    expect(confirmMail[0]!.text).toContain('Subject: [Acme status] Confirm your subscription');
    const link = /http:\/\/watchkeeper\.test\/status\/confirm\/([A-Za-z0-9_-]+)/.exec(confirmMail[0]!.text)!;
    expect(link).not.toBeNull();

    // Not confirmed yet: an update sends nothing.
    const { incident } = await declare('Checkout slow');
    await call('POST', `/api/v1/incidents/${incident.id}/public-updates`, { status: 'investigating', message: 'Checkout is slow for some customers.' });
    await h.tick();
    expect(h.smtp.to('carol@example.com')).toHaveLength(1);

    // Opening the link only shows a button; pressing it confirms.
    const shown = await get(`/status/confirm/${link[1]}`);
    expect(html(shown.body).querySelector('form button')?.textContent).toBe('Confirm subscription');
    expect((await call('GET', '/api/v1/status-page/subscribers')).body.subscribers).toMatchObject([{ address: 'carol@example.com', confirmed: false }]);
    const confirmed = await h.app.http.inject({ method: 'POST', url: `/status/confirm/${link[1]}` });
    expect(confirmed.statusCode).toBe(200);
    expect(html(confirmed.body).querySelector('h1')?.textContent).toBe('Subscribed');
    expect((await h.app.http.inject({ method: 'POST', url: `/status/confirm/${link[1]}` })).statusCode).toBe(404);

    h.smtp.clear();
    await call('POST', `/api/v1/incidents/${incident.id}/public-updates`, { status: 'identified', message: 'We have identified the issue and are working on a fix.', components: { Checkout: 'degraded_performance' } });
    await h.tick();
    const mail = h.smtp.to('carol@example.com');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain('Subject: [Acme status] Identified: Checkout slow');
    expect(mail[0]!.text).toContain('We have identified the issue and are working on a fix.');
    expect(mail[0]!.text).toContain('Checkout: Degraded performance');
    expect(mail[0]!.text).not.toContain('Checkout is slow for some customers.');
    const unsub = /http:\/\/watchkeeper\.test\/status\/unsubscribe\/([A-Za-z0-9_-]+)/.exec(mail[0]!.text)!;
    expect(mail[0]!.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/watchkeeper\.test\/status\/unsubscribe\/[A-Za-z0-9_-]+>/m);

    const page = await get(`/status/unsubscribe/${unsub[1]}`);
    expect(html(page.body).querySelector('form button')?.textContent).toBe('Unsubscribe');
    const done = await h.app.http.inject({ method: 'POST', url: `/status/unsubscribe/${unsub[1]}`, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(done.statusCode).toBe(200);
    expect(html(done.body).querySelector('h1')?.textContent).toBe('Unsubscribed');

    h.smtp.clear();
    await call('POST', `/api/v1/incidents/${incident.id}/public-updates`, { status: 'resolved', message: 'The issue has been resolved.' });
    await h.tick();
    expect(h.smtp.to('carol@example.com')).toEqual([]);
    expect((await call('GET', '/api/v1/status-page/subscribers')).body.subscribers).toEqual([]);
  });

  it('a webhook an admin adds gets signed update POSTs; admins list and remove subscribers', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      // The public form refuses an address inside the network; an admin may add it.
      const refused = await call('POST', '/status/subscribe', { webhook: url }, null);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ field: 'webhook' });
      const added = await call('POST', '/api/v1/status-page/subscribers', { webhook: url });
      expect(added.status).toBe(201);
      const secret = added.body.secret as string;
      expect(secret).toMatch(/^whsec_/);

      const { incident } = await declare('Search down');
      await call('POST', `/api/v1/incidents/${incident.id}/public-updates`, { status: 'investigating', message: 'Search returns errors.', components: { Search: 'major_outage' } });
      await h.tick();
      expect(received).toHaveLength(1);
      const { headers, body } = received[0]!;
      const ts = String(headers['x-watchkeeper-timestamp']);
      expect(headers['x-watchkeeper-signature']).toBe(`v1=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`);
      expect(JSON.parse(body)).toMatchObject({ version: 'watchkeeper.status_page.v1', event: 'status_page.update', update: { title: 'Search down', status: 'investigating', message: 'Search returns errors.', components: { Search: 'major_outage' } } });

      const list = (await call('GET', '/api/v1/status-page/subscribers')).body.subscribers as { id: string; kind: string; confirmed: boolean }[];
      expect(list).toMatchObject([{ kind: 'webhook', confirmed: true }]);
      expect((await call('DELETE', `/api/v1/status-page/subscribers/${list[0]!.id}`)).status).toBe(200);
      await call('POST', `/api/v1/incidents/${incident.id}/public-updates`, { status: 'resolved', message: 'Search is back.' });
      await h.tick();
      expect(received).toHaveLength(1);
      expect((await call('DELETE', `/api/v1/status-page/subscribers/${list[0]!.id}`)).status).toBe(404);

      // A public webhook subscribes on the form: it gets its secret once, and a confirmation
      // request carrying confirm_url (not sent here: the address is not reachable from a test).
      const pub = await call('POST', '/status/subscribe', { webhook: 'https://hooks.example.com/acme-status' }, null);
      expect(pub.status).toBe(202);
      expect(pub.body.secret).toMatch(/^whsec_/);
      const row = await h.store.db.selectFrom('status_page_deliveries').selectAll().where('kind', '=', 'confirm').executeTakeFirstOrThrow();
      const data = JSON.parse(row.data) as { event: string; confirm_url: string };
      expect(data.event).toBe('status_page.confirm');
      const confirmPath = new URL(data.confirm_url).pathname;
      expect((await h.app.http.inject({ method: 'POST', url: confirmPath })).statusCode).toBe(200);
      expect((await call('GET', '/api/v1/status-page/subscribers')).body.subscribers).toMatchObject([{ kind: 'webhook', address: 'https://hooks.example.com/acme-status', confirmed: true }]);
      // Subscribing again changes nothing and tells nothing: no new secret, no new message.
      const again = await call('POST', '/status/subscribe', { webhook: 'https://hooks.example.com/acme-status' }, null);
      expect(again.status).toBe(202);
      expect(again.body.secret).toBeNull();
      expect(await count('status_page_deliveries')).toBe(1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('keeps an incident nobody resolved publicly on the page however old; resolved ones leave after 14 days', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const a = (await declare('Search is slow')).incident.id;
    const b = (await declare('Checkout errors')).incident.id;
    await call('POST', `/api/v1/incidents/${a}/public-updates`, { status: 'monitoring', message: 'A fix has been applied, monitoring for stability.' });
    await call('POST', `/api/v1/incidents/${b}/public-updates`, { status: 'resolved', message: 'The issue has been resolved.' });
    const titles = async () => {
      const s = (await call('GET', '/api/v1/status-page', undefined, null)).body as { active_incidents: { title: string }[]; past_incidents: { title: string }[] };
      return { active: s.active_incidents.map((i) => i.title), past: s.past_incidents.map((i) => i.title) };
    };
    expect(await titles()).toEqual({ active: ['Search is slow'], past: ['Checkout errors'] });
    h.clock.advanceMinutes(20 * 24 * 60);
    expect(await titles()).toEqual({ active: ['Search is slow'], past: [] });
  });

  it('forgets a subscription never confirmed within a week, and the messages sent for it', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    expect((await call('POST', '/status/subscribe', { email: 'dave@example.com' }, null)).status).toBe(202);
    await h.tick();
    expect(h.smtp.to('dave@example.com')).toHaveLength(1);
    await h.advanceMinutes(6 * 24 * 60);
    expect(await count('status_page_subscribers')).toBe(1);
    await h.advanceMinutes(2 * 24 * 60);
    expect(await count('status_page_subscribers')).toBe(0);
    expect(await count('status_page_deliveries')).toBe(0);
  });

  it('refuses bad input naming the field, and stores nothing', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const { incident } = await declare('Checkout down');
    const url = `/api/v1/incidents/${incident.id}/public-updates`;
    let r = await call('POST', url, { status: 'fixed', message: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ field: 'status', message: 'status: use one of investigating, identified, monitoring, resolved' });
    r = await call('POST', url, { status: 'investigating', message: '  ' });
    expect(r.body.error).toMatchObject({ field: 'message' });
    r = await call('POST', url, { status: 'investigating', message: 'x', components: { Payments: 'major_outage' } });
    expect(r.body.error).toMatchObject({ field: 'components.Payments', message: 'components.Payments: no component named "Payments"; the status page has Checkout, Search' });
    r = await call('POST', url, { status: 'investigating', message: 'x', components: { Checkout: 'down' } });
    expect(r.body.error).toMatchObject({ field: 'components.Checkout' });
    expect((await call('POST', '/api/v1/incidents/999/public-updates', { status: 'investigating', message: 'x' })).status).toBe(404);
    r = await call('PUT', '/api/v1/status-page/components/Checkout/status', { status: 'broken' });
    expect(r.body.error).toMatchObject({ field: 'status' });
    r = await call('PUT', '/api/v1/status-page/components/Billing/status', { status: 'major_outage' });
    expect(r.body.error).toMatchObject({ field: 'component', message: 'component: no component named "Billing"; the status page has Checkout, Search' });

    for (const [body, field] of [
      [{ email: 'not-an-address' }, 'email'],
      [{}, 'email'],
      [{ email: 'a@example.com', webhook: 'https://hooks.example.com/x' }, 'email'],
      [{ webhook: 'ftp://example.com/x' }, 'webhook'],
      [{ webhook: 'http://10.0.0.8/hook' }, 'webhook'],
      [{ email: 'a@example.com', colour: 'red' }, 'colour'],
    ] as const) {
      r = await call('POST', '/status/subscribe', body, null);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error?.field).toBe(field);
    }
    // The form gets a page that says what is wrong.
    const form = await h.app.http.inject({ method: 'POST', url: '/status/subscribe', payload: 'email=nope&webhook=', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.statusCode).toBe(400);
    expect(html(form.body).querySelector('[role="alert"]')?.textContent).toBe('email: not a valid email address');
    expect((await get('/status/unsubscribe/nonexistent-token-123')).statusCode).toBe(200);
    expect((await h.app.http.inject({ method: 'POST', url: '/status/unsubscribe/nonexistent-token-123' })).statusCode).toBe(404);

    for (const t of ['status_page_updates', 'status_page_subscribers', 'status_page_deliveries', 'status_page_component_events'] as const) expect(await count(t)).toBe(0);

    // The org file: a component's services must exist.
    const read = readYaml(ORG.replace('    - name: Search\n      services: [Search API]', '    - name: Search\n      services: [Nope]'));
    if (!read.ok) throw new Error('the test org does not parse');
    const v = validateOrg(read.value);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.problems).toContainEqual({ field: 'status_page.components[1].services[0]', message: 'no service named "Nope"' });
  });

  it('sets a component by hand, round-trips the file, and keeps /status out of the web UI fallback', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const r = await call('PUT', '/api/v1/status-page/components/search/status', { status: 'under_maintenance' });
    expect(r.body).toEqual({ component: 'Search', status: 'under_maintenance', changed: true });
    const page = html((await get('/status')).body);
    expect(page.querySelector('.overall')?.textContent).toBe('Scheduled maintenance in progress');
    const audit = await h.store.db.selectFrom('audit_log').select(['action', 'entity_name']).where('action', 'like', 'status_page.component%').execute();
    expect(audit).toEqual([{ action: 'status_page.component.set', entity_name: 'Search' }]);

    const file = await exportOrg(h.store.db);
    expect(file.status_page).toEqual({
      title: 'Acme status',
      components: [
        { name: 'Checkout', description: 'Paying for an order', services: ['Checkout API'], group: 'Web' },
        { name: 'Search', services: ['Search API'] },
      ],
    });
    const again = validateOrg(file);
    expect(again.ok).toBe(true);

    // Component CRUD goes through the org file.
    expect((await call('POST', '/api/v1/status-page/components', { name: 'API', services: ['Checkout API', 'Search API'] })).status).toBe(201);
    expect((await call('POST', '/api/v1/status-page/components', { name: 'Billing', services: ['Nope'] })).body.error).toMatchObject({ field: 'services[0]', message: 'services[0]: no service named "Nope"' });
    expect(((await exportOrg(h.store.db)).status_page as { components: { name: string }[] }).components.map((c) => c.name)).toEqual(['Checkout', 'Search', 'API']);
    expect((await call('DELETE', '/api/v1/status-page/components/API')).status).toBe(200);

    // Applying the file changes the page's title and components, and plan shows it.
    const plan = await call('POST', '/api/v1/config/apply', { yaml: ORG.replace('title: Acme status', 'title: Acme Inc. status'), dry_run: true });
    expect(plan.status).toBe(200);
    expect(JSON.stringify(plan.body)).toContain('status_page');
    expect((await call('POST', '/api/v1/config/apply', { yaml: ORG.replace('title: Acme status', 'title: Acme Inc. status') })).status).toBe(200);
    expect(html((await get('/status')).body).querySelector('main h1')?.textContent).toBe('Acme Inc. status');

    // Unknown paths under /status are the server's, not the web UI's.
    expect((await get('/status/nope')).headers['content-type']).toContain('application/json');
  });
});
