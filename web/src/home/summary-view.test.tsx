import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AlertSummary } from '../api/types';
import { SummaryView } from './summary-view';

const summary: AlertSummary = {
  triggered: 5,
  acknowledged: 2,
  by_severity: [
    { severity: 'critical', triggered: 3, acknowledged: 1 },
    { severity: 'high', triggered: 2, acknowledged: 0 },
    { severity: 'low', triggered: 0, acknowledged: 1 },
  ],
  by_service: [
    { service: 'Checkout API', service_id: 's1', triggered: 4, acknowledged: 1 },
    { service: 'Payments', service_id: 's2', triggered: 1, acknowledged: 1 },
  ],
};

describe('SummaryView', () => {
  it('shows totals linking to the filtered alert list', () => {
    render(<SummaryView summary={summary} />);
    expect(screen.getByRole('link', { name: '5 triggered alerts' }).getAttribute('href')).toBe('/alerts?status=triggered');
    expect(screen.getByRole('link', { name: '2 acknowledged alerts' }).getAttribute('href')).toBe('/alerts?status=acknowledged');
  });

  it('lists every severity in the order given, with counts linking to that severity', () => {
    render(<SummaryView summary={summary} />);
    const table = screen.getByRole('table', { name: 'Open alerts by severity' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual(['critical31', 'high20', 'low01']);
    expect(within(rows[0] as HTMLElement).getByRole('link', { name: '3' }).getAttribute('href')).toBe('/alerts?status=triggered&severity=critical');
    // A zero is not a link: there is nothing to open.
    expect(within(rows[1] as HTMLElement).queryByRole('link', { name: '0' })).toBeNull();
  });

  it('lists services with open alerts, each linking to its alerts', () => {
    render(<SummaryView summary={summary} />);
    const table = screen.getByRole('table', { name: 'Open alerts by service' });
    const link = within(table).getByRole('link', { name: 'Checkout API' });
    expect(link.getAttribute('href')).toBe('/alerts?service=Checkout+API');
    expect(within(table).getAllByRole('row')).toHaveLength(3);
  });

  it('says what to do next when nothing is open', () => {
    render(<SummaryView summary={{ triggered: 0, acknowledged: 0, by_severity: summary.by_severity.map((s) => ({ ...s, triggered: 0, acknowledged: 0 })), by_service: [] }} />);
    expect(screen.getByText(/No open alerts\. Send a test alert from/)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Services' }).getAttribute('href')).toBe('/services');
    expect(screen.queryByRole('table')).toBeNull();
  });
});
