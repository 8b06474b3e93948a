import { describe, expect, it } from 'vitest';
import type { FieldProblem } from '../../domain/errors.js';
import { parseAlertmanagerWebhook } from './alertmanager-webhook.js';

// The observed resolved payload from research note §1.8.
const OBSERVED_RESOLVED = {
  receiver: 'hook',
  status: 'resolved',
  alerts: [
    {
      status: 'resolved',
      labels: { alertname: 'ResolveMe', instance: 'a', job: 'j' },
      annotations: { summary: 's2' },
      startsAt: '2026-11-22T06:27:54.191521667Z',
      endsAt: '2026-11-22T06:28:00.719Z',
      generatorURL: '',
      fingerprint: 'ba91b72eedf10b5b',
    },
  ],
  groupLabels: { alertname: 'ResolveMe' },
  commonLabels: { alertname: 'ResolveMe', instance: 'a', job: 'j' },
  commonAnnotations: { summary: 's2' },
  externalURL: 'http://am.example:9093',
  version: '4',
  groupKey: '{}:{alertname="ResolveMe"}',
  truncatedAlerts: 0,
};

function alert(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: 'firing',
    labels: { alertname: 'TestAlert', cluster: 'c1', instance: 'i1', severity: 'warning' },
    annotations: { summary: 'Test alert firing' },
    startsAt: '2026-11-22T06:27:02.274630654Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
    fingerprint: '0ed1ad47457f0548',
    ...overrides,
  };
}

function webhook(alerts: unknown[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '4',
    receiver: 'watchkeeper',
    status: 'firing',
    groupKey: '{}:{alertname="TestAlert"}',
    groupLabels: { alertname: 'TestAlert' },
    commonLabels: {},
    externalURL: 'http://am.example:9093',
    alerts,
    ...overrides,
  };
}

function eventsOf(body: unknown) {
  const result = parseAlertmanagerWebhook(body);
  if (!result.ok) throw new Error(`expected acceptance, got ${JSON.stringify(result.problems)}`);
  return result.events;
}

function problemsOf(body: unknown): FieldProblem[] {
  const result = parseAlertmanagerWebhook(body);
  if (result.ok) throw new Error('expected the payload to be rejected');
  return result.problems;
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

describe('parseAlertmanagerWebhook: mapping', () => {
  it('maps the observed resolved payload onto a resolve event', () => {
    expect(eventsOf(OBSERVED_RESOLVED)).toEqual([
      {
        action: 'resolve',
        dedupKey: 'ba91b72eedf10b5b',
        summary: 's2',
        source: 'a',
        severity: null,
        occurredAt: Date.UTC(2026, 10, 22, 6, 28, 0, 719),
        component: 'j',
        group: 'alertname=ResolveMe',
        class: 'ResolveMe',
        details: {
          annotations: { summary: 's2' },
          receiver: 'hook',
          groupKey: '{}:{alertname="ResolveMe"}',
          externalURL: 'http://am.example:9093',
        },
        links: [{ href: 'http://am.example:9093', text: 'Alertmanager' }],
        images: [],
        labels: { alertname: 'ResolveMe', instance: 'a', job: 'j' },
      },
    ]);
  });

  it('maps a firing alert onto a trigger occurring at startsAt', () => {
    const event = only(eventsOf(webhook([alert()])));
    expect(event).toMatchObject({
      action: 'trigger',
      dedupKey: '0ed1ad47457f0548',
      summary: 'Test alert firing',
      source: 'i1',
      severity: 'warning',
      occurredAt: Date.UTC(2026, 10, 22, 6, 27, 2, 274),
      class: 'TestAlert',
      group: 'alertname=TestAlert',
    });
    expect(event.links).toEqual([
      { href: 'http://prometheus:9090/graph?g0.expr=up', text: 'Source' },
      { href: 'http://am.example:9093', text: 'Alertmanager' },
    ]);
    expect(event.details).toMatchObject({ generatorURL: 'http://prometheus:9090/graph?g0.expr=up' });
  });

  it('emits one event per alert, in order, mixing firing and resolved', () => {
    const events = eventsOf(
      webhook([
        alert({ labels: { alertname: 'ResolveMe', instance: 'a', job: 'j' }, fingerprint: undefined }),
        alert({
          status: 'resolved',
          labels: { alertname: 'ResolveMe', instance: 'b', job: 'j' },
          fingerprint: undefined,
          endsAt: '2026-11-22T06:28:00Z',
        }),
      ]),
    );
    expect(events.map((e) => [e.action, e.dedupKey])).toEqual([
      ['trigger', 'ba91b72eedf10b5b'],
      ['resolve', 'a9e777af9264ed08'],
    ]);
  });

  it('computes the fingerprint from labels when the alert has none, matching Alertmanager', () => {
    const event = only(eventsOf(webhook([alert({ fingerprint: undefined })])));
    expect(event.dedupKey).toBe('0ed1ad47457f0548');
    expect(only(eventsOf(webhook([alert({ fingerprint: '' })]))).dedupKey).toBe('0ed1ad47457f0548');
  });

  it('prefers the sent fingerprint over the computed one, lowercased', () => {
    expect(only(eventsOf(webhook([alert({ fingerprint: 'ABCDEF0123456789' })]))).dedupKey).toBe('abcdef0123456789');
  });

  it('drops empty-valued labels before fingerprinting, as Alertmanager does', () => {
    const event = only(
      eventsOf(
        webhook([
          alert({
            fingerprint: undefined,
            labels: { alertname: 'TestAlert', cluster: 'c1', instance: 'i1', severity: 'warning', team: '' },
          }),
        ]),
      ),
    );
    expect(event.dedupKey).toBe('0ed1ad47457f0548');
    expect(event.labels).not.toHaveProperty('team');
  });

  it('keeps a label named __proto__ as an ordinary label', () => {
    const body = JSON.parse('{"alerts":[{"status":"firing","labels":{"alertname":"X","__proto__":"p"}}]}') as unknown;
    expect(Object.keys(only(eventsOf(body)).labels)).toEqual(['alertname', '__proto__']);
  });

  it('treats Go zero time as absent', () => {
    const resolvedWithoutEnd = only(
      eventsOf(webhook([alert({ status: 'resolved', endsAt: '0001-01-01T00:00:00Z' })])),
    );
    expect(resolvedWithoutEnd.occurredAt).toBeNull();
    const zeroStart = only(eventsOf(webhook([alert({ startsAt: '0001-01-01T00:00:00.000Z' })])));
    expect(zeroStart.occurredAt).toBeNull();
  });

  it('leaves occurredAt null when the timestamps are missing', () => {
    const event = only(eventsOf(webhook([alert({ startsAt: undefined, endsAt: undefined })])));
    expect(event.occurredAt).toBeNull();
  });
});

describe('parseAlertmanagerWebhook: summary, severity, source, component, group', () => {
  const summaryOf = (annotations: Record<string, string>, labels: Record<string, string> = { alertname: 'Named' }) =>
    only(eventsOf(webhook([alert({ annotations, labels })]))).summary;

  it('uses the summary annotation first', () => {
    expect(summaryOf({ summary: '  Disk full  ', description: 'long text' })).toBe('Disk full');
  });

  it('falls back to the first non-empty line of the description', () => {
    expect(summaryOf({ description: '\n  Disk almost full\nsecond line' })).toBe('Disk almost full');
    expect(summaryOf({ summary: ' ', description: 'From description' })).toBe('From description');
  });

  it('falls back to alertname, then to a fixed text', () => {
    expect(summaryOf({})).toBe('Named');
    expect(summaryOf({}, {})).toBe('Alertmanager alert');
  });

  it('truncates the summary to 1024 characters', () => {
    expect(summaryOf({ summary: 'x'.repeat(3000) })).toHaveLength(1024);
    expect(Array.from(summaryOf({ summary: '🔥'.repeat(1100) }))).toHaveLength(1024);
  });

  it('takes severity from the alert, then commonLabels, else null', () => {
    const sev = (labels: Record<string, string>, commonLabels: Record<string, string> = {}) =>
      only(eventsOf(webhook([alert({ labels })], { commonLabels }))).severity;
    expect(sev({ alertname: 'A', severity: 'page' }, { severity: 'info' })).toBe('page');
    expect(sev({ alertname: 'A' }, { severity: 'info' })).toBe('info');
    expect(sev({ alertname: 'A' })).toBeNull();
  });

  it('takes source from instance, then job', () => {
    const src = (labels: Record<string, string>) => only(eventsOf(webhook([alert({ labels })]))).source;
    expect(src({ instance: 'db1:9100', job: 'node' })).toBe('db1:9100');
    expect(src({ job: 'node' })).toBe('node');
    expect(src({ alertname: 'A' })).toBeNull();
  });

  it('takes component from component, then service, then job', () => {
    const comp = (labels: Record<string, string>) => only(eventsOf(webhook([alert({ labels })]))).component;
    expect(comp({ component: 'api', service: 'checkout', job: 'node' })).toBe('api');
    expect(comp({ service: 'checkout', job: 'node' })).toBe('checkout');
    expect(comp({ job: 'node' })).toBe('node');
    expect(comp({ alertname: 'A' })).toBeNull();
  });

  it('renders groupLabels sorted as the group, null when the group has no labels', () => {
    const group = (groupLabels: unknown) => only(eventsOf(webhook([alert()], { groupLabels }))).group;
    expect(group({ cluster: 'c1', alertname: 'TestAlert' })).toBe('alertname=TestAlert, cluster=c1');
    expect(group({})).toBeNull();
    expect(group(undefined)).toBeNull();
  });

  it('links only http(s) generator and external URLs', () => {
    const event = only(
      eventsOf(webhook([alert({ generatorURL: 'javascript:alert(1)' })], { externalURL: 'not a url' })),
    );
    expect(event.links).toEqual([]);
  });
});

describe('parseAlertmanagerWebhook: validation', () => {
  it('rejects a body that is not an object', () => {
    for (const body of [null, [], 'x', 4]) {
      expect(problemsOf(body)).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
    }
  });

  it('accepts a payload without version but rejects another version', () => {
    expect(eventsOf(webhook([alert()], { version: undefined }))).toHaveLength(1);
    expect(problemsOf(webhook([alert()], { version: '3' }))).toEqual([
      { field: 'version', message: 'must be "4" (Alertmanager webhook format), got "3"' },
    ]);
  });

  it('requires alerts to be an array', () => {
    expect(problemsOf(webhook([], { alerts: undefined }))).toEqual([{ field: 'alerts', message: 'is required' }]);
    expect(problemsOf(webhook([], { alerts: {} }))).toEqual([{ field: 'alerts', message: 'must be an array' }]);
  });

  it('accepts an empty alerts array with no events', () => {
    expect(eventsOf(webhook([]))).toEqual([]);
  });

  it('names the alert index when its status is missing or unknown', () => {
    const problems = problemsOf(webhook([alert(), alert(), alert({ status: undefined }), alert({ status: 'pending' })]));
    expect(problems).toEqual([
      { field: 'alerts[2].status', message: 'must be "firing" or "resolved" (is required)' },
      { field: 'alerts[3].status', message: 'must be "firing" or "resolved" (got "pending")' },
    ]);
  });

  it('requires labels to be an object of strings, naming the label', () => {
    expect(problemsOf(webhook([alert({ labels: undefined })]))).toEqual([{ field: 'alerts[0].labels', message: 'is required' }]);
    expect(problemsOf(webhook([alert({ labels: ['a'] })]))).toEqual([
      { field: 'alerts[0].labels', message: 'must be an object of string values' },
    ]);
    expect(problemsOf(webhook([alert({ labels: { alertname: 'A', severity: 2 } })]))).toEqual([
      { field: 'alerts[0].labels.severity', message: 'must be a string' },
    ]);
  });

  it('requires annotation values to be strings', () => {
    expect(problemsOf(webhook([alert({ annotations: { summary: { text: 'x' } } })]))).toEqual([
      { field: 'alerts[0].annotations.summary', message: 'must be a string' },
    ]);
  });

  it('rejects a fingerprint that is not 16 hex digits', () => {
    expect(problemsOf(webhook([alert({ fingerprint: 'xyz' })]))).toEqual([
      { field: 'alerts[0].fingerprint', message: 'must be 16 hex digits, got "xyz"' },
    ]);
    expect(problemsOf(webhook([alert({ fingerprint: '0ed1ad47457f05480' })]))[0]?.field).toBe('alerts[0].fingerprint');
    expect(problemsOf(webhook([alert({ fingerprint: 12 })]))).toEqual([
      { field: 'alerts[0].fingerprint', message: 'must be a string' },
    ]);
  });

  it('rejects timestamps that are not RFC 3339', () => {
    expect(problemsOf(webhook([alert({ startsAt: 'yesterday', endsAt: 5 })]))).toEqual([
      { field: 'alerts[0].startsAt', message: 'must be an RFC 3339 timestamp, got "yesterday"' },
      { field: 'alerts[0].endsAt', message: 'must be a string' },
    ]);
  });

  it('rejects a non-object alert entry', () => {
    expect(problemsOf(webhook([alert(), 'firing']))).toEqual([{ field: 'alerts[1]', message: 'must be an object' }]);
  });

  it('checks batch-level field types', () => {
    expect(
      problemsOf(webhook([alert()], { receiver: 1, groupKey: [], externalURL: {}, groupLabels: 'x', commonLabels: { a: 1 } })),
    ).toEqual([
      { field: 'receiver', message: 'must be a string' },
      { field: 'groupKey', message: 'must be a string' },
      { field: 'externalURL', message: 'must be a string' },
      { field: 'groupLabels', message: 'must be an object of string values' },
      { field: 'commonLabels.a', message: 'must be a string' },
    ]);
  });

  it('collects problems across all alerts and shortens echoed values', () => {
    const problems = problemsOf(
      webhook([alert({ status: 'x'.repeat(200) }), alert({ labels: { a: null } }), alert({ generatorURL: 1 })]),
    );
    expect(problems.map((p) => p.field)).toEqual(['alerts[0].status', 'alerts[1].labels.a', 'alerts[2].generatorURL']);
    expect(problems[0]?.message.length).toBeLessThan(100);
  });

  it('ignores unknown and informational fields', () => {
    expect(eventsOf(webhook([alert()], { truncatedAlerts: 3, notification_reason: 'first notification', routeLabels: {} }))).toHaveLength(1);
  });
});
