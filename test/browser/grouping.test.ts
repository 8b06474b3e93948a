import { expect, it } from 'vitest';
import { ALICE_PASSWORD, ORG_YAML, describeBrowser, eventually, setPassword, signIn } from './browser.js';

/**
 * Alert groups in the web UI: the list shows the group's size on its leader and can leave the
 * members out; the alert page shows "Group: 3 alerts in group …" with every alert of the group.
 */
const GROUPED = `${ORG_YAML}    grouping:
      by: [alertname, service]
      wait: 30s
`;

describeBrowser('alert groups in the browser', (world) => {
  it('shows the group on the leader, hides members on request, and lists the group on the alert page', async () => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    expect((await h.api('POST', '/api/v1/config/apply', { yaml: GROUPED })).status).toBe(200);
    const ids: number[] = [];
    for (const instance of ['a', 'b', 'c']) {
      const r = await h.api('POST', '/api/v1/alerts', { service: 'Checkout API', summary: `errors on ${instance}`, severity: 'critical', labels: { alertname: 'HighErrorRate', service: 'backend', instance } });
      expect(r.status).toBe(201);
      ids.push((r.body.alert as { id: number }).id);
    }
    const [leader, member] = ids as [number, number, number];
    h.clock.advance(30_000);
    await h.app.tick();
    expect(h.paged()).toEqual(['alice@example.com']);

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto('/alerts');
    const list = page.getByRole('list', { name: 'Alerts' });
    await list.getByText('errors on c').waitFor();
    const leaderRow = page.locator(`#alert-row-${leader}`);
    await leaderRow.getByText('3 in group', { exact: true }).waitFor();
    expect(await page.locator(`#alert-row-${member}`).getByText('in group').count()).toBe(0);

    await page.getByRole('checkbox', { name: 'Hide alerts that joined a group' }).check();
    await page.waitForURL((u) => u.search === '?members=hide');
    await eventually(() => list.getByText('errors on c').count()).toBe(0);
    expect(await list.getByText('errors on a').count()).toBe(1);

    await page.goto(`/alerts/${member}`);
    await page.getByRole('heading', { name: 'Group: 3 alerts in group HighErrorRate / service=backend' }).waitFor();
    await page.getByText(`Alert #${leader} leads the group and pages for it; this one pages nobody.`).waitFor();
    const members = page.getByRole('table', { name: 'Alerts in the group (3 open)' });
    expect(await members.getByRole('row').count()).toBe(4);

    // Acknowledging the leader from its page acknowledges the whole group.
    await page.getByRole('link', { name: `Open the leader #${leader}` }).click();
    await page.waitForURL((u) => u.pathname === `/alerts/${leader}`);
    await page.getByText('This alert leads the group', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await eventually(async () => ((await h.api('GET', `/api/v1/alerts/${member}`)).body.alert as { status: string }).status).toBe('acknowledged');
    await eventually(() => page.getByRole('table', { name: 'Alerts in the group (3 open)' }).getByText('acknowledged', { exact: true }).count()).toBe(3);
  });
});
