import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { recordReceipt } from '../../src/notify/receipts.js';
import { Harness } from '../helpers/harness.js';
import { PG_URL, postgresKind, storeKinds } from '../helpers/stores.js';

/**
 * Deliveries you can follow: every attempt and the provider's answer on the timeline and in the
 * API, and a page that cannot get through handing over to the person's next method, or to the next
 * level when nobody on this one can be reached. Email goes to a real SMTP server, webhooks to a
 * real HTTP server on loopback whose answer each test chooses per path.
 */

interface Page {
  id: number;
  user: { name: string | null };
  channel: string;
  contact_method: string | null;
  destination: string;
  level: number;
  status: string;
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
  attempt_log: { outcome: string; error: string | null }[];
}

interface AlertView {
  alert: { id: number; status: string; escalation: { level: number | null } };
  timeline: { kind: string; message: string; actor: { name: string } }[];
  pages: Page[];
}

/** A webhook receiver: each path answers with the status set for it (204 when none is set). */
class Hooks {
  readonly calls: { path: string; body: Record<string, unknown> }[] = [];
  readonly status = new Map<string, number>();
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      this.calls.push({ path, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      const code = this.status.get(path) ?? 204;
      res.writeHead(code, { 'content-type': 'text/plain' }).end(code >= 400 ? (code === 400 ? 'unknown channel' : 'upstream down') : '');
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  to(path: string) {
    return this.calls.filter((c) => c.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const KEY = 'delivery0events0v200000000000000';

/**
 * Level 1 pages one person; level 2 (after 30 minutes) pages Carol by email. Alice: webhook first,
 * email 45 minutes later. Bob: two webhooks, the second 5 minutes after the first.
 */
const orgYaml = (hook: string, first: 'alice' | 'bob') => `
users:
  - name: alice
    email: alice@example.com
    contact_methods:
      - { name: pager-hook, type: webhook, address: "${hook}/alice" }
      - { name: work-email, type: email, address: alice@example.com }
    notification_rules:
      - { contact_method: pager-hook, delay_minutes: 0 }
      - { contact_method: work-email, delay_minutes: 45 }
  - name: bob
    email: bob@example.com
    contact_methods:
      - { name: hook-a, type: webhook, address: "${hook}/bob-a" }
      - { name: hook-b, type: webhook, address: "${hook}/bob-b" }
    notification_rules:
      - { contact_method: hook-a, delay_minutes: 0 }
      - { contact_method: hook-b, delay_minutes: 5 }
  - name: carol
    email: carol@example.com
    contact_methods:
      - { name: work-email, type: email, address: carol@example.com }
    notification_rules:
      - { contact_method: work-email, delay_minutes: 0 }
escalation_policies:
  - name: p
    levels:
      - targets: [{ user: ${first} }]
        delay_minutes: 30
      - targets: [{ user: carol }]
        delay_minutes: 30
services:
  - name: Clipper
    escalation_policy: p
    integrations:
      - { name: pd, type: events_v2, key: ${KEY} }
`;

describe.each(storeKinds)('deliveries on $name', (kind) => {
  let h: Harness;
  const hooks = new Hooks();
  beforeAll(() => hooks.start());
  afterAll(() => hooks.stop());
  afterEach(async () => {
    await h?.stop();
    hooks.calls.length = 0;
    hooks.status.clear();
  });

  const trigger = async (dedupKey: string) => {
    const res = await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: dedupKey, payload: { summary: `Clipper ${dedupKey}`, source: 'test', severity: 'critical' } });
    expect(res.status).toBe(202);
    const list = await h.api('GET', '/api/v1/alerts');
    return (list.body.alerts as { id: number; dedup_key: string }[]).find((a) => a.dedup_key === dedupKey)?.id as number;
  };

  const view = async (id: number): Promise<AlertView> => {
    const res = await h.api('GET', `/api/v1/alerts/${id}`);
    expect(res.status).toBe(200);
    return res.body as unknown as AlertView;
  };

  const kinds = (v: AlertView) => v.timeline.map((e) => e.kind);

  it('retries a webhook answering 500 with backoff, each attempt on the timeline, then falls over to email, which arrives', async () => {
    h = await Harness.start(kind, { orgYaml: orgYaml(hooks.url, 'alice') });
    hooks.status.set('/alice', 500);
    const id = await trigger('retry');
    await h.tick();
    let v = await view(id);
    expect(v.pages.find((p) => p.channel === 'webhook')).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500: upstream down' });
    expect(v.timeline.filter((e) => e.kind === 'page_retry').map((e) => e.message)).toEqual(['page to alice via webhook (' + hooks.url + '/alice) failed (attempt 1), retrying in 5 s: HTTP 500: upstream down']);

    // The backoff: 5 s, 15 s, 30 s, 1, 2, 5 and 10 minutes; the eighth attempt is the last.
    for (const seconds of [5, 15, 30, 60, 120, 300, 600]) {
      h.clock.advance(seconds * 1000 - 1);
      await h.tick();
      expect(hooks.to('/alice').length).toBeLessThan(9);
      h.clock.advance(1);
      await h.tick();
    }
    expect(hooks.to('/alice')).toHaveLength(8);
    // The fall-over page goes out in the same round or the next: no clock movement needed.
    await h.tick();
    expect(h.smtp.to('alice@example.com')).toHaveLength(1);

    v = await view(id);
    const hook = v.pages.find((p) => p.channel === 'webhook') as Page;
    expect(hook).toMatchObject({ status: 'failed', attempts: 8, last_error: 'HTTP 500: upstream down' });
    expect(hook.attempt_log.map((a) => a.outcome)).toEqual([...Array(7).fill('retry'), 'failed']);
    expect(v.pages.find((p) => p.channel === 'email')).toMatchObject({ status: 'sent', contact_method: 'work-email' });
    expect(kinds(v).filter((k) => k === 'page_retry')).toHaveLength(7);
    expect(v.timeline.find((e) => e.kind === 'page_failed')?.message).toContain('failed after 8 attempt(s): HTTP 500: upstream down');
    expect(v.timeline.find((e) => e.kind === 'page_fallover')?.message).toBe('webhook to alice failed (HTTP 500: upstream down); falling over to email (work-email)');
    expect(v.timeline.find((e) => e.kind === 'page_sent')?.message).toMatch(/^paged alice via email \(alice@example\.com\): 250 /);
    // Still on level 1: the fall-over reached her before the level timed out.
    expect(v.alert.escalation.level).toBe(1);
  });

  it('falls over at once on a permanent 400', async () => {
    h = await Harness.start(kind, { orgYaml: orgYaml(hooks.url, 'alice') });
    hooks.status.set('/alice', 400);
    const id = await trigger('permanent');
    await h.tick();
    await h.tick();
    expect(hooks.to('/alice')).toHaveLength(1);
    expect(h.smtp.to('alice@example.com')).toHaveLength(1);
    const v = await view(id);
    expect(v.pages.map((p) => [p.channel, p.status])).toEqual([
      ['webhook', 'failed'],
      ['email', 'sent'],
    ]);
    expect(v.timeline.find((e) => e.kind === 'page_fallover')?.message).toBe('webhook to alice failed (HTTP 400: unknown channel); falling over to email (work-email)');
    expect(kinds(v)).not.toContain('page_retry');
  });

  it("records a person whose every method fails as unreachable and pages level 2 at once, long before level 1's timeout", async () => {
    h = await Harness.start(kind, { orgYaml: orgYaml(hooks.url, 'bob') });
    hooks.status.set('/bob-a', 400);
    hooks.status.set('/bob-b', 400);
    const id = await trigger('unreachable');
    for (let i = 0; i < 4; i++) await h.tick();
    expect(hooks.to('/bob-a')).toHaveLength(1);
    // Bob's later rule step is brought forward rather than waiting its 5 minutes.
    expect(hooks.to('/bob-b')).toHaveLength(1);
    expect(h.smtp.to('carol@example.com')).toHaveLength(1);

    const v = await view(id);
    expect(v.alert.escalation.level).toBe(2);
    expect(v.timeline.find((e) => e.kind === 'page_fallover')?.message).toBe('webhook to bob failed (HTTP 400: unknown channel); falling over to webhook (hook-b)');
    expect(v.timeline.find((e) => e.kind === 'unreachable')?.message).toBe('webhook to bob failed (HTTP 400: unknown channel); bob cannot be reached for this alert: no contact method is left to try');
    const escalated = v.timeline.find((e) => e.kind === 'notified' && e.message.includes('level 2'));
    expect(escalated?.message).toBe('nobody on level 1 could be reached: notifying level 2: carol');
    expect(escalated?.actor.name).toBe('Watchkeeper');
    expect(v.pages.filter((p) => p.level === 2).map((p) => [p.user.name, p.status])).toEqual([['carol', 'sent']]);
    // Exactly once: more rounds change nothing.
    await h.tick();
    expect(h.smtp.to('carol@example.com')).toHaveLength(1);
    expect((await view(id)).timeline.filter((e) => e.kind === 'notified')).toHaveLength(2);
  });

  it("falls over when the provider's receipt says a sent page was not delivered, and shows sent, delivered and failed through the API", async () => {
    h = await Harness.start(kind, { orgYaml: orgYaml(hooks.url, 'alice') });
    const lost = await trigger('receipt-failed');
    const reached = await trigger('receipt-delivered');
    await h.tick();
    const hookPage = async (id: number) => (await view(id)).pages.find((p) => p.channel === 'webhook') as Page;
    expect((await hookPage(lost)).status).toBe('sent');
    // A provider with delivery receipts stores its message id when it takes the page (a sender's
    // `receipt: true`); the webhook has none, so the id is stored here as such a sender's would be.
    await h.store.db.updateTable('pages').set({ provider_id: 'MSG-LOST' }).where('id', '=', (await hookPage(lost)).id).execute();
    await h.store.db.updateTable('pages').set({ provider_id: 'MSG-OK' }).where('id', '=', (await hookPage(reached)).id).execute();

    expect(await recordReceipt(h.app.ctx, { channel: 'webhook', providerId: 'MSG-OK', status: 'delivered' })).toMatchObject({ kind: 'page', alertId: reached });
    expect(await recordReceipt(h.app.ctx, { channel: 'webhook', providerId: 'MSG-LOST', status: 'failed', error: '30003 unreachable destination handset' })).toMatchObject({ kind: 'page', alertId: lost });
    // A repeated receipt changes nothing.
    await recordReceipt(h.app.ctx, { channel: 'webhook', providerId: 'MSG-LOST', status: 'failed', error: '30003 unreachable destination handset' });
    await h.tick();

    expect(h.smtp.to('alice@example.com')).toHaveLength(1);
    const v = await view(lost);
    expect(v.pages.map((p) => [p.channel, p.status])).toEqual([
      ['webhook', 'failed'],
      ['email', 'sent'],
    ]);
    expect(v.pages[0]?.last_error).toBe('30003 unreachable destination handset');
    expect(v.timeline.filter((e) => e.kind === 'page_fallover').map((e) => e.message)).toEqual(['webhook to alice failed (30003 unreachable destination handset); falling over to email (work-email)']);
    const ok = await hookPage(reached);
    expect(ok.status).toBe('delivered');
    expect(ok.delivered_at).not.toBeNull();
    expect(kinds(await view(reached))).toContain('page_delivered');
  });

  it('does not fall over for an alert acknowledged before its page failed', async () => {
    h = await Harness.start(kind, { orgYaml: orgYaml(hooks.url, 'alice') });
    hooks.status.set('/alice', 503);
    const id = await trigger('acked');
    await h.tick();
    expect((await h.api('POST', `/api/v1/alerts/${id}/acknowledge`, {})).status).toBe(200);
    h.clock.advance(5_000);
    await h.tick();
    await h.tick();
    const v = await view(id);
    expect(v.pages.map((p) => [p.channel, p.status])).toEqual([
      ['webhook', 'cancelled'],
      ['email', 'pending'],
    ]);
    expect(h.smtp.messages).toHaveLength(0);
  });
});

describe.skipIf(!PG_URL)('fall-over across two notifiers on one PostgreSQL database', () => {
  const hooks = new Hooks();
  let h: Harness;
  let other: App | null = null;
  beforeAll(() => hooks.start());
  afterAll(async () => {
    await other?.stop();
    await h?.stop();
    await hooks.stop();
  });

  it('escalates exactly once when the two people of a level fail in two processes at the same time', async () => {
    const yaml = orgYaml(hooks.url, 'bob').replace('targets: [{ user: bob }]', 'targets: [{ user: bob }, { user: dave }]').replace(
      'escalation_policies:',
      `  - name: dave
    email: dave@example.com
    contact_methods:
      - { name: hook, type: webhook, address: "${hooks.url}/dave" }
    notification_rules:
      - { contact_method: hook, delay_minutes: 0 }
escalation_policies:`,
    );
    h = await Harness.start(postgresKind, { orgYaml: yaml });
    other = h.newApp(await (h.store.another as NonNullable<typeof h.store.another>)());
    for (const path of ['/bob-a', '/bob-b', '/dave']) hooks.status.set(path, 400);
    for (let i = 0; i < 20; i++) {
      expect((await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: `pair-${i}`, payload: { summary: `pair ${i}`, source: 'test', severity: 'critical' } })).status).toBe(202);
    }
    for (let round = 0; round < 5; round++) await Promise.all([h.tick(), (other as App).tick()]);

    // Every alert reached level 2 once: Carol got one page per alert, and each alert says so once.
    expect(h.smtp.to('carol@example.com')).toHaveLength(20);
    const notified = await h.store.db.selectFrom('alert_events').select(['alert_id', 'message']).where('kind', '=', 'notified').execute();
    const toLevel2 = notified.filter((e) => e.message.startsWith('nobody on level 1 could be reached'));
    expect(toLevel2).toHaveLength(20);
    expect(new Set(toLevel2.map((e) => e.alert_id)).size).toBe(20);
  });
});
