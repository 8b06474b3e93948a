import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CalendarFeeds, SubscribeButton, type CalendarFeed } from './calendar-feeds';

/**
 * The Profile page's calendar feeds and a schedule's "Subscribe in a calendar" against a stubbed
 * server (the real API client, a fake fetch): the URL of a new feed is shown once to copy, the
 * list holds only feeds still working, and revoking asks first and then calls DELETE.
 */
const URL_ONCE = 'http://wk.test/ical/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ.ics';
let feeds: CalendarFeed[] = [];
const calls: string[] = [];

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const feed = (id: string, over: Partial<CalendarFeed>): CalendarFeed => ({ id, kind: 'user', schedule: null, user: 'alice', created_by: 'alice', created_at: '2026-03-08T08:00:00.000Z', revoked_at: null, ...over });

beforeEach(() => {
  calls.length = 0;
  feeds = [feed('f1', { kind: 'schedule', schedule: 'platform-primary', user: null }), feed('f0', { revoked_at: '2026-03-08T09:00:00.000Z' })];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      calls.push(`${method} ${url}${init?.body ? ` ${String(init.body)}` : ''}`);
      if (method === 'GET' && url === '/api/v1/calendar-feeds') return json(200, { feeds });
      if (method === 'POST' && url === '/api/v1/calendar-feeds') {
        const body = JSON.parse(String(init?.body)) as { user?: string; schedule?: string };
        if (body.schedule === 'nope') return json(400, { error: { code: 'invalid', message: 'schedule: no schedule named "nope"', field: 'schedule' } });
        feeds = [feed('f2', body.user ? {} : { kind: 'schedule', schedule: body.schedule ?? null, user: null }), ...feeds];
        return json(201, { id: 'f2', url: URL_ONCE });
      }
      if (method === 'DELETE' && url.startsWith('/api/v1/calendar-feeds/')) {
        const id = url.split('/').pop();
        feeds = feeds.map((f) => (f.id === id ? { ...f, revoked_at: '2026-03-08T10:00:00.000Z' } : f));
        return json(200, {});
      }
      return json(404, { error: { code: 'not_found', message: url } });
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('calendar feeds on the profile', () => {
  it('lists working feeds, creates a feed of my shifts showing its URL once, and revokes after asking', async () => {
    render(<CalendarFeeds me="alice" />);
    const table = await screen.findByRole('table', { name: 'My calendar feeds' });
    expect(within(table).getAllByRole('row').map((r) => r.textContent)).toEqual([expect.stringContaining('Feed'), expect.stringContaining('Schedule platform-primary')]);

    fireEvent.click(screen.getByRole('button', { name: 'Create a feed of my shifts' }));
    expect(await screen.findByText(URL_ONCE)).toBeTruthy();
    expect(calls).toContain('POST /api/v1/calendar-feeds {"user":"alice"}');
    expect(screen.getByRole('button', { name: 'Copy the calendar URL' })).toBeTruthy();
    await waitFor(() => expect(screen.getByRole('table', { name: 'My calendar feeds' }).textContent).toContain('My shifts'));
    fireEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByText(URL_ONCE)).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Revoke calendar feed: Schedule platform-primary' }));
    expect(calls.some((c) => c.startsWith('DELETE'))).toBe(false);
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(calls).toContain('DELETE /api/v1/calendar-feeds/f1'));
    await waitFor(() => expect(screen.getByRole('table', { name: 'My calendar feeds' }).textContent).not.toContain('platform-primary'));
  });
});

describe('subscribe button on a schedule', () => {
  it('creates a feed of the schedule and shows its URL; an error is shown as the server said it', async () => {
    const { unmount } = render(<SubscribeButton schedule="platform-primary" />);
    fireEvent.click(screen.getByRole('button', { name: 'Subscribe in a calendar' }));
    expect(await screen.findByText(URL_ONCE)).toBeTruthy();
    expect(calls).toEqual(['POST /api/v1/calendar-feeds {"schedule":"platform-primary"}']);
    unmount();
    render(<SubscribeButton schedule="nope" />);
    fireEvent.click(screen.getByRole('button', { name: 'Subscribe in a calendar' }));
    expect((await screen.findByRole('alert')).textContent).toContain('no schedule named "nope"');
  });
});
