import { expect, it } from 'vitest';
import { ALICE_PASSWORD, CHECKOUT_KEY, describeBrowser, http, screenshot, setPassword, signIn, triggerEvent, navigateTo } from './browser.js';

/** The Reports page: an alert acknowledged after 3 minutes and resolved after 12 shows in the response table and the volume chart. */
describeBrowser('reports in the browser', (world) => {
  it('shows response times and noise for the last 30 days', async (ctx) => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await triggerEvent(h, 'Checkout error rate above 5%', 'checkout-errors');
    await h.app.tick();
    h.clock.advance(3 * 60_000);
    expect((await http(h, 'POST', '/v2/enqueue', { body: { routing_key: CHECKOUT_KEY, event_action: 'acknowledge', dedup_key: 'checkout-errors' } })).status).toBe(202);
    h.clock.advance(9 * 60_000);
    expect((await http(h, 'POST', '/v2/enqueue', { body: { routing_key: CHECKOUT_KEY, event_action: 'resolve', dedup_key: 'checkout-errors' } })).status).toBe(202);
    // An incident: first status update after 1 minute, resolved after 6.
    const admin = { authorization: `Bearer ${h.adminToken}` };
    const declared = await http(h, 'POST', '/api/v1/incidents', { body: { title: 'Checkout down', severity: 'critical' }, headers: admin });
    const incidentId = (declared.body.incident as { id: number }).id;
    h.clock.advance(60_000);
    expect((await http(h, 'POST', `/api/v1/incidents/${incidentId}/updates`, { body: { impact: 'checkout failing', actions: 'rolling back' }, headers: admin })).status).toBe(201);
    h.clock.advance(5 * 60_000);
    expect((await http(h, 'PATCH', `/api/v1/incidents/${incidentId}`, { body: { status: 'resolved' }, headers: admin })).status).toBe(200);

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await navigateTo(page, 'Reports');
    const table = page.getByRole('table', { name: 'Response by severity' });
    const row = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'critical' }) });
    await row.getByText('3m / 3m / 3m').waitFor();
    await row.getByText('12m / 12m / 12m').waitFor();
    await page.getByRole('img', { name: 'Mean time to acknowledge by group, with targets' }).waitFor();
    const incident = page.getByRole('table', { name: 'Incident response by severity' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'critical' }) });
    await incident.getByText('1m / 1m / 1m').waitFor();
    await incident.getByText('6m / 6m / 6m').waitFor();
    await page.getByRole('img', { name: /^Alerts per day by severity/ }).waitFor();
    await page.getByRole('table', { name: 'Noisiest alerts' }).getByText('Checkout error rate above 5%').waitFor();

    const people = page.getByRole('table', { name: 'Interruptions and hours on call per person' });
    await people.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'alice' }) }).getByRole('cell', { name: 'Europe/London' }).waitFor();

    // With a comp time policy the load table shows days off, and time off can be recorded.
    const config = (await http(h, 'GET', '/api/v1/config', { headers: { authorization: `Bearer ${h.adminToken}` } })).body;
    const applied = await http(h, 'POST', '/api/v1/config/apply', { body: { config: { ...config, comp_time: { per_week_on_call: 1 } } }, headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(applied.status).toBe(200);
    await page.reload();
    const form = page.getByRole('form', { name: 'Record time off' });
    await form.getByLabel('Person').selectOption('alice');
    await form.getByLabel('First day off').fill('2026-03-07');
    await form.getByLabel('Days').selectOption('0.5');
    await form.getByRole('button', { name: 'Record time off' }).click();
    await page.getByText('Recorded 0.5 days off for alice from 2026-03-07').waitFor();
    const alice = page.getByRole('table', { name: 'Interruptions and hours on call per person' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'alice' }) });
    await expect.poll(async () => (await alice.getByRole('cell').allTextContents()).slice(-3)).toEqual(['0', '0.5', '0']);

    await page.getByLabel('Group response by').selectOption('service');
    await page.getByRole('table', { name: 'Response by service' }).getByRole('rowheader', { name: 'Checkout API' }).waitFor();
    await screenshot(page, ctx);
  });
});
