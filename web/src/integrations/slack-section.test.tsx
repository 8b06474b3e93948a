import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SlackDetails, SlackRouting, type SlackStatus } from './slack-section';

const connected: SlackStatus = {
  connected: true,
  message: 'Connected to Acme as @watchkeeper. Buttons: set the app\'s Interactivity Request URL to https://wk.example.com/integrations/slack/interactions.',
  api_url: 'https://slack.com/api/',
  interactions: { enabled: true, url: 'https://wk.example.com/integrations/slack/interactions' },
  bot: { team: 'Acme', team_id: 'T024BE7LD', user: 'watchkeeper', user_id: 'U0BOT', url: 'https://acme.slack.com/' },
  error: null,
  users: { total: 5, mapped: 3, by_contact_method: 2, by_email: 1 },
  posts: { pending: 1, failed: 1, done: 7, last_error: 'Slack channel #alerts not found (channel_not_found): check the name' },
  routing: [{ service: 'Payments API', channels: { critical: '#incidents', medium: '#alerts' }, security_channel: '#security' }],
};

describe('Slack section', () => {
  it('shows the workspace, the request URL to set in Slack, linked people, the last error and the channels per service', () => {
    render(<SlackDetails s={connected} />);
    expect(screen.getByText('Acme')).toBeTruthy();
    expect(screen.getByText('https://wk.example.com/integrations/slack/interactions')).toBeTruthy();
    expect(screen.getByText(/3 of 5/)).toBeTruthy();
    expect(screen.getByText('Last error: Slack channel #alerts not found (channel_not_found): check the name')).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Slack channels by service and severity' });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(rows).toEqual([
      ['Payments API', 'critical', '#incidents'],
      ['', 'medium', '#alerts'],
      ['', 'security', '#security'],
    ]);
  });

  it('says Slack is not connected and which variables to set', () => {
    render(<SlackDetails s={{ ...connected, connected: false, bot: null, message: 'Slack is not connected: set WATCHKEEPER_SLACK_BOT_TOKEN (and WATCHKEEPER_SLACK_SIGNING_SECRET for buttons) and restart Watchkeeper.', routing: [] }} />);
    expect(screen.getByText(/^Slack is not connected/)).toBeTruthy();
    expect(screen.getAllByText('WATCHKEEPER_SLACK_BOT_TOKEN').length).toBeGreaterThan(0);
    expect(screen.getByText(/No service posts to Slack/)).toBeTruthy();
  });

  it('shows buttons as off without a signing secret', () => {
    render(<SlackDetails s={{ ...connected, interactions: { ...connected.interactions, enabled: false } }} />);
    expect(screen.getByText('WATCHKEEPER_SLACK_SIGNING_SECRET')).toBeTruthy();
    expect(screen.queryByText('https://wk.example.com/integrations/slack/interactions')).toBeNull();
  });

  it('lists a service\'s routing on the service page, or how to add it', () => {
    const { unmount } = render(<SlackRouting service="Payments API" slack={{ channels: { critical: '#incidents' }, security_channel: '#security' }} />);
    const list = screen.getByRole('list', { name: 'Slack channels of Payments API' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['critical → #incidents', 'security alerts → #security']);
    unmount();
    render(<SlackRouting service="Search" slack={undefined} />);
    expect(screen.getByText(/Alerts of Search are not posted to Slack/)).toBeTruthy();
  });
});
