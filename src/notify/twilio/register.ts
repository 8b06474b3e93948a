import type { Ctx } from '../../commands/context.js';
import type { SenderRegistry } from '../sender.js';
import type { TwilioOptions } from './config.js';
import { TwilioSmsSender } from './sms.sender.js';
import { TwilioVoiceSender } from './voice.sender.js';

/** The sms and voice channels, unless the registry already has its own for them. */
export function registerTwilioSenders(senders: SenderRegistry, ctx: Ctx, opts: TwilioOptions): void {
  if (!senders.get('sms')) senders.register(new TwilioSmsSender(ctx, opts));
  if (!senders.get('voice')) senders.register(new TwilioVoiceSender(ctx, opts));
}
