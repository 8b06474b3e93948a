import { describe, expect, it } from 'vitest';
import { loadOrgSources } from './org-files.js';

const USERS = 'users:\n  - { name: alice, email: alice@example.com }\n';
const POLICY = 'escalation_policies:\n  - name: default\n    levels:\n      - targets: [{ user: alice }]\n';

describe('an organisation in a folder of files', () => {
  it('joins the lists of its files into one organisation', () => {
    const load = loadOrgSources(
      [
        { file: 'a.yaml', text: USERS },
        { file: 'b.yaml', text: `${POLICY}services:\n  - { name: API, escalation_policy: default }\n` },
        { file: 'empty.yaml', text: '# nothing yet\n' },
      ],
      true,
    );
    expect(load.ok).toBe(true);
    if (!load.ok) return;
    expect(load.config.users.map((u) => u.name)).toEqual(['alice']);
    expect(load.config.services.map((s) => [s.name, s.escalationPolicy])).toEqual([['API', 'default']]);
  });

  it('lets a mapping section be written in one file only, and names both files', () => {
    const severities = 'severities:\n  levels: [{ name: critical }]\n';
    const load = loadOrgSources(
      [
        { file: 'a.yaml', text: severities + USERS },
        { file: 'b.yaml', text: severities },
        { file: 'c.yaml', text: '- just a list\n' },
      ],
      true,
    );
    expect(load.ok ? [] : load.problems).toEqual([
      { field: 'b.yaml: severities', message: 'also written in a.yaml; write severities in one file only' },
      { field: 'c.yaml: (root)', message: 'expected a mapping of sections (users, teams, schedules, escalation_policies, services…)' },
    ]);
  });

  it('names the file and line of a YAML syntax error, and the file of a section-level problem', () => {
    const broken = loadOrgSources([{ file: 'a.yaml', text: 'users:\n  - name: [unclosed\n' }], true);
    expect(broken.ok ? [] : broken.problems.map((p) => p.field)).toEqual(['(yaml)']);
    expect(broken.ok ? '' : broken.problems[0]?.message).toMatch(/^a\.yaml:\d+:\d+: /);

    const typo = loadOrgSources([{ file: 'a.yaml', text: USERS }, { file: 'b.yaml', text: 'servics: []\n' }], true);
    expect(typo.ok ? [] : typo.problems).toEqual([{ field: 'b.yaml: servics', message: 'unknown field' }]);
  });

  it('keeps the paths of a single file as they are', () => {
    const load = loadOrgSources([{ file: 'oncall.yaml', text: `${USERS}services:\n  - { name: API, escalation_policy: nope }\n` }], false);
    expect(load.ok ? [] : load.problems).toEqual([{ field: 'services[0].escalation_policy', message: 'no policy named "nope"' }]);
  });
});
