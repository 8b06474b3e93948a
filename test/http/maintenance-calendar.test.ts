import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import type { ApiError } from './support.js';

/**
 * GET /api/v1/maintenance-windows/calendar: every occurrence overlapping a range, for the web
 * UI's calendar. A weekly window in America/Chicago keeps its local time across the change to
 * daylight time; a window ended early drops out; bad ranges are refused naming the field. Demo
 * organisation; the clock starts Sunday 2026-03-08 08:00 UTC (03:00 CDT, the day clocks change).
 */
describe.each(storeKinds)('maintenance calendar API on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const calendar = (from: string, to: string) => h!.api('GET', `/api/v1/maintenance-windows/calendar?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  const brief = (body: Record<string, unknown>) => (body.occurrences as { window: { name: string }; starts_at: string; ends_at: string }[]).map((o) => `${o.window.name} ${o.starts_at}–${o.ends_at}`);

  it('lists the occurrences of recurring and one-off windows in the range, in start order', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/demo.yaml' });
    const weekly = await h.api('POST', '/api/v1/maintenance-windows', { services: ['Checkout API'], name: 'Sunday patching', comment: 'OS patches', rrule: 'FREQ=WEEKLY;BYDAY=SU', time_zone: 'America/Chicago', start: '02:00', duration: '4h' });
    expect(weekly.status).toBe(201);
    const once = await h.api('POST', '/api/v1/maintenance-windows', { services: ['Checkout API'], name: 'Database upgrade', comment: 'PostgreSQL 17', starts_at: '2026-03-10T00:00:00Z', ends_at: '2026-03-10T03:00:00Z' });
    expect(once.status).toBe(201);

    const march = await calendar('2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect(march.status, JSON.stringify(march.body)).toBe(200);
    expect(march.body).toMatchObject({ from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' });
    // 8 March starts at 03:00 CDT (02:00 does not happen that day) and still ends at 06:00 local.
    expect(brief(march.body)).toEqual([
      'Sunday patching 2026-03-08T08:00:00.000Z–2026-03-08T11:00:00.000Z',
      'Database upgrade 2026-03-10T00:00:00.000Z–2026-03-10T03:00:00.000Z',
      'Sunday patching 2026-03-15T07:00:00.000Z–2026-03-15T11:00:00.000Z',
      'Sunday patching 2026-03-22T07:00:00.000Z–2026-03-22T11:00:00.000Z',
      'Sunday patching 2026-03-29T07:00:00.000Z–2026-03-29T11:00:00.000Z',
    ]);
    const first = (march.body.occurrences as { window: Record<string, unknown> }[])[0]!;
    expect(first.window).toEqual({ id: (weekly.body.window as { id: string }).id, name: 'Sunday patching', state: 'active', approval: 'approved', scope: 'Checkout API', managed_by: 'api' });

    // An occurrence that only overlaps the range's start is listed too.
    expect(brief((await calendar('2026-03-08T10:00:00Z', '2026-03-09T00:00:00Z')).body)).toEqual(['Sunday patching 2026-03-08T08:00:00.000Z–2026-03-08T11:00:00.000Z']);
    expect(brief((await calendar('2026-04-01T00:00:00Z', '2026-04-08T00:00:00Z')).body)).toEqual(['Sunday patching 2026-04-05T07:00:00.000Z–2026-04-05T11:00:00.000Z']);

    // Ended before it began: the upgrade is off the calendar.
    expect((await h.api('DELETE', `/api/v1/maintenance-windows/${(once.body.window as { id: string }).id}`)).status).toBe(200);
    expect(brief((await calendar('2026-03-09T00:00:00Z', '2026-03-12T00:00:00Z')).body)).toEqual([]);
  });

  const bad: { name: string; query: string; field: string; message: string }[] = [
    { name: 'no from', query: 'to=2026-03-02T00:00:00Z', field: 'from', message: 'from: must be a date and time with its offset, e.g. 2026-03-01T00:00:00Z' },
    { name: 'a date without a time', query: 'from=2026-03-01&to=2026-03-02T00:00:00Z', field: 'from', message: 'from: must be a date and time with its offset, e.g. 2026-03-01T00:00:00Z' },
    { name: 'an end before the start', query: 'from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', field: 'to', message: 'to: must be after from' },
    { name: 'a range over 62 days', query: 'from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z', field: 'to', message: 'to: must be at most 62 days after from; ask for a month at a time' },
    { name: 'an unknown parameter', query: 'from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&service=x', field: 'service', message: 'service: unknown field' },
  ];

  it.each(bad)('refuses $name, naming the field', async ({ query, field, message }) => {
    h ??= await Harness.start(kind, { orgFile: 'examples/demo.yaml' });
    const res = await h.api('GET', `/api/v1/maintenance-windows/calendar?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const err = (res.body as unknown as ApiError).error;
    expect(err).toMatchObject({ code: 'invalid', field, message });
  });
});
