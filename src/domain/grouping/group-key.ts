/**
 * Alert grouping as Alertmanager does it: alerts whose `group_by` labels have the same values
 * belong to one group, which pages once; later alerts join it instead of paging again.
 *
 * - `by` lists label names. A name the alert lacks is simply absent from the group labels, and an
 *   empty value counts as absent (in Prometheus a label with an empty value does not exist).
 * - `by: ['...']` groups by every label, so only alerts with identical label sets share a group.
 * - `by: []` puts every alert of the scope (a service) into one group.
 *
 * The key is the group labels printed as Alertmanager prints them in a webhook's groupKey:
 * `{alertname="HighErrorRate", service="backend"}` (names sorted, comma and space, quoted values).
 * The caller scopes it (by service, later by routing rule): the same key on two services is two
 * groups.
 */

/** Alertmanager's "group by all labels". */
export const GROUP_BY_ALL = '...';

export interface Grouping {
  /** Label names, or [GROUP_BY_ALL]. */
  by: readonly string[];
  /** Group wait: how long the first alert waits for others before the group pages. */
  waitMs: number;
}

/** The labels that identify an alert's group, names sorted. */
export function groupLabelsFor(labels: Readonly<Record<string, string>>, grouping: Pick<Grouping, 'by'>): Record<string, string> {
  const names = grouping.by.includes(GROUP_BY_ALL) ? Object.keys(labels) : [...new Set(grouping.by)];
  const out: Record<string, string> = {};
  for (const name of names.sort()) {
    const value = labels[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** `{alertname="HighErrorRate", service="backend"}`: the group's identity within its scope. */
export function groupKeyFor(labels: Readonly<Record<string, string>>, grouping: Pick<Grouping, 'by'>): string {
  return formatGroupLabels(groupLabelsFor(labels, grouping));
}

export function formatGroupLabels(groupLabels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(groupLabels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(groupLabels[name])}`);
  return `{${parts.join(', ')}}`;
}

/**
 * What people read: "HighErrorRate / service=backend". The alert name comes first and bare, as it
 * is what responders recognise; the other labels follow as name=value.
 */
export function groupTitle(groupLabels: Readonly<Record<string, string>>): string {
  const names = Object.keys(groupLabels).sort();
  const parts: string[] = [];
  if (groupLabels.alertname !== undefined) parts.push(groupLabels.alertname);
  for (const name of names) if (name !== 'alertname') parts.push(`${name}=${groupLabels[name]}`);
  return parts.length ? parts.join(' / ') : 'all alerts';
}

/** "3 alerts in group HighErrorRate / service=backend". */
export function groupSizeText(size: number, groupLabels: Readonly<Record<string, string>>): string {
  return `${size} ${size === 1 ? 'alert' : 'alerts'} in group ${groupTitle(groupLabels)}`;
}
