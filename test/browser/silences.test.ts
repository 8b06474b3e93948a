import { expect, it } from 'vitest';
import { ALICE_PASSWORD, alertByDedupKey, describeBrowser, eventually, pagesOf, setPassword, signIn, triggerEvent, navigateTo } from './browser.js';

/**
 * Silences in the web UI: the form previews which open alerts the matchers would silence, the
 * silence holds them (marked "silenced" on the Alerts page and the alert's page; the fake clock
 * passes level 1's timeout and Bob is not paged), and expiring it with a click lets the alert
 * page again.
 */
describeBrowser('silences in the browser', (world) => {
  it('previews, creates and expires a silence that holds an open alert', async () => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await triggerEvent(h, 'Checkout error rate above 5%', 'checkout-errors');
    await h.app.tick();
    const alert = await alertByDedupKey(h, 'checkout-errors');

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await navigateTo(page, 'Silences');
    await page.waitForURL((u) => u.pathname === '/silences');
    await page.getByText('No silences.').waitFor();

    await page.getByLabel('Matchers').fill('service="Checkout API"');
    const preview = page.getByLabel('Preview');
    await preview.getByText('{service="Checkout API"} would silence 1 open alert:').waitFor();
    await preview.getByText('Checkout error rate above 5%').waitFor();
    await page.getByLabel('Comment').fill('Checkout deployment in progress');
    await page.getByRole('button', { name: 'Silence', exact: true }).click();

    const row = page.getByRole('row').filter({ hasText: '{service="Checkout API"}' });
    await row.getByText('active').waitFor();
    await row.getByText('Checkout deployment in progress').waitFor();
    await eventually(async () => (await h.api('GET', `/api/v1/alerts/${alert.id}`)).body.alert).toMatchObject({ silenced_by: expect.any(String) });

    // The Alerts page marks the alert silenced, the Silenced filter finds it, and its page says why it is quiet.
    await navigateTo(page, 'Alerts');
    const alertRow = page.getByRole('list', { name: 'Alerts' }).getByRole('listitem').filter({ hasText: 'Checkout error rate above 5%' });
    await alertRow.getByText('silenced', { exact: true }).waitFor();
    await page.getByLabel('Silenced', { exact: true }).selectOption('false');
    await page.getByText('No alerts match these filters.').waitFor();
    await page.getByLabel('Silenced', { exact: true }).selectOption('true');
    await page.waitForURL((u) => u.search === '?silenced=true');
    await alertRow.getByText('silenced', { exact: true }).waitFor();
    await alertRow.getByRole('link', { name: /Checkout error rate above 5%/ }).click();
    await page.getByText('pages nobody while', { exact: false }).waitFor();
    await page.screenshot({ path: 'test-artifacts/browser/silences-in-the-browser-alert-marked-silenced.png', fullPage: true });
    await navigateTo(page, 'Silences');

    // Past level 1's 5 minutes: nobody else is paged while the silence holds the alert.
    h.clock.advance(6 * 60_000);
    await h.app.tick();
    expect((await pagesOf(h, alert.id)).map((p) => [p.level, p.user.name])).toEqual([[1, 'alice']]);

    await row.getByRole('button', { name: /^Expire silence/ }).click();
    await page.getByText('No silences.').waitFor();
    await h.app.tick();
    await eventually(async () => (await pagesOf(h, alert.id)).length).toBe(2);
  });
});
