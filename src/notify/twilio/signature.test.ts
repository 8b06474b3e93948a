import { describe, expect, it } from 'vitest';
import { formParams, twilioSignature, verifyTwilioSignature } from './signature.js';

describe('X-Twilio-Signature', () => {
  // The example in Twilio's webhook security documentation.
  const token = '12345';
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params: [string, string][] = [
    ['CallSid', 'CA1234567890ABCDE'],
    ['Caller', '+14158675309'],
    ['Digits', '1234'],
    ['From', '+14158675309'],
    ['To', '+18005551212'],
  ];

  it('matches the signature Twilio documents for its example request', () => {
    expect(twilioSignature(token, url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('does not depend on the order the parameters arrive in', () => {
    expect(twilioSignature(token, url, [...params].reverse())).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('verifies the documented signature and rejects any change to the token, URL, a value or the header', () => {
    expect(verifyTwilioSignature(token, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params)).toBe(true);
    expect(verifyTwilioSignature('12346', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params)).toBe(false);
    expect(verifyTwilioSignature(token, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', 'https://mycompany.com/myapp.php?foo=1&bar=3', params)).toBe(false);
    expect(verifyTwilioSignature(token, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, [...params.slice(0, 2), ['Digits', '4'], ...params.slice(3)])).toBe(false);
    expect(verifyTwilioSignature(token, 'RSOYDt4T1cUTdK1PDd93/VVr8B9=', url, params)).toBe(false);
    expect(verifyTwilioSignature(token, 'short', url, params)).toBe(false);
    expect(verifyTwilioSignature(token, undefined, url, params)).toBe(false);
    expect(verifyTwilioSignature(token, '', url, params)).toBe(false);
  });

  it('reads the parameters from the raw form body, decoding them and keeping repeats', () => {
    const body = 'Body=1a+ok&From=%2B14155550101&Tag=b&Tag=a';
    expect(formParams(body)).toEqual([
      ['Body', '1a ok'],
      ['From', '+14155550101'],
      ['Tag', 'b'],
      ['Tag', 'a'],
    ]);
    // Repeated names sign every value, sorted: the same as sending them in sorted order.
    expect(twilioSignature(token, url, formParams(body))).toBe(twilioSignature(token, url, formParams('Tag=a&Tag=b&From=%2B14155550101&Body=1a%20ok')));
  });
});
