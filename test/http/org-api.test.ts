import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import { DEMO, allAlerts, type ApiError } from './support.js';

/**
 * Organisation management through /api/v1: users, teams, escalation policies and services one at a
 * time, whole files through /config/apply, the export that round-trips, and the audit log.
 */
interface AuditEntry {
  id: number;
  at: string;
  actor: { kind: string; id: string | null; name: string };
  surface: string;
  action: string;
  entity: { kind: string; id: string | null; name: string | null };
  detail: unknown;
}
interface GeneratedKey {
  service: string;
  integration: string;
  type: string;
  key: string;
}

describe.each(storeKinds)('organisation API on $name', (kind) => {
  let h: Harness;
  /** A harness kept across a group's tests (refused changes change nothing, so they can share one). */
  let shared: Harness | undefined;
  afterEach(async () => {
    if (h && h !== shared) await h.stop();
  });

  const errorOf = (res: { body: Record<string, unknown> }) => (res.body as unknown as ApiError).error;
  const audit = async (): Promise<AuditEntry[]> => {
    const res = await h.api('GET', '/api/v1/audit?limit=1000');
    expect(res.status).toBe(200);
    return res.body.entries as AuditEntry[];
  };
  const config = async () => {
    const res = await h.api('GET', '/api/v1/config');
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Everything a refused change must leave alone. */
  const state = async () => ({ config: await config(), audit: (await audit()).length });
  const names = async (path: string, section: string) => ((await h.api('GET', `/api/v1/${path}`)).body[section] as { name: string }[]).map((e) => e.name);
  const trigger = (routingKey: string, dedupKey = 'probe') =>
    h.enqueue({ routing_key: routingKey, event_action: 'trigger', dedup_key: dedupKey, payload: { summary: 'probe', source: 'test', severity: 'critical' } });

  it('creates, lists, replaces and deletes a user, each change on the audit log with its actor', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const erin = { name: 'erin', full_name: 'Erin Hale', email: 'erin@example.com', time_zone: 'Europe/Berlin', contact_methods: [{ name: 'work', type: 'email', address: 'erin@example.com' }] };
    const created = await h.api('POST', '/api/v1/users', erin);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ changes: [{ action: 'create', kind: 'user', name: 'erin' }], generated_keys: [] });
    expect(await names('users', 'users')).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    const one = await h.api('GET', '/api/v1/users/erin');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ ...erin, role: 'responder', notification_rules: [{ contact_method: 'work', delay_minutes: 0, urgency: 'any' }] });

    const replaced = await h.api('PUT', '/api/v1/users/erin', { ...erin, full_name: 'Erin Hale-Smith', role: 'manager' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.changes).toEqual([{ action: 'update', kind: 'user', name: 'erin' }]);
    expect((await h.api('GET', '/api/v1/users/erin')).body).toMatchObject({ full_name: 'Erin Hale-Smith', role: 'manager' });

    // PUT replaces: what the body leaves out is gone (the contact method, and with it its rule).
    const bare = await h.api('PUT', '/api/v1/users/erin', { name: 'erin', email: 'erin@example.com' });
    expect(bare.status).toBe(200);
    const afterBare = (await h.api('GET', '/api/v1/users/erin')).body;
    expect(afterBare).toMatchObject({ role: 'responder', contact_methods: [], notification_rules: [] });
    expect(afterBare.full_name).toBeUndefined();

    const deleted = await h.api('DELETE', '/api/v1/users/erin');
    expect(deleted).toEqual({ status: 200, body: { changes: [{ action: 'delete', kind: 'user', name: 'erin' }] } });
    expect((await h.api('GET', '/api/v1/users/erin')).status).toBe(404);
    expect(await names('users', 'users')).toEqual(['alice', 'bob', 'carol', 'dave']);

    const entries = (await audit()).filter((e) => e.entity.name === 'erin');
    expect(entries.map((e) => e.action)).toEqual(['user.delete', 'user.update', 'user.update', 'user.create']);
    for (const e of entries) expect(e).toMatchObject({ actor: { kind: 'token', name: 'test admin' }, surface: 'api', entity: { kind: 'user' } });
    expect(entries[3]?.detail).toMatchObject({ email: 'erin@example.com', full_name: 'Erin Hale', time_zone: 'Europe/Berlin' });
  });

  it('creates, replaces and deletes a team, recorded under the user a manager token acts for', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const t = await h.api('POST', '/api/v1/tokens', { name: 'carol cli', role: 'manager', user: 'carol' });
    const manager = (t.body as { token: string }).token;
    const asCarol = async (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
      const res = await h.app.http.inject({ method, url, headers: { authorization: `Bearer ${manager}`, 'x-watchkeeper-client': 'cli' }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
      return { status: res.statusCode, body: res.json() as Record<string, unknown> };
    };

    const created = await asCarol('POST', '/api/v1/teams', { name: 'payments', description: 'Card payments', members: [{ user: 'bob', role: 'lead' }, { user: 'dave' }] });
    expect(created.status).toBe(201);
    expect(created.body.changes).toEqual([{ action: 'create', kind: 'team', name: 'payments' }]);
    expect((await h.api('GET', '/api/v1/teams/payments')).body).toEqual({ name: 'payments', description: 'Card payments', members: [{ user: 'bob', role: 'lead' }, { user: 'dave', role: 'member' }] });

    const replaced = await asCarol('PUT', '/api/v1/teams/payments', { name: 'payments', members: [{ user: 'alice' }] });
    expect(replaced.status).toBe(200);
    expect((await h.api('GET', '/api/v1/teams/payments')).body).toEqual({ name: 'payments', description: '', members: [{ user: 'alice', role: 'member' }] });

    expect((await asCarol('DELETE', '/api/v1/teams/payments')).status).toBe(200);
    expect(await names('teams', 'teams')).toEqual(['sre']);

    // A manager may not manage users.
    const user = await asCarol('POST', '/api/v1/users', { name: 'zed', email: 'zed@example.com' });
    expect(user.status).toBe(403);
    expect(await names('users', 'users')).not.toContain('zed');

    const entries = (await audit()).filter((e) => e.entity.name === 'payments');
    expect(entries.map((e) => e.action)).toEqual(['team.delete', 'team.update', 'team.create']);
    for (const e of entries) expect(e).toMatchObject({ actor: { kind: 'user', name: 'carol' }, surface: 'cli' });
  });

  it('creates, replaces and deletes an escalation policy, and new alerts follow the replaced one', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const policy = { name: 'payments-oncall', description: 'Dave first', levels: [{ targets: [{ user: 'dave' }], delay_minutes: 10 }, { targets: [{ team: 'sre', role: 'lead' }] }] };
    const created = await h.api('POST', '/api/v1/escalation-policies', policy);
    expect(created.status).toBe(201);
    expect(created.body.changes).toEqual([{ action: 'create', kind: 'escalation_policy', name: 'payments-oncall' }]);
    expect((await h.api('GET', '/api/v1/escalation-policies/payments-oncall')).body).toMatchObject({
      name: 'payments-oncall',
      repeat: 0,
      levels: [{ targets: [{ user: 'dave' }], delay_minutes: 10 }, { targets: [{ team: 'sre', role: 'lead' }], delay_minutes: 15 }],
    });

    // Point Payments at it, then replace the policy: a new alert pages the replaced first level.
    const payments = (await h.api('GET', '/api/v1/services/Payments')).body as { integrations: { url: string }[] };
    const svc = await h.api('PUT', '/api/v1/services/Payments', { name: 'Payments', escalation_policy: 'payments-oncall', team: 'sre', integrations: (payments.integrations as Record<string, unknown>[]).map(({ url: _url, ...i }) => i) });
    expect(svc.status).toBe(200);
    expect(svc.body.changes).toContainEqual({ action: 'update', kind: 'service', name: 'Payments' });
    const replaced = await h.api('PUT', '/api/v1/escalation-policies/payments-oncall', { ...policy, levels: [{ targets: [{ user: 'carol' }] }] });
    expect(replaced.status).toBe(200);
    expect(replaced.body.changes).toEqual([{ action: 'update', kind: 'escalation_policy', name: 'payments-oncall' }]);
    expect((await trigger('demo0payments0events0v2000000000')).status).toBe(202);
    await h.tick();
    expect(h.paged()).toEqual(['carol@example.com']);

    // A policy a service still uses cannot be deleted.
    const inUse = await h.api('DELETE', '/api/v1/escalation-policies/payments-oncall');
    expect(inUse.status).toBe(400);
    expect(errorOf(inUse).problems?.[0]).toMatchObject({ field: expect.stringMatching(/^services\[\d+\]\.escalation_policy$/) as unknown, message: 'no policy named "payments-oncall"' });
    expect(await names('escalation-policies', 'escalation_policies')).toEqual(['default', 'payments-oncall']);

    const created2 = await h.api('POST', '/api/v1/escalation-policies', { name: 'spare', levels: [{ targets: [{ user: 'bob' }] }] });
    expect(created2.status).toBe(201);
    expect((await h.api('DELETE', '/api/v1/escalation-policies/spare')).body).toEqual({ changes: [{ action: 'delete', kind: 'escalation_policy', name: 'spare' }] });
    expect(await names('escalation-policies', 'escalation_policies')).toEqual(['default', 'payments-oncall']);
  });

  it('creates a service whose integration has no key: the generated key is returned once and works', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const service = { name: 'Search', description: 'Product search', escalation_policy: 'default', integrations: [{ name: 'events', type: 'events_v2' }] };
    const created = await h.api('POST', '/api/v1/services', service);
    expect(created.status).toBe(201);
    expect(created.body.changes).toEqual([
      { action: 'create', kind: 'service', name: 'Search' },
      { action: 'create', kind: 'integration', name: 'Search/events' },
    ]);
    const keys = created.body.generated_keys as GeneratedKey[];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ service: 'Search', integration: 'events', type: 'events_v2' });
    const key = keys[0]?.key ?? '';
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);

    // The key is never shown again: not in the service, not in the export, not in the audit log.
    const shown = await h.api('GET', '/api/v1/services/Search');
    expect(shown.body).toEqual({ ...service, integrations: [{ name: 'events', type: 'events_v2', url: 'http://watchkeeper.test/v2/enqueue (routing_key = the integration key)' }] });
    expect(JSON.stringify(await config())).not.toContain(key);
    expect(JSON.stringify(await audit())).not.toContain(key);

    expect((await trigger(key)).status).toBe(202);
    expect((await allAlerts(h)).map((a) => a.service.name)).toEqual(['Search']);

    // Replacing the service with the integration still keyless keeps the key: nothing new is generated.
    const put = await h.api('PUT', '/api/v1/services/Search', { ...service, description: 'Search and suggestions' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ changes: [{ action: 'update', kind: 'service', name: 'Search' }], generated_keys: [] });
    expect((await trigger(key, 'probe-2')).status).toBe(202);

    // Deleting the service retires the key and resolves its open alerts.
    expect((await h.api('DELETE', '/api/v1/services/Search')).status).toBe(200);
    expect(await names('services', 'services')).toEqual(['Checkout API', 'Payments']);
    const gone = await trigger(key, 'probe-3');
    expect(gone.status).toBe(400);
    expect((gone.body.errors as string[]).join()).toMatch(/not a known integration key/);
    expect((await allAlerts(h)).map((a) => a.status)).toEqual(['resolved', 'resolved']);
  });

  it('accepts back what it serves: GET a service and PUT it unchanged, changing nothing', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const before = await state();
    const shown = (await h.api('GET', '/api/v1/services/Checkout%20API')).body;
    const put = await h.api('PUT', '/api/v1/services/Checkout%20API', shown);
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ changes: [], generated_keys: [] });
    expect(await state()).toEqual(before);
    expect((await trigger('demo0checkout0events0v2000000000')).status).toBe(202);
  });

  describe('errors', () => {
    const cases: { name: string; method: 'POST' | 'PUT' | 'DELETE'; url: string; payload?: unknown; status: number; field?: string; message?: string | RegExp }[] = [
      { name: 'a service naming an unknown policy', method: 'POST', url: '/api/v1/services', payload: { name: 'Search', escalation_policy: 'nope' }, status: 400, field: 'escalation_policy', message: 'no policy named "nope"' },
      { name: 'a service naming an unknown team', method: 'POST', url: '/api/v1/services', payload: { name: 'Search', escalation_policy: 'default', team: 'ghosts' }, status: 400, field: 'team', message: 'no team named "ghosts"' },
      { name: 'a service with a short integration key', method: 'POST', url: '/api/v1/services', payload: { name: 'Search', escalation_policy: 'default', integrations: [{ name: 'e', type: 'events_v2', key: 'abc' }] }, status: 400, field: 'integrations[0].key', message: /32 letters or digits/ },
      { name: 'a service reusing another’s integration key', method: 'POST', url: '/api/v1/services', payload: { name: 'Search', escalation_policy: 'default', integrations: [{ name: 'e', type: 'events_v2', key: 'demo0checkout0events0v2000000000' }] }, status: 400, field: 'integrations[0].key' },
      { name: 'a generic integration without secret_env', method: 'POST', url: '/api/v1/services', payload: { name: 'Search', escalation_policy: 'default', integrations: [{ name: 'g', type: 'generic' }] }, status: 400, field: 'integrations[0].secret_env' },
      { name: 'a service with a misspelt field', method: 'POST', url: '/api/v1/services', payload: { name: 'Search', escalation_policy: 'default', escalation_polcy: 'x' }, status: 400, field: 'escalation_polcy', message: 'unknown field' },
      { name: 'a duplicate service name', method: 'POST', url: '/api/v1/services', payload: { name: 'Payments', escalation_policy: 'default' }, status: 409, message: /a service named "Payments" already exists/ },
      { name: 'a duplicate user name', method: 'POST', url: '/api/v1/users', payload: { name: 'alice', email: 'alice2@example.com' }, status: 409, message: /a user named "alice" already exists/ },
      { name: 'a duplicate team name', method: 'POST', url: '/api/v1/teams', payload: { name: 'sre' }, status: 409 },
      { name: 'a duplicate policy name', method: 'POST', url: '/api/v1/escalation-policies', payload: { name: 'default', levels: [{ targets: [{ user: 'bob' }] }] }, status: 409 },
      { name: 'a user with a bad email', method: 'POST', url: '/api/v1/users', payload: { name: 'erin', email: 'not-an-email' }, status: 400, field: 'email', message: 'not a valid email address' },
      { name: 'a user with an unknown time zone', method: 'POST', url: '/api/v1/users', payload: { name: 'erin', email: 'erin@example.com', time_zone: 'Mars/Olympus' }, status: 400, field: 'time_zone', message: /unknown time zone/ },
      { name: 'a user without a name', method: 'POST', url: '/api/v1/users', payload: { email: 'erin@example.com' }, status: 400, field: 'name' },
      { name: 'a team with an unknown member', method: 'POST', url: '/api/v1/teams', payload: { name: 'db', members: [{ user: 'mallory' }] }, status: 400, field: 'members[0].user', message: 'no user named "mallory"' },
      { name: 'a policy targeting an unknown user', method: 'POST', url: '/api/v1/escalation-policies', payload: { name: 'p', levels: [{ targets: [{ user: 'mallory' }] }] }, status: 400, field: 'levels[0].targets[0].user', message: 'no user named "mallory"' },
      { name: 'a policy without levels', method: 'POST', url: '/api/v1/escalation-policies', payload: { name: 'p', levels: [] }, status: 400, field: 'levels' },
      { name: 'replacing a user that does not exist', method: 'PUT', url: '/api/v1/users/zed', payload: { name: 'zed', email: 'zed@example.com' }, status: 404 },
      { name: 'deleting a team that does not exist', method: 'DELETE', url: '/api/v1/teams/ghosts', status: 404 },
      { name: 'deleting a user a policy pages', method: 'DELETE', url: '/api/v1/users/alice', status: 400, field: 'escalation_policies[0].levels[0].targets[0].user', message: 'no user named "alice"' },
    ];

    let initial: Awaited<ReturnType<typeof state>>;
    beforeAll(async () => {
      h = shared = await Harness.start(kind, { orgFile: DEMO });
      initial = await state();
    });
    beforeEach(() => {
      h = shared as Harness;
    });
    afterAll(async () => {
      await shared?.stop();
      shared = undefined;
    });

    it.each(cases)('refuses $name with $status, naming the field, and changes nothing', async ({ method, url, payload, status, field, message }) => {
      const before = await state();
      const res = await h.api(method, url, payload);
      expect(res.status).toBe(status);
      const err = errorOf(res);
      expect(err.code).toBe(status === 400 ? 'invalid' : status === 404 ? 'not_found' : 'conflict');
      if (field) {
        expect(err.field).toBe(field);
        expect(err.problems?.[0]?.field).toBe(field);
      }
      if (message) expect(field ? err.problems?.[0]?.message : err.message).toMatch(message instanceof RegExp ? message : new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      expect(await state()).toEqual(before);
    });

    it('still has the organisation it started with after every refused change', async () => {
      expect(await state()).toEqual(initial);
      expect((await trigger('demo0checkout0events0v2000000000')).status).toBe(202);
      expect((await allAlerts(h)).map((a) => a.service.name)).toEqual(['Checkout API']);
    });
  });

  describe('config apply and export', () => {
    const demoYaml = () => fs.readFileSync(DEMO, 'utf8');
    const withFrank = () =>
      demoYaml().replace(
        /^teams:/m,
        ['  - name: frank', '    email: frank@example.com', '    contact_methods:', '      - name: work-email', '        type: email', '        address: frank@example.com', '', 'teams:'].join('\n'),
      );

    it('applies a YAML file and reports the changes', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const res = await h.api('POST', '/api/v1/config/apply', { yaml: withFrank() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ dry_run: false, changes: [{ action: 'create', kind: 'user', name: 'frank' }], generated_keys: [] });
      expect(await names('users', 'users')).toContain('frank');
      const entry = (await audit()).find((e) => e.action === 'user.create');
      expect(entry).toMatchObject({ action: 'user.create', entity: { kind: 'user', name: 'frank' }, actor: { kind: 'token', name: 'test admin' }, surface: 'api' });
    });

    it('shows the plan on a dry run and changes nothing', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const before = await state();
      const yaml = withFrank().replace('delay_minutes: 5              # not acknowledged', 'delay_minutes: 7              # not acknowledged');
      const res = await h.api('POST', '/api/v1/config/apply', { yaml, dry_run: true });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        dry_run: true,
        changes: [
          { action: 'create', kind: 'user', name: 'frank' },
          { action: 'update', kind: 'escalation_policy', name: 'default' },
        ],
        generated_keys: [],
      });
      expect(await state()).toEqual(before);
    });

    it('applies all or nothing: a file with one error changes nothing and names the error', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const before = await state();
      const yaml = withFrank().replace('    escalation_policy: default\n    team: sre\n    integrations:\n      - name: events-v2\n        type: events_v2\n        key: demo0payments', '    escalation_policy: nope\n    team: sre\n    integrations:\n      - name: events-v2\n        type: events_v2\n        key: demo0payments');
      expect(yaml).toContain('escalation_policy: nope');
      const res = await h.api('POST', '/api/v1/config/apply', { yaml });
      expect(res.status).toBe(400);
      expect(errorOf(res).problems).toEqual([{ field: 'services[1].escalation_policy', message: 'no policy named "nope"' }]);
      expect(await state()).toEqual(before);

      const broken = await h.api('POST', '/api/v1/config/apply', { yaml: 'users:\n  - name: [unclosed\n' });
      expect(broken.status).toBe(400);
      expect(errorOf(broken).field).toBe('(yaml)');
      const both = await h.api('POST', '/api/v1/config/apply', { yaml: demoYaml(), config: {} });
      expect(both.status).toBe(400);
      expect(errorOf(both).field).toBe('yaml');
      expect(await state()).toEqual(before);
    });

    it('round-trips its export: applying GET /api/v1/config (JSON or YAML) changes nothing', async () => {
      h = await Harness.start(kind, { orgFile: 'examples/handbooks/mahavishnu.yaml' });
      const before = await state();
      const json = await h.api('POST', '/api/v1/config/apply', { config: before.config });
      expect(json.status).toBe(200);
      expect(json.body).toEqual({ dry_run: false, changes: [], generated_keys: [] });

      const yamlRes = await h.app.http.inject({ method: 'GET', url: '/api/v1/config?format=yaml', headers: { authorization: `Bearer ${h.adminToken}` } });
      expect(yamlRes.statusCode).toBe(200);
      expect(yamlRes.headers['content-type']).toMatch(/application\/yaml/);
      const yaml = await h.api('POST', '/api/v1/config/apply', { yaml: yamlRes.body });
      expect(yaml.body).toEqual({ dry_run: false, changes: [], generated_keys: [] });
      expect(await state()).toEqual(before);
      // The integration keys survived the export (which never contains them).
      expect((await trigger('mahavishnu0events0v2000000000000')).status).toBe(202);
    });

    it('round-trips the demo export too, after API edits', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      await h.api('POST', '/api/v1/teams', { name: 'payments', members: [{ user: 'bob', role: 'lead' }] });
      await h.api('POST', '/api/v1/services', { name: 'Search', escalation_policy: 'default', team: 'payments', integrations: [{ name: 'am', type: 'alertmanager' }] });
      const before = await state();
      const res = await h.api('POST', '/api/v1/config/apply', { config: before.config });
      expect(res.body).toEqual({ dry_run: false, changes: [], generated_keys: [] });
      expect(await state()).toEqual(before);
    });

    it('refuses a file that gives a new integration a key another integration keeps, and lets a renamed integration keep its key', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const before = await state();
      const stolen = `${demoYaml()}\n  - name: Search\n    escalation_policy: default\n    integrations:\n      - name: events\n        type: events_v2\n        key: demo0checkout0events0v2000000000\n`;
      // The exported file carries no keys, so the clash is with a stored key only the apply can see.
      const res = await h.api('POST', '/api/v1/config/apply', { config: { ...before.config, services: [...(before.config.services as unknown[]), { name: 'Search', escalation_policy: 'default', integrations: [{ name: 'events', type: 'events_v2', key: 'demo0checkout0events0v2000000000' }] }] } });
      expect(res.status).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'invalid', field: 'services[2].integrations[0].key' });
      expect(errorOf(res).message).toMatch(/already used by integration "events-v2" of service "Checkout API"/);
      expect(await state()).toEqual(before);
      // In a file that writes the key twice, validation already names both places.
      expect((await h.api('POST', '/api/v1/config/apply', { yaml: stolen })).status).toBe(400);
      expect(await state()).toEqual(before);
      expect((await trigger('demo0checkout0events0v2000000000')).status).toBe(202);
      expect((await allAlerts(h)).map((a) => a.service.name)).toEqual(['Checkout API']);

      // Renaming an integration in the file moves its key with it.
      const renamed = demoYaml().replace('      - name: events-v2               # PagerDuty', '      - name: pagerduty               # PagerDuty');
      expect(renamed).not.toBe(demoYaml());
      const apply = await h.api('POST', '/api/v1/config/apply', { yaml: renamed });
      expect(apply.status).toBe(200);
      expect(apply.body.changes).toEqual([
        { action: 'create', kind: 'integration', name: 'Checkout API/pagerduty' },
        { action: 'delete', kind: 'integration', name: 'Checkout API/events-v2' },
      ]);
      expect((await trigger('demo0checkout0events0v2000000000', 'after-rename')).status).toBe(202);
      expect((await allAlerts(h)).map((a) => a.service.name)).toEqual(['Checkout API', 'Checkout API']);
    });

    it('returns a generated integration key once: a second apply of the same file keeps it and shows none', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const yaml = `${demoYaml()}\n  - name: Search\n    escalation_policy: default\n    integrations:\n      - name: events\n        type: events_v2\n`;
      const first = await h.api('POST', '/api/v1/config/apply', { yaml });
      expect(first.status).toBe(200);
      const keys = first.body.generated_keys as GeneratedKey[];
      expect(keys).toEqual([{ service: 'Search', integration: 'events', type: 'events_v2', key: expect.stringMatching(/^[A-Za-z0-9]{32}$/) as unknown }]);
      const key = keys[0]?.key ?? '';

      const dry = await h.api('POST', '/api/v1/config/apply', { yaml, dry_run: true });
      expect(dry.body).toEqual({ dry_run: true, changes: [], generated_keys: [] });
      const second = await h.api('POST', '/api/v1/config/apply', { yaml });
      expect(second.body).toEqual({ dry_run: false, changes: [], generated_keys: [] });
      expect((await trigger(key)).status).toBe(202);
      expect((await allAlerts(h)).map((a) => a.service.name)).toEqual(['Search']);
    });
  });
});
