import { describe, expect, it } from 'vitest';
import { literalPrefix, literalWords, MatcherIndex } from './matcher-index.js';
import { matchesAll, parseMatchers, type Matcher } from './matchers.js';

describe('literalPrefix', () => {
  it.each([
    ['batch-7-.*', 'batch-7-'],
    ['db-[0-9]+', 'db-'],
    ['abc?', 'ab'],
    ['abc*', 'ab'],
    ['abc{0,2}', 'ab'],
    ['abc+', 'abc'],
    ['web\\.example', 'web'],
    ['Disk.*|Mem.*', ''],
    ['(a|b)c', ''],
    ['.*', ''],
    ['exact', 'exact'],
  ])('%s → %s', (pattern, want) => expect(literalPrefix(pattern)).toBe(want));
});

describe('literalWords', () => {
  it.each([
    ['HighErrorRate|HighLatency', ['HighErrorRate', 'HighLatency']],
    ['one', ['one']],
    ['a|a', ['a']],
    ['a|', null],
    ['Disk.*|Mem', null],
    ['(a|b)', null],
  ])('%s → %o', (pattern, want) => expect(literalWords(pattern)).toEqual(want));
});

describe('MatcherIndex', () => {
  const sets = [
    'instance="db-1"',
    'alertname="HighErrorRate", team="payments"',
    'instance=~"batch-7-.*"',
    'team!="payments"',
    'alertname=~"Disk.*|Mem.*"',
    'instance=""',
    'env=~"prod"',
    'constructor=~"x.*"',
    'alertname=~"HighErrorRate|HighLatency"',
  ].map((t) => parseMatchers(t));
  const idx = new MatcherIndex(sets, (m: Matcher[]) => m);
  const labelSets: Record<string, string>[] = [
    { instance: 'db-1', alertname: 'HighErrorRate', team: 'payments' },
    { instance: 'batch-7-42', alertname: 'DiskFull', team: 'ops' },
    { alertname: 'MemHigh', env: 'prod' },
    {},
    { instance: 'db-2', team: 'payments', env: 'production' },
  ];
  it.each(labelSets)('returns every matching set, in list order, for %o', (labels) => {
    const candidates = idx.candidates(labels);
    const matching = sets.filter((s) => matchesAll(s, labels));
    expect(candidates.filter((s) => matchesAll(s, labels))).toEqual(matching);
    expect(candidates.map((c) => sets.indexOf(c))).toEqual([...candidates.map((c) => sets.indexOf(c))].sort((a, b) => a - b));
  });
  it('leaves out sets an equality or a literal regex prefix rules out', () => {
    expect(idx.candidates({ instance: 'web-3', alertname: 'X' }).map((c) => sets.indexOf(c))).toEqual([3, 4, 5]);
    expect(idx.candidates({ instance: 'web-3', alertname: 'HighLatency' }).map((c) => sets.indexOf(c))).toEqual([3, 4, 5, 8]);
  });
});
