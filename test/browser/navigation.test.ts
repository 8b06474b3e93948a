import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { ALICE_PASSWORD, ARTIFACTS_DIR, describeBrowser, setPassword, signIn } from './browser.js';

/**
 * The main navigation in Chromium, by keyboard only: Tab reaches the first group, Right moves to
 * the next, Enter opens it, Down walks its links, Enter follows one and the page takes focus;
 * Escape closes a group and gives focus back to its button. The bar is one line at 1280 px and
 * fits (nothing scrolls sideways, no group opens off screen) at 800 px. Screenshots of an open
 * group in light and dark mode, and at 800 px, are saved as test artifacts.
 */

// Page code as strings: this file is type-checked without the DOM library.
const focused = (page: Page) => page.evaluate<string | null>('document.activeElement?.textContent ?? null');
const expanded = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: new RegExp(`^${name}`) }).getAttribute('aria-expanded');
const shot = (page: Page, name: string) => {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return page.screenshot({ path: path.join(ARTIFACTS_DIR, `navigation-${name}.png`) });
};

describeBrowser('the main navigation in the browser', (world) => {
  it('is one line at 1280 px, works by keyboard alone, and reads in light and dark mode', async () => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('button', { name: 'Respond' }).waitFor();

    // One line: every top-level entry and the Sign out button share a row.
    const tops = await page.evaluate<number[]>(
      "[...document.querySelectorAll('[data-nav-top]'), ...document.querySelectorAll('.topbar button')].map((el) => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2))",
    );
    expect(new Set(tops).size, `centres ${tops.join(', ')}`).toBe(1);
    expect(await nav.getByRole('button').allTextContents()).toEqual(['Respond', 'On call', 'Noise', 'Configure', 'Insights']);

    // Tab from a fresh page: skip link, brand, then the first group.
    await page.goto('/');
    await nav.getByRole('button', { name: 'Respond' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Respond');
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toBe('On call');
    await page.keyboard.press('Enter');
    expect(await expanded(page, 'On call')).toBe('true');
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('Schedules');
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('Escalation policies');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/escalation-policies');
    expect(await expanded(page, 'On call')).toBe('false');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('main');
    expect(await nav.getByRole('link', { name: 'Escalation policies', includeHidden: true }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('button', { name: 'On call' }).getAttribute('data-current-section')).toBe('true');

    // Escape closes a group and returns focus to its button; Tab out of a group closes it.
    await nav.getByRole('button', { name: 'Noise' }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('Silences');
    await page.keyboard.press('Escape');
    expect(await expanded(page, 'Noise')).toBe('false');
    expect(await focused(page)).toBe('Noise');
    await page.keyboard.press('ArrowUp');
    expect(await focused(page)).toBe('Routing');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Configure');
    expect(await expanded(page, 'Noise')).toBe('false');

    // The new pages' entries are there; an open group, with the focus ring, in light then dark.
    await page.keyboard.press('ArrowDown');
    const configure = page.locator('#nav-group-configure');
    expect(await configure.getByRole('link').allTextContents()).toEqual(['Services', 'Integrations', 'Teams', 'Users', 'Status page', 'Audit log']);
    await page.keyboard.press('End');
    expect(await focused(page)).toBe('Audit log');
    await shot(page, 'light');

    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Dark mode' }).click();
    await page.waitForFunction("document.documentElement.dataset.theme === 'dark'");
    await nav.getByRole('button', { name: 'Respond' }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('Home');
    const bg = await page.evaluate<string>("getComputedStyle(document.getElementById('nav-group-respond')).backgroundColor");
    expect(bg).toBe('rgb(22, 27, 34)'); // --bg-raised in dark mode
    await shot(page, 'dark');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/');
  });

  it('fits 800 px: nothing scrolls sideways and the last group opens on screen', async () => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await page.setViewportSize({ width: 800, height: 700 });
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('button', { name: 'Insights' }).click();
    const reports = nav.getByRole('link', { name: 'Reports' });
    await reports.waitFor();
    const box = await page.locator('#nav-group-insights').boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(800);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(800);
    await shot(page, '800px');
    await reports.click();
    await page.waitForURL((u) => u.pathname === '/reports');
  });
});
