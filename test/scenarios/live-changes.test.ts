import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, defaultSenders } from '../../src/app.js';
import { applyOrg } from '../../src/commands/apply-org.js';
import { createToken } from '../../src/commands/tokens.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { FakeClock } from '../../src/domain/clock.js';
import type { Store } from '../../src/store/db.js';
import { systemTestActor } from '../helpers/harness.js';
import { PG_URL, postgresKind, type TestStore } from '../helpers/stores.js';
import { CHECKOUT_EVENTS_KEY } from '../http/support.js';
import fs from 'node:fs';

/**
 * PostgreSQL, several processes: a browser connected to an API process sees, live, the changes an
 * engine/notify process commits (through LISTEN/NOTIFY), and nothing from another installation
 * sharing the database in another schema.
 */
describe.skipIf(!PG_URL)('live changes across processes on PostgreSQL', () => {
  const clock = new FakeClock('2026-03-08T08:00:00Z');
  const log = pino({ level: process.env.WATCHKEEPER_TEST_LOG ?? 'silent' });
  let main: TestStore;
  let other: TestStore;
  let apiStore: Store;
  let worker: App;
  let api: App;
  let stranger: App;
  let token = '';
  let baseUrl = '';

  const app = (store: Store, roles: ('api' | 'engine' | 'notify')[]) =>
    new App({ store, clock, log, publicUrl: 'http://watchkeeper.test', senders: defaultSenders(log, null, null), ingestRateLimit: 0, roles });

  beforeAll(async () => {
    main = await postgresKind.open();
    apiStore = await main.another!();
    other = await postgresKind.open();
    worker = app(main, ['engine', 'notify']);
    api = app(apiStore, ['api']);
    stranger = app(other, ['engine', 'notify']);
    const org = parseOrgYaml(fs.readFileSync('examples/demo.yaml', 'utf8'));
    await applyOrg(worker.ctx, org, systemTestActor);
    await applyOrg(stranger.ctx, org, systemTestActor);
    token = (await createToken(api.ctx, systemTestActor, { name: 'viewer', role: 'viewer' })).token;
    await api.http.listen({ port: 0, host: '127.0.0.1' });
    const addr = api.http.server.address();
    baseUrl = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
    for (const a of [worker, api, stranger]) await a.start();
  });
  afterAll(async () => {
    for (const a of [api, worker, stranger]) await a.stop();
    await main.close();
    await other.close();
  });

  /** Reads the API process's event stream until `until` is satisfied; returns the events seen. */
  async function watch(act: () => Promise<void>, until: (events: { type: string; data: { alert_id: number | null; status: string | null } }[]) => boolean) {
    const ctrl = new AbortController();
    const res = await fetch(`${baseUrl}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` }, signal: ctrl.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const events: { type: string; data: { alert_id: number | null; status: string | null } }[] = [];
    // The stream is open once its first comment arrives; act only then.
    while (!text.includes(': connected')) text += decoder.decode((await reader.read()).value);
    await act();
    const deadline = Date.now() + 10_000;
    while (!until(events) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
      for (const block of text.split('\n\n').slice(0, -1)) {
        const type = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (type && data) events.push({ type, data: JSON.parse(data) as { alert_id: number | null; status: string | null } });
      }
      text = text.slice(text.lastIndexOf('\n\n') + 2);
    }
    ctrl.abort();
    return events;
  }

  it('streams alerts that another process opened and acknowledged', async () => {
    let alertId = 0;
    const events = await watch(
      async () => {
        const res = await worker.http.inject({
          method: 'POST',
          url: '/v2/enqueue',
          payload: { routing_key: CHECKOUT_EVENTS_KEY, event_action: 'trigger', dedup_key: 'live-1', payload: { summary: 'live', source: 't', severity: 'critical' } },
        });
        expect(res.statusCode).toBe(202);
        alertId = (await worker.ctx.store.db.selectFrom('alerts').select('id').where('dedup_key', '=', 'live-1').executeTakeFirstOrThrow()).id;
        const ack = await worker.http.inject({ method: 'POST', url: '/v2/enqueue', payload: { routing_key: CHECKOUT_EVENTS_KEY, event_action: 'acknowledge', dedup_key: 'live-1' } });
        expect(ack.statusCode).toBe(202);
      },
      (ev) => ev.some((e) => e.type === 'alert.updated' && e.data.status === 'acknowledged'),
    );
    const mine = events.filter((e) => e.data.alert_id === alertId);
    expect(mine.find((e) => e.type === 'alert.created')).toBeTruthy();
    expect(mine.find((e) => e.type === 'alert.updated' && e.data.status === 'acknowledged')).toBeTruthy();
    // Each change arrives once, not once per process that heard it.
    expect(mine.filter((e) => e.type === 'alert.created')).toHaveLength(1);
  });

  it('hears nothing from an installation in another schema', async () => {
    const events = await watch(
      async () => {
        const res = await stranger.http.inject({
          method: 'POST',
          url: '/v2/enqueue',
          payload: { routing_key: CHECKOUT_EVENTS_KEY, event_action: 'trigger', dedup_key: 'elsewhere', payload: { summary: 'x', source: 't', severity: 'critical' } },
        });
        expect(res.statusCode).toBe(202);
        // A change of our own afterwards marks the point by which the other one would have arrived.
        await worker.http.inject({
          method: 'POST',
          url: '/v2/enqueue',
          payload: { routing_key: CHECKOUT_EVENTS_KEY, event_action: 'trigger', dedup_key: 'marker', payload: { summary: 'm', source: 't', severity: 'critical' } },
        });
      },
      (ev) => ev.some((e) => e.type === 'alert.created'),
    );
    const ours = await worker.ctx.store.db.selectFrom('alerts').select('id').where('dedup_key', '=', 'marker').executeTakeFirstOrThrow();
    expect(events.filter((e) => e.type === 'alert.created').map((e) => e.data.alert_id)).toEqual([ours.id]);
  });
});
