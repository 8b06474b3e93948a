import { describe, expect, it } from 'vitest';
import { parseMatchers } from './matchers.js';
import { formatDuration, judgeSilence, parseDuration, severitiesHidden, type SilencePolicy } from './policy.js';

const LEVELS = [
  { name: 'critical', aliases: ['P1'] },
  { name: 'warning', aliases: ['P2'] },
  { name: 'info', aliases: ['P3'] },
];
const H = 3_600_000;
const CLIPPER: SilencePolicy = {
  maxDuration: [
    { severity: 'critical', ms: H },
    { severity: 'warning', ms: 4 * H },
    { severity: 'info', ms: 24 * H },
  ],
  approvals: [
    { name: 'critical', severities: ['critical'], matchers: null, approvers: [{ role: 'manager' }] },
    { name: 'security', severities: null, matchers: parseMatchers('category="security"'), approvers: [{ role: 'manager' }, { team: 'security' }] },
  ],
};
const judge = (text: string) => {
  const v = judgeSilence(CLIPPER, parseMatchers(text), LEVELS);
  return { limit: v.limit?.severity ?? null, approvals: v.approvals.map((r) => r.name), exempt: v.exempt.length };
};

describe('silence policy', () => {
  it.each([
    ['service=backend', { limit: 'critical', approvals: ['critical'], exempt: 1 }],
    ['service=backend, severity=warning', { limit: 'warning', approvals: [], exempt: 1 }],
    ['service=backend, severity=~"warning|info"', { limit: 'warning', approvals: [], exempt: 1 }],
    ['service=backend, severity!=critical', { limit: 'warning', approvals: [], exempt: 1 }],
    ['severity=info', { limit: 'info', approvals: [], exempt: 1 }],
    ['category=security, severity=info', { limit: 'info', approvals: ['security'], exempt: 0 }],
    ['category=security', { limit: 'critical', approvals: ['critical', 'security'], exempt: 0 }],
    ['category!=security, severity=info', { limit: 'info', approvals: [], exempt: 0 }],
  ])('%s', (text, want) => {
    expect(judge(text)).toEqual(want);
  });

  it('knows the severities a silence can hide by the scale\'s names', () => {
    expect(severitiesHidden(parseMatchers('severity=~"critical|warning"'), LEVELS)).toEqual(['critical', 'warning']);
    expect(severitiesHidden(parseMatchers('job=x'), LEVELS)).toEqual(['critical', 'warning', 'info']);
  });

  it('has no limits without a policy', () => {
    expect(judgeSilence(null, parseMatchers('a=b'), LEVELS)).toEqual({ limit: null, approvals: [], exempt: [] });
  });

  it.each([
    ['2h', 2 * H, '2h'],
    ['1h30m', 1.5 * H, '1h30m'],
    ['1d', 24 * H, '1d'],
    ['90s', 90_000, '1m30s'],
  ])('duration %s', (text, ms, back) => {
    expect(parseDuration(text)).toBe(ms);
    expect(formatDuration(ms)).toBe(back);
  });
  it.each(['', 'soon', '2 hours', 'h'])('not a duration: %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
