import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseOrgYaml, validateOrg } from './org.js';
import { incidentPolicyToFile } from './org-incidents.js';

const MIN = 60_000;
const base = `
users:
  - name: alice
    email: alice@example.com
  - name: carol
    email: carol@example.com
teams:
  - name: leadership
    members: [{ user: carol, role: vp }]
schedules:
  - name: secondary
    time_zone: UTC
    layers:
      - name: weekly
        participants: [alice]
        turn: 1 week
        start: "2026-03-02T00:00"
`;

describe('incident_policy SLA keys in the organisation file', () => {
  it('reads targets per severity (aliases allowed), the at-risk share and breach actions, and exports them back unchanged', () => {
    const c = parseOrgYaml(`${base}
incident_policy:
  sla:
    P1: { acknowledge: 5m, first_update: 15m, resolve: 1h }
    high: { resolve: 4h }
  sla_at_risk: 0.75
  breach_actions:
    - clock: acknowledge
      severities: [P1]
      page: [{ schedule: secondary }]
    - clock: resolve
      notify: [{ team: leadership, role: VP }, { user: alice }]
      require_postmortem: true
`);
    expect(c.incidentPolicy?.sla).toEqual({
      targets: { critical: { acknowledge: 5 * MIN, first_update: 15 * MIN, resolve: 60 * MIN }, high: { resolve: 240 * MIN } },
      atRisk: 0.75,
      breachActions: [
        { clock: 'acknowledge', severities: ['critical'], page: [{ schedule: 'secondary' }], notify: [], requirePostmortem: false },
        { clock: 'resolve', severities: null, page: [], notify: [{ team: 'leadership', role: 'vp' }, { user: 'alice' }], requirePostmortem: true },
      ],
    });
    const file = incidentPolicyToFile(c.incidentPolicy).incident_policy!;
    expect(file).toMatchObject({
      sla: { critical: { acknowledge: '5m', first_update: '15m', resolve: '1h' }, high: { resolve: '4h' } },
      sla_at_risk: 0.75,
      breach_actions: [
        { clock: 'acknowledge', severities: ['critical'], page: [{ schedule: 'secondary' }] },
        { clock: 'resolve', notify: [{ team: 'leadership', role: 'vp' }, { user: 'alice' }], require_postmortem: true },
      ],
    });
    // Round trip: the exported section reads back to the same policy.
    const again = validateOrg({ ...(parseYaml(base) as object), incident_policy: file });
    expect(again.ok && again.config.incidentPolicy?.sla).toEqual(c.incidentPolicy?.sla);
  });

  it('leaves the default at-risk share out of the export, and has no sla without the keys', () => {
    const c = parseOrgYaml(`${base}
incident_policy:
  sla: { critical: { acknowledge: 5m } }
`);
    expect(c.incidentPolicy?.sla?.atRisk).toBe(0.8);
    expect(incidentPolicyToFile(c.incidentPolicy).incident_policy).not.toHaveProperty('sla_at_risk');
    expect(parseOrgYaml(`${base}\nincident_policy: { update_every: { critical: 15m } }\n`).incidentPolicy?.sla).toBeUndefined();
  });

  it("reads DeltaCrown's MTTR breach consequences from its handbook file", () => {
    const c = parseOrgYaml(fs.readFileSync('examples/handbooks/deltacrown.yaml', 'utf8'));
    expect(c.incidentPolicy?.sla).toEqual({
      targets: { critical: { acknowledge: 5 * MIN, resolve: 15 * MIN }, high: { acknowledge: 15 * MIN, resolve: 30 * MIN }, warning: { acknowledge: 30 * MIN, resolve: 60 * MIN } },
      atRisk: 0.8,
      breachActions: [
        { clock: 'resolve', severities: ['critical'], page: [], notify: [{ user: 'eng-manager' }], requirePostmortem: true },
        { clock: 'resolve', severities: ['high'], page: [], notify: [], requirePostmortem: true },
      ],
    });
  });

  it('names each bad field', () => {
    const v = validateOrg({
      ...(parseYaml(base) as object),
      incident_policy: {
        sla: { critical: { acknowledge: 'soon', resolve: '90d' }, p9: { resolve: '1h' }, high: {} },
        breach_actions: [
          { clock: 'resolve', page: [{ schedule: 'nobody-schedule' }, { user: 'alice', team: 'leadership' }], notify: [{ user: 'zed' }, { user: 'alice', role: 'vp' }] },
          { clock: 'acknowledge' },
        ],
      },
    });
    expect(v.ok).toBe(false);
    const problems = v.ok ? [] : v.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'incident_policy.sla.critical.acknowledge', message: '"soon" is not a duration from 1m to 30d; write e.g. 5m, 1h or 4h' },
        { field: 'incident_policy.sla.critical.resolve', message: '"90d" is not a duration from 1m to 30d; write e.g. 5m, 1h or 4h' },
        expect.objectContaining({ field: 'incident_policy.sla.p9' }),
        { field: 'incident_policy.sla.high', message: 'give acknowledge, first_update or resolve, e.g. { acknowledge: 5m, resolve: 1h }' },
        { field: 'incident_policy.breach_actions[0].page[0].schedule', message: 'no schedule named "nobody-schedule"' },
        { field: 'incident_policy.breach_actions[0].page[1]', message: 'give exactly one of user, team or schedule, e.g. { schedule: secondary }' },
        { field: 'incident_policy.breach_actions[0].notify[0].user', message: 'no user named "zed"' },
        { field: 'incident_policy.breach_actions[0].notify[1].role', message: 'only a team target has a role' },
        { field: 'incident_policy.breach_actions[1]', message: 'does nothing: give page, notify or require_postmortem: true' },
      ]),
    );
    const w = validateOrg({ incident_policy: { sla: { critical: { acknowledge: '5m' } }, breach_actions: [{ clock: 'severity', require_postmortem: true }] } });
    expect(w.ok ? [] : w.problems).toEqual([{ field: 'incident_policy.breach_actions[0].clock', message: 'use one of acknowledge, first_update, resolve, any' }]);
  });

  it('refuses breach actions without targets and an at-risk share outside 0..1', () => {
    const v = validateOrg({ incident_policy: { sla_at_risk: 1.5, breach_actions: [{ clock: 'any', require_postmortem: true }] } });
    expect(v.ok ? [] : v.problems).toEqual(
      expect.arrayContaining([{ field: 'incident_policy.sla_at_risk', message: 'must be a share of the target between 0 and 1, e.g. 0.8' }]),
    );
    const w = validateOrg({ incident_policy: { breach_actions: [{ clock: 'any', require_postmortem: true }] } });
    expect(w.ok ? [] : w.problems).toEqual([{ field: 'incident_policy.breach_actions', message: 'no clock can breach: add sla targets, e.g. sla: { critical: { acknowledge: 5m } }' }]);
  });
});

