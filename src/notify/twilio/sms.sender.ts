/**
 * SMS pages and notices through Twilio's Messages resource.
 *
 * A page carries the alert in one line and reply codes for this number ("Reply 3a to ack, 3r
 * resolve, 3e escalate"); the codes are stored (src/store/twilio.repo.ts) so that the reply from
 * this number maps to exactly this alert and this person. Twilio reports delivery later on the
 * status callback (src/http/routes/twilio.ts), so the message SID is kept for the receipt.
 *
 * A number that texted STOP gets nothing until it texts START: its pages fail at once and for
 * good, which lets the person's other contact methods take over.
 */
import { optOut, replyCodeFor } from '../../store/twilio.repo.js';
import { failed, type NoticeMessage, type PageMessage, type SendResult } from '../sender.js';
import { TwilioSender } from './base.js';
import { TWILIO_UNSUBSCRIBED } from './client.js';
import { OPTED_OUT_ERROR, smsBundleBody, smsNoticeBody, smsPageBody } from './sms-text.js';
import { statusCallbackUrl } from './urls.js';

export class TwilioSmsSender extends TwilioSender {
  readonly channel = 'sms';

  protected async sendPage(msg: PageMessage): Promise<SendResult> {
    if (msg.bundle) return this.post(msg.destination, smsBundleBody(msg));
    const code = msg.kind === 'page' ? await replyCodeFor(this.ctx.store, msg.destination, msg.alert.id, msg.user.id, this.ctx.clock.now()) : null;
    return this.post(msg.destination, smsPageBody(msg, code));
  }

  protected async sendNotice(msg: NoticeMessage): Promise<SendResult> {
    return this.post(msg.destination, smsNoticeBody(msg.short));
  }

  private async post(to: string, body: string): Promise<SendResult> {
    const r = await this.client.create('Messages', { To: to, From: this.client.from, Body: body, StatusCallback: statusCallbackUrl(this.ctx.publicUrl) });
    if (r.ok) return { ok: true, providerId: r.sid, receipt: true, detail: `Twilio ${r.sid} ${r.status}` };
    if (r.code === TWILIO_UNSUBSCRIBED) {
      // Twilio heard the STOP before we did (or the inbound webhook is not set up): remember it,
      // so calls stop too and the integrations page shows it.
      await optOut(this.ctx.store.db, to, 'STOP', this.ctx.clock.now());
      return failed(false, OPTED_OUT_ERROR);
    }
    return r.result;
  }
}
