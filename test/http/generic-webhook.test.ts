import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signGenericWebhook } from '../../src/http/compat/generic-webhook.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import { CHECKOUT_GENERIC_KEY, DEMO, DEMO_SECRET_ENV, allAlerts, onlyAlert, type ApiError } from './support.js';

/**
 * The signed generic webhook at /integrations/generic/<key>: HMAC over timestamp + "." + raw body,
 * timestamps checked against the server's (here: fake) clock, every signature usable once.
 */
const SECRET = 'generic-webhook-test-secret-0123456789';

describe.each(storeKinds)('generic webhook on $name', (kind) => {
  let h: Harness;
  beforeAll(() => {
    process.env[DEMO_SECRET_ENV] = SECRET;
  });
  afterEach(async () => {
    await h?.stop();
  });

  const nowSeconds = () => Math.floor(h.clock.now() / 1000);

  /** Posts the exact bytes that were signed. */
  const send = async (raw: string, headers: Record<string, string>, key = CHECKOUT_GENERIC_KEY) => {
    const res = await h.app.http.inject({
      method: 'POST',
      url: `/integrations/generic/${key}`,
      headers: { 'content-type': 'application/json', ...headers },
      payload: raw,
    });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const signed = (raw: string, ts = nowSeconds(), secret = SECRET) => ({
    'x-watchkeeper-timestamp': String(ts),
    'x-watchkeeper-signature': signGenericWebhook(secret, ts, raw),
  });
  const event = (extra: Record<string, unknown> = {}) =>
    // Key order and spacing as a sender might write them: the signature is over these bytes.
    JSON.stringify({ summary: 'Backup job failed', dedup_key: 'nightly-backup', severity: 'warning', source: 'backup-1', details: { exit_code: 2 }, ...extra }, null, 1);
  const expectUnauthorized = (res: { status: number; body: Record<string, unknown> }, message: RegExp) => {
    expect(res.status).toBe(401);
    const err = (res.body as unknown as ApiError).error;
    expect(err.code).toBe('unauthorized');
    expect(err.message).toMatch(message);
  };

  it('accepts a correctly signed event with 202 and stores the alert', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const raw = event();
    const res = await send(raw, signed(raw));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'success', dedup_key: 'nightly-backup', outcome: 'created', alert_id: expect.any(Number) as unknown });
    await h.tick();
    const a = await onlyAlert(h);
    expect(a).toMatchObject({ id: res.body.alert_id, status: 'triggered', severity: 'medium', summary: 'Backup job failed', source: 'backup-1', service: { name: 'Checkout API' }, count: 1 });
    expect(h.paged()).toEqual(['alice@example.com']);
  });

  it('accepts timestamps up to 300 seconds away from the server clock in either direction', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const early = event({ dedup_key: 'early' });
    const late = event({ dedup_key: 'late' });
    expect((await send(early, signed(early, nowSeconds() - 300))).status).toBe(202);
    expect((await send(late, signed(late, nowSeconds() + 300))).status).toBe(202);
    expect((await allAlerts(h)).map((a) => a.dedup_key).sort()).toEqual(['early', 'late']);
  });

  it('resolves the alert with a signed resolve event', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const raw = event();
    await send(raw, signed(raw));
    h.clock.advanceMinutes(1);
    const resolve = JSON.stringify({ action: 'resolve', dedup_key: 'nightly-backup' });
    const res = await send(resolve, signed(resolve));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ outcome: 'resolved' });
    expect(await onlyAlert(h)).toMatchObject({ status: 'resolved', resolved_by: 'generic' });
  });

  it('refuses a request without a signature with 401 naming the missing header, and stores nothing', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const raw = event();
    expectUnauthorized(await send(raw, { 'x-watchkeeper-timestamp': String(nowSeconds()) }), /missing X-Watchkeeper-Signature header/);
    expectUnauthorized(await send(raw, { 'x-watchkeeper-signature': signGenericWebhook(SECRET, nowSeconds(), raw) }), /missing X-Watchkeeper-Timestamp header/);
    expect(await allAlerts(h)).toEqual([]);
  });

  it('refuses a bad signature with 401 saying it does not match, and stores nothing', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const raw = event();
    expectUnauthorized(await send(raw, signed(raw, nowSeconds(), 'the-wrong-secret')), /signature does not match/);
    // Signed over other bytes than the ones sent (a body re-serialised after signing).
    expectUnauthorized(await send(JSON.stringify(JSON.parse(raw)), signed(raw)), /signature does not match/);
    // Signed with one timestamp, sent with another.
    const headers = signed(raw);
    expectUnauthorized(await send(raw, { ...headers, 'x-watchkeeper-timestamp': String(nowSeconds() - 1) }), /signature does not match/);
    expectUnauthorized(await send(raw, { ...signed(raw), 'x-watchkeeper-signature': 'sha256=abc' }), /no "v1=" signature/);
    expect(await allAlerts(h)).toEqual([]);
  });

  it('refuses a timestamp 301 seconds in the past or the future with 401 naming the skew, and stores nothing', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const raw = event();
    expectUnauthorized(await send(raw, signed(raw, nowSeconds() - 301)), /301 seconds away from server time \(limit 300\)/);
    expectUnauthorized(await send(raw, signed(raw, nowSeconds() + 301)), /301 seconds away from server time \(limit 300\)/);
    // Milliseconds instead of seconds is called out as such.
    expectUnauthorized(await send(raw, signed(raw, h.clock.now())), /looks like milliseconds/);
    expect(await allAlerts(h)).toEqual([]);
  });

  it('checks the timestamp against the server clock, so a request signed before the clock moved on expires', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const raw = event();
    const headers = signed(raw);
    h.clock.advanceMinutes(6);
    expectUnauthorized(await send(raw, headers), /seconds away from server time/);
    expect(await allAlerts(h)).toEqual([]);
  });

  it('refuses a replay of an already used signature with 401, leaving the alert counted once', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const raw = event();
    const headers = signed(raw);
    expect((await send(raw, headers)).status).toBe(202);
    h.clock.advanceMinutes(1);
    expectUnauthorized(await send(raw, headers), /already used.*replay/);
    const a = await onlyAlert(h);
    expect(a.count).toBe(1);
    // The same event signed afresh is a legitimate repeat.
    h.clock.advanceMinutes(1);
    const again = await send(raw, signed(raw));
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ outcome: 'deduplicated' });
    expect((await onlyAlert(h)).count).toBe(2);
  });

  it('answers 503 naming the variable when the integration’s secret is not set on the server, and stores nothing', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const raw = event();
    delete process.env[DEMO_SECRET_ENV];
    try {
      const res = await send(raw, signed(raw));
      expect(res.status).toBe(503);
      expect((res.body as unknown as ApiError).error).toMatchObject({ code: 'unavailable', message: expect.stringContaining(DEMO_SECRET_ENV) as unknown });
    } finally {
      process.env[DEMO_SECRET_ENV] = SECRET;
    }
    expect(await allAlerts(h)).toEqual([]);
  });

  it('refuses an unknown key with 401 and a signed but invalid event with 400 naming the field', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const raw = event();
    expectUnauthorized(await send(raw, signed(raw), '9'.repeat(32)), /unknown generic integration key/);
    const bad = JSON.stringify({ summary: 'x', dedup_key: '' });
    const res = await send(bad, signed(bad));
    expect(res.status).toBe(400);
    expect((res.body as unknown as ApiError).error).toMatchObject({ code: 'invalid', field: 'dedup_key' });
    expect(await allAlerts(h)).toEqual([]);
  });
});
