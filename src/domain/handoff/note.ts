/**
 * The handoff note: what the outgoing person on call hands to the incoming one, laid out like the
 * handbooks' templates ("On-Call Handoff: YYYY-MM-DD", summary, open items, watch items, recent
 * changes). Built once at the shift change from plain data and stored as a snapshot, so the note
 * says what was true at the handoff. Pure functions; times are epoch milliseconds, shown in the
 * schedule's zone with Luxon.
 *
 * Incidents open at any time during the shift (Mahavishnu's "Incidents: Y", QAWave's "Recent
 * Incidents") and maintenance windows of the coming shift ("Upcoming maintenance: any scheduled
 * changes") are listed when there are any.
 */

import { DateTime } from 'luxon';
import { formatRange } from '../schedule/lint.js';

export interface NoteAlert {
  id: number;
  summary: string;
  severity: string;
  /** Status when the note was written: triggered, acknowledged or resolved. */
  status: string;
  service: string;
  createdAt: number;
  acknowledgedBy: string | null;
  count: number;
}

export interface NoteWatchItem {
  id: string;
  text: string;
  alertId: number | null;
  author: string;
  createdAt: number;
}

/** An incident of the schedule's services (or led by the outgoing person) open during the shift. */
export interface NoteIncident {
  id: number;
  title: string;
  severity: string;
  /** Status when the note was written. */
  status: string;
  declaredAt: number;
  resolvedAt: number | null;
  commander: string | null;
}

/** A maintenance window occurrence during the incoming shift. */
export interface NoteMaintenance {
  name: string;
  /** What it covers, e.g. "Backend" or "alerts matching {team=\"db\"}". */
  scope: string;
  start: number;
  end: number;
  comment: string;
}

export interface NoteChange {
  at: number;
  actor: string;
  action: string;
  entityKind: string;
  entity: string | null;
}

export interface HandoffNoteContent {
  schedule: string;
  timeZone: string;
  /** People by name; null = nobody. */
  outgoing: string | null;
  incoming: string | null;
  shiftStart: number;
  handoffAt: number;
  summary: {
    /** Alerts opened during the shift. */
    total: number;
    bySeverity: { severity: string; count: number }[];
    /** Open at the handoff, whenever they were opened. */
    triggered: number;
    acknowledged: number;
  };
  /** Alerts opened during the shift, most severe first; at most MAX_LISTED per severity. */
  alertsBySeverity: { severity: string; count: number; alerts: NoteAlert[] }[];
  /** Triggered or acknowledged at the handoff, most severe and oldest first. */
  open: NoteAlert[];
  openMore: number;
  watchItems: NoteWatchItem[];
  /** Configuration and schedule changes during the shift, oldest first. */
  changes: NoteChange[];
  changesMore: number;
  /** Maintenance during the incoming shift, soonest first; absent when there is none. */
  maintenance?: NoteMaintenance[];
  /** Incidents open at any time during the shift, still open first, then newest; absent when none. */
  incidents?: NoteIncident[];
}

export interface NoteInput {
  schedule: string;
  timeZone: string;
  outgoing: string | null;
  incoming: string | null;
  shiftStart: number;
  handoffAt: number;
  /** Alerts opened in [shiftStart, handoffAt), any status. */
  duringShift: NoteAlert[];
  /** Alerts triggered or acknowledged at handoffAt. */
  open: NoteAlert[];
  watchItems: NoteWatchItem[];
  changes: NoteChange[];
  /** Maintenance windows during the incoming shift. */
  maintenance?: NoteMaintenance[];
  /** Incidents open at some time in [shiftStart, handoffAt). */
  incidents?: NoteIncident[];
  /** Severity rank, 0 = most severe (SeverityMap.rank). */
  rank: (severity: string) => number;
}

/** Bounds that keep a note readable (and an email small) after a noisy week. */
export const MAX_LISTED = 20;
export const MAX_OPEN = 50;
export const MAX_CHANGES = 50;

export function buildHandoffNote(input: NoteInput): HandoffNoteContent {
  const bySev = new Map<string, NoteAlert[]>();
  for (const a of [...input.duringShift].sort((x, y) => x.createdAt - y.createdAt || x.id - y.id)) {
    const list = bySev.get(a.severity) ?? [];
    list.push(a);
    bySev.set(a.severity, list);
  }
  const severities = [...bySev.keys()].sort((a, b) => input.rank(a) - input.rank(b) || a.localeCompare(b));
  const open = [...input.open].sort((x, y) => input.rank(x.severity) - input.rank(y.severity) || x.createdAt - y.createdAt || x.id - y.id);
  const changes = [...input.changes].sort((x, y) => x.at - y.at);
  return {
    schedule: input.schedule,
    timeZone: input.timeZone,
    outgoing: input.outgoing,
    incoming: input.incoming,
    shiftStart: input.shiftStart,
    handoffAt: input.handoffAt,
    summary: {
      total: input.duringShift.length,
      bySeverity: severities.map((severity) => ({ severity, count: bySev.get(severity)?.length ?? 0 })),
      triggered: input.open.filter((a) => a.status === 'triggered').length,
      acknowledged: input.open.filter((a) => a.status === 'acknowledged').length,
    },
    alertsBySeverity: severities.map((severity) => {
      const list = bySev.get(severity) ?? [];
      return { severity, count: list.length, alerts: list.slice(0, MAX_LISTED) };
    }),
    open: open.slice(0, MAX_OPEN),
    openMore: Math.max(0, open.length - MAX_OPEN),
    watchItems: [...input.watchItems].sort((x, y) => x.createdAt - y.createdAt),
    changes: changes.slice(-MAX_CHANGES),
    changesMore: Math.max(0, changes.length - MAX_CHANGES),
    ...(input.maintenance?.length ? { maintenance: [...input.maintenance].sort((x, y) => x.start - y.start).slice(0, MAX_LISTED) } : {}),
    ...(input.incidents?.length
      ? { incidents: [...input.incidents].sort((x, y) => Number(x.resolvedAt !== null) - Number(y.resolvedAt !== null) || y.declaredAt - x.declaredAt || y.id - x.id).slice(0, MAX_LISTED) }
      : {}),
  };
}

/** "#12 [critical] Checkout errors: investigating, commander alice, declared Mon 2 Mar 09:10". */
export function incidentLine(i: NoteIncident, at: (t: number) => string): string {
  const lead = i.commander ? `, commander ${i.commander}` : '';
  const when = i.resolvedAt !== null ? `declared ${at(i.declaredAt)}, resolved ${at(i.resolvedAt)}` : `declared ${at(i.declaredAt)}`;
  return `#${i.id} [${i.severity}] ${i.title}: ${i.status}${lead}, ${when}`;
}

/** "Total alerts: 3 (critical 1, high 2)". */
export function alertCountText(c: HandoffNoteContent): string {
  if (c.summary.total === 0) return 'no alerts';
  const parts = c.summary.bySeverity.map((s) => `${s.severity} ${s.count}`).join(', ');
  return `${c.summary.total} alert${c.summary.total === 1 ? '' : 's'} (${parts})`;
}

const CHANGE_WORDS: Record<string, string> = {
  'schedule_override.create': 'override placed',
  'schedule_override.delete': 'override removed',
  'schedule_override.swap': 'shifts swapped',
  create: 'created',
  update: 'changed',
  delete: 'deleted',
};

/** "override placed on mahavishnu-primary by alice". */
export function changeText(ch: NoteChange): string {
  const verb = CHANGE_WORDS[ch.action] ?? CHANGE_WORDS[ch.action.split('.').pop() ?? ''] ?? ch.action;
  const what = ch.action.startsWith('schedule_override.') ? `on ${ch.entity ?? ch.entityKind}` : `${ch.entityKind.replace(/_/g, ' ')} ${ch.entity ?? ''}`.trim();
  return ch.action.startsWith('schedule_override.') ? `${verb} ${what} by ${ch.actor}` : `${what} ${verb} by ${ch.actor}`;
}

function alertLine(a: NoteAlert, withStatus: boolean): string {
  const ack = a.status === 'acknowledged' && a.acknowledgedBy ? ` (acknowledged by ${a.acknowledgedBy})` : '';
  const status = withStatus ? `, ${a.status}${ack}` : ack;
  const times = a.count > 1 ? `, fired ${a.count} times` : '';
  return `#${a.id} [${a.severity}] ${a.service}: ${a.summary}${status}${times}`;
}

/**
 * The note as plain text, in the handbook's template: the email body and `watchkeeper handoff
 * show`. `url` is the note's page, when there is one.
 */
export function renderHandoffText(c: HandoffNoteContent, url?: string | null): string {
  const zone = c.timeZone;
  const at = (t: number) => DateTime.fromMillis(t, { zone }).toFormat('ccc d LLL HH:mm');
  const lines: string[] = [];
  lines.push(`## On-Call Handoff: ${DateTime.fromMillis(c.handoffAt, { zone }).toISODate() ?? ''} (${c.schedule})`);
  lines.push('');
  lines.push(`${c.outgoing ?? 'nobody'} -> ${c.incoming ?? 'nobody'}, shift ${formatRange(c.shiftStart, c.handoffAt, zone)}`);
  lines.push('');
  lines.push('### Summary');
  lines.push(`- Total alerts: ${alertCountText(c)}`);
  lines.push(`- Incidents: ${c.incidents?.length ?? 0}${c.incidents?.length ? ` (${c.incidents.filter((i) => i.resolvedAt === null).length} still open)` : ''}`);
  lines.push(`- Open now: ${c.summary.triggered} triggered, ${c.summary.acknowledged} acknowledged`);
  lines.push('');
  if (c.incidents?.length) {
    lines.push('### Incidents');
    for (const i of c.incidents) lines.push(`- ${incidentLine(i, at)}`);
    lines.push('');
  }
  lines.push('### Open Items');
  if (c.open.length === 0) lines.push('- none: no alert is open');
  for (const a of c.open) lines.push(`- [ ] ${alertLine(a, true)}`);
  if (c.openMore > 0) lines.push(`- … and ${c.openMore} more open`);
  lines.push('');
  lines.push('### Watch Items');
  if (c.watchItems.length === 0) lines.push('- none written');
  for (const w of c.watchItems) lines.push(`- ${w.text}${w.alertId !== null ? ` (alert #${w.alertId})` : ''} — ${w.author}`);
  lines.push('');
  if (c.maintenance?.length) {
    lines.push('### Upcoming Maintenance');
    for (const m of c.maintenance) lines.push(`- ${formatRange(m.start, m.end, zone)}: ${m.name} (${m.scope}): ${m.comment}; alerts opening in it page nobody`);
    lines.push('');
  }
  lines.push('### Alerts During The Shift');
  if (c.alertsBySeverity.length === 0) lines.push('- none');
  for (const g of c.alertsBySeverity) {
    lines.push(`#### ${g.severity} (${g.count})`);
    for (const a of g.alerts) lines.push(`- ${alertLine(a, true)}, opened ${at(a.createdAt)}`);
    if (g.count > g.alerts.length) lines.push(`- … and ${g.count - g.alerts.length} more`);
  }
  lines.push('');
  lines.push('### Recent Changes');
  if (c.changes.length === 0) lines.push('- none');
  if (c.changesMore > 0) lines.push(`- … ${c.changesMore} earlier changes not shown`);
  for (const ch of c.changes) lines.push(`- ${at(ch.at)}: ${changeText(ch)}`);
  if (url) {
    lines.push('');
    lines.push(`Read it, mark it read and take over acknowledged alerts: ${url}`);
  }
  return `${lines.join('\n')}\n`;
}
