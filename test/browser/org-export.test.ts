import fs from 'node:fs';
import { expect, it } from 'vitest';
import YAML from 'yaml';
import { ALICE_PASSWORD, CHECKOUT_KEY, describeBrowser, setPassword, signIn } from './browser.js';

/**
 * "Export YAML" on the escalation policies page downloads the organisation as its file: the one
 * `watchkeeper apply` takes, applying as a no-op, with no integration key in it.
 */
describeBrowser('organisation export in the browser', (world) => {
  it('downloads the organisation file from the policies page', async () => {
    const { h, page } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto('/escalation-policies');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export YAML' }).click()]);
    expect(download.suggestedFilename()).toBe('watchkeeper-org.yaml');
    const text = fs.readFileSync((await download.path()) as string, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*\/api\/v1\/config\/schema$/);
    expect(text).not.toContain(CHECKOUT_KEY);
    expect((YAML.parse(text) as { users: { name: string }[] }).users.map((u) => u.name)).toEqual(['alice', 'bob']);
    const applied = await h.api('POST', '/api/v1/config/apply', { yaml: text, dry_run: true });
    expect(applied.body).toMatchObject({ changes: [] });
  });
});
