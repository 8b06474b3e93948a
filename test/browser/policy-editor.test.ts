import { expect, it } from 'vitest';
import { ALICE_PASSWORD, describeBrowser, eventually, screenshot, setPassword, signIn, navigateTo } from './browser.js';

/**
 * The escalation policy editor: the preview follows the draft before anything is saved (the server
 * computes it from the real notification rules), a level is added and reordered with clicks, and
 * saving changes the policy new alerts follow.
 */
describeBrowser('escalation policy editor in the browser', (world) => {
  it('previews the draft as it changes and saves it', async (ctx) => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await navigateTo(page, 'Escalation policies');
    await page.getByRole('button', { name: 'Edit default' }).click();

    const editor = page.getByRole('form', { name: 'Edit default' });
    const preview = editor.getByLabel('Escalation preview');
    await preview.getByText('00:00 level 1: alice (email)').waitFor();
    await preview.getByText('00:05 level 2: bob (email)').waitFor();
    await preview.getByText('00:15 level 1 (repeat 1): alice (email)').waitFor();

    // Bob moves to level 1 next to alice; level 2 is removed; the draft stops repeating.
    const level1 = editor.getByRole('group', { name: 'Level 1', exact: true });
    await level1.getByLabel('Target kind for level 1').selectOption('user');
    await level1.getByLabel('Target for level 1').selectOption('bob');
    await level1.getByRole('button', { name: 'Add to level 1' }).click();
    await editor.getByRole('button', { name: 'Remove level 2' }).click();
    await editor.getByLabel('Repeat the levels').fill('0');
    await preview.getByText('00:00 level 1: alice (email), bob (email)').waitFor();
    await preview.getByText(/Then: stops after level 1; nobody else is paged/).waitFor();
    await screenshot(page, ctx);
    // Nothing is saved until Save.
    expect((await h.api('GET', '/api/v1/escalation-policies/default')).body.levels).toHaveLength(2);

    await editor.getByRole('button', { name: 'Save policy' }).click();
    await page.getByRole('button', { name: 'Edit default' }).waitFor();
    await eventually(async () => (await h.api('GET', '/api/v1/escalation-policies/default')).body).toMatchObject({
      repeat: 0,
      levels: [{ targets: [{ user: 'alice' }, { user: 'bob' }], delay_minutes: 5 }],
    });
  });
});
