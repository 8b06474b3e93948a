import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FieldProblem } from '../../domain/errors.js';
import { parseGenericEvent, signGenericWebhook, verifyGenericSignature } from './generic-webhook.js';

const SECRET = 'whsec_test_0123456789';
const NOW_MS = Date.UTC(2026, 2, 8, 8, 0, 0, 500);
const NOW_S = Math.floor(NOW_MS / 1000);
const BODY = '{"summary":"Disk full on db1","severity":"critical"}';

function verify(overrides: Partial<Parameters<typeof verifyGenericSignature>[0]> = {}) {
  return verifyGenericSignature({
    secret: SECRET,
    timestamp: String(NOW_S),
    signature: signGenericWebhook(SECRET, NOW_S, BODY),
    rawBody: BODY,
    nowMs: NOW_MS,
    ...overrides,
  });
}

function messageOf(result: ReturnType<typeof verifyGenericSignature>): string {
  if (result.ok) throw new Error('expected verification to fail');
  return result.message;
}

describe('signGenericWebhook', () => {
  it('signs timestamp + "." + body with HMAC-SHA256 as v1=<hex>', () => {
    const expected = createHmac('sha256', SECRET).update(`${NOW_S}.${BODY}`).digest('hex');
    expect(signGenericWebhook(SECRET, NOW_S, BODY)).toBe(`v1=${expected}`);
  });

  it('matches a fixed vector so other implementations can check themselves', () => {
    // HMAC-SHA256("secret", "1700000000.{}"), computed with Python's hmac module.
    expect(signGenericWebhook('secret', 1700000000, '{}')).toBe(
      'v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163',
    );
  });
});

describe('verifyGenericSignature', () => {
  it('accepts a correctly signed request and returns the signature as replay key', () => {
    const signature = signGenericWebhook(SECRET, NOW_S, BODY);
    expect(verify({ signature })).toEqual({ ok: true, replayKey: signature.slice(3) });
  });

  it('verifies a Buffer body byte for byte', () => {
    const body = '{"summary":"Überhitzung 🔥"}';
    const signature = signGenericWebhook(SECRET, NOW_S, body);
    expect(verify({ rawBody: Buffer.from(body, 'utf8'), signature }).ok).toBe(true);
  });

  it('rejects a body changed after signing', () => {
    expect(messageOf(verify({ rawBody: BODY.replace('critical', 'info') }))).toBe(
      "signature does not match; check the integration's secret",
    );
  });

  it('rejects a signature made with another secret', () => {
    expect(messageOf(verify({ signature: signGenericWebhook('other-secret', NOW_S, BODY) }))).toBe(
      "signature does not match; check the integration's secret",
    );
  });

  it('rejects a signature made for another timestamp, so the timestamp cannot be refreshed', () => {
    const signature = signGenericWebhook(SECRET, NOW_S - 1, BODY);
    expect(messageOf(verify({ signature }))).toBe("signature does not match; check the integration's secret");
  });

  it('accepts any of several comma-separated v1 signatures during secret rotation', () => {
    const good = signGenericWebhook(SECRET, NOW_S, BODY);
    const old = signGenericWebhook('old-secret', NOW_S, BODY);
    expect(verify({ signature: `${old}, ${good}` })).toEqual({ ok: true, replayKey: good.slice(3) });
    expect(verify({ signature: `${good},${old}` })).toEqual({ ok: true, replayKey: good.slice(3) });
  });

  it('ignores other schemes and malformed hex among the candidates', () => {
    const good = signGenericWebhook(SECRET, NOW_S, BODY);
    expect(verify({ signature: `v0=abc, v1=zz, v1=${'0'.repeat(63)}, ${good}` }).ok).toBe(true);
  });

  it('accepts uppercase hex and returns a lowercase replay key', () => {
    const good = signGenericWebhook(SECRET, NOW_S, BODY).slice(3);
    expect(verify({ signature: `v1=${good.toUpperCase()}` })).toEqual({ ok: true, replayKey: good });
  });

  it('explains how to sign when the signature header is missing', () => {
    const expected =
      'missing X-Watchkeeper-Signature header; sign the body as HMAC-SHA256(secret, timestamp + "." + body) and send "v1=<hex>"';
    expect(messageOf(verify({ signature: undefined }))).toBe(expected);
    expect(messageOf(verify({ signature: '  ' }))).toBe(expected);
  });

  it('rejects a signature header without any v1= entry', () => {
    expect(messageOf(verify({ signature: 'sha256=abcdef' }))).toBe(
      'X-Watchkeeper-Signature has no "v1=" signature; send "v1=<hex HMAC-SHA256>"',
    );
  });

  it('reports a missing timestamp header', () => {
    expect(messageOf(verify({ timestamp: undefined }))).toBe('missing X-Watchkeeper-Timestamp header');
    expect(messageOf(verify({ timestamp: '' }))).toBe('missing X-Watchkeeper-Timestamp header');
  });

  it('rejects a timestamp that is not whole Unix seconds', () => {
    expect(messageOf(verify({ timestamp: '2026-03-08T08:00:00Z' }))).toBe(
      'X-Watchkeeper-Timestamp must be Unix time in whole seconds, got "2026-03-08T08:00:00Z"',
    );
    expect(messageOf(verify({ timestamp: '1772956800.5' }))).toMatch(/whole seconds/);
    expect(messageOf(verify({ timestamp: '-5' }))).toMatch(/whole seconds/);
  });

  it('recognises a millisecond timestamp and says so', () => {
    expect(messageOf(verify({ timestamp: String(NOW_MS) }))).toBe(
      `X-Watchkeeper-Timestamp looks like milliseconds (${NOW_MS}); send Unix time in seconds`,
    );
  });

  it('reports how far off the sender clock is, in either direction', () => {
    expect(messageOf(verify({ timestamp: String(NOW_S - 412) }))).toBe(
      "X-Watchkeeper-Timestamp is 412 seconds away from server time (limit 300); check the sender's clock",
    );
    expect(messageOf(verify({ timestamp: String(NOW_S + 301) }))).toBe(
      "X-Watchkeeper-Timestamp is 301 seconds away from server time (limit 300); check the sender's clock",
    );
  });

  it('accepts a timestamp exactly at the tolerance limit', () => {
    for (const ts of [NOW_S - 300, NOW_S + 300]) {
      expect(verify({ timestamp: String(ts), signature: signGenericWebhook(SECRET, ts, BODY) }).ok).toBe(true);
    }
  });

  it('honours a custom tolerance', () => {
    const ts = NOW_S - 60;
    const signature = signGenericWebhook(SECRET, ts, BODY);
    expect(messageOf(verify({ timestamp: String(ts), signature, toleranceSeconds: 30 }))).toBe(
      "X-Watchkeeper-Timestamp is 60 seconds away from server time (limit 30); check the sender's clock",
    );
    expect(verify({ timestamp: String(ts), signature, toleranceSeconds: 60 }).ok).toBe(true);
  });

  it('refuses to verify against an empty secret, which anyone could sign with', () => {
    const signature = signGenericWebhook('', NOW_S, BODY);
    expect(messageOf(verify({ secret: '', signature }))).toBe('this integration has no signing secret configured');
  });
});

describe('parseGenericEvent', () => {
  function eventOf(body: unknown) {
    const result = parseGenericEvent(body);
    if (!result.ok) throw new Error(`expected acceptance, got ${JSON.stringify(result.problems)}`);
    return result.event;
  }

  function problemsOf(body: unknown): FieldProblem[] {
    const result = parseGenericEvent(body);
    if (result.ok) throw new Error('expected the event to be rejected');
    return result.problems;
  }

  it('maps a full event', () => {
    expect(
      eventOf({
        action: 'trigger',
        dedup_key: 'db1/disk',
        summary: 'Disk full on db1',
        source: 'db1',
        severity: 'P1',
        timestamp: '2026-03-08T08:00:00+01:00',
        component: 'postgres',
        group: 'storage',
        class: 'disk',
        details: { used: '99%' },
        links: [{ href: 'https://runbooks.example/disk', text: 'Runbook' }, { href: 'http://grafana.local/d/1' }],
        labels: { team: 'dba', env: 'prod' },
      }),
    ).toEqual({
      action: 'trigger',
      dedupKey: 'db1/disk',
      summary: 'Disk full on db1',
      source: 'db1',
      severity: 'P1',
      occurredAt: Date.UTC(2026, 2, 8, 7),
      component: 'postgres',
      group: 'storage',
      class: 'disk',
      details: { used: '99%' },
      links: [{ href: 'https://runbooks.example/disk', text: 'Runbook' }, { href: 'http://grafana.local/d/1' }],
      images: [],
      labels: { team: 'dba', env: 'prod' },
    });
  });

  it('defaults to a trigger with a generated key and service-default severity', () => {
    expect(eventOf({ summary: 'Something broke' })).toMatchObject({
      action: 'trigger',
      dedupKey: null,
      severity: null,
      source: null,
      occurredAt: null,
      details: null,
      links: [],
      labels: {},
    });
  });

  it('accepts acknowledge and resolve with only a dedup_key', () => {
    expect(eventOf({ action: 'acknowledge', dedup_key: 'k' })).toMatchObject({ action: 'acknowledge', dedupKey: 'k', summary: '' });
    expect(eventOf({ action: 'resolve', dedup_key: 'k' })).toMatchObject({ action: 'resolve', dedupKey: 'k' });
  });

  it('requires dedup_key for acknowledge and resolve', () => {
    expect(problemsOf({ action: 'resolve' })).toEqual([{ field: 'dedup_key', message: 'is required when action is "resolve"' }]);
    expect(problemsOf({ action: 'acknowledge' })).toEqual([
      { field: 'dedup_key', message: 'is required when action is "acknowledge"' },
    ]);
  });

  it('rejects a blank dedup_key rather than opening a new alert for every event', () => {
    expect(problemsOf({ summary: 's', dedup_key: ' ' })).toEqual([
      { field: 'dedup_key', message: 'must not be blank; omit it to open a new alert for every event' },
    ]);
  });

  it('rejects a dedup_key over 255 characters', () => {
    expect(eventOf({ summary: 's', dedup_key: 'k'.repeat(255) }).dedupKey).toHaveLength(255);
    expect(problemsOf({ summary: 's', dedup_key: 'k'.repeat(256) })).toEqual([
      { field: 'dedup_key', message: 'must be at most 255 characters' },
    ]);
  });

  it('requires a summary on trigger', () => {
    const required = [{ field: 'summary', message: 'is required when action is "trigger"' }];
    expect(problemsOf({})).toEqual(required);
    expect(problemsOf({ summary: '  ' })).toEqual(required);
    expect(problemsOf({ action: 'trigger', summary: null })).toEqual(required);
  });

  it('rejects a summary over 1024 characters naming the field', () => {
    expect(eventOf({ summary: 'x'.repeat(1024) }).summary).toHaveLength(1024);
    expect(problemsOf({ summary: 'x'.repeat(1030) })).toEqual([
      { field: 'summary', message: 'must be at most 1024 characters (got 1030)' },
    ]);
    expect(problemsOf({ action: 'resolve', dedup_key: 'k', summary: 'x'.repeat(1025) })[0]?.field).toBe('summary');
  });

  it('counts summary length in characters, not UTF-16 units', () => {
    expect(eventOf({ summary: '🔥'.repeat(1024) }).summary).toBe('🔥'.repeat(1024));
  });

  it('rejects an unknown action', () => {
    expect(problemsOf({ action: 'create', summary: 's' })).toEqual([
      { field: 'action', message: 'must be one of trigger, acknowledge, resolve (got "create")' },
    ]);
  });

  it('reports a non-string field once, as a type error', () => {
    expect(problemsOf({ summary: 42, source: 1, severity: 2, component: [], group: {}, class: true, dedup_key: 5 })).toEqual([
      { field: 'dedup_key', message: 'must be a string' },
      { field: 'summary', message: 'must be a string' },
      { field: 'source', message: 'must be a string' },
      { field: 'severity', message: 'must be a string' },
      { field: 'component', message: 'must be a string' },
      { field: 'group', message: 'must be a string' },
      { field: 'class', message: 'must be a string' },
    ]);
  });

  it('rejects a timestamp that is not ISO 8601, including epoch numbers', () => {
    expect(problemsOf({ summary: 's', timestamp: 'yesterday' })).toEqual([
      { field: 'timestamp', message: 'must be an ISO 8601 date-time such as 2026-03-08T08:00:00Z (got "yesterday")' },
    ]);
    expect(problemsOf({ summary: 's', timestamp: 1772956800 })).toEqual([{ field: 'timestamp', message: 'must be a string' }]);
  });

  it('requires details to be a JSON object', () => {
    for (const details of ['text', [1], 3]) {
      expect(problemsOf({ summary: 's', details })).toEqual([{ field: 'details', message: 'must be a JSON object' }]);
    }
  });

  it('validates links and names the index', () => {
    expect(
      problemsOf({
        summary: 's',
        links: [{ href: 'https://ok.example' }, { text: 'no href' }, 'x', { href: 'javascript:alert(1)' }, { href: 'https://a', text: 1 }],
      }),
    ).toEqual([
      { field: 'links[1].href', message: 'is required' },
      { field: 'links[2]', message: 'must be an object with href and optional text' },
      { field: 'links[3].href', message: 'must be an http or https URL' },
      { field: 'links[4].text', message: 'must be a string' },
    ]);
    expect(problemsOf({ summary: 's', links: { href: 'https://a' } })).toEqual([{ field: 'links', message: 'must be an array' }]);
  });

  it('requires labels to be an object of strings, naming the label', () => {
    expect(problemsOf({ summary: 's', labels: { team: 'dba', replicas: 3 } })).toEqual([
      { field: 'labels.replicas', message: 'must be a string' },
    ]);
    expect(problemsOf({ summary: 's', labels: ['a'] })).toEqual([{ field: 'labels', message: 'must be an object of string values' }]);
  });

  it('ignores unknown top-level fields', () => {
    expect(eventOf({ summary: 's', images: 'whatever', routing_key: 'x' }).summary).toBe('s');
  });

  it('rejects a body that is not an object', () => {
    for (const body of [null, [], 'x', 1]) {
      expect(problemsOf(body)).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
    }
  });

  it('collects every problem in one response', () => {
    const problems = problemsOf({ action: 'resolve', timestamp: 'x', details: 'y', labels: { a: 1 } });
    expect(problems.map((p) => p.field)).toEqual(['dedup_key', 'timestamp', 'details', 'labels.a']);
  });
});
