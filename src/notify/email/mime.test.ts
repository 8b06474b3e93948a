import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMail, envelopeAddress, type MailParts } from './mime.js';

/** Composed pages read back by a real MIME parser (mailparser), not by our own string matching. */
const parts = (over: Partial<MailParts> = {}): MailParts => ({
  from: 'Ops Pager <pager@ops.example.com>',
  to: 'alice@example.com',
  subject: '[CRITICAL] Checkout API: Error rate above 5% (#42)',
  text: 'Error rate above 5%\nService: Checkout API\n\nAcknowledge: https://wk.example.com/a/ack?x=1&y=2\n',
  html: '<p>Error rate above 5% &amp; rising</p>',
  messageId: '<watchkeeper.page.7.alert.42@ops.example.com>',
  inReplyTo: '<watchkeeper.alert.42@ops.example.com>',
  references: ['<watchkeeper.alert.42@ops.example.com>'],
  headers: { 'X-Watchkeeper-Alert-Id': '42', 'Auto-Submitted': 'auto-generated' },
  date: new Date('2026-03-08T08:00:00Z'),
  ...over,
});

describe('composeMail', () => {
  it('gives a parser the same subject, addresses, ids, text and HTML that went in', async () => {
    const p = parts();
    const mail = await simpleParser(composeMail(p));
    expect(mail.subject).toBe(p.subject);
    expect(mail.from?.value).toEqual([{ name: 'Ops Pager', address: 'pager@ops.example.com' }]);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : null).toBe('alice@example.com');
    expect(mail.messageId).toBe(p.messageId);
    expect(mail.inReplyTo).toBe(p.inReplyTo);
    expect(mail.references).toBe(p.references![0]);
    expect(mail.date?.toISOString()).toBe('2026-03-08T08:00:00.000Z');
    expect(mail.headers.get('x-watchkeeper-alert-id')).toBe('42');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.text).toBe(p.text);
    expect(mail.html).toBe(p.html);
  });

  it('keeps every line within 78 characters and 7-bit, whatever the alert holds', () => {
    const raw = composeMail(
      parts({
        subject: `Ünïcödé ${'very long summary word '.repeat(20)} 🔥 — ends here`,
        text: `${'x'.repeat(500)}\nnon-ASCII: café ☕ 日本語\n.leading dot line\n`,
        html: `<p>${'y'.repeat(300)}</p>`,
      }),
    );
    for (const line of raw.split('\r\n')) {
      expect(line.length, line).toBeLessThanOrEqual(78);
      expect(/^[\x20-\x7e\t]*$/.test(line), line).toBe(true);
    }
  });

  it('round-trips non-ASCII subjects and bodies', async () => {
    const p = parts({ subject: '[P1] Zahlungsdienst: Fehlerquote über 5 % — 支払い 🔥', text: 'café ☕ 日本語\n', html: '<p>über</p>' });
    const mail = await simpleParser(composeMail(p));
    expect(mail.subject).toBe(p.subject);
    expect(mail.text).toBe(p.text);
    expect(mail.html).toBe(p.html);
  });

  it('cannot be made to add headers by line breaks in alert data', async () => {
    const mail = await simpleParser(
      composeMail(parts({ subject: 'Disk full\r\nBcc: attacker@evil.example\r\n\r\nbody', headers: { 'X-Watchkeeper-Alert-Id': '42\nBcc: attacker@evil.example' } })),
    );
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.subject).toBe('Disk full Bcc: attacker@evil.example body');
  });

  it('uses a fresh boundary per message that does not occur in the bodies', () => {
    const a = composeMail(parts());
    const b = composeMail(parts());
    const boundaryOf = (raw: string) => /boundary="([^"]+)"/.exec(raw)![1]!;
    expect(boundaryOf(a)).not.toBe(boundaryOf(b));
    expect(a.split(`--${boundaryOf(a)}`)).toHaveLength(4); // before, text, html, closing
  });
});

describe('envelopeAddress', () => {
  it('takes the address out of a display form', () => {
    expect(envelopeAddress('Ops Pager <pager@ops.example.com>')).toBe('pager@ops.example.com');
    expect(envelopeAddress('"Watch, Keeper" <wk@localhost>')).toBe('wk@localhost');
    expect(envelopeAddress('plain@example.com')).toBe('plain@example.com');
  });
});
