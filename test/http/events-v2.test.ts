import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import { CHECKOUT_EVENTS_KEY, DEMO, PAYMENTS_EVENTS_KEY, alertDetail, allAlerts, onlyAlert } from './support.js';

/**
 * PagerDuty Events API v2 at POST /v2/enqueue, through the real HTTP stack: what senders built for
 * PagerDuty see (status codes and bodies), and what Watchkeeper stores and pages as a result.
 */
describe.each(storeKinds)('Events API v2 on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const trigger = (extra: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) =>
    h.enqueue({
      routing_key: CHECKOUT_EVENTS_KEY,
      event_action: 'trigger',
      payload: { summary: 'Checkout latency above 2 s', source: 'web-1', severity: 'critical', ...payload },
      ...extra,
    });

  const invalidEvent = { status: 'invalid event', message: 'Event object is invalid' };

  it('accepts a trigger with 202 and the PagerDuty success body, and opens a triggered alert that pages level 1', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const res = await trigger({ dedup_key: 'checkout-latency' }, { component: 'api', class: 'latency', custom_details: { p99_ms: 2300 } });
    expect(res).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'checkout-latency' } });
    await h.tick();

    const a = await onlyAlert(h);
    expect(a).toMatchObject({
      status: 'triggered',
      severity: 'critical',
      summary: 'Checkout latency above 2 s',
      service: { name: 'Checkout API' },
      dedup_key: 'checkout-latency',
      source: 'web-1',
      component: 'api',
      class: 'latency',
      count: 1,
      escalation: { policy: { name: 'default' }, level: 1, levels: 3 },
    });
    expect((await alertDetail(h, a.id)).alert).toMatchObject({ details: { p99_ms: 2300 } });
    expect(h.paged()).toEqual(['alice@example.com']);
  });

  it('generates a dedup_key for a trigger without one, and every such trigger opens a new alert', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const first = await trigger();
    const second = await trigger();
    const blank = await trigger({ dedup_key: '' });
    for (const r of [first, second, blank]) {
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ status: 'success', message: 'Event processed' });
      expect(r.body.dedup_key).toEqual(expect.any(String));
      expect((r.body.dedup_key as string).length).toBeGreaterThan(0);
    }
    const keys = [first.body.dedup_key, second.body.dedup_key, blank.body.dedup_key];
    expect(new Set(keys).size).toBe(3);

    const alerts = await allAlerts(h);
    expect(alerts).toHaveLength(3);
    expect(alerts.map((a) => a.dedup_key).sort()).toEqual([...keys].sort());
    expect(alerts.every((a) => a.count === 1 && a.status === 'triggered')).toBe(true);
  });

  it('counts a repeated trigger on the open alert, moves last_seen_at, and does not page again', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    expect((await trigger({ dedup_key: 'disk-full' })).status).toBe(202);
    await h.tick();
    expect(h.paged()).toEqual(['alice@example.com']);
    const before = await onlyAlert(h);

    h.clock.advanceMinutes(2);
    const again = await trigger({ dedup_key: 'disk-full' }, { summary: 'Disk full again' });
    expect(again).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'disk-full' } });
    await h.tick();

    const after = await onlyAlert(h);
    expect(after.id).toBe(before.id);
    expect(after.count).toBe(2);
    expect(after.first_seen_at).toBe(before.first_seen_at);
    expect(Date.parse(after.last_seen_at) - Date.parse(before.last_seen_at)).toBe(2 * 60_000);
    expect(h.paged()).toEqual(['alice@example.com']);
    const detail = await alertDetail(h, after.id);
    expect(detail.timeline.filter((e) => e.kind === 'repeated')).toHaveLength(1);
  });

  it('acknowledges the alert by dedup_key and stops its escalation', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    await trigger({ dedup_key: 'db-down' });
    await h.tick();
    await h.advanceMinutes(1);
    const ack = await h.enqueue({ routing_key: CHECKOUT_EVENTS_KEY, event_action: 'acknowledge', dedup_key: 'db-down' });
    expect(ack).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'db-down' } });

    const a = await onlyAlert(h);
    expect(a.status).toBe('acknowledged');
    expect(a.acknowledged_by).toBe('events-v2');
    expect(a.acknowledged_at).toBe(new Date(h.clock.now()).toISOString());
    // Level 1 waits 5 minutes, level 2 15 more: nobody beyond Alice is paged once acknowledged.
    for (const minutes of [5, 15, 15, 60]) await h.advanceMinutes(minutes);
    expect(h.paged()).toEqual(['alice@example.com']);
    expect((await onlyAlert(h)).status).toBe('acknowledged');
    const detail = await alertDetail(h, a.id);
    expect(detail.timeline.find((e) => e.kind === 'acknowledged')).toMatchObject({ actor: { kind: 'integration', name: 'events-v2' }, surface: 'events_v2' });
  });

  it('resolves the alert by dedup_key, and a trigger after that opens a new alert with the same key', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    await trigger({ dedup_key: 'cert-expiry' });
    await h.tick();
    const res = await h.enqueue({ routing_key: CHECKOUT_EVENTS_KEY, event_action: 'resolve', dedup_key: 'cert-expiry' });
    expect(res).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'cert-expiry' } });
    const resolved = await onlyAlert(h);
    expect(resolved).toMatchObject({ status: 'resolved', resolved_by: 'events-v2' });
    await h.advanceMinutes(30);
    expect(h.paged()).toEqual(['alice@example.com']);

    h.clock.advanceMinutes(10);
    expect((await trigger({ dedup_key: 'cert-expiry' })).status).toBe(202);
    await h.tick();
    const alerts = await allAlerts(h);
    expect(alerts).toHaveLength(2);
    const [fresh, old] = alerts as [(typeof alerts)[0], (typeof alerts)[0]];
    expect(fresh.id).not.toBe(old.id);
    expect(fresh).toMatchObject({ status: 'triggered', dedup_key: 'cert-expiry', count: 1 });
    expect(old).toMatchObject({ id: resolved.id, status: 'resolved', dedup_key: 'cert-expiry', count: 1 });
    expect(h.paged()).toEqual(['alice@example.com', 'alice@example.com']);
  });

  it('answers acknowledge and resolve for an unknown dedup_key with 202 and changes nothing', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    await trigger({ dedup_key: 'known' });
    await h.tick();
    for (const event_action of ['acknowledge', 'resolve']) {
      const res = await h.enqueue({ routing_key: CHECKOUT_EVENTS_KEY, event_action, dedup_key: 'never-seen' });
      expect(res).toEqual({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'never-seen' } });
    }
    // The same key on another service's integration is a different alert too.
    const other = await h.enqueue({ routing_key: PAYMENTS_EVENTS_KEY, event_action: 'resolve', dedup_key: 'known' });
    expect(other.status).toBe(202);
    const alerts = await allAlerts(h);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ dedup_key: 'known', status: 'triggered', count: 1 });
  });

  it('reports recurrence: events fired over 7 days across the alerts that share a dedup_key', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const resolve = () => h.enqueue({ routing_key: CHECKOUT_EVENTS_KEY, event_action: 'resolve', dedup_key: 'flappy' });
    await trigger({ dedup_key: 'flappy' });
    h.clock.advanceMinutes(1);
    await trigger({ dedup_key: 'flappy' });
    await resolve();
    h.clock.advanceMinutes(60);
    await trigger({ dedup_key: 'flappy' });
    await resolve();
    h.clock.advanceMinutes(60);
    await trigger({ dedup_key: 'flappy' });
    await trigger({ dedup_key: 'unrelated' });

    const alerts = await allAlerts(h);
    const latest = alerts.find((a) => a.dedup_key === 'flappy' && a.status === 'triggered');
    expect(latest).toBeDefined();
    const detail = await alertDetail(h, latest?.id ?? 0);
    expect(detail.recurrence).toEqual({ window_days: 7, alerts: 3, fired: 4 });

    // Eight days later only what fired inside the window counts.
    await resolve();
    h.clock.advanceMinutes(8 * 24 * 60);
    await trigger({ dedup_key: 'flappy' });
    const newest = (await allAlerts(h)).find((a) => a.dedup_key === 'flappy' && a.status === 'triggered');
    expect((await alertDetail(h, newest?.id ?? 0)).recurrence).toEqual({ window_days: 7, alerts: 1, fired: 1 });
  });

  it('maps PagerDuty severities onto the default scale (error becomes high, warning medium, info info)', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    for (const severity of ['critical', 'error', 'warning', 'info']) {
      expect((await trigger({ dedup_key: `sev-${severity}` }, { severity })).status).toBe(202);
    }
    const bySeverity = Object.fromEntries((await allAlerts(h)).map((a) => [a.dedup_key, a.severity]));
    expect(bySeverity).toEqual({ 'sev-critical': 'critical', 'sev-error': 'high', 'sev-warning': 'medium', 'sev-info': 'info' });
  });

  describe('invalid events', () => {
    const valid = () => ({
      routing_key: CHECKOUT_EVENTS_KEY,
      event_action: 'trigger',
      dedup_key: 'x',
      payload: { summary: 'Something broke', source: 'web-1', severity: 'critical' },
    });
    const cases: { name: string; body: () => Record<string, unknown>; error: RegExp }[] = [
      { name: 'a routing_key that is not 32 characters', body: () => ({ ...valid(), routing_key: 'short' }), error: /routing_key.*32 characters/ },
      { name: 'an unknown 32-character routing_key', body: () => ({ ...valid(), routing_key: 'x'.repeat(32) }), error: /routing_key.*not a known integration key/ },
      { name: 'an unknown event_action', body: () => ({ ...valid(), event_action: 'explode' }), error: /event_action.*invalid/ },
      { name: 'a trigger without payload.summary', body: () => ({ ...valid(), payload: { source: 'web-1', severity: 'critical' } }), error: /payload\.summary/ },
      { name: 'a payload.summary over 1024 characters', body: () => ({ ...valid(), payload: { ...valid().payload, summary: 's'.repeat(1025) } }), error: /payload\.summary.*too long/ },
      { name: 'an unknown payload.severity', body: () => ({ ...valid(), payload: { ...valid().payload, severity: 'sev9' } }), error: /payload\.severity.*invalid/ },
      { name: 'a dedup_key over 255 characters', body: () => ({ ...valid(), dedup_key: 'k'.repeat(256) }), error: /dedup_key.*too long/ },
      {
        name: 'a body over 512 KB',
        body: () => ({ ...valid(), payload: { ...valid().payload, custom_details: { blob: 'b'.repeat(600 * 1024) } } }),
        error: /too large/,
      },
      {
        name: 'a body over the server-wide 1 MB parse limit',
        body: () => ({ ...valid(), payload: { ...valid().payload, custom_details: { blob: 'b'.repeat(1200 * 1024) } } }),
        error: /too large/,
      },
    ];

    it.each(cases)('rejects $name with 400 and PagerDuty’s invalid-event body', async ({ body, error }) => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const res = await h.enqueue(body());
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject(invalidEvent);
      const errors = res.body.errors as string[];
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.join('\n')).toMatch(error);
      expect(await allAlerts(h)).toEqual([]);
      await h.tick();
      expect(h.paged()).toEqual([]);
    });

    it('rejects malformed JSON with 400 Unrecognized object and stores nothing', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const res = await h.app.http.inject({
        method: 'POST',
        url: '/v2/enqueue',
        headers: { 'content-type': 'application/json' },
        payload: `{"routing_key":"${CHECKOUT_EVENTS_KEY}","event_action":"trigger",`,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ status: 'Unrecognized object', message: 'Event object format is unrecognized', errors: ['JSON parse error'] });
      expect(await allAlerts(h)).toEqual([]);
    });

    it('lists every problem of an event at once', async () => {
      h = await Harness.start(kind, { orgFile: DEMO });
      const res = await h.enqueue({ routing_key: CHECKOUT_EVENTS_KEY, event_action: 'trigger', dedup_key: 'k'.repeat(256), payload: { severity: 'sev9' } });
      expect(res.status).toBe(400);
      const errors = (res.body.errors as string[]).join('\n');
      for (const field of ['dedup_key', 'payload.summary', 'payload.source', 'payload.severity']) expect(errors).toContain(`'${field}'`);
      expect(await allAlerts(h)).toEqual([]);
    });
  });

  it('answers 429 with a PagerDuty-style body once a routing key exceeds its rate limit, and stores only what it accepted', async () => {
    h = await Harness.start(kind, { orgFile: DEMO, ingestRateLimit: 5 });
    const statuses: number[] = [];
    let throttled: Record<string, unknown> | undefined;
    for (let i = 0; i < 8; i++) {
      const res = await trigger({ dedup_key: `burst-${i}` });
      statuses.push(res.status);
      if (res.status === 429) throttled ??= res.body;
    }
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(throttled).toEqual({ status: 'throttle event', message: expect.stringMatching(/too quickly/) as unknown, errors: [] });
    expect((await allAlerts(h)).map((a) => a.dedup_key).sort()).toEqual(['burst-0', 'burst-1', 'burst-2', 'burst-3', 'burst-4']);
    // The limit is per routing key: another integration still gets through.
    expect((await h.enqueue({ routing_key: PAYMENTS_EVENTS_KEY, event_action: 'trigger', payload: { summary: 'x', source: 'y', severity: 'info' } })).status).toBe(202);
  });
});
