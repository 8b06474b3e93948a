import { describe, expect, it } from 'vitest';
import {
  PD_JSON_PARSE_ERROR_BODY,
  PD_MAX_BODY_BYTES,
  PD_TOO_LARGE_BODY,
  charLength,
  isHttpUrl,
  parseIsoTimestamp,
  parsePagerDutyChangeEvent,
  parsePagerDutyEvent,
  truncateChars,
} from './pagerduty-events.js';

const KEY = '0123456789abcdef0123456789abcdef';

function trigger(overrides: Record<string, unknown> = {}, payload: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    routing_key: KEY,
    event_action: 'trigger',
    payload: { summary: 'Disk full on db1', source: 'db1.example.com', severity: 'critical', ...payload },
    ...overrides,
  };
}

function errorsOf(body: unknown): string[] {
  const result = parsePagerDutyEvent(body);
  if (result.ok) throw new Error('expected the event to be rejected');
  expect(result.status).toBe(400);
  expect(result.body.status).toBe('invalid event');
  expect(result.body.message).toBe('Event object is invalid');
  return result.body.errors;
}

function accepted(body: unknown) {
  const result = parsePagerDutyEvent(body);
  if (!result.ok) throw new Error(`expected acceptance, got ${JSON.stringify(result.body.errors)}`);
  return result;
}

describe('parsePagerDutyEvent: triggers', () => {
  it('maps a full trigger onto an alert event', () => {
    const result = accepted({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: 'srv01/HTTP',
      payload: {
        summary: 'HTTP down on srv01',
        source: 'srv01.example.com',
        severity: 'error',
        timestamp: '2015-07-17T08:42:58.315+0000',
        component: 'nginx',
        group: 'web',
        class: 'availability',
        custom_details: { ping_time: '1500ms', load_avg: 0.75 },
      },
      links: [{ href: 'https://example.com/runbook', text: 'Runbook' }, { href: 'http://grafana.local/d/1' }],
      images: [{ src: 'https://chart.example.com/x.png', href: 'https://example.com', alt: 'chart' }],
    });
    expect(result.routingKey).toBe(KEY);
    expect(result.event).toEqual({
      action: 'trigger',
      dedupKey: 'srv01/HTTP',
      summary: 'HTTP down on srv01',
      source: 'srv01.example.com',
      severity: 'error',
      occurredAt: Date.UTC(2015, 6, 17, 8, 42, 58, 315),
      component: 'nginx',
      group: 'web',
      class: 'availability',
      details: { ping_time: '1500ms', load_avg: 0.75 },
      links: [{ href: 'https://example.com/runbook', text: 'Runbook' }, { href: 'http://grafana.local/d/1' }],
      images: [{ src: 'https://chart.example.com/x.png', href: 'https://example.com', alt: 'chart' }],
      labels: {},
    });
  });

  it('leaves dedupKey null on a trigger without one so the caller generates a key', () => {
    expect(accepted(trigger()).event.dedupKey).toBeNull();
  });

  it('treats an empty dedup_key on a trigger as absent', () => {
    expect(accepted(trigger({ dedup_key: '' })).event.dedupKey).toBeNull();
    expect(accepted(trigger({ dedup_key: null })).event.dedupKey).toBeNull();
  });

  it('keeps the severity exactly as sent for later alias mapping', () => {
    for (const severity of ['critical', 'error', 'warning', 'info']) {
      expect(accepted(trigger({}, { severity })).event.severity).toBe(severity);
    }
  });

  it("accepts Alertmanager's observed trigger with client and client_url, keeping them as a link", () => {
    const result = accepted({
      routing_key: KEY,
      dedup_key: 'd11b4fa58a7d0ed3f429d9b66096c0a553089dfa9a5d58c91867d3d61f1cb6f7',
      event_action: 'trigger',
      payload: {
        summary: '[FIRING:1] PD3 (c9 critical pd)',
        source: 'Alertmanager',
        severity: 'critical',
        custom_details: { firing: 'Labels:\n - alertname = PD3\n', num_firing: '1', num_resolved: '0', resolved: '' },
      },
      client: 'Alertmanager',
      client_url: 'http://am.example:9093/#/alerts?receiver=pd',
    });
    expect(result.event.links).toEqual([{ href: 'http://am.example:9093/#/alerts?receiver=pd', text: 'Alertmanager' }]);
    expect(result.event.occurredAt).toBeNull();
    expect(result.event.details).toMatchObject({ num_firing: '1' });
  });

  it('appends the client link after the sender-supplied links and omits text when client is absent', () => {
    const result = accepted(trigger({ links: [{ href: 'https://a.example' }], client_url: 'https://tool.example' }));
    expect(result.event.links).toEqual([{ href: 'https://a.example' }, { href: 'https://tool.example' }]);
  });

  it('wraps non-object custom_details as { details: value } instead of rejecting', () => {
    expect(accepted(trigger({}, { custom_details: 'free text' })).event.details).toEqual({ details: 'free text' });
    expect(accepted(trigger({}, { custom_details: [1, 2] })).event.details).toEqual({ details: [1, 2] });
    expect(accepted(trigger({}, { custom_details: 42 })).event.details).toEqual({ details: 42 });
    expect(accepted(trigger({}, { custom_details: null })).event.details).toBeNull();
  });

  it('accepts a summary of exactly 1024 characters', () => {
    expect(accepted(trigger({}, { summary: 'x'.repeat(1024) })).event.summary).toHaveLength(1024);
  });

  it('counts summary length in characters, so 1024 emoji are accepted', () => {
    const summary = '🔥'.repeat(1024);
    expect(accepted(trigger({}, { summary })).event.summary).toBe(summary);
  });

  it('rejects a summary over 1024 characters naming the field', () => {
    expect(errorsOf(trigger({}, { summary: 'x'.repeat(1025) }))).toEqual([
      "Length of 'payload.summary' is too long (maximum 1024 characters)",
    ]);
  });

  it('rejects a trigger missing summary, source and severity, listing all three', () => {
    expect(errorsOf({ routing_key: KEY, event_action: 'trigger', payload: {} })).toEqual([
      "'payload.summary' is missing or blank",
      "'payload.source' is missing or blank",
      "'payload.severity' is missing or blank",
    ]);
  });

  it('rejects a trigger with no payload at all, listing the required payload fields', () => {
    expect(errorsOf({ routing_key: KEY, event_action: 'trigger' })).toEqual([
      "'payload.summary' is missing or blank",
      "'payload.source' is missing or blank",
      "'payload.severity' is missing or blank",
    ]);
  });

  it('rejects blank summary and source', () => {
    expect(errorsOf(trigger({}, { summary: '   ', source: '' }))).toEqual([
      "'payload.summary' is missing or blank",
      "'payload.source' is missing or blank",
    ]);
  });

  it('rejects a severity outside the PagerDuty enum, including other casings', () => {
    const message = "'payload.severity' is invalid (must be one of: critical, error, warning, info)";
    expect(errorsOf(trigger({}, { severity: 'high' }))).toEqual([message]);
    expect(errorsOf(trigger({}, { severity: 'Critical' }))).toEqual([message]);
  });

  it('rejects a payload that is not an object', () => {
    expect(errorsOf(trigger({ payload: 'Disk full' }))).toContain("'payload' must be an object");
  });

  it('reports type errors for non-string payload fields', () => {
    expect(
      errorsOf(trigger({}, { summary: 5, source: true, severity: ['critical'], component: 1, group: {}, class: 2 })),
    ).toEqual([
      "'payload.summary' must be a string",
      "'payload.source' must be a string",
      "'payload.severity' must be a string",
      "'payload.component' must be a string",
      "'payload.group' must be a string",
      "'payload.class' must be a string",
    ]);
  });

  it('rejects an unparseable payload.timestamp', () => {
    for (const timestamp of ['yesterday', '2015-13-01T00:00:00Z', '2015-02-30T00:00:00Z', 'July 17, 2015 08:42']) {
      expect(errorsOf(trigger({}, { timestamp }))).toEqual(["'payload.timestamp' is not a valid ISO 8601 timestamp"]);
    }
    expect(errorsOf(trigger({}, { timestamp: 1437122578 }))).toEqual(["'payload.timestamp' must be a string"]);
  });

  it('collects every problem in one response', () => {
    const errors = errorsOf({
      routing_key: 'short',
      event_action: 'trigger',
      dedup_key: 'k'.repeat(256),
      payload: { summary: 'x'.repeat(2000), source: 'db1', severity: 'urgent', timestamp: 'nope' },
      links: [{ text: 'no href' }],
      images: [{ src: 'http://insecure.example/x.png' }],
    });
    expect(errors).toEqual([
      "Length of 'routing_key' is incorrect (should be 32 characters)",
      "Length of 'dedup_key' is too long (maximum 255 characters)",
      "Length of 'payload.summary' is too long (maximum 1024 characters)",
      "'payload.severity' is invalid (must be one of: critical, error, warning, info)",
      "'payload.timestamp' is not a valid ISO 8601 timestamp",
      "'links[0].href' is missing or blank",
      "'images[0].src' must be an https URL",
    ]);
  });
});

describe('parsePagerDutyEvent: routing key, action and dedup key', () => {
  it('rejects a missing or blank routing_key', () => {
    const { routing_key: _omit, ...rest } = trigger();
    expect(errorsOf(rest)).toEqual(["'routing_key' is missing or blank"]);
    expect(errorsOf(trigger({ routing_key: '' }))).toEqual(["'routing_key' is missing or blank"]);
    expect(errorsOf(trigger({ routing_key: null }))).toEqual(["'routing_key' is missing or blank"]);
  });

  it('never rejects without saying why', () => {
    for (const body of [{}, { routing_key: null, event_action: null }, { payload: null }]) {
      expect(errorsOf(body).length).toBeGreaterThan(0);
    }
  });

  it('rejects a routing_key that is not 32 characters', () => {
    const message = "Length of 'routing_key' is incorrect (should be 32 characters)";
    expect(errorsOf(trigger({ routing_key: KEY.slice(1) }))).toEqual([message]);
    expect(errorsOf(trigger({ routing_key: `${KEY}0` }))).toEqual([message]);
  });

  it('accepts a ruleset-style routing key beginning with R', () => {
    expect(accepted(trigger({ routing_key: `R${KEY.slice(1)}` })).routingKey).toBe(`R${KEY.slice(1)}`);
  });

  it('rejects a non-string routing_key as a type error', () => {
    expect(errorsOf(trigger({ routing_key: 1234 }))).toEqual(["'routing_key' must be a string"]);
  });

  it('rejects an unknown or missing event_action', () => {
    const message = "'event_action' is invalid (must be one of: trigger, acknowledge, resolve)";
    expect(errorsOf(trigger({ event_action: 'create' }))).toEqual([message]);
    expect(errorsOf(trigger({ event_action: 'TRIGGER' }))).toEqual([message]);
    expect(errorsOf(trigger({ event_action: 3 }))).toEqual([message]);
    expect(errorsOf(trigger({ event_action: undefined }))).toEqual(["'event_action' is missing or blank"]);
  });

  it('does not list payload requirements when the action itself is unknown', () => {
    expect(errorsOf({ routing_key: KEY, event_action: 'create' })).toEqual([
      "'event_action' is invalid (must be one of: trigger, acknowledge, resolve)",
    ]);
  });

  it('accepts a dedup_key of 255 characters and rejects 256', () => {
    expect(accepted(trigger({ dedup_key: 'k'.repeat(255) })).event.dedupKey).toHaveLength(255);
    expect(errorsOf(trigger({ dedup_key: 'k'.repeat(256) }))).toEqual([
      "Length of 'dedup_key' is too long (maximum 255 characters)",
    ]);
  });

  it('rejects a non-string dedup_key', () => {
    expect(errorsOf(trigger({ dedup_key: 17 }))).toEqual(["'dedup_key' must be a string"]);
  });
});

describe('parsePagerDutyEvent: acknowledge and resolve', () => {
  it('accepts an acknowledge with only routing_key, dedup_key and event_action', () => {
    const result = accepted({ routing_key: KEY, event_action: 'acknowledge', dedup_key: 'srv01/HTTP' });
    expect(result.event).toMatchObject({ action: 'acknowledge', dedupKey: 'srv01/HTTP', summary: '', severity: null });
  });

  it('requires a dedup_key for acknowledge and resolve', () => {
    for (const event_action of ['acknowledge', 'resolve']) {
      expect(errorsOf({ routing_key: KEY, event_action })).toEqual(["'dedup_key' is missing or blank"]);
      expect(errorsOf({ routing_key: KEY, event_action, dedup_key: ' ' })).toEqual(["'dedup_key' is missing or blank"]);
    }
  });

  it("accepts Alertmanager's resolve carrying a full payload without timestamp", () => {
    const result = accepted({
      routing_key: KEY,
      dedup_key: 'd11b4fa58a7d0ed3f429d9b66096c0a553089dfa9a5d58c91867d3d61f1cb6f7',
      event_action: 'resolve',
      payload: {
        summary: '[RESOLVED] PD3 (c9 critical pd)',
        source: 'Alertmanager',
        severity: 'critical',
        custom_details: { num_firing: '0', num_resolved: '1' },
      },
      client: 'Alertmanager',
      client_url: 'http://am.example:9093/#/alerts?receiver=pd',
    });
    expect(result.event).toMatchObject({
      action: 'resolve',
      summary: '[RESOLVED] PD3 (c9 critical pd)',
      severity: 'critical',
      occurredAt: null,
    });
  });

  it('does not apply trigger rules to a resolve payload', () => {
    const result = accepted({
      routing_key: KEY,
      event_action: 'resolve',
      dedup_key: 'k',
      payload: { summary: 'x'.repeat(1500), severity: 'whatever', timestamp: 'not a time', source: '' },
      images: [{ src: 'http://insecure.example/x.png' }, { alt: 'no src' }],
      links: [{ text: 'no href' }, { href: 'https://ok.example' }],
    });
    expect(result.event.summary).toHaveLength(1024);
    expect(result.event.severity).toBe('whatever');
    expect(result.event.occurredAt).toBeNull();
    expect(result.event.source).toBeNull();
    expect(result.event.images).toEqual([]);
    expect(result.event.links).toEqual([{ href: 'https://ok.example' }]);
  });

  it('still reports type errors in a resolve payload', () => {
    expect(
      errorsOf({ routing_key: KEY, event_action: 'resolve', dedup_key: 'k', payload: { summary: 1, timestamp: 2 }, links: 'x' }),
    ).toEqual(["'payload.summary' must be a string", "'payload.timestamp' must be a string", "'links' must be an array"]);
  });
});

describe('parsePagerDutyEvent: links and images', () => {
  it('rejects a link without href, naming its index', () => {
    expect(errorsOf(trigger({ links: [{ href: 'https://a.example' }, { text: 'x' }] }))).toEqual([
      "'links[1].href' is missing or blank",
    ]);
  });

  it('rejects non-object entries and non-array collections', () => {
    expect(errorsOf(trigger({ links: ['https://a.example'], images: { src: 'x' } }))).toEqual([
      "'links[0]' must be an object",
      "'images' must be an array",
    ]);
  });

  it('reports type errors in link and image fields', () => {
    expect(
      errorsOf(trigger({ links: [{ href: 1, text: 2 }], images: [{ src: 'https://a.example/i.png', href: 3, alt: 4 }] })),
    ).toEqual([
      "'links[0].href' must be a string",
      "'links[0].text' must be a string",
      "'images[0].href' must be a string",
      "'images[0].alt' must be a string",
    ]);
  });

  it('requires image src to be an https URL', () => {
    expect(errorsOf(trigger({ images: [{ src: 'http://a.example/i.png' }] }))).toEqual(["'images[0].src' must be an https URL"]);
    expect(errorsOf(trigger({ images: [{ src: 'chart.png' }] }))).toEqual(["'images[0].src' must be an https URL"]);
    expect(errorsOf(trigger({ images: [{ href: 'https://a.example' }] }))).toEqual(["'images[0].src' is missing or blank"]);
  });

  it('drops links and image hrefs that are not http(s) so they never reach the UI', () => {
    const result = accepted(
      trigger({
        links: [{ href: 'javascript:alert(1)', text: 'click' }, { href: 'https://ok.example' }],
        images: [{ src: 'https://a.example/i.png', href: 'javascript:alert(1)' }],
        client_url: 'data:text/html,hi',
      }),
    );
    expect(result.event.links).toEqual([{ href: 'https://ok.example' }]);
    expect(result.event.images).toEqual([{ src: 'https://a.example/i.png' }]);
  });
});

describe('parsePagerDutyEvent: body shape and constants', () => {
  it('rejects a body that is JSON but not an object', () => {
    for (const body of [null, [], [trigger()], 'trigger', 42, true]) {
      expect(errorsOf(body)).toEqual(['Event object must be a JSON object']);
    }
  });

  it('ignores unknown top-level fields', () => {
    expect(accepted(trigger({ extra: { anything: true } })).event.summary).toBe('Disk full on db1');
  });

  it("exports PagerDuty's JSON parse error and size limit bodies", () => {
    expect(PD_JSON_PARSE_ERROR_BODY).toEqual({
      status: 'Unrecognized object',
      message: 'Event object format is unrecognized',
      errors: ['JSON parse error'],
    });
    expect(PD_TOO_LARGE_BODY).toEqual({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: ['Event object is too large (maximum 512 KB)'],
    });
    expect(PD_MAX_BODY_BYTES).toBe(524288);
  });

  it('freezes the shared error bodies so one request cannot alter another response', () => {
    expect(Object.isFrozen(PD_JSON_PARSE_ERROR_BODY)).toBe(true);
    expect(Object.isFrozen(PD_TOO_LARGE_BODY.errors)).toBe(true);
  });
});

describe('parsePagerDutyChangeEvent', () => {
  it('maps a change event', () => {
    const result = parsePagerDutyChangeEvent({
      routing_key: KEY,
      payload: {
        summary: 'Build 1234 deployed',
        source: 'ci.example.com',
        timestamp: '2026-03-08T08:00:00Z',
        custom_details: { build: 1234 },
      },
      links: [{ href: 'https://ci.example.com/1234', text: 'Build' }],
    });
    expect(result).toEqual({
      ok: true,
      routingKey: KEY,
      change: {
        summary: 'Build 1234 deployed',
        source: 'ci.example.com',
        occurredAt: Date.UTC(2026, 2, 8, 8),
        details: { build: 1234 },
        links: [{ href: 'https://ci.example.com/1234', text: 'Build' }],
      },
    });
  });

  it('needs only routing_key and summary', () => {
    const result = parsePagerDutyChangeEvent({ routing_key: KEY, payload: { summary: 'Flag flipped' } });
    expect(result).toEqual({
      ok: true,
      routingKey: KEY,
      change: { summary: 'Flag flipped', source: null, occurredAt: null, details: null, links: [] },
    });
  });

  it('ignores event_action and images, which change events do not use', () => {
    const result = parsePagerDutyChangeEvent({
      routing_key: KEY,
      event_action: 'bogus',
      payload: { summary: 's' },
      images: [{ src: 'http://x' }],
    });
    expect(result.ok).toBe(true);
  });

  it('rejects a change event without summary or with an oversized one', () => {
    const missing = parsePagerDutyChangeEvent({ routing_key: KEY });
    expect(missing).toMatchObject({ ok: false, status: 400, body: { errors: ["'payload.summary' is missing or blank"] } });
    const long = parsePagerDutyChangeEvent({ routing_key: KEY, payload: { summary: 'x'.repeat(1025) } });
    expect(long).toMatchObject({
      ok: false,
      body: { errors: ["Length of 'payload.summary' is too long (maximum 1024 characters)"] },
    });
  });

  it('collects routing key, payload and link problems together', () => {
    const result = parsePagerDutyChangeEvent({
      routing_key: 'nope',
      payload: { summary: 's', source: 3, timestamp: 'later' },
      links: [{}],
    });
    expect(result).toEqual({
      ok: false,
      status: 400,
      body: {
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: [
          "Length of 'routing_key' is incorrect (should be 32 characters)",
          "'links[0].href' is missing or blank",
          "'payload.source' must be a string",
          "'payload.timestamp' is not a valid ISO 8601 timestamp",
        ],
      },
    });
  });

  it('rejects a non-object body or payload', () => {
    expect(parsePagerDutyChangeEvent('x')).toMatchObject({ ok: false, body: { errors: ['Event object must be a JSON object'] } });
    expect(parsePagerDutyChangeEvent({ routing_key: KEY, payload: [] })).toMatchObject({
      ok: false,
      body: { errors: ["'payload' must be an object"] },
    });
  });
});

describe('parseIsoTimestamp', () => {
  it.each([
    ['2015-07-17T08:42:58.315+0000', Date.UTC(2015, 6, 17, 8, 42, 58, 315)],
    ['2015-07-17T08:42:58.315Z', Date.UTC(2015, 6, 17, 8, 42, 58, 315)],
    ['2015-07-17T10:42:58.315+02:00', Date.UTC(2015, 6, 17, 8, 42, 58, 315)],
    ['2015-07-17T03:42:58-05', Date.UTC(2015, 6, 17, 8, 42, 58)],
    ['2015-07-17T08:42:58', Date.UTC(2015, 6, 17, 8, 42, 58)],
    ['2015-07-17 08:42:58Z', Date.UTC(2015, 6, 17, 8, 42, 58)],
    ['2015-07-17T08:42Z', Date.UTC(2015, 6, 17, 8, 42)],
    ['2026-11-22T06:27:02.274630654Z', Date.UTC(2026, 10, 22, 6, 27, 2, 274)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2016-12-31T23:59:60Z', Date.UTC(2017, 0, 1)],
    ['0001-01-01T00:00:00Z', -62135596800000],
  ])('parses %s', (raw, expected) => {
    expect(parseIsoTimestamp(raw)).toBe(expected);
  });

  it.each([
    '',
    'now',
    '2015-07-17',
    '1437122578',
    '2015-7-17T08:42:58Z',
    '2023-02-29T00:00:00Z',
    '2015-07-17T24:00:00Z',
    '2015-07-17T08:60:00Z',
    '2015-07-17T08:42:58+25:00',
    '2015-07-17T08:42:58 UTC',
    'Fri, 17 Jul 2015 08:42:58 GMT',
  ])('rejects %j', (raw) => {
    expect(parseIsoTimestamp(raw)).toBeNull();
  });
});

describe('value helpers', () => {
  it('counts and truncates by code point', () => {
    expect(charLength('a🔥b')).toBe(3);
    expect(truncateChars('a🔥b', 2)).toBe('a🔥');
    expect(truncateChars('abc', 5)).toBe('abc');
  });

  it('accepts only web URLs as links', () => {
    expect(isHttpUrl('https://a.example', true)).toBe(true);
    expect(isHttpUrl('http://a.example', true)).toBe(false);
    expect(isHttpUrl('http://a.example', false)).toBe(true);
    expect(isHttpUrl('javascript:alert(1)', false)).toBe(false);
    expect(isHttpUrl('/relative/path', false)).toBe(false);
  });
});
