/**
 * Shift changes as people feel them: who goes off call and who comes on, and how a change to a
 * schedule moves each person's on-call time. Pure functions over final shifts (domain/schedule);
 * a change of layer or an override that keeps the same person on call is no change to them.
 */

import type { Shift } from '../schedule/schedule.js';

export interface Span {
  start: number;
  end: number;
}

/** A moment who is on call changes: `outgoing` goes off call, `incoming` comes on; null = nobody. */
export interface Transition {
  at: number;
  outgoing: string | null;
  incoming: string | null;
}

/** Consecutive shifts of one person merged into one stretch, whatever put them there. */
export function stretches(shifts: readonly Shift[]): Shift[] {
  const out: Shift[] = [];
  for (const s of shifts) {
    const prev = out[out.length - 1];
    if (prev && prev.end === s.start && prev.userId === s.userId) out[out.length - 1] = { ...prev, end: s.end };
    else out.push({ ...s });
  }
  return out;
}

function userAt(list: readonly Shift[], t: number): string | null {
  for (const s of list) if (s.start <= t && t < s.end) return s.userId;
  return null;
}

/**
 * Every instant in (lo, hi] at which who is on call changes. `shifts` are sorted, disjoint final
 * shifts covering at least [lo, hi + 1) (the instant before lo and hi itself must be known).
 */
export function transitions(shifts: readonly Shift[], lo: number, hi: number): Transition[] {
  const list = stretches(shifts);
  const points = new Set<number>();
  for (const s of list) {
    if (s.start > lo && s.start <= hi) points.add(s.start);
    if (s.end > lo && s.end <= hi) points.add(s.end);
  }
  const out: Transition[] = [];
  for (const at of [...points].sort((a, b) => a - b)) {
    const outgoing = userAt(list, at - 1);
    const incoming = userAt(list, at);
    if (outgoing !== incoming) out.push({ at, outgoing, incoming });
  }
  return out;
}

export interface OnCallChange {
  userId: string;
  /** Time this person is now on call and was not before. */
  gained: Span[];
  /** Time this person was on call and no longer is. */
  lost: Span[];
}

function pushSpan(list: Span[], start: number, end: number): void {
  const prev = list[list.length - 1];
  if (prev && prev.end === start) prev.end = end;
  else list.push({ start, end });
}

/**
 * How a schedule change moved people's on-call time, from the final shifts before and after it
 * over the same range. People whose time did not change are left out; the result is in order of
 * each person's first changed moment.
 */
export function onCallDiff(before: readonly Shift[], after: readonly Shift[]): OnCallChange[] {
  const cuts = new Set<number>();
  for (const s of [...before, ...after]) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const changes = new Map<string, OnCallChange>();
  const of = (userId: string) => {
    let c = changes.get(userId);
    if (!c) changes.set(userId, (c = { userId, gained: [], lost: [] }));
    return c;
  };
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i] as number;
    const b = points[i + 1] as number;
    const was = userAt(before, a);
    const is = userAt(after, a);
    if (was === is) continue;
    if (was !== null) pushSpan(of(was).lost, a, b);
    if (is !== null) pushSpan(of(is).gained, a, b);
  }
  return [...changes.values()];
}
