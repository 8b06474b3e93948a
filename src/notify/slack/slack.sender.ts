import type { WebClient } from '@slack/web-api';
import type { ChannelSupport, NoticeMessage, PageMessage, SendResult, Sender } from '../sender.js';
import { bundleLines, failed, renderSubject } from '../sender.js';
import { classifySlackError } from './slack-api.js';
import { alertMessage, noticeMessage, type SlackMessage } from './slack-blocks.js';

/**
 * Pages and notices to a person's Slack contact method: a direct message from the app to the
 * member ID (chat.postMessage with the member ID as channel opens the app's DM with them). Pages
 * carry Acknowledge / Resolve / Escalate buttons (see slack-interactions.ts) and are kept up to
 * date by the Slack outbox (slack-posts.ts) once `onDirectMessage` has recorded them.
 */
export interface SlackSenderOptions {
  /** Called after a page went out, with Slack's conversation ID and message ts. */
  onDirectMessage?: (m: { alertId: number; pageId: number; channelId: string; ts: string }) => Promise<void>;
  onError?: (err: unknown) => void;
}

const MEMBER_ID = /^[UW][A-Z0-9]{2,20}$/;

export class SlackSender implements Sender {
  readonly channel = 'slack';
  readonly supports: Partial<ChannelSupport> = { notices: true, replies: true, statusUpdates: true };

  constructor(
    private readonly client: WebClient,
    private readonly opts: SlackSenderOptions = {},
  ) {}

  async send(msg: PageMessage): Promise<SendResult> {
    if (msg.bundle) {
      // Several alerts in one direct message (a noise limit held them): no buttons, since each
      // would act on one alert only; the link opens them all.
      return (await this.post(msg.destination, noticeMessage({ subject: renderSubject(msg), text: bundleLines(msg.bundle).join('\n'), url: msg.bundle.url }))).result;
    }
    const a = msg.alert;
    const m = alertMessage({
      id: a.id,
      summary: a.summary,
      severity: a.severity,
      status: a.status,
      serviceName: a.serviceName,
      url: a.url,
      source: a.source,
      count: a.count,
      acknowledgedBy: null,
      resolvedBy: null,
      level: msg.level,
      links: a.links,
      test: msg.kind === 'test',
    });
    const r = await this.post(msg.destination, m);
    if (r.ok && msg.kind === 'page' && this.opts.onDirectMessage && r.channelId && r.ts) {
      await this.opts.onDirectMessage({ alertId: a.id, pageId: msg.pageId, channelId: r.channelId, ts: r.ts }).catch((err: unknown) => this.opts.onError?.(err));
    }
    return r.result;
  }

  async notify(msg: NoticeMessage): Promise<SendResult> {
    return (await this.post(msg.destination, noticeMessage(msg))).result;
  }

  private async post(memberId: string, m: SlackMessage): Promise<{ ok: boolean; result: SendResult; channelId?: string; ts?: string }> {
    if (!MEMBER_ID.test(memberId)) {
      return { ok: false, result: failed(false, `"${memberId}" is not a Slack member ID such as U024BE7LH; fix the contact method (Slack profile → ⋯ → Copy member ID)`) };
    }
    try {
      const r = await this.client.chat.postMessage({ channel: memberId, text: m.text, blocks: m.blocks, unfurl_links: false, unfurl_media: false });
      const channelId = r.channel ?? '';
      const ts = r.ts ?? '';
      // The ts names the message; Slack sends no delivery receipts, so none is awaited.
      return { ok: true, result: { ok: true, providerId: ts ? `${channelId}/${ts}` : null, detail: `Slack message ${ts}` }, channelId, ts };
    } catch (err) {
      const f = classifySlackError(err, memberId);
      return { ok: false, result: failed(f.retryable, f.error, f.retryAfterMs) };
    }
  }
}
