import { DateTime } from 'luxon';
import { formatDuration } from '../silence/policy.js';

/**
 * Post-mortems: when a resolved incident needs one, its deadlines, and the first draft written
 * from the record. Pure: the command layer gathers the facts and passes `now` in.
 *
 *   draft ──submit──▶ in_review ──complete──▶ complete (closes the resolved incident)
 *     ▲                   │
 *     └─────reopen────────┘
 *
 * Deadlines count from the resolution, in the handbooks' stages: the initial report is met when the
 * body is first saved, the draft when it goes to review, the meeting when it is recorded as held,
 * action items assigned when there is at least one and every one has an owner.
 */
export const POSTMORTEM_STATUSES = ['draft', 'in_review', 'complete'] as const;
export type PostmortemStatus = (typeof POSTMORTEM_STATUSES)[number];

export const DEADLINE_STAGES = ['initial_report', 'draft', 'meeting', 'action_items_assigned'] as const;
export type DeadlineStage = (typeof DEADLINE_STAGES)[number];
export const STAGE_LABELS: Record<DeadlineStage, string> = {
  initial_report: 'Initial report',
  draft: 'Draft for review',
  meeting: 'Post-mortem meeting',
  action_items_assigned: 'Action items assigned',
};
/** What meets each stage, in the operator's words (for reminders and the UI). */
export const STAGE_HOW: Record<DeadlineStage, string> = {
  initial_report: 'save the post-mortem text once',
  draft: 'send the draft to review',
  meeting: 'record the meeting as held',
  action_items_assigned: 'give every action item an owner',
};

const H = 3_600_000;
export const DEFAULT_DEADLINES: Record<DeadlineStage, number> = { initial_report: 24 * H, draft: 48 * H, meeting: 7 * 24 * H, action_items_assigned: 14 * 24 * H };

export const ACTION_ITEM_STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionItemStatus = (typeof ACTION_ITEM_STATUSES)[number];
export const isActionItemOpen = (s: string): boolean => s === 'open' || s === 'in_progress';

/** One rule of `postmortems.required_for`: every condition given must hold. */
export interface PostmortemRule {
  severities?: string[];
  lastingOverMs?: number;
  /** Lower case; matches an attached alert's class, or its label class or category. */
  class?: string;
  slaBreach?: boolean;
}

export interface PostmortemPolicy {
  requiredFor: PostmortemRule[];
  deadlines: Record<DeadlineStage, number>;
}

/** In force when the org file has no postmortems section: nothing required, handbook deadlines. */
export const NO_POSTMORTEM_POLICY: PostmortemPolicy = { requiredFor: [], deadlines: { ...DEFAULT_DEADLINES } };

/** What the record says about a resolved incident, for the rules. */
export interface RequirementFacts {
  severity: string;
  declaredAt: number;
  resolvedAt: number;
  /** Classes of attached alerts (their class, or label class / category), lower case. */
  alertClasses: string[];
  /** Clocks that breached (incident_events kind sla_breached, data.clock). */
  slaBreaches: string[];
  /** Reasons given by postmortem_required events (an SLA breach action, say). */
  requested: string[];
}

/** Why a post-mortem is required; empty when it is not. */
export function requirementReasons(policy: PostmortemPolicy, f: RequirementFacts): string[] {
  const reasons: string[] = [];
  const lasted = f.resolvedAt - f.declaredAt;
  for (const r of policy.requiredFor) {
    const parts: string[] = [];
    if (r.severities) {
      if (!r.severities.includes(f.severity)) continue;
      parts.push(`${f.severity} incident`);
    }
    if (r.lastingOverMs !== undefined) {
      if (lasted <= r.lastingOverMs) continue;
      parts.push(`open ${formatSpan(lasted)} (over ${formatDuration(r.lastingOverMs)})`);
    }
    if (r.class !== undefined) {
      if (!f.alertClasses.includes(r.class)) continue;
      parts.push(`${r.class} alert attached`);
    }
    if (r.slaBreach) {
      if (f.slaBreaches.length === 0) continue;
      parts.push(`SLA breached (${[...new Set(f.slaBreaches)].join(', ')})`);
    }
    if (parts.length) reasons.push(parts.join(', '));
  }
  for (const q of f.requested) reasons.push(q);
  return [...new Set(reasons)];
}

/** Due dates of every stage, counted from `from` (the resolution). */
export function deadlineDates(deadlines: Record<DeadlineStage, number>, from: number): Record<DeadlineStage, number> {
  return Object.fromEntries(DEADLINE_STAGES.map((s) => [s, from + deadlines[s]])) as Record<DeadlineStage, number>;
}

/** Action items are assigned when there is at least one and every one has an owner. */
export const actionItemsAssigned = (items: { owner: string | null; status: string }[]): boolean => items.length > 0 && items.every((i) => i.owner !== null || i.status === 'wont_do');

/** 65 minutes → "1h 05m"; 2 days 3 hours → "2d 3h"; under a minute → "0m". */
export function formatSpan(ms: number): string {
  const totalMin = Math.max(0, Math.floor(ms / 60_000));
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const m = totalMin % 60;
  if (d > 0) return h ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m`;
}

/** Offset from the declaration, "+0:15", "+26:03", "-0:05" (an alert that fired before). */
export function sinceDeclared(at: number, declaredAt: number): string {
  const min = Math.round((at - declaredAt) / 60_000);
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `${sign}${Math.floor(a / 60)}:${String(a % 60).padStart(2, '0')}`;
}

export interface DraftInput {
  incident: {
    number: string;
    title: string;
    severity: string;
    status: string;
    summary: string;
    services: string[];
    declaredAt: number;
    declaredBy: string;
    monitoringAt: number | null;
    resolvedAt: number | null;
    closedAt: number | null;
  };
  /** Role holders over the incident, in assignment order: "Incident Commander: alice". */
  people: { role: string; name: string }[];
  /** Every incident_events row, oldest first. */
  events: { at: number; kind: string; actor: string; message: string; data: unknown }[];
  /** Status updates, oldest first. */
  updates: { at: number; status: string; impact: string; actions: string }[];
  alerts: { id: number; summary: string; createdAt: number; acknowledgedAt: number | null }[];
  actionItems: { title: string; owner: string | null; dueAt: number | null; status: string; link: string | null }[];
  requiredBecause: string[];
  /** IANA zone for clock times; the table says which. */
  timeZone?: string;
}

const cell = (s: string): string => s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').trim();

const momentOf = (data: unknown): { moment?: string; text?: string } => (data && typeof data === 'object' ? (data as { moment?: string; text?: string }) : {});

/**
 * The first draft, in the handbooks' template (impact, timeline, root cause, resolution, action
 * items, lessons learned), filled in from the record. People edit it afterwards; the parts the
 * record cannot know say so in italics.
 */
export function draftPostmortem(d: DraftInput): string {
  const zone = d.timeZone ?? 'UTC';
  const i = d.incident;
  const t = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-LL-dd HH:mm');
  const zoneName = DateTime.fromMillis(i.declaredAt, { zone }).toFormat('ZZZZ');
  const end = i.resolvedAt ?? i.closedAt;
  const keyMoments = d.events.filter((e) => e.kind === 'key_moment');
  const firstMoment = (m: string) => keyMoments.find((e) => momentOf(e.data).moment === m);
  const notesOf = (m: string) => keyMoments.filter((e) => momentOf(e.data).moment === m && momentOf(e.data).text).map((e) => momentOf(e.data).text!);

  const firstAlert = d.alerts.length ? Math.min(...d.alerts.map((a) => a.createdAt)) : null;
  const acks = d.alerts.flatMap((a) => (a.acknowledgedAt === null ? [] : [a.acknowledgedAt]));
  const firstAck = acks.length ? Math.min(...acks) : null;
  const mitigation = firstMoment('mitigation_applied')?.at ?? null;
  const mitigatedAt = [mitigation, i.monitoringAt].filter((x): x is number => x !== null).sort((a, b) => a - b)[0] ?? null;

  const lines: string[] = [];
  lines.push(`# Incident Post-Mortem: ${i.title}`, '');
  lines.push(`**Incident:** ${i.number}`);
  lines.push(`**Date:** ${DateTime.fromMillis(i.declaredAt, { zone }).toFormat('yyyy-LL-dd')}`);
  lines.push(`**Duration:** ${t(i.declaredAt)} - ${end !== null ? `${t(end)} ${zoneName} (${formatSpan(end - i.declaredAt)})` : `${zoneName} (not resolved)`}`);
  lines.push(`**Severity:** ${i.severity}`);
  lines.push(`**Services:** ${i.services.length ? i.services.join(', ') : 'none recorded'}`);
  lines.push(`**People:** ${d.people.length ? d.people.map((p) => `${p.name} (${p.role})`).join(', ') : `declared by ${i.declaredBy}`}`);
  if (d.requiredBecause.length) lines.push(`**Required because:** ${d.requiredBecause.join('; ')}`);
  lines.push('');

  lines.push('## Summary', '', i.summary || '_One paragraph: what happened, who was affected, how it ended._', '');

  lines.push('## Impact', '');
  lines.push(`- Services impacted: ${i.services.length ? i.services.join(', ') : '_to be filled in_'}`);
  lines.push(`- Downtime: ${end !== null ? formatSpan(end - i.declaredAt) : 'ongoing'} (declared to resolved)`);
  lines.push('- Users affected: _to be filled in_');
  lines.push('- Data loss: _Yes/No_');
  const impacts: { at: number; impact: string }[] = [];
  for (const u of d.updates) if (!impacts.some((x) => x.impact === u.impact)) impacts.push({ at: u.at, impact: u.impact });
  if (impacts.length) {
    lines.push('- Impact as reported in status updates:');
    for (const x of impacts) lines.push(`  - ${t(x.at)} (${sinceDeclared(x.at, i.declaredAt)}): ${x.impact.replace(/\r?\n/g, ' ')}`);
  }
  lines.push('');

  lines.push('## Key moments', '');
  const moments: [string, number | null][] = [
    ['First alert', firstAlert],
    ['Declared', i.declaredAt],
    ['Acknowledged', firstAck],
    ['Root cause identified', firstMoment('root_cause_identified')?.at ?? null],
    ['Mitigation applied', mitigatedAt],
    ['Service restored', firstMoment('service_restored')?.at ?? null],
    ['Resolved', i.resolvedAt],
    ['Closed', i.closedAt],
  ];
  for (const [label, at] of moments) if (at !== null) lines.push(`- ${t(at)} (${sinceDeclared(at, i.declaredAt)}) - ${label}`);
  lines.push('');
  const span = (from: number | null, to: number | null) => (from !== null && to !== null ? formatSpan(to - from) : 'n/a');
  lines.push(`- Time to acknowledge: ${span(firstAlert, firstAck)}${firstAck === null ? ' (no attached alert was acknowledged)' : ' (first alert to first acknowledgement)'}`);
  lines.push(`- Time to mitigate: ${span(i.declaredAt, mitigatedAt)}${mitigatedAt === null ? ' (no mitigation marked)' : ''}`);
  lines.push(`- Time to resolve: ${span(i.declaredAt, i.resolvedAt)}`);
  lines.push('');

  lines.push('## Timeline', '');
  lines.push(`| Time (${zoneName}) | Since declared | Event | By | What happened |`);
  lines.push('| --- | --- | --- | --- | --- |');
  for (const e of d.events) lines.push(`| ${t(e.at)} | ${sinceDeclared(e.at, i.declaredAt)} | ${e.kind.replace(/_/g, ' ')} | ${cell(e.actor)} | ${cell(e.message)} |`);
  lines.push('');

  lines.push('## Root Cause', '');
  const causes = notesOf('root_cause_identified');
  lines.push(causes.length ? causes.join('\n\n') : '_Not marked on the timeline. Explain what caused the incident and why it was not caught earlier._', '');

  lines.push('## Resolution', '');
  const fixes = [...notesOf('mitigation_applied'), ...notesOf('service_restored')];
  const last = d.updates[d.updates.length - 1];
  if (last && !fixes.includes(last.actions)) fixes.push(last.actions);
  lines.push(fixes.length ? fixes.map((f) => `- ${f.replace(/\r?\n/g, ' ')}`).join('\n') : '_What was done to fix it._', '');

  lines.push('## Action Items', '');
  if (d.actionItems.length === 0) lines.push('- [ ] _Action_ - Owner: _name_, Due: _date_');
  for (const a of d.actionItems) {
    const box = a.status === 'done' ? '[x]' : '[ ]';
    const tail = [`Owner: ${a.owner ?? 'unassigned'}`, `Due: ${a.dueAt === null ? 'none' : DateTime.fromMillis(a.dueAt, { zone }).toFormat('yyyy-LL-dd')}`];
    if (a.status === 'wont_do') tail.push("won't do");
    else if (a.status === 'in_progress') tail.push('in progress');
    lines.push(`- ${box} ${a.title}${a.link ? ` (${a.link})` : ''} - ${tail.join(', ')}`);
  }
  lines.push('');

  lines.push('## Lessons Learned', '', '_What went well, what went badly, where we got lucky, and how to prevent it in future._', '');
  return lines.join('\n');
}
