import { expect, it } from 'vitest';
import { applyOrg } from '../../src/commands/apply-org.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { systemTestActor } from '../helpers/harness.js';
import { ALICE_PASSWORD, alertByDedupKey, describeBrowser, eventually, ORG_YAML, pagesOf, setPassword, signIn, triggerEvent, navigateTo } from './browser.js';

/**
 * Maintenance windows in the web UI: the form previews when the window runs, that it needs a
 * manager's approval (over 4h) and that the on-call schedule hands over during it, then creates
 * it; a short window created the same way holds a new alert until it is ended with a click.
 * The clock is Sunday 2026-03-08 08:00 UTC; the schedule hands over daily at 12:00 UTC.
 */
const WITH_SCHEDULE = `${ORG_YAML.replace('          - user: alice\n        delay_minutes: 5', '          - schedule: Checkout Primary\n        delay_minutes: 5')}
schedules:
  - name: Checkout Primary
    time_zone: UTC
    layers:
      - name: daily
        participants: [alice, bob]
        turn: 1 day
        start: "2026-03-01T12:00"
maintenance_policy:
  approval_over: 4h
`;

describeBrowser('maintenance windows in the browser', (world) => {
  it('previews a window with its approval and handoff warning, creates it, and ends one that holds an alert', async () => {
    const { h, page } = world();
    expect(WITH_SCHEDULE).toContain('schedule: Checkout Primary');
    await applyOrg(h.app.ctx, parseOrgYaml(WITH_SCHEDULE), systemTestActor);
    await setPassword(h, 'alice', ALICE_PASSWORD);

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await navigateTo(page, 'Maintenance');
    await page.waitForURL((u) => u.pathname === '/maintenance');
    await page.getByText('No maintenance windows.').waitFor();

    await page.getByLabel('Services').fill('Checkout API');
    const preview = page.getByLabel('Preview');
    // A recurring window reads back as the rule in words, in its zone.
    await page.getByLabel('Recurring').check();
    await page.getByLabel('Time zone').fill('America/Chicago');
    await preview.getByText('Checkout API, every week on Sunday at 02:00 America/Chicago for 2h. Next:').waitFor();
    await page.getByLabel('One-off').check();
    await page.getByLabel('Duration').fill('6h');
    await preview.getByText('needs approval').waitFor();
    await preview.getByText('by a manager: longer than 4h (6h; maintenance_policy.approval_over)', { exact: false }).waitFor();
    await preview.getByText('Checkout Primary hands over from alice to bob at Sun 2026-03-08 12:00 UTC, during this window: coordinate with alice and bob, on call for Checkout Primary').waitFor();
    await page.getByLabel('Name').fill('Database upgrade');
    await page.getByLabel('Comment').fill('PostgreSQL 17');
    await page.getByRole('button', { name: 'Create window' }).click();
    const pending = page.getByRole('row').filter({ hasText: 'Database upgrade' });
    await pending.getByText('awaiting approval').waitFor();
    await page.getByRole('alert', { name: 'Warnings' }).getByText('coordinate with alice and bob').waitFor();

    // A short one needs no approval and holds an alert that opens inside it.
    await page.getByLabel('Services').fill('Checkout API');
    await page.getByLabel('Duration').fill('1h');
    await page.getByLabel('Name').fill('Cache flush');
    await page.getByLabel('Comment').fill('Redis restart');
    await preview.getByText('No open alert in its scope now.').waitFor();
    await page.getByRole('button', { name: 'Create window' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Cache flush' });
    await row.getByText('active', { exact: true }).waitFor();

    await triggerEvent(h, 'Checkout error rate above 5%', 'checkout-errors');
    await h.app.tick();
    const alert = await alertByDedupKey(h, 'checkout-errors');
    expect(await pagesOf(h, alert.id)).toEqual([]);
    await page.reload();
    await row.getByRole('cell', { name: '1', exact: true }).waitFor();

    await row.getByRole('button', { name: 'End maintenance window Cache flush' }).click();
    await row.getByText('over', { exact: true }).waitFor();
    await h.app.tick();
    await eventually(async () => (await pagesOf(h, alert.id)).map((p) => p.user.name)).toEqual(['alice']);
  });

  it('the handoff note shows the maintenance of the coming shift', async () => {
    const { h, page } = world();
    const yaml = `${ORG_YAML}
schedules:
  - name: checkout-primary
    time_zone: UTC
    layers:
      - name: weekly
        participants: [alice, bob]
        turn: 1 week
        start: "2026-03-02T00:00"
maintenance_windows:
  - name: wednesday-upgrade
    services: [Checkout API]
    starts_at: 2026-03-11T02:00:00Z
    ends_at: 2026-03-11T04:00:00Z
    comment: Payment gateway upgrade
`.replace('          - user: alice\n        delay_minutes: 5', '          - schedule: checkout-primary\n        delay_minutes: 5');
    await applyOrg(h.app.ctx, parseOrgYaml(yaml), systemTestActor);
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await h.tick();
    h.clock.advance(16 * 3_600_000 + 60_000); // Monday 00:01 UTC: alice hands over to bob
    await h.tick();
    const notes = (await h.api('GET', '/api/v1/handoffs?schedule=checkout-primary')).body.notes as { id: number }[];
    expect(notes).toHaveLength(1);

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto(`/handoffs/${notes[0]!.id}`);
    const list = page.getByRole('list', { name: 'Upcoming maintenance' });
    await list.getByText('wednesday-upgrade (Checkout API): Payment gateway upgrade; alerts opening in it page nobody').waitFor();
  });
});
