import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Alert, AlertGrouping, GroupMember } from '../api/types';
import { GroupBadge, GroupSection } from './group-section';
import { filtersToApiQuery, filtersToSearch, parseFilters } from './filters';

const grouping: AlertGrouping = {
  id: 7,
  key: '{alertname="HighErrorRate", service="backend"}',
  labels: { alertname: 'HighErrorRate', service: 'backend' },
  title: 'HighErrorRate / service=backend',
  text: '3 alerts in group HighErrorRate / service=backend',
  leader_id: 12,
  leader: true,
  size: 3,
  open: 2,
  ended_at: null,
};
const members: GroupMember[] = [
  { id: 12, status: 'triggered', severity: 'critical', summary: 'errors on a', created_at: '2026-03-08T08:00:00Z' },
  { id: 13, status: 'triggered', severity: 'critical', summary: 'errors on b', created_at: '2026-03-08T08:00:10Z' },
  { id: 14, status: 'resolved', severity: 'critical', summary: 'errors on c', created_at: '2026-03-08T08:00:20Z' },
];
const alertWith = (id: number, g: AlertGrouping | null) => ({ id, summary: `errors #${id}`, grouping: g }) as unknown as Alert;

describe('GroupSection', () => {
  it('shows the group line and every alert of the group, the leader marked', () => {
    render(<GroupSection alert={alertWith(12, grouping)} members={members} />);
    expect(screen.getByRole('heading', { name: 'Group: 3 alerts in group HighErrorRate / service=backend' })).toBeTruthy();
    expect(screen.getByText(/This alert leads the group: it pages for all of them/)).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Alerts in the group (2 open)' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]?.textContent)).toEqual(['#12 errors on a (this alert) · leader', '#13 errors on b', '#14 errors on c']);
    expect(within(rows[1] as HTMLElement).getByRole('link').getAttribute('href')).toBe('/alerts/13');
  });

  it('on a member, names and links the leader', () => {
    render(<GroupSection alert={alertWith(13, { ...grouping, leader: false })} members={members} />);
    expect(screen.getByText(/Alert #12 leads the group and pages for it; this one pages nobody\./)).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open the leader #12' }).getAttribute('href')).toBe('/alerts/12');
  });

  it('shows nothing for an alert outside any group', () => {
    const { container } = render(<GroupSection alert={alertWith(1, null)} members={[]} />);
    expect(container.textContent).toBe('');
  });
});

describe('GroupBadge', () => {
  it('shows the size on a leader of more than one alert only', () => {
    const { container, rerender } = render(<GroupBadge grouping={grouping} />);
    expect(container.textContent).toBe('3 in group');
    rerender(<GroupBadge grouping={{ ...grouping, leader: false }} />);
    expect(container.textContent).toBe('');
    rerender(<GroupBadge grouping={{ ...grouping, size: 1 }} />);
    expect(container.textContent).toBe('');
  });
});

describe('hiding group members in the list', () => {
  it('keeps the choice in the URL and asks the API for it', () => {
    const f = parseFilters('?members=hide');
    expect(f.members).toBe('hide');
    expect(filtersToSearch(f)).toBe('?members=hide');
    expect(filtersToApiQuery(f, { limit: 100 }).members).toBe('hide');
    expect(parseFilters('').members).toBeUndefined();
  });
});
