import { describe, expect, it } from 'vitest';
import type { PageOverrides } from './page-message.fixture.js';
import { samplePage } from './page-message.fixture.js';
import type { PageMessage, SendResult, Sender } from './sender.js';
import { bundleHeadline, bundleLines, detailRows, renderPageText, renderSubject, SenderRegistry } from './sender.js';

/** Alice's page, with a nested detail and a link that must never be shown. */
function page(overrides: PageOverrides = {}): PageMessage {
  return samplePage({
    ...overrides,
    alert: {
      details: { error_rate: 0.073, labels: { region: 'eu-west-1' } },
      links: [
        { href: 'https://grafana.example.com/d/checkout', text: 'Dashboard' },
        { href: 'javascript:alert(1)', text: 'evil' },
      ],
      ...overrides.alert,
    },
  });
}

function fakeSender(channel: string, send: (msg: PageMessage) => Promise<SendResult>, close?: () => Promise<void>): Sender {
  return close ? { channel, send, close } : { channel, send };
}

describe('renderPageText', () => {
  it('puts severity, service, summary and alert number in the subject', () => {
    expect(renderPageText(page()).subject).toBe('[CRITICAL] Checkout API: Error rate above 5% (#42)');
  });

  it('keeps the subject on one line and bounded however the summary looks', () => {
    const subject = renderSubject(page({ alert: { summary: `line one\nline two ${'x'.repeat(500)}` } }));
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject.startsWith('[CRITICAL] Checkout API: line one line two')).toBe(true);
    expect(subject.length).toBeLessThan(260);
  });

  it('names everything a responder needs and how to acknowledge or resolve', () => {
    const { text } = renderPageText(page());
    expect(text).toContain('Error rate above 5%');
    expect(text).toContain('Service:   Checkout API');
    expect(text).toContain('Severity:  critical');
    expect(text).toContain('Status:    triggered');
    expect(text).toContain('Source:    prometheus-eu-1');
    expect(text).toContain('Fired:     3 times, first at 2026-03-08 08:00:00 UTC');
    expect(text).toContain('Alert:     https://watchkeeper.example.com/alerts/42');
    expect(text).toContain('To acknowledge (you are on it; escalation stops), open:\n  https://watchkeeper.example.com/a/ack');
    expect(text).toContain('To resolve (the problem is fixed), open:\n  https://watchkeeper.example.com/a/resolve');
    expect(text).toContain('Dashboard: https://grafana.example.com/d/checkout');
    expect(text).toContain('labels: {"region":"eu-west-1"}');
  });

  it('never shows a non-web link from the alert source', () => {
    expect(renderPageText(page()).text).not.toContain('javascript:');
  });

  it('counts escalation levels from 1 and mentions repeats only once the policy starts over', () => {
    expect(renderPageText(page({ level: 0, cycle: 0 })).text).toContain('Escalation: level 1\n');
    expect(renderPageText(page({ level: 2, cycle: 1 })).text).toContain('Escalation: level 3, repeat 1\n');
  });

  it('says "1 time" and "not given" for a single firing without a source', () => {
    const { text } = renderPageText(page({ alert: { count: 1, source: null } }));
    expect(text).toContain('Fired:     1 time,');
    expect(text).toContain('Source:    (not given)');
  });

  it('leaves out action instructions the page cannot offer', () => {
    const { text } = renderPageText(page({ actions: { acknowledgeUrl: null, resolveUrl: null } }));
    expect(text).not.toContain('To acknowledge');
    expect(text).not.toContain('To resolve');
  });

  it('makes a test page unmistakable', () => {
    const rendered = renderPageText(page({ kind: 'test' }));
    expect(rendered.subject).toBe('[TEST] [CRITICAL] Checkout API: Error rate above 5% (#42)');
    expect(rendered.text.startsWith('This is a test page')).toBe(true);
  });
});

describe('detailRows', () => {
  it('bounds the number of rows and the length of each value', () => {
    const details = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v'.repeat(1000)]));
    const rows = detailRows(details);
    expect(rows).toHaveLength(31);
    expect(rows[0]!.value.length).toBe(500);
    expect(rows[30]).toEqual({ key: '…', value: '10 more not shown' });
  });

  it('renders nothing for an alert without details', () => {
    expect(detailRows(null)).toEqual([]);
  });
});

describe('SenderRegistry', () => {
  const ok = async (): Promise<SendResult> => ({ ok: true, providerId: 'p-1' });

  it('finds senders by channel and lists the channels', () => {
    const registry = new SenderRegistry();
    const email = fakeSender('email', ok);
    registry.register(email);
    registry.register(fakeSender('webhook', ok));
    expect(registry.get('email')).toBe(email);
    expect(registry.get('sms')).toBeUndefined();
    expect(registry.channels()).toEqual(['email', 'webhook']);
  });

  it('refuses a second sender for the same channel', () => {
    const registry = new SenderRegistry();
    registry.register(fakeSender('email', ok));
    expect(() => registry.register(fakeSender('email', ok))).toThrow(/already registered/);
  });

  it('sends through the message channel', async () => {
    const registry = new SenderRegistry();
    registry.register(fakeSender('email', ok));
    expect(await registry.send(page())).toEqual({ ok: true, providerId: 'p-1' });
  });

  it('fails for good when no sender serves the channel', async () => {
    const result = await new SenderRegistry().send(page({ channel: 'sms' }));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(!result.ok && result.error).toContain('sms');
  });

  it('turns a sender that throws into a retryable failure', async () => {
    const registry = new SenderRegistry();
    registry.register(fakeSender('email', () => Promise.reject(new Error('boom'))));
    expect(await registry.send(page())).toMatchObject({ ok: false, retryable: true, error: 'email sender threw: boom' });
  });

  it('closes every sender even when one fails to close', async () => {
    const closed: string[] = [];
    const registry = new SenderRegistry();
    registry.register(fakeSender('email', ok, () => Promise.reject(new Error('pool stuck'))));
    registry.register(fakeSender('webhook', ok, async () => void closed.push('webhook')));
    registry.register(fakeSender('log', ok));

    await expect(registry.closeAll()).rejects.toThrow(AggregateError);
    expect(closed).toEqual(['webhook']);
  });
});

describe('bundled pages', () => {
  const bundle = (count: number, services = ['Clipper Critical']) => ({
    count,
    url: 'https://watchkeeper.example.com/alerts',
    alerts: Array.from({ length: count }, (_, i) => ({
      id: 100 + i,
      summary: `Disk full on node ${i}`,
      severity: i === 0 ? 'critical' : 'high',
      serviceId: `svc-${i % services.length}`,
      serviceName: services[i % services.length] as string,
      url: `https://watchkeeper.example.com/alerts/${100 + i}`,
    })),
  });

  it('heads the subject with how many alerts on which service and the first summaries', () => {
    const msg = page({ alert: { id: 100, summary: 'Disk full on node 0' }, bundle: bundle(5) });
    expect(renderSubject(msg)).toBe('[CRITICAL] 5 new alerts on Clipper Critical: Disk full on node 0; Disk full on node 1; Disk full on node 2; …');
    expect(bundleHeadline(bundle(4, ['A', 'B']))).toBe('4 new alerts on 2 services');
  });

  it('lists the first ten alerts with their links, counts the rest and links the alerts list', () => {
    const { text } = renderPageText(page({ actions: { acknowledgeUrl: null, resolveUrl: null }, bundle: bundle(14) }));
    expect(text).toContain('14 new alerts on Clipper Critical:');
    expect(text).toContain('#100 [critical] Clipper Critical: Disk full on node 0');
    expect(text).toContain('#109 [high] Clipper Critical: Disk full on node 9');
    expect(text).not.toContain('#110 ');
    expect(text).toContain('… and 4 more');
    expect(text).toContain('Open alerts: https://watchkeeper.example.com/alerts');
    expect(text).not.toContain('To acknowledge');
    expect(bundleLines(bundle(3))).toHaveLength(3);
  });
});
