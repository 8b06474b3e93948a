import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queueNotice } from '../../src/notify/notices.js';
import { twilioSignature } from '../../src/notify/twilio/signature.js';
import { DEFAULT_DELIVERY_LIMITS } from '../../src/notify/throttle.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds, sqliteKind } from '../helpers/stores.js';
import { FakeTwilio } from '../helpers/twilio-server.js';

/**
 * SMS and voice from end to end: an alert pages a person's phone through a Twilio REST server on
 * loopback, and the person answers as they would on their phone (a reply code, a keypress, STOP),
 * through Twilio's signed webhooks to the listening server.
 */
const ALICE = '+14155550101';
const BOB = '+14155550102';
const DAVE = '+14155550103';
const PAYMENTS_KEY = 'twilio0payments0events0v20000000';
const SEARCH_KEY = 'twilio0search0events0v2000000000';

const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods:
      - { name: phone, type: sms, address: "+1 415 555 0101" }
    notification_rules:
      - { contact_method: phone }
  - name: bob
    email: bob@example.com
    contact_methods:
      - { name: phone, type: voice, address: "${BOB}" }
    notification_rules:
      - { contact_method: phone }
  - name: dave
    email: dave@example.com
    contact_methods:
      - { name: phone, type: sms, address: "${DAVE}" }
    notification_rules:
      - { contact_method: phone }
escalation_policies:
  - name: payments
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 5
      - targets: [{ user: bob }]
        delay_minutes: 15
  - name: search
    levels:
      - targets: [{ user: bob }]
        delay_minutes: 5
services:
  - name: Payments API
    escalation_policy: payments
    integrations:
      - { name: events, type: events_v2, key: ${PAYMENTS_KEY} }
  - name: Search
    escalation_policy: search
    integrations:
      - { name: events, type: events_v2, key: ${SEARCH_KEY} }
`;

interface AlertView {
  alert: { id: number; status: string; acknowledged_by: string | null; resolved_by: string | null; escalation: { level: number | null } };
  timeline: { kind: string; surface: string; actor: { name: string }; message: string }[];
  pages: { user: { name: string | null }; channel: string; destination: string; status: string; attempts: number; last_error: string | null }[];
}

describe.each(storeKinds)('SMS and voice through Twilio on $name', (kind) => {
  let h: Harness;
  let twilio: FakeTwilio;

  beforeEach(async () => {
    twilio = new FakeTwilio();
    await twilio.start();
    h = await Harness.start(kind, { orgYaml: ORG, listen: true, twilio: twilio.options() });
    twilio.attach(h.app.ctx.publicUrl, h.baseUrl);
  });
  afterEach(async () => {
    await h?.stop();
    await twilio?.stop();
  });

  let seq = 0;
  const trigger = async (key = PAYMENTS_KEY, summary = 'Error rate 7%') => {
    const dedup = `k${++seq}`;
    const res = await h.enqueue({ routing_key: key, event_action: 'trigger', dedup_key: dedup, payload: { summary, source: 'prometheus', severity: 'critical' } });
    expect(res.status).toBe(202);
    const list = await h.api('GET', '/api/v1/alerts?status=triggered');
    const alert = (list.body.alerts as { id: number; dedup_key: string }[]).find((a) => a.dedup_key === dedup);
    if (!alert) throw new Error(`no alert ${dedup}`);
    await h.tick();
    return alert.id;
  };
  const view = async (id: number) => (await h.api('GET', `/api/v1/alerts/${id}`)).body as unknown as AlertView;
  const reply = async (from: string, body: string) => {
    const r = await twilio.text(from, body);
    expect(r.status).toBe(200);
    return FakeTwilio.reply(r);
  };

  it('pages by SMS with reply codes; replying the code acknowledges, then resolves, as that person via sms', async () => {
    const id = await trigger();
    const [sms, ...more] = twilio.messagesTo(ALICE);
    expect(more).toEqual([]);
    expect(sms?.from).toBe(twilio.from);
    expect(sms?.body).toBe(`[CRITICAL] Payments API: Error rate 7% (#${id}). Reply 1a to ack, 1r resolve, 1e escalate`);
    expect(sms?.statusCallback).toBe('http://watchkeeper.test/integrations/twilio/status');
    expect(twilio.requests.map((r) => [r.path, r.status])).toEqual([[`/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`, 201]]);

    expect(await reply(ALICE, '1a')).toBe(`Acknowledged #${id}: Error rate 7%. Reply 1r to resolve.`);
    let v = await view(id);
    expect(v.alert.status).toBe('acknowledged');
    expect(v.alert.acknowledged_by).toBe('alice');
    expect(v.timeline.find((e) => e.kind === 'acknowledged')).toMatchObject({ surface: 'sms', actor: { name: 'alice' }, message: 'acknowledged by alice via sms' });

    expect(await reply(ALICE, '1A')).toBe(`#${id} was already acknowledged by alice.`);
    expect(await reply(ALICE, ' 1 r ')).toBe(`Resolved #${id}: Error rate 7%.`);
    v = await view(id);
    expect(v.alert.status).toBe('resolved');
    expect(v.timeline.find((e) => e.kind === 'resolved')).toMatchObject({ surface: 'sms', message: 'resolved by alice via sms' });
  });

  it('escalates on the e code: the next level is paged, and its phone rings', async () => {
    const id = await trigger();
    expect(await reply(ALICE, '1e')).toBe(`Escalated #${id} to level 2: Error rate 7%.`);
    await h.tick();
    expect((await view(id)).alert.escalation.level).toBe(2);
    expect(twilio.callsTo(BOB)).toHaveLength(1);
  });

  it('gives each open alert on a number its own code, and a second alert does not take the first one’s', async () => {
    const first = await trigger();
    const second = await trigger(PAYMENTS_KEY, 'Latency p99 above 2 s');
    expect(twilio.messagesTo(ALICE).map((m) => m.body)).toEqual([
      `[CRITICAL] Payments API: Error rate 7% (#${first}). Reply 1a to ack, 1r resolve, 1e escalate`,
      `[CRITICAL] Payments API: Latency p99 above 2 s (#${second}). Reply 2a to ack, 2r resolve, 2e escalate`,
    ]);
    expect(await reply(ALICE, '2a')).toBe(`Acknowledged #${second}: Latency p99 above 2 s. Reply 2r to resolve.`);
    expect((await view(first)).alert.status).toBe('triggered');
  });

  it('changes nothing for another person’s code, an unknown code or words, and says what to send instead', async () => {
    const id = await trigger();
    expect(await reply(DAVE, '1a')).toBe('Unknown code 1: no alert was sent to this number with code 1. Reply HELP for help.');
    expect(await reply(ALICE, '7a')).toBe('Unknown code 7: no alert was sent to this number with code 7. Reply HELP for help.');
    expect(await reply(ALICE, '1x')).toBe('Unknown code 1x. Reply 1a to acknowledge, 1r to resolve, 1e to escalate.');
    expect(await reply(ALICE, 'on it')).toBe('Watchkeeper did not understand "on it". Reply with the code from an alert, e.g. 3a to acknowledge. HELP for help.');
    expect(await reply(ALICE, 'help')).toMatch(/^Watchkeeper alerts\. Reply with the code from an alert/);
    const v = await view(id);
    expect(v.alert.status).toBe('triggered');
    expect(v.timeline.filter((e) => e.surface === 'sms')).toEqual([]);
  });

  it('with noise limits on, alerts held for one number go out as one SMS naming how many, with the link to them', async () => {
    await h.stop();
    h = await Harness.start(kind, { orgYaml: ORG, listen: true, twilio: twilio.options(), deliveryLimits: DEFAULT_DELIVERY_LIMITS });
    twilio.attach(h.app.ctx.publicUrl, h.baseUrl);
    const first = await trigger(PAYMENTS_KEY, 'Error rate 7%');
    await trigger(PAYMENTS_KEY, 'Latency p99 3 s');
    await trigger(PAYMENTS_KEY, 'Queue backlog');
    expect(twilio.messagesTo(ALICE).map((m) => m.body)).toEqual([`[CRITICAL] Payments API: Error rate 7% (#${first}). Reply 1a to ack, 1r resolve, 1e escalate`]);
    await h.advanceMinutes(1);
    const [, bundled, ...rest] = twilio.messagesTo(ALICE);
    expect(rest).toEqual([]);
    expect(bundled?.body).toMatch(/^\[CRITICAL\] 2 new alerts on Payments API: (Latency p99 3 s; Queue backlog|Queue backlog; Latency p99 3 s) http:\/\/watchkeeper\.test\/alerts$/);
    expect(bundled!.body.length).toBeLessThanOrEqual(160);
  });

  it('calls, reads the alert, repeats the menu on a wrong key and acknowledges on 4 as that person via voice', async () => {
    const id = await trigger(SEARCH_KEY, 'Index lag above 5%');
    const [call] = twilio.callsTo(BOB);
    if (!call) throw new Error('no call to bob');
    expect(call.url).toBe(`http://watchkeeper.test/integrations/twilio/voice?alert=${id}&code=1`);
    expect(call.statusCallback).toBe('http://watchkeeper.test/integrations/twilio/status');

    const answered = await twilio.answer(call);
    expect(answered.status).toBe(200);
    expect(answered.twiml?.says[0]).toBe('Watchkeeper alert. Critical. Search. Index lag above 5 percent.');
    expect(answered.twiml?.says[1]).toBe('Press 4 to acknowledge. Press 6 to resolve. Press 8 to escalate.');
    if (!answered.twiml) throw new Error('no TwiML');

    const wrong = await twilio.press(call, answered.twiml, '9');
    expect(wrong.twiml?.says.slice(0, 2)).toEqual(['9 is not an option.', 'Press 4 to acknowledge. Press 6 to resolve. Press 8 to escalate.']);
    expect((await view(id)).alert.status).toBe('triggered');

    const pressed = await twilio.press(call, wrong.twiml!, '4');
    expect(pressed.twiml?.says[0]).toBe(`Acknowledged. Alert ${id}, Index lag above 5 percent.`);
    expect(pressed.twiml?.hangup).toBe(true);
    const v = await view(id);
    expect(v.alert).toMatchObject({ status: 'acknowledged', acknowledged_by: 'bob' });
    expect(v.timeline.find((e) => e.kind === 'acknowledged')).toMatchObject({ surface: 'voice', message: 'acknowledged by bob via voice' });
  });

  it('resolves on 6 and escalates on 8 during a call', async () => {
    const a = await trigger(SEARCH_KEY, 'Index lag');
    const b = await trigger(SEARCH_KEY, 'Shard down');
    const [callA, callB] = twilio.callsTo(BOB);
    const menuA = (await twilio.answer(callA!)).twiml!;
    expect((await twilio.press(callA!, menuA, '6')).twiml?.says[0]).toBe(`Resolved. Alert ${a}, Index lag.`);
    expect((await view(a)).alert.status).toBe('resolved');
    const menuB = (await twilio.answer(callB!)).twiml!;
    // The search policy has one level: escalating past it is refused, and said so.
    expect((await twilio.press(callB!, menuB, '8')).twiml?.says[0]).toBe(`Could not escalate: alert ${b} is at the last level (1) of its policy; name a level to page it again.`);
    expect((await view(b)).alert.status).toBe('triggered');
  });

  it('STOP opts the number out: later pages fail for good with the reason, START turns them back on', async () => {
    await trigger();
    const stop = await twilio.text(ALICE, 'Stop');
    expect(stop.status).toBe(200);
    expect(stop.twiml?.messages).toEqual([]);
    const status = await h.api('GET', '/api/v1/integrations/twilio');
    expect(status.body).toMatchObject({ configured: true, from: twilio.from, opted_out: { count: 1, numbers: [{ phone: ALICE, users: ['alice'], keyword: 'STOP' }] } });

    const id = await trigger();
    expect(twilio.messagesTo(ALICE)).toHaveLength(1);
    const page = (await view(id)).pages.find((p) => p.destination === ALICE);
    expect(page).toMatchObject({ status: 'failed', last_error: 'number opted out: the person must text START' });

    expect(await reply(ALICE, 'START')).toBe('Watchkeeper: SMS and calls to this number are on again. Reply HELP for help.');
    const again = await trigger();
    expect(twilio.messagesTo(ALICE)).toHaveLength(2);
    expect((await view(again)).pages.find((p) => p.destination === ALICE)?.status).toBe('sent');
    const audit = await h.store.db.selectFrom('audit_log').select(['action', 'actor_name', 'surface']).where('action', 'like', 'twilio.%').orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'twilio.opt_out', actor_name: 'alice', surface: 'sms' },
      { action: 'twilio.opt_in', actor_name: 'alice', surface: 'sms' },
    ]);
  });

  it('treats Twilio’s 21610 (unsubscribed) as an opt-out and a bad number as a permanent failure with the fix', async () => {
    twilio.reject(ALICE, { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    const id = await trigger();
    expect((await view(id)).pages[0]).toMatchObject({ status: 'failed', attempts: 1, last_error: 'number opted out: the person must text START' });
    expect((await h.api('GET', '/api/v1/integrations/twilio')).body).toMatchObject({ opted_out: { count: 1 } });

    twilio.reject(DAVE, { status: 400, code: 21211, message: `The 'To' number ${DAVE} is not a valid phone number.` });
    await h.store.db.deleteFrom('twilio_opt_outs').execute();
    const res = await h.api('POST', `/api/v1/alerts/${id}/reassign`, { user: 'dave' });
    expect(res.status).toBe(200);
    await h.tick();
    const page = (await view(id)).pages.find((p) => p.destination === DAVE);
    expect(page).toMatchObject({ status: 'failed', attempts: 1 });
    expect(page?.last_error).toBe(`not a valid phone number; fix the contact method (Twilio 21211: The 'To' number ${DAVE} is not a valid phone number.)`);
  });

  it('records delivery receipts: delivered, undelivered with its error code, and calls not answered', async () => {
    const a = await trigger();
    const b = await trigger();
    const [smsA, smsB] = twilio.messagesTo(ALICE);
    expect(await twilio.messageStatus(smsA!, 'sent')).toBe(204);
    expect((await view(a)).pages[0]?.status).toBe('sent');
    expect(await twilio.messageStatus(smsA!, 'delivered')).toBe(204);
    let v = await view(a);
    expect(v.pages[0]?.status).toBe('delivered');
    expect(v.timeline.find((e) => e.kind === 'page_delivered')?.message).toBe(`page delivered to alice via sms (${ALICE})`);

    expect(await twilio.messageStatus(smsB!, 'undelivered', '30003')).toBe(204);
    v = await view(b);
    expect(v.pages[0]).toMatchObject({ status: 'failed', last_error: 'SMS undelivered: error 30003 unreachable destination handset' });

    const c = await trigger(SEARCH_KEY, 'Index lag');
    const call = twilio.callsTo(BOB).find((x) => x.url.includes(`alert=${c}&`));
    expect(await twilio.callStatus(call!, 'no-answer')).toBe(204);
    expect((await view(c)).pages[0]).toMatchObject({ status: 'failed', last_error: 'call not answered' });
  });

  it('retries when Twilio answers 500, with backoff and Retry-After, and the page then goes out', async () => {
    twilio.failNext(2, { status: 500, code: 20500, message: 'Internal Server Error' });
    const id = await trigger();
    let page = (await view(id)).pages[0];
    expect(page).toMatchObject({ status: 'pending', attempts: 1, last_error: 'Twilio 20500: Internal Server Error (HTTP 500)' });
    expect(twilio.messages).toHaveLength(0);
    await h.advanceMinutes(0.05); // 3 s: before the first backoff (5 s) ends
    expect(twilio.requests).toHaveLength(1);
    h.clock.advance(2_000);
    await h.tick();
    expect(twilio.requests).toHaveLength(2);
    page = (await view(id)).pages[0];
    expect(page).toMatchObject({ status: 'pending', attempts: 2 });
    h.clock.advance(15_000);
    await h.tick();
    expect((await view(id)).pages[0]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(twilio.messagesTo(ALICE)).toHaveLength(1);

    twilio.failNext(1, { status: 429, code: 20429, message: 'Too Many Requests', retryAfter: '120' });
    const other = await trigger();
    expect((await view(other)).pages[0]).toMatchObject({ status: 'pending', attempts: 1 });
    h.clock.advance(60_000);
    await h.tick();
    expect((await view(other)).pages[0]?.attempts).toBe(1);
    h.clock.advance(60_000);
    await h.tick();
    expect((await view(other)).pages[0]?.status).toBe('sent');
  });

  it('rejects forged requests on every webhook with 403 and changes nothing', async () => {
    const id = await trigger();
    const search = await trigger(SEARCH_KEY, 'Index lag');
    const [sms] = twilio.messagesTo(ALICE);
    const [call] = twilio.callsTo(BOB);
    const forged = 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=';

    expect((await twilio.text(ALICE, '1a', forged)).status).toBe(403);
    expect((await twilio.text(ALICE, 'STOP', '')).status).toBe(403);
    expect((await twilio.answer(call!, forged)).status).toBe(403);
    const menu = (await twilio.answer(call!)).twiml!;
    expect((await twilio.press(call!, menu, '4', forged)).status).toBe(403);
    expect(await twilio.messageStatus(sms!, 'delivered', undefined, forged)).toBe(403);
    expect((await twilio.post(`http://watchkeeper.test/integrations/twilio/voice/notice?notice=1`, { To: BOB }, forged)).status).toBe(403);
    // Signed for another URL: a valid signature of one request does not carry over to another.
    const other = await twilio.post('http://watchkeeper.test/integrations/twilio/sms', { From: ALICE, Body: '1a' }, twilioSignature(twilio.authToken, 'http://watchkeeper.test/integrations/twilio/status', [['From', ALICE], ['Body', '1a']]));
    expect(other.status).toBe(403);
    // Signed with another account's token.
    const stranger = twilioSignature('not-this-account', 'http://watchkeeper.test/integrations/twilio/sms', [['From', ALICE], ['Body', '1a']]);
    expect((await twilio.post('http://watchkeeper.test/integrations/twilio/sms', { From: ALICE, Body: '1a' }, stranger)).status).toBe(403);

    expect((await view(id)).alert.status).toBe('triggered');
    expect((await view(id)).pages[0]?.status).toBe('sent');
    expect((await view(search)).alert.status).toBe('triggered');
    expect(await h.store.db.selectFrom('twilio_opt_outs').selectAll().execute()).toEqual([]);
  });

  it('reads a notice aloud by voice with codes digit by digit, and texts notices by SMS', async () => {
    const org = await h.app.ctx.org.get(h.store.db);
    const bobPhone = [...org.contactMethods.values()].find((c) => c.address === BOB)!;
    const alicePhone = [...org.contactMethods.values()].find((c) => c.address === ALICE)!;
    const now = h.clock.now();
    await h.store.tx(async (trx) => {
      await queueNotice(trx, org, now, { userId: bobPhone.user_id, kind: 'verification', key: 'v1', subject: 'Verification code', text: 'Your code is 481516', short: 'Your Watchkeeper verification code is 481516', contactMethodId: bobPhone.id });
      await queueNotice(trx, org, now, { userId: alicePhone.user_id, kind: 'verification', key: 'v2', subject: 'Verification code', text: 'Your code is 234234', short: 'Your Watchkeeper verification code is 234234', contactMethodId: alicePhone.id });
    });
    await h.tick();
    expect(twilio.messagesTo(ALICE).map((m) => m.body)).toEqual(['Watchkeeper: Your Watchkeeper verification code is 234234']);
    const [call] = twilio.callsTo(BOB);
    expect(call?.url).toMatch(/^http:\/\/watchkeeper\.test\/integrations\/twilio\/voice\/notice\?notice=\d+$/);
    const script = (await twilio.answer(call!)).twiml!;
    expect(script.says[0]).toBe('This is Watchkeeper. Your Watchkeeper verification code is 4, 8, 1, 5, 1, 6');
    expect(script.says[1]).toBe('Again: Your Watchkeeper verification code is 4, 8, 1, 5, 1, 6');
    const notice = await h.store.db.selectFrom('notices').select(['status', 'provider_id']).where('destination', '=', BOB).executeTakeFirstOrThrow();
    expect(notice).toEqual({ status: 'sent', provider_id: call!.sid });
    // The notice is for bob's number only.
    const elsewhere = await twilio.post(call!.url, { CallSid: call!.sid, To: DAVE, From: twilio.from });
    expect(elsewhere.text).toContain('This message is no longer available.');
  });
});

describe('without a Twilio account', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('registers no sms or voice channel, says so on the API, and answers the webhooks 404', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ORG });
    expect(h.app.senders.get('sms')).toBeUndefined();
    expect(h.app.senders.get('voice')).toBeUndefined();
    const status = await h.api('GET', '/api/v1/integrations/twilio');
    expect(status.body).toMatchObject({ configured: false, channels: [], from: null, webhooks: { incoming_sms: 'http://watchkeeper.test/integrations/twilio/sms' }, opted_out: { count: 0, numbers: [] } });
    const res = await h.app.http.inject({ method: 'POST', url: '/integrations/twilio/sms', payload: 'From=%2B14155550101&Body=1a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(404);
  });

  it('fails pages for good when Twilio rejects the credentials, naming the variables to check', async () => {
    const twilio = new FakeTwilio();
    await twilio.start();
    try {
      h = await Harness.start(sqliteKind, { orgYaml: ORG, twilio: { ...twilio.options(), authToken: 'wrong' } });
      await h.enqueue({ routing_key: PAYMENTS_KEY, event_action: 'trigger', dedup_key: 'x', payload: { summary: 'Error rate 7%', source: 'p', severity: 'critical' } });
      await h.tick();
      const page = await h.store.db.selectFrom('pages').select(['status', 'last_error']).executeTakeFirstOrThrow();
      expect(page).toEqual({ status: 'failed', last_error: 'Twilio rejected the account credentials; check WATCHKEEPER_TWILIO_ACCOUNT_SID and WATCHKEEPER_TWILIO_AUTH_TOKEN (Twilio 20003: Authenticate)' });
    } finally {
      await twilio.stop();
    }
  });
});
