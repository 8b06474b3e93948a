import { expect, it } from 'vitest';
import { applyOrg } from '../../src/commands/apply-org.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { systemTestActor } from '../helpers/harness.js';
import { ALICE_PASSWORD, ORG_YAML, describeBrowser, screenshot, setPassword, signIn } from './browser.js';

/**
 * SLA clocks in the web UI: Home's open incidents and the incident page show each clock on track,
 * at risk or breached with the time left, counted on the server's clock (the fake clock here).
 */
describeBrowser('incident SLA clocks in the browser', (world) => {
  it('shows the clocks on Home and on the incident page, and a breach as it happens', async (ctx) => {
    const { h, page } = world();
    await applyOrg(h.app.ctx, parseOrgYaml(`${ORG_YAML}\nincident_policy:\n  sla:\n    critical: { acknowledge: 5m, first_update: 15m, resolve: 1h }\n`), systemTestActor);
    await setPassword(h, 'alice', ALICE_PASSWORD);
    const declared = await h.api('POST', '/api/v1/incidents', { title: 'Checkout is failing', severity: 'critical' });
    expect(declared.status).toBe(201);
    await h.advanceMinutes(4);

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto('/');
    const home = page.getByRole('list', { name: 'SLA clocks of #1' });
    await home.getByText('Acknowledge: at risk, 1 min left').waitFor();
    await home.getByText('First update: on track, 11 min left').waitFor();
    await home.getByText('Resolve: on track, 56 min left').waitFor();

    await page.getByRole('link', { name: '#1 Checkout is failing' }).click();
    await page.waitForURL((u) => u.pathname === '/incidents/1');
    const clocks = page.getByRole('list', { name: 'SLA clocks' });
    await clocks.getByText('Acknowledge: at risk, 1 min left').waitFor();

    // The breach comes live: the engine records it and the page refetches.
    await h.advanceMinutes(2);
    await clocks.getByText('Acknowledge: breached 1 min ago').waitFor();
    await page.getByRole('list', { name: 'Incident timeline' }).getByText('acknowledge SLA breached: nobody acknowledged it within 5m (due 08:05 UTC)').waitFor();
    await screenshot(page, ctx);
  });
});
