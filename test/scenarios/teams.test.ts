import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import { TeamsServer } from '../helpers/teams-server.js';
import { alertDetail, allAlerts } from '../http/support.js';

/**
 * Paging into Microsoft Teams end to end: Alice adds her team's Workflows URL on her profile (no
 * code: Teams cannot read one back), makes it her high-urgency step, and an alert arrives in the
 * channel as an Adaptive Card whose buttons acknowledge it. Teams' 429 is retried after its
 * Retry-After; a 400 fails the page at once, with the reason on the page.
 */
const KEY = 'teams0scenario0events0v200000000';
const YAML = `
users:
  - name: alice
    email: alice@example.com
    notification_rules: []
escalation_policies:
  - name: alice-first
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 30
services:
  - name: Checkout API
    escalation_policy: alice-first
    integrations:
      - { name: events, type: events_v2, key: ${KEY} }
`;

describe.each(storeKinds)('Microsoft Teams pages on $name', (kind) => {
  let h: Harness;
  let teams: TeamsServer;
  afterEach(async () => {
    await h?.stop();
    await teams?.stop();
  });

  async function setUp(): Promise<void> {
    teams = await new TeamsServer().start();
    h = await Harness.start(kind, { orgYaml: YAML });
    const alice = (await createToken(h.app.ctx, systemTestActor, { name: 'alice', role: 'responder', user: 'alice' })).token;
    const add = await h.api('POST', '/api/v1/users/alice/contact-methods', { name: 'team-channel', type: 'teams', address: teams.workflowUrl() }, alice);
    expect(add.status).toBe(201);
    expect(add.body).toMatchObject({ code_sent: false, contact_method: { verified: true, channel: { name: 'Microsoft Teams', connected: true } } });
    expect((await h.api('PUT', '/api/v1/users/alice/notification-rules', { high: [{ contact_method: 'team-channel', delay_minutes: 0 }], low: [] }, alice)).status).toBe(200);
  }

  async function trigger(dedup: string): Promise<number> {
    expect((await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: dedup, payload: { summary: `Checkout ${dedup}`, source: 'web-1', severity: 'critical' } })).status).toBe(202);
    await h.tick();
    return (await allAlerts(h)).find((a) => a.dedup_key === dedup)!.id;
  }

  it('posts the alert as an Adaptive Card whose Acknowledge button acknowledges it', async () => {
    await setUp();
    const id = await trigger('teams-card');
    expect(teams.posts).toHaveLength(1);
    const card = teams.cards()[0]!;
    expect(card.body.filter((b) => b.type === 'TextBlock').map((b) => b.text)).toEqual(['CRITICAL · Checkout API', 'Checkout teams-card']);
    expect(card.actions!.map((a) => a.title)).toEqual(['Acknowledge', 'Resolve', 'Open alert']);
    expect(card.actions![2]!.url).toBe(`http://watchkeeper.test/alerts/${id}`);

    // The one-time link works like the email's: open it, confirm.
    const ackUrl = new URL(card.actions![0]!.url);
    const page = await h.app.http.inject({ method: 'GET', url: ackUrl.pathname });
    expect(page.statusCode).toBe(200);
    const confirm = await h.app.http.inject({ method: 'POST', url: ackUrl.pathname, payload: 'confirm=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(confirm.statusCode).toBeLessThan(400);
    expect((await alertDetail(h, id)).alert.status).toBe('acknowledged');
  });

  it('retries after Teams answers 429 with Retry-After, and fails at once on 400 with the reason', async () => {
    await setUp();
    teams.fail({ status: 429, retryAfter: '45' });
    const limited = await trigger('teams-429');
    expect(teams.posts).toHaveLength(0);
    expect((await alertDetail(h, limited)).pages.map((p) => p.status)).toEqual(['pending']);
    await h.advanceMinutes(0.5);
    expect(teams.posts).toHaveLength(0);
    await h.advanceMinutes(0.5);
    expect(teams.posts).toHaveLength(1);
    expect((await alertDetail(h, limited)).pages.map((p) => p.status)).toEqual(['sent']);

    teams.fail({ status: 400 });
    const refused = await trigger('teams-400');
    const pages = (await alertDetail(h, refused)).pages as { status: string; last_error?: string | null }[];
    expect(pages.map((p) => p.status)).toEqual(['failed']);
    expect(pages[0]!.last_error).toMatch(/^HTTP 400: .*Teams did not accept the message/);
    await h.advanceMinutes(30);
    expect(teams.posts).toHaveLength(1);
  });
});
