import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import { TeamsServer, type TeamsCard } from '../helpers/teams-server.js';

/**
 * Channels as escalation-level targets: a level pages a Microsoft Teams channel and a signed
 * webhook besides its people. A channel that fails has nothing to fall over to and does not count
 * as somebody reached.
 */
const KEY = 'chan0checkout0events0v200000000';

function org(teamsUrl: string, hookUrl: string): string {
  return `
users:
  - name: alice
    email: alice@example.com
    contact_methods: [{ name: work, type: email, address: alice@example.com }]
  - name: bob
    email: bob@example.com
    contact_methods: [{ name: work, type: email, address: bob@example.com }]
channels:
  - { name: ops-teams, type: teams, address: "${teamsUrl}" }
  - { name: ops-hook, type: webhook, address: "${hookUrl}", secret_env: WK_TEST_CHANNEL_SECRET }
escalation_policies:
  - name: ops
    levels:
      - targets: [{ user: alice }, { channel: ops-teams }, { channel: ops-hook }]
        delay_minutes: 10
      - targets: [{ user: bob }]
services:
  - name: Checkout
    escalation_policy: ops
    integrations: [{ name: pd, type: events_v2, key: ${KEY}0 }]
`;
}

describe.each(storeKinds)('channels as escalation targets on $name', (kind) => {
  let h: Harness | null = null;
  let teams: TeamsServer | null = null;
  let hook: http.Server | null = null;
  const hooked: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let hookStatus = 204;
  afterEach(async () => {
    await h?.stop();
    await teams?.stop();
    await new Promise<void>((r) => (hook ? hook.close(() => r()) : r()));
    h = teams = hook = null;
    hooked.length = 0;
    hookStatus = 204;
    delete process.env.WK_TEST_CHANNEL_SECRET;
  });

  async function start(): Promise<void> {
    process.env.WK_TEST_CHANNEL_SECRET = 'channel-secret';
    teams = await new TeamsServer().start();
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        hooked.push({ headers: req.headers, body });
        res.statusCode = hookStatus;
        res.end();
      });
    });
    await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/ops`;
    h = await Harness.start(kind, { orgYaml: org(teams.connectorUrl(), hookUrl) });
  }
  const trigger = async () => {
    expect((await h!.enqueue({ routing_key: `${KEY}0`, event_action: 'trigger', dedup_key: 'c1', payload: { summary: 'Checkout 5xx above 5%', source: 'prom', severity: 'critical' } })).status).toBe(202);
    const list = await h!.api('GET', '/api/v1/alerts');
    return (list.body.alerts as { id: number }[])[0]!.id;
  };

  it('pages the level’s person, its Teams channel and its signed webhook together', async () => {
    await start();
    const id = await trigger();
    await h!.tick();
    expect(h!.paged()).toEqual(['alice@example.com']);
    expect(teams!.posts).toHaveLength(1);
    const card = ((teams!.posts[0]!.body as { attachments: { content: TeamsCard }[] }).attachments[0]!.content);
    expect(JSON.stringify(card.body)).toContain('Checkout 5xx above 5%');
    expect(card.actions?.map((a) => a.title)).toEqual(['Acknowledge', 'Resolve', 'Open alert']);
    expect(hooked).toHaveLength(1);
    const { headers, body } = hooked[0]!;
    expect(JSON.parse(body)).toMatchObject({ event: 'alert.page', alert: { id, summary: 'Checkout 5xx above 5%' }, user: { name: '#ops-hook' } });
    const ts = String(headers['x-watchkeeper-timestamp']);
    expect(headers['x-watchkeeper-signature']).toBe(`v1=${createHmac('sha256', 'channel-secret').update(`${ts}.${body}`).digest('hex')}`);
    const view = await h!.api('GET', `/api/v1/alerts/${id}`);
    const pages = view.body.pages as { to_channel: string | null; status: string; channel: string }[];
    expect(pages.map((p) => [p.to_channel ?? '(person)', p.channel, p.status]).sort()).toEqual([
      ['(person)', 'email', 'sent'],
      ['ops-hook', 'webhook', 'sent'],
      ['ops-teams', 'teams', 'sent'],
    ]);
    const notified = (view.body.timeline as { kind: string; message: string }[]).find((e) => e.kind === 'notified');
    expect(notified?.message).toBe('alert opened: notifying level 1: alice, #ops-teams, #ops-hook');

    // The Teams card's Acknowledge link acts as the channel.
    const ack = card.actions!.find((a) => a.title === 'Acknowledge')!.url;
    const res = await h!.app.http.inject({ method: 'POST', url: new URL(ack).pathname });
    expect(res.statusCode).toBeLessThan(400);
    const after = await h!.api('GET', `/api/v1/alerts/${id}`);
    expect(after.body.alert).toMatchObject({ status: 'acknowledged', acknowledged_by: '#ops-teams' });
  });

  it('a failing channel falls over to nothing and does not stand in for the person', async () => {
    await start();
    hookStatus = 400;
    const id = await trigger();
    await h!.tick();
    const view = await h!.api('GET', `/api/v1/alerts/${id}`);
    const timeline = view.body.timeline as { kind: string; message: string }[];
    expect(timeline.filter((e) => e.kind === 'page_failed').map((e) => e.message)).toEqual([expect.stringContaining('#ops-hook via webhook')]);
    expect(timeline.filter((e) => e.kind === 'page_fallover' || e.kind === 'unreachable')).toEqual([]);
    // Alice was reached, so the level waits for its timeout.
    expect(h!.paged()).toEqual(['alice@example.com']);
    await h!.advanceMinutes(10);
    expect(h!.paged()).toEqual(['alice@example.com', 'bob@example.com']);
  });

  it('checks channel names, types and addresses, and keeps channels through export and apply', async () => {
    await start();
    const yaml = org(teams!.connectorUrl(), 'http://127.0.0.1:1/x');
    const bad = await h!.api('POST', '/api/v1/config/apply', { yaml: yaml.replace('{ channel: ops-teams }', '{ channel: nope }'), dry_run: true });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('escalation_policies[0].levels[0].targets[1].channel');
    expect(JSON.stringify(bad.body)).toContain('no channel named \\"nope\\"');
    const badAddress = await h!.api('POST', '/api/v1/config/apply', { yaml: yaml.replace(`address: "${teams!.connectorUrl()}"`, 'address: "ops channel"'), dry_run: true });
    expect(JSON.stringify(badAddress.body)).toContain('channels[0].address');
    const policy = await h!.api('GET', '/api/v1/escalation-policies/ops');
    expect(JSON.stringify(policy.body)).toContain('"channel":"ops-teams"');
    // Changing a user through the API re-applies the whole organisation: channels survive it.
    expect((await h!.api('PUT', '/api/v1/users/bob', { name: 'bob', email: 'bob@example.com', full_name: 'Bob B' })).status).toBeLessThan(300);
    const again = await h!.api('GET', '/api/v1/escalation-policies/ops');
    expect(JSON.stringify(again.body)).toContain('"channel":"ops-hook"');
  });
});
