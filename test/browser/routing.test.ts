import { expect, it } from 'vitest';
import { applyOrg } from '../../src/commands/apply-org.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { systemTestActor } from '../helpers/harness.js';
import { ALICE_PASSWORD, describeBrowser, ORG_YAML, setPassword, signIn, navigateTo } from './browser.js';

/**
 * The routing page: the ordered rules, and a form that tests an example alert against them and
 * shows the rule it hits and what happens to it.
 */
const ROUTES = `
routes:
  - name: watchdog
    match: ['alertname="Watchdog"']
    drop: true
  - name: warnings-to-slack
    match: ['severity="medium"']
    page: false
`;

describeBrowser('routing in the browser', (world) => {
  it('lists the rules and tests an alert: a warning hits warnings-to-slack and pages nobody', async () => {
    const { h, page } = world();
    await applyOrg(h.app.ctx, parseOrgYaml(ORG_YAML + ROUTES), systemTestActor);
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await navigateTo(page, 'Routing');
    await page.waitForURL((u) => u.pathname === '/routing');
    const rows = page.getByRole('table', { name: 'Routing rules' }).getByRole('row');
    await rows.filter({ hasText: 'warnings-to-slack' }).waitFor();
    expect(await rows.allInnerTexts()).toHaveLength(3);

    await page.getByLabel('Labels').fill('alertname=HighErrorRate\nservice=Checkout API\nseverity=warning');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const result = page.getByLabel('Result');
    await result.getByText('Checkout API: nobody paged, and posted nowhere: the service has no Slack channel for medium alerts and the rule names no channels').waitFor();
    await result.getByText('Channels only, nobody paged').waitFor();
    await rows.filter({ hasText: 'warnings-to-slack' }).getByText('hit').waitFor();
    expect(await rows.filter({ hasText: 'watchdog' }).getByText('hit').count()).toBe(0);

    // A critical alert hits no rule and pages the service's policy.
    await page.getByLabel('Labels').fill('alertname=HighErrorRate, service=Checkout API, severity=critical');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await result.getByText('Checkout API: pages policy default').waitFor();
    await result.getByText('No rule matches: the alert pages its own service.', { exact: false }).waitFor();

    // The dry run follows it through the policy: alice now, bob after level 1's 5 minutes.
    await page.getByRole('button', { name: 'Dry run: who is paged, minute by minute' }).click();
    const dryRun = page.getByLabel('Dry run');
    await dryRun.getByText('level 1: alice by email').waitFor();
    await dryRun.getByText('level 2, not acknowledged: bob by email').waitFor();
    expect(await dryRun.getByRole('listitem').allInnerTexts()).toContain('+00:05 level 2, not acknowledged: bob by email');

    // Bad input says what to write.
    await page.getByLabel('Labels').fill('severity');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByText('"severity" is not name=value; write one label per line, like severity=warning').waitFor();
  });
});
