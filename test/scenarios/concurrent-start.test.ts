import fs from 'node:fs';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/app.js';
import { applyOrg } from '../../src/commands/apply-org.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { FakeClock } from '../../src/domain/clock.js';
import type { Store } from '../../src/store/db.js';
import { PG_URL, postgresKind, type TestStore } from '../helpers/stores.js';

const system = { kind: 'system' as const, id: null, name: 'test', surface: 'config' as const };

/** Several processes started together with the same --org file and admin token. */
describe.skipIf(!PG_URL)('several processes starting at once on PostgreSQL', () => {
  let first: TestStore | null = null;
  afterEach(async () => {
    await first?.close();
    first = null;
  });

  it('applies the organisation once and accepts the shared admin token, without errors', async () => {
    first = await postgresKind.open();
    const stores: Store[] = [first, await first.another!(), await first.another!()];
    const clock = new FakeClock();
    const apps = stores.map((store) => new App({ store, clock, log: pino({ level: 'silent' }) }));
    const org = parseOrgYaml(fs.readFileSync('examples/demo.yaml', 'utf8'));
    const results = await Promise.all(apps.map((app) => applyOrg(app.ctx, org, system)));
    // Exactly one of them created everything; the others found nothing to do.
    expect(results.map((r) => r.changes.length).sort((a, b) => a - b)).toEqual([0, 0, results.reduce((n, r) => n + r.changes.length, 0)]);
    const token = 'shared0admin0token000000000000000000000';
    await Promise.all(apps.map((app) => app.bootstrapAdmin({ envToken: token, dataDir: '/nonexistent' })));
    const rows = await first.db.selectFrom('api_tokens').select('id').execute();
    expect(rows).toHaveLength(1);
    const users = await first.db.selectFrom('users').select('name').execute();
    expect(users.map((u) => u.name).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
  });
});
