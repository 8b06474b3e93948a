import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { SlackApiServer } from '../helpers/slack-server.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * `watchkeeper incident war-room` and `watchkeeper incident stakeholder-update` against a real
 * listening server talking to the local Slack stand-in. The clock starts Sunday 2026-03-08 08:00 UTC.
 */
const ORG = `
users:
  - name: alice
    email: alice@example.com
  - name: carol
    email: carol@example.com
incident_policy:
  commander_required_for: [critical]
  stakeholders:
    - name: customer-success
      severities: [critical]
      notify: [{ user: carol }, { channel: "#cs-incidents" }]
`;

describe('watchkeeper incident war-room / stakeholder-update', () => {
  let h: Harness;
  let slack: SlackApiServer;
  let out: string[];
  beforeEach(async () => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    slack = new SlackApiServer();
    await slack.start();
    slack.channels.set('cs-incidents', 'C0CSINCID1');
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.stop();
    await slack.stop();
  });

  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', h.adminToken]);
  const take = () => out.splice(0, out.length);

  it('opens the war room, creating the channel, and sends a stakeholder update', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ORG, listen: true, slack: { botToken: slack.token, signingSecret: null, apiUrl: slack.apiUrl } });
    await cli('incident', 'declare', 'API errors', '--severity', 'critical', '--commander', 'alice');
    take();
    await cli('incident', 'war-room', '#1');
    expect(take()).toEqual(['#1: war room opened; creating Slack channel #incident-20260308-api-errors']);
    await h.tick();
    expect(slack.channels.get('incident-20260308-api-errors')).toMatch(/^C/);

    await cli('incident', 'stakeholder-update', '1', 'API errors for 5% of requests;', 'next update 08:30 UTC');
    expect(take()).toEqual(['#1: stakeholder update sent to customer-success (1 person, #cs-incidents)']);
    await h.tick();
    expect(slack.messages('#cs-incidents').map((m) => m.text).at(-1)).toContain('API errors for 5% of requests; next update 08:30 UTC');

    await expect(cli('incident', 'war-room', '1')).rejects.toThrow('409: incident #1 already has a war room (#incident-20260308-api-errors), opened by test admin');
  });

  it('bad input is refused with the next step', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ORG, listen: true });
    await expect(cli('incident', 'war-room', 'twelve')).rejects.toThrow('"twelve" is not an incident number; give the number shown by watchkeeper incident list, e.g. 12');
    await expect(cli('incident', 'war-room', '7')).rejects.toThrow('incident #7 not found; see incidents with: watchkeeper incident list');
    await expect(cli('incident', 'stakeholder-update', '7', 'hello')).rejects.toThrow('incident #7 not found; see incidents with: watchkeeper incident list');
    expect(await h.store.db.selectFrom('incident_war_rooms').selectAll().execute()).toEqual([]);
  });
});
