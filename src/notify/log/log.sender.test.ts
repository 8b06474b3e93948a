import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { PageOverrides } from '../page-message.fixture.js';
import { samplePage } from '../page-message.fixture.js';
import type { PageMessage } from '../sender.js';
import { LogSender } from './log.sender.js';

function memoryLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      callback();
    },
  });
  const logger = pino({ level: 'info', base: null, timestamp: false }, stream);
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Alice's page as a fresh install without SMTP logs it: lower-case user name, localhost links. */
function page(overrides: PageOverrides = {}): PageMessage {
  return samplePage({
    ...overrides,
    user: { name: 'alice', ...overrides.user },
    actions: {
      acknowledgeUrl: 'http://localhost:8080/a/ack-token',
      resolveUrl: 'http://localhost:8080/a/res-token',
      ...overrides.actions,
    },
  });
}

describe('LogSender', () => {
  it('logs the page as one readable info line with structured ids', async () => {
    const { logger, records } = memoryLogger();
    const sender = new LogSender(logger, 'email');

    await sender.send(page());

    expect(records()).toEqual([
      {
        level: 30,
        msg:
          'PAGE alice <alice@example.com> via email: [CRITICAL] Checkout API: Error rate above 5% (#42)' +
          ' — acknowledge: http://localhost:8080/a/ack-token',
        pageId: 7,
        alertId: 42,
        channel: 'email',
        kind: 'page',
        userId: 'u-alice',
        destination: 'alice@example.com',
      },
    ]);
  });

  it('reports success without a provider id, saying why nothing was sent', async () => {
    const { logger } = memoryLogger();
    const result = await new LogSender(logger, 'email').send(page());
    expect(result).toEqual({ ok: true, providerId: null, detail: 'logged (no SMTP server configured)' });
  });

  it('stands in for whichever channel it was constructed for', async () => {
    const { logger } = memoryLogger();
    expect(new LogSender(logger, 'email').channel).toBe('email');
    expect(new LogSender(logger, 'log').channel).toBe('log');
  });

  it('marks test pages and leaves out the acknowledge link when there is none', async () => {
    const { logger, records } = memoryLogger();

    await new LogSender(logger, 'email').send(
      page({ kind: 'test', actions: { acknowledgeUrl: null, resolveUrl: null } }),
    );

    expect(records()[0]?.msg).toBe(
      'PAGE alice <alice@example.com> via email: [TEST] [CRITICAL] Checkout API: Error rate above 5% (#42)',
    );
  });
});
