import { describe, expect, it } from 'vitest';
import { checkGrouping, DEFAULT_GROUP_WAIT_MS, groupingOf, groupingToFile, groupingToJson } from './org-grouping.js';

const check = (input: { by: string[]; wait?: string }) => {
  const problems: string[] = [];
  const g = checkGrouping(input, ['services', 0, 'grouping'], (at, m) => problems.push(`${at.join('.')}: ${m}`));
  return { g, problems };
};

describe('grouping in the organisation file', () => {
  it.each([
    [{ by: ['alertname', 'service'] }, { by: ['alertname', 'service'], waitMs: DEFAULT_GROUP_WAIT_MS }],
    [{ by: ['alertname'], wait: '0s' }, { by: ['alertname'], waitMs: 0 }],
    [{ by: ['...'], wait: '2m' }, { by: ['...'], waitMs: 120_000 }],
    [{ by: [], wait: '1h' }, { by: [], waitMs: 3_600_000 }],
  ])('accepts %j', (input, want) => {
    expect(check(input)).toEqual({ g: want, problems: [] });
  });

  it.each([
    [{ by: ['alertname', '...'] }, "services.0.grouping.by.1: '...' groups by every label and must be the only entry"],
    [{ by: ['1st'] }, 'services.0.grouping.by.0: "1st" is not a label name; use letters, digits and "_", not starting with a digit'],
    [{ by: ['alertname', 'alertname'] }, 'services.0.grouping.by.1: "alertname" is listed twice'],
    [{ by: ['alertname'], wait: '2h' }, 'services.0.grouping.wait: "2h" is not a duration from 0s to 1h; write e.g. 30s or 2m'],
    [{ by: ['alertname'], wait: 'soon' }, 'services.0.grouping.wait: "soon" is not a duration from 0s to 1h; write e.g. 30s or 2m'],
  ])('refuses %j, naming the field', (input, problem) => {
    expect(check(input)).toEqual({ g: null, problems: [problem] });
  });

  it('stores and exports the same grouping it read', () => {
    const json = groupingToJson({ by: ['alertname', 'service'], waitMs: 90_000 });
    expect(groupingOf(json)).toEqual({ by: ['alertname', 'service'], waitMs: 90_000 });
    expect(groupingToFile(json)).toEqual({ by: ['alertname', 'service'], wait: '1m30s' });
    expect(groupingToJson(null)).toBeNull();
    expect(groupingToFile(null)).toBeNull();
  });
});
