import { expect, it } from 'vitest';
import { ALICE_PASSWORD, describeBrowser, http, sessionCookie, setPassword, signIn } from './browser.js';

/** Signing in and out through the web UI's form, checked against what the API then accepts. */
describeBrowser('signing in and out', (world) => {
  it('signs in through the form with email and password, and the browser then holds a working session', async () => {
    const { h, page, context } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);

    expect(new URL(page.url()).pathname).not.toBe('/login');
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    // The session the form opened is one the API honours, for Alice.
    const session = await http(h, 'GET', '/api/v1/session', { headers: { cookie: await sessionCookie(context, h) } });
    expect(session.status).toBe(200);
    expect(session.body.user).toMatchObject({ name: 'alice', email: 'alice@example.com' });
  });

  it("shows the server's error for a wrong password in an alert and stays on the sign-in page", async () => {
    const { h, page, context } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);

    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill('alice@example.com');
    await page.getByLabel('Password', { exact: true }).fill('not the right password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    // What the server says to a wrong password, asked directly, is what the page shows.
    const refused = await http(h, 'POST', '/api/v1/session', { body: { email: 'alice@example.com', password: 'still not the right one' } });
    expect(refused.status).toBe(401);
    const message = (refused.body.error as { message: string }).message;
    expect(message.length).toBeGreaterThan(0);
    await page.getByRole('alert').filter({ hasText: message }).waitFor();

    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect((await context.cookies(h.baseUrl)).map((c) => c.name)).not.toContain('wk_session');
    // The right password still works afterwards from the same form.
    await page.getByLabel('Password', { exact: true }).fill(ALICE_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname !== '/login');
  });

  it('signs out with "Sign out": back on the sign-in page, and the API answers 401 to the old session cookie', async () => {
    const { h, page, context } = world();
    await setPassword(h, 'alice', ALICE_PASSWORD);
    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    const cookie = await sessionCookie(context, h);
    // The cookie works before signing out, so the 401 below is the sign-out's doing.
    expect((await http(h, 'GET', '/api/v1/session', { headers: { cookie } })).status).toBe(200);
    expect((await http(h, 'GET', '/api/v1/alerts', { headers: { cookie } })).status).toBe(200);

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await page.getByLabel('Email', { exact: true }).waitFor();
    expect((await http(h, 'GET', '/api/v1/session', { headers: { cookie } })).status).toBe(401);
    expect((await http(h, 'GET', '/api/v1/alerts', { headers: { cookie } })).status).toBe(401);
  });
});
