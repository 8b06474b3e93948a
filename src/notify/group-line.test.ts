import { describe, expect, it } from 'vitest';
import { samplePage } from './page-message.fixture.js';
import { renderPageText, renderSubject } from './sender.js';
import { smsPageBody } from './twilio/sms-text.js';

const group = (count: number) => ({
  text: `${count} alerts in group HighErrorRate / service=backend`,
  count,
  alerts: Array.from({ length: Math.min(count, 20) }, (_, i) => ({ id: 42 + i, summary: `errors on ${String.fromCharCode(97 + i)}`, severity: 'critical', url: `https://wk.example.com/alerts/${42 + i}` })),
});

describe('a page for an alert group', () => {
  it('names the group first in the subject, where a phone shows it', () => {
    const msg = samplePage({ group: group(3) });
    expect(renderSubject(msg)).toMatch(/^\[CRITICAL\] 3 alerts in group HighErrorRate \/ service=backend: .* \(#\d+\)$/);
    expect(smsPageBody(msg, 3)).toMatch(/^\[CRITICAL\] 3 alerts in group HighErrorRate \/ service=backend: .* \(#\d+\)\. Reply 3a to ack/);
  });

  it('lists the group in the text and says what acknowledging does', () => {
    const text = renderPageText(samplePage({ group: group(3) })).text;
    expect(text).toContain('Group:     3 alerts in group HighErrorRate / service=backend\n  #42 [critical] errors on a\n  #43 [critical] errors on b\n  #44 [critical] errors on c\nAcknowledging or resolving this alert does the same to the others in its group.');
  });

  it('counts the alerts beyond the first ten', () => {
    const text = renderPageText(samplePage({ group: group(25) })).text;
    expect(text).toContain('  #51 [critical] errors on j\n  … and 15 more');
  });

  it('reads as an ordinary page for a group of one', () => {
    const alone = samplePage({ group: group(1) });
    expect(renderSubject(alone)).toBe(renderSubject(samplePage()));
  });
});
