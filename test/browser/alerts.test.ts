import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { ALICE_PASSWORD, alertByDedupKey, describeBrowser, eventually, pagesOf, setPassword, signIn, triggerEvent, navigateTo } from './browser.js';

/**
 * Alerts in the web UI: they appear while the page is open, and acknowledging one with a click
 * stops its escalation (checked against an alert nobody acknowledged, which does escalate).
 */
describeBrowser('alerts in the browser', (world) => {
  /** Counts the page's own navigations (a reload would be one) from now on. */
  const watchNavigations = (page: Page) => {
    let count = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) count++;
    });
    return () => count;
  };

  it('shows a newly triggered alert on the open Alerts page without a reload', async () => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await triggerEvent(h, 'Checkout latency above 2 s', 'checkout-latency');
    const streamsBefore = h.app.ctx.bus.listenerCount('change');
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    // The app says it is live: its event stream is open (and the server counts one more listener).
    await page.getByRole('status').filter({ hasText: /^live$/ }).waitFor();
    await eventually(async () => h.app.ctx.bus.listenerCount('change')).toBeGreaterThan(streamsBefore);

    await navigateTo(page, 'Alerts');
    await page.waitForURL((u) => u.pathname === '/alerts');
    // The list has loaded: it shows the alert that existed before the page opened. Only now does
    // the new alert arrive, so it can only get onto the page through the stream.
    await page.getByText('Checkout latency above 2 s').first().waitFor();
    await page.evaluate(() => ((globalThis as unknown as { wkNoReload: boolean }).wkNoReload = true));
    const navigations = watchNavigations(page);
    await expect(page.getByText('Payment gateway timeouts').count()).resolves.toBe(0);

    await triggerEvent(h, 'Payment gateway timeouts', 'payment-timeouts');

    await page.getByText('Payment gateway timeouts').first().waitFor();
    expect(navigations()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { wkNoReload?: boolean }).wkNoReload)).toBe(true);
    expect(new URL(page.url()).pathname).toBe('/alerts');
  });

  it('acknowledges an alert with a click, and the fake clock past its escalation delay pages nobody more for it, while an unacknowledged alert escalates', async () => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await triggerEvent(h, 'Checkout error rate above 5%', 'checkout-errors');
    await triggerEvent(h, 'Disk almost full on db-2', 'db-disk');
    await h.app.tick();
    const acked = await alertByDedupKey(h, 'checkout-errors');
    const control = await alertByDedupKey(h, 'db-disk');
    // Both paged Alice (level 1) and nobody else yet.
    expect((await pagesOf(h, acked.id)).map((p) => [p.level, p.user.name])).toEqual([[1, 'alice']]);
    expect((await pagesOf(h, control.id)).map((p) => [p.level, p.user.name])).toEqual([[1, 'alice']]);
    expect(h.paged().sort()).toEqual(['alice@example.com', 'alice@example.com']);

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto(`/alerts/${acked.id}`);
    await page.getByText('Checkout error rate above 5%').first().waitFor();
    const acknowledge = page.getByRole('button', { name: 'Acknowledge', exact: true });
    // The status reads "triggered" and nothing says "acknowledged" yet.
    await page.getByText('triggered', { exact: true }).first().waitFor();
    expect(await page.getByText('acknowledged', { exact: true }).count()).toBe(0);
    expect(await acknowledge.isEnabled()).toBe(true);

    await acknowledge.click();

    // The page shows the new status without a reload, and the server holds it.
    await page.getByText('acknowledged', { exact: true }).first().waitFor();
    await eventually(() => acknowledge.isDisabled()).toBe(true);
    await eventually(async () => (await alertByDedupKey(h, 'checkout-errors')).status).toBe('acknowledged');
    expect((await alertByDedupKey(h, 'db-disk')).status).toBe('triggered');

    // Past level 1's 5 minutes: the control alert goes on to Bob, the acknowledged one does not.
    h.clock.advance(6 * 60_000);
    await h.app.tick();

    expect((await pagesOf(h, control.id)).map((p) => [p.level, p.user.name])).toEqual([[1, 'alice'], [2, 'bob']]);
    expect((await pagesOf(h, acked.id)).map((p) => [p.level, p.user.name])).toEqual([[1, 'alice']]);
    const toBob = h.smtp.to('bob@example.com');
    expect(toBob).toHaveLength(1);
    expect(toBob[0]?.text).toContain('Disk almost full on db-2');
    expect(toBob[0]?.text).not.toContain('Checkout error rate above 5%');
    expect((await alertByDedupKey(h, 'checkout-errors')).status).toBe('acknowledged');
  });
});
