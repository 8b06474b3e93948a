import type { ReactNode } from 'react';
import { useSession } from '../auth/session';
import { UnreadHandoffs } from '../handoffs/unread';
import { LiveIndicator } from '../lib/live';
import { useTheme } from '../lib/theme';
import { Link, useLocation } from '../router/router';
import { Button } from '../ui/button';

interface NavItem {
  to: string;
  label: string;
  adminOnly?: boolean;
}

const NAV: NavItem[] = [
  { to: '/', label: 'Home' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/incidents', label: 'Incidents' },
  { to: '/schedules', label: 'Schedules' },
  { to: '/handoffs', label: 'Handoffs' },
  { to: '/silences', label: 'Silences' },
  { to: '/maintenance', label: 'Maintenance' },
  { to: '/routing', label: 'Routing' },
  { to: '/services', label: 'Services' },
  { to: '/integrations', label: 'Integrations' },
  { to: '/escalation-policies', label: 'Escalation policies' },
  { to: '/teams', label: 'Teams' },
  { to: '/users', label: 'Users' },
  { to: '/reachability', label: 'Reachability' },
  { to: '/reports', label: 'Reports' },
  { to: '/audit', label: 'Audit log', adminOnly: true },
  { to: '/profile', label: 'Profile' },
];

const isCurrent = (to: string, pathname: string) => (to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(to + '/'));

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
        <nav className="nav" aria-label="Main">
          {NAV.filter((n) => !n.adminOnly || user?.role === 'admin').map((n) => (
            <Link key={n.to} to={n.to} aria-current={isCurrent(n.to, pathname) ? 'page' : undefined}>
              {n.label}
              {n.to === '/handoffs' && <UnreadHandoffs />}
            </Link>
          ))}
        </nav>
        <div className="row">
          <LiveIndicator />
          <Button small variant="ghost" onClick={toggle} aria-pressed={theme === 'dark'}>
            Dark mode
          </Button>
          <span className="muted small" title={user?.email}>
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
