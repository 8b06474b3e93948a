import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import type { ApiError } from './support.js';

/**
 * /api/v1/maintenance-windows: bad input is refused with the field named and nothing created;
 * recurring windows come back with their next occurrences in the zone. Demo organisation; the
 * clock starts Sunday 2026-03-08 08:00 UTC.
 */
describe.each(storeKinds)('maintenance windows API on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const base = { services: ['Checkout API'], comment: 'Database upgrade' };
  const cases: { name: string; body: Record<string, unknown>; field: string; message: string }[] = [
    { name: 'no comment', body: { services: ['Checkout API'], duration: '1h', comment: ' ' }, field: 'comment', message: 'is required: say what the work is, e.g. "Database upgrade"' },
    { name: 'an unknown service', body: { ...base, services: ['Checkout'], duration: '1h' }, field: 'services[0]', message: 'no service named "Checkout"; see watchkeeper\'s services list' },
    { name: 'no scope', body: { comment: 'x', duration: '1h' }, field: 'services', message: 'give services or matchers: what the window covers' },
    { name: 'a scope that covers every alert', body: { matchers: 'env!="prod"', comment: 'x', duration: '1h' }, field: 'matchers', message: 'at least one matcher must not match the empty string, or the window would cover every alert' },
    { name: 'a bad matcher', body: { matchers: ['env=~"("'], comment: 'x', duration: '1h' }, field: 'matchers[0]', message: expect.stringContaining('does not compile') as unknown as string },
    { name: 'a bad duration', body: { ...base, duration: 'four hours' }, field: 'duration', message: '"four hours" is not a duration; write e.g. 4h, 90m or 1h30m' },
    { name: 'no end', body: { ...base }, field: 'ends_at', message: 'is required: give ends_at or a duration' },
    { name: 'an end in the past', body: { ...base, starts_at: '2026-03-01T00:00:00Z', ends_at: '2026-03-02T00:00:00Z' }, field: 'ends_at', message: "end time can't be in the past" },
    { name: 'an end before the start', body: { ...base, starts_at: '2026-03-10T00:00:00Z', ends_at: '2026-03-09T00:00:00Z' }, field: 'ends_at', message: 'must be after starts_at' },
    { name: 'both duration and ends_at', body: { ...base, duration: '1h', ends_at: '2026-03-09T00:00:00Z' }, field: 'duration', message: 'give a duration (e.g. 4h) or ends_at, not both' },
    { name: 'a bad rule', body: { ...base, rrule: 'FREQ=FORTNIGHTLY', time_zone: 'UTC', start: '02:00', duration: '4h' }, field: 'rrule', message: 'needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY, e.g. FREQ=WEEKLY;BYDAY=SU' },
    { name: 'an unknown zone', body: { ...base, rrule: 'FREQ=WEEKLY;BYDAY=SU', time_zone: 'America/Gotham', start: '02:00', duration: '4h' }, field: 'time_zone', message: '"America/Gotham" is not an IANA time zone; write e.g. America/Chicago or UTC' },
    { name: 'a bad start time', body: { ...base, rrule: 'FREQ=WEEKLY;BYDAY=SU', time_zone: 'UTC', start: '2am', duration: '4h' }, field: 'start', message: '"2am" is not a local time; write HH:MM, e.g. 02:00' },
    { name: 'a rule without its zone', body: { ...base, rrule: 'FREQ=WEEKLY;BYDAY=SU', start: '02:00', duration: '4h' }, field: 'time_zone', message: 'is required with rrule (e.g. America/Chicago)' },
    { name: 'a rule with starts_at', body: { ...base, rrule: 'FREQ=WEEKLY;BYDAY=SU', time_zone: 'UTC', start: '02:00', duration: '4h', starts_at: '2026-03-10T00:00:00Z' }, field: 'starts_at', message: 'a recurring window has rrule, time_zone, start and duration; leave starts_at and ends_at out' },
    { name: 'a rule that never happens', body: { ...base, rrule: 'FREQ=WEEKLY;BYDAY=SU;COUNT=1', time_zone: 'UTC', start: '02:00', duration: '4h', from: '2026-01-01' }, field: 'rrule', message: 'has no occurrence in the coming year; check FREQ, BYDAY, COUNT and UNTIL' },
    { name: 'an unknown field', body: { ...base, duration: '1h', service: 'Checkout API' }, field: 'service', message: 'unknown field' },
  ];

  it.each(cases)('refuses $name, naming the field, and creates nothing', async ({ body, field, message }) => {
    h ??= await Harness.start(kind, { orgFile: 'examples/demo.yaml' });
    for (const url of ['/api/v1/maintenance-windows', '/api/v1/maintenance-windows/preview']) {
      const res = await h.api('POST', url, body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      const err = (res.body as unknown as ApiError).error;
      expect(err.code).toBe('invalid');
      expect(err.field).toBe(field);
      expect(err.message).toEqual(typeof message === 'string' ? `${field}: ${message}` : message);
    }
    expect((await h.api('GET', '/api/v1/maintenance-windows')).body.windows).toEqual([]);
  });

  it('creates a recurring window, shows it, and answers 404 for an unknown one', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/demo.yaml' });
    const res = await h.api('POST', '/api/v1/maintenance-windows', { ...base, name: 'Sunday patching', rrule: 'FREQ=WEEKLY;BYDAY=SU', time_zone: 'America/Chicago', start: '02:00', duration: '4h' });
    expect(res.status).toBe(201);
    const w = res.body.window as Record<string, unknown>;
    expect(w).toMatchObject({
      name: 'Sunday patching',
      managed_by: 'api',
      kind: 'recurring',
      state: 'active',
      rrule: 'FREQ=WEEKLY;BYDAY=SU',
      time_zone: 'America/Chicago',
      start: '02:00',
      duration: '4h',
      from: '2026-03-08',
      schedule: 'every week on Sunday at 02:00 America/Chicago for 4h',
      current: { starts_at: '2026-03-08T08:00:00.000Z', ends_at: '2026-03-08T11:00:00.000Z' },
      created_by: 'test admin',
    });
    const shown = await h.api('GET', `/api/v1/maintenance-windows/${w.id as string}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ window: { id: w.id, held_alerts: 0 }, alerts: [] });
    expect((await h.api('GET', '/api/v1/maintenance-windows/nope')).status).toBe(404);
    expect((await h.api('DELETE', '/api/v1/maintenance-windows/nope')).status).toBe(404);
    expect((await h.api('POST', '/api/v1/maintenance-windows/nope/approve')).status).toBe(403);
  });
});
