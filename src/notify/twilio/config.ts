import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { FieldProblem } from '../../domain/errors.js';

/**
 * Twilio account settings, from the environment (never from the org file: the auth token is a
 * secret). Without them the sms and voice channels are not registered at all, so a person's SMS
 * method falls over to their other methods instead of failing each page.
 */
export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** The Twilio number pages come from, E.164. */
  from: string;
  /** https://api.twilio.com, or a local stand-in in tests. */
  apiUrl: string;
}

export const TWILIO_VARS = {
  accountSid: 'WATCHKEEPER_TWILIO_ACCOUNT_SID',
  authToken: 'WATCHKEEPER_TWILIO_AUTH_TOKEN',
  from: 'WATCHKEEPER_TWILIO_FROM',
  apiUrl: 'WATCHKEEPER_TWILIO_API_URL',
} as const;

export const DEFAULT_TWILIO_API_URL = 'https://api.twilio.com';

/** Reads the Twilio variables; every problem at once, like the rest of the environment. */
export function readTwilioEnv(env: NodeJS.ProcessEnv): { twilio: TwilioOptions | null; problems: FieldProblem[] } {
  const read = (name: string): string | null => {
    const v = env[name]?.trim();
    return v ? v : null;
  };
  const sid = read(TWILIO_VARS.accountSid);
  const token = read(TWILIO_VARS.authToken);
  const from = read(TWILIO_VARS.from);
  const apiUrl = read(TWILIO_VARS.apiUrl);
  const problems: FieldProblem[] = [];
  if (sid === null && token === null && from === null) {
    if (apiUrl !== null) problems.push({ field: TWILIO_VARS.accountSid, message: `is required when ${TWILIO_VARS.apiUrl} is set: your Twilio account SID (AC…, on the Twilio console's home page)` });
    return { twilio: null, problems };
  }
  if (sid === null) problems.push({ field: TWILIO_VARS.accountSid, message: 'is required for SMS and voice: your Twilio account SID (AC…, on the Twilio console’s home page)' });
  else if (!/^AC[0-9a-fA-F]{32}$/.test(sid)) problems.push({ field: TWILIO_VARS.accountSid, message: `must be "AC" and 32 hexadecimal digits, as on the Twilio console (got "${sid.slice(0, 40)}")` });
  if (token === null) problems.push({ field: TWILIO_VARS.authToken, message: 'is required for SMS and voice: the auth token shown next to the account SID on the Twilio console' });
  let number: string | null = null;
  if (from === null) problems.push({ field: TWILIO_VARS.from, message: 'is required for SMS and voice: your Twilio phone number in international format, e.g. +14155550100' });
  else {
    const parsed = parsePhoneNumberFromString(from);
    if (!parsed || !parsed.isValid()) problems.push({ field: TWILIO_VARS.from, message: `must be your Twilio phone number in international format, e.g. +14155550100 (got "${from}")` });
    else number = parsed.number;
  }
  let base = DEFAULT_TWILIO_API_URL;
  if (apiUrl !== null) {
    let url: URL | null;
    try {
      url = new URL(apiUrl);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) problems.push({ field: TWILIO_VARS.apiUrl, message: `must be an http(s) URL such as ${DEFAULT_TWILIO_API_URL} (got "${apiUrl}")` });
    else base = apiUrl.replace(/\/+$/, '');
  }
  if (problems.length > 0 || sid === null || token === null || number === null) return { twilio: null, problems };
  return { twilio: { accountSid: sid, authToken: token, from: number, apiUrl: base }, problems };
}
