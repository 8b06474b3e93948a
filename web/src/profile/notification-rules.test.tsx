import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContactMethod } from './contact-methods';
import { NotificationRules, type Rules, type RuleStep } from './notification-rules';

/**
 * The notification rules editor against a stubbed server (the real API client, a fake fetch):
 * both urgency lists are shown with the file's steps locked, steps are added, changed and
 * removed, saving sends exactly the person's own steps, and the server's field errors are shown
 * next to the step they name.
 */
const method = (id: string, name: string, type: string, over: Partial<ContactMethod> = {}): ContactMethod => ({
  id,
  name,
  type,
  address: `${name}@example.com`,
  managed_by: 'user',
  verified: true,
  paused: false,
  verification: null,
  channel: { name: type === 'sms' ? 'SMS' : type === 'slack' ? 'Slack' : 'Email', connected: true, notices: true },
  ...over,
});
const METHODS = [method('m1', 'work-email', 'email', { managed_by: 'org' }), method('m2', 'slack', 'slack'), method('m3', 'mobile', 'sms', { verified: false })];
const step = (m: ContactMethod, delay: number, managed_by: 'org' | 'user' = 'user'): RuleStep => ({ contact_method: m.name, contact_method_id: m.id, type: m.type, delay_minutes: delay, managed_by, verified: m.verified, paused: m.paused });

let rules: Rules;
let putStatus = 200;
let putError: unknown = null;
const puts: unknown[] = [];

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  puts.length = 0;
  putStatus = 200;
  putError = null;
  rules = { high: [step(METHODS[1]!, 0), step(METHODS[0]!, 15, 'org')], low: [step(METHODS[0]!, 0, 'org')], warnings: [] };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input);
      const method = init?.method ?? 'GET';
      if (method === 'GET' && url === '/api/v1/users/alice/notification-rules') return json(200, rules);
      if (method === 'GET' && url === '/api/v1/users/alice/contact-methods') return json(200, { contact_methods: METHODS });
      if (method === 'PUT' && url === '/api/v1/users/alice/notification-rules') {
        const body = JSON.parse(String(init?.body)) as { high: { contact_method: string; delay_minutes: number }[]; low: { contact_method: string; delay_minutes: number }[] };
        puts.push(body);
        if (putStatus !== 200) return json(putStatus, putError);
        const byName = new Map(METHODS.map((m) => [m.name, m]));
        rules = {
          high: [...body.high.map((s) => step(byName.get(s.contact_method)!, s.delay_minutes)), step(METHODS[0]!, 15, 'org')],
          low: [step(METHODS[0]!, 0, 'org'), ...body.low.map((s) => step(byName.get(s.contact_method)!, s.delay_minutes))],
          warnings: [],
        };
        return json(200, rules);
      }
      return json(404, { error: { code: 'not_found', message: url } });
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const list = (name: string) => screen.getByRole('list', { name });

describe('notification rules editor', () => {
  it('shows both lists with the file’s steps locked, and saves the person’s own steps: high Slack now, SMS after 5; low email now', async () => {
    render(<NotificationRules me="alice" />);
    const high = await screen.findByRole('list', { name: 'High urgency steps' });
    expect(within(high).getByText('After 15 min: work-email')).toBeTruthy();
    expect((screen.getByLabelText('High urgency step 1: contact method') as HTMLSelectElement).value).toBe('slack');
    expect(within(list('Low urgency steps')).getByText('At once: work-email')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Add a high-urgency step' }));
    fireEvent.change(screen.getByLabelText('High urgency step 2: contact method'), { target: { value: 'mobile' } });
    expect((screen.getByLabelText('High urgency step 2: minutes') as HTMLInputElement).value).toBe('5');
    // An unverified method is allowed, and flagged: it is skipped until verified.
    expect(within(list('High urgency steps')).getByText('not verified: skipped')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Add a low-urgency step' }));
    fireEvent.change(screen.getByLabelText('Low urgency step 1: contact method'), { target: { value: 'work-email' } });
    fireEvent.change(screen.getByLabelText('Low urgency step 1: minutes'), { target: { value: '0' } });

    fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    await waitFor(() => expect(puts).toHaveLength(1));
    expect(puts[0]).toEqual({
      high: [
        { contact_method: 'slack', delay_minutes: 0 },
        { contact_method: 'mobile', delay_minutes: 5 },
      ],
      low: [{ contact_method: 'work-email', delay_minutes: 0 }],
    });
    await waitFor(() => expect((screen.getByLabelText('Low urgency step 1: contact method') as HTMLSelectElement).value).toBe('work-email'));
  });

  it('removes a step, and shows the server’s field errors next to the step they name without saving', async () => {
    putStatus = 400;
    putError = { error: { code: 'invalid', message: '1 problems', field: 'high[0].delay_minutes', problems: [{ field: 'high[0].delay_minutes', message: 'must be from 0 to 1440 minutes (24 hours)' }] } };
    render(<NotificationRules me="alice" />);
    fireEvent.change(await screen.findByLabelText('High urgency step 1: minutes'), { target: { value: '2000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    const stepError = await within(list('High urgency steps')).findByRole('alert');
    expect(stepError.textContent).toBe('must be from 0 to 1440 minutes (24 hours)');
    expect(screen.getByText('Nothing was saved; fix the steps marked below.')).toBeTruthy();
    expect((screen.getByLabelText('High urgency step 1: minutes') as HTMLInputElement).getAttribute('aria-invalid')).toBe('true');

    // A step left without minutes is caught before anything is sent.
    fireEvent.change(screen.getByLabelText('High urgency step 1: minutes'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    expect(await within(list('High urgency steps')).findByText('must be a whole number of minutes')).toBeTruthy();
    expect(puts).toHaveLength(1);

    putStatus = 200;
    fireEvent.click(screen.getByRole('button', { name: 'Remove High urgency step 1' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save rules' }));
    await waitFor(() => expect(puts).toHaveLength(2));
    expect(puts[1]).toEqual({ high: [], low: [] });
  });
});
