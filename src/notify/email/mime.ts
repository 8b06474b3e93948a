import { randomBytes } from 'node:crypto';
import { encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

/**
 * A page email as one RFC 5322 message: text and HTML alternatives, quoted-printable, every
 * header 7-bit. The encoders are nodemailer's own (encoded words, line folding,
 * quoted-printable); this file only puts the parts in order, which costs a few microseconds
 * where nodemailer's stream-based composer took most of a millisecond per page.
 */
export interface MailParts {
  /** A full From header value, e.g. `Watchkeeper <pager@example.com>`; configured, not alert data. */
  from: string;
  to: string;
  subject: string;
  text: string;
  /** Left out: a single text/plain body. */
  html?: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  /** Extra headers; names are ours, values may come from alerts and are cleaned. */
  headers?: Record<string, string>;
  date?: Date;
}

// The boundary must never occur in a body. Bodies are quoted-printable, whose lines can hold only
// text that was in the alert; a per-process random part makes a collision a guess of 96 bits.
const BOUNDARY_PREFIX = `=_wk_${randomBytes(12).toString('hex')}_`;
let sequence = 0;

/** Header values from alert data must not start new header lines. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\t\v\f]+/g, ' ').trim();
}

function header(name: string, value: string): string {
  return foldLines(`${name}: ${encodeWords(oneLine(value), 'Q', 52)}`, 76);
}

/** Addresses and message ids: ASCII we built or validated; only line breaks are removed. */
function rawHeader(name: string, value: string): string {
  return foldLines(`${name}: ${oneLine(value)}`, 76);
}

function body(content: string): string {
  return qpWrap(qpEncode(content.replace(/\r?\n/g, '\r\n')), 76);
}

export function composeMail(m: MailParts): string {
  const boundary = `${BOUNDARY_PREFIX}${(sequence++).toString(36)}`;
  const lines = [
    header('From', m.from),
    rawHeader('To', m.to),
    header('Subject', m.subject),
    rawHeader('Date', (m.date ?? new Date()).toUTCString().replace(/GMT$/, '+0000')),
    rawHeader('Message-ID', m.messageId),
  ];
  if (m.inReplyTo) lines.push(rawHeader('In-Reply-To', m.inReplyTo));
  if (m.references?.length) lines.push(rawHeader('References', m.references.join(' ')));
  for (const [name, value] of Object.entries(m.headers ?? {})) lines.push(header(name, value));
  if (m.html === undefined) {
    lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', body(m.text), '');
    return lines.join('\r\n');
  }
  lines.push(
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    body(m.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    body(m.html),
    `--${boundary}--`,
    '',
  );
  return lines.join('\r\n');
}

/** The bare address of a From value, for the SMTP envelope: `Name <a@b>` → `a@b`. */
export function envelopeAddress(from: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  return (m?.[1] ?? from).trim();
}
