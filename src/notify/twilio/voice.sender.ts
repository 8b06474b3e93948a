/**
 * Phone calls through Twilio's Calls resource. Twilio dials the person and, when they answer,
 * fetches the call's script from the public TwiML URL given here (src/http/routes/twilio.ts): the
 * alert read aloud, then a keypad menu (4 acknowledge, 6 resolve, 8 escalate). The URL names the
 * alert and this number's reply code, so the keypress acts as the person paged at this number and
 * on this alert only. Twilio reports how the call ended (completed, busy, no-answer, failed) on
 * the status callback.
 */
import { replyCodeFor } from '../../store/twilio.repo.js';
import type { NoticeMessage, PageMessage, SendResult } from '../sender.js';
import { TwilioSender } from './base.js';
import { statusCallbackUrl, voiceNoticeUrl, voiceUrl } from './urls.js';

/** Seconds the phone rings before Twilio gives up (its status is then no-answer). */
const RING_SECONDS = 45;

export class TwilioVoiceSender extends TwilioSender {
  readonly channel = 'voice';

  protected async sendPage(msg: PageMessage): Promise<SendResult> {
    const code = await replyCodeFor(this.ctx.store, msg.destination, msg.alert.id, msg.user.id, this.ctx.clock.now());
    return this.call(msg.destination, voiceUrl(this.ctx.publicUrl, msg.alert.id, code, msg.bundle ? msg.bundle.count - 1 : 0));
  }

  protected async sendNotice(msg: NoticeMessage): Promise<SendResult> {
    return this.call(msg.destination, voiceNoticeUrl(this.ctx.publicUrl, msg.noticeId));
  }

  private async call(to: string, url: string): Promise<SendResult> {
    const r = await this.client.create('Calls', {
      To: to,
      From: this.client.from,
      Url: url,
      Method: 'POST',
      StatusCallback: statusCallbackUrl(this.ctx.publicUrl),
      StatusCallbackMethod: 'POST',
      Timeout: String(RING_SECONDS),
    });
    if (r.ok) return { ok: true, providerId: r.sid, receipt: true, detail: `Twilio ${r.sid} ${r.status}` };
    return r.result;
  }
}
