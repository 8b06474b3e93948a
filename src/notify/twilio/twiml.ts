/**
 * TwiML, the XML Twilio reads to answer a message or run a call. Every piece of text is escaped
 * here: an alert summary comes from whoever sent the alert and must never be able to add a verb
 * (a <Dial> to a premium number, a <Redirect>) to the document.
 */

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text for an element or an attribute value; characters XML 1.0 cannot carry are dropped. */
export function xmlEscape(s: string): string {
  // eslint-disable-next-line no-control-regex -- removing exactly the control characters XML forbids
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

export type Verb = { say: string } | { message: string } | { gather: { action: string; numDigits: number; timeoutSeconds: number; say: string[] } } | { redirect: string } | { pause: number } | { hangup: true };

const VOICE = 'alice';

function verb(v: Verb): string {
  if ('say' in v) return `<Say voice="${VOICE}">${xmlEscape(v.say)}</Say>`;
  if ('message' in v) return `<Message>${xmlEscape(v.message)}</Message>`;
  if ('gather' in v) {
    const g = v.gather;
    const inner = g.say.map((s) => `<Say voice="${VOICE}">${xmlEscape(s)}</Say>`).join('');
    return `<Gather input="dtmf" numDigits="${g.numDigits}" timeout="${g.timeoutSeconds}" method="POST" action="${xmlEscape(g.action)}">${inner}</Gather>`;
  }
  if ('redirect' in v) return `<Redirect method="POST">${xmlEscape(v.redirect)}</Redirect>`;
  if ('pause' in v) return `<Pause length="${v.pause}"/>`;
  return '<Hangup/>';
}

export function twiml(...verbs: Verb[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs.map(verb).join('')}</Response>`;
}
