import type { ReactNode } from 'react';
import { useSession } from '../auth/session';
import { LiveIndicator } from '../lib/live';
import { useTheme } from '../lib/theme';
import { Link, useLocation } from '../router/router';
import { Button } from '../ui/button';
import { MainNav } from './main-nav';

export function Shell({ children }: { children: ReactNode }) {
  const { user, signOut } = useSession();
  const { pathname } = useLocation();
  const { theme, toggle } = useTheme();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Watchkeeper
        </Link>
        <MainNav pathname={pathname} isAdmin={user?.role === 'admin'} />
        <div className="row">
          <LiveIndicator />
          <Button small variant="ghost" onClick={toggle} aria-pressed={theme === 'dark'}>
            Dark mode
          </Button>
          <span className="muted small topbar-user" title={user?.email}>
            {user?.name} ({user?.role})
          </span>
          <Button small onClick={() => void signOut()}>
            Sign out
          </Button>
        </div>
      </header>
      <main className="main" id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
