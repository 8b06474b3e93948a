import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { twiml, xmlEscape } from './twiml.js';

const parse = (xml: string) => {
  const doc = new JSDOM(xml, { contentType: 'text/xml' }).window.document;
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
  return doc;
};

describe('TwiML', () => {
  it('escapes the five XML specials', () => {
    expect(xmlEscape(`a & b < c > d "e" 'f'`)).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;');
  });

  it('keeps an alert summary that looks like TwiML as text: no verb can be smuggled in', () => {
    const hostile = 'disk full</Say><Dial>+19005550100</Dial><Say>';
    const doc = parse(twiml({ say: hostile }, { message: `reply & <Redirect>x</Redirect>` }));
    expect(doc.getElementsByTagName('Dial')).toHaveLength(0);
    expect(doc.getElementsByTagName('Redirect')).toHaveLength(0);
    expect(doc.getElementsByTagName('Say')[0]?.textContent).toBe(hostile);
    expect(doc.getElementsByTagName('Message')[0]?.textContent).toBe('reply & <Redirect>x</Redirect>');
  });

  it('drops control characters XML cannot carry, so the document still parses', () => {
    const doc = parse(twiml({ say: 'bell\u0007 and nul\u0000 and tab\t' }));
    expect(doc.getElementsByTagName('Say')[0]?.textContent).toBe('bell and nul and tab\t');
  });

  it('escapes the Gather action URL in its attribute', () => {
    const url = 'https://w.example/integrations/twilio/voice/keys?alert=4&code=1';
    const doc = parse(twiml({ gather: { action: url, numDigits: 1, timeoutSeconds: 8, say: ['Press 4'] } }));
    const gather = doc.getElementsByTagName('Gather')[0];
    expect(gather?.getAttribute('action')).toBe(url);
    expect(gather?.getAttribute('numDigits')).toBe('1');
    expect(gather?.getElementsByTagName('Say')[0]?.textContent).toBe('Press 4');
  });

  it('answers nothing with an empty Response', () => {
    expect(twiml()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
  });
});
