import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { currentEntry, MainNav, NAV_GROUPS } from './main-nav';

/**
 * The main navigation's disclosure groups, driven the way a keyboard user drives them: Enter
 * opens, Down and Up walk the links, Home and End jump, Escape closes and gives focus back to the
 * group's button, Left and Right move between groups; a click outside, focus leaving a group and
 * a page change close it. The unread handoff count comes from a stubbed server.
 */
let unread = 0;

beforeEach(() => {
  unread = 0;
  window.history.replaceState(null, '', '/alerts');
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL) => {
      const url = String(input);
      if (url.startsWith('/api/v1/handoffs?')) return new Response(JSON.stringify({ notes: [], unread }), { status: 200, headers: { 'content-type': 'application/json' } });
      return new Response(JSON.stringify({ error: { code: 'not_found', message: url } }), { status: 404, headers: { 'content-type': 'application/json' } });
    }),
  );
});

afterEach(() => vi.unstubAllGlobals());

const nav = () => screen.getByRole('navigation', { name: 'Main' });
const group = (name: string) => within(nav()).getByRole('button', { name: new RegExp(`^${name}`) });
const key = (el: Element, k: string) => fireEvent.keyDown(el, { key: k });

describe('main navigation', () => {
  it('shows five closed groups and Profile; the page you are on is marked, its section too', () => {
    render(<MainNav pathname="/alerts/12" isAdmin={false} />);
    const buttons = within(nav()).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(['Respond', 'On call', 'Noise', 'Configure', 'Insights']);
    for (const b of buttons) expect(b.getAttribute('aria-expanded')).toBe('false');
    // Closed groups hide their links; only Profile is a link at the top.
    expect(within(nav()).getAllByRole('link').map((a) => a.textContent)).toEqual(['Profile']);
    expect(group('Respond').hasAttribute('data-current-section')).toBe(true);
    expect(group('Noise').hasAttribute('data-current-section')).toBe(false);

    fireEvent.click(group('Respond'));
    expect(group('Respond').getAttribute('aria-expanded')).toBe('true');
    const list = document.getElementById(group('Respond').getAttribute('aria-controls') ?? '') as HTMLElement;
    const links = within(list).getAllByRole('link');
    expect(links.map((a) => a.textContent)).toEqual(['Home', 'Alerts', 'Incidents', 'Post-mortems', 'Handoffs']);
    expect(within(list).getByRole('link', { name: 'Alerts' }).getAttribute('aria-current')).toBe('page');
    expect(within(list).getByRole('link', { name: 'Home' }).getAttribute('aria-current')).toBeNull();
  });

  it('lists Status page under Configure for everyone and Audit log for admins only', () => {
    const { unmount } = render(<MainNav pathname="/" isAdmin={false} />);
    fireEvent.click(group('Configure'));
    expect(within(nav()).getAllByRole('link').map((a) => a.textContent)).toEqual(['Services', 'Integrations', 'Teams', 'Users', 'Status page', 'Profile']);
    unmount();
    render(<MainNav pathname="/" isAdmin />);
    fireEvent.click(group('Configure'));
    expect(within(nav()).getByRole('link', { name: 'Audit log' }).getAttribute('href')).toBe('/audit');
    expect(within(nav()).getByRole('link', { name: 'Status page' }).getAttribute('href')).toBe('/status-page');
  });

  it('opens a group with Down, walks it with Down, Up, Home and End, and closes it with Escape', () => {
    render(<MainNav pathname="/" isAdmin />);
    const onCall = group('On call');
    onCall.focus();
    key(onCall, 'ArrowDown');
    expect(onCall.getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement?.textContent).toBe('Schedules');
    key(document.activeElement as Element, 'ArrowDown');
    expect(document.activeElement?.textContent).toBe('Escalation policies');
    key(document.activeElement as Element, 'ArrowDown');
    key(document.activeElement as Element, 'ArrowDown');
    expect(document.activeElement?.textContent).toBe('Schedules'); // wraps round
    key(document.activeElement as Element, 'ArrowUp');
    expect(document.activeElement?.textContent).toBe('Reachability');
    key(document.activeElement as Element, 'Home');
    expect(document.activeElement?.textContent).toBe('Schedules');
    key(document.activeElement as Element, 'End');
    expect(document.activeElement?.textContent).toBe('Reachability');
    key(document.activeElement as Element, 'Escape');
    expect(onCall.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(onCall);
    expect(within(nav()).queryByRole('link', { name: 'Schedules' })).toBeNull();

    // Up opens at the last link; Escape on the button closes it too.
    key(onCall, 'ArrowUp');
    expect(document.activeElement?.textContent).toBe('Reachability');
    onCall.focus();
    key(onCall, 'Escape');
    expect(onCall.getAttribute('aria-expanded')).toBe('false');
  });

  it('moves between the top-level entries with Left, Right, Home and End, closing the open group', () => {
    render(<MainNav pathname="/" isAdmin />);
    const respond = group('Respond');
    fireEvent.click(respond);
    respond.focus();
    key(respond, 'ArrowRight');
    expect(document.activeElement).toBe(group('On call'));
    expect(respond.getAttribute('aria-expanded')).toBe('false');
    key(document.activeElement as Element, 'End');
    expect(document.activeElement).toBe(within(nav()).getByRole('link', { name: 'Profile' }));
    key(document.activeElement as Element, 'ArrowRight');
    expect(document.activeElement).toBe(respond); // wraps round
    key(respond, 'ArrowLeft');
    expect(document.activeElement?.textContent).toBe('Profile');
    key(document.activeElement as Element, 'Home');
    expect(document.activeElement).toBe(respond);

    // From inside an open group, Right goes on to the next group's button.
    key(group('Noise'), 'ArrowDown');
    expect(document.activeElement?.textContent).toBe('Silences');
    key(document.activeElement as Element, 'ArrowRight');
    expect(document.activeElement).toBe(group('Configure'));
    expect(group('Noise').getAttribute('aria-expanded')).toBe('false');
  });

  it('keeps one group open at a time and closes it on a click outside, on focus leaving it and on a page change', () => {
    const { rerender } = render(
      <>
        <MainNav pathname="/" isAdmin />
        <button type="button">Outside</button>
      </>,
    );
    fireEvent.click(group('Noise'));
    fireEvent.click(group('Configure'));
    expect(group('Noise').getAttribute('aria-expanded')).toBe('false');
    expect(group('Configure').getAttribute('aria-expanded')).toBe('true');

    fireEvent.pointerDown(screen.getByRole('button', { name: 'Outside' }));
    expect(group('Configure').getAttribute('aria-expanded')).toBe('false');

    key(group('Configure'), 'ArrowDown');
    expect(document.activeElement?.textContent).toBe('Services');
    act(() => screen.getByRole('button', { name: 'Outside' }).focus());
    expect(group('Configure').getAttribute('aria-expanded')).toBe('false');

    fireEvent.click(group('Insights'));
    rerender(
      <>
        <MainNav pathname="/reports" isAdmin />
        <button type="button">Outside</button>
      </>,
    );
    expect(group('Insights').getAttribute('aria-expanded')).toBe('false');
    expect(group('Insights').hasAttribute('data-current-section')).toBe(true);
  });

  it('follows a link in a group to its page, closes the group and puts focus on the page', () => {
    render(
      <>
        <MainNav pathname="/alerts" isAdmin />
        <main id="main" tabIndex={-1} />
      </>,
    );
    fireEvent.click(group('Noise'));
    fireEvent.click(within(nav()).getByRole('link', { name: 'Maintenance' }));
    expect(window.location.pathname).toBe('/maintenance');
    expect(group('Noise').getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(screen.getByRole('main'));
  });

  it('shows the unread handoff notes on the Respond button', async () => {
    unread = 2;
    render(<MainNav pathname="/" isAdmin />);
    await waitFor(() => expect(group('Respond').textContent).toBe('Respond2 unread handoff notes'));
  });

  it('finds the entry of a page by its longest match', () => {
    expect(currentEntry('/')?.label).toBe('Home');
    expect(currentEntry('/alerts/12')?.label).toBe('Alerts');
    expect(currentEntry('/incidents/3/postmortem')?.label).toBe('Incidents');
    expect(currentEntry('/postmortems')?.label).toBe('Post-mortems');
    expect(currentEntry('/profile')?.label).toBe('Profile');
    expect(currentEntry('/login')).toBeNull();
    // Every entry is in exactly one group.
    const all = NAV_GROUPS.flatMap((g) => g.entries.map((e) => e.to));
    expect(new Set(all).size).toBe(all.length);
  });
});
