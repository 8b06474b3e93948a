import type { Query } from '../api/client';
import { ALERT_STATUSES, type AlertStatus } from '../api/types';

/**
 * The alert list's filters live in the URL (?status=…&service=…&severity=…) so a filtered view
 * can be bookmarked, shared in a chat and survives a reload. The default (open alerts) is left
 * out of the URL; the API is always sent every filter explicitly.
 */

export interface AlertFilters {
  status: AlertStatus[];
  service: string[];
  severity: string[];
  /** 'hide': leave out alerts that joined a group another alert leads. */
  members?: 'hide';
  /** 'true': only alerts a silence holds; 'false': only those none holds. */
  silenced?: 'true' | 'false';
}

export const OPEN: AlertStatus[] = ['triggered', 'acknowledged'];

const csv = (v: string | null): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function parseFilters(search: string): AlertFilters {
  const q = new URLSearchParams(search);
  const asked = csv(q.get('status'));
  // Canonical order, unknown words dropped; nothing valid means the default.
  const status = ALERT_STATUSES.filter((s) => asked.includes(s));
  return {
    status: status.length ? status : [...OPEN],
    service: [...new Set(csv(q.get('service')))],
    severity: [...new Set(csv(q.get('severity')))],
    ...(q.get('members') === 'hide' ? { members: 'hide' as const } : {}),
    ...(q.get('silenced') === 'true' || q.get('silenced') === 'false' ? { silenced: q.get('silenced') as 'true' | 'false' } : {}),
  };
}

/** "?status=resolved&service=Payments", or "" for the default view. */
export function filtersToSearch(f: AlertFilters): string {
  const q = new URLSearchParams();
  const status = ALERT_STATUSES.filter((s) => f.status.includes(s));
  if (status.length && !sameSet(status, OPEN)) q.set('status', status.join(','));
  if (f.service.length) q.set('service', f.service.join(','));
  if (f.severity.length) q.set('severity', f.severity.join(','));
  if (f.members === 'hide') q.set('members', 'hide');
  if (f.silenced) q.set('silenced', f.silenced);
  const s = q.toString();
  return s ? `?${s.replace(/%2C/g, ',')}` : '';
}

export function filtersToApiQuery(f: AlertFilters, page: { limit: number; before?: number | null }): Query {
  return {
    status: (f.status.length ? f.status : OPEN).join(','),
    service: f.service.length ? f.service.join(',') : undefined,
    severity: f.severity.length ? f.severity.join(',') : undefined,
    members: f.members,
    silenced: f.silenced,
    limit: page.limit,
    before: page.before ?? undefined,
  };
}

/** The status filter as one choice, the way people ask for it. */
export const STATUS_CHOICES: { value: string; label: string; status: AlertStatus[] }[] = [
  { value: 'open', label: 'Open (triggered or acknowledged)', status: ['triggered', 'acknowledged'] },
  { value: 'triggered', label: 'Triggered', status: ['triggered'] },
  { value: 'acknowledged', label: 'Acknowledged', status: ['acknowledged'] },
  { value: 'resolved', label: 'Resolved', status: ['resolved'] },
  { value: 'all', label: 'All', status: ['triggered', 'acknowledged', 'resolved'] },
];

export function statusChoiceOf(status: AlertStatus[]): string {
  return STATUS_CHOICES.find((c) => sameSet(c.status, status))?.value ?? 'open';
}
