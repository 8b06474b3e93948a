import { describe, expect, it } from 'vitest';
import { parseOrgYaml, validateOrg } from './org.js';
import { postmortemsToFile } from './org-postmortems.js';

const base = `
users:
  - name: alice
    email: alice@example.com
`;

describe('postmortems in the organisation file', () => {
  it("reads Clipper's rules (aliases allowed) and deadlines, and writes them back unchanged", () => {
    const c = parseOrgYaml(`${base}
postmortems:
  required_for:
    - severities: [P1]
    - severities: [high]
      lasting_over: 2h
    - class: Security
    - sla_breach: true
  deadlines: { draft: 72h, meeting: 5d }
`);
    expect(c.postmortems).toEqual({
      requiredFor: [{ severities: ['critical'] }, { severities: ['high'], lastingOverMs: 7_200_000 }, { class: 'security' }, { slaBreach: true }],
      deadlines: { initial_report: 86_400_000, draft: 259_200_000, meeting: 432_000_000, action_items_assigned: 1_209_600_000 },
    });
    expect(postmortemsToFile(c.postmortems ?? null)).toEqual({
      postmortems: {
        required_for: [{ severities: ['critical'] }, { severities: ['high'], lasting_over: '2h' }, { class: 'security' }, { sla_breach: true }],
        deadlines: { draft: '3d', meeting: '5d' },
      },
    });
    // Exported and read again: the same policy.
    const again = validateOrg({ users: [{ name: 'alice', email: 'alice@example.com' }], ...postmortemsToFile(c.postmortems ?? null) });
    expect(again.ok && again.config.postmortems).toEqual(c.postmortems);
  });

  it('is absent without the section', () => {
    expect(parseOrgYaml(base).postmortems).toBeNull();
    expect(postmortemsToFile(null)).toEqual({});
  });

  it('names every bad field', () => {
    const v = validateOrg({
      postmortems: { required_for: [{ severities: ['urgent'] }, { lasting_over: 'long' }, {}, { sla_breach: false }], deadlines: { draft: 'soon', retro: '1d' } },
    });
    expect(v.ok).toBe(false);
    const problems = v.ok ? [] : v.problems;
    expect(problems).toEqual([
      { field: 'postmortems.required_for[3].sla_breach', message: 'write sla_breach: true, or leave it out' },
      { field: 'postmortems.deadlines.retro', message: 'unknown field' },
    ]);
    const v2 = validateOrg({ postmortems: { required_for: [{ severities: ['urgent'] }, { lasting_over: 'long' }, {}], deadlines: { draft: 'soon' } } });
    expect(v2.ok ? [] : v2.problems).toEqual([
      expect.objectContaining({ field: 'postmortems.required_for[0].severities[0]' }),
      { field: 'postmortems.required_for[1].lasting_over', message: '"long" is not a duration of at least 1m; write e.g. 2h' },
      { field: 'postmortems.required_for[2]', message: 'give at least one condition: severities, lasting_over, class or sla_breach' },
      { field: 'postmortems.deadlines.draft', message: '"soon" is not a duration from 1m to 90d; write e.g. 48h or 7d' },
    ]);
  });
});
