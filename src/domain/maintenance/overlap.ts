import { DateTime } from 'luxon';
import { transitions } from '../handoff/transitions.js';
import type { Shift } from '../schedule/schedule.js';
import type { Occurrence } from './window.js';

/**
 * "Maintenance should not conflict with on-call shifts": a window during which a schedule hands
 * over means the person who starts the work is not the one on call when it ends. The window is
 * still allowed; its author is told whom to coordinate with.
 */
export interface HandoffWarning {
  schedule: string;
  /** The shift change inside the window. */
  at: number;
  outgoing: string | null;
  incoming: string | null;
  /** Everyone on call for the schedule at some point of the occurrence, in order. */
  onCall: string[];
  occurrence: Occurrence;
  message: string;
}

/**
 * The shift changes of one schedule inside one occurrence. `shifts` are the schedule's final
 * shifts covering at least [occurrence.start - 1, occurrence.end]; `name` maps user ids to names.
 */
export function handoffWarnings(schedule: string, zone: string, occurrence: Occurrence, shifts: readonly Shift[], name: (userId: string) => string): HandoffWarning[] {
  const changes = transitions(shifts, occurrence.start, occurrence.end - 1);
  if (changes.length === 0) return [];
  const onCall: string[] = [];
  for (const s of shifts) if (s.start < occurrence.end && s.end > occurrence.start && !onCall.includes(name(s.userId))) onCall.push(name(s.userId));
  const who = onCall.length === 0 ? 'nobody' : onCall.length === 1 ? (onCall[0] as string) : `${onCall.slice(0, -1).join(', ')} and ${onCall[onCall.length - 1] as string}`;
  return changes.map((c) => {
    const when = DateTime.fromMillis(c.at, { zone }).toFormat('ccc yyyy-LL-dd HH:mm ZZZZ');
    const from = c.outgoing === null ? 'nobody' : name(c.outgoing);
    const to = c.incoming === null ? 'nobody' : name(c.incoming);
    return {
      schedule,
      at: c.at,
      outgoing: c.outgoing === null ? null : name(c.outgoing),
      incoming: c.incoming === null ? null : name(c.incoming),
      onCall,
      occurrence,
      message: `${schedule} hands over from ${from} to ${to} at ${when}, during this window: coordinate with ${who}, on call for ${schedule}`,
    };
  });
}
