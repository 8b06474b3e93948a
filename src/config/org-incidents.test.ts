import { describe, expect, it } from 'vitest';
import { parseOrgYaml, validateOrg } from './org.js';
import { incidentPolicyToFile } from './org-incidents.js';

const base = `
users:
  - name: alice
    email: alice@example.com
`;

describe('incident_policy in the organisation file', () => {
  it('reads cadences by severity (aliases allowed), the commander rule and role names', () => {
    const c = parseOrgYaml(`${base}
incident_policy:
  update_every: { P1: 15m, high: 30m, medium: 1h }
  commander_required_for: [critical]
  roles:
    commander: { page: true }
    comms_lead: { name: Comms }
`);
    expect(c.incidentPolicy).toEqual({
      updateEvery: { critical: 15 * 60_000, high: 30 * 60_000, medium: 60 * 60_000 },
      commanderRequiredFor: ['critical'],
      roles: {
        commander: { name: 'Incident Commander', page: true },
        ops_lead: { name: 'Ops Lead', page: false },
        comms_lead: { name: 'Comms', page: false },
        sme: { name: 'Subject-matter expert', page: false },
      },
    });
    expect(incidentPolicyToFile(c.incidentPolicy)).toEqual({
      incident_policy: { update_every: { critical: '15m', high: '30m', medium: '1h' }, commander_required_for: ['critical'], roles: { commander: { page: true }, comms_lead: { name: 'Comms' } } },
    });
  });

  it('is null without the section', () => {
    expect(parseOrgYaml(base).incidentPolicy).toBeNull();
    expect(incidentPolicyToFile(null)).toEqual({});
  });

  it('names each bad field', () => {
    const v = validateOrg({
      incident_policy: { update_every: { critical: 'soon', p9: '15m' }, commander_required_for: ['urgent'], roles: { scribe: { name: 'x' } } },
    });
    expect(v.ok).toBe(false);
    const fields = v.ok ? [] : v.problems.map((p) => p.field);
    expect(fields).toContain('incident_policy.roles.scribe');
    const v2 = validateOrg({ incident_policy: { update_every: { critical: 'soon', p9: '15m' }, commander_required_for: ['urgent'] } });
    expect(v2.ok ? [] : v2.problems).toEqual(
      expect.arrayContaining([
        { field: 'incident_policy.update_every.critical', message: '"soon" is not a duration from 1m to 24h; write e.g. 15m, 30m or 1h' },
        expect.objectContaining({ field: 'incident_policy.update_every.p9' }),
        expect.objectContaining({ field: 'incident_policy.commander_required_for[0]' }),
      ]),
    );
  });
});
