import { describe, expect, it } from 'vitest';
import type { Shift } from '../schedule/schedule.js';
import { handoffWarnings } from './overlap.js';

const z = (s: string) => Date.parse(s);

describe('handoff warnings', () => {
  const names: Record<string, string> = { u1: 'alice', u2: 'bob' };
  const shifts: Shift[] = [
    { start: z('2026-03-14T00:00:00Z'), end: z('2026-03-15T09:00:00Z'), userId: 'u1', source: 'weekly' },
    { start: z('2026-03-15T09:00:00Z'), end: z('2026-03-22T09:00:00Z'), userId: 'u2', source: 'weekly' },
  ];
  it('names the schedule, the handoff time in its zone and who is on call during the window', () => {
    const w = handoffWarnings('Platform Primary', 'America/Chicago', { start: z('2026-03-15T07:00:00Z'), end: z('2026-03-15T11:00:00Z') }, shifts, (id) => names[id] ?? id);
    expect(w.map((x) => x.message)).toEqual(['Platform Primary hands over from alice to bob at Sun 2026-03-15 04:00 CDT, during this window: coordinate with alice and bob, on call for Platform Primary']);
    expect(w[0]).toMatchObject({ schedule: 'Platform Primary', at: z('2026-03-15T09:00:00Z'), outgoing: 'alice', incoming: 'bob', onCall: ['alice', 'bob'] });
  });

  it('a handoff at the very start or end of the window is no conflict', () => {
    expect(handoffWarnings('P', 'UTC', { start: z('2026-03-15T09:00:00Z'), end: z('2026-03-15T11:00:00Z') }, shifts, (id) => id)).toEqual([]);
    expect(handoffWarnings('P', 'UTC', { start: z('2026-03-15T07:00:00Z'), end: z('2026-03-15T09:00:00Z') }, shifts, (id) => id)).toEqual([]);
  });
});
