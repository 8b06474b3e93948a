import { expect, it } from 'vitest';
import { ALICE_PASSWORD, alertByDedupKey, describeBrowser, screenshot, setPassword, signIn, triggerEvent, navigateTo } from './browser.js';

/** Marking an alert not actionable on its page, then the false-positive rate and the weekly review on the Reports page. */
describeBrowser('not actionable and the review in the browser', (world) => {
  it('marks an alert not actionable and shows it in the noise report and last week’s review', async (ctx) => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    // Sunday 8 March; the review is read on Monday 9 March, of the week before.
    await triggerEvent(h, 'Scratch disk 91% full', 'scratch-disk');
    await h.app.tick();
    const alert = await alertByDedupKey(h, 'scratch-disk');
    h.clock.advance(Date.parse('2026-03-09T10:00:00Z') - h.clock.now());

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto(`/alerts/${alert.id}`);
    await page.getByRole('button', { name: 'Not actionable…' }).click();
    await page.getByLabel('Reason (optional)').fill('scratch volume, threshold too tight');
    await page.getByRole('button', { name: 'Mark not actionable' }).click();
    await page.getByRole('button', { name: 'Unmark not actionable' }).waitFor();
    await page.getByText('marked not actionable by alice via ui: scratch volume, threshold too tight').waitFor();

    await navigateTo(page, 'Reports');
    await page.getByText('Marked not actionable (false-positive rate):').waitFor();
    await page.getByRole('table', { name: 'Alerts marked not actionable' }).getByText('Scratch disk 91% full').waitFor();
    const review = page.getByRole('region', { name: 'Review' });
    await review.getByRole('heading', { name: 'On-call review: week of Mon 2 Mar 2026' }).waitFor();
    await review.getByText('False-positive rate: 100% (1 of 1 marked not actionable).').waitFor();
    const row = review.getByRole('table', { name: 'Noisiest alerts of the period' }).getByRole('row').filter({ hasText: 'Scratch disk 91% full' });
    expect((await row.getByRole('cell').allTextContents()).slice(2)).toEqual(['1', '1', '0']);
    await screenshot(page, ctx);
  });
});
