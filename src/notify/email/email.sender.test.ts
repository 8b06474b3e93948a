import { once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { PageOverrides } from '../page-message.fixture.js';
import { samplePage } from '../page-message.fixture.js';
import type { PageMessage } from '../sender.js';
import { classifySmtpError, EmailSender, escapeHtml, renderPageHtml } from './email.sender.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
  user: unknown;
}

interface TestServer {
  port: number;
  messages: Received[];
}

const servers: SMTPServer[] = [];
const senders: EmailSender[] = [];

afterEach(async () => {
  // The pool keeps connections open, so close the senders first or the server waits for them.
  await Promise.all(senders.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function startSmtp(overrides: Partial<SMTPServerOptions> = {}): Promise<TestServer> {
  const messages: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user,
        });
        callback(null, 'queued as TEST123');
      });
    },
    ...overrides,
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  return { port: (server.server.address() as AddressInfo).port, messages };
}

function makeSender(smtpUrl: string, from?: string): EmailSender {
  const sender = new EmailSender({ smtpUrl, from, timeoutMs: 2_000 });
  senders.push(sender);
  return sender;
}

/** Undoes the quoted-printable transfer encoding well enough for substring assertions. */
function decodeQp(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
}

/** The decoded body of the first MIME part of the given type. */
function part(raw: string, contentType: string): string {
  const decoded = decodeQp(raw);
  const start = decoded.indexOf(`Content-Type: ${contentType}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = decoded.slice(start);
  const end = body.indexOf('\r\n--');
  return end === -1 ? body : body.slice(0, end);
}

function header(raw: string, name: string): string | undefined {
  const headers = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const line = headers.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** Alice's page, with a region detail and an ampersand in the acknowledge link (HTML escaping). */
function page(overrides: PageOverrides = {}): PageMessage {
  return samplePage({
    ...overrides,
    alert: { details: { error_rate: 0.073, region: 'eu-west-1' }, ...overrides.alert },
    actions: {
      acknowledgeUrl: 'https://watchkeeper.example.com/a/ack-token?x=1&y=2',
      resolveUrl: 'https://watchkeeper.example.com/a/resolve-token',
      ...overrides.actions,
    },
  });
}

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('EmailSender over real SMTP', () => {
  it('delivers a page whose text and HTML carry the alert and the acknowledge link', async () => {
    const smtp = await startSmtp();
    const sender = makeSender(`smtp://127.0.0.1:${smtp.port}`);

    const result = await sender.send(page());

    expect(result).toMatchObject({ ok: true });
    expect(smtp.messages).toHaveLength(1);
    const msg = smtp.messages[0]!;
    expect(msg.to).toEqual(['alice@example.com']);
    expect(msg.from).toBe('watchkeeper@localhost');
    expect(header(msg.raw, 'Subject')).toBe('[CRITICAL] Checkout API: Error rate above 5% (#42)');

    const text = part(msg.raw, 'text/plain');
    const html = part(msg.raw, 'text/html');
    for (const body of [text, html]) {
      expect(body).toContain('Error rate above 5%');
      expect(body).toContain('Checkout API');
      expect(body).toContain('critical');
      expect(body).toContain('prometheus-eu-1');
      expect(body).toContain('https://watchkeeper.example.com/a/resolve-token');
    }
    expect(text).toContain('https://watchkeeper.example.com/a/ack-token?x=1&y=2');
    expect(html).toContain('href="https://watchkeeper.example.com/a/ack-token?x=1&amp;y=2"');
    expect(html).toContain('>Acknowledge</a>');
    expect(html).toContain('>Resolve</a>');
    expect(html).toContain('eu-west-1');
  });

  it('reports the server queue id as the provider id', async () => {
    const smtp = await startSmtp();
    const result = await makeSender(`smtp://127.0.0.1:${smtp.port}`).send(page());
    expect(result.ok && result.detail).toContain('queued as TEST123');
    expect(result.ok && result.providerId).toBeTruthy();
  });

  it('marks pages with alert and page ids and threads every page of one alert together', async () => {
    const smtp = await startSmtp();
    const sender = makeSender(`smtp://127.0.0.1:${smtp.port}`, 'Ops Pager <pager@ops.example.com>');

    await sender.send(page({ pageId: 7 }));
    await sender.send(page({ pageId: 8, level: 1 }));
    await sender.send(page({ pageId: 9, alert: { id: 43 } }));

    const [first, second, other] = smtp.messages.map((m) => m.raw);
    expect(header(first!, 'X-Watchkeeper-Alert-Id')).toBe('42');
    expect(header(first!, 'X-Watchkeeper-Page-Id')).toBe('7');
    expect(header(first!, 'From')).toBe('Ops Pager <pager@ops.example.com>');
    expect(header(first!, 'Message-ID')).not.toBe(header(second!, 'Message-ID'));
    expect(header(first!, 'Message-ID')).toContain('@ops.example.com>');
    expect(header(first!, 'References')).toBe('<watchkeeper.alert.42@ops.example.com>');
    expect(header(second!, 'References')).toBe(header(first!, 'References'));
    expect(header(second!, 'In-Reply-To')).toBe(header(first!, 'References'));
    expect(header(other!, 'References')).toBe('<watchkeeper.alert.43@ops.example.com>');
  });

  it('escapes alert content in the HTML part', async () => {
    const smtp = await startSmtp();
    const hostile = page({
      alert: {
        summary: '<script>alert("x")</script>',
        details: { '<b>key</b>': '<img src=x onerror=alert(1)>' },
        links: [{ href: 'javascript:alert(1)', text: 'click me' }],
      },
    });

    await makeSender(`smtp://127.0.0.1:${smtp.port}`).send(hostile);

    const html = part(smtp.messages[0]!.raw, 'text/html');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('javascript:');
  });

  it('authenticates with the credentials in the SMTP URL', async () => {
    const smtp = await startSmtp();
    const result = await makeSender(`smtp://pager:s3cret@127.0.0.1:${smtp.port}`).send(page());
    expect(result.ok).toBe(true);
    expect(smtp.messages[0]!.user).toBe('pager');
  });

  it('fails without retry when the server permanently rejects the recipient (550)', async () => {
    const smtp = await startSmtp({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
      },
    });

    const result = await makeSender(`smtp://127.0.0.1:${smtp.port}`).send(page());

    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.error).toContain('550');
    expect(smtp.messages).toHaveLength(0);
  });

  it('fails with retry when the server defers the recipient (451)', async () => {
    const smtp = await startSmtp({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('4.7.1 Try again later'), { responseCode: 451 }));
      },
    });

    const result = await makeSender(`smtp://127.0.0.1:${smtp.port}`).send(page());

    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it('fails with retry when nothing listens on the SMTP port', async () => {
    const port = await closedPort();

    const result = await makeSender(`smtp://127.0.0.1:${port}`).send(page());

    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toContain('ECONNREFUSED');
  });
});

describe('EmailSender configuration', () => {
  it('rejects a URL that is not smtp:// or smtps:// without echoing it', () => {
    expect(() => new EmailSender({ smtpUrl: 'http://user:hunter2@mail.example.com' })).toThrow(/smtp_url/);
    expect(() => new EmailSender({ smtpUrl: 'not a url :hunter2' })).toThrow(/smtp_url/);
    try {
      new EmailSender({ smtpUrl: 'http://user:hunter2@mail.example.com' });
    } catch (err) {
      expect(String(err)).not.toContain('hunter2');
    }
  });
});

describe('classifySmtpError', () => {
  it.each([
    [421, true],
    [450, true],
    [451, true],
    [452, true],
    [503, true],
    [535, false],
    [550, false],
    [552, false],
    [554, false],
  ])('treats SMTP reply %i as retryable=%s', (responseCode, retryable) => {
    const err = Object.assign(new Error('rejected'), { code: 'EENVELOPE', responseCode, response: `${responseCode} no` });
    expect(classifySmtpError(err)).toMatchObject({ ok: false, retryable });
  });

  it('treats connection failures and timeouts as retryable', () => {
    for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EABORT']) {
      expect(classifySmtpError(Object.assign(new Error('x'), { code }))).toMatchObject({ retryable: true });
    }
  });

  it('treats missing credentials and an unusable envelope as permanent', () => {
    for (const code of ['ENOAUTH', 'EAUTH', 'EENVELOPE', 'ECONFIG']) {
      expect(classifySmtpError(Object.assign(new Error('x'), { code }))).toMatchObject({ retryable: false });
    }
  });
});

describe('escapeHtml', () => {
  it('escapes every character that can break out of content or a quoted attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('bundled page mail', () => {
  it('heads the mail with the count, links the first ten alerts escaped, counts the rest and links the alerts list', () => {
    const alerts = Array.from({ length: 12 }, (_, i) => ({
      id: 100 + i,
      summary: i === 0 ? 'Disk <full> & "loud"' : `Alert ${i}`,
      severity: 'critical',
      serviceId: 'clipper',
      serviceName: 'Clipper Critical',
      url: `https://watchkeeper.example.com/alerts/${100 + i}`,
    }));
    const html = renderPageHtml(samplePage({ actions: { acknowledgeUrl: null, resolveUrl: null }, bundle: { count: 12, url: 'https://watchkeeper.example.com/alerts', alerts } }));
    expect(html).toContain('12 new alerts on Clipper Critical');
    expect(html).toContain('#100 Disk &lt;full&gt; &amp; &quot;loud&quot;');
    expect(html).toContain('href="https://watchkeeper.example.com/alerts/109"');
    expect(html).not.toContain('alerts/110"');
    expect(html).toContain('… and 2 more');
    expect(html).toContain('href="https://watchkeeper.example.com/alerts"');
    expect(html).not.toContain('Acknowledge</a>');
  });
});
