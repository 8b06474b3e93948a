import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import { CHECKOUT_EVENTS_KEY, DEMO, alertDetail, allAlerts, onlyAlert, type AlertDetail, type ApiAlert, type ApiError } from './support.js';

/**
 * The REST API under /api/v1 through the real HTTP stack: authentication and roles, alerts and
 * their actions, the timeline, input errors, the OpenAPI document, health, metrics and the stream.
 */
describe.each(storeKinds)('REST API on $name', (kind) => {
  let h: Harness;
  /** A harness kept across a group's tests (bad input changes nothing, so they can share one). */
  let shared: Harness | undefined;
  afterEach(async () => {
    if (h && h !== shared) await h.stop();
  });

  type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A request with any token (null: none) and extra headers. */
  const call = async (method: Method, url: string, opts: { token?: string | null; payload?: unknown; headers?: Record<string, string> } = {}) => {
    const token = opts.token === undefined ? h.adminToken : opts.token;
    const res = await h.app.http.inject({
      method,
      url,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...opts.headers },
      ...(opts.payload === undefined ? {} : { payload: opts.payload as Record<string, unknown> }),
    });
    return { status: res.statusCode, body: (res.body ? res.json() : {}) as Record<string, unknown>, raw: res.body };
  };
  const errorOf = (res: { body: Record<string, unknown> }) => (res.body as unknown as ApiError).error;

  const newToken = async (role: string, user?: string) => {
    const res = await h.api('POST', '/api/v1/tokens', { name: `${role} token`, role, ...(user ? { user } : {}) });
    expect(res.status).toBe(201);
    return res.body as { id: string; token: string; role: string };
  };

  const create = async (body: Record<string, unknown>, token = h.adminToken) => {
    const res = await call('POST', '/api/v1/alerts', { token, payload: { service: 'Checkout API', summary: 'Checkout errors above 5%', ...body } });
    return res;
  };
  /** Opens a critical alert on Checkout API, lets Alice's page go out, returns it. */
  const openAlert = async (body: Record<string, unknown> = {}): Promise<ApiAlert> => {
    const res = await create({ dedup_key: 'checkout-errors', ...body });
    expect(res.status).toBe(201);
    await h.tick();
    return (res.body as { alert: ApiAlert }).alert;
  };
  const act = (id: number, action: string, payload?: unknown, opts: { token?: string; headers?: Record<string, string> } = {}) =>
    call('POST', `/api/v1/alerts/${id}/${action}`, { payload: payload ?? {}, ...opts });

  describe('authentication and roles', () => {
    it('answers 401 on every /api/v1 route without a token, with a bogus token and with a malformed header', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const doc = await call('GET', '/api/v1/openapi.json');
      const paths = (doc.body as { paths: Record<string, Record<string, unknown>> }).paths;
      const operations = Object.entries(paths).flatMap(([path, ops]) =>
        Object.entries(ops).map(([m, op]) => ({ method: m.toUpperCase() as Method, url: path.replace(/\{id\}/g, '1').replace(/\{name\}/g, 'alice'), public: (op as { security?: unknown[] }).security?.length === 0 })),
      );
      // Signing in (and asking how) are the routes that cannot need a token; the organisation
      // file's JSON Schema is public so editors can fetch it, the status page summary so anyone can.
      expect(operations.filter((o) => o.public).map((o) => `${o.method} ${o.url}`).sort()).toEqual(['GET /api/v1/config/schema', 'GET /api/v1/session/providers', 'GET /api/v1/status-page', 'POST /api/v1/session']);
      const routes: { method: Method; url: string }[] = operations.filter((o) => !o.public);
      routes.push({ method: 'GET', url: '/api/v1/stream' }, { method: 'GET', url: '/api/v1/openapi.json' });
      expect(routes.length).toBeGreaterThan(25);
      for (const route of routes) {
        const variants: Record<string, string>[] = [{}, { authorization: 'Bearer wk_this-token-does-not-exist' }, { authorization: 'Token abc' }, { authorization: `Basic ${Buffer.from('x:nope').toString('base64')}` }];
        for (const headers of variants) {
          const res = await call(route.method, route.url, { token: null, headers, ...(route.method === 'POST' || route.method === 'PUT' ? { payload: {} } : {}) });
          expect({ route: `${route.method} ${route.url}`, status: res.status, code: errorOf(res)?.code }).toEqual({ route: `${route.method} ${route.url}`, status: 401, code: 'unauthorized' });
        }
      }
      expect(errorOf(await call('GET', '/api/v1/alerts', { token: null })).message).toMatch(/missing Authorization header/);
      // Without a token the body is not even looked at: no 400 about it, no 413.
      for (const payload of ['{"service": ', JSON.stringify({ summary: 'x'.repeat(3 * 1024 * 1024) })]) {
        const res = await call('POST', '/api/v1/alerts', { token: null, payload, headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(401);
      }
      expect(errorOf(await call('GET', '/api/v1/alerts', { token: 'bogus' })).message).toMatch(/unknown or revoked/);
      // Nothing was created on the way.
      expect(await allAlerts(h)).toEqual([]);
    });

    it('lets a viewer read but not trigger or act (403 naming the role), and changes nothing', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const alert = await openAlert();
      const viewer = await newToken('viewer');
      expect(viewer.token).toEqual(expect.any(String));

      const list = await call('GET', '/api/v1/alerts', { token: viewer.token });
      expect(list.status).toBe(200);
      expect((list.body.alerts as ApiAlert[]).map((a) => a.id)).toEqual([alert.id]);
      expect((await call('GET', `/api/v1/alerts/${alert.id}`, { token: viewer.token })).status).toBe(200);

      const post = await create({ dedup_key: 'from-viewer' }, viewer.token);
      expect(post.status).toBe(403);
      expect(errorOf(post)).toMatchObject({ code: 'forbidden' });
      expect(errorOf(post).message).toMatch(/needs the responder role.*has viewer/);
      for (const action of ['acknowledge', 'resolve', 'escalate']) {
        expect((await act(alert.id, action, {}, { token: viewer.token })).status).toBe(403);
      }
      expect((await call('POST', '/api/v1/services', { token: viewer.token, payload: { name: 'X', escalation_policy: 'default' } })).status).toBe(403);
      const alerts = await allAlerts(h);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ status: 'triggered', escalation: { level: 1 } });
    });

    it('lets a responder acting as a user acknowledge, recorded under that user', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const alert = await openAlert();
      const responder = await newToken('responder', 'bob');
      const res = await act(alert.id, 'acknowledge', undefined, { token: responder.token });
      expect(res.status).toBe(200);
      expect((res.body.alert as ApiAlert).status).toBe('acknowledged');
      const detail = await alertDetail(h, alert.id);
      expect(detail.alert).toMatchObject({ status: 'acknowledged', acknowledged_by: 'bob' });
      expect(detail.timeline.find((e) => e.kind === 'acknowledged')).toMatchObject({ actor: { kind: 'user', name: 'bob' }, surface: 'api' });
      // A responder is not a manager.
      const svc = await call('POST', '/api/v1/services', { token: responder.token, payload: { name: 'X', escalation_policy: 'default' } });
      expect(svc.status).toBe(403);
      expect(errorOf(svc).message).toMatch(/manager role/);
    });

    it('keeps the audit log to managers and config apply to admins', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const responder = await newToken('responder');
      const manager = await newToken('manager');
      expect((await call('GET', '/api/v1/audit', { token: responder.token })).status).toBe(403);
      expect((await call('GET', '/api/v1/audit', { token: manager.token })).status).toBe(200);
      const apply = await call('POST', '/api/v1/config/apply', { token: manager.token, payload: { config: {} } });
      expect(apply.status).toBe(403);
      expect(errorOf(apply).message).toMatch(/needs the admin role/);
      expect((await call('GET', '/api/v1/tokens', { token: manager.token })).status).toBe(403);
      // The refused apply (an empty organisation) removed nothing.
      expect(((await h.api('GET', '/api/v1/services')).body.services as unknown[]).length).toBe(2);
    });

    it('stops accepting a token once it is revoked', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const t = await newToken('responder');
      expect((await call('GET', '/api/v1/alerts', { token: t.token })).status).toBe(200);
      expect((await h.api('DELETE', `/api/v1/tokens/${t.id}`)).status).toBe(200);
      const after = await call('GET', '/api/v1/alerts', { token: t.token });
      expect(after.status).toBe(401);
      const listed = (await h.api('GET', '/api/v1/tokens')).body.tokens as { id: string; revoked_at: string | null }[];
      expect(listed.find((x) => x.id === t.id)?.revoked_at).toEqual(expect.any(String));
    });

    it('lists tokens without the secrets, with when each was last used', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const t = await newToken('viewer', 'dave');
      const unused = ((await h.api('GET', '/api/v1/tokens')).body.tokens as { id: string; last_used_at: string | null }[]).find((x) => x.id === t.id);
      expect(unused?.last_used_at).toBeNull();
      h.clock.advanceMinutes(3);
      expect((await call('GET', '/api/v1/alerts', { token: t.token })).status).toBe(200);
      const res = await h.api('GET', '/api/v1/tokens');
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(t.token);
      expect(JSON.stringify(res.body)).not.toContain(h.adminToken);
      const tokens = res.body.tokens as { id: string; name: string; role: string; user: string | null; token_hint: string; last_used_at: string | null }[];
      expect(tokens.find((x) => x.id === t.id)).toMatchObject({ name: 'viewer token', role: 'viewer', user: 'dave', token_hint: t.token.slice(0, 7), last_used_at: new Date(h.clock.now()).toISOString() });
      expect(tokens.find((x) => x.name === 'test admin')?.last_used_at).toEqual(expect.any(String));
    });
  });

  describe('alerts', () => {
    it('creates an alert with POST (201), counts a repeat of its dedup_key (200), and maps severity aliases', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const first = await create({ dedup_key: 'api-1', severity: 'p2', source: 'checkout-7', labels: { region: 'eu' }, links: [{ href: 'https://grafana.example.com/d/1', text: 'Dashboard' }] });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ outcome: 'created', dedup_key: 'api-1', alert: { status: 'triggered', severity: 'high', source: 'checkout-7', labels: { region: 'eu' }, count: 1 } });
      h.clock.advanceMinutes(1);
      const again = await create({ dedup_key: 'api-1', severity: 'p2' });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ outcome: 'deduplicated', alert: { count: 2 } });
      const a = await onlyAlert(h);
      expect(a).toMatchObject({ dedup_key: 'api-1', count: 2, severity: 'high', service: { name: 'Checkout API' } });
      const detail = await alertDetail(h, a.id);
      expect(detail.timeline[0]).toMatchObject({ kind: 'triggered', actor: { kind: 'token', name: 'test admin' }, surface: 'api' });
    });

    it('lists alerts filtered by status, service and severity (names, ids and aliases)', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const mk = async (service: string, dedup_key: string, severity: string) => ((await create({ service, dedup_key, severity })).body as { alert: ApiAlert }).alert;
      const a = await mk('Checkout API', 'a', 'critical');
      const b = await mk('Payments', 'b', 'error');
      const c = await mk('Checkout API', 'c', 'warning');
      const d = await mk('Payments', 'd', 'critical');
      expect((await act(b.id, 'acknowledge')).status).toBe(200);
      expect((await act(d.id, 'resolve')).status).toBe(200);

      const ids = async (query: string) => {
        const res = await call('GET', `/api/v1/alerts${query}`);
        expect(res.status).toBe(200);
        return (res.body.alerts as ApiAlert[]).map((x) => x.id);
      };
      expect(await ids('')).toEqual([c.id, b.id, a.id]); // open ones, newest first
      expect(await ids('?status=resolved')).toEqual([d.id]);
      expect(await ids('?status=acknowledged,resolved')).toEqual([d.id, b.id]);
      expect(await ids('?status=triggered,acknowledged,resolved&service=Payments')).toEqual([d.id, b.id]);
      expect(await ids(`?service=${encodeURIComponent(a.service.id)}`)).toEqual([c.id, a.id]);
      expect(await ids('?severity=critical')).toEqual([a.id]);
      expect(await ids('?severity=warning')).toEqual([c.id]); // alias of medium
      expect(await ids('?severity=critical,high&service=Checkout%20API,Payments')).toEqual([b.id, a.id]);
      expect(await ids('?status=triggered,acknowledged,resolved&limit=2')).toEqual([d.id, c.id]);
      const page = await call('GET', '/api/v1/alerts?status=triggered,acknowledged,resolved&limit=2');
      expect(page.body.next_before).toBe(c.id);
      expect(await ids(`?status=triggered,acknowledged,resolved&limit=2&before=${c.id}`)).toEqual([b.id, a.id]);
    });

    it('acknowledges: the alert stops escalating', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const alert = await openAlert();
      const res = await act(alert.id, 'acknowledge');
      expect(res.status).toBe(200);
      expect(res.body.alert).toMatchObject({ status: 'acknowledged', acknowledged_by: 'test admin' });
      for (const m of [5, 15, 15, 60]) await h.advanceMinutes(m);
      expect(h.paged()).toEqual(['alice@example.com']);
      // Acknowledging again changes nothing; a resolved alert cannot be acknowledged.
      expect((await act(alert.id, 'acknowledge')).status).toBe(200);
      expect((await act(alert.id, 'resolve', { note: 'fixed the pool size' })).status).toBe(200);
      const ack = await act(alert.id, 'acknowledge');
      expect(ack.status).toBe(409);
      expect(errorOf(ack).message).toMatch(/already resolved/);
      const detail = await alertDetail(h, alert.id);
      expect(detail.alert.status).toBe('resolved');
      expect(detail.timeline.filter((e) => e.kind === 'acknowledged')).toHaveLength(1);
      expect(detail.timeline.find((e) => e.kind === 'resolved')?.message).toMatch(/fixed the pool size/);
    });

    it('escalates by hand: pages the next level at once, and answers 409 at the last level', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const alert = await openAlert({ severity: 'critical' });
      expect(h.paged()).toEqual(['alice@example.com']);

      const toBob = await act(alert.id, 'escalate');
      expect(toBob.status).toBe(200);
      expect(toBob.body.alert).toMatchObject({ status: 'triggered', escalation: { level: 2 } });
      await h.tick();
      expect(h.paged()).toEqual(['alice@example.com', 'bob@example.com']);

      const toCarol = await act(alert.id, 'escalate');
      expect(toCarol.body.alert).toMatchObject({ escalation: { level: 3 } });
      await h.tick();
      expect(h.paged()).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);

      const past = await act(alert.id, 'escalate');
      expect(past.status).toBe(409);
      expect(errorOf(past)).toMatchObject({ code: 'conflict' });
      expect(errorOf(past).message).toMatch(/last level \(3\)/);
      expect((await alertDetail(h, alert.id)).alert.escalation.level).toBe(3);

      // Naming a level pages it again.
      const back = await act(alert.id, 'escalate', { level: 1 });
      expect(back.status).toBe(200);
      expect(back.body.alert).toMatchObject({ escalation: { level: 1 } });
      await h.tick();
      expect(h.paged().at(-1)).toBe('alice@example.com');
    });

    it('escalating an acknowledged alert makes it triggered again for the next level', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const alert = await openAlert({ severity: 'high' });
      await act(alert.id, 'acknowledge');
      const res = await act(alert.id, 'escalate');
      expect(res.body.alert).toMatchObject({ status: 'triggered', escalation: { level: 2 } });
      await h.tick();
      expect(h.paged()).toEqual(['alice@example.com', 'bob@example.com']);
      // Level 3 is for critical alerts only: a high alert at level 2 is at its last level.
      expect((await act(alert.id, 'escalate')).status).toBe(409);
    });

    it('snoozes: acknowledged now, triggered again after the snooze with the level paged again', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const alert = await openAlert();
      const res = await act(alert.id, 'snooze', { minutes: 10 });
      expect(res.status).toBe(200);
      expect(res.body.alert).toMatchObject({ status: 'acknowledged', snoozed_until: new Date(h.clock.now() + 10 * 60_000).toISOString() });

      await h.advanceMinutes(9);
      expect((await alertDetail(h, alert.id)).alert.status).toBe('acknowledged');
      expect(h.paged()).toEqual(['alice@example.com']);

      await h.advanceMinutes(1);
      const detail = await alertDetail(h, alert.id);
      expect(detail.alert).toMatchObject({ status: 'triggered', snoozed_until: null, escalation: { level: 1 } });
      expect(h.paged()).toEqual(['alice@example.com', 'alice@example.com']);
      const kinds = detail.timeline.map((e) => e.kind);
      expect(kinds).toContain('snoozed');
      expect(kinds).toContain('snooze_ended');
      // And escalation runs again from there: Bob after level 1's 5 minutes.
      await h.advanceMinutes(5);
      expect(h.paged().at(-1)).toBe('bob@example.com');
    });

    it('reassigns to a user, who is paged at once', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const alert = await openAlert();
      const res = await act(alert.id, 'reassign', { user: 'dave' });
      expect(res.status).toBe(200);
      expect(res.body.alert).toMatchObject({ status: 'triggered', escalation: { policy: null, level: 1, levels: 1 } });
      await h.tick();
      expect(h.paged()).toEqual(['alice@example.com', 'dave@example.com']);
      const detail = await alertDetail(h, alert.id);
      expect(detail.timeline.find((e) => e.kind === 'notified' && e.message.includes('reassigned to dave'))).toMatchObject({ actor: { name: 'test admin' }, surface: 'api' });
      expect(detail.pages.map((p) => p.user.name)).toEqual(['alice', 'dave']);

      // And back to a policy, which starts at its first level.
      const back = await act(alert.id, 'reassign', { escalation_policy: 'default' });
      expect(back.body.alert).toMatchObject({ escalation: { policy: { name: 'default' }, level: 1, levels: 3 } });
      await h.tick();
      expect(h.paged().at(-1)).toBe('alice@example.com');
    });

    it('adds notes to the timeline with actor and surface (cli when the client says so)', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const alert = await openAlert();
      expect((await act(alert.id, 'notes', { text: 'Looking into it' })).status).toBe(200);
      expect((await act(alert.id, 'notes', { text: '  Rolled back to v41  ' }, { headers: { 'x-watchkeeper-client': 'cli' } })).status).toBe(200);
      const carol = await newToken('responder', 'carol');
      expect((await act(alert.id, 'notes', { text: 'Paging the DBA' }, { token: carol.token, headers: { 'x-watchkeeper-client': 'UI' } })).status).toBe(200);
      const notes = (await alertDetail(h, alert.id)).timeline.filter((e) => e.kind === 'note');
      expect(notes.map((n) => ({ message: n.message, actor: n.actor.name, kind: n.actor.kind, surface: n.surface }))).toEqual([
        { message: 'Looking into it', actor: 'test admin', kind: 'token', surface: 'api' },
        { message: 'Rolled back to v41', actor: 'test admin', kind: 'token', surface: 'cli' },
        { message: 'Paging the DBA', actor: 'carol', kind: 'user', surface: 'ui' },
      ]);
      // A note does not change the alert's state.
      expect((await alertDetail(h, alert.id)).alert.status).toBe('triggered');
    });

    it('shows the timeline: triggered, notified, page_sent and acknowledged with actor and surface', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const trig = await h.enqueue({ routing_key: CHECKOUT_EVENTS_KEY, event_action: 'trigger', dedup_key: 'tl', payload: { summary: 'Queue backlog', source: 'mq-1', severity: 'critical' } });
      expect(trig.status).toBe(202);
      await h.tick();
      const alert = await onlyAlert(h);
      await act(alert.id, 'acknowledge', undefined, { headers: { 'x-watchkeeper-client': 'cli' } });
      const { timeline, pages } = await alertDetail(h, alert.id);
      const row = (k: string) => timeline.find((e) => e.kind === k);
      expect(timeline.map((e) => e.kind)).toEqual(['triggered', 'notified', 'page_sent', 'acknowledged']);
      expect(row('triggered')).toMatchObject({ actor: { kind: 'integration', name: 'events-v2' }, surface: 'events_v2' });
      expect(row('triggered')?.message).toMatch(/Queue backlog/);
      expect(row('notified')).toMatchObject({ actor: { kind: 'integration', name: 'events-v2' }, surface: 'events_v2' });
      expect(row('notified')?.message).toMatch(/level 1: alice/);
      expect(row('page_sent')).toMatchObject({ actor: { kind: 'system', name: 'Watchkeeper' }, surface: 'engine' });
      expect(row('page_sent')?.message).toMatch(/alice via email \(alice@example\.com\)/);
      expect(row('acknowledged')).toMatchObject({ actor: { kind: 'token', name: 'test admin' }, surface: 'cli' });
      for (const e of timeline) expect(Date.parse(e.at)).toBe(h.clock.now());
      expect(pages).toMatchObject([{ user: { name: 'alice' }, status: 'sent', level: 1, destination: 'alice@example.com' }]);
    });

    it('answers 409 to acknowledge, escalate, snooze and reassign on a resolved alert, and changes nothing; a note is still welcome', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const alert = await openAlert();
      expect((await act(alert.id, 'resolve')).status).toBe(200);
      const before = await alertDetail(h, alert.id);
      for (const [action, payload] of [['acknowledge', {}], ['escalate', {}], ['escalate', { level: 2 }], ['snooze', { minutes: 5 }], ['reassign', { user: 'bob' }]] as const) {
        const res = await act(alert.id, action, payload);
        expect({ action, status: res.status, code: errorOf(res).code }).toEqual({ action, status: 409, code: 'conflict' });
      }
      await h.advanceMinutes(60);
      expect(await alertDetail(h, alert.id)).toEqual(before);
      expect(h.paged()).toEqual(['alice@example.com']);
      expect((await act(alert.id, 'notes', { text: 'post-mortem on Monday' })).status).toBe(200);
      // The same dedup_key now opens a new alert.
      const again = await create({ dedup_key: 'checkout-errors' });
      expect(again.status).toBe(201);
      expect((again.body.alert as ApiAlert).id).not.toBe(alert.id);
    });

    it('answers 404 for an alert that does not exist and 400 for an id that is not a number', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const missing = await call('GET', '/api/v1/alerts/999');
      expect(missing.status).toBe(404);
      expect(errorOf(missing)).toMatchObject({ code: 'not_found', message: 'alert #999 not found' });
      expect((await act(999, 'acknowledge')).status).toBe(404);
      const bad = await call('GET', '/api/v1/alerts/abc');
      expect(bad.status).toBe(400);
      expect(errorOf(bad).field).toBe('id');
    });
  });

  describe('bad input', () => {
    // One organisation and one open alert for every case: each refused request must leave them as they were.
    let alert: ApiAlert;
    beforeAll(async () => {
      h = shared = await Harness.start(kind, { orgFile: DEMO });
      alert = await openAlert({ severity: 'critical' });
    });
    beforeEach(() => {
      h = shared as Harness;
    });
    afterAll(async () => {
      await shared?.stop();
      shared = undefined;
    });

    /** Everything observable about an alert, to show a refused request changed nothing. */
    const snapshot = async (id: number): Promise<AlertDetail & { mail: number }> => ({ ...(await alertDetail(h, id)), mail: h.paged().length });
    const alertsBefore = async () => (await allAlerts(h)).map((a) => ({ id: a.id, count: a.count, status: a.status }));

    const actionCases: { name: string; action: string; payload: unknown; field: string; message?: RegExp }[] = [
      { name: 'snooze for 0 minutes', action: 'snooze', payload: { minutes: 0 }, field: 'minutes' },
      { name: 'snooze for more than a week', action: 'snooze', payload: { minutes: 10081 }, field: 'minutes' },
      { name: 'snooze without minutes', action: 'snooze', payload: {}, field: 'minutes' },
      { name: 'snooze for "ten" minutes', action: 'snooze', payload: { minutes: 'ten' }, field: 'minutes' },
      { name: 'escalate to level 99', action: 'escalate', payload: { level: 99 }, field: 'level', message: /between 1 and 3/ },
      { name: 'escalate to level 0', action: 'escalate', payload: { level: 0 }, field: 'level' },
      { name: 'a note with empty text', action: 'notes', payload: { text: '' }, field: 'text' },
      { name: 'a note of only spaces', action: 'notes', payload: { text: '   ' }, field: 'text', message: /must not be empty/ },
      { name: 'a note with an unknown field', action: 'notes', payload: { text: 'hi', pinned: true }, field: 'pinned', message: /unknown field/ },
      { name: 'reassign to an unknown user', action: 'reassign', payload: { user: 'mallory' }, field: 'user', message: /no user named "mallory"/ },
      { name: 'reassign to an unknown policy', action: 'reassign', payload: { escalation_policy: 'nope' }, field: 'escalation_policy', message: /no policy named "nope"/ },
      { name: 'reassign to nobody', action: 'reassign', payload: {}, field: 'user' },
      { name: 'reassign to a user and a policy at once', action: 'reassign', payload: { user: 'bob', escalation_policy: 'default' }, field: 'user' },
      { name: 'resolve with a note that is not text', action: 'resolve', payload: { note: 42 }, field: 'note' },
      { name: 'resolve with an unknown field', action: 'resolve', payload: { reason: 'fixed' }, field: 'reason', message: /unknown field/ },
      { name: 'acknowledge with a field it does not take', action: 'acknowledge', payload: { note: 'on it' }, field: 'note', message: /unknown field/ },
      { name: 'snooze with an unknown field', action: 'snooze', payload: { minutes: 5, until: 'tomorrow' }, field: 'until', message: /unknown field/ },
    ];

    it.each(actionCases)('refuses $name with 400 naming the field, and changes nothing', async ({ action, payload, field, message }) => {
      const before = await snapshot(alert.id);
      const res = await act(alert.id, action, payload);
      expect(res.status).toBe(400);
      const err = errorOf(res);
      expect(err.code).toBe('invalid');
      expect(err.field).toBe(field);
      if (message) expect(err.message).toMatch(message);
      await h.tick();
      expect(await snapshot(alert.id)).toEqual(before);
    });

    const createCases: { name: string; payload: Record<string, unknown>; field: string; message?: RegExp }[] = [
      { name: 'an unknown service', payload: { service: 'Nope' }, field: 'service', message: /no service named "Nope"/ },
      { name: 'an unknown severity', payload: { severity: 'sev9' }, field: 'severity', message: /unknown severity "sev9"/ },
      { name: 'no summary', payload: { summary: undefined }, field: 'summary' },
      { name: 'a summary over 1024 characters', payload: { summary: 's'.repeat(1025) }, field: 'summary' },
      { name: 'a dedup_key over 255 characters', payload: { dedup_key: 'k'.repeat(256) }, field: 'dedup_key' },
      { name: 'a link that is not a URL', payload: { links: [{ href: 'not a url' }] }, field: 'links[0].href' },
      { name: 'a label that is not text', payload: { labels: { region: 1 } }, field: 'labels.region' },
      { name: 'a misspelt field', payload: { sevrity: 'critical' }, field: 'sevrity', message: /unknown field/ },
    ];

    it.each(createCases)('refuses an alert with $name with 400 naming the field, and stores nothing', async ({ payload, field, message }) => {
      const before = await alertsBefore();
      const mail = h.paged().length;
      const res = await create(payload);
      expect(res.status).toBe(400);
      const err = errorOf(res);
      expect(err.code).toBe('invalid');
      expect(err.field).toBe(field);
      if (message) expect(err.message).toMatch(message);
      expect(await alertsBefore()).toEqual(before);
      await h.tick();
      expect(h.paged()).toHaveLength(mail);
    });

    const listCases: { name: string; query: string; field: string; message?: RegExp }[] = [
      { name: 'an unknown status', query: 'status=open', field: 'status', message: /unknown status "open"/ },
      { name: 'an unknown service', query: 'service=Nope', field: 'service' },
      { name: 'an unknown severity', query: 'severity=sev9', field: 'severity' },
      { name: 'a limit of 0', query: 'limit=0', field: 'limit' },
      { name: 'a limit that is not a number', query: 'limit=all', field: 'limit' },
      { name: 'an unknown parameter', query: 'state=open', field: 'state', message: /unknown field/ },
    ];

    it.each(listCases)('refuses a list filter with $name with 400 naming the field', async ({ query, field, message }) => {
      const res = await call('GET', `/api/v1/alerts?${query}`);
      expect(res.status).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'invalid', field });
      if (message) expect(errorOf(res).message).toMatch(message);
    });

    it('refuses a token with an unknown role or user with 400 naming the field, and creates none', async () => {
      const before = ((await h.api('GET', '/api/v1/tokens')).body.tokens as unknown[]).length;
      const role = await h.api('POST', '/api/v1/tokens', { name: 'x', role: 'root' });
      expect(role.status).toBe(400);
      expect(errorOf(role).field).toBe('role');
      const user = await h.api('POST', '/api/v1/tokens', { name: 'x', role: 'viewer', user: 'mallory' });
      expect(user.status).toBe(400);
      expect(errorOf(user)).toMatchObject({ field: 'user', message: 'user: no user named "mallory"' });
      expect(((await h.api('GET', '/api/v1/tokens')).body.tokens as unknown[]).length).toBe(before);
    });

    it('refuses a body that is not JSON with 400 naming the body', async () => {
      const before = await alertsBefore();
      const res = await call('POST', '/api/v1/alerts', { payload: '{"service": "Checkout API",', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'invalid', field: 'body' });
      expect(await alertsBefore()).toEqual(before);
    });

    it('still has the one alert, untouched, after every refused request', async () => {
      const alerts = await allAlerts(h);
      expect(alerts.map((a) => ({ id: a.id, status: a.status, count: a.count, level: a.escalation.level }))).toEqual([{ id: alert.id, status: 'triggered', count: 1, level: 1 }]);
      const detail = await alertDetail(h, alert.id);
      expect(detail.timeline.map((e) => e.kind)).toEqual(['triggered', 'notified', 'page_sent']);
      expect(h.paged()).toEqual(['alice@example.com']);
    });
  });

  describe('documents and operations', () => {
    it('publishes an OpenAPI document listing the alert routes with their roles', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const res = await call('GET', '/api/v1/openapi.json');
      expect(res.status).toBe(200);
      const doc = res.body as { openapi: string; paths: Record<string, Record<string, { summary: string; description: string; requestBody?: unknown; parameters: { name: string }[] }>> };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths['/api/v1/alerts'] ?? {}).sort()).toEqual(['get', 'post']);
      expect(Object.keys(doc.paths['/api/v1/alerts/{id}'] ?? {})).toEqual(['get']);
      for (const action of ['acknowledge', 'resolve', 'escalate', 'snooze', 'reassign', 'notes']) {
        const op = doc.paths[`/api/v1/alerts/{id}/${action}`]?.post;
        expect(op, action).toBeDefined();
        expect(op?.description).toMatch(/responder role/);
        expect(op?.parameters.map((p) => p.name)).toContain('id');
      }
      expect(doc.paths['/api/v1/alerts']?.get?.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['status', 'service', 'severity', 'limit', 'before']));
      expect(doc.paths['/api/v1/alerts']?.post?.requestBody).toBeDefined();
      expect(doc.paths['/api/v1/alerts']?.get?.description).toMatch(/viewer role/);
    });

    it('answers /healthz and /readyz without a token', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const health = await call('GET', '/healthz', { token: null });
      expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
      const ready = await call('GET', '/readyz', { token: null });
      expect(ready).toMatchObject({ status: 200, body: { status: 'ready', database: kind.name } });
    });

    it('exposes ingest and delivery counters on /metrics after a page', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      await h.enqueue({ routing_key: CHECKOUT_EVENTS_KEY, event_action: 'trigger', dedup_key: 'm', payload: { summary: 'x', source: 'y', severity: 'critical' } });
      await h.enqueue({ routing_key: CHECKOUT_EVENTS_KEY, event_action: 'trigger', dedup_key: 'm', payload: { summary: 'x', source: 'y', severity: 'critical' } });
      await h.enqueue({ routing_key: CHECKOUT_EVENTS_KEY, event_action: 'trigger' });
      await h.tick();
      expect(h.paged()).toEqual(['alice@example.com']);
      const res = await h.app.http.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/plain/);
      expect(res.body).toContain('watchkeeper_ingest_events_total{source="events_v2",outcome="created"} 1');
      expect(res.body).toContain('watchkeeper_ingest_events_total{source="events_v2",outcome="deduplicated"} 1');
      expect(res.body).toContain('watchkeeper_ingest_events_total{source="events_v2",outcome="invalid"} 1');
      expect(res.body).toContain('watchkeeper_deliveries_total{channel="email",outcome="sent"} 1');
    });

    it('streams alert.created over server-sent events to a client with a token', async () => {
      h = await Harness.start(kind, { orgFile: DEMO, listen: true });
      expect((await fetch(`${h.baseUrl}/api/v1/stream`)).status).toBe(401);

      const abort = new AbortController();
      const res = await fetch(`${h.baseUrl}/api/v1/stream`, { headers: { authorization: `Bearer ${h.adminToken}` }, signal: abort.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        const deadline = Date.now() + 5_000;
        while (!pattern.test(text)) {
          if (Date.now() > deadline) throw new Error(`stream did not show ${String(pattern)}; got ${JSON.stringify(text)}`);
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended; got ${JSON.stringify(text)}`);
          text += decoder.decode(value, { stream: true });
        }
      };
      try {
        await readUntil(/: connected\n\n/);
        const trig = await h.enqueue({ routing_key: CHECKOUT_EVENTS_KEY, event_action: 'trigger', dedup_key: 'sse', payload: { summary: 'x', source: 'y', severity: 'critical' } });
        expect(trig.status).toBe(202);
        await readUntil(/event: alert\.created\ndata: [^\n]+\n\n/);
        const m = /id: (\d+)\nevent: alert\.created\ndata: ([^\n]+)\n\n/.exec(text);
        expect(m).not.toBeNull();
        const data = JSON.parse(m?.[2] ?? '{}') as { alert_id: number; status: string; at: string };
        const alert = await onlyAlert(h);
        expect(data).toEqual({ alert_id: alert.id, status: 'triggered', at: new Date(h.clock.now()).toISOString() });
      } finally {
        abort.abort();
        await reader.cancel().catch(() => undefined);
      }
    });
  });
});
