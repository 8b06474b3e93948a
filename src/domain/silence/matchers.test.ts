import { describe, expect, it } from 'vitest';
import { formatMatchers, matches, matchesAll, matchesEmpty, parseMatchers, type Matcher } from './matchers.js';

const m = (name: string, op: '=' | '!=' | '=~' | '!~', value: string): Matcher => ({ name, value, isRegex: op.endsWith('~'), isEqual: !op.startsWith('!') });

describe('matchers follow Alertmanager semantics', () => {
  const labels = { alertname: 'HighErrorRate', service: 'backend', env: 'prod', instance: 'api-1:9090' };
  it.each([
    ['= equal', m('service', '=', 'backend'), true],
    ['= other value', m('service', '=', 'frontend'), false],
    ['!= other value', m('service', '!=', 'frontend'), true],
    ['!= same value', m('service', '!=', 'backend'), false],
    ['=~ anchored whole value', m('alertname', '=~', 'High.*'), true],
    ['=~ is anchored at the start', m('alertname', '=~', 'Error.*'), false],
    ['=~ is anchored at the end', m('alertname', '=~', 'High'), false],
    ['=~ alternation is anchored as a whole', m('env', '=~', 'staging|prod'), true],
    ['!~ not matching', m('env', '!~', 'staging|dev'), true],
    ['!~ matching', m('env', '!~', 'pr.d'), false],
    ['missing label equals empty string', m('team', '=', ''), true],
    ['missing label is not a value', m('team', '=', 'sre'), false],
    ['!= "" requires the label', m('team', '!=', ''), false],
    ['!= on missing label with a value', m('team', '!=', 'sre'), true],
    ['=~ ".*" matches a missing label', m('team', '=~', '.*'), true],
    ['=~ ".+" needs the label', m('team', '=~', '.+'), false],
  ])('%s', (_name, matcher, want) => {
    expect(matches(matcher, labels)).toBe(want);
  });

  it('a list is an AND', () => {
    expect(matchesAll([m('service', '=', 'backend'), m('env', '=', 'prod')], labels)).toBe(true);
    expect(matchesAll([m('service', '=', 'backend'), m('env', '=', 'dev')], labels)).toBe(false);
  });

  it.each([
    [m('job', '=~', '.*'), true],
    [m('job', '=', ''), true],
    [m('job', '!=', 'x'), true],
    [m('job', '=', 'x'), false],
    [m('job', '=~', '.+'), false],
    [m('job', '!=', ''), false],
  ])('matchesEmpty(%o) is %s', (matcher, want) => {
    expect(matchesEmpty(matcher)).toBe(want);
  });
});

describe('parseMatchers reads the classic text syntax', () => {
  it.each([
    ['alertname="HighErrorRate"', [m('alertname', '=', 'HighErrorRate')]],
    ['service=backend', [m('service', '=', 'backend')]],
    ['{env=~"prod|staging", severity!=info}', [m('env', '=~', 'prod|staging'), m('severity', '!=', 'info')]],
    ['{a="1",b!~"x.*",}', [m('a', '=', '1'), m('b', '!~', 'x.*')]],
    ['msg="say \\"hi\\"\\n\\\\"', [m('msg', '=', 'say "hi"\n\\')]],
    ['foo=', [m('foo', '=', '')]],
    ['service=Checkout API', [m('service', '=', 'Checkout API')]],
  ])('%s', (text, want) => {
    expect(parseMatchers(text)).toEqual(want);
  });

  it.each([
    ['foo', /bad matcher format: foo/],
    ['{a="1"', /unbalanced braces/],
    ['a="1" b="2"', /expected ","/],
    ['a="unterminated', /unterminated quoted value/],
    ['1a="x"', /invalid label name "1a"/],
    ['a=~"(unclosed"', /does not compile/],
    ['a=~"(?<=x)y"', /syntax Alertmanager does not accept/],
    ['', /no matchers given/],
  ])('refuses %s', (text, error) => {
    expect(() => parseMatchers(text)).toThrow(error);
  });

  it('prints sorted, quoted and escaped, as Alertmanager does', () => {
    expect(formatMatchers([m('b', '=~', 'x|y'), m('a', '=', 'say "hi"')])).toBe('{a="say \\"hi\\"",b=~"x|y"}');
  });
});
