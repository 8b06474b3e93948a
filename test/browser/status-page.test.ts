import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { applyOrg } from '../../src/commands/apply-org.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { systemTestActor } from '../helpers/harness.js';
import { ALICE_PASSWORD, ARTIFACTS_DIR, describeBrowser, http, ORG_YAML, screenshot, setPassword, signIn } from './browser.js';

/**
 * The status page in a real Chromium: an admin sets a component's status and posts a public update
 * from the admin page, starting from a template button; the public page at /status then shows it
 * without signing in and without any script, under its Content-Security-Policy, with landmarks,
 * headings and accessible names for the history bars. The screenshot of /status is saved.
 */
const WITH_STATUS_PAGE = `${ORG_YAML}
status_page:
  title: Acme status
  components:
    - name: Checkout
      description: Paying for an order
      services: [Checkout API]
    - name: Website
`;

describeBrowser('status page in the browser', (world) => {
  it('posts a public update from the admin page and shows it on the public /status page', async (ctx) => {
    const { h, page, context } = world();
    await applyOrg(h.app.ctx, parseOrgYaml(WITH_STATUS_PAGE), systemTestActor);
    await setPassword(h, 'alice', ALICE_PASSWORD);
    const declared = await http(h, 'POST', '/api/v1/incidents', { body: { title: 'Checkout payments failing', severity: 'high' }, headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(declared.status).toBe(201);
    await http(h, 'POST', '/api/v1/incidents/1/updates', { body: { impact: 'INTERNAL-ONLY impact', actions: 'rolling back' }, headers: { authorization: `Bearer ${h.adminToken}` } });

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto('/status-page');
    await page.getByRole('heading', { level: 1, name: 'Status page' }).waitFor();
    await page.getByLabel('Status of Website').selectOption('degraded_performance');
    await expect.poll(async () => ((await h.api('GET', '/api/v1/status-page')).body as { components: { name: string; status: string }[] }).components.find((c) => c.name === 'Website')?.status).toBe('degraded_performance');

    const form = page.getByRole('form', { name: 'Post a public update' });
    await form.getByLabel('Incident').selectOption('1');
    await form.getByRole('button', { name: 'Start from the Investigating template' }).click();
    await expect.poll(() => form.getByLabel('Message').inputValue()).toBe('We are investigating Checkout payments failing.');
    await form.getByRole('button', { name: 'Start from the Identified template' }).click();
    await expect.poll(() => form.getByLabel('Message').inputValue()).toBe('We have identified the issue and are working on a fix.');
    await expect.poll(() => form.getByLabel('Public status').inputValue()).toBe('identified');
    await form.getByLabel('Checkout after this update').selectOption('partial_outage');
    await form.getByRole('button', { name: 'Post public update' }).click();
    await page.getByRole('region', { name: 'Active incidents on the page' }).getByText('We have identified the issue and are working on a fix.').waitFor();

    // The public page, as a visitor who never signed in.
    const visitor = await context.browser()!.newContext({ baseURL: h.baseUrl });
    const pub = await visitor.newPage();
    const violations: string[] = [];
    pub.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const res = await pub.goto('/status');
    expect(res?.status()).toBe(200);
    await pub.getByRole('main').getByRole('heading', { level: 1, name: 'Acme status' }).waitFor();
    await pub.getByText('Partial outage', { exact: true }).first().waitFor();
    const active = pub.getByRole('region', { name: 'Active incidents' });
    await active.getByRole('heading', { level: 3, name: 'Checkout payments failing' }).waitFor();
    await active.getByText('We have identified the issue and are working on a fix.').waitFor();
    expect(await pub.getByText('INTERNAL-ONLY').count()).toBe(0);
    const checkout = pub.getByRole('article', { name: 'Checkout' });
    await checkout.getByText('Partial outage', { exact: true }).waitFor();
    const bars = checkout.getByRole('list', { name: 'Checkout, worst status per day, last 90 days' });
    await expect.poll(() => bars.getByRole('listitem').count()).toBe(90);
    await bars.getByRole('listitem').last().getByText('2026-03-08: Partial outage').waitFor({ state: 'attached' });
    await pub.getByRole('article', { name: 'Website' }).getByText('Degraded performance', { exact: true }).waitFor();
    for (const name of ['Components', 'Scheduled maintenance', 'Past incidents', 'Get updates']) await pub.getByRole('region', { name }).waitFor();
    await pub.getByRole('contentinfo').getByRole('link', { name: 'Atom feed' }).waitFor();
    await pub.getByLabel('Email address').waitFor();
    // The page works under its policy: the inline style applied (the headline is white on colour), nothing refused.
    expect(await pub.evaluate('getComputedStyle(document.querySelector(".overall")).color')).toBe('rgb(255, 255, 255)');
    expect(violations).toEqual([]);

    // Subscribing from the page's form answers with a page, no script needed.
    await pub.getByLabel('Email address').fill('carol@example.com');
    await pub.getByRole('button', { name: 'Subscribe by email' }).click();
    await pub.getByRole('heading', { level: 1, name: 'Check your inbox' }).waitFor();
    await pub.goto('/status');
    // The public page under a name of its own (the admin page gets the test's name at the end).
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await pub.screenshot({ path: path.join(ARTIFACTS_DIR, 'status-page-public.png'), fullPage: true });
    await screenshot(page, ctx);
    await visitor.close();
  });
});
