import { describe, expect, it } from 'vitest';
import { alertCount, changeText, formatAt } from './format';

describe('handoff formatting', () => {
  it('shows a handoff time in the schedule’s zone, with the zone', () => {
    expect(formatAt('2026-02-23T00:00:00.000Z', 'UTC')).toBe('Mon 23 Feb 00:00 UTC');
  });
  it('counts alerts by severity', () => {
    expect(alertCount({ total: 0, by_severity: [] })).toBe('no alerts');
    expect(alertCount({ total: 3, by_severity: [{ severity: 'critical', count: 1 }, { severity: 'high', count: 2 }] })).toBe('3 alerts (critical 1, high 2)');
  });
  it('says what changed in the operators’ words', () => {
    expect(changeText({ action: 'schedule_override.create', entity_kind: 'schedule', entity: 'mahavishnu-primary' })).toBe('override placed on mahavishnu-primary');
    expect(changeText({ action: 'escalation_policy.update', entity_kind: 'escalation_policy', entity: 'mahavishnu' })).toBe('escalation policy mahavishnu changed');
  });
});
