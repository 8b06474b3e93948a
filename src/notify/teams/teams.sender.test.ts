import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TeamsServer } from '../../../test/helpers/teams-server.js';
import { sampleBundle, samplePage } from '../page-message.fixture.js';
import type { NoticeMessage } from '../sender.js';
import { classify, pageCard, TeamsSender } from './teams.sender.js';

/**
 * The Teams sender against a local server that answers as Teams' incoming webhooks (200 "1", or
 * 200 with the refusal in the text) and Workflows (202, or the real status) do.
 */
const NOW = Date.UTC(2026, 2, 8, 8, 0, 5);
let teams: TeamsServer;
let sender: TeamsSender;

beforeEach(async () => {
  teams = await new TeamsServer().start();
  sender = new TeamsSender({ now: () => NOW, timeoutMs: 2000 });
});
afterEach(async () => {
  await sender.close();
  await teams.stop();
});

const notice = (destination: string): NoticeMessage => ({
  noticeId: 5,
  kind: 'verification',
  channel: 'teams',
  destination,
  secretEnv: null,
  user: { id: 'u-alice', name: 'alice', email: 'alice@example.com' },
  subject: 'Test page from Watchkeeper',
  text: 'This is a test page you asked for on Watchkeeper.',
  short: 'Watchkeeper test page',
  url: 'https://watchkeeper.example.com/profile',
  data: {},
});

describe('Microsoft Teams sender', () => {
  it('posts a page as an Adaptive Card message with severity, service, summary and acknowledge, resolve and alert buttons', async () => {
    const r = await sender.send(samplePage({ channel: 'teams', destination: teams.connectorUrl(), level: 1 }));
    expect(r).toEqual({ ok: true, providerId: null, detail: 'HTTP 200' });
    expect(teams.posts).toHaveLength(1);
    const post = teams.posts[0]!;
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.body).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }] });
    const card = teams.cards()[0]!;
    expect(card.type).toBe('AdaptiveCard');
    const texts = card.body.filter((b) => b.type === 'TextBlock').map((b) => b.text);
    expect(texts).toEqual(['CRITICAL · Checkout API', 'Error rate above 5%']);
    const facts = Object.fromEntries(card.body.flatMap((b) => b.facts ?? []).map((f) => [f.title, f.value]));
    expect(facts).toMatchObject({ Service: 'Checkout API', Severity: 'critical', Status: 'triggered', Escalation: 'level 2', Alert: '#42', error_rate: '0.073' });
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Acknowledge', url: 'https://watchkeeper.example.com/a/ack', style: 'positive' },
      { type: 'Action.OpenUrl', title: 'Resolve', url: 'https://watchkeeper.example.com/a/resolve' },
      { type: 'Action.OpenUrl', title: 'Open alert', url: 'https://watchkeeper.example.com/alerts/42' },
      { type: 'Action.OpenUrl', title: 'Dashboard', url: 'https://grafana.example.com/d/checkout' },
    ]);
  });

  it('marks a test page and leaves out buttons it has no link for', async () => {
    await sender.send(samplePage({ kind: 'test', channel: 'teams', destination: teams.workflowUrl(), actions: { acknowledgeUrl: null, resolveUrl: null } }));
    const card = teams.cards()[0]!;
    expect(card.body[0]!.text).toBe('Test page: nothing is wrong; no action is needed.');
    expect(card.actions?.map((a) => a.title)).toEqual(['Open alert', 'Dashboard']);
  });

  it('posts a notice as a simple card with its subject, text and a link', async () => {
    const r = await sender.notify(notice(teams.workflowUrl()));
    expect(r.ok).toBe(true);
    const card = teams.cards()[0]!;
    expect(card.body.map((b) => b.text)).toEqual(['Test page from Watchkeeper', 'This is a test page you asked for on Watchkeeper.']);
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open in Watchkeeper', url: 'https://watchkeeper.example.com/profile' }]);
  });

  it('treats 429 as retryable with Retry-After, and 400 as permanent with what to do', async () => {
    teams.fail({ status: 429, retryAfter: '30' }, { status: 400 }, { status: 503 });
    const limited = await sender.send(samplePage({ channel: 'teams', destination: teams.workflowUrl() }));
    expect(limited).toMatchObject({ ok: false, retryable: true, retryAfterMs: 30_000 });
    const bad = await sender.send(samplePage({ channel: 'teams', destination: teams.workflowUrl() }));
    expect(bad.ok).toBe(false);
    expect(bad).toMatchObject({ retryable: false });
    expect(!bad.ok && bad.error).toMatch(/^HTTP 400: .*Teams did not accept the message: check the contact method's URL/);
    const down = await sender.send(samplePage({ channel: 'teams', destination: teams.workflowUrl() }));
    expect(down).toMatchObject({ ok: false, retryable: true });
    expect(teams.posts).toHaveLength(0);
  });

  it('reads a connector’s 200 that carries a refusal: 429 inside is retryable, 400 inside permanent', async () => {
    teams.fail({ status: 429 }, { status: 400 });
    const limited = await sender.send(samplePage({ channel: 'teams', destination: teams.connectorUrl() }));
    expect(limited).toMatchObject({ ok: false, retryable: true });
    expect(!limited.ok && limited.error).toMatch(/^HTTP 429: Webhook message delivery failed/);
    const bad = await sender.send(samplePage({ channel: 'teams', destination: teams.connectorUrl() }));
    expect(bad).toMatchObject({ ok: false, retryable: false });
  });

  it('classifies answers: gone webhooks, auth and redirects are permanent with the fix', () => {
    expect(classify(202, '', null, NOW)).toMatchObject({ ok: true });
    expect(classify(200, '1', null, NOW)).toMatchObject({ ok: true });
    expect(classify(404, 'gone', null, NOW)).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/no longer exists: create a new one/) });
    expect(classify(403, '', null, NOW)).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/refused the webhook URL/) });
    expect(classify(500, '', 'Sun, 08 Mar 2026 08:01:05 GMT', NOW)).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000 });
  });

  it('refuses an address that is not a web URL without a request, and reports an unreachable host as retryable', async () => {
    expect(await sender.send(samplePage({ channel: 'teams', destination: 'teams://nope' }))).toMatchObject({ ok: false, retryable: false });
    expect(await sender.send(samplePage({ channel: 'teams', destination: 'http://127.0.0.1:1/workflows/x' }))).toMatchObject({ ok: false, retryable: true });
  });

  it('declares what the channel supports', () => {
    expect(sender.supports).toEqual({ notices: true, verification: false, policyTarget: true, replies: false, statusUpdates: false });
  });
});

describe('a bundled page on Teams', () => {
  it('lists the alerts and offers one link to them all, no acknowledge buttons', () => {
    const card = pageCard(samplePage({ bundle: sampleBundle(12) })) as { body: { text: string }[]; actions: { title: string; url: string }[] };
    const texts = card.body.map((b) => b.text);
    expect(texts[0]).toBe('CRITICAL · 12 new alerts on Clipper Critical');
    expect(texts).toContain('#100 [critical] Clipper Critical: Disk full on node 0');
    expect(texts.at(-1)).toBe('… and 2 more');
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open alerts', url: 'https://watchkeeper.example.com/alerts' }]);
  });
});
