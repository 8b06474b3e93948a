import { expect, it } from 'vitest';
import { ALICE_PASSWORD, describeBrowser, eventually, http, screenshot, setPassword, signIn } from './browser.js';

/**
 * A post-mortem in the web UI: opened from the incident's page, started from the timeline, the
 * markdown edited and saved, an action item added with an owner and a due date and marked done,
 * sent to review and completed, which closes the resolved incident.
 */
describeBrowser('post-mortems in the browser', (world) => {
  it('opens the post-mortem from the incident, edits and saves the text, tracks an action item and completes it', async (ctx) => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    const auth = { authorization: `Bearer ${h.adminToken}` };
    const declared = await http(h, 'POST', '/api/v1/incidents', { body: { title: 'Checkout is failing', severity: 'critical', commander: 'alice' }, headers: auth });
    expect(declared.status).toBe(201);
    h.clock.advanceMinutes(10);
    expect((await http(h, 'POST', '/api/v1/incidents/1/notes', { body: { moment: 'root_cause_identified', text: 'expired TLS certificate' }, headers: auth })).status).toBe(201);
    h.clock.advanceMinutes(20);
    expect((await http(h, 'PATCH', '/api/v1/incidents/1', { body: { status: 'resolved' }, headers: auth })).status).toBe(200);

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto('/incidents/1');
    await page.getByRole('link', { name: 'Post-mortem', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/incidents/1/postmortem');
    await page.getByRole('button', { name: 'Start from the timeline' }).click();

    await page.getByRole('heading', { level: 1, name: 'Post-mortem: #1 Checkout is failing' }).waitFor();
    const text = page.getByLabel('Post-mortem (markdown)');
    await expect.poll(() => text.inputValue()).toContain('# Incident Post-Mortem: Checkout is failing');
    expect(await text.inputValue()).toContain('## Root Cause\n\nexpired TLS certificate');
    const deadlines = page.getByRole('table', { name: 'Deadlines' });
    await deadlines.getByRole('row').filter({ hasText: 'Initial report' }).getByText('met').waitFor();

    // Edit and save the markdown.
    await text.fill('# Checkout is failing\n\n## Root Cause\n\nThe TLS certificate expired; renewal had failed silently.');
    await page.getByRole('button', { name: 'Save text' }).click();
    await eventually(async () => ((await http(h, 'GET', '/api/v1/incidents/1/postmortem', { headers: auth })).body.postmortem as { body: string; body_edited: boolean })).toMatchObject({
      body: '# Checkout is failing\n\n## Root Cause\n\nThe TLS certificate expired; renewal had failed silently.',
      body_edited: true,
    });
    await page.getByRole('button', { name: 'Redraft from the timeline' }).waitFor();

    // An action item with an owner and a due date, then done.
    const add = page.getByRole('form', { name: 'Add an action item' });
    await add.getByLabel('Action item').fill('Alert 14 days before certificates expire');
    await add.getByLabel('Owner').selectOption('bob');
    await add.getByLabel('Due').fill('2026-03-20');
    await add.getByLabel('Link').fill('https://tracker.example.com/OPS-9');
    await add.getByRole('button', { name: 'Add action item' }).click();
    const items = page.getByRole('table', { name: 'Action items' });
    const row = items.getByRole('row').filter({ hasText: 'Alert 14 days before certificates expire' });
    await row.getByText('bob').waitFor();
    await deadlines.getByRole('row').filter({ hasText: 'Action items assigned' }).getByText('met').waitFor();
    await row.getByLabel('Status of Alert 14 days before certificates expire').selectOption('done');
    await eventually(async () => ((await http(h, 'GET', '/api/v1/incidents/1/postmortem/action-items', { headers: auth })).body.action_items as { status: string; owner: string; due_at: string }[])).toEqual([
      expect.objectContaining({ status: 'done', owner: 'bob', due_at: '2026-03-21T00:00:00.000Z' }),
    ]);

    // To review, then complete: the incident closes.
    await page.getByRole('button', { name: 'Send to review' }).click();
    await page.getByRole('button', { name: 'Complete and close the incident' }).click();
    await page.getByText('complete', { exact: true }).first().waitFor();
    await eventually(async () => ((await http(h, 'GET', '/api/v1/incidents/1', { headers: auth })).body.incident as { status: string }).status).toBe('closed');
    await screenshot(page, ctx);

    // The list page shows it.
    await page.goto('/postmortems');
    await page.getByRole('group', { name: 'Post-mortem filter' }).getByRole('button', { name: 'Complete', exact: true }).click();
    await page.getByRole('table', { name: 'Post-mortems, newest first' }).getByRole('link', { name: '#1 Checkout is failing' }).waitFor();
  });
});
