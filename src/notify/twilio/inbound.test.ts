import { describe, expect, it } from 'vitest';
import { digitByDigit, receiptOf, spoken } from './inbound.js';

describe('status callbacks as receipts', () => {
  it.each([
    [{ MessageSid: 'SM1', MessageStatus: 'delivered' }, { channel: 'sms', providerId: 'SM1', status: 'delivered' }],
    [{ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003' }, { channel: 'sms', providerId: 'SM1', status: 'failed', error: 'SMS undelivered: error 30003 unreachable destination handset' }],
    [{ MessageSid: 'SM1', MessageStatus: 'failed', ErrorCode: '30999' }, { channel: 'sms', providerId: 'SM1', status: 'failed', error: 'SMS failed: error 30999' }],
    [{ MessageSid: 'SM1', MessageStatus: 'failed' }, { channel: 'sms', providerId: 'SM1', status: 'failed', error: 'SMS failed' }],
    [{ CallSid: 'CA1', CallStatus: 'completed' }, { channel: 'voice', providerId: 'CA1', status: 'delivered' }],
    [{ CallSid: 'CA1', CallStatus: 'busy' }, { channel: 'voice', providerId: 'CA1', status: 'failed', error: 'line busy' }],
    [{ CallSid: 'CA1', CallStatus: 'no-answer' }, { channel: 'voice', providerId: 'CA1', status: 'failed', error: 'call not answered' }],
    [{ CallSid: 'CA1', CallStatus: 'failed', ErrorCode: '13224' }, { channel: 'voice', providerId: 'CA1', status: 'failed', error: 'call failed: error 13224' }],
  ])('%j', (params, expected) => {
    expect(receiptOf(params)).toEqual(expected);
  });

  it('ignores statuses on the way (queued, sent, ringing)', () => {
    expect(receiptOf({ MessageSid: 'SM1', MessageStatus: 'queued' })).toBeNull();
    expect(receiptOf({ MessageSid: 'SM1', MessageStatus: 'sent' })).toBeNull();
    expect(receiptOf({ CallSid: 'CA1', CallStatus: 'ringing' })).toBeNull();
    expect(receiptOf({})).toBeNull();
  });
});

describe('speech', () => {
  it('reads symbols as words', () => {
    expect(spoken('Error rate above 5% on #3 & more, see https://grafana.example/d/x')).toBe('Error rate above 5 percent on number 3 and more, see a link');
  });

  it('reads codes digit by digit', () => {
    expect(digitByDigit('Your code is 481516')).toBe('Your code is 4, 8, 1, 5, 1, 6');
    expect(digitByDigit('level 2')).toBe('level 2');
  });
});
