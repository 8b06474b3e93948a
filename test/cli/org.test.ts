import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { buildCli, type BuiltCli } from '../helpers/cli-binary.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * `watchkeeper validate|plan|apply|export|schema` as operators run them: the built binary in its
 * own process against a server listening on loopback, exit codes included. Plan's exit codes are
 * terraform's -detailed-exitcode: 0 no changes, 2 changes, 1 error.
 */
let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCli();
});
afterAll(() => cli?.remove());

const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods:
      - { name: work, type: email, address: alice@example.com }
  - name: bob
    email: bob@example.com
    time_zone: Europe/London
    contact_methods:
      - { name: work, type: email, address: bob@example.com }
teams:
  - name: sre
    members:
      - { user: alice, role: lead }
      - { user: bob }
  - name: data
    members:
      - { user: bob }
schedules:
  - name: Primary
    team: sre
    layers:
      - name: weekly
        participants: [alice, bob]
        turn: 1 week
        start: "2026-03-02T09:00"
escalation_policies:
  - name: standard
    levels:
      - targets: [{ schedule: Primary }]
        delay_minutes: 10
      - targets: [{ team: sre, role: lead }]
  - name: critical-only
    levels:
      - targets: [{ user: alice }]
services:
  - name: Checkout
    escalation_policy: standard
    team: sre
    integrations:
      - { name: prometheus, type: alertmanager, key: checkout0alertmanager00000000000 }
`;

/** The same organisation, edited the way a pull request would. */
const CHANGED = ORG.replace('    email: bob@example.com\n', '    email: robert@example.com\n')
  .replace(
    '        start: "2026-03-02T09:00"\n',
    '        start: "2026-03-02T09:00"\n      - name: weekend\n        participants: [bob]\n        turn: 1 day\n        start: "2026-03-07T00:00"\n        restrictions:\n          - { days: [sat, sun], from: "00:00", to: "00:00" }\n',
  )
  .replace('        delay_minutes: 10\n', '        delay_minutes: 15\n')
  .replace('    escalation_policy: standard\n', '    escalation_policy: critical-only\n')
  .replace('      - { name: prometheus, type: alertmanager, key: checkout0alertmanager00000000000 }\n', '      - { name: prometheus, type: alertmanager, key: checkout0alertmanager00000000000 }\n      - { name: grafana, type: events_v2 }\n')
  .replace('  - name: data\n    members:\n      - { user: bob }\n', '')
  .replace('teams:\n', 'teams:\n  - name: payments\n    members:\n      - { user: alice }\n');

describe.each(storeKinds)('watchkeeper organisation as code ($name)', (kind) => {
  let h: Harness;
  let dir: string;
  afterEach(async () => {
    await h?.stop();
  });

  const env = () => ({ XDG_CONFIG_HOME: cli.root, WATCHKEEPER_SERVER: h.baseUrl, WATCHKEEPER_TOKEN: h.adminToken });
  const run = (...args: string[]) => cli.run(args, { env: env() });
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const auditCount = async () => ((await h.api('GET', '/api/v1/audit?limit=1000')).body.entries as unknown[]).length;

  it('plans a changed file field by field with exit code 2, applies the same diff onto the audit log, then plans nothing with exit code 0', async () => {
    h = await Harness.start(kind, { orgYaml: ORG, listen: true });
    dir = fs.mkdtempSync(path.join(cli.root, 'org-'));
    const file = write('oncall.yaml', CHANGED);
    const audited = await auditCount();

    const plan = await run('plan', '-f', file);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(2);
    expect(plan.stdout.split('\n')).toEqual([
      '  ~ user "bob"',
      '      ~ email: "bob@example.com" → "robert@example.com"',
      '  + team "payments"',
      '  - team "data"',
      '  ~ schedule "Primary"',
      '      + layers["weekend"]: {"name":"weekend","participants":["bob"],"turn":"1 day","start":"2026-03-07T00:00","restrictions":[{"days":["sat","sun"],"from":"00:00","to":"00:00"}]}',
      '  ~ escalation policy "standard"',
      '      ~ levels[0].delay_minutes: 10 → 15',
      '  ~ service "Checkout"',
      '      ~ escalation_policy: "standard" → "critical-only"',
      '  + integration "Checkout/grafana"',
      `Plan: 2 to create, 4 to update, 1 to delete. Apply with: watchkeeper apply -f ${file}`,
      '',
    ]);
    expect(await auditCount()).toBe(audited); // a plan changes nothing, the audit log neither

    const json = await run('plan', '-f', file, '--json');
    expect(json.code).toBe(2);
    const changes = (JSON.parse(json.stdout) as { changes: { action: string; kind: string; name: string; fields: { path: string; before?: unknown; after?: unknown }[] }[] }).changes;
    expect(changes.find((c) => c.kind === 'service')).toEqual({ action: 'update', kind: 'service', name: 'Checkout', fields: [{ path: 'escalation_policy', before: 'standard', after: 'critical-only' }] });
    expect(changes.find((c) => c.name === 'payments')?.fields).toEqual([
      { path: 'name', after: 'payments' },
      { path: 'description', after: '' },
      { path: 'members', after: [{ user: 'alice', role: 'member' }] },
    ]);

    const apply = await run('apply', '-f', file);
    expect(apply.code).toBe(0);
    const lines = apply.stdout.split('\n');
    expect(lines.slice(0, 11)).toEqual(plan.stdout.split('\n').slice(0, 11));
    expect(lines[11]).toBe('Applied: 2 to create, 4 to update, 1 to delete.');
    expect(lines[12]).toMatch(/^Generated key for Checkout\/grafana \(events_v2\): [A-Za-z0-9]{32} {2}\(shown once; store it now\)$/);

    const entries = (await h.api('GET', '/api/v1/audit?limit=1000')).body.entries as { action: string; detail: { changes: { kind: string; name: string; fields: unknown[] }[] } }[];
    const recorded = entries.find((e) => e.action === 'organisation.apply');
    expect(recorded?.detail.changes.map((c) => `${c.kind} ${c.name}`)).toEqual(['user bob', 'team payments', 'team data', 'schedule Primary', 'escalation_policy standard', 'service Checkout', 'integration Checkout/grafana']);
    expect(recorded?.detail.changes.find((c) => c.kind === 'user')?.fields).toEqual([{ path: 'email', before: 'bob@example.com', after: 'robert@example.com' }]);

    const again = await run('plan', '-f', file);
    expect(again).toEqual({ code: 0, stdout: 'No changes: the server already matches the file.\n', stderr: '' });
  });

  it('exports YAML that plans as no change, to a file or standard output (export | apply -f - changes nothing), and JSON with --json', async () => {
    h = await Harness.start(kind, { orgYaml: ORG, listen: true });
    dir = fs.mkdtempSync(path.join(cli.root, 'org-'));
    const out = path.join(dir, 'exported.yaml');

    const exported = await run('export', '-o', out);
    expect(exported).toEqual({ code: 0, stdout: `Wrote ${out}. Check it with: watchkeeper plan -f ${out}\n`, stderr: '' });
    const text = fs.readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=http://watchkeeper.test/api/v1/config/schema');
    expect(text).not.toContain('checkout0alertmanager');
    expect(await run('plan', '-f', out)).toEqual({ code: 0, stdout: 'No changes: the server already matches the file.\n', stderr: '' });

    const stdout = await run('export');
    expect(stdout.code).toBe(0);
    expect(stdout.stdout).toBe(text);
    // export | apply: nothing to change.
    expect(await cli.run(['apply', '-f', '-'], { env: env(), input: stdout.stdout })).toEqual({ code: 0, stdout: 'No changes: the server already matches the file.\n', stderr: '' });
    const json = await run('export', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(YAML.parse(text));
  });

  it('validates a folder of files offline, naming each problem with its file and path; plan and apply refuse it with their own exit codes', async () => {
    h = await Harness.start(kind, { orgYaml: ORG, listen: true });
    dir = fs.mkdtempSync(path.join(cli.root, 'org-'));
    const doc = YAML.parse(ORG) as Record<string, unknown>;
    const folder = path.join(dir, 'org');
    write('org/people.yaml', YAML.stringify({ users: doc.users, teams: doc.teams }));
    write('org/paging.yaml', YAML.stringify({ schedules: doc.schedules, escalation_policies: doc.escalation_policies, services: doc.services }));
    write('org/README.md', 'not read: only .yaml and .yml files are');

    const valid = await run('validate', '-f', folder);
    expect(valid).toEqual({ code: 0, stdout: `${folder}: valid (2 users, 2 teams, 1 schedules, 2 escalation policies, 1 services)\n`, stderr: '' });
    expect(JSON.parse((await run('validate', '-f', folder, '--json')).stdout)).toEqual({
      valid: true,
      files: ['paging.yaml', 'people.yaml'],
      counts: { users: 2, teams: 2, schedules: 1, escalation_policies: 2, services: 1 },
    });
    expect(await run('plan', '-f', folder)).toEqual({ code: 0, stdout: 'No changes: the server already matches the file.\n', stderr: '' });

    // A third file (read first: files are merged in name order) that repeats a user and a service
    // (service names are unique whatever their case), with a bad time zone, key and field.
    write(
      'org/more.yaml',
      [
        'users:',
        '  - name: alice',
        '    email: alice@example.org',
        '    time_zone: Europe/Lundon',
        'services:',
        '  - name: checkout',
        '    escalation_policy: urgent',
        '    integrations:',
        '      - { name: events, type: events_v2, key: short }',
        '    owner: sre',
        '',
      ].join('\n'),
    );
    const expected = [
      `${folder}: 5 problems`,
      '  more.yaml: users[0].time_zone: unknown time zone "Europe/Lundon"; use an IANA name such as Europe/London',
      '  more.yaml: services[0].integrations[0].key: must be exactly 32 letters or digits (got 5 characters)',
      '  more.yaml: services[0].owner: unknown field',
      '  people.yaml: users[0].name: duplicate name "alice" (also more.yaml: users[0])',
      '  paging.yaml: services[0].name: duplicate name "Checkout" (also more.yaml: services[0])',
      '',
    ];
    const invalid = await run('validate', '-f', folder);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr.split('\n')).toEqual(expected);
    expect(invalid.code).toBe(2);

    // The same file alone: paths without a file name. (A service with a shape error is not
    // checked for references, so its missing policy waits until the shape is fixed.)
    const alone = await run('validate', '-f', path.join(folder, 'more.yaml'));
    expect(alone.stderr.split('\n')).toEqual([
      `${path.join(folder, 'more.yaml')}: 3 problems`,
      '  users[0].time_zone: unknown time zone "Europe/Lundon"; use an IANA name such as Europe/London',
      '  services[0].integrations[0].key: must be exactly 32 letters or digits (got 5 characters)',
      '  services[0].owner: unknown field',
      '',
    ]);
    expect(alone.code).toBe(2);

    const json = await run('validate', '-f', folder, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ valid: false, problems: expected.slice(1, -1).map((l) => ({ field: l.slice(2, l.indexOf(': ', l.indexOf(': ') + 2)), message: l.slice(l.indexOf(': ', l.indexOf(': ') + 2) + 2) })) });

    const audited = await auditCount();
    const plan = await run('plan', '-f', folder);
    expect(plan.stderr.split('\n')).toEqual(expected);
    expect(plan.code).toBe(1);
    const apply = await run('apply', '-f', folder);
    expect(apply.stderr).toContain('paging.yaml: services[0].name: duplicate name "Checkout" (also more.yaml: services[0])');
    expect(apply.code).toBe(2);
    expect(await auditCount()).toBe(audited);

    const missing = await run('plan', '-f', path.join(dir, 'nope.yaml'));
    expect(missing).toEqual({ code: 1, stdout: '', stderr: `${path.join(dir, 'nope.yaml')}: no such file or folder\n` });
  });

  it('plans with exit code 1 when the server refuses, and prints the schema offline', async () => {
    h = await Harness.start(kind, { orgYaml: ORG, listen: true });
    dir = fs.mkdtempSync(path.join(cli.root, 'org-'));
    const file = write('oncall.yaml', ORG);
    const viewer = (await h.api('POST', '/api/v1/tokens', { name: 'ci', role: 'viewer' })).body.token as string;
    const refused = await cli.run(['plan', '-f', file, '--server', h.baseUrl, '--token', viewer], { env: { XDG_CONFIG_HOME: cli.root } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^403: /);

    const schema = await cli.run(['schema'], { env: { XDG_CONFIG_HOME: cli.root } });
    expect(schema.code).toBe(0);
    expect(schema.stdout).toBe(fs.readFileSync('schema/watchkeeper-org.schema.json', 'utf8'));
    const help = await cli.run(['plan', '--help'], { env: { XDG_CONFIG_HOME: cli.root } });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes (like terraform plan -detailed-exitcode): 0 no changes, 2 changes to apply, 1 error');
  });
});
