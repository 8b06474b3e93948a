import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PageOverrides } from '../page-message.fixture.js';
import { samplePage } from '../page-message.fixture.js';
import type { PageMessage } from '../sender.js';
import { retryAfterMs, WebhookSender } from './webhook.sender.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: http.Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function startReceiver(handler: Handler = (_req, res) => res.writeHead(204).end()) {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      handler(req, res);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/watchkeeper`, requests };
}

const NOW = Date.UTC(2026, 2, 8, 8, 0, 5);

/** Alice's page at escalation level 2 (index 1); tests point `destination` at their receiver. */
function page(overrides: PageOverrides = {}): PageMessage {
  return samplePage({ pageId: 981, channel: 'webhook', destination: 'http://127.0.0.1:1/unused', level: 1, ...overrides });
}

function verify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const timestamp = headers['x-watchkeeper-timestamp'];
  const signature = headers['x-watchkeeper-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  return expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
}

describe('WebhookSender against a real HTTP receiver', () => {
  it('POSTs the documented JSON payload', async () => {
    const receiver = await startReceiver();
    const sender = new WebhookSender({ now: () => NOW });

    const result = await sender.send(page({ destination: receiver.url }));

    expect(result).toEqual({ ok: true, providerId: null, detail: 'HTTP 204' });
    const [req] = receiver.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/hooks/watchkeeper');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['user-agent']).toBe('Watchkeeper/0.1');
    expect(req?.headers['x-watchkeeper-page-id']).toBe('981');
    expect(JSON.parse(req!.body)).toEqual({
      version: 'watchkeeper.page.v1',
      event: 'alert.page',
      test: false,
      page_id: 981,
      sent_at: '2026-03-08T08:00:05.000Z',
      alert: {
        id: 42,
        url: 'https://watchkeeper.example.com/alerts/42',
        summary: 'Error rate above 5%',
        severity: 'critical',
        status: 'triggered',
        service: { id: 'checkout-api', name: 'Checkout API' },
        source: 'prometheus-eu-1',
        dedup_key: 'checkout-error-rate',
        count: 3,
        created_at: '2026-03-08T08:00:00.000Z',
        details: { error_rate: 0.073 },
        links: [{ href: 'https://grafana.example.com/d/checkout', text: 'Dashboard' }],
        runbook: null,
      },
      user: { id: 'u-alice', name: 'Alice', email: 'alice@example.com' },
      escalation: { level: 2, repeat: 0 },
      actions: {
        acknowledge_url: 'https://watchkeeper.example.com/a/ack',
        resolve_url: 'https://watchkeeper.example.com/a/resolve',
      },
      bundle: null,
    });
  });

  it('lists every alert of a bundled page in the bundle field, with no action links', async () => {
    const receiver = await startReceiver();
    const alerts = [42, 43, 44].map((id) => ({ id, summary: `Disk full on node ${id}`, severity: 'critical', serviceId: 'clipper', serviceName: 'Clipper Critical', url: `https://watchkeeper.example.com/alerts/${id}` }));
    await new WebhookSender({ now: () => NOW }).send(
      page({ destination: receiver.url, actions: { acknowledgeUrl: null, resolveUrl: null }, bundle: { count: 3, url: 'https://watchkeeper.example.com/alerts', alerts } }),
    );
    const body = JSON.parse(receiver.requests[0]!.body) as Record<string, unknown>;
    expect(body.actions).toEqual({ acknowledge_url: null, resolve_url: null });
    expect(body.bundle).toEqual({
      count: 3,
      url: 'https://watchkeeper.example.com/alerts',
      alerts: [42, 43, 44].map((id) => ({ id, url: `https://watchkeeper.example.com/alerts/${id}`, summary: `Disk full on node ${id}`, severity: 'critical', service: { id: 'clipper', name: 'Clipper Critical' } })),
    });
  });

  it('flags test pages in the payload', async () => {
    const receiver = await startReceiver();
    await new WebhookSender({ now: () => NOW }).send(page({ kind: 'test', destination: receiver.url }));
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ event: 'alert.page', test: true });
  });

  it('sends no signature headers when the contact method names no secret', async () => {
    const receiver = await startReceiver();
    await new WebhookSender({ now: () => NOW }).send(page({ destination: receiver.url }));
    expect(receiver.requests[0]!.headers['x-watchkeeper-signature']).toBeUndefined();
    expect(receiver.requests[0]!.headers['x-watchkeeper-timestamp']).toBeUndefined();
  });

  it('signs timestamp and raw body with HMAC-SHA256 of the secret read from the environment at send time', async () => {
    const receiver = await startReceiver();
    const env: Record<string, string | undefined> = {};
    const sender = new WebhookSender({ now: () => NOW, env });
    env.WK_TEST_HOOK_SECRET = 'whsec_rotated';

    const result = await sender.send(page({ destination: receiver.url, secretEnv: 'WK_TEST_HOOK_SECRET' }));

    expect(result.ok).toBe(true);
    const req = receiver.requests[0]!;
    expect(req.headers['x-watchkeeper-timestamp']).toBe(String(NOW / 1000));
    expect(req.headers['x-watchkeeper-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verify('whsec_rotated', req.headers, req.body)).toBe(true);
    expect(verify('some-other-secret', req.headers, req.body)).toBe(false);
    expect(verify('whsec_rotated', req.headers, req.body.replace('critical', 'low'))).toBe(false);
  });

  it('reads process.env by default', async () => {
    const receiver = await startReceiver();
    process.env.WK_TEST_PROCESS_SECRET = 'from-process-env';
    try {
      await new WebhookSender({ now: () => NOW }).send(
        page({ destination: receiver.url, secretEnv: 'WK_TEST_PROCESS_SECRET' }),
      );
    } finally {
      delete process.env.WK_TEST_PROCESS_SECRET;
    }
    const req = receiver.requests[0]!;
    expect(verify('from-process-env', req.headers, req.body)).toBe(true);
  });

  it('refuses to send unsigned when the named secret variable is unset, naming the variable', async () => {
    const receiver = await startReceiver();

    const result = await new WebhookSender({ env: {} }).send(
      page({ destination: receiver.url, secretEnv: 'WK_MISSING_SECRET' }),
    );

    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.error).toContain('WK_MISSING_SECRET');
    expect(receiver.requests).toHaveLength(0);
  });

  it.each([
    [200, true, undefined],
    [202, true, undefined],
    [400, false, false],
    [401, false, false],
    [404, false, false],
    [410, false, false],
    [408, false, true],
    [429, false, true],
    [500, false, true],
    [502, false, true],
    [503, false, true],
  ])('maps HTTP %i to ok=%s retryable=%s', async (status, ok, retryable) => {
    const receiver = await startReceiver((_req, res) => res.writeHead(status).end('receiver says no'));

    const result = await new WebhookSender().send(page({ destination: receiver.url }));

    expect(result.ok).toBe(ok);
    if (!result.ok) {
      expect(result.retryable).toBe(retryable);
      expect(result.error).toBe(`HTTP ${status}: receiver says no`);
    }
  });

  it('passes on how long a rate-limited receiver asked to wait', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(429, { 'Retry-After': '30' }).end());
    const result = await new WebhookSender().send(page({ destination: receiver.url }));
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 30_000 });
  });

  it('does not follow redirects, so a signed page never lands somewhere else', async () => {
    const target = await startReceiver();
    const receiver = await startReceiver((_req, res) => res.writeHead(307, { Location: target.url }).end());

    const result = await new WebhookSender().send(page({ destination: receiver.url }));

    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.error).toContain('redirect');
    expect(target.requests).toHaveLength(0);
  });

  it('cuts a long error body short', async () => {
    const receiver = await startReceiver((_req, res) => res.writeHead(500).end('x'.repeat(100_000)));
    const result = await new WebhookSender().send(page({ destination: receiver.url }));
    expect(!result.ok && result.error.length).toBeLessThan(400);
  });

  it('retries when nothing listens on the port', async () => {
    const receiver = await startReceiver();
    const server = servers.pop()!;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const result = await new WebhookSender().send(page({ destination: receiver.url }));

    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toContain('ECONNREFUSED');
  });

  it('retries when the receiver does not answer before the timeout', async () => {
    // The handler never responds; the sender's own timeout ends the request.
    const receiver = await startReceiver(() => undefined);

    const result = await new WebhookSender({ timeoutMs: 200 }).send(page({ destination: receiver.url }));

    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toContain('did not answer within 200 ms');
  });

  it('rejects a destination that is not an http(s) URL without retrying', async () => {
    for (const destination of ['ftp://example.com/hook', 'not a url']) {
      const result = await new WebhookSender().send(page({ destination }));
      expect(result).toMatchObject({ ok: false, retryable: false });
    }
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, and ignores nonsense', () => {
    const now = Date.UTC(2026, 2, 8, 8, 0, 0);
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Sun, 08 Mar 2026 08:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Sun, 08 Mar 2026 07:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
