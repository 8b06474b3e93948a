/**
 * Times on the handoff pages, in the schedule's zone (a handoff is "Monday 00:00 UTC" for the whole
 * team), with the zone named: "Mon 23 Feb 00:00 UTC".
 */
export function formatAt(at: string | number, timeZone: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return 'unknown time';
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('weekday')} ${get('day')} ${get('month')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`;
}

/** "3 alerts (critical 1, high 2)" or "no alerts". */
export function alertCount(s: { total: number; by_severity: { severity: string; count: number }[] }): string {
  if (s.total === 0) return 'no alerts';
  return `${s.total} alert${s.total === 1 ? '' : 's'} (${s.by_severity.map((x) => `${x.severity} ${x.count}`).join(', ')})`;
}

const CHANGE_WORDS: Record<string, string> = {
  'schedule_override.create': 'override placed on',
  'schedule_override.delete': 'override removed from',
  'schedule_override.swap': 'shifts swapped on',
};

/** "override placed on mahavishnu-primary", "escalation policy mahavishnu changed". */
export function changeText(c: { action: string; entity_kind: string; entity: string | null }): string {
  const fixed = CHANGE_WORDS[c.action];
  if (fixed) return `${fixed} ${c.entity ?? c.entity_kind}`;
  const verb = c.action.endsWith('.create') ? 'created' : c.action.endsWith('.delete') ? 'deleted' : c.action.endsWith('.update') ? 'changed' : c.action;
  return `${c.entity_kind.replace(/_/g, ' ')} ${c.entity ?? ''} ${verb}`.replace(/\s+/g, ' ');
}

/** The browser's zone, for times that belong to the reader rather than to a schedule. */
export const viewerZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;
