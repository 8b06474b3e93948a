import { expect, it } from 'vitest';
import { ALICE_PASSWORD, describeBrowser, eventually, setPassword, signIn, navigateTo } from './browser.js';

/**
 * Self-service on the Profile page: Alice adds her home email, the code arrives at the SMTP
 * server, she types it in and the method is verified; she makes it a high-urgency step, sends a
 * test page and watches each method's result arrive. The Reachability page then lists Bob, who
 * has a rule but is checked here only through the policy: he is reachable, so nobody is listed.
 */
describeBrowser('profile in the browser', (world) => {
  it('adds an email method, verifies it with the code from the email, sets a rule and sends a test page', async () => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await navigateTo(page, 'Profile');
    await page.waitForURL((u) => u.pathname === '/profile');

    const methods = page.getByRole('table', { name: 'My contact methods' });
    await methods.getByRole('row').filter({ hasText: 'work-email' }).getByText('verified', { exact: true }).waitFor();

    // Add: the address hint follows the type.
    await page.getByLabel('Type', { exact: true }).selectOption('teams');
    await page.getByText(/incoming-webhook or Workflows URL/).waitFor();
    await page.getByLabel('Type', { exact: true }).selectOption('email');
    await page.getByLabel('Name', { exact: true }).fill('home');
    await page.getByLabel('Address', { exact: true }).fill('alice.home@example.com');
    await page.getByRole('button', { name: 'Add method', exact: true }).click();
    const home = methods.getByRole('row').filter({ hasText: 'alice.home@example.com' });
    await home.getByText('not verified', { exact: true }).waitFor();

    // The code goes out through the method itself: real SMTP.
    await h.tick();
    const mail = h.smtp.to('alice.home@example.com');
    expect(mail).toHaveLength(1);
    const code = /verification code is (\d{6})/.exec(mail[0]!.text)?.[1];
    expect(code).toMatch(/^\d{6}$/);

    // A wrong code first: the error says so and how many tries are left.
    await home.getByLabel('Code sent to home').fill(code === '000000' ? '000001' : '000000');
    await home.getByRole('button', { name: 'Verify', exact: true }).click();
    await home.getByRole('alert').filter({ hasText: 'wrong code; 4 tries left' }).waitFor();
    await home.getByLabel('Code sent to home').fill(code!);
    await home.getByRole('button', { name: 'Verify', exact: true }).click();
    await home.getByText('verified', { exact: true }).waitFor();

    // High urgency: home at once (beside the file's step for the work email).
    await page.getByRole('button', { name: 'Add a high-urgency step' }).click();
    await page.getByLabel('High urgency step 1: contact method').selectOption('home');
    await page.getByLabel('High urgency step 1: minutes').fill('0');
    await page.getByRole('button', { name: 'Save rules', exact: true }).click();
    await page.getByText('Notification rules saved.').waitFor();
    await eventually(async () => {
      const r = await h.api('GET', '/api/v1/users/alice/notification-rules');
      return (r.body.high as { contact_method: string; managed_by: string }[]).map((s) => `${s.contact_method}/${s.managed_by}`);
    }).toEqual(['work-email/org', 'home/user']);

    // Test page: both verified methods, each result as it arrives.
    h.smtp.clear();
    await page.getByRole('button', { name: 'Send test page', exact: true }).click();
    const results = page.getByRole('list', { name: 'Test page results' });
    await results.getByText('pending…').first().waitFor();
    await h.tick();
    await results.getByRole('listitem').filter({ hasText: 'home' }).getByText('sent', { exact: true }).waitFor();
    await results.getByRole('listitem').filter({ hasText: 'work-email' }).getByText('sent', { exact: true }).waitFor();
    expect(h.smtp.to('alice.home@example.com').map((m) => /Subject: (.*)/.exec(m.text)?.[1])).toEqual(['Test page from Watchkeeper']);
    await page.screenshot({ path: 'test-artifacts/browser/profile-after-test-page.png', fullPage: true });

    // Reachability: everyone on call can be paged.
    await navigateTo(page, 'Reachability');
    await page.getByText(/^Everyone on call now can be paged \(\d+ checked\)\.$/).waitFor();
  });

  it('lists on the Reachability page who cannot be paged, with the fix', async () => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    // Bob (level 2 of the policy) pauses his only method.
    const res = await h.api('PUT', '/api/v1/users/bob/contact-methods/work-email', { paused: true });
    expect(res.status).toBe(200);
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto('/reachability');
    const row = page.getByRole('table', { name: 'People on call who cannot be paged' }).getByRole('row').filter({ hasText: 'Bob Okafor' });
    await row.getByText('"work-email" (Email: bob@example.com) is paused').waitFor();
    await row.getByText('resume "work-email" under Contact methods on bob\'s profile').waitFor();
    await row.getByText('default').waitFor();
  });
});
