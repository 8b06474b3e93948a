import { render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoginPage, type SignInProviders } from './login-page';
import { SessionProvider } from './session';

/**
 * The sign-in page against a stubbed server (the real API client and session provider, a fake
 * fetch): it offers what /api/v1/session/providers says and shows why a single sign-on failed.
 */
let providers: SignInProviders | 'fail' = { password: true, oidc: null };
const requested: string[] = [];

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  requested.length = 0;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input);
      requested.push(url);
      if (url === '/api/v1/session') return json(401, { error: { code: 'unauthorized', message: 'not signed in' } });
      if (url === '/api/v1/session/providers') return providers === 'fail' ? json(503, { error: { code: 'unavailable', message: 'down' } }) : json(200, providers);
      return json(404, { error: { code: 'not_found', message: url } });
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

function renderAt(path: string) {
  window.history.replaceState(null, '', path);
  return render(
    <SessionProvider>
      <LoginPage />
    </SessionProvider>,
  );
}

describe('LoginPage', () => {
  it('offers single sign-on by name, keeping where the person was going, beside the password form', async () => {
    providers = { password: true, oidc: { name: 'Okta' } };
    renderAt('/login?next=%2Falerts%2F7%3Fx%3D1');
    const button = await screen.findByRole('link', { name: 'Sign in with Okta' });
    expect(button.getAttribute('href')).toBe('/api/v1/session/oidc/start?next=%2Falerts%2F7%3Fx%3D1');
    expect(screen.getByLabelText('Password')).toBeTruthy();
    expect(requested).toContain('/api/v1/session/providers');
  });

  it('never hands an off-site destination to the sign-in link', async () => {
    providers = { password: true, oidc: { name: 'Okta' } };
    renderAt('/login?next=%2F%2Fevil.example%2F');
    const button = await screen.findByRole('link', { name: 'Sign in with Okta' });
    expect(button.getAttribute('href')).toBe('/api/v1/session/oidc/start?next=%2F');
  });

  it('hides the password form when passwords are off, and shows why single sign-on failed', async () => {
    providers = { password: false, oidc: { name: 'Okta' } };
    const message = 'no Watchkeeper user has the email x@y.example; ask an admin to add you to the organisation file';
    document.cookie = `wk_login_error=${encodeURIComponent(message)}; Path=/login`;
    renderAt('/login?error=sso&next=%2Fservices');
    const button = await screen.findByRole('link', { name: 'Sign in with Okta' });
    expect(button.getAttribute('href')).toBe('/api/v1/session/oidc/start?next=%2Fservices');
    expect(screen.getByRole('alert').textContent).toBe(message);
    expect(screen.queryByLabelText('Password')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Sign in' })).toBeNull();
  });

  it('shows only the password form without single sign-on', async () => {
    providers = { password: true, oidc: null };
    renderAt('/login');
    expect(await screen.findByLabelText('Password')).toBeTruthy();
    expect(screen.queryByRole('link', { name: /Sign in with/ })).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('never shows words from the URL: a crafted ?error= gets a fixed message', async () => {
    providers = { password: true, oidc: { name: 'Okta' } };
    renderAt(`/login?error=${encodeURIComponent('Your account is locked, call +1 555 0100')}`);
    await screen.findByRole('link', { name: 'Sign in with Okta' });
    expect(screen.getByRole('alert').textContent).toBe('Single sign-on did not finish. Start again with the button below.');
  });

  it('reads the reason once: the cookie is gone afterwards', async () => {
    providers = { password: true, oidc: { name: 'Okta' } };
    document.cookie = 'wk_login_error=signing%20in%20took%20too%20long; Path=/login';
    renderAt('/login?error=sso');
    await screen.findByRole('link', { name: 'Sign in with Okta' });
    expect(screen.getByRole('alert').textContent).toBe('signing in took too long');
    expect(document.cookie).not.toContain('wk_login_error=signing');
  });

  it('falls back to the password form when the server cannot say', async () => {
    providers = 'fail';
    renderAt('/login');
    expect(await screen.findByLabelText('Password')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    await waitFor(() => expect(screen.queryByText('Loading…')).toBeNull());
  });
});
