import type { Ctx } from '../../commands/context.js';
import { isOptedOut } from '../../store/twilio.repo.js';
import { failed, type NoticeMessage, type PageMessage, type SendResult, type Sender } from '../sender.js';
import { TwilioClient } from './client.js';
import type { TwilioOptions } from './config.js';
import { OPTED_OUT_ERROR } from './sms-text.js';

/**
 * What the SMS and voice senders share: one REST client per channel, the same capabilities, and
 * the opt-out check before anything is sent (a number that texted STOP gets neither).
 */
export abstract class TwilioSender implements Sender {
  abstract readonly channel: string;
  readonly supports = { notices: true, verification: true, replies: true };
  protected readonly client: TwilioClient;

  constructor(
    protected readonly ctx: Ctx,
    opts: TwilioOptions,
  ) {
    this.client = new TwilioClient(opts, () => ctx.clock.now());
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async send(msg: PageMessage): Promise<SendResult> {
    return (await this.optedOut(msg.destination)) ?? this.sendPage(msg);
  }

  async notify(msg: NoticeMessage): Promise<SendResult> {
    return (await this.optedOut(msg.destination)) ?? this.sendNotice(msg);
  }

  protected abstract sendPage(msg: PageMessage): Promise<SendResult>;
  protected abstract sendNotice(msg: NoticeMessage): Promise<SendResult>;

  private async optedOut(destination: string): Promise<SendResult | null> {
    return (await isOptedOut(this.ctx.store.db, destination)) ? failed(false, OPTED_OUT_ERROR) : null;
  }
}
