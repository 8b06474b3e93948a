import YAML from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { PLATFORM_YAML } from '../helpers/platform-org.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Schedules through /api/v1: CRUD on the organisation's path, shifts, overrides, swaps, who is on
 * call, "my shifts"; bad input answered with the field and nothing changed; roles; the audit log.
 * The clock starts Sunday 2026-03-08 08:00 UTC (who is on call: test/helpers/platform-org.ts).
 */
interface ApiErr {
  error: { code: string; message: string; field?: string; problems?: { field: string; message: string }[] };
}
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(storeKinds)('schedules API on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const errorOf = (res: { body: Record<string, unknown> }) => (res.body as unknown as ApiErr).error;
  const at = (offsetMs: number) => new Date(h.clock.now() + offsetMs).toISOString();
  const tokenFor = async (role: string, user?: string) => ((await h.api('POST', '/api/v1/tokens', { name: `${role} token`, role, ...(user ? { user } : {}) })).body as { token: string }).token;
  const state = async () => ({
    config: (await h.api('GET', '/api/v1/config')).body,
    schedule: (await h.api('GET', '/api/v1/schedules/platform-primary')).body,
    audit: ((await h.api('GET', '/api/v1/audit?limit=1000')).body.entries as unknown[]).length,
  });

  it('creates, reads, replaces and deletes a schedule through the organisation path, keeping its id and overrides across edits', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const manager = await tokenFor('manager', 'alice');
    const asManager = async (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => h.api(method, url, payload, manager);
    const body = { name: 'db-primary', team: 'platform', role: 'primary', time_zone: 'Europe/London', layers: [{ name: 'days', participants: ['alice', 'bob'], turn: '1 day', start: '2026-03-01T09:00' }] };
    const created = await asManager('POST', '/api/v1/schedules', body);
    expect(created.status).toBe(201);
    expect(created.body.changes).toEqual([{ action: 'create', kind: 'schedule', name: 'db-primary' }]);

    // 2026-03-08 08:00 UTC is 08:00 in London, before the 09:00 handoff: turn 6 (from 03-07 09:00) is alice's.
    const one = await h.api('GET', '/api/v1/schedules/db-primary');
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ ...body, on_call_now: { user: 'alice', until: '2026-03-08T09:00:00.000Z' }, overrides: [] });

    const o = await h.api('POST', '/api/v1/schedules/db-primary/overrides', { start: at(DAY), end: at(2 * DAY), user: 'erin' });
    expect(o.status).toBe(201);
    const overrideId = (o.body.override as { id: string }).id;

    // PUT what GET served, edited: the read-only fields are dropped, the override survives.
    const edited = { ...(one.body as Record<string, unknown>), layers: [{ ...body.layers[0], participants: ['bob', 'alice'] }] };
    const replaced = await asManager('PUT', '/api/v1/schedules/db-primary', edited);
    expect(replaced.status).toBe(200);
    expect(replaced.body.changes).toEqual([{ action: 'update', kind: 'schedule', name: 'db-primary' }]);
    const after = (await h.api('GET', '/api/v1/schedules/db-primary')).body as { on_call_now: { user: string }; overrides: { id: string; user: string }[] };
    expect(after.on_call_now.user).toBe('bob');
    expect(after.overrides.map((x) => [x.id, x.user])).toEqual([[overrideId, 'erin']]);

    expect((await asManager('DELETE', '/api/v1/schedules/db-primary')).body).toEqual({ changes: [{ action: 'delete', kind: 'schedule', name: 'db-primary' }] });
    expect((await h.api('GET', '/api/v1/schedules/db-primary')).status).toBe(404);

    const entries = ((await h.api('GET', '/api/v1/audit?limit=1000')).body.entries as { action: string; actor: { name: string }; entity: { name: string } }[]).filter((e) => e.entity.name === 'db-primary');
    expect(entries.map((e) => e.action)).toEqual(['schedule.delete', 'schedule.update', 'schedule_override.create', 'schedule.create']);
    expect(entries.filter((e) => e.action !== 'schedule_override.create').every((e) => e.actor.name === 'alice')).toBe(true);
  });

  it('refuses a schedule with a participant who is not a user, and one a policy targets from being deleted, naming both, changing nothing', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const before = await state();
    const bad = await h.api('POST', '/api/v1/schedules', { name: 'x', layers: [{ name: 'l', participants: ['alice', 'zed'], turn: '1 week', start: '2026-03-02T00:00' }] });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).problems).toEqual([{ field: 'layers[0].participants[1]', message: 'no user named "zed"' }]);
    const badStart = await h.api('POST', '/api/v1/schedules', { name: 'x', layers: [{ name: 'l', participants: ['alice'], turn: '1 week', start: 'monday' }] });
    expect(badStart.status).toBe(400);
    expect(errorOf(badStart).problems?.[0]?.field).toBe('layers[0].start');
    const inUse = await h.api('DELETE', '/api/v1/schedules/platform-primary');
    expect(inUse.status).toBe(400);
    expect(errorOf(inUse).problems).toEqual([{ field: 'escalation_policies[0].levels[0].targets[0].schedule', message: 'no schedule named "platform-primary"; escalation policy "platform" targets it' }]);
    expect(await state()).toEqual(before);
  });

  it('exports schedules in the file format, and applying the export changes nothing', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const exported = await h.app.http.inject({ method: 'GET', url: '/api/v1/config?format=yaml', headers: { authorization: `Bearer ${h.adminToken}` } });
    const file = YAML.parse(exported.body) as { schedules: Record<string, unknown>[]; escalation_policies: { levels: { targets: unknown[] }[] }[] };
    expect(file.schedules.find((s) => s.name === 'office-hours')).toEqual({
      name: 'office-hours',
      time_zone: 'UTC',
      layers: [{ name: 'weekdays', participants: ['diana'], turn: '1 week', start: '2026-02-16T00:00', restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }] }],
    });
    expect(file.escalation_policies[0]?.levels[0]?.targets).toEqual([{ schedule: 'platform-primary' }]);
    const again = await h.api('POST', '/api/v1/config/apply', { yaml: exported.body });
    expect(again.status).toBe(200);
    expect(again.body.changes).toEqual([]);
  });

  it('lists the final shifts, each layer’s and the overrides over a range, with names and ISO times', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    await h.api('POST', '/api/v1/schedules/platform-primary/overrides', { start: '2026-03-10T00:00Z', end: '2026-03-11T00:00Z', user: 'erin', replaces: 'diana', note: 'dentist' });
    const res = await h.api('GET', '/api/v1/schedules/platform-primary/shifts?from=2026-03-08T00:00Z&to=2026-03-16T00:00Z');
    expect(res.status).toBe(200);
    const b = res.body as { final: { start: string; end: string; user: string; source: string }[]; layers: { name: string; shifts: { user: string; start: string }[] }[]; overrides: { user: string; replaces: string; note: string }[] };
    // Whole shifts: bob's week began on 03-02, before the range asked for.
    expect(b.final.map((s) => [s.start, s.end, s.user, s.source])).toEqual([
      ['2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z', 'bob', 'weekly'],
      ['2026-03-09T00:00:00.000Z', '2026-03-10T00:00:00.000Z', 'diana', 'weekly'],
      ['2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', 'erin', 'override'],
      ['2026-03-11T00:00:00.000Z', '2026-03-16T00:00:00.000Z', 'diana', 'weekly'],
    ]);
    expect(b.layers.map((l) => [l.name, l.shifts.map((s) => `${s.user} ${s.start.slice(0, 10)}`)])).toEqual([['weekly', ['bob 2026-03-02', 'diana 2026-03-09']]]);
    expect(b.overrides).toMatchObject([{ user: 'erin', replaces: 'diana', note: 'dentist', created_by: { kind: 'token', name: 'test admin' } }]);

    const tooLong = await h.api('GET', '/api/v1/schedules/platform-primary/shifts?from=2026-03-08T00:00Z&to=2027-03-10T00:00Z');
    expect(tooLong.status).toBe(400);
    expect(errorOf(tooLong).field).toBe('to');
    const noZone = await h.api('GET', '/api/v1/schedules/platform-primary/shifts?from=2026-03-08T00:00');
    expect(noZone.status).toBe(400);
    expect(errorOf(noZone).field).toBe('from');
    expect((await h.api('GET', '/api/v1/schedules/nope/shifts')).status).toBe(404);
  });

  it('adds and removes overrides as a responder, on the audit log, announcing config.changed; refuses bad input naming the field', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const responder = await tokenFor('responder', 'charlie');
    const viewer = await tokenFor('viewer');
    const before = await state();
    const refused: [unknown, string][] = [
      [{ start: at(HOUR), end: at(0), user: 'erin' }, 'end'],
      [{ start: at(-2 * HOUR), end: at(-HOUR), user: 'erin' }, 'end'],
      [{ start: at(0), end: at(HOUR), user: 'zed' }, 'user'],
      [{ start: at(0), end: at(HOUR), user: 'erin', replaces: 'zed' }, 'replaces'],
      [{ start: 'tomorrow', end: at(HOUR), user: 'erin' }, 'start'],
      [{ start: at(0), end: at(HOUR) }, 'user'],
      [{ start: at(0), end: at(HOUR), user: 'erin', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of refused) {
      const res = await h.api('POST', '/api/v1/schedules/platform-primary/overrides', body, responder);
      expect({ status: res.status, field: errorOf(res).field }).toEqual({ status: 400, field });
    }
    const forbidden = await h.api('POST', '/api/v1/schedules/platform-primary/overrides', { start: at(0), end: at(HOUR), user: 'erin' }, viewer);
    expect(forbidden.status).toBe(403);
    const notManager = await h.api('DELETE', '/api/v1/schedules/office-hours', undefined, responder);
    expect(notManager.status).toBe(403);
    expect(await state()).toEqual(before);

    const changes: string[] = [];
    h.app.ctx.bus.on('change', (e) => changes.push(e.type));
    const added = await h.api('POST', '/api/v1/schedules/platform-primary/overrides', { start: at(0), end: at(HOUR), user: 'erin' }, responder);
    expect(added.status).toBe(201);
    const id = (added.body.override as { id: string }).id;
    expect((await h.api('GET', '/api/v1/schedules/platform-primary')).body.on_call_now).toEqual({ user: 'erin', until: at(HOUR) });
    expect((await h.api('DELETE', `/api/v1/schedules/platform-primary/overrides/${id}`, undefined, responder)).body).toEqual({ deleted: id });
    expect((await h.api('DELETE', `/api/v1/schedules/platform-primary/overrides/${id}`, undefined, responder)).status).toBe(404);
    expect(((await h.api('GET', '/api/v1/schedules/platform-primary')).body.on_call_now as { user: string }).user).toBe('bob');
    expect(changes).toEqual(['config.changed', 'config.changed']);
    const audit = ((await h.api('GET', '/api/v1/audit?limit=5')).body.entries as { action: string; actor: { name: string }; surface: string; entity: { kind: string; name: string }; detail: { user: string } }[]).slice(0, 2);
    expect(audit.map((e) => [e.action, e.actor.name, e.entity.kind, e.entity.name, e.detail.user])).toEqual([
      ['schedule_override.delete', 'charlie', 'schedule', 'platform-primary', 'erin'],
      ['schedule_override.create', 'charlie', 'schedule', 'platform-primary', 'erin'],
    ]);
  });

  it('swaps two people’s weeks with two overrides in one go, and refuses a half that is not theirs', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    // bob has the week of 03-02 (until 03-09), diana the week of 03-09.
    const a = { user: 'bob', start: '2026-03-08T12:00Z', end: '2026-03-09T00:00Z' };
    const b = { user: 'diana', start: '2026-03-09T00:00Z', end: '2026-03-10T00:00Z' };
    const before = await state();
    const wrong = await h.api('POST', '/api/v1/schedules/platform-primary/swaps', { a, b: { ...b, user: 'alice' } });
    expect(wrong.status).toBe(400);
    expect(errorOf(wrong).field).toBe('b.user');
    expect(errorOf(wrong).message).toMatch(/alice is not on call in schedule "platform-primary"/);
    const badEnd = await h.api('POST', '/api/v1/schedules/platform-primary/swaps', { a, b: { ...b, end: b.start } });
    expect(errorOf(badEnd).field).toBe('b.end');
    expect(await state()).toEqual(before);

    const swapped = await h.api('POST', '/api/v1/schedules/platform-primary/swaps', { a, b, note: 'trading days' });
    expect(swapped.status).toBe(201);
    expect((swapped.body.overrides as { user: string; replaces: string }[]).map((o) => [o.user, o.replaces])).toEqual([['diana', 'bob'], ['bob', 'diana']]);
    const shifts = (await h.api('GET', '/api/v1/schedules/platform-primary/shifts?from=2026-03-08T00:00Z&to=2026-03-11T00:00Z')).body.final as { start: string; user: string }[];
    expect(shifts.map((s) => [s.start, s.user])).toEqual([
      ['2026-03-02T00:00:00.000Z', 'bob'],
      ['2026-03-08T12:00:00.000Z', 'diana'],
      ['2026-03-09T00:00:00.000Z', 'bob'],
      ['2026-03-10T00:00:00.000Z', 'diana'],
    ]);
    expect(((await h.api('GET', '/api/v1/audit?limit=1')).body.entries as { action: string }[])[0]?.action).toBe('schedule_override.swap');
  });

  it('tells who is on call in every schedule or a team’s at an instant, and one person’s shifts', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const now = await h.api('GET', '/api/v1/oncall');
    expect(now.body).toEqual({
      at: '2026-03-08T08:00:00.000Z',
      oncall: [
        { schedule: 'office-hours', team: null, role: null, user: null, until: '2026-03-09T09:00:00.000Z' },
        { schedule: 'platform-primary', team: 'platform', role: 'primary', user: 'bob', until: '2026-03-09T00:00:00.000Z' },
        { schedule: 'platform-shadow', team: 'platform', role: 'shadow', user: 'alice', until: '2026-03-09T00:00:00.000Z' },
      ],
    });
    const later = await h.api('GET', '/api/v1/oncall?team=platform&at=2026-03-10T10:00Z');
    expect((later.body.oncall as { schedule: string; user: string }[]).map((x) => [x.schedule, x.user])).toEqual([
      ['platform-primary', 'diana'],
      ['platform-shadow', 'bob'],
    ]);
    const noTeam = await h.api('GET', '/api/v1/oncall?team=nope');
    expect({ status: noTeam.status, field: errorOf(noTeam).field }).toEqual({ status: 400, field: 'team' });

    const mine = await h.api('GET', '/api/v1/users/diana/shifts?from=2026-03-09T00:00Z&to=2026-03-11T00:00Z');
    expect(mine.status).toBe(200);
    expect((mine.body.shifts as { schedule: string; start: string; end: string }[]).map((s) => [s.schedule, s.start, s.end])).toEqual([
      ['platform-primary', '2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z'],
      ['office-hours', '2026-03-09T09:00:00.000Z', '2026-03-09T17:00:00.000Z'],
      ['office-hours', '2026-03-10T09:00:00.000Z', '2026-03-10T17:00:00.000Z'],
    ]);
    expect((await h.api('GET', '/api/v1/users/zed/shifts')).status).toBe(404);
  });

  it('lints the schedules: conflicts, gaps, weeks checked, and the lint settings round-trip through apply and export', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const viewer = await tokenFor('viewer');
    type Finding = { kind: string; schedule: string; other?: string; user?: string; start: string; end: string; message: string };
    const lint = async (query: string) => {
      const res = await h.api('GET', `/api/v1/schedules/lint${query}`, undefined, viewer);
      expect(res.status).toBe(200);
      return res.body as { from: string; to: string; findings: Finding[] };
    };
    const brief = (f: Finding) => `${f.kind} ${f.schedule}${f.other ? `+${f.other}` : ''} ${f.user ?? '-'} ${f.start.slice(5, 16)}→${f.end.slice(5, 16)}`;

    // diana is primary from Monday and works office hours (no team) on weekdays: a conflict a day.
    const team = await lint('?weeks=1&team=platform');
    expect({ from: team.from, to: team.to }).toEqual({ from: '2026-03-08T08:00:00.000Z', to: '2026-03-15T08:00:00.000Z' });
    expect(team.findings.map(brief)).toEqual(['09', '10', '11', '12', '13'].map((d) => `conflict office-hours+platform-primary diana 03-${d}T09:00→03-${d}T17:00`));
    expect(team.findings[0]?.message).toBe('diana is on call in office-hours (no team) and platform-primary (team platform) at once Mon 9 Mar 09:00 – 17:00 UTC (8 h)');
    // Every schedule: office hours' nights and weekend are gaps too.
    const all = await lint('?weeks=1');
    expect(all.findings.filter((f) => f.kind === 'gap').map(brief)).toEqual([
      'gap office-hours - 03-08T08:00→03-09T09:00',
      'gap office-hours - 03-09T17:00→03-10T09:00',
      'gap office-hours - 03-10T17:00→03-11T09:00',
      'gap office-hours - 03-11T17:00→03-12T09:00',
      'gap office-hours - 03-12T17:00→03-13T09:00',
      'gap office-hours - 03-13T17:00→03-15T08:00',
    ]);
    expect((await lint('')).to).toBe('2026-04-05T08:00:00.000Z');

    for (const q of ['?weeks=0', '?weeks=27', '?weeks=two', '?weeks=1.5']) {
      const bad = await h.api('GET', `/api/v1/schedules/lint${q}`);
      expect({ q, status: bad.status, field: errorOf(bad).field, message: errorOf(bad).message }).toEqual({ q, status: 400, field: 'weeks', message: expect.stringMatching(/from 1 to 26/) as unknown as string });
    }
    const noTeam = await h.api('GET', '/api/v1/schedules/lint?team=nope');
    expect({ status: noTeam.status, field: errorOf(noTeam).field }).toEqual({ status: 400, field: 'team' });

    // The settings: everyone is in UTC (the default), so primary and shadow always share a zone.
    const doc = YAML.parse(PLATFORM_YAML) as { teams: Record<string, unknown>[]; schedules: Record<string, unknown>[] };
    (doc.teams[0] as Record<string, unknown>).prefer_different_time_zones = true;
    (doc.schedules.find((x) => x.name === 'platform-primary') as Record<string, unknown>).max_shift_hours = 72;
    const applied = await h.api('POST', '/api/v1/config/apply', { yaml: YAML.stringify(doc) });
    expect(applied.body.changes).toEqual([
      { action: 'update', kind: 'team', name: 'platform' },
      { action: 'update', kind: 'schedule', name: 'platform-primary' },
    ]);
    const exported = (await h.api('GET', '/api/v1/config')).body as { teams: Record<string, unknown>[]; schedules: Record<string, unknown>[] };
    expect(exported.teams[0]?.prefer_different_time_zones).toBe(true);
    expect(exported.schedules.map((x) => [x.name, x.max_shift_hours])).toEqual([
      ['office-hours', undefined],
      ['platform-primary', 72],
      ['platform-shadow', undefined],
    ]);
    // Applying what was exported changes nothing.
    expect((await h.api('POST', '/api/v1/config/apply', { yaml: YAML.stringify(exported) })).body.changes).toEqual([]);

    // diana also shadows on Tuesday: double-booked, which splits the same-zone range around it.
    expect((await h.api('POST', '/api/v1/schedules/platform-shadow/overrides', { start: '2026-03-10T00:00Z', end: '2026-03-11T00:00Z', user: 'diana' })).status).toBe(201);
    const now = await lint('?weeks=1&team=platform');
    expect(now.findings.filter((f) => f.kind !== 'conflict').map(brief)).toEqual([
      'long_shift platform-primary bob 03-02T00:00→03-09T00:00',
      'same_time_zone platform-primary+platform-shadow - 03-08T08:00→03-10T00:00',
      'long_shift platform-primary diana 03-09T00:00→03-16T00:00',
      'double_booked platform-primary+platform-shadow diana 03-10T00:00→03-11T00:00',
      'same_time_zone platform-primary+platform-shadow - 03-11T00:00→03-15T08:00',
    ]);
    expect(now.findings.find((f) => f.kind === 'double_booked')?.message).toBe(
      'diana is on call in both platform-primary and platform-shadow Tue 10 Mar 00:00 – Wed 11 Mar 00:00 UTC (24 h); nobody backs them up',
    );
    expect(now.findings.find((f) => f.kind === 'long_shift')?.message).toBe('bob is on call in platform-primary for 7 d at a stretch, Mon 2 Mar 00:00 – Mon 9 Mar 00:00 UTC; the limit is 72 h');
  });
});
