import { expect, it } from 'vitest';
import { ALICE_PASSWORD, alertByDedupKey, describeBrowser, eventually, screenshot, setPassword, signIn, triggerEvent, navigateTo } from './browser.js';

/**
 * Services in the web UI: create one with an Events API v2 integration, copy the key shown once,
 * send an event with it and see the alert land on the new service; then edit the service and see
 * its integrations kept.
 */
describeBrowser('service editor in the browser', (world) => {
  it('creates a service whose generated key works, and edits it keeping the key', async (ctx) => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await navigateTo(page, 'Services');
    await page.getByRole('button', { name: 'New service' }).click();

    const form = page.getByRole('form', { name: 'New service' });
    await form.getByLabel('Name', { exact: true }).fill('Payments API');
    await form.getByLabel('Escalation policy').selectOption('default');
    await form.getByLabel('Integration name').fill('events');
    await form.getByLabel('Type').selectOption('events_v2');
    await form.getByRole('button', { name: 'Add integration' }).click();
    await form.getByText('events (PagerDuty Events API v2)').waitFor();
    await form.getByRole('button', { name: 'Create service' }).click();

    const keys = page.getByRole('region', { name: 'New integration keys' });
    const line = keys.getByText(/Payments API \/ events:/);
    await line.waitFor();
    const key = (await keys.locator('code').textContent()) ?? '';
    expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    await screenshot(page, ctx);
    await keys.getByRole('button', { name: 'I have stored it' }).click();

    await triggerEvent(h, 'Payments latency above 2s', 'payments-latency', key);
    await h.app.tick();
    const alert = await alertByDedupKey(h, 'payments-latency');
    const body = (await h.api('GET', `/api/v1/alerts/${alert.id}`)).body;
    expect((body.alert as { service: { name: string } }).service.name).toBe('Payments API');

    // Editing keeps the integration and its key: the same key still works afterwards.
    await page.getByRole('button', { name: 'Edit Payments API' }).click();
    const edit = page.getByRole('form', { name: 'Edit Payments API' });
    await edit.getByLabel('Description').fill('Card payments');
    await edit.getByRole('button', { name: 'Save service' }).click();
    await page.getByText('Card payments').waitFor();
    expect(await page.getByRole('region', { name: 'New integration keys' }).count()).toBe(0);
    await triggerEvent(h, 'Payments errors', 'payments-errors', key);
    await eventually(async () => (await h.api('GET', '/api/v1/services/Payments%20API')).body).toMatchObject({ description: 'Card payments', integrations: [{ name: 'events', type: 'events_v2' }] });
  });
});
