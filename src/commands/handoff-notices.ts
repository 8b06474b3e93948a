import { DateTime } from 'luxon';
import { onCallDiff, type Span } from '../domain/handoff/transitions.js';
import { alertCountText, renderHandoffText, type HandoffNoteContent } from '../domain/handoff/note.js';
import { finalShifts, type Override } from '../domain/schedule/schedule.js';
import { queueNotice, type NoticeInput } from '../notify/notices.js';
import type { Conn } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { StoredSchedule } from '../store/schedule.repo.js';
import type { Actor } from './context.js';

/**
 * The words of the schedule notices: "you are on call in 24 hours", "your shift has started", the
 * handoff reminder, the handoff note and "your on-call time changed". Times are in the schedule's
 * zone with the zone's name after each one, as a team that shares a schedule reads them.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** "Mon 16 Feb 00:00 UTC". */
export function formatInstant(t: number, zone: string): string {
  return DateTime.fromMillis(t, { zone }).toFormat('ccc d LLL HH:mm ZZZZ');
}

/** "Mon 16 Feb 00:00 UTC – Mon 23 Feb 00:00 UTC"; an open end reads "until further notice". */
export function formatSpan(start: number, end: number | null, zone: string): string {
  return end === null ? `from ${formatInstant(start, zone)} until further notice` : `${formatInstant(start, zone)} – ${formatInstant(end, zone)}`;
}

/** "24 hours", "90 minutes", "1 hour": how far ahead, rounded as people say it. */
export function formatLead(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / MINUTE));
  if (minutes < 120 && minutes % 60 !== 0) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(ms / HOUR);
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

const nameOf = (org: OrgSnapshot, id: string | null): string => (id === null ? 'nobody' : (org.users.get(id)?.name ?? id));

export const schedulePath = (s: StoredSchedule) => `/schedules/${encodeURIComponent(s.name)}`;

export function oncallSoonNotice(org: OrgSnapshot, s: StoredSchedule, userId: string, outgoing: string | null, shift: { start: number; end: number | null }, now: number): NoticeInput {
  const span = formatSpan(shift.start, shift.end, s.timeZone);
  const lead = formatLead(shift.start - now);
  return {
    userId,
    kind: 'oncall_soon',
    key: `oncall-soon:${s.id}:${shift.start}:${userId}`,
    subject: `You are on call for ${s.name} in ${lead} (${span})`,
    short: `On call for ${s.name} in ${lead}, ${formatInstant(shift.start, s.timeZone)}`,
    text: [
      `You are on call for ${s.name} in ${lead}: ${span}.`,
      outgoing ? `You take over from ${nameOf(org, outgoing)}; their handoff note reaches you when the shift starts.` : 'Nobody is on call before you.',
      'Check that your contact methods work (Profile > Send a test page) and that you can reach the dashboards and runbooks.',
      `Cannot make it? Arrange a cover: watchkeeper override add ${s.name} --user SOMEONE --replaces ${nameOf(org, userId)} --from ... --to ..., or use the schedule page.`,
    ].join('\n\n'),
    url: schedulePath(s),
    data: { schedule: s.name, start: new Date(shift.start).toISOString(), end: shift.end === null ? null : new Date(shift.end).toISOString(), from_user: outgoing ? nameOf(org, outgoing) : null },
  };
}

export function shiftStartedNotice(org: OrgSnapshot, s: StoredSchedule, userId: string, outgoing: string | null, shift: { start: number; end: number | null }, noteId: number | null): NoticeInput {
  const until = shift.end === null ? 'until further notice' : `until ${formatInstant(shift.end, s.timeZone)}`;
  return {
    userId,
    kind: 'shift_started',
    key: `shift-started:${s.id}:${shift.start}:${userId}`,
    subject: `Your shift has started: on call for ${s.name} ${until}`,
    short: `On call now for ${s.name} ${until}`,
    text: [
      `You are on call for ${s.name} ${until}${outgoing ? `, taking over from ${nameOf(org, outgoing)}` : ''}.`,
      noteId !== null ? `The handoff note from ${nameOf(org, outgoing)} is at /handoffs/${noteId} (watchkeeper handoff show --schedule ${s.name}).` : 'There is no handoff note for this shift: nobody was on call before you.',
    ].join('\n\n'),
    url: noteId !== null ? `/handoffs/${noteId}` : schedulePath(s),
    data: { schedule: s.name, start: new Date(shift.start).toISOString(), end: shift.end === null ? null : new Date(shift.end).toISOString(), handoff_note: noteId },
  };
}

export function handoffReminderNotice(org: OrgSnapshot, s: StoredSchedule, userId: string, incoming: string, at: number, now: number, open: { triggered: number; acknowledged: number }): NoticeInput {
  const lead = formatLead(at - now);
  const when = formatInstant(at, s.timeZone);
  const next = nameOf(org, incoming);
  return {
    userId,
    kind: 'handoff_reminder',
    key: `handoff-reminder:${s.id}:${at}:${userId}`,
    subject: `Handoff in ${lead}: ${s.name} passes to ${next} at ${when}`,
    short: `Handoff in ${lead}: ${s.name} to ${next} at ${when}`,
    text: [
      `Your shift on ${s.name} ends at ${when}; ${next} takes over.`,
      `Open now on the schedule's services: ${open.triggered} triggered, ${open.acknowledged} acknowledged.`,
      'Before the handoff:',
      [
        `- Write watch items for anything ${next} should keep an eye on: watchkeeper handoff watch add "…" --schedule ${s.name}, or the Handoffs page.`,
        '- Resolve what is fixed; the rest is listed in the handoff note.',
        `- After the handoff, hand your acknowledged alerts to ${next} from the note (watchkeeper handoff hand-over ID).`,
      ].join('\n'),
      `The handoff note is written at ${when} and goes to ${next}.`,
    ].join('\n\n'),
    url: '/handoffs',
    data: { schedule: s.name, handoff_at: new Date(at).toISOString(), to_user: next },
  };
}

export function handoffNoteNotice(s: StoredSchedule, userId: string, noteId: number, content: HandoffNoteContent): NoticeInput {
  const open = content.summary.triggered + content.summary.acknowledged;
  return {
    userId,
    kind: 'handoff_note',
    key: `handoff-note:${s.id}:${content.handoffAt}`,
    subject: `Handoff note for ${s.name} from ${content.outgoing ?? 'nobody'}: ${alertCountText(content)}, ${open} open`,
    short: `Handoff from ${content.outgoing ?? 'nobody'} for ${s.name}: ${content.summary.total} alerts, ${open} open`,
    text: renderHandoffText(content),
    url: `/handoffs/${noteId}`,
    data: { schedule: s.name, handoff_note: noteId, from_user: content.outgoing, alerts: content.summary.total, open },
  };
}

/**
 * Queues a 'schedule_change' notice to each person whose on-call time a change of overrides moved
 * (from now on: the past cannot change), in the caller's transaction. The actor is not told about
 * a change to their own time: they made it and saw the result; everyone else it touches is.
 */
export async function queueScheduleChangeNotices(
  conn: Conn,
  org: OrgSnapshot,
  s: StoredSchedule,
  actor: Actor,
  now: number,
  change: { key: string; what: string; range: Span; before: Override[]; after: Override[]; note?: string },
): Promise<number> {
  const from = Math.max(change.range.start, now);
  const to = change.range.end;
  if (to <= from) return 0;
  const spec = (overrides: Override[]) => ({ timeZone: s.timeZone, layers: s.layers, overrides });
  const diff = onCallDiff(finalShifts(spec(change.before), from, to), finalShifts(spec(change.after), from, to));
  let queued = 0;
  for (const c of diff) {
    if (actor.kind === 'user' && actor.id === c.userId) continue;
    const spans = (list: Span[]) => list.map((x) => `  ${formatSpan(x.start, x.end, s.timeZone)}`);
    const head =
      c.gained.length && c.lost.length
        ? `your shifts in ${s.name} changed`
        : c.gained.length
          ? `you are on call for ${s.name} ${formatSpan(c.gained[0]!.start, c.gained[0]!.end, s.timeZone)}${c.gained.length > 1 ? ` and ${c.gained.length - 1} more` : ''}`
          : `you are no longer on call for ${s.name} ${formatSpan(c.lost[0]!.start, c.lost[0]!.end, s.timeZone)}${c.lost.length > 1 ? ` and ${c.lost.length - 1} more` : ''}`;
    const text = [
      `${actor.name} ${change.what} on ${s.name}${change.note ? ` (note: ${change.note})` : ''}.`,
      ...(c.gained.length ? [['You are now on call:', ...spans(c.gained)].join('\n')] : []),
      ...(c.lost.length ? [['You are no longer on call:', ...spans(c.lost)].join('\n')] : []),
      `If this is wrong, talk to ${actor.name} or change it on the schedule page.`,
    ].join('\n\n');
    queued += await queueNotice(conn, org, now, {
      userId: c.userId,
      kind: 'schedule_change',
      key: `schedule-change:${change.key}:${c.userId}`,
      subject: `Schedule change: ${head}`,
      text,
      url: schedulePath(s),
      data: {
        schedule: s.name,
        by: actor.name,
        gained: c.gained.map((x) => ({ start: new Date(x.start).toISOString(), end: new Date(x.end).toISOString() })),
        lost: c.lost.map((x) => ({ start: new Date(x.start).toISOString(), end: new Date(x.end).toISOString() })),
      },
    });
  }
  return queued;
}
