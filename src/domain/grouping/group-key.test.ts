import { describe, expect, it } from 'vitest';
import { GROUP_BY_ALL, groupKeyFor, groupLabelsFor, groupSizeText, groupTitle } from './group-key.js';

const alert = { alertname: 'HighErrorRate', service: 'backend', severity: 'critical', instance: 'a:9090' };

describe('group keys follow Alertmanager', () => {
  it.each([
    ['by alertname', ['alertname'], alert, '{alertname="HighErrorRate"}'],
    ['names sorted, comma and space', ['service', 'alertname'], alert, '{alertname="HighErrorRate", service="backend"}'],
    ['a missing label is absent', ['alertname', 'cluster'], alert, '{alertname="HighErrorRate"}'],
    ['an empty value is absent, as a missing label', ['alertname', 'cluster'], { ...alert, cluster: '' }, '{alertname="HighErrorRate"}'],
    ['no label of the list present', ['cluster'], alert, '{}'],
    ['empty list: one group for everything', [], alert, '{}'],
    ['group by all labels', [GROUP_BY_ALL], alert, '{alertname="HighErrorRate", instance="a:9090", service="backend", severity="critical"}'],
    ['a name listed twice counts once', ['alertname', 'alertname'], alert, '{alertname="HighErrorRate"}'],
    ['values are quoted', ['path'], { path: 'say "hi"\\' }, '{path="say \\"hi\\"\\\\"}'],
  ])('%s', (_name, by, labels, key) => {
    expect(groupKeyFor(labels, { by })).toBe(key);
  });

  it.each([
    ['same by-label values share a group', ['alertname', 'service'], { ...alert, instance: 'b:9090' }, true],
    ['another service is another group', ['alertname', 'service'], { ...alert, service: 'frontend' }, false],
    ['missing and empty are the same group', ['alertname', 'cluster'], { ...alert, cluster: '' }, true],
    ['group by all: one differing label splits', [GROUP_BY_ALL], { ...alert, instance: 'b:9090' }, false],
    ['group by all: identical labels share', [GROUP_BY_ALL], { ...alert }, true],
  ])('%s', (_name, by, other, same) => {
    expect(groupKeyFor(other, { by }) === groupKeyFor(alert, { by })).toBe(same);
  });

  it('keeps only the by labels, sorted', () => {
    expect(Object.entries(groupLabelsFor(alert, { by: ['service', 'alertname', 'zone'] }))).toEqual([
      ['alertname', 'HighErrorRate'],
      ['service', 'backend'],
    ]);
  });

  it.each([
    [{ alertname: 'HighErrorRate', service: 'backend' }, 'HighErrorRate / service=backend'],
    [{ service: 'backend', cluster: 'eu' }, 'cluster=eu / service=backend'],
    [{}, 'all alerts'],
  ])('titles %j as %s', (labels, title) => {
    expect(groupTitle(labels)).toBe(title);
  });

  it('counts alerts in words', () => {
    expect(groupSizeText(12, { alertname: 'HighErrorRate', service: 'backend' })).toBe('12 alerts in group HighErrorRate / service=backend');
    expect(groupSizeText(1, { alertname: 'X' })).toBe('1 alert in group X');
  });
});
