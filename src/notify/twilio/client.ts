import { Agent, request, type Dispatcher } from 'undici';
import { errorMessage, type SendResult } from '../sender.js';
import { retryAfterMs } from '../webhook/webhook.sender.js';
import { TWILIO_VARS, type TwilioOptions } from './config.js';

/**
 * The two Twilio REST calls Watchkeeper makes: create a Message and create a Call
 * (POST /2010-04-01/Accounts/{AccountSid}/{Messages,Calls}.json, form-encoded, HTTP Basic auth
 * with the account SID and auth token). Twilio answers 201 with the resource as JSON
 * ({"sid": "SM…", "status": "queued", …}) or an error {"code", "message", "more_info", "status"}.
 */
export type SendFailure = Extract<SendResult, { ok: false }>;
export type CreateResult = { ok: true; sid: string; status: string } | { ok: false; result: SendFailure; code: number | null };

const failure = (retryable: boolean, error: string, retryAfterMs?: number): SendFailure => (retryAfterMs === undefined ? { ok: false, retryable, error } : { ok: false, retryable, error, retryAfterMs });

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Twilio error codes that say this number will not get the message however often we try: the
 * person's contact method or the account's settings must change first. Words for the operator.
 */
const PERMANENT: Record<number, string> = {
  21211: 'not a valid phone number; fix the contact method',
  21214: 'this number cannot be reached; fix the contact method',
  21217: 'not a valid phone number; fix the contact method',
  21401: 'not a valid phone number; fix the contact method',
  21407: 'Twilio does not support this country; use another contact method',
  21408: 'the Twilio account may not send to this country; enable it under Messaging or Voice geographic permissions',
  21215: 'the Twilio account may not call this country; enable it under Voice geographic permissions',
  21216: 'this number is blocked by Twilio; use another contact method',
  21612: 'Twilio cannot route a message from WATCHKEEPER_TWILIO_FROM to this number; use a number that can send to it',
  21614: 'not a mobile number, so it cannot receive SMS; use a voice contact method',
  21606: 'WATCHKEEPER_TWILIO_FROM cannot send SMS; use an SMS-capable Twilio number',
  21212: 'WATCHKEEPER_TWILIO_FROM is not a valid Twilio number',
  21210: 'WATCHKEEPER_TWILIO_FROM is not a verified number of this Twilio account',
  21219: 'a trial Twilio account can only reach verified numbers; verify this number in Twilio or upgrade the account',
  21608: 'a trial Twilio account can only reach verified numbers; verify this number in Twilio or upgrade the account',
  20003: `Twilio rejected the account credentials; check ${TWILIO_VARS.accountSid} and ${TWILIO_VARS.authToken}`,
  20404: `Twilio does not know this account; check ${TWILIO_VARS.accountSid}`,
};

/** 21610: the number texted STOP to Twilio, which now refuses to message it. */
export const TWILIO_UNSUBSCRIBED = 21610;

export class TwilioClient {
  private readonly dispatcher: Agent;
  private readonly auth: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly opts: TwilioOptions,
    private readonly now: () => number = Date.now,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    this.timeoutMs = timeoutMs;
    this.auth = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
    this.dispatcher = new Agent({ connections: 32, keepAliveTimeout: 30_000, connect: { timeout: timeoutMs } });
  }

  get from(): string {
    return this.opts.from;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  async create(resource: 'Messages' | 'Calls', params: Record<string, string>): Promise<CreateResult> {
    const url = `${this.opts.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(this.opts.accountSid)}/${resource}.json`;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'POST',
        headers: { authorization: this.auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': 'Watchkeeper/0.1' },
        body: new URLSearchParams(params).toString(),
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return { ok: false, code: null, result: failure(true, timedOut ? `Twilio did not answer within ${this.timeoutMs} ms` : `Twilio unreachable: ${networkError(err)}`) };
    }
    const text = await readBody(res);
    const json = parseJson(text);
    const status = res.statusCode;
    if (status >= 200 && status < 300) {
      const sid = typeof json?.sid === 'string' ? json.sid : null;
      if (!sid) return { ok: false, code: null, result: failure(true, `Twilio answered HTTP ${status} without a sid`) };
      return { ok: true, sid, status: typeof json?.status === 'string' ? json.status : 'queued' };
    }
    const code = typeof json?.code === 'number' ? json.code : null;
    const message = typeof json?.message === 'string' ? json.message : text.slice(0, 200);
    const what = `Twilio ${code ?? `HTTP ${status}`}${message ? `: ${message}` : ''}`;
    if (status === 429 || status >= 500) {
      const header = res.headers['retry-after'];
      const wait = retryAfterMs(Array.isArray(header) ? (header[0] ?? null) : (header ?? null), this.now());
      return { ok: false, code, result: failure(true, `${what} (HTTP ${status})`, wait) };
    }
    const advice = code === null ? null : PERMANENT[code];
    return { ok: false, code, result: failure(false, advice ? `${advice} (${what})` : `${what} (HTTP ${status})`) };
  }
}

async function readBody(res: Dispatcher.ResponseData): Promise<string> {
  try {
    const text = await res.body.text();
    return text.length > 64 * 1024 ? text.slice(0, 64 * 1024) : text;
  } catch {
    return '';
  }
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function networkError(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  if (e?.cause && typeof e.cause.code === 'string') return `${e.cause.code}: ${String(e.cause.message ?? '')}`.trim();
  if (e && typeof e.code === 'string' && !e.code.startsWith('UND_ERR')) return `${e.code}: ${errorMessage(err)}`;
  return errorMessage(err);
}
