import { useEffect, useState, type FormEvent } from 'react';
import { api, errorMessage, safeNext } from '../api/client';
import { navigate, useLocation } from '../router/router';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { useSession } from './session';

/** How people sign in on this server: GET /api/v1/session/providers. */
export interface SignInProviders {
  password: boolean;
  oidc: { name: string } | null;
}

/** When the server cannot say, offer what every server has unless told otherwise: passwords. */
const PASSWORDS_ONLY: SignInProviders = { password: true, oidc: null };

export function oidcStartUrl(next: string): string {
  return `/api/v1/session/oidc/start?next=${encodeURIComponent(next)}`;
}

const LOGIN_ERROR_COOKIE = 'wk_login_error';

/** The server's reason for a failed single sign-on, read once and then deleted. */
export function takeLoginError(): string {
  const found = document.cookie.split('; ').find((c) => c.startsWith(`${LOGIN_ERROR_COOKIE}=`));
  document.cookie = `${LOGIN_ERROR_COOKIE}=; Max-Age=0; Path=/login; SameSite=Lax`;
  if (!found) return 'Single sign-on did not finish. Start again with the button below.';
  try {
    return decodeURIComponent(found.slice(LOGIN_ERROR_COOKIE.length + 1));
  } catch {
    return 'Single sign-on did not finish. Start again with the button below.';
  }
}

export function LoginPage() {
  const { signIn, status } = useSession();
  const { search } = useLocation();
  const query = new URLSearchParams(search);
  const next = safeNext(query.get('next'));
  // A failed single sign-on comes back here with ?error=sso and the reason in a cookie the server
  // set, so a crafted link cannot make this page say anything.
  const [ssoError] = useState(() => (query.get('error') ? takeLoginError() : null));
  const [providers, setProviders] = useState<SignInProviders | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Sign in · Watchkeeper';
  }, []);

  useEffect(() => {
    let live = true;
    api.get<SignInProviders>('/session/providers').then(
      (p) => live && setProviders(p),
      () => live && setProviders(PASSWORDS_ONLY),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (status === 'signed-in') navigate(next, { replace: true });
  }, [status, next]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const shown = error ?? ssoError;
  const alert = shown && (
    <p role="alert" className="notice notice-error">
      {shown}
    </p>
  );

  return (
    <main className="login stack" id="main">
      <h1>Sign in to Watchkeeper</h1>
      {providers === null ? (
        <p className="muted" aria-live="polite">
          Loading…
        </p>
      ) : (
        <>
          {providers.oidc && (
            <div className="panel login-sso">
              {!providers.password && alert}
              <a className="btn btn-primary" href={oidcStartUrl(next)}>
                Sign in with {providers.oidc.name}
              </a>
            </div>
          )}
          {providers.password && (
            <form onSubmit={submit} className="panel" noValidate aria-label="Sign in with a password">
              {providers.oidc && <p className="muted small">Or with your Watchkeeper password:</p>}
              <Field label="Email">
                <input type="email" name="email" autoComplete="username" required autoFocus={!providers.oidc} value={email} onChange={(e) => setEmail(e.target.value)} />
              </Field>
              <Field label="Password">
                <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
              </Field>
              {alert}
              <Button type="submit" variant={providers.oidc ? 'secondary' : 'primary'} busy={busy}>
                Sign in
              </Button>
            </form>
          )}
          {providers.password && !providers.oidc && (
            <p className="muted small">
              First start with the demo organisation? The admin's password is in <code>&lt;data-dir&gt;/admin-password</code>.
            </p>
          )}
        </>
      )}
    </main>
  );
}
