import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.js';
import { compTimeToFile } from './org-comp-time.js';
import { parseOrgYaml } from './org.js';
import { reviewToFile } from './org-review.js';

const base = `
users:
  - { name: alice, email: alice@example.com }
  - { name: bob, email: bob@example.com }
teams:
  - name: ops
    members: [{ user: alice }, { user: bob }]
`;

const fieldsOf = (yaml: string): string[] => {
  try {
    parseOrgYaml(yaml);
  } catch (err) {
    if (err instanceof AppError) return err.problems.map((p) => p.field);
    throw err;
  }
  return [];
};

describe('review and comp_time.major_incident in the organisation file', () => {
  it('reads the review schedule, with defaults, and writes it back the same', () => {
    const c = parseOrgYaml(`${base}
review: { send: monthly, to: [ops, alice], time_zone: Europe/London }
`);
    expect(c.review).toEqual({ send: 'monthly', to: ['ops', 'alice'], weekday: 1, minuteOfDay: 540, timeZone: 'Europe/London' });
    const file = reviewToFile(c.review ?? null);
    expect(file).toEqual({ review: { send: 'monthly', to: ['ops', 'alice'], day: 'monday', time: '09:00', time_zone: 'Europe/London' } });
    expect(parseOrgYaml(`${base}\nreview: ${JSON.stringify(file.review)}\n`).review).toEqual(c.review);
    expect(parseOrgYaml(`${base}review: { send: weekly, to: [bob], day: friday, time: "16:30" }\n`).review).toMatchObject({ weekday: 5, minuteOfDay: 990, timeZone: 'UTC' });
  });

  it('names each bad field of the review section', () => {
    expect(fieldsOf(`${base}review: { send: daily, to: [ops] }\n`)).toEqual(['review.send']);
    expect(fieldsOf(`${base}review: { send: weekly, to: [ops, nobody], time: "9am", time_zone: Mars/Olympus, day: someday }\n`).sort()).toEqual(['review.day']);
    expect(fieldsOf(`${base}review: { send: weekly, to: [ops, nobody], time: "25:00", time_zone: Mars/Olympus }\n`).sort()).toEqual(['review.time', 'review.time_zone', 'review.to[1]']);
    expect(fieldsOf(`${base}review: { send: weekly, to: [] }\n`)).toEqual(['review.to']);
  });

  it('reads extra days for long major incidents (severity aliases allowed) and round-trips them', () => {
    const c = parseOrgYaml(`${base}
comp_time:
  per_week_on_call: 1
  major_incident: { severities: [p1, high], over: 4h, days: 1 }
`);
    expect(c.compTime).toEqual({ perWeekOnCall: 1, takeWithinMs: 30 * 86_400_000, schedules: null, majorIncident: { severities: ['critical', 'high'], overMs: 4 * 3_600_000, days: 1 } });
    const file = compTimeToFile(c.compTime);
    expect(file).toEqual({ comp_time: { per_week_on_call: 1, major_incident: { severities: ['critical', 'high'], over: '4h', days: 1 } } });
    expect(parseOrgYaml(`${base}\ncomp_time: ${JSON.stringify(file.comp_time)}\n`).compTime).toEqual(c.compTime);
    // Without it, the policy is as before.
    expect(parseOrgYaml(`${base}comp_time: { per_week_on_call: 1 }\n`).compTime).toEqual({ perWeekOnCall: 1, takeWithinMs: 30 * 86_400_000, schedules: null });
  });

  it('names each bad field of major_incident', () => {
    expect(fieldsOf(`${base}comp_time: { per_week_on_call: 1, major_incident: { severities: [critical], over: 4h, days: 0 } }\n`)).toEqual(['comp_time.major_incident.days']);
    expect(fieldsOf(`${base}comp_time: { per_week_on_call: 1, major_incident: { severities: [sev9], over: soon, days: 1 } }\n`).sort()).toEqual(['comp_time.major_incident.over', 'comp_time.major_incident.severities[0]']);
  });
});
