import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { PLATFORM_YAML } from '../helpers/platform-org.js';
import { storeKinds } from '../helpers/stores.js';
import type { ApiError } from './support.js';

/**
 * Schedules meant to leave time uncovered (office hours) and whole shifts from the shifts
 * endpoints. The clock starts Sunday 2026-03-08 08:00 UTC (see platform-org.ts): platform-primary
 * has diana the week of 03-09; office-hours has diana on weekdays 09:00-17:00 UTC only.
 */
const PARTIAL_YAML = PLATFORM_YAML.replace(
  `  - name: office-hours
    time_zone: UTC`,
  `  - name: office-hours
    time_zone: UTC
    coverage: partial
    handoff:
      reminder_minutes: 15`,
);

interface Finding {
  kind: string;
  schedule: string;
  message: string;
}

describe.each(storeKinds)('schedule coverage and whole shifts on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });
  const lint = async () => ((await h.api('GET', '/api/v1/schedules/lint?weeks=1')).body.findings as Finding[]).filter((f) => f.schedule === 'office-hours' || (f as { other?: string }).other === 'office-hours');

  it('lint reports no gaps in a schedule marked coverage: partial, and the file round-trips the setting', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const full = await lint();
    expect(full.filter((f) => f.kind === 'gap')).toHaveLength(6);
    expect(full.find((f) => f.kind === 'gap')?.message).toBe('office-hours has nobody on call Sun 8 Mar 08:00 – Mon 9 Mar 09:00 UTC (25 h)');

    expect((await h.api('POST', '/api/v1/config/apply', { yaml: PARTIAL_YAML })).status).toBe(200);
    const partial = await lint();
    expect(partial.filter((f) => f.kind === 'gap')).toEqual([]);
    // Other findings about the schedule still count.
    expect(partial.map((f) => f.kind)).toEqual(full.filter((f) => f.kind !== 'gap').map((f) => f.kind));
    expect(partial.length).toBeGreaterThan(0);

    const yaml = await h.app.http.inject({ method: 'GET', url: '/api/v1/config?format=yaml', headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(yaml.body).toMatch(/ {4}handoff:\n {6}reminder_minutes: 15\n {4}coverage: partial\n/);
    expect((await h.api('POST', '/api/v1/config/apply', { yaml: yaml.body })).body.changes).toEqual([]);

    const bad = await h.api('POST', '/api/v1/config/apply', { yaml: PARTIAL_YAML.replace('coverage: partial', 'coverage: some').replace('reminder_minutes: 15', 'reminder_minutes: -5') });
    expect(bad.status).toBe(400);
    expect((bad.body as unknown as ApiError).error.problems?.map((p) => p.field).sort()).toEqual(['schedules[2].coverage', 'schedules[2].handoff.reminder_minutes']);
    expect((await lint()).filter((f) => f.kind === 'gap')).toEqual([]);
  });

  it('the shifts endpoints return whole shifts overlapping the range, with their real start and end', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const res = await h.api('GET', '/api/v1/schedules/platform-primary/shifts?from=2026-03-11T00:00Z&to=2026-03-11T06:00Z');
    expect(res.status).toBe(200);
    expect(res.body.final).toEqual([{ start: '2026-03-09T00:00:00.000Z', end: '2026-03-16T00:00:00.000Z', user: 'diana', source: 'weekly' }]);
    expect(res.body.layers).toEqual([{ name: 'weekly', shifts: [{ start: '2026-03-09T00:00:00.000Z', end: '2026-03-16T00:00:00.000Z', user: 'diana', source: 'weekly' }] }]);
    // The range asked for is still what the answer says it covers.
    expect([res.body.from, res.body.to]).toEqual(['2026-03-11T00:00:00.000Z', '2026-03-11T06:00:00.000Z']);

    // A cover in the middle of the week splits it; the shifts either side are whole too.
    await h.api('POST', '/api/v1/schedules/platform-primary/overrides', { start: '2026-03-12T00:00Z', end: '2026-03-13T00:00Z', user: 'erin', replaces: 'diana' });
    const split = await h.api('GET', '/api/v1/schedules/platform-primary/shifts?from=2026-03-11T12:00Z&to=2026-03-12T12:00Z');
    expect((split.body.final as { start: string; end: string; user: string }[]).map((s) => `${s.user} ${s.start}–${s.end}`)).toEqual([
      'diana 2026-03-09T00:00:00.000Z–2026-03-12T00:00:00.000Z',
      'erin 2026-03-12T00:00:00.000Z–2026-03-13T00:00:00.000Z',
    ]);

    // Restricted windows: an hour inside office hours answers with the whole 09:00-17:00 shift.
    const office = await h.api('GET', '/api/v1/schedules/office-hours/shifts?from=2026-03-11T12:00Z&to=2026-03-11T13:00Z');
    expect(office.body.final).toEqual([{ start: '2026-03-11T09:00:00.000Z', end: '2026-03-11T17:00:00.000Z', user: 'diana', source: 'weekdays' }]);

    const mine = await h.api('GET', '/api/v1/users/diana/shifts?from=2026-03-11T12:00Z&to=2026-03-11T13:00Z');
    expect((mine.body.shifts as { schedule: string; start: string; end: string }[]).map((s) => [s.schedule, s.start, s.end])).toEqual([
      ['platform-primary', '2026-03-09T00:00:00.000Z', '2026-03-12T00:00:00.000Z'],
      ['office-hours', '2026-03-11T09:00:00.000Z', '2026-03-11T17:00:00.000Z'],
    ]);
  });
});
