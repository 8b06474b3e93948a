import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { applyOrg } from '../../src/commands/apply-org.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { systemTestActor, type Harness } from '../helpers/harness.js';
import { ALICE_PASSWORD, ORG_YAML, describeBrowser, eventually, setPassword, signIn, navigateTo } from './browser.js';

/**
 * Schedules in the web UI: a weekly rotation of Alice and Bob. On the harness's clock (Sunday
 * 8 March 2026, 08:00 UTC) Alice's week runs until Monday 9 March 09:00 London time. Alice puts
 * Bob on call through the override form, and "On call now" says Bob, on the schedule page and
 * on Home, without a reload.
 */
const SCHEDULE_ORG_YAML = `${ORG_YAML}
teams:
  - name: checkout
    members:
      - user: alice
      - user: bob
schedules:
  - name: checkout-primary
    team: checkout
    role: primary
    time_zone: Europe/London
    layers:
      - name: weekly
        participants: [alice, bob]
        turn: 1 week
        start: "2026-03-02T09:00"
`;

async function withSchedule(h: Harness): Promise<void> {
  await applyOrg(h.app.ctx, parseOrgYaml(SCHEDULE_ORG_YAML), systemTestActor);
}

/** The browser's clock reads the harness's fake clock (timers still run), so "now" agrees on both sides. */
async function sameClock(page: Page, h: Harness): Promise<void> {
  await page.clock.setFixedTime(new Date(h.clock.now()));
}

const onCallNow = (page: Page) => page.getByTestId('on-call-now');

async function oncallUser(h: Harness): Promise<unknown> {
  const res = await h.api('GET', '/api/v1/oncall');
  return (res.body.oncall as { schedule: string; user: string | null }[]).find((r) => r.schedule === 'checkout-primary')?.user;
}

describeBrowser('schedules in the browser', (world) => {
  it('shows who is on call, and an override made through the form puts the other person on call on the schedule page and on Home', async () => {
    const { h, page } = world();
    await withSchedule(h);
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await sameClock(page, h);
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);

    // Home: the rotation's person, under the team and role.
    const homeOnCall = page.getByRole('region', { name: 'On call now' });
    await homeOnCall.getByText('checkout', { exact: true }).waitFor();
    await homeOnCall.getByText('primary', { exact: true }).waitFor();
    await homeOnCall.getByText('alice', { exact: true }).waitFor();
    // Alice's own shifts over the next 14 days: this week's end, and her next week.
    await page.getByRole('region', { name: 'My next shifts' }).getByRole('link', { name: 'checkout-primary' }).first().waitFor();

    // The list, then the schedule.
    await navigateTo(page, 'Schedules');
    await page.waitForURL((u) => u.pathname === '/schedules');
    const row = page.getByRole('row').filter({ hasText: 'checkout-primary' });
    await row.getByText('alice', { exact: true }).waitFor();
    await row.getByRole('link', { name: 'checkout-primary' }).click();
    await page.waitForURL((u) => u.pathname === '/schedules/checkout-primary');

    await eventually(() => onCallNow(page).textContent()).toMatch(/^On call now: alice until Mon 9 Mar 09:00/);
    // The layer's and the Final row's blocks are on the timeline.
    await page.getByRole('list', { name: 'Layer weekly' }).getByText('alice').first().waitFor();
    await page.getByRole('list', { name: 'Final: who is on call' }).getByRole('button', { name: /^alice, Mon 2 Mar 09:00–Mon 9 Mar 09:00/ }).waitFor();

    // Times in the schedule's zone, said on screen.
    await page.getByRole('button', { name: 'Schedule’s zone' }).click();
    await page.getByText('Times in Europe/London').waitFor();
    expect(await page.getByRole('button', { name: 'Schedule’s zone' }).getAttribute('aria-pressed')).toBe('true');

    // Bob from now until 20:00 (his own week starts Monday); the form says the effect before it is saved.
    await page.getByLabel('From', { exact: true }).fill('2026-03-08T08:00');
    await page.getByLabel('To', { exact: true }).fill('2026-03-08T20:00');
    await page.getByLabel('Who is on call', { exact: true }).selectOption('bob');
    await eventually(() => page.getByTestId('override-effect').textContent()).toBe('Effect: alice → bob, Sun 8 Mar 08:00–20:00');
    expect(await oncallUser(h)).toBe('alice');

    await page.getByRole('button', { name: 'Create override', exact: true }).click();

    // The page learns of it from the event stream and refetches: Bob is on call now.
    await eventually(() => onCallNow(page).textContent()).toMatch(/^On call now: bob until Sun 8 Mar 20:00/);
    expect(await oncallUser(h)).toBe('bob');
    await page.getByRole('list', { name: 'Overrides' }).getByText('bob').first().waitFor();
    await page.getByRole('button', { name: /^Remove override: bob, Sun 8 Mar 08:00–20:00/ }).waitFor();
    await page.screenshot({ path: 'test-artifacts/browser/schedules-in-the-browser-schedule-page-after-override.png', fullPage: true });

    // Home says Bob too.
    await navigateTo(page, 'Home');
    await page.waitForURL((u) => u.pathname === '/');
    await homeOnCall.getByText('bob', { exact: true }).waitFor();
    expect(await homeOnCall.getByText('alice', { exact: true }).count()).toBe(0);
  });

  it('takes a shift: a click on someone else’s shift and “Take this shift” put the signed-in person on call for it', async () => {
    const { h, page } = world();
    await withSchedule(h);
    await setPassword(h, 'bob', ALICE_PASSWORD);
    await sameClock(page, h);
    await signIn(page, 'bob@example.com', ALICE_PASSWORD);
    await page.goto(new URL('/schedules/checkout-primary', page.url()).toString());
    await eventually(() => onCallNow(page).textContent()).toMatch(/^On call now: alice until Mon 9 Mar 09:00/);
    await page.getByRole('button', { name: 'Schedule’s zone' }).click();

    await page.getByRole('list', { name: 'Final: who is on call' }).getByRole('button', { name: /^alice, Mon 2 Mar 09:00–Mon 9 Mar 09:00/ }).click();
    await page.getByRole('button', { name: 'Take this shift', exact: true }).click();
    await eventually(() => page.getByTestId('override-effect').textContent()).toBe('Effect: alice → bob, Mon 2 Mar 09:00–Mon 9 Mar 09:00');
    // Bob is the one on call now: the button goes away rather than offer him his own shift.
    expect(await page.getByRole('button', { name: 'Take this shift', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Create override', exact: true }).click();
    // Bob's own week follows the one he took: he is on call until 16 March.
    await eventually(() => onCallNow(page).textContent()).toMatch(/^On call now: bob until Mon 16 Mar 09:00/);
    expect(await oncallUser(h)).toBe('bob');
    const overrides = (await h.api('GET', '/api/v1/schedules/checkout-primary')).body as { overrides: { user: string; replaces: string | null }[] };
    expect(overrides.overrides.map((o) => [o.user, o.replaces])).toEqual([['bob', 'alice']]);
  });

  it('fills the override form from a drag across the Final row, and removes an override after a confirmation', async () => {
    const { h, page } = world();
    await withSchedule(h);
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await sameClock(page, h);
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto('/schedules/checkout-primary');
    await eventually(() => onCallNow(page).textContent()).toMatch(/^On call now: alice/);
    // In dark mode, so the screenshot shows the timeline's dark colours.
    await page.getByRole('button', { name: 'Dark mode' }).click();
    await page.getByRole('button', { name: 'Schedule’s zone' }).click();
    await page.getByRole('button', { name: 'Day', exact: true }).click();
    await page.getByRole('heading', { name: 'Sun 8 Mar 2026' }).waitFor();

    // Over Sunday 8 March (London = UTC in March): drag from 12:00 to 18:00.
    const track = page.getByTestId('final-track');
    const box = await track.boundingBox();
    if (!box) throw new Error('the Final row is not on screen');
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * (12 / 24), y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * (15 / 24), y, { steps: 4 });
    await page.mouse.move(box.x + box.width * (18 / 24), y, { steps: 4 });
    await page.mouse.up();

    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe('2026-03-08T12:00');
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe('2026-03-08T18:00');
    // Focus moved to the next thing to fill in.
    await eventually(() => page.getByLabel('Who is on call', { exact: true }).evaluate((el) => (el as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement === el)).toBe(true);
    await page.getByLabel('Who is on call', { exact: true }).selectOption('bob');
    await eventually(() => page.getByTestId('override-effect').textContent()).toBe('Effect: alice → bob, Sun 8 Mar 12:00–18:00');
    await page.getByRole('button', { name: 'Create override', exact: true }).click();
    const remove = page.getByRole('button', { name: /^Remove override: bob, Sun 8 Mar 12:00–18:00/ });
    await remove.waitFor();
    // Alice is still on call now: the override starts at noon.
    expect(await onCallNow(page).textContent()).toMatch(/^On call now: alice/);

    await remove.click();
    const dialog = page.getByRole('dialog', { name: 'Remove this override?' });
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await remove.waitFor({ state: 'detached' });
    await page.getByText('No current or upcoming overrides.').waitFor();
    const res = await h.api('GET', '/api/v1/schedules/checkout-primary');
    expect(res.body.overrides).toEqual([]);
  });
});
