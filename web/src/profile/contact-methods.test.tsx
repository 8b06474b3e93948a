import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ContactMethods, type ContactMethod, type Notice } from './contact-methods';

/**
 * The Profile page's contact methods against a stubbed server (the real API client, a fake
 * fetch): the address hint follows the type, the server's field errors land on their fields, a
 * code is entered for an unverified method, and a test page's results are followed until each
 * one arrived or failed.
 */
let methods: ContactMethod[];
let notices: Notice[];
const calls: string[] = [];

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const method = (id: string, name: string, over: Partial<ContactMethod> = {}): ContactMethod => ({
  id,
  name,
  type: 'email',
  address: `${name}@example.com`,
  managed_by: 'user',
  verified: true,
  paused: false,
  verification: null,
  channel: { name: 'Email', connected: true, notices: true },
  ...over,
});

beforeEach(() => {
  calls.length = 0;
  methods = [method('m1', 'work', { managed_by: 'org' }), method('m2', 'home', { verified: false, verification: { expires_at: '2026-03-08T08:15:00.000Z', attempts_left: 5, resend_at: '2026-03-08T08:01:00.000Z' } })];
  notices = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const verb = init?.method ?? 'GET';
      calls.push(`${verb} ${url}${init?.body ? ` ${String(init.body)}` : ''}`);
      const base = '/api/v1/users/alice/contact-methods';
      if (verb === 'GET' && url === base) return json(200, { contact_methods: methods });
      if (verb === 'POST' && url === base) return json(400, { error: { code: 'invalid', message: 'address: not a valid email address', field: 'address', problems: [{ field: 'address', message: 'not a valid email address' }] } });
      if (verb === 'POST' && url === `${base}/m2/verify`) {
        methods = methods.map((m) => (m.id === 'm2' ? { ...m, verified: true, verification: null } : m));
        return json(200, { contact_method: methods[1] });
      }
      if (verb === 'POST' && url === '/api/v1/users/alice/test-page') {
        notices = [
          { id: 1, kind: 'test', contact_method: 'work', channel: 'email', destination: 'work@example.com', status: 'pending', error: null },
          { id: 2, kind: 'test', contact_method: 'home', channel: 'email', destination: 'home@example.com', status: 'pending', error: null },
        ];
        return json(202, { notices });
      }
      if (verb === 'GET' && url.startsWith('/api/v1/users/alice/notices?')) {
        // The server delivers between two polls: one arrives, one fails.
        notices = notices.map((n) => (n.id === 1 ? { ...n, status: 'sent' } : { ...n, status: 'failed', error: 'HTTP 550: mailbox unavailable' }));
        return json(200, { notices: [...notices].reverse() });
      }
      return json(404, { error: { code: 'not_found', message: url } });
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('contact methods on the profile', () => {
  it('shows type-specific hints and the server’s field errors, and verifies with a code', async () => {
    render(<ContactMethods me="alice" pollMs={5} />);
    const table = await screen.findByRole('table', { name: 'My contact methods' });
    expect(within(table).getAllByRole('row')[1]!.textContent).toContain('organisation file');
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'slack' } });
    expect(screen.getByText(/Copy member ID/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'email' } });
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'other' } });
    fireEvent.change(screen.getByLabelText('Address'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add method' }));
    expect(await screen.findByText('not a valid email address')).toBeTruthy();
    expect(screen.getByLabelText('Address').getAttribute('aria-invalid')).toBe('true');

    expect(screen.getByText('5 tries left')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Code sent to home'), { target: { value: ' 123456 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(calls).toContain('POST /api/v1/users/alice/contact-methods/m2/verify {"code":"123456"}'));
    await waitFor(() => expect(screen.queryByLabelText('Code sent to home')).toBeNull());
  });

  it('sends a test page and shows each method’s result as it arrives', async () => {
    render(<ContactMethods me="alice" pollMs={5} />);
    await screen.findByRole('table', { name: 'My contact methods' });
    fireEvent.click(screen.getByRole('button', { name: 'Send test page' }));
    const results = await screen.findByRole('list', { name: 'Test page results' });
    expect(within(results).getAllByText('pending…')).toHaveLength(2);
    await waitFor(() => expect(within(results).getByText('sent')).toBeTruthy());
    const items = within(results).getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual(['workwork@example.comsent', 'homehome@example.comfailedHTTP 550: mailbox unavailable']);
    const polls = calls.filter((c) => c.startsWith('GET /api/v1/users/alice/notices'));
    expect(polls).toHaveLength(1);
    expect(polls[0]).toContain('kind=test');
  });
});
