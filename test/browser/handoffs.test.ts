import { expect, it } from 'vitest';
import { applyOrg } from '../../src/commands/apply-org.js';
import { createToken } from '../../src/commands/tokens.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { systemTestActor } from '../helpers/harness.js';
import { CHECKOUT_KEY, ORG_YAML, describeBrowser, eventually, setPassword, signIn, navigateTo } from './browser.js';

/**
 * Handoffs in the web UI. Checkout's weekly rotation hands over from Alice to Bob on Monday
 * 9 March 2026 at 00:00 UTC; the harness's clock starts on the Sunday at 08:00. Alice acknowledges
 * an alert during her shift; at the handoff Bob opens the note, marks it read, takes Alice's
 * acknowledged alert over and writes a watch item for his own shift.
 */
const BOB_PASSWORD = 'bob takes the pager now';
const HANDOFF_ORG_YAML = `${ORG_YAML.replace('    escalation_policy: default\n', '    escalation_policy: default\n    team: checkout\n')}
teams:
  - name: checkout
    members:
      - user: alice
      - user: bob
schedules:
  - name: checkout-primary
    team: checkout
    role: primary
    time_zone: UTC
    layers:
      - name: weekly
        participants: [alice, bob]
        turn: 1 week
        start: "2026-03-02T00:00"
`;

describeBrowser('handoffs in the browser', (world) => {
  it('opens the handoff note, marks it read and hands over the acknowledged alert; the watch-item form adds to the shift', async () => {
    const { h, page } = world();
    await applyOrg(h.app.ctx, parseOrgYaml(HANDOFF_ORG_YAML), systemTestActor);
    await setPassword(h, 'bob', BOB_PASSWORD);
    await h.tick();
    const alice = (await createToken(h.app.ctx, systemTestActor, { name: 'alice', role: 'responder', user: 'alice' })).token;
    const res = await h.enqueue({ routing_key: CHECKOUT_KEY, event_action: 'trigger', dedup_key: 'latency', payload: { summary: 'Checkout p95 latency above 2 s', source: 'checkout', severity: 'critical' } });
    expect(res.status).toBe(202);
    await h.tick();
    expect((await h.api('POST', '/api/v1/alerts/1/acknowledge', {}, alice)).status).toBe(200);

    // Monday 00:00: the note is written for Bob.
    h.clock.advance(Date.parse('2026-03-09T00:00:00Z') - h.clock.now());
    await h.tick();
    await page.clock.setFixedTime(new Date(h.clock.now()));
    await signIn(page, 'bob@example.com', BOB_PASSWORD);

    // The navigation says there is one unread note.
    const nav = page.getByRole('navigation', { name: 'Main' });
    await eventually(() => nav.getByTestId('handoffs-unread').textContent()).toBe('1 unread handoff note');
    await navigateTo(page, /^Handoffs/);
    await page.waitForURL((u) => u.pathname === '/handoffs');
    await page.getByTestId('unread-count').getByText('1 unread').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'checkout-primary' });
    await row.getByText('alice → bob (you)').waitFor();
    await row.getByRole('link', { name: 'Mon 9 Mar 00:00 UTC' }).click();
    await page.waitForURL((u) => /^\/handoffs\/\d+$/.test(u.pathname));

    // The note, in sections.
    await page.getByRole('heading', { name: 'Handoff: checkout-primary, Mon 9 Mar 00:00 UTC' }).waitFor();
    await page.getByText('Total alerts during the shift: 1 alert (critical 1)').waitFor();
    const open = page.getByRole('table', { name: 'Alerts open at the handoff' });
    await open.getByRole('link', { name: '#1 Checkout p95 latency above 2 s' }).waitFor();
    await open.getByText('by alice').waitFor();
    await page.getByRole('heading', { name: 'Recent changes' }).waitFor();

    // Mark read.
    expect(await page.getByTestId('read-state').textContent()).toBe('Unread');
    await page.getByRole('button', { name: 'Mark read', exact: true }).click();
    await eventually(() => page.getByTestId('read-state').textContent()).toBe('Read by bob at Mon 9 Mar 00:00 UTC');
    await eventually(async () => (await h.api('GET', '/api/v1/handoffs?user=bob&unread=true')).body.unread).toBe(0);

    // Hand over the acknowledged alert, after a confirmation that lists it.
    await page.getByRole('button', { name: 'Hand over 1 acknowledged alert', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Hand over 1 acknowledged alert?' });
    await dialog.getByText('#1 Checkout p95 latency above 2 s').waitFor();
    await dialog.getByRole('button', { name: 'Hand over', exact: true }).click();
    await page.getByText('Handed 1 alert to bob.').waitFor();
    await eventually(async () => ((await h.api('GET', '/api/v1/alerts/1')).body.alert as { acknowledged_by: string }).acknowledged_by).toBe('bob');
    await page.getByText(/^1 alert handed over by bob at Mon 9 Mar 00:00 UTC$/).waitFor();
    expect(await page.getByRole('button', { name: /^Hand over/ }).count()).toBe(0);

    // Bob is on call now: his own watch item goes into his shift.
    await page.getByRole('link', { name: '← Handoffs' }).click();
    await page.waitForURL((u) => u.pathname === '/handoffs');
    await page.getByRole('button', { name: 'Add watch item', exact: true }).click();
    await page.getByText('Say what to keep an eye on and why.').waitFor();
    await page.getByLabel('Watch item', { exact: true }).fill('Latency alert #1 comes back after each deploy; check before the 10:00 release');
    await page.getByLabel('Alert number', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Add watch item', exact: true }).click();
    await page.getByRole('list', { name: 'Your watch items' }).getByText('Latency alert #1 comes back after each deploy; check before the 10:00 release').waitFor();
    const items = (await h.api('GET', '/api/v1/handoffs/watch-items?user=bob')).body.items as { text: string; alert_id: number; schedule: string }[];
    expect(items).toMatchObject([{ text: 'Latency alert #1 comes back after each deploy; check before the 10:00 release', alert_id: 1, schedule: 'checkout-primary' }]);
  });
});
