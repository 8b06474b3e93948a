import { useEffect, useState, type FormEvent } from 'react';
import { errorMessage, safeNext } from '../api/client';
import { navigate, useLocation } from '../router/router';
import { Button } from '../ui/button';
import { Field } from '../ui/field';
import { useSession } from './session';

export function LoginPage() {
  const { signIn, status } = useSession();
  const { search } = useLocation();
  const next = safeNext(new URLSearchParams(search).get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Sign in · Watchkeeper';
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

  return (
    <main className="login" id="main">
      <h1>Sign in to Watchkeeper</h1>
      <form onSubmit={submit} className="panel" noValidate>
        <Field label="Email">
          <input type="email" name="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password">
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        {error && (
          <p role="alert" className="notice notice-error">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary" busy={busy}>
          Sign in
        </Button>
      </form>
      <p className="muted small">
        First start with the demo organisation? The admin's password is in <code>&lt;data-dir&gt;/admin-password</code>.
      </p>
    </main>
  );
}
