import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's request signature (X-Twilio-Signature): base64 HMAC-SHA1, keyed with the account's
 * auth token, over the full URL Twilio requested (scheme, host, path and query exactly as
 * configured) followed by every POST parameter sorted by name, each written as name then value
 * with nothing between. A name sent more than once contributes each value, in sorted order.
 */
export function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): string {
  const pairs = [...params].sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const hmac = createHmac('sha1', authToken).update(url, 'utf8');
  for (const [name, value] of pairs) hmac.update(name + value, 'utf8');
  return hmac.digest('base64');
}

/** True when `header` is the signature of (url, params); compared in constant time. */
export function verifyTwilioSignature(authToken: string, header: string | undefined, url: string, params: Iterable<[string, string]>): boolean {
  if (!header) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The parameters of a form body as Twilio signed them: every pair, repeats included. */
export function formParams(rawBody: string | undefined): [string, string][] {
  return [...new URLSearchParams(rawBody ?? '')];
}
