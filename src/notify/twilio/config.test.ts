import { describe, expect, it } from 'vitest';
import { readTwilioEnv } from './config.js';

const SID = `AC${'a1'.repeat(16)}`;

describe('readTwilioEnv', () => {
  it('is off when no variable is set', () => {
    expect(readTwilioEnv({})).toEqual({ twilio: null, problems: [] });
  });

  it('reads a complete account, normalising the number and defaulting the API URL', () => {
    expect(readTwilioEnv({ WATCHKEEPER_TWILIO_ACCOUNT_SID: SID, WATCHKEEPER_TWILIO_AUTH_TOKEN: 'tok', WATCHKEEPER_TWILIO_FROM: '+1 (415) 555-0100' })).toEqual({
      twilio: { accountSid: SID, authToken: 'tok', from: '+14155550100', apiUrl: 'https://api.twilio.com' },
      problems: [],
    });
    expect(readTwilioEnv({ WATCHKEEPER_TWILIO_ACCOUNT_SID: SID, WATCHKEEPER_TWILIO_AUTH_TOKEN: 'tok', WATCHKEEPER_TWILIO_FROM: '+14155550100', WATCHKEEPER_TWILIO_API_URL: 'http://127.0.0.1:9000/' }).twilio?.apiUrl).toBe('http://127.0.0.1:9000');
  });

  it('lists every problem of a half-done setup, naming the variable', () => {
    const r = readTwilioEnv({ WATCHKEEPER_TWILIO_ACCOUNT_SID: 'SK123', WATCHKEEPER_TWILIO_FROM: 'my number', WATCHKEEPER_TWILIO_API_URL: 'ftp://x' });
    expect(r.twilio).toBeNull();
    expect(r.problems.map((p) => p.field)).toEqual(['WATCHKEEPER_TWILIO_ACCOUNT_SID', 'WATCHKEEPER_TWILIO_AUTH_TOKEN', 'WATCHKEEPER_TWILIO_FROM', 'WATCHKEEPER_TWILIO_API_URL']);
    expect(r.problems[0]?.message).toBe('must be "AC" and 32 hexadecimal digits, as on the Twilio console (got "SK123")');
  });

  it('does not take an API URL alone as a setup', () => {
    expect(readTwilioEnv({ WATCHKEEPER_TWILIO_API_URL: 'https://api.twilio.com' }).problems.map((p) => p.field)).toEqual(['WATCHKEEPER_TWILIO_ACCOUNT_SID']);
  });
});
