import { useEffect, useRef, useState, type FocusEvent, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import { UnreadHandoffs } from '../handoffs/unread';
import { Link } from '../router/router';
import './main-nav.css';

/**
 * The main navigation: five groups the way people on call think (respond to what is happening,
 * who is on call, keep the noise down, set things up, look back), each a disclosure button that
 * opens a list of links, plus Profile. A disclosure, not an ARIA menu: the entries are plain
 * links, so a screen reader reads them as links and Tab works as everywhere else.
 *
 * Keyboard: Tab moves through the group buttons; Enter or Space opens one; Down (or Up) opens it
 * and focuses its first (or last) link; Up, Down, Home and End move within an open group; Left and
 * Right move between the top-level entries; Escape closes the group and returns focus to its
 * button. A group also closes when focus or a click leaves it, and on every page change; a link
 * followed puts focus on the page (#main), as a page load would.
 */

export interface NavEntry {
  to: string;
  label: string;
  adminOnly?: boolean;
}

export interface NavGroup {
  id: string;
  label: string;
  entries: NavEntry[];
}

export const NAV_GROUPS: NavGroup[] = [
  {
    id: 'respond',
    label: 'Respond',
    entries: [
      { to: '/', label: 'Home' },
      { to: '/alerts', label: 'Alerts' },
      { to: '/incidents', label: 'Incidents' },
      { to: '/postmortems', label: 'Post-mortems' },
      { to: '/handoffs', label: 'Handoffs' },
    ],
  },
  {
    id: 'on-call',
    label: 'On call',
    entries: [
      { to: '/schedules', label: 'Schedules' },
      { to: '/escalation-policies', label: 'Escalation policies' },
      { to: '/reachability', label: 'Reachability' },
    ],
  },
  {
    id: 'noise',
    label: 'Noise',
    entries: [
      { to: '/silences', label: 'Silences' },
      { to: '/maintenance', label: 'Maintenance' },
      { to: '/routing', label: 'Routing' },
    ],
  },
  {
    id: 'configure',
    label: 'Configure',
    entries: [
      { to: '/services', label: 'Services' },
      { to: '/integrations', label: 'Integrations' },
      { to: '/teams', label: 'Teams' },
      { to: '/users', label: 'Users' },
      { to: '/status-page', label: 'Status page' },
      { to: '/audit', label: 'Audit log', adminOnly: true },
    ],
  },
  {
    id: 'insights',
    label: 'Insights',
    entries: [{ to: '/reports', label: 'Reports' }],
  },
];

export const PROFILE_ENTRY: NavEntry = { to: '/profile', label: 'Profile' };

/** Whether the page at `pathname` is `to` or one of its sub-pages (/alerts/12 is under Alerts). */
export function isCurrent(to: string, pathname: string): boolean {
  if (to === '/') return pathname === '/';
  return pathname === to || pathname.startsWith(to + '/');
}

/** The entry `pathname` belongs to: the longest matching one, so /incidents/3/postmortem is Incidents, /postmortems is Post-mortems. */
export function currentEntry(pathname: string, groups: NavGroup[] = NAV_GROUPS): NavEntry | null {
  let best: NavEntry | null = null;
  for (const e of [...groups.flatMap((g) => g.entries), PROFILE_ENTRY]) if (isCurrent(e.to, pathname) && (!best || e.to.length > best.to.length)) best = e;
  return best;
}

/** The groups a user sees: admin-only entries for admins, and no empty group. */
export function visibleGroups(isAdmin: boolean): NavGroup[] {
  return NAV_GROUPS.map((g) => ({ ...g, entries: g.entries.filter((e) => !e.adminOnly || isAdmin) })).filter((g) => g.entries.length > 0);
}

const badges: Record<string, ReactNode> = { respond: <UnreadHandoffs /> };

const topLevelOf = (nav: HTMLElement | null): HTMLElement[] => Array.from(nav?.querySelectorAll<HTMLElement>('[data-nav-top]') ?? []);
const groupLinks = (nav: HTMLElement | null, id: string): HTMLElement[] => Array.from(nav?.querySelectorAll<HTMLElement>(`#nav-group-${id} a`) ?? []);
function focusEnd(nav: HTMLElement | null, id: string, which: 'first' | 'last'): void {
  const links = groupLinks(nav, id);
  (which === 'first' ? links[0] : links[links.length - 1])?.focus();
}

export function MainNav({ pathname, isAdmin }: { pathname: string; isAdmin: boolean }) {
  const groups = visibleGroups(isAdmin);
  // The open group and the page it was opened on: a page change (a link followed, Back, a link in
  // the page) closes it.
  const [opened, setOpened] = useState<{ id: string; on: string } | null>(null);
  const open = opened?.on === pathname ? opened.id : null;
  const setOpen = (id: string | null) => setOpened(id === null ? null : { id, on: pathname });
  const navRef = useRef<HTMLElement>(null);
  const current = currentEntry(pathname, groups);

  // A click anywhere outside the navigation closes the open group.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!navRef.current?.contains(e.target as Node)) setOpened(null);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const topLevel = () => topLevelOf(navRef.current);
  const linksOf = (id: string) => groupLinks(navRef.current, id);
  const buttonOf = (id: string) => navRef.current?.querySelector<HTMLElement>(`[aria-controls="nav-group-${id}"]`) ?? null;

  // Opened from the keyboard with Down or Up: focus its first or last link once it is shown.
  const focusOnOpen = useRef<'first' | 'last' | null>(null);
  useEffect(() => {
    const which = focusOnOpen.current;
    focusOnOpen.current = null;
    if (!open || !which) return;
    focusEnd(navRef.current, open, which);
  }, [open]);

  const openAndFocus = (id: string, which: 'first' | 'last') => {
    if (open === id) return focusEnd(navRef.current, id, which);
    focusOnOpen.current = which;
    setOpen(id);
  };

  const onTopKey = (e: KeyboardEvent<HTMLElement>) => {
    const items = topLevel();
    const i = items.indexOf(e.currentTarget);
    let next: HTMLElement | undefined;
    if (e.key === 'ArrowRight') next = items[(i + 1) % items.length];
    else if (e.key === 'ArrowLeft') next = items[(i - 1 + items.length) % items.length];
    else if (e.key === 'Home') next = items[0];
    else if (e.key === 'End') next = items[items.length - 1];
    if (!next) return;
    e.preventDefault();
    setOpen(null);
    next.focus();
  };

  const onButtonKey = (id: string) => (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      openAndFocus(id, e.key === 'ArrowDown' ? 'first' : 'last');
    } else if (e.key === 'Escape' && open === id) {
      e.preventDefault();
      setOpen(null);
    } else onTopKey(e);
  };

  const onListKey = (id: string) => (e: KeyboardEvent<HTMLUListElement>) => {
    const links = linksOf(id);
    const i = links.indexOf(document.activeElement as HTMLElement);
    let next: HTMLElement | undefined;
    if (e.key === 'ArrowDown') next = links[(i + 1) % links.length];
    else if (e.key === 'ArrowUp') next = links[(i - 1 + links.length) % links.length];
    else if (e.key === 'Home') next = links[0];
    else if (e.key === 'End') next = links[links.length - 1];
    else if (e.key === 'Escape') {
      e.preventDefault();
      setOpen(null);
      buttonOf(id)?.focus();
      return;
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      const items = topLevel();
      const b = buttonOf(id);
      const j = b ? items.indexOf(b) : -1;
      e.preventDefault();
      setOpen(null);
      items[(j + (e.key === 'ArrowRight' ? 1 : -1) + items.length) % items.length]?.focus();
      return;
    }
    if (!next) return;
    e.preventDefault();
    next.focus();
  };

  // A link followed in this tab closes the group and puts focus on the new page, as a page load
  // would: the link itself is hidden with its group, and Tab goes on into the page.
  const followed = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    setOpen(null);
    document.getElementById('main')?.focus({ preventScroll: true });
  };

  // Tabbing out of an open group closes it.
  const onGroupBlur = (id: string) => (e: FocusEvent<HTMLLIElement>) => {
    if (open === id && !e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(null);
  };

  return (
    <nav className="mainnav" aria-label="Main" ref={navRef}>
      <ul className="mainnav-top">
        {groups.map((g) => {
          const expanded = open === g.id;
          const here = current !== null && g.entries.includes(current);
          return (
            <li key={g.id} className="mainnav-group" data-nav-group={g.id} onBlur={onGroupBlur(g.id)}>
              <button
                type="button"
                className="mainnav-button"
                data-nav-top=""
                data-current-section={here || undefined}
                aria-expanded={expanded}
                aria-controls={`nav-group-${g.id}`}
                onClick={() => setOpen(expanded ? null : g.id)}
                onKeyDown={onButtonKey(g.id)}
              >
                {g.label}
                {badges[g.id]}
                <span className="mainnav-caret" aria-hidden="true" />
              </button>
              <ul id={`nav-group-${g.id}`} className="mainnav-list" hidden={!expanded} onKeyDown={onListKey(g.id)}>
                {g.entries.map((e) => (
                  <li key={e.to}>
                    <Link to={e.to} aria-current={e === current ? 'page' : undefined} onClick={followed}>
                      {e.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
        <li>
          <Link to={PROFILE_ENTRY.to} className="mainnav-link" data-nav-top="" aria-current={current === PROFILE_ENTRY ? 'page' : undefined} onKeyDown={onTopKey} onClick={followed}>
            {PROFILE_ENTRY.label}
          </Link>
        </li>
      </ul>
    </nav>
  );
}
