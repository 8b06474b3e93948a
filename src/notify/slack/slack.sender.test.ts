import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buttons, messageText, SlackApiServer } from '../../../test/helpers/slack-server.js';
import { sampleBundle, samplePage } from '../page-message.fixture.js';
import { SenderRegistry } from '../sender.js';
import { slackClient } from './slack-api.js';
import { SlackSender } from './slack.sender.js';

/** The sender through Slack's own client against a local Slack Web API. */
describe('SlackSender', () => {
  let slack: SlackApiServer;
  let sender: SlackSender;
  const recorded: unknown[] = [];
  beforeEach(async () => {
    slack = new SlackApiServer();
    await slack.start();
    slack.addMember('U0ALICE001', 'alice@example.com');
    recorded.length = 0;
    sender = new SlackSender(slackClient({ botToken: slack.token, signingSecret: null, apiUrl: slack.apiUrl }, pino({ level: 'silent' })), {
      onDirectMessage: async (m) => void recorded.push(m),
    });
  });
  afterEach(async () => {
    await slack.stop();
  });

  const page = (destination = 'U0ALICE001') => samplePage({ channel: 'slack', destination, pageId: 9, alert: { id: 42, summary: 'Disk <full> & more' } });

  it('sends a page as a direct message with buttons and reports the message for updates', async () => {
    const r = await sender.send(page());
    expect(r).toEqual({ ok: true, providerId: 'D0ALICE001/1772956800.000001', detail: 'Slack message 1772956800.000001' });
    const [m] = slack.messages('D0ALICE001');
    expect(m && messageText(m)).toContain('Disk &lt;full&gt; &amp; more');
    expect(m && buttons(m)).toEqual(['watchkeeper.ack.42', 'watchkeeper.resolve.42', 'watchkeeper.escalate.42']);
    expect(recorded).toEqual([{ alertId: 42, pageId: 9, channelId: 'D0ALICE001', ts: '1772956800.000001' }]);
    expect(new SenderRegistry().supports('slack')).toBeNull();
    const reg = new SenderRegistry();
    reg.register(sender);
    expect(reg.supports('slack')).toEqual({ notices: true, verification: false, policyTarget: false, replies: true, statusUpdates: true });
  });

  it('sends a bundle (alerts a noise limit held) as one direct message listing them, without buttons', async () => {
    const r = await sender.send(samplePage({ channel: 'slack', destination: 'U0ALICE001', pageId: 10, bundle: sampleBundle(3) }));
    expect(r.ok).toBe(true);
    const [m] = slack.messages('D0ALICE001');
    expect(m && messageText(m)).toContain('3 new alerts on Clipper Critical');
    expect(m && messageText(m)).toContain('#102 [high] Clipper Critical: Disk full on node 2');
    expect(m && buttons(m)).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it('sends a notice as a plain direct message', async () => {
    const r = await sender.notify({ noticeId: 3, kind: 'handoff_note', channel: 'slack', destination: 'U0ALICE001', secretEnv: null, user: { id: 'u', name: 'alice', email: 'alice@example.com' }, subject: 'Handoff from bob', text: 'Watch the <db>', short: '', url: null, data: {} });
    expect(r.ok).toBe(true);
    expect(slack.messages('D0ALICE001')[0]?.text).toBe('*Handoff from bob*\n\nWatch the &lt;db&gt;');
  });

  it('maps Slack errors to retryable or permanent, saying what to fix', async () => {
    slack.script('chat.postMessage', { status: 429, retryAfter: 7 }, { error: 'invalid_auth' }, { error: 'user_not_found' }, { error: 'channel_not_found' }, { error: 'internal_error' });
    expect(await sender.send(page())).toEqual({ ok: false, retryable: true, error: 'Slack rate limit reached; retrying after 7 s', retryAfterMs: 7000 });
    expect(await sender.send(page())).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/^Slack rejected the bot token \(invalid_auth\): set WATCHKEEPER_SLACK_BOT_TOKEN/) });
    expect(await sender.send(page())).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('no Slack member U0ALICE001 (user_not_found): fix the member ID in the contact method') });
    expect(await sender.send(page())).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('channel_not_found') });
    expect(await sender.send(page())).toMatchObject({ ok: false, retryable: true, error: 'Slack is having trouble (internal_error); retrying' });
    expect(await sender.send(page('alice@example.com'))).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('is not a Slack member ID') });
    expect(recorded).toEqual([]);
  });

  it('treats a Slack that does not answer as retryable', async () => {
    await slack.stop();
    const r = await sender.send(page());
    expect(r).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining('Slack did not answer') });
  });
});
