import { describe, expect, it } from 'vitest';
import { sampleBundle, samplePage } from '../page-message.fixture.js';
import { MAX_SMS, parseReply, smsBundleBody, smsNoticeBody, smsPageBody } from './sms-text.js';

describe('parseReply', () => {
  it.each([
    ['42a', { kind: 'action', code: 42, action: 'acknowledge' }],
    ['42A', { kind: 'action', code: 42, action: 'acknowledge' }],
    [' 42 a ', { kind: 'action', code: 42, action: 'acknowledge' }],
    ['ack 42', { kind: 'action', code: 42, action: 'acknowledge' }],
    ['a42', { kind: 'action', code: 42, action: 'acknowledge' }],
    ['3r', { kind: 'action', code: 3, action: 'resolve' }],
    ['3c', { kind: 'action', code: 3, action: 'resolve' }],
    ['3 close', { kind: 'action', code: 3, action: 'resolve' }],
    ['3e', { kind: 'action', code: 3, action: 'escalate' }],
    ['escalate 3', { kind: 'action', code: 3, action: 'escalate' }],
    ['42x', { kind: 'bad_action', code: 42, text: '42x' }],
    ['STOP', { kind: 'stop', keyword: 'STOP' }],
    ['stop', { kind: 'stop', keyword: 'STOP' }],
    ['Stop.', { kind: 'stop', keyword: 'STOP' }],
    ['unsubscribe', { kind: 'stop', keyword: 'UNSUBSCRIBE' }],
    ['STOPALL', { kind: 'stop', keyword: 'STOPALL' }],
    ['cancel', { kind: 'stop', keyword: 'CANCEL' }],
    ['end', { kind: 'stop', keyword: 'END' }],
    ['quit', { kind: 'stop', keyword: 'QUIT' }],
    ['START', { kind: 'start' }],
    ['unstop', { kind: 'start' }],
    ['yes', { kind: 'start' }],
    ['help', { kind: 'help' }],
    ['info', { kind: 'help' }],
    ['stop escalating 3', { kind: 'unknown', text: 'stop escalating 3' }],
    ['0a', { kind: 'unknown', text: '0a' }],
    ['42', { kind: 'unknown', text: '42' }],
    ['a', { kind: 'unknown', text: 'a' }],
    ['1234567a', { kind: 'unknown', text: '1234567a' }],
    ['', { kind: 'unknown', text: '' }],
  ])('reads %j', (body, expected) => {
    expect(parseReply(body)).toEqual(expected);
  });
});

describe('smsPageBody', () => {
  const msg = (summary: string, serviceName = 'Payments API') => samplePage({ channel: 'sms', alert: { id: 42, severity: 'critical', summary, serviceName } });

  it('reads as one line with the reply codes', () => {
    expect(smsPageBody(msg('error rate 7%'), 3)).toBe('[CRITICAL] Payments API: error rate 7% (#42). Reply 3a to ack, 3r resolve, 3e escalate');
  });

  it('cuts a long summary to fit one SMS and keeps the reply codes whole', () => {
    const body = smsPageBody(msg(`checkout error rate above 5% for ten minutes ${'in every region '.repeat(20)}`), 12);
    expect(body.length).toBeLessThanOrEqual(MAX_SMS);
    expect(body.length).toBeGreaterThan(MAX_SMS - 5);
    expect(body).toMatch(/^\[CRITICAL\] Payments API: checkout error rate above 5% for ten minutes in every region .*… \(#42\)\. Reply 12a to ack, 12r resolve, 12e escalate$/);
  });

  it('shortens a very long service name before the summary disappears', () => {
    const body = smsPageBody(msg('disk full on db-7', `Customer Identity and Access Management Platform ${'(legacy) '.repeat(8)}`), 999999);
    expect(body.length).toBeLessThanOrEqual(MAX_SMS);
    expect(body).toContain(': disk full on db-7 (#42). Reply 999999a to ack, 999999r resolve, 999999e escalate');
  });

  it('puts a multi-line summary on one line and marks test pages without codes', () => {
    const m = { ...msg('line one\n\nline two'), kind: 'test' as const };
    expect(smsPageBody(m, null)).toBe('[TEST] [CRITICAL] Payments API: line one line two (#42).');
  });

  it('marks notices as Watchkeeper’s and keeps them to one SMS', () => {
    expect(smsNoticeBody('Your verification code is 481516')).toBe('Watchkeeper: Your verification code is 481516');
    expect(smsNoticeBody('Watchkeeper verification code: 481516')).toBe('Watchkeeper verification code: 481516');
    expect(smsNoticeBody('x'.repeat(400)).length).toBe(MAX_SMS);
  });
});

describe('smsBundleBody', () => {
  it('names how many alerts and where in one SMS with the link to them, and offers no reply code', () => {
    const body = smsBundleBody(samplePage({ bundle: sampleBundle(12) }));
    expect(body.length).toBeLessThanOrEqual(MAX_SMS);
    expect(body).toMatch(/^\[CRITICAL\] 12 new alerts on Clipper Critical: /);
    expect(body.endsWith(' https://watchkeeper.example.com/alerts')).toBe(true);
    expect(body).not.toMatch(/Reply \d+a/);
  });
});
