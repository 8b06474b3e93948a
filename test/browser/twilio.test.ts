import { it } from 'vitest';
import { ALICE_PASSWORD, describeBrowser, setPassword, signIn, navigateTo } from './browser.js';

/**
 * The Twilio section of the Integrations page: reached from the main navigation, it says what to
 * set when no Twilio account is configured and lists the numbers that texted STOP, which stay
 * blocked whatever the configuration.
 */
describeBrowser('Twilio on the Integrations page', (world) => {
  it('shows the configuration state and the opted-out numbers', async () => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await h.store.db.insertInto('twilio_opt_outs').values({ phone: '+14155550102', keyword: 'STOP', opted_out_at: h.clock.now() }).execute();

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await navigateTo(page, 'Integrations');
    await page.waitForURL((u) => u.pathname === '/integrations');
    const section = page.getByRole('region', { name: /SMS and voice \(Twilio\)/ });
    await section.getByText('Not configured').waitFor();
    await section.getByText('WATCHKEEPER_TWILIO_ACCOUNT_SID').waitFor();
    const row = section.getByRole('table', { name: 'Numbers that texted STOP' }).getByRole('row').filter({ hasText: '+14155550102' });
    await row.getByText('nobody').waitFor();
    await row.getByText('STOP').waitFor();
  });
});
