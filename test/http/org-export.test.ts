import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseOrgYaml, type OrgConfig } from '../../src/config/org.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Organisation as code, export side: every example organisation exports to a file that applies
 * as a no-op and reads back as the organisation it came from, on SQLite and PostgreSQL; the
 * export is open to viewers and never holds an integration key; the JSON Schema is public.
 */
/** Every example organisation under examples/, however it is arranged in folders. */
const EXAMPLES = (fs.readdirSync('examples', { recursive: true }) as string[])
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => path.join('examples', f))
  .sort();

/**
 * What an export may legitimately change, and nothing more:
 *  - integration keys: stored hashed, so never exported; `key` and `key_env` are both left out
 *    and the integration keeps the key the server holds;
 *  - order of things that have no order (users, teams, schedules, policies, services, channels,
 *    a person's contact methods, a service's integrations): the export sorts them by name.
 * Ordered lists (layers, levels, targets, members, notification rules) must come back as written.
 */
function normalise(config: OrgConfig): OrgConfig {
  const byName = <T extends { name: string }>(list: T[]): T[] => [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const c = structuredClone(config);
  return {
    ...c,
    users: byName(c.users).map((u) => ({ ...u, contactMethods: byName(u.contactMethods) })),
    teams: byName(c.teams),
    schedules: byName(c.schedules),
    escalationPolicies: byName(c.escalationPolicies),
    services: byName(c.services).map((s) => ({ ...s, integrations: byName(s.integrations).map((i) => ({ ...i, key: null, keyEnv: null })) })),
    channels: byName(c.channels),
  };
}

describe.each(storeKinds)('organisation export on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const get = (url: string, token: string | null = h.adminToken) => h.app.http.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it.each(EXAMPLES)('%s: the export applies as a no-op and reads back as the same organisation', async (file) => {
    h = await Harness.start(kind, { orgFile: file });
    const res = await get('/api/v1/config/export');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/yaml/);
    const exported = res.body;
    expect(exported.split('\n')[0]).toBe('# yaml-language-server: $schema=http://watchkeeper.test/api/v1/config/schema');

    const plan = await h.api('POST', '/api/v1/config/apply', { yaml: exported, dry_run: true, diff: true });
    expect(plan.status).toBe(200);
    expect(plan.body).toEqual({ dry_run: true, changes: [], generated_keys: [] });
    expect(normalise(parseOrgYaml(exported))).toEqual(normalise(parseOrgYaml(fs.readFileSync(file, 'utf8'))));

    // JSON carries the same file.
    const json = await get('/api/v1/config/export?format=json');
    expect(json.json()).toEqual(YAML.parse(exported));
  });

  it('lets a viewer export, never with an integration key (for an admin neither), and says so in the file', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/demo.yaml' });
    const viewer = await h.api('POST', '/api/v1/tokens', { name: 'auditor', role: 'viewer' });
    expect(viewer.status).toBe(201);
    const asViewer = await get('/api/v1/config/export', viewer.body.token as string);
    expect(asViewer.statusCode).toBe(200);
    const asAdmin = await get('/api/v1/config/export');
    expect(asAdmin.body).toBe(asViewer.body);
    const keys = [...fs.readFileSync('examples/demo.yaml', 'utf8').matchAll(/key: (demo0\w+)/g)].map((m) => m[1] as string);
    expect(keys).toHaveLength(6);
    for (const text of [asViewer.body, asAdmin.body, (await get('/api/v1/config/export?format=json')).body]) {
      for (const key of keys) expect(text).not.toContain(key);
      expect(text).not.toMatch(/\bkey(_env)?:/);
    }
    expect(asViewer.body).toContain('# Integration keys are not exported: the server keeps only their hashes. An integration\n# without key or key_env keeps the key it has.');

    expect((await get('/api/v1/config/export', null)).statusCode).toBe(401);
    const bad = await get('/api/v1/config/export?format=xml');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'invalid', field: 'format' } });
  });

  it('serves the JSON Schema without a token', async () => {
    h = await Harness.start(kind);
    const res = await get('/api/v1/config/schema', null);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/schema\+json/);
    expect(res.body).toBe(fs.readFileSync('schema/watchkeeper-org.schema.json', 'utf8'));
  });
});
