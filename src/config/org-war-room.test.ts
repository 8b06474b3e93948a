import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseOrgYaml, validateOrg } from './org.js';
import { incidentPolicyToFile } from './org-incidents.js';

const base = `
users:
  - name: carol
    email: carol@example.com
teams:
  - name: customer-success
    members: [{ user: carol }]
`;

describe('incident_policy war_room and stakeholders in the organisation file', () => {
  it('reads the war room prompt and stakeholder rules (aliases allowed) and writes them back unchanged', () => {
    const c = parseOrgYaml(`${base}
incident_policy:
  war_room: { after: 30m, severities: [P1] }
  stakeholders:
    - name: customer-success
      severities: [critical, P2]
      within: 30m
      notify: [{ team: customer-success }, { user: carol }, { channel: "#cs-incidents" }]
    - name: execs
      severities: [critical]
      notify: [{ channel: C0EXECS001 }]
`);
    expect(c.incidentPolicy).toMatchObject({
      warRoom: { after: 30 * 60_000, severities: ['critical'] },
      stakeholders: [
        { name: 'customer-success', severities: ['critical', 'high'], within: 30 * 60_000, notify: [{ team: 'customer-success' }, { user: 'carol' }, { channel: '#cs-incidents' }] },
        { name: 'execs', severities: ['critical'], within: null, notify: [{ channel: 'C0EXECS001' }] },
      ],
    });
    const file = incidentPolicyToFile(c.incidentPolicy);
    expect(file.incident_policy).toMatchObject({
      war_room: { after: '30m', severities: ['critical'] },
      stakeholders: [
        { name: 'customer-success', severities: ['critical', 'high'], within: '30m', notify: [{ team: 'customer-success' }, { user: 'carol' }, { channel: '#cs-incidents' }] },
        { name: 'execs', severities: ['critical'], notify: [{ channel: 'C0EXECS001' }] },
      ],
    });
    // Round trip: the exported section reads back to the same policy.
    const again = validateOrg({ ...(parseYaml(base) as Record<string, unknown>), incident_policy: file.incident_policy });
    expect(again.ok && again.config.incidentPolicy).toEqual(c.incidentPolicy);
  });

  it('leaves both out when not configured', () => {
    const c = parseOrgYaml(`${base}\nincident_policy:\n  commander_required_for: [critical]\n`);
    expect(c.incidentPolicy).not.toHaveProperty('warRoom');
    expect(c.incidentPolicy).not.toHaveProperty('stakeholders');
    expect(incidentPolicyToFile(c.incidentPolicy).incident_policy).not.toHaveProperty('war_room');
  });

  it('names each bad field', () => {
    const v = validateOrg({
      users: [{ name: 'carol', email: 'carol@example.com' }],
      incident_policy: {
        war_room: { after: 'soon', severities: ['urgent'] },
        stakeholders: [
          { name: 'cs', severities: ['high'], within: '2d', notify: [{ team: 'nobody' }, { user: 'zed' }, { channel: 'cs incidents' }] },
          { name: 'cs', severities: ['high'], notify: [{ user: 'carol' }] },
        ],
      },
    });
    expect(v.ok ? [] : v.problems).toEqual(
      expect.arrayContaining([
        { field: 'incident_policy.war_room.after', message: '"soon" is not a duration from 1m to 24h; write e.g. 15m, 30m or 1h' },
        expect.objectContaining({ field: 'incident_policy.war_room.severities[0]' }),
        { field: 'incident_policy.stakeholders[0].within', message: '"2d" is not a duration from 1m to 24h; write e.g. 15m, 30m or 1h' },
        { field: 'incident_policy.stakeholders[0].notify[0].team', message: 'no team named "nobody" in teams' },
        { field: 'incident_policy.stakeholders[0].notify[1].user', message: 'no user named "zed" in users' },
        { field: 'incident_policy.stakeholders[0].notify[2].channel', message: '"cs incidents" is not a Slack channel; write "#name" (lowercase) or a channel ID such as C0123ABCD' },
        { field: 'incident_policy.stakeholders[1].name', message: 'duplicate name "cs" (also incident_policy.stakeholders[0])' },
      ]),
    );
    const w = validateOrg({ incident_policy: { stakeholders: [{ name: 'cs', severities: ['high'], notify: [{ email: 'x@example.com' }] }] } });
    expect(w.ok ? [] : w.problems.map((p) => p.field)).toEqual([expect.stringMatching(/^incident_policy\.stakeholders\[0\]\.notify\[0\]/)]);
  });
});
