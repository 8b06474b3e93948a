import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Microsoft Teams webhook receiver on loopback, answering as Teams does:
 *
 * - /webhookb2/<id> (an Office 365 connector, "incoming webhook"): 200 with the body "1" when the
 *   message is a valid card message; when Teams refuses it, still 200, with the body
 *   "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error <n> …";
 * - /workflows/<id> (a Power Automate Workflows trigger): 202 with an empty body, or the real
 *   status (400, 429 with Retry-After…) when refused.
 *
 * A body that is not `{"type":"message","attachments":[{"contentType":
 * "application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard",…}}]}` is refused
 * with 400, as Teams does. Tests queue refusals with `fail(...)` and read what arrived in `posts`.
 */
export interface TeamsPost {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface TeamsCard {
  type: string;
  version: string;
  body: { type: string; text?: string; facts?: { title: string; value: string }[] }[];
  actions?: { type: string; title: string; url: string }[];
}

interface Refusal {
  status: number;
  retryAfter?: string;
}

export class TeamsServer {
  readonly posts: TeamsPost[] = [];
  private readonly refusals: Refusal[] = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** An incoming-webhook (connector) URL. */
  connectorUrl(id = 'team-a'): string {
    return `http://127.0.0.1:${this.port}/webhookb2/${id}/IncomingWebhook/abc/def`;
  }

  /** A Workflows trigger URL. */
  workflowUrl(id = 'flow-a'): string {
    return `http://127.0.0.1:${this.port}/workflows/${id}/triggers/manual/paths/invoke`;
  }

  /** The next posts are refused with these statuses, in order. */
  fail(...refusals: Refusal[]): void {
    this.refusals.push(...refusals);
  }

  /** The card of the n-th post that was accepted. */
  cards(): TeamsCard[] {
    return this.posts.map((p) => (p.body as { attachments: { content: TeamsCard }[] }).attachments[0]!.content);
  }

  private handle(req: http.IncomingMessage, text: string, res: http.ServerResponse): void {
    const path = req.url ?? '';
    const connector = path.startsWith('/webhookb2/');
    if (req.method !== 'POST' || (!connector && !path.startsWith('/workflows/'))) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    const refusal = this.refusals.shift() ?? (valid(body) ? null : { status: 400 });
    if (refusal) {
      if (connector) {
        // Connectors answer 200 and put Teams' own status in the text.
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error ${refusal.status} with ContextId tcid=0,server=msgapi-test,cv=test.0..`);
      } else {
        res.writeHead(refusal.status, { 'content-type': 'application/json', ...(refusal.retryAfter ? { 'retry-after': refusal.retryAfter } : {}) }).end(JSON.stringify({ error: { code: refusal.status === 429 ? 'TooManyRequests' : 'InvalidRequest', message: 'refused by the test server' } }));
      }
      return;
    }
    this.posts.push({ path, headers: req.headers, body });
    if (connector) res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('1');
    else res.writeHead(202).end();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function valid(body: unknown): boolean {
  const b = body as { type?: unknown; attachments?: { contentType?: unknown; content?: { type?: unknown; body?: unknown } }[] } | null;
  const a = b?.attachments?.[0];
  return b?.type === 'message' && Array.isArray(b.attachments) && a?.contentType === 'application/vnd.microsoft.card.adaptive' && a.content?.type === 'AdaptiveCard' && Array.isArray(a.content.body);
}
