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
import type { Ctx } from '../../commands/context.js';
import { isOptedOut, optOut, replyCodeFor } from '../../store/twilio.repo.js';
import { failed, type NoticeMessage, type PageMessage, type SendResult, type Sender } from '../sender.js';
import { TWILIO_UNSUBSCRIBED, TwilioClient } from './client.js';
import type { TwilioOptions } from './config.js';
import { OPTED_OUT_ERROR, smsBundleBody, smsNoticeBody, smsPageBody } from './sms-text.js';
import { statusCallbackUrl } from './urls.js';

export class TwilioSmsSender implements Sender {
  readonly channel = 'sms';
  readonly supports = { notices: true, verification: true, replies: true };
  private readonly client: TwilioClient;

  constructor(
    private readonly ctx: Ctx,
    opts: TwilioOptions,
  ) {
    this.client = new TwilioClient(opts, () => ctx.clock.now());
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async send(msg: PageMessage): Promise<SendResult> {
    if (await isOptedOut(this.ctx.store.db, msg.destination)) return failed(false, OPTED_OUT_ERROR);
    if (msg.bundle) return this.post(msg.destination, smsBundleBody(msg));
    const code = msg.kind === 'page' ? await replyCodeFor(this.ctx.store, msg.destination, msg.alert.id, msg.user.id, this.ctx.clock.now()) : null;
    return this.post(msg.destination, smsPageBody(msg, code));
  }

  async notify(msg: NoticeMessage): Promise<SendResult> {
    if (await isOptedOut(this.ctx.store.db, msg.destination)) return failed(false, OPTED_OUT_ERROR);
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
