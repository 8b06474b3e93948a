import { expect, it } from 'vitest';
import { ALICE_PASSWORD, alertByDedupKey, describeBrowser, eventually, screenshot, setPassword, signIn, triggerEvent, navigateTo } from './browser.js';

/**
 * Incidents in the web UI: declared from an alert's page (the alert's summary starts the title,
 * the person declaring leads it), a status update posted from the template form, and both on the
 * incident's timeline; a key moment marked with one click.
 */
describeBrowser('incidents in the browser', (world) => {
  it('declares an incident from an alert, posts a status update and sees it on the timeline', async (ctx) => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await triggerEvent(h, 'Checkout error rate above 5%', 'checkout-errors');
    await h.app.tick();
    const alert = await alertByDedupKey(h, 'checkout-errors');

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto(`/alerts/${alert.id}`);
    await page.getByRole('button', { name: 'Declare incident' }).click();
    const dialog = page.getByRole('dialog', { name: `Declare an incident from alert #${alert.id}` });
    await expect.poll(() => dialog.getByLabel('Title').inputValue()).toBe('Checkout error rate above 5%');
    await dialog.getByLabel('Title').fill('Checkout is failing');
    await expect.poll(() => dialog.getByLabel('Incident commander').inputValue()).toBe('alice');
    await dialog.getByRole('button', { name: 'Declare' }).click();

    await page.waitForURL((u) => u.pathname === '/incidents/1');
    await page.getByRole('heading', { level: 1, name: '#1 Checkout is failing' }).waitFor();
    const timeline = page.getByRole('list', { name: 'Incident timeline' });
    await timeline.getByText(`alert #${alert.id} attached: Checkout error rate above 5%`).waitFor();
    await timeline.getByText('alice is Incident Commander (assigned by alice)').waitFor();

    // The update form starts from the template; the actions line follows the status.
    const form = page.getByRole('form', { name: 'Status update' });
    await expect.poll(() => form.getByLabel('Current actions').inputValue()).toBe('We are investigating Checkout is failing.');
    await form.getByLabel('Status').selectOption('identified');
    await expect.poll(() => form.getByLabel('Current actions').inputValue()).toBe('We have identified the issue and are working on a fix.');
    await form.getByLabel('Impact').fill('Card payments fail for every customer');
    await form.getByRole('button', { name: 'Post update' }).click();

    await timeline.getByText('status update (identified): Card payments fail for every customer — We have identified the issue and are working on a fix.').waitFor();
    await timeline.getByText('status investigating → identified by alice').waitFor();
    await page.getByRole('region', { name: 'Status updates' }).getByText('Card payments fail for every customer').waitFor();

    await page.getByLabel('Note').fill('bad deploy 1.42');
    await page.getByRole('button', { name: 'Root cause identified' }).click();
    await timeline.getByText('Root cause identified: bad deploy 1.42').waitFor();

    // Detach the alert, then attach it again by its number.
    await page.getByRole('button', { name: `Detach alert #${alert.id}` }).click();
    await timeline.getByText(`alert #${alert.id} detached by alice`).waitFor();
    await page.getByLabel('Attach alert').fill(`#${alert.id}`);
    await page.getByRole('button', { name: 'Attach', exact: true }).click();
    await expect.poll(() => timeline.getByText(`alert #${alert.id} attached: Checkout error rate above 5%`).count()).toBe(2);

    // The alert's page now leads to the incident that holds it.
    await page.goto(`/alerts/${alert.id}`);
    await page.getByRole('link', { name: 'In incident #1' }).click();
    await page.waitForURL((u) => u.pathname === '/incidents/1');

    await eventually(async () => ((await h.api('GET', '/api/v1/incidents/1')).body as { incident: { status: string; commander: string } }).incident).toMatchObject({ status: 'identified', commander: 'alice' });
    await screenshot(page, ctx);

    // The Incidents page lists it, with its commander.
    await navigateTo(page, 'Incidents');
    await page.waitForURL((u) => u.pathname === '/incidents');
    const row = page.getByRole('row').filter({ hasText: 'Checkout is failing' });
    await row.getByText('identified').waitFor();
    await row.getByText('alice').waitFor();

    // Home lists it among the open incidents, with its commander and the next update due.
    await navigateTo(page, 'Home');
    const open = page.getByRole('region', { name: 'Open incidents' });
    await open.getByRole('link', { name: '#1 Checkout is failing' }).waitFor();
    await open.getByText(/commander alice/).waitFor();
  });
});
