import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { AlertPage } from './alerts/alert-page';
import { AlertsPage } from './alerts/alerts-page';
import { AuditPage } from './audit/audit-page';
import { LoginPage } from './auth/login-page';
import { loginPathFor, SessionProvider, useSession } from './auth/session';
import { HomePage } from './home/home-page';
import { IntegrationsPage } from './integrations/integrations-page';
import { LiveProvider } from './lib/live';
import { useTitle } from './lib/title';
import { PoliciesPage } from './org/policies-page';
import { TeamsPage } from './org/teams-page';
import { UsersPage } from './org/users-page';
import { ProfilePage } from './profile/profile-page';
import { ReachabilityPage } from './reachability/reachability-page';
import { Link, matchPath, navigate, useLocation } from './router/router';
import { ServicesPage } from './services/services-page';
import { SilencePage, SilencesPage } from './silences/silences-page';
import { RoutingPage } from './routing/routing-page';
import { Shell } from './shell/shell';
import { Button } from './ui/button';
import { LoadError, Loading } from './ui/states';
import { ToastProvider } from './ui/toast';

// The schedules pages (timeline, override form) load on first visit: not part of the initial bundle.
const SchedulesPage = lazy(() => import('./schedules/schedules-page').then((m) => ({ default: m.SchedulesPage })));
const SchedulePage = lazy(() => import('./schedules/schedules-page').then((m) => ({ default: m.SchedulePage })));
const HandoffsPage = lazy(() => import('./handoffs/handoffs-page').then((m) => ({ default: m.HandoffsPage })));
const MaintenancePage = lazy(() => import('./maintenance/maintenance-page').then((m) => ({ default: m.MaintenancePage })));
const MaintenanceWindowPage = lazy(() => import('./maintenance/maintenance-page').then((m) => ({ default: m.MaintenanceWindowPage })));
const IncidentsPage = lazy(() => import('./incidents/incidents-page').then((m) => ({ default: m.IncidentsPage })));
const IncidentPage = lazy(() => import('./incidents/incident-page').then((m) => ({ default: m.IncidentPage })));
const PostmortemPage = lazy(() => import('./postmortems/postmortem-page').then((m) => ({ default: m.PostmortemPage })));
const PostmortemsPage = lazy(() => import('./postmortems/postmortems-page').then((m) => ({ default: m.PostmortemsPage })));
const HandoffNotePage = lazy(() => import('./handoffs/handoffs-page').then((m) => ({ default: m.HandoffNotePage })));
const ReportsPage = lazy(() => import('./reports/reports-page').then((m) => ({ default: m.ReportsPage })));
const StatusPageAdmin = lazy(() => import('./status-page/status-page').then((m) => ({ default: m.StatusPageAdmin })));

function NotFound() {
  useTitle('Not found');
  return (
    <>
      <h1>Not found</h1>
      <p>
        Nothing lives at this address. Go to <Link to="/">Home</Link> or <Link to="/alerts">Alerts</Link>.
      </p>
    </>
  );
}

function Forbidden() {
  useTitle('Not allowed');
  return (
    <>
      <h1>Not allowed</h1>
      <p>This page is for admins. Ask an admin if you need what it shows.</p>
    </>
  );
}

function route(pathname: string, isAdmin: boolean): ReactNode {
  if (pathname === '/') return <HomePage />;
  if (pathname === '/alerts') return <AlertsPage />;
  const alert = matchPath('/alerts/:id', pathname);
  if (alert) {
    const id = Number(alert.id);
    return Number.isInteger(id) && id > 0 ? <AlertPage key={id} id={id} /> : <NotFound />;
  }
  if (pathname === '/schedules')
    return (
      <Suspense fallback={<Loading what="schedules" />}>
        <SchedulesPage />
      </Suspense>
    );
  const schedule = matchPath('/schedules/:name', pathname);
  if (schedule?.name)
    return (
      <Suspense fallback={<Loading what="the schedule" />}>
        <SchedulePage key={schedule.name} name={schedule.name} />
      </Suspense>
    );
  if (pathname === '/incidents')
    return (
      <Suspense fallback={<Loading what="incidents" />}>
        <IncidentsPage />
      </Suspense>
    );
  const postmortem = matchPath('/incidents/:id/postmortem', pathname);
  if (postmortem) {
    const id = Number(postmortem.id);
    return Number.isInteger(id) && id > 0 ? (
      <Suspense fallback={<Loading what="the post-mortem" />}>
        <PostmortemPage key={id} id={id} />
      </Suspense>
    ) : (
      <NotFound />
    );
  }
  if (pathname === '/postmortems')
    return (
      <Suspense fallback={<Loading what="post-mortems" />}>
        <PostmortemsPage />
      </Suspense>
    );
  const incident = matchPath('/incidents/:id', pathname);
  if (incident) {
    const id = Number(incident.id);
    return Number.isInteger(id) && id > 0 ? (
      <Suspense fallback={<Loading what="the incident" />}>
        <IncidentPage key={id} id={id} />
      </Suspense>
    ) : (
      <NotFound />
    );
  }
  if (pathname === '/reports')
    return (
      <Suspense fallback={<Loading what="reports" />}>
        <ReportsPage />
      </Suspense>
    );
  if (pathname === '/status-page')
    return (
      <Suspense fallback={<Loading what="the status page" />}>
        <StatusPageAdmin />
      </Suspense>
    );
  if (pathname === '/silences') return <SilencesPage />;
  if (pathname === '/routing') return <RoutingPage />;
  const silence = matchPath('/silences/:id', pathname);
  if (silence?.id) return <SilencePage key={silence.id} id={silence.id} />;
  if (pathname === '/maintenance')
    return (
      <Suspense fallback={<Loading what="maintenance windows" />}>
        <MaintenancePage />
      </Suspense>
    );
  const maintenance = matchPath('/maintenance/:id', pathname);
  if (maintenance?.id)
    return (
      <Suspense fallback={<Loading what="the maintenance window" />}>
        <MaintenanceWindowPage key={maintenance.id} id={maintenance.id} />
      </Suspense>
    );
  if (pathname === '/handoffs')
    return (
      <Suspense fallback={<Loading what="handoffs" />}>
        <HandoffsPage />
      </Suspense>
    );
  const handoff = matchPath('/handoffs/:id', pathname);
  if (handoff) {
    const id = Number(handoff.id);
    return Number.isInteger(id) && id > 0 ? (
      <Suspense fallback={<Loading what="the handoff note" />}>
        <HandoffNotePage key={id} id={id} />
      </Suspense>
    ) : (
      <NotFound />
    );
  }
  if (pathname === '/services') return <ServicesPage />;
  if (pathname === '/integrations') return <IntegrationsPage />;
  if (pathname === '/escalation-policies') return <PoliciesPage />;
  if (pathname === '/teams') return <TeamsPage />;
  if (pathname === '/users') return <UsersPage />;
  if (pathname === '/profile') return <ProfilePage />;
  if (pathname === '/reachability') return <ReachabilityPage />;
  if (pathname === '/audit') return isAdmin ? <AuditPage /> : <Forbidden />;
  return <NotFound />;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Routes() {
  const { status, user, error, retry } = useSession();
  const { pathname, search } = useLocation();
  if (pathname === '/login') return <LoginPage />;
  if (status === 'loading') return <p className="muted" style={{ padding: '2rem' }}>Loading…</p>;
  if (status === 'error')
    return (
      <main className="login" id="main">
        <h1>Watchkeeper is not answering</h1>
        <LoadError error={error} />
        <p>
          <Button variant="primary" onClick={retry}>
            Try again
          </Button>
        </p>
      </main>
    );
  if (status === 'signed-out' || !user) return <Redirect to={loginPathFor(pathname, search)} />;
  return (
    <LiveProvider>
      <Shell>{route(pathname, user.role === 'admin')}</Shell>
    </LiveProvider>
  );
}

export function App() {
  return (
    <ToastProvider>
      <SessionProvider>
        <Routes />
      </SessionProvider>
    </ToastProvider>
  );
}
