import { describe, expect, it } from 'vitest';
import { parseLabelLines } from './routing-page';

describe('the test form\'s labels', () => {
  it('reads one label per line or comma-separated, dropping quotes around values', () => {
    expect(parseLabelLines('alertname=HighErrorRate\nservice = Checkout API, severity="warning"\n\n')).toEqual({ labels: { alertname: 'HighErrorRate', service: 'Checkout API', severity: 'warning' }, bad: null });
  });
  it('names the first part that is not name=value', () => {
    expect(parseLabelLines('alertname=X\nseverity\n=y').bad).toBe('severity');
  });
});
