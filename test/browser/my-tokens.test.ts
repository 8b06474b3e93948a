import { expect, it } from 'vitest';
import { describeBrowser, eventually, http, navigateTo, setPassword, signIn } from './browser.js';

/**
 * API tokens on the Profile page, for someone who is not an admin: Bob (a responder) creates a
 * token for his laptop, copies it from the one-time notice, it answers as him, and revoking it
 * after the confirmation makes it stop working.
 */
const BOB_PASSWORD = 'bob-has-a-long-password';

describeBrowser('own API tokens in the browser', (world) => {
  it('a responder creates a token on the Profile page that works as him, then revokes it', async () => {
    const { h, page } = world();
    await setPassword(h, 'bob', BOB_PASSWORD);
    await signIn(page, 'bob@example.com', BOB_PASSWORD);
    await navigateTo(page, 'Profile');
    await page.waitForURL((u) => u.pathname === '/profile');
    await page.getByText('You have no tokens.').waitFor();
    // A responder can give a token his own role or less, never more.
    expect(await page.getByLabel('Role', { exact: true }).locator('option').allTextContents()).toEqual(['viewer', 'responder']);

    await page.getByLabel('Token name').fill('laptop CLI');
    await page.getByRole('button', { name: 'Create token' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Copy the token "laptop CLI" now.' });
    const token = (await notice.locator('code').textContent()) ?? '';
    expect(token.length).toBeGreaterThan(20);
    const me = await http(h, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me).toMatchObject({ status: 200, body: { role: 'responder', user: 'bob' } });
    const row = page.getByRole('row').filter({ hasText: 'laptop CLI' });
    await row.getByText('active').waitFor();

    await row.getByRole('button', { name: 'Revoke token laptop CLI' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke', exact: true }).click();
    await row.getByText('revoked').waitFor();
    await eventually(async () => (await http(h, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});
