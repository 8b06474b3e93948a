import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';
import { FakeTwilio } from '../helpers/twilio-server.js';

const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods:
      - { name: phone, type: sms, address: "+14155550101" }
`;

/** `watchkeeper twilio status` against a real listening server. */
describe('watchkeeper twilio status', () => {
  let h: Harness;
  let twilio: FakeTwilio | null = null;
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.stop();
    await twilio?.stop();
    twilio = null;
  });
  const cli = (token: string) => main(['node', 'watchkeeper', 'twilio', 'status', '--server', h.baseUrl, '--token', token]);

  it('shows the number, the webhook to set in Twilio and the numbers that texted STOP', async () => {
    twilio = new FakeTwilio();
    await twilio.start();
    h = await Harness.start(sqliteKind, { orgYaml: ORG, listen: true, twilio: twilio.options() });
    twilio.attach(h.app.ctx.publicUrl, h.baseUrl);
    await twilio.text('+14155550101', 'STOP');
    await cli(h.adminToken);
    expect(out).toEqual([
      `Twilio: sending from +15005550006 (account ${twilio.accountSid.slice(0, 6)}…${twilio.accountSid.slice(-4)}, ${twilio.options().apiUrl})`,
      'Channels: sms, voice',
      'Incoming SMS webhook (set it on the number in the Twilio console, HTTP POST): http://watchkeeper.test/integrations/twilio/sms',
      'Opted out: 1 number(s); each gets nothing until it texts START',
      '  NUMBER        PEOPLE  KEYWORD  SINCE',
      '  +14155550101  alice   STOP     2026-03-08 08:00Z',
    ]);
  });

  it('says what to set when Twilio is not configured', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ORG, listen: true });
    await cli(h.adminToken);
    expect(out).toEqual([
      'Twilio: not configured; sms and voice contact methods are not paged.',
      'Set WATCHKEEPER_TWILIO_ACCOUNT_SID, WATCHKEEPER_TWILIO_AUTH_TOKEN and WATCHKEEPER_TWILIO_FROM on the server and restart it.',
    ]);
  });
});
