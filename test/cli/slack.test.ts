import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App, defaultSenders } from '../../src/app.js';
import { applyOrg } from '../../src/commands/apply-org.js';
import { createToken } from '../../src/commands/tokens.js';
import { main } from '../../src/cli/main.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { SlackApiServer } from '../helpers/slack-server.js';
import { sqliteKind } from '../helpers/stores.js';

const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods:
      - { name: slack, type: slack, address: U0ALICE001 }
  - name: bob
    email: bob@example.com
escalation_policies:
  - name: p
    levels:
      - targets: [{ user: alice }]
services:
  - name: Payments API
    escalation_policy: p
    slack:
      channels: { p1: "#incidents", warning: "#alerts" }
      security_channel: "#security"
  - name: Search
    escalation_policy: p
`;

/** `watchkeeper slack status` against a real listening server connected to a local Slack. */
describe('watchkeeper slack status', () => {
  let h: Harness;
  let slack: SlackApiServer;
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  });
  afterEach(async () => {
    process.exitCode = undefined;
    vi.restoreAllMocks();
    await h?.stop();
    await slack?.stop();
  });

  const start = async (connected: boolean) => {
    slack = new SlackApiServer();
    await slack.start();
    h = new Harness(sqliteKind);
    await h.smtp.start();
    h.store = await sqliteKind.open();
    const log = pino({ level: 'silent' });
    h.app = new App({ store: h.store, clock: h.clock, log, publicUrl: 'http://wk.test', senders: defaultSenders(log, null, null), slack: connected ? { botToken: slack.token, signingSecret: 'secret', apiUrl: slack.apiUrl } : null });
    await applyOrg(h.app.ctx, parseOrgYaml(ORG), systemTestActor);
    h.adminToken = (await createToken(h.app.ctx, systemTestActor, { name: 'admin', role: 'admin' })).token;
    await h.app.http.listen({ port: 0, host: '127.0.0.1' });
    const addr = h.app.http.server.address();
    h.baseUrl = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
  };
  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', h.adminToken]);

  it('prints the workspace, linked people, the outbox and each service\'s channels', async () => {
    await start(true);
    await cli('slack', 'status');
    expect(out).toEqual([
      'Connected to Watchkeeper Test as @watchkeeper. Buttons: set the app\'s Interactivity Request URL to http://wk.test/integrations/slack/interactions.',
      'Buttons: on (Interactivity Request URL http://wk.test/integrations/slack/interactions)',
      'People linked to Slack: 1 of 2 (1 by Slack contact method, 0 by email)',
      'Messages: 0 up to date, 0 waiting, 0 failed',
      '',
      'SERVICE       SEVERITY  CHANNEL',
      'Payments API  critical  #incidents',
      '              medium    #alerts',
      '              security  #security',
    ]);
    expect(process.exitCode).toBeUndefined();
  });

  it('says how to connect and exits 1 when there is no bot token', async () => {
    await start(false);
    await cli('slack', 'status');
    expect(out[0]).toBe('Slack is not connected: set WATCHKEEPER_SLACK_BOT_TOKEN (and WATCHKEEPER_SLACK_SIGNING_SECRET for buttons) and restart Watchkeeper.');
    expect(out).toContain('Payments API  critical  #incidents');
    expect(process.exitCode).toBe(1);
  });
});
