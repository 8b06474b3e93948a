import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Slack Web API on loopback that speaks the wire format: POST /api/<method> with a form
 * (application/x-www-form-urlencoded, nested values as JSON text, as Slack's own client sends) or a
 * JSON body, the bot token as `Authorization: Bearer`, HTTP 200 with `{ok: true, …}` or
 * `{ok: false, error}`, and HTTP 429 with Retry-After when rate limited. It keeps the messages
 * posted per conversation so tests can read what a person sees, and records every call.
 * Also answers response_url posts (POST /response/<id>) the way Slack's hooks do.
 */

export interface SlackCall {
  method: string;
  token: string | null;
  contentType: string;
  body: Record<string, unknown>;
}

export interface SlackStoredMessage {
  ts: string;
  text: string;
  blocks: Record<string, unknown>[];
  /** How many times chat.update replaced it. */
  updates: number;
}

type Scripted = { status: 429; retryAfter: number } | { error: string };

export class SlackApiServer {
  readonly calls: SlackCall[] = [];
  readonly responses: { id: string; body: Record<string, unknown> }[] = [];
  /** Conversation ID -> messages, oldest first. */
  readonly conversations = new Map<string, SlackStoredMessage[]>();
  readonly token: string;
  /** Channel name (without #) -> ID. */
  readonly channels = new Map<string, string>([
    ['incidents', 'C0INCIDENTS'],
    ['alerts', 'C0ALERTS01'],
    ['monitoring', 'C0MONITOR1'],
    ['security', 'C0SECURITY'],
  ]);
  /** Members: ID -> email. */
  readonly members = new Map<string, string>();
  /** Channel ID -> members invited with conversations.invite (channels made by conversations.create). */
  readonly channelMembers = new Map<string, Set<string>>();
  /** Channel IDs archived with conversations.archive. */
  readonly archived = new Set<string>();
  readonly team = { id: 'T0WATCHKEEP', name: 'Watchkeeper Test' };
  private readonly scripted = new Map<string, Scripted[]>();
  private server: http.Server | null = null;
  private seq = 0;
  port = 0;

  constructor(token = 'xoxb-test-token-0001') {
    this.token = token;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  /** The next calls of `method` answer like this, one per entry, before normal service resumes. */
  script(method: string, ...answers: Scripted[]): void {
    this.scripted.set(method, [...(this.scripted.get(method) ?? []), ...answers]);
  }

  addMember(id: string, email: string): void {
    this.members.set(id, email);
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages in a channel, by name ("#incidents") or conversation ID. */
  messages(channel: string): SlackStoredMessage[] {
    const id = channel.startsWith('#') ? this.channels.get(channel.slice(1)) : channel;
    return (id && this.conversations.get(id)) || [];
  }

  /** The DM conversation the app has with a member. */
  dmChannel(memberId: string): string {
    return `D${memberId.slice(1)}`;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.apiUrl;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const contentType = String(req.headers['content-type'] ?? '');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST') return send(405, { ok: false, error: 'method_not_allowed' });
    let body: Record<string, unknown>;
    if (contentType.startsWith('application/json')) {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } else {
      body = {};
      // Slack's client sends nested values (blocks, attachments) as JSON text in form fields.
      for (const [k, v] of new URLSearchParams(raw)) body[k] = k === 'blocks' || k === 'attachments' ? (JSON.parse(v) as unknown) : v;
    }
    const response = /^\/response\/([\w-]+)$/.exec(url.pathname);
    if (response?.[1]) {
      this.responses.push({ id: response[1], body });
      return send(200, { ok: true });
    }
    const m = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!m?.[1]) return send(404, { ok: false, error: 'unknown_method' });
    const method = m[1];
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : typeof body.token === 'string' ? body.token : null;
    this.calls.push({ method, token, contentType, body });
    const next = this.scripted.get(method)?.shift();
    if (next && 'status' in next) return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(next.retryAfter) });
    if (next) return send(200, { ok: false, error: next.error });
    if (!token) return send(200, { ok: false, error: 'not_authed' });
    if (token !== this.token) return send(200, { ok: false, error: 'invalid_auth' });
    send(200, this.call(method, body));
  }

  private conversation(channel: string): string | null {
    if (channel.startsWith('#')) return this.channels.get(channel.slice(1)) ?? null;
    if ([...this.channels.values()].includes(channel)) return channel;
    if (this.members.has(channel)) return this.dmChannel(channel);
    if (this.conversations.has(channel) && channel.startsWith('D')) return channel;
    return null;
  }

  private call(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://watchkeeper-test.slack.com/', team: this.team.name, user: 'watchkeeper', team_id: this.team.id, user_id: 'U0BOTUSER1', bot_id: 'B0BOT00001' };
      case 'chat.postMessage': {
        const channel = this.conversation(String(body.channel ?? ''));
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (this.archived.has(channel)) return { ok: false, error: 'is_archived' };
        this.seq++;
        const ts = `1772956800.${String(this.seq).padStart(6, '0')}`;
        const msg: SlackStoredMessage = { ts, text: String(body.text ?? ''), blocks: (body.blocks as Record<string, unknown>[]) ?? [], updates: 0 };
        this.conversations.set(channel, [...(this.conversations.get(channel) ?? []), msg]);
        return { ok: true, channel, ts, message: { type: 'message', text: msg.text, ts } };
      }
      case 'chat.update': {
        const list = this.conversations.get(String(body.channel ?? ''));
        if (!list) return { ok: false, error: 'channel_not_found' };
        const msg = list.find((x) => x.ts === body.ts);
        if (!msg) return { ok: false, error: 'message_not_found' };
        msg.text = String(body.text ?? '');
        msg.blocks = (body.blocks as Record<string, unknown>[]) ?? [];
        msg.updates++;
        return { ok: true, channel: body.channel, ts: msg.ts, text: msg.text };
      }
      case 'conversations.create': {
        const name = String(body.name ?? '');
        if (!name) return { ok: false, error: 'invalid_name_required' };
        if (name.length > 80) return { ok: false, error: 'invalid_name_maxlength' };
        if (!/^[a-z0-9_-][a-z0-9._-]*$/.test(name)) return { ok: false, error: 'invalid_name_specials' };
        if (this.channels.has(name)) return { ok: false, error: 'name_taken' };
        this.seq++;
        const id = `C0NEW${String(this.seq).padStart(5, '0')}`;
        this.channels.set(name, id);
        this.channelMembers.set(id, new Set(['U0BOTUSER1']));
        this.conversations.set(id, []);
        const isPrivate = body.is_private === true || body.is_private === 'true';
        return { ok: true, channel: { id, name, is_channel: !isPrivate, is_group: isPrivate, is_private: isPrivate, is_archived: false, created: 1772956800, creator: 'U0BOTUSER1', name_normalized: name } };
      }
      case 'conversations.invite': {
        const id = String(body.channel ?? '');
        const members = this.channelMembers.get(id);
        if (!members) return { ok: false, error: 'channel_not_found' };
        if (this.archived.has(id)) return { ok: false, error: 'is_archived' };
        const users = String(body.users ?? '').split(',').map((u) => u.trim()).filter(Boolean);
        if (users.length === 0) return { ok: false, error: 'no_user' };
        for (const u of users) if (!this.members.has(u)) return { ok: false, error: 'user_not_found' };
        if (users.length === 1 && members.has(users[0]!)) return { ok: false, error: 'already_in_channel' };
        for (const u of users) members.add(u);
        const name = [...this.channels].find(([, v]) => v === id)?.[0] ?? '';
        return { ok: true, channel: { id, name, is_channel: true, is_archived: false } };
      }
      case 'conversations.archive': {
        const id = String(body.channel ?? '');
        if (![...this.channels.values()].includes(id)) return { ok: false, error: 'channel_not_found' };
        if (this.archived.has(id)) return { ok: false, error: 'already_archived' };
        this.archived.add(id);
        return { ok: true };
      }
      case 'users.lookupByEmail': {
        const email = String(body.email ?? '').toLowerCase();
        const hit = [...this.members].find(([, e]) => e.toLowerCase() === email);
        if (!hit) return { ok: false, error: 'users_not_found' };
        return { ok: true, user: { id: hit[0], team_id: this.team.id, name: email.split('@')[0], profile: { email: hit[1] } } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

/** Visible text of a stored message: its blocks' mrkdwn and button labels, joined. */
export function messageText(m: SlackStoredMessage): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push(o.text);
      else for (const [k, x] of Object.entries(o)) if (k !== 'confirm') walk(x);
    }
  };
  walk(m.blocks);
  return out.join('\n');
}

/** Action ids of a message's buttons. */
export function buttons(m: SlackStoredMessage): string[] {
  return m.blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements as { action_id: string }[]).map((e) => e.action_id));
}

export interface InteractionInput {
  userId: string;
  actionId: string;
  value?: string;
  channelId: string;
  messageTs: string;
  responseUrl: string;
}

/**
 * Presses a button the way Slack reports it: a form post with one field `payload` (JSON of a
 * block_actions event), signed with the signing secret over "v0:<timestamp>:<raw body>".
 * `nowMs` is the sender's clock (the test's fake clock); `secret` may be a wrong one to forge.
 */
export async function sendInteraction(baseUrl: string, secret: string, input: InteractionInput, nowMs: number, opts: { timestampS?: number; signature?: string } = {}): Promise<{ status: number; body: string }> {
  const payload = {
    type: 'block_actions',
    user: { id: input.userId, username: 'someone', name: 'someone', team_id: 'T0WATCHKEEP' },
    api_app_id: 'A0WATCHKEEP',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channelId, is_ephemeral: false },
    trigger_id: '1234.5678.abcdef',
    team: { id: 'T0WATCHKEEP', domain: 'watchkeeper-test' },
    channel: { id: input.channelId, name: 'incidents' },
    message: { type: 'message', ts: input.messageTs, text: '' },
    response_url: input.responseUrl,
    actions: [{ action_id: input.actionId, block_id: 'b1', text: { type: 'plain_text', text: 'x' }, value: input.value ?? '', type: 'button', action_ts: `${Math.floor(nowMs / 1000)}.000100` }],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(opts.timestampS ?? Math.floor(nowMs / 1000));
  const signature = opts.signature ?? `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const res = await fetch(`${baseUrl}/integrations/slack/interactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
    body,
  });
  return { status: res.status, body: await res.text() };
}
