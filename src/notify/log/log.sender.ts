import type { Logger } from 'pino';
import type { NoticeMessage, PageMessage, SendResult, Sender } from '../sender.js';
import { renderSubject, sent } from '../sender.js';

export const LOGGED_DETAIL = 'logged (no SMTP server configured)';

/**
 * Stands in for a channel that has no provider configured (typically 'email' without an SMTP
 * server), so a fresh install still shows every page somewhere a person can see it, and the
 * outbox, retries and acknowledgement links behind it run exactly as in production.
 */
export class LogSender implements Sender {
  constructor(
    private readonly logger: Logger,
    readonly channel: string,
  ) {}

  async send(msg: PageMessage): Promise<SendResult> {
    this.logger.info(
      {
        pageId: msg.pageId,
        alertId: msg.alert.id,
        channel: msg.channel,
        kind: msg.kind,
        userId: msg.user.id,
        destination: msg.destination,
      },
      pageLine(msg),
    );
    return sent(null, LOGGED_DETAIL);
  }

  async notify(msg: NoticeMessage): Promise<SendResult> {
    this.logger.info(
      { noticeId: msg.noticeId, kind: msg.kind, channel: msg.channel, userId: msg.user.id, destination: msg.destination },
      `NOTICE ${msg.user.name} <${msg.destination}> via ${msg.channel}: ${msg.subject}${msg.url ? ` — ${msg.url}` : ''}`,
    );
    return sent(null, LOGGED_DETAIL);
  }
}

/** "PAGE alice <alice@example.com> via email: [CRITICAL] Checkout API: … (#42) — acknowledge: http://…" */
export function pageLine(msg: PageMessage): string {
  const ack = msg.actions.acknowledgeUrl ? ` — acknowledge: ${msg.actions.acknowledgeUrl}` : '';
  return `PAGE ${msg.user.name} <${msg.destination}> via ${msg.channel}: ${renderSubject(msg)}${ack}`;
}
