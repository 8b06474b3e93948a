import { describe, expect, it } from 'vitest';
import { actionId, alertMessage, escapeMrkdwn, noticeMessage, parseActionId, slackLink, statusLine, type SlackAlertView } from './slack-blocks.js';
import { channelsFor, isSecurityAlert } from './slack-routing.js';

const view = (o: Partial<SlackAlertView> = {}): SlackAlertView => ({
  id: 42,
  summary: 'Error rate above 5%',
  severity: 'critical',
  status: 'triggered',
  serviceName: 'Payments API',
  url: 'https://wk.example.com/alerts/42',
  source: 'prometheus-eu-1',
  count: 1,
  acknowledgedBy: null,
  resolvedBy: null,
  level: 0,
  links: [],
  ...o,
});

const allText = (blocks: unknown): string => JSON.stringify(blocks);

describe('Slack alert blocks', () => {
  it('escapes &, < and > in everything that comes from the alert, so text cannot ping a channel or forge a link', () => {
    expect(escapeMrkdwn('a & b <!channel> <https://evil|bank> > c')).toBe('a &amp; b &lt;!channel&gt; &lt;https://evil|bank&gt; &gt; c');
    const m = alertMessage(view({ summary: '<!channel> disk > 90% & rising', serviceName: 'R&D <core>', source: '<@U123>', severity: 'crit<ical>' }));
    const text = allText(m.blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U123>');
    expect(text).toContain('&lt;!channel&gt; disk &gt; 90% &amp; rising');
    expect(text).toContain('R&amp;D &lt;core&gt;');
    expect(text).toContain('Source: &lt;@U123&gt;');
    expect(m.text).toBe('[CRIT&lt;ICAL&gt;] R&amp;D &lt;core&gt;: &lt;!channel&gt; disk &gt; 90% &amp; rising (#42): Triggered (escalation level 1)');
  });

  it('links to the alert and to the alert links that are web links only, with safe labels', () => {
    const m = alertMessage(view({ links: [{ href: 'https://grafana.example.com/d/x?a=1|2', text: 'Dash|board <x>' }, { href: 'javascript:alert(1)', text: 'bad' }] }));
    const text = allText(m.blocks);
    expect(text).toContain('<https://wk.example.com/alerts/42|#42>');
    expect(text).toContain('<https://grafana.example.com/d/x?a=1%7C2|Dash¦board &lt;x&gt;>');
    expect(text).not.toContain('javascript:');
    expect(slackLink('https://x.example/a>b', 'y')).toBe('<https://x.example/a%3Eb|y>');
  });

  it('offers Acknowledge, Resolve and Escalate while triggered, Resolve and Escalate once acknowledged, nothing once resolved', () => {
    const ids = (v: SlackAlertView) =>
      alertMessage(v)
        .blocks.filter((b) => b.type === 'actions')
        .flatMap((b) => (b.elements as { action_id: string; value: string }[]).map((e) => `${e.action_id}=${e.value}`));
    expect(ids(view())).toEqual(['watchkeeper.ack.42=42', 'watchkeeper.resolve.42=42', 'watchkeeper.escalate.42=42']);
    expect(ids(view({ status: 'acknowledged', acknowledgedBy: 'alice' }))).toEqual(['watchkeeper.resolve.42=42', 'watchkeeper.escalate.42=42']);
    expect(ids(view({ status: 'resolved', resolvedBy: 'bob' }))).toEqual([]);
    expect(ids(view({ test: true }))).toEqual([]);
    expect(alertMessage(view({ test: true })).text).toMatch(/^\[TEST\] /);
  });

  it('says who acknowledged or resolved, and the escalation level counted from 1', () => {
    expect(statusLine(view({ level: 1 }))).toBe('Triggered (escalation level 2)');
    expect(statusLine(view({ status: 'acknowledged', acknowledgedBy: 'alice' }))).toBe('Acknowledged by alice');
    expect(statusLine(view({ status: 'resolved', resolvedBy: 'bob' }))).toBe('Resolved by bob');
    expect(allText(alertMessage(view({ status: 'acknowledged', acknowledgedBy: 'a<b' })).blocks)).toContain('Acknowledged by a&lt;b');
  });

  it('round-trips action ids and refuses anything else', () => {
    expect(parseActionId(actionId('escalate', 981))).toEqual({ action: 'escalate', alertId: 981 });
    for (const bad of ['watchkeeper.ack.', 'watchkeeper.ack.0', 'watchkeeper.delete.4', 'watchkeeper.ack.4 ', 'other.ack.4', 'watchkeeper.ack.1e3']) expect(parseActionId(bad)).toBeNull();
  });

  it('renders a notice as one escaped section with its link', () => {
    const m = noticeMessage({ subject: 'Verify <code>', text: 'Your code is 123 & it expires', url: 'https://wk.example.com/profile' });
    expect(m.text).toBe('*Verify &lt;code&gt;*\n\nYour code is 123 &amp; it expires\n\n<https://wk.example.com/profile|Open in Watchkeeper>');
  });
});

describe('Slack channel routing', () => {
  const routing = { channels: { critical: '#incidents', medium: '#alerts' }, securityChannel: '#security' };
  it('posts to the channel of the severity, and security alerts to the security channel as well', () => {
    expect(channelsFor(routing, { severity: 'critical', class: null, labels: {} })).toEqual(['#incidents']);
    expect(channelsFor(routing, { severity: 'medium', class: 'security', labels: {} })).toEqual(['#alerts', '#security']);
    expect(channelsFor(routing, { severity: 'low', class: null, labels: { Category: 'Security' } })).toEqual(['#security']);
    expect(channelsFor(routing, { severity: 'low', class: null, labels: {} })).toEqual([]);
    expect(channelsFor({ channels: { critical: '#security' }, securityChannel: '#security' }, { severity: 'critical', class: 'security', labels: {} })).toEqual(['#security']);
  });
  it('calls an alert security by class or by label category, nothing else', () => {
    expect(isSecurityAlert({ class: ' SECURITY ', labels: {} })).toBe(true);
    expect(isSecurityAlert({ class: null, labels: { category: 'security' } })).toBe(true);
    expect(isSecurityAlert({ class: 'securityish', labels: { team: 'security' } })).toBe(false);
  });
});
