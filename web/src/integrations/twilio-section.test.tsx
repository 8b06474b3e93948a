import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TwilioDetails, type TwilioStatus } from './twilio-section';

const configured: TwilioStatus = {
  configured: true,
  channels: ['sms', 'voice'],
  account_sid: 'AC1234…abcd',
  from: '+15005550006',
  api_url: 'https://api.twilio.com',
  webhooks: { incoming_sms: 'https://wk.example.com/integrations/twilio/sms', status_callback: 'https://wk.example.com/integrations/twilio/status' },
  opted_out: { count: 1, numbers: [{ phone: '+14155550101', users: ['alice'], keyword: 'STOP', opted_out_at: '2026-03-08T08:00:00.000Z' }] },
};

describe('Twilio section', () => {
  it('shows the sending number, the webhook to set in Twilio and the numbers that texted STOP', () => {
    render(<TwilioDetails s={configured} />);
    expect(screen.getByText('+15005550006')).toBeTruthy();
    expect(screen.getByText('https://wk.example.com/integrations/twilio/sms')).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Numbers that texted STOP' });
    const cells = within(table).getAllByRole('cell').map((c) => c.textContent);
    expect(cells.slice(0, 3)).toEqual(['+14155550101', 'alice', 'STOP']);
    expect(screen.getByText(/get no SMS or calls until the person texts START to \+15005550006/)).toBeTruthy();
  });

  it('says how many numbers opted out without naming them to non-admins', () => {
    render(<TwilioDetails s={{ ...configured, opted_out: { count: 2, numbers: null } }} />);
    expect(screen.getByText('2 number(s) texted STOP and get no SMS or calls. Admins see which.')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('names the variables to set when Twilio is not configured, and still lists the opted-out numbers', () => {
    render(<TwilioDetails s={{ ...configured, configured: false, channels: [], from: null, account_sid: null, api_url: null }} />);
    expect(screen.getByText(/SMS and voice contact methods are not paged/)).toBeTruthy();
    expect(screen.getByText('WATCHKEEPER_TWILIO_AUTH_TOKEN')).toBeTruthy();
    expect(screen.getByText('These numbers get no SMS or calls until the person texts START.')).toBeTruthy();
    expect(within(screen.getByRole('table', { name: 'Numbers that texted STOP' })).getByText('+14155550101')).toBeTruthy();
  });
});
