import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSDOM } from 'jsdom';
import { request } from 'undici';
import type { TwilioOptions } from '../../src/notify/twilio/config.js';
import { twilioSignature } from '../../src/notify/twilio/signature.js';

/**
 * Twilio on loopback, both halves of it:
 *
 * - the REST API Watchkeeper calls: POST /2010-04-01/Accounts/{Sid}/Messages.json and Calls.json,
 *   form-encoded, HTTP Basic auth with the account SID and auth token, answering 201 with the
 *   resource as JSON or an error {code, message, more_info, status} with its HTTP status, and
 *   recording every request;
 * - Twilio's webhooks to Watchkeeper, signed with X-Twilio-Signature by the real algorithm: a
 *   person texting the number, a call being answered and a key pressed, status callbacks.
 */

export interface SentMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | null;
}

export interface PlacedCall {
  sid: string;
  to: string;
  from: string;
  url: string;
  method: string;
  statusCallback: string | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | null;
  params: Record<string, string>;
  status: number;
}

export interface TwilioError {
  status: number;
  code: number;
  message: string;
  retryAfter?: string;
}

/** A TwiML document as a caller experiences it. */
export interface Twiml {
  xml: string;
  /** Every <Say> in order, <Gather> contents included. */
  says: string[];
  messages: string[];
  /** The first <Gather>'s action URL, or null. */
  gatherAction: string | null;
  hangup: boolean;
}

const hex = (n: number) => randomBytes(n).toString('hex');
const E164 = /^\+[1-9]\d{6,14}$/;

export class FakeTwilio {
  readonly accountSid = `AC${hex(16)}`;
  readonly authToken = hex(16);
  readonly from = '+15005550006';
  readonly messages: SentMessage[] = [];
  readonly calls: PlacedCall[] = [];
  readonly requests: RecordedRequest[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private failures: TwilioError[] = [];
  private readonly rejected = new Map<string, TwilioError>();
  private apiUrl = '';
  /** Where Watchkeeper's public URL really answers (the listening test server). */
  private appBase = '';
  private publicUrl = '';

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.apiUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.apiUrl;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  options(): TwilioOptions {
    return { accountSid: this.accountSid, authToken: this.authToken, from: this.from, apiUrl: this.apiUrl };
  }

  /** Webhooks are signed for `publicUrl` (what Watchkeeper gave Twilio) and delivered to `appBase`. */
  attach(publicUrl: string, appBase: string): void {
    this.publicUrl = publicUrl.replace(/\/+$/, '');
    this.appBase = appBase.replace(/\/+$/, '');
  }

  /** The next `n` create requests fail with `err` (an outage, a rate limit). */
  failNext(n: number, err: TwilioError): void {
    for (let i = 0; i < n; i++) this.failures.push(err);
  }

  /** Every create request to `phone` fails with `err` (a bad, blocked or unsubscribed number). */
  reject(phone: string, err: TwilioError): void {
    this.rejected.set(phone, err);
  }

  messagesTo(phone: string): SentMessage[] {
    return this.messages.filter((m) => m.to === phone);
  }

  callsTo(phone: string): PlacedCall[] {
    return this.calls.filter((c) => c.to === phone);
  }

  // ------------------------------------------------------------------------------------------
  // The REST API

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const path = new URL(req.url ?? '/', this.apiUrl).pathname;
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization ?? null, params, status });
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (e: TwilioError) => reply(e.status, { code: e.code, message: e.message, more_info: `https://www.twilio.com/docs/errors/${e.code}`, status: e.status }, e.retryAfter ? { 'retry-after': e.retryAfter } : {});

    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(path);
    if (req.method !== 'POST' || !m) return error({ status: 404, code: 20404, message: `The requested resource ${path} was not found` });
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected || m[1] !== this.accountSid) return error({ status: 401, code: 20003, message: 'Authenticate' });
    const injected = this.failures.shift();
    if (injected) return error(injected);
    const to = params.To ?? '';
    const from = params.From ?? '';
    if (!E164.test(to)) return error({ status: 400, code: 21211, message: `The 'To' number ${to} is not a valid phone number.` });
    if (from !== this.from) return error({ status: 400, code: 21212, message: `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.` });
    const rejected = this.rejected.get(to);
    if (rejected) return error(rejected);
    const now = new Date().toUTCString().replace('GMT', '+0000');
    const common = { account_sid: this.accountSid, api_version: '2010-04-01', date_created: now, date_updated: now, direction: 'outbound-api', from, to, price: null, price_unit: 'USD', status: 'queued' };
    if (m[2] === 'Messages') {
      const body = params.Body ?? '';
      if (!body) return error({ status: 400, code: 21602, message: 'Message body is required.' });
      if (body.length > 1600) return error({ status: 400, code: 21617, message: 'The concatenated message body exceeds the 1600 character limit.' });
      const sid = `SM${hex(16)}`;
      this.messages.push({ sid, to, from, body, statusCallback: params.StatusCallback ?? null });
      return reply(201, { ...common, sid, body, date_sent: null, error_code: null, error_message: null, messaging_service_sid: null, num_media: '0', num_segments: String(Math.ceil(body.length / 153) || 1), uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${sid}.json` });
    }
    const url = params.Url ?? '';
    if (!url) return error({ status: 400, code: 21205, message: 'Url parameter is required.' });
    const sid = `CA${hex(16)}`;
    this.calls.push({ sid, to, from, url, method: params.Method ?? 'POST', statusCallback: params.StatusCallback ?? null });
    return reply(201, { ...common, sid, to_formatted: to, from_formatted: from, parent_call_sid: null, phone_number_sid: null, start_time: null, end_time: null, duration: null, uri: `/2010-04-01/Accounts/${this.accountSid}/Calls/${sid}.json` });
  }

  // ------------------------------------------------------------------------------------------
  // Twilio's side of the webhooks

  /** POSTs `params` to `url` (a public URL) with a signature; `signature` overrides it (forgeries). */
  async post(url: string, params: Record<string, string>, signature?: string): Promise<{ status: number; text: string; contentType: string }> {
    if (!url.startsWith(this.publicUrl)) throw new Error(`${url} is not under ${this.publicUrl}`);
    const res = await request(this.appBase + url.slice(this.publicUrl.length), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature ?? twilioSignature(this.authToken, url, Object.entries(params)),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
    });
    const text = await res.body.text();
    return { status: res.statusCode, text, contentType: String(res.headers['content-type'] ?? '') };
  }

  /** A person texts the Twilio number; returns Watchkeeper's answer as TwiML. */
  async text(from: string, body: string, signature?: string): Promise<{ status: number; twiml: Twiml | null }> {
    const params = {
      ToCountry: 'US',
      ToState: 'CA',
      SmsMessageSid: `SM${hex(16)}`,
      NumMedia: '0',
      SmsSid: `SM${hex(16)}`,
      SmsStatus: 'received',
      Body: body,
      To: this.from,
      NumSegments: '1',
      MessageSid: `SM${hex(16)}`,
      AccountSid: this.accountSid,
      From: from,
      ApiVersion: '2010-04-01',
    };
    const r = await this.post(`${this.publicUrl}/integrations/twilio/sms`, params, signature);
    return { status: r.status, twiml: r.status === 200 ? parseTwiml(r.text) : null };
  }

  /** The last reply text Watchkeeper answered a text with (the <Message>), or null. */
  static reply(r: { twiml: Twiml | null }): string | null {
    return r.twiml?.messages[0] ?? null;
  }

  private callParams(call: PlacedCall, status: string): Record<string, string> {
    return { AccountSid: this.accountSid, ApiVersion: '2010-04-01', CallSid: call.sid, CallStatus: status, Called: call.to, Caller: call.from, Direction: 'outbound-api', From: call.from, To: call.to };
  }

  /** The person picks up: Twilio fetches the call's TwiML from its Url. */
  async answer(call: PlacedCall, signature?: string): Promise<{ status: number; twiml: Twiml | null }> {
    const r = await this.post(call.url, this.callParams(call, 'in-progress'), signature);
    return { status: r.status, twiml: r.status === 200 ? parseTwiml(r.text) : null };
  }

  /** The person presses `digits` during the <Gather> of `twiml`. */
  async press(call: PlacedCall, twiml: Twiml, digits: string, signature?: string): Promise<{ status: number; twiml: Twiml | null }> {
    if (!twiml.gatherAction) throw new Error(`no <Gather> in ${twiml.xml}`);
    const r = await this.post(twiml.gatherAction, { ...this.callParams(call, 'in-progress'), Digits: digits, FinishedOnKey: '' }, signature);
    return { status: r.status, twiml: r.status === 200 ? parseTwiml(r.text) : null };
  }

  /** Twilio reports a message's status (delivered, undelivered, failed…). */
  async messageStatus(msg: SentMessage, status: string, errorCode?: string, signature?: string): Promise<number> {
    if (!msg.statusCallback) throw new Error('the message was sent without a StatusCallback');
    const params: Record<string, string> = { AccountSid: this.accountSid, ApiVersion: '2010-04-01', From: msg.from, MessageSid: msg.sid, MessageStatus: status, SmsSid: msg.sid, SmsStatus: status, To: msg.to };
    if (errorCode) params.ErrorCode = errorCode;
    return (await this.post(msg.statusCallback, params, signature)).status;
  }

  /** Twilio reports how a call ended (completed, busy, no-answer, failed). */
  async callStatus(call: PlacedCall, status: string, signature?: string): Promise<number> {
    if (!call.statusCallback) throw new Error('the call was placed without a StatusCallback');
    return (await this.post(call.statusCallback, { ...this.callParams(call, status), CallDuration: status === 'completed' ? '31' : '0' }, signature)).status;
  }
}

/** Reads TwiML with a real XML parser, as Twilio does. */
export function parseTwiml(xml: string): Twiml {
  const doc = new JSDOM(xml, { contentType: 'text/xml' }).window.document;
  if (doc.getElementsByTagName('parsererror').length > 0 || doc.documentElement.nodeName !== 'Response') throw new Error(`not TwiML: ${xml}`);
  const texts = (tag: string) => [...doc.getElementsByTagName(tag)].map((e) => e.textContent ?? '');
  return {
    xml,
    says: texts('Say'),
    messages: texts('Message'),
    gatherAction: doc.getElementsByTagName('Gather')[0]?.getAttribute('action') ?? null,
    hangup: doc.getElementsByTagName('Hangup').length > 0,
  };
}
