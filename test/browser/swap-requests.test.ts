import { expect, it } from 'vitest';
import { applyOrg } from '../../src/commands/apply-org.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { systemTestActor, type Harness } from '../helpers/harness.js';
import { ALICE_PASSWORD, ORG_YAML, describeBrowser, eventually, setPassword, signIn } from './browser.js';

/**
 * Swap requests in the web UI: a weekly rotation of Alice and Bob in London (GMT in March). On the
 * harness's clock (Sunday 8 March 2026, 08:00 UTC) Alice's week runs until Monday 09:00, then
 * Bob's. Alice asks Bob on the schedule page to take her Sunday afternoon for his Monday; Bob signs
 * in and accepts it in the Swap requests panel; the schedule changes both ways.
 */
const SWAP_ORG_YAML = `${ORG_YAML}
schedules:
  - name: checkout-primary
    time_zone: Europe/London
    layers:
      - name: weekly
        participants: [alice, bob]
        turn: 1 week
        start: "2026-03-02T09:00"
`;
const BOB_PASSWORD = 'bob correct horse battery';

async function oncallAt(h: Harness, at: string): Promise<unknown> {
  const res = await h.api('GET', `/api/v1/oncall?at=${encodeURIComponent(at)}`);
  return (res.body.oncall as { schedule: string; user: string | null }[]).find((r) => r.schedule === 'checkout-primary')?.user;
}

describeBrowser('swap requests in the browser', (world) => {
  it('alice asks bob to swap on the schedule page; bob accepts it there and both shifts change', async () => {
    const { h, page, context } = world();
    await applyOrg(h.app.ctx, parseOrgYaml(SWAP_ORG_YAML), systemTestActor);
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await setPassword(h, 'bob', BOB_PASSWORD);
    await page.clock.setFixedTime(new Date(h.clock.now()));

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto('/schedules/checkout-primary');
    await page.getByRole('button', { name: 'Schedule’s zone' }).click();
    await page.getByText('Swap shifts', { exact: true }).click();
    expect(await page.getByRole('radio', { name: 'Ask them' }).isChecked()).toBe(true);
    await page.getByLabel('First shift from').fill('2026-03-08T12:00');
    await page.getByLabel('First shift to').fill('2026-03-09T09:00');
    await page.getByLabel('Ask', { exact: true }).selectOption('bob');
    await page.getByLabel('Second shift from').fill('2026-03-09T09:00');
    await page.getByLabel('Second shift to').fill('2026-03-10T09:00');
    await page.getByRole('button', { name: 'Send swap request' }).click();
    const panel = page.getByRole('region', { name: 'Swap requests' });
    await panel.getByText(/You asked bob: they take Sun 8 Mar 12:00/).waitFor();
    // Nothing changes until bob accepts.
    expect(await oncallAt(h, '2026-03-08T13:00Z')).toBe('alice');

    await context.clearCookies();
    await signIn(page, 'bob@example.com', BOB_PASSWORD);
    await page.goto('/schedules/checkout-primary');
    await panel.getByText(/alice asks: you take/).waitFor();
    await panel.getByRole('button', { name: /^Accept swap request \d+ from alice$/ }).click();
    await panel.getByText('No pending swap requests for you on this schedule.').waitFor();

    await eventually(() => oncallAt(h, '2026-03-08T13:00Z')).toBe('bob');
    expect(await oncallAt(h, '2026-03-09T10:00Z')).toBe('alice');
    expect(await oncallAt(h, '2026-03-10T10:00Z')).toBe('bob');
    const [req] = (await h.api('GET', '/api/v1/swap-requests')).body.swap_requests as { status: string; decided_by: string }[];
    expect(req).toMatchObject({ status: 'accepted', decided_by: 'bob' });
  });
});
