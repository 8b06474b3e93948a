import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError } from '../api/client';
import type { Session, SessionUser } from '../api/types';
import { navigate } from '../router/router';

export type SessionStatus = 'loading' | 'signed-in' | 'signed-out' | 'error';

interface SessionApi {
  status: SessionStatus;
  user: SessionUser | null;
  error: unknown;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  retry: () => void;
}

const Ctx = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** Where to come back to after signing in: the page the user was on. */
export function loginPathFor(pathname: string, search: string): string {
  const here = pathname + search;
  return here === '/' || pathname === '/login' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [user, setUser] = useState<SessionUser | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  const accept = useCallback((s: Session) => {
    api.setCsrfToken(s.csrf_token);
    setUser(s.user);
    setStatus('signed-in');
  }, []);

  const drop = useCallback(() => {
    api.setCsrfToken(null);
    setUser(null);
    setStatus('signed-out');
  }, []);

  useEffect(() => {
    // Any 401 from the API means the session ended (expired, signed out elsewhere, revoked).
    api.setOnUnauthorized(() => {
      drop();
      if (window.location.pathname !== '/login') navigate(loginPathFor(window.location.pathname, window.location.search), { replace: true });
    });
    return () => api.setOnUnauthorized(undefined);
  }, [drop]);

  useEffect(() => {
    let live = true;
    api.get<Session>('/session').then(
      (s) => live && accept(s),
      (e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 401) drop();
        else {
          setError(e);
          setStatus('error');
        }
      },
    );
    return () => {
      live = false;
    };
  }, [accept, drop, attempt]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      accept(await api.post<Session>('/session', { email, password }));
    },
    [accept],
  );

  const signOut = useCallback(async () => {
    try {
      await api.del('/session');
    } finally {
      drop();
      navigate('/login', { replace: true });
    }
  }, [drop]);

  const retry = useCallback(() => {
    setStatus('loading');
    setAttempt((a) => a + 1);
  }, []);

  const value = useMemo(() => ({ status, user, error, signIn, signOut, retry }), [status, user, error, signIn, signOut, retry]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
