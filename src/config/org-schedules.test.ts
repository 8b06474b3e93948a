import { describe, expect, it } from 'vitest';
import { orgJsonSchema, toPolicySpec, toScheduleLayers, validateOrg } from './org.js';

/** The schedules: section of the organisation file: shape, cross references, layer checks, targets. */
function org() {
  return {
    users: ['alice', 'bob', 'charlie', 'diana'].map((name) => ({ name, email: `${name}@example.com` })),
    teams: [{ name: 'platform', members: [{ user: 'alice' }, { user: 'bob' }] }],
    schedules: [
      {
        name: 'platform-primary',
        team: 'platform',
        role: 'Primary',
        time_zone: 'UTC',
        layers: [
          { name: 'weekly', participants: ['alice', 'charlie', 'bob', 'diana'], turn: '1 week', start: '2026-02-16T00:00' },
          {
            name: 'office-hours',
            participants: ['bob'],
            turn: '2 days',
            start: '2026-02-16T09:00',
            time_zone: 'Europe/London',
            restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }],
          },
        ] as Record<string, unknown>[],
      } as Record<string, unknown>,
    ],
    escalation_policies: [{ name: 'default', levels: [{ targets: [{ schedule: 'platform-primary' }] as Record<string, unknown>[] }] }],
  };
}
type Org = ReturnType<typeof org>;
const layer = (o: Org, i = 0) => (o.schedules[0]!.layers as Record<string, unknown>[])[i]!;

describe('schedules in the organisation file', () => {
  it('accepts a schedule and turns it into layers the maths takes, participants by id', () => {
    const r = validateOrg(org());
    expect(r.ok ? [] : r.problems).toEqual([]);
    if (!r.ok) return;
    const s = r.config.schedules[0]!;
    expect(s).toMatchObject({ name: 'platform-primary', team: 'platform', role: 'primary', timeZone: 'UTC' });
    expect(toScheduleLayers(s, (name) => `id-${name}`)).toEqual([
      { name: 'weekly', participants: ['id-alice', 'id-charlie', 'id-bob', 'id-diana'], turn: { unit: 'week', count: 1 }, start: '2026-02-16T00:00', timeZone: 'UTC' },
      {
        name: 'office-hours',
        participants: ['id-bob'],
        turn: { unit: 'day', count: 2 },
        start: '2026-02-16T09:00',
        timeZone: 'Europe/London',
        restrictions: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' }],
      },
    ]);
    const spec = toPolicySpec(r.config.escalationPolicies[0]!, (kind, name) => `${kind}:${name}`);
    expect(spec.levels[0]?.targets).toEqual([{ kind: 'schedule', id: 'schedule:platform-primary', role: null, severities: null }]);
  });

  it.each<[string, (o: Org) => void, string, string]>([
    ['participant who is not a user', (o) => ((layer(o).participants as string[])[2] = 'zed'), 'schedules[0].layers[0].participants[2]', 'no user named "zed"'],
    ['team that does not exist', (o) => (o.schedules[0]!.team = 'payments'), 'schedules[0].team', 'no team named "payments"'],
    ['turn written another way', (o) => (layer(o).turn = 'weekly'), 'schedules[0].layers[0].turn', 'write the turn length like "1 week", "2 weeks", "12 hours" or "1 day"'],
    ['unknown schedule time zone', (o) => (o.schedules[0]!.time_zone = 'Mars/Base'), 'schedules[0].time_zone', 'unknown time zone "Mars/Base"; use an IANA name such as Europe/London'],
    ['unknown day', (o) => (((layer(o, 1).restrictions as Record<string, unknown>[])[0]!.days as string[])[0] = 'monday'), 'schedules[0].layers[1].restrictions[0].days[0]', 'must be one of mon, tue, wed, thu, fri, sat, sun (got "monday")'],
    ['duplicate layer name', (o) => (layer(o, 1).name = 'weekly'), 'schedules[0].layers[1].name', 'duplicate name "weekly" (also schedules[0].layers[0])'],
    ['duplicate schedule name', (o) => o.schedules.push({ ...o.schedules[0]! }), 'schedules[1].name', 'duplicate name "platform-primary" (also schedules[0])'],
    ['no layers', (o) => (o.schedules[0]!.layers = []), 'schedules[0].layers', 'must list at least 1 entry'],
    ['unknown field in a layer', (o) => (layer(o).handoff = 'monday'), 'schedules[0].layers[0].handoff', 'unknown field'],
    ['target schedule that does not exist', (o) => (o.escalation_policies[0]!.levels[0]!.targets[0]!.schedule = 'secondary'), 'escalation_policies[0].levels[0].targets[0].schedule', 'no schedule named "secondary"; escalation policy "default" targets it'],
    ['target naming a schedule and a user', (o) => (o.escalation_policies[0]!.levels[0]!.targets[0]!.user = 'alice'), 'escalation_policies[0].levels[0].targets[0]', 'name only one of user, team, schedule or channel'],
    ['role on a schedule target', (o) => (o.escalation_policies[0]!.levels[0]!.targets[0]!.role = 'lead'), 'escalation_policies[0].levels[0].targets[0].role', 'only team targets have a role'],
    ['max_shift_hours of 0', (o) => (o.schedules[0]!.max_shift_hours = 0), 'schedules[0].max_shift_hours', 'must be at least 1'],
    ['max_shift_hours not whole', (o) => (o.schedules[0]!.max_shift_hours = 12.5), 'schedules[0].max_shift_hours', 'must be a whole number'],
    ['prefer_different_time_zones not a boolean', (o) => ((o.teams[0] as Record<string, unknown>).prefer_different_time_zones = 'yes'), 'teams[0].prefer_different_time_zones', 'expected boolean, got text'],
  ])('%s', (_title, breakIt, field, message) => {
    const o = org();
    breakIt(o);
    const r = validateOrg(o);
    expect(r.ok ? [] : r.problems).toEqual([{ field, message }]);
  });

  it('reads the lint settings: max_shift_hours on a schedule, prefer_different_time_zones on a team', () => {
    const plain = validateOrg(org());
    expect(plain.ok && [plain.config.schedules[0]?.maxShiftHours, plain.config.teams[0]?.preferDifferentTimeZones]).toEqual([null, false]);
    const o = org();
    o.schedules[0]!.max_shift_hours = 168;
    (o.teams[0] as Record<string, unknown>).prefer_different_time_zones = true;
    const r = validateOrg(o);
    expect(r.ok && [r.config.schedules[0]?.maxShiftHours, r.config.teams[0]?.preferDifferentTimeZones]).toEqual([168, true]);
  });

  it('maps the maths’ layer problems to paths in the file', () => {
    const o = org();
    layer(o).start = 'next monday';
    layer(o, 1).time_zone = 'Mars/Base';
    const r = validateOrg(o);
    const problems = r.ok ? [] : r.problems;
    expect(problems.map((p) => p.field)).toEqual(['schedules[0].layers[0].start', 'schedules[0].layers[1].time_zone']);
    expect(problems[1]?.message).toMatch(/Mars\/Base/);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(5);
  });

  it('reports a turn out of range at the turn', () => {
    const o = org();
    layer(o).turn = '53 weeks';
    const r = validateOrg(o);
    expect((r.ok ? [] : r.problems).map((p) => p.field)).toEqual(['schedules[0].layers[0].turn']);
  });

  it('is in the JSON Schema for editors', () => {
    const schema = orgJsonSchema() as { properties: Record<string, { anyOf?: { items?: { properties?: Record<string, unknown> } }[] }> };
    const text = JSON.stringify(schema.properties.schedules);
    expect(text).toContain('"layers"');
    expect(text).toContain('"participants"');
    expect(text).toContain('"restrictions"');
  });
});
