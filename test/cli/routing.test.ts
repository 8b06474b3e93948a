import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';
import { ROUTING_ORG } from '../helpers/routing-org.js';

/** `watchkeeper route list|test` against a real listening server. */
describe('watchkeeper route', () => {
  let h: Harness;
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.stop();
  });

  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', h.adminToken]);

  it('tests an example alert: the rules it hits, then where it goes', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ROUTING_ORG, listen: true });
    await cli('route', 'test', 'alertname=HighErrorRate', 'service=backend', 'severity=warning');
    expect(out).toEqual([
      '#  RULE               MATCH                 DECIDED',
      '3  warnings-to-slack  {severity="warning"}  outcome',
      '',
      'service   backend',
      'severity  warning',
      'outcome   channels only, nobody paged',
      'policy    -',
      'channels  Slack #alerts-warning, ops-hook',
      'backend: Slack and ops-hook only, nobody paged',
    ]);
    out.length = 0;

    await cli('route', 'test', 'alertname=PostgresDown', '--service', 'backend', '--json');
    expect(JSON.parse(out.join('\n'))).toMatchObject({ matched: ['postgres-to-database'], service: 'Database', escalation_policy: 'sre', outcome: 'page' });
  });

  it('lists the rules in order', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ROUTING_ORG, listen: true });
    await cli('route', 'list');
    expect(out).toEqual([
      '#  NAME                  RULE',
      '1  watchdog              {alertname="Watchdog"} → drop',
      '2  postgres-to-database  {alertname=~"Postgres.*"} → service Database; policy sre; continue',
      '3  warnings-to-slack     {severity="warning"} → page nobody; channels ops-hook',
    ]);
  });

  it('says how to add rules when there are none, and refuses matchers where labels are wanted', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: 'users: []', listen: true });
    await cli('route', 'list');
    expect(out).toEqual(["No routing rules: every alert pages its own service's escalation policy. Add a routes section to the organisation file."]);
    await expect(cli('route', 'test', 'severity=~warn')).rejects.toThrow('label "severity=~warn" is not name=value; write it like severity=warning (an example alert\'s labels, not matchers)');
    await expect(cli('route', 'test', 'alertname=X', 'severity=bogus')).rejects.toThrow(/400: labels\.severity: unknown severity "bogus"/);
  });
});
