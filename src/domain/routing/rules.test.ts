import { describe, expect, it } from 'vitest';
import { parseMatchers } from '../silence/matchers.js';
import { routeAlert, type RouteRule } from './rules.js';

const rule = (match: string, actions: Partial<RouteRule> = {}): RouteRule => ({
  name: null,
  match: parseMatchers(match),
  service: null,
  escalationPolicy: null,
  severity: null,
  page: null,
  channels: [],
  drop: false,
  continue: false,
  ...actions,
});

/** Alertmanager's route matching, flattened to one ordered list (first match wins unless `continue`). */
describe('routeAlert', () => {
  const rules: RouteRule[] = [
    rule('alertname="Watchdog"', { name: 'watchdog', drop: true }),
    rule('severity="warning"', { name: 'warnings-to-slack', page: false, channels: ['teams-ops'] }),
    rule('team=~"db|storage"', { name: 'db-team', service: 'database', continue: true }),
    rule('environment!="production"', { name: 'non-prod', severity: 'info', page: false }),
    rule('alertname=~"High.*"', { name: 'high', escalationPolicy: 'sre', channels: ['war-room'] }),
    rule('service="backend"', { name: 'backend-catch-all', escalationPolicy: 'backend-oncall' }),
  ];
  const cases: [string, Record<string, string>, { matched: string[]; service?: string | null; policy?: string | null; severity?: string | null; outcome?: string; channels?: string[] } | null][] = [
    ['no rule matches: null', { alertname: 'DiskFull', environment: 'production', service: 'frontend' }, null],
    ['equality match, first rule, drop', { alertname: 'Watchdog' }, { matched: ['watchdog'], outcome: 'drop' }],
    ['first match wins and stops without continue', { alertname: 'Watchdog', severity: 'warning' }, { matched: ['watchdog'], outcome: 'drop' }],
    ['channels only', { alertname: 'X', severity: 'warning', environment: 'production' }, { matched: ['warnings-to-slack'], outcome: 'channels-only', channels: ['teams-ops'] }],
    ['regex is anchored: "dbx" is not "db"', { alertname: 'X', team: 'dbx', environment: 'production' }, null],
    ['regex alternation matches and continue goes on; a missing label matches != as the empty string', { alertname: 'X', team: 'storage' }, { matched: ['db-team', 'non-prod'], service: 'database', severity: 'info', outcome: 'channels-only' }],
    ['continue: later rules fill fields the first left unset', { alertname: 'HighErrorRate', team: 'db', environment: 'production' }, { matched: ['db-team', 'high'], service: 'database', policy: 'sre', outcome: 'page', channels: ['war-room'] }],
    ['!= on a present label', { alertname: 'X', environment: 'staging' }, { matched: ['non-prod'], severity: 'info', outcome: 'channels-only' }],
    ['regex on alertname', { alertname: 'HighLatency', environment: 'production' }, { matched: ['high'], policy: 'sre', channels: ['war-room'] }],
    ['service label as any label', { alertname: 'DiskFull', environment: 'production', service: 'backend' }, { matched: ['backend-catch-all'], policy: 'backend-oncall', outcome: 'page' }],
  ];
  it.each(cases)('%s', (_name, labels, want) => {
    const d = routeAlert(rules, labels);
    if (want === null) return expect(d).toBeNull();
    expect(d?.matched.map((m) => m.name)).toEqual(want.matched);
    expect(d).toMatchObject({
      service: want.service ?? null,
      escalationPolicy: want.policy ?? null,
      severity: want.severity ?? null,
      outcome: want.outcome ?? 'page',
      channels: want.channels ?? [],
    });
  });

  it('the first rule that sets a field wins over later continue rules', () => {
    const d = routeAlert(
      [rule('alertname="A"', { name: 'one', service: 'first', page: false, continue: true }), rule('alertname="A"', { name: 'two', service: 'second', page: true, severity: 'critical', channels: ['c2'], continue: true }), rule('alertname="A"', { drop: true })],
      { alertname: 'A' },
    );
    expect(d).toMatchObject({ service: 'first', outcome: 'channels-only', severity: 'critical', channels: ['c2'], decidedBy: { service: 'one', outcome: 'one', severity: 'two' } });
    expect(d?.matched).toEqual([
      { index: 0, name: 'one' },
      { index: 1, name: 'two' },
      { index: 2, name: 'rule #3' },
    ]);
  });

  it('a rule whose matchers all match the empty string matches every alert (a catch-all)', () => {
    expect(routeAlert([rule('team=~".*"', { name: 'all', page: false })], { alertname: 'Anything' })?.outcome).toBe('channels-only');
  });

  it('a continue rule that decides nothing leaves the alert paging as usual', () => {
    expect(routeAlert([rule('alertname="A"', { continue: true })], { alertname: 'A' })).toMatchObject({ outcome: 'page', service: null, decidedBy: {} });
  });
});
