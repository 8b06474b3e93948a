import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MINUTE } from '../domain/clock.js';
import { AppError } from '../domain/errors.js';
import {
  type EscalationPolicySpec,
  type EscalationState,
  firstApplicableLevel,
  planNextEscalation,
  targetApplies,
} from '../domain/escalation/policy.js';
import { DEFAULT_SCALE, SeverityMap } from '../domain/severity/severity.js';
import { type OrgConfig, formatPath, orgJsonSchema, parseOrgYaml, resolveIntegrationKey, toPolicySpec, validateOrg } from './org.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const HANDBOOKS = join(EXAMPLES, 'handbooks');

const exampleFiles = (): string[] => [
  join(EXAMPLES, 'demo.yaml'),
  ...readdirSync(HANDBOOKS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(HANDBOOKS, f)),
];

const load = (path: string): OrgConfig => parseOrgYaml(readFileSync(path, 'utf8'), path);
const handbook = (name: string): OrgConfig => load(join(HANDBOOKS, `${name}.yaml`));

function policySpec(config: OrgConfig, name?: string): EscalationPolicySpec {
  const policy = name ? config.escalationPolicies.find((p) => p.name === name) : config.escalationPolicies[0];
  if (!policy) throw new Error(`no policy ${name ?? ''}`);
  return toPolicySpec(policy, (_kind, targetName) => targetName);
}

/**
 * Who is paged when, per the pure planner: "minute who+who". With `ack`, every page is
 * acknowledged at once, so only time-to-resolve escalations move the alert on.
 */
function timeline(spec: EscalationPolicySpec, severity: string, opts: { ack?: boolean } = {}): string[] {
  const page = (minute: number, level: number): string => {
    const targets = spec.levels[level]?.targets.filter((t) => targetApplies(t, severity)) ?? [];
    return `${minute} ${targets.map((t) => (t.role ? `${t.id}(${t.role})` : t.id)).join('+')}`;
  };
  const first = firstApplicableLevel(spec, severity);
  if (first === null) return [];
  const status = opts.ack ? 'acknowledged' : 'triggered';
  const out = [page(0, first)];
  let s: EscalationState = { status, severity, level: first, cycle: 0, levelStartedAt: 0, openedAt: 0 };
  for (let guard = 0; guard < 50; guard++) {
    const next = planNextEscalation(spec, s);
    if (!next) break;
    out.push(page(next.at / MINUTE, next.level));
    s = { ...s, status, level: next.level, cycle: next.cycle, levelStartedAt: next.at };
  }
  return out;
}

describe('example files', () => {
  it('include the demo and the five handbooks', () => {
    expect(exampleFiles().map((f) => f.slice(EXAMPLES.length))).toEqual([
      'demo.yaml',
      'handbooks/clipper.yaml',
      'handbooks/deltacrown.yaml',
      'handbooks/mahavishnu.yaml',
      'handbooks/mother-harness.yaml',
      'handbooks/qawave.yaml',
    ]);
  });

  it.each(exampleFiles())('%s parses', (path) => {
    const config = load(path);
    expect(config.users.length).toBeGreaterThan(0);
    expect(config.escalationPolicies.length).toBeGreaterThan(0);
    expect(config.services.length).toBeGreaterThan(0);
  });

  it('use fixed 32-character integration keys, unique across all files', () => {
    const keys = exampleFiles().flatMap((f) => load(f).services.flatMap((s) => s.integrations.map((i) => i.key)));
    expect(keys.length).toBeGreaterThanOrEqual(16);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('give every handbook service an events_v2 and an alertmanager integration', () => {
    for (const name of ['mahavishnu', 'qawave', 'mother-harness', 'clipper', 'deltacrown']) {
      const [service, ...more] = handbook(name).services;
      expect(more).toEqual([]);
      expect(service?.integrations.map((i) => i.type)).toEqual(['events_v2', 'alertmanager']);
    }
  });
});

describe('demo organisation', () => {
  const demo = load(join(EXAMPLES, 'demo.yaml'));

  it('uses the default severity scale', () => {
    expect(demo.severities).toEqual(DEFAULT_SCALE);
  });

  it('has the README keys', () => {
    const keys = Object.fromEntries(demo.services.map((s) => [s.name, s.integrations.map((i) => [i.type, i.key])]));
    expect(keys).toEqual({
      'Checkout API': [
        ['events_v2', 'demo0checkout0events0v2000000000'],
        ['alertmanager', 'demo0checkout0alertmanager000000'],
        ['generic', 'demo0checkout0generic00000000000'],
      ],
      Payments: [
        ['events_v2', 'demo0payments0events0v2000000000'],
        ['alertmanager', 'demo0payments0alertmanager000000'],
        ['generic', 'demo0payments0generic00000000000'],
      ],
    });
    const generic = demo.services.flatMap((s) => s.integrations).filter((i) => i.type === 'generic');
    expect(generic.map((i) => i.secretEnv)).toEqual(['WATCHKEEPER_DEMO_WEBHOOK_SECRET', 'WATCHKEEPER_DEMO_WEBHOOK_SECRET']);
  });

  it('gives everyone an immediate email and Bob a second one after 2 minutes', () => {
    expect(demo.users.map((u) => u.name)).toEqual(['alice', 'bob', 'carol', 'dave']);
    for (const u of demo.users) {
      expect(u.contactMethods.every((c) => c.type === 'email' && c.address.endsWith('@example.com'))).toBe(true);
      expect(u.notificationRules[0]?.delayMinutes).toBe(0);
    }
    expect(demo.users[1]?.notificationRules.map((r) => [r.contactMethod, r.delayMinutes])).toEqual([
      ['work-email', 0],
      ['personal-email', 2],
    ]);
    expect(demo.teams).toEqual([
      {
        name: 'sre',
        description: 'Site reliability engineering',
        members: [
          { user: 'carol', role: 'lead' },
          { user: 'dave', role: 'member' },
        ],
        preferDifferentTimeZones: false,
      },
    ]);
  });

  it('escalates alice -> bob -> the sre lead (critical only), then once more', () => {
    const spec = policySpec(demo, 'default');
    expect(timeline(spec, 'critical')).toEqual(['0 alice', '5 bob', '20 sre(lead)', '35 alice', '40 bob', '55 sre(lead)']);
    expect(timeline(spec, 'high')).toEqual(['0 alice', '5 bob', '20 alice', '25 bob']);
  });
});

describe('handbook escalation', () => {
  it('Mahavishnu: T0 primary on call, T1 shadow on call at 5, T2 lead at 20, T3 manager at 50, T4 VP at 110 for critical only', () => {
    const config = handbook('mahavishnu');
    const spec = policySpec(config);
    expect(spec.levels.map((l) => l.delayMinutes).slice(0, 4)).toEqual([5, 15, 30, 60]);
    expect(spec.levels[4]?.severities).toEqual(['critical']);
    expect(spec.levels[0]?.targets[0]?.kind).toBe('schedule');
    expect(timeline(spec, 'critical')).toEqual(['0 mahavishnu-primary', '5 mahavishnu-shadow', '20 team-lead', '50 eng-manager', '110 vp-eng']);
    expect(timeline(spec, 'high')).toEqual(['0 mahavishnu-primary', '5 mahavishnu-shadow', '20 team-lead', '50 eng-manager']);
    const severities = new SeverityMap(config.severities);
    expect(['P0', 'P1', 'p2', 'P3'].map((s) => severities.resolveOrThrow('severity', s))).toEqual(['critical', 'high', 'medium', 'low']);
  });

  it('DeltaCrown: secondary when critical is unacknowledged 5 min or unresolved 30; lead at 60; manager at 120', () => {
    const spec = policySpec(handbook('deltacrown'));
    expect(spec.levels[0]?.delayBySeverity).toEqual({ critical: 5, high: 15, warning: 30 });
    expect(spec.levels.map((l) => l.unresolvedAfterMinutes)).toEqual([null, null, 30, 60, 120]);
    expect(timeline(spec, 'critical')).toEqual(['0 deltacrown-primary', '5 deltacrown-secondary', '60 team-lead', '120 eng-manager']);
    // "High alerts: Page if not acknowledged in 15 min": nobody at once, then the primary and the team lead.
    expect(timeline(spec, 'high')).toEqual(['0 ', '15 deltacrown-primary+team-lead', '30 deltacrown-secondary', '60 team-lead', '120 eng-manager']);
    expect(timeline(spec, 'warning')).toEqual(['0 deltacrown-primary', '30 deltacrown-secondary', '60 team-lead', '120 eng-manager']);
    expect(timeline(spec, 'critical', { ack: true })).toEqual(['0 deltacrown-primary', '30 deltacrown-secondary', '60 team-lead', '120 eng-manager']);
  });

  it('Clipper: secondary after 15 min (P1) or 60 (P2), manager 30 later, VP + CTO for critical; P3 never escalates', () => {
    const config = handbook('clipper');
    const spec = policySpec(config);
    expect(spec.noAutoEscalate).toEqual(['info']);
    expect(spec.levels[0]?.delayBySeverity).toEqual({ critical: 15, warning: 60 });
    expect(timeline(spec, 'critical')).toEqual(['0 clipper-primary', '15 clipper-secondary', '45 clipper-manager', '75 vp-eng+cto']);
    expect(timeline(spec, 'warning')).toEqual(['0 clipper-primary', '60 clipper-secondary', '90 clipper-manager']);
    expect(timeline(spec, 'info')).toEqual(['0 clipper-primary']);
    const severities = new SeverityMap(config.severities);
    expect(['P1', 'P2', 'P3'].map((s) => severities.resolveOrThrow('severity', s))).toEqual(['critical', 'warning', 'info']);
  });

  it('Mother-Harness: P1 pages primary, secondary and manager at once; P2/P3 escalate when unresolved at 30 and 60', () => {
    const spec = policySpec(handbook('mother-harness'));
    expect(timeline(spec, 'critical')).toEqual(['0 primary-oncall+secondary-oncall+eng-manager']);
    expect(timeline(spec, 'high', { ack: true })).toEqual(['0 primary-oncall', '30 secondary-oncall', '60 eng-manager']);
    expect(timeline(spec, 'medium', { ack: true })).toEqual(['0 primary-oncall', '30 secondary-oncall', '60 eng-manager']);
    expect(timeline(spec, 'high')).toEqual(['0 primary-oncall', '30 secondary-oncall', '60 eng-manager']);
    expect(timeline(spec, 'low')).toEqual(['0 primary-oncall']);
  });

  it('QAWave: secondary when unacknowledged past the response time (15 critical, 30 high) or unresolved after 30', () => {
    const spec = policySpec(handbook('qawave'));
    expect(spec.levels[0]?.delayBySeverity).toEqual({ critical: 15, high: 30 });
    expect(spec.levels[1]?.unresolvedAfterMinutes).toBe(30);
    expect(timeline(spec, 'critical')).toEqual(['0 primary-oncall', '15 secondary-oncall', '60 eng-lead']);
    expect(timeline(spec, 'high')).toEqual(['0 primary-oncall', '30 secondary-oncall']);
    expect(timeline(spec, 'medium', { ack: true })).toEqual(['0 primary-oncall', '30 secondary-oncall']);
    expect(timeline(spec, 'critical', { ack: true })).toEqual(['0 primary-oncall', '30 secondary-oncall', '60 eng-lead']);
    expect(timeline(spec, 'low')).toEqual(['0 primary-oncall']);
  });
});

// ---------------------------------------------------------------------------------------------

const KEY_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

/** A small valid organisation; each bad-input case breaks one thing. */
function base() {
  return {
    users: [
      {
        name: 'alice',
        email: 'alice@example.com',
        contact_methods: [{ name: 'work-email', type: 'email', address: 'alice@example.com' }] as Record<string, unknown>[],
        notification_rules: [{ contact_method: 'work-email', delay_minutes: 0 }],
      } as Record<string, unknown>,
      { name: 'bob', email: 'bob@example.com' } as Record<string, unknown>,
      { name: 'carol', email: 'carol@example.com' } as Record<string, unknown>,
      { name: 'dave', email: 'dave@example.com' } as Record<string, unknown>,
    ],
    teams: [{ name: 'sre', members: [{ user: 'carol', role: 'lead' }, { user: 'alice' }] }],
    escalation_policies: [
      {
        name: 'default',
        no_auto_escalate: [] as unknown[],
        levels: [
          { targets: [{ user: 'alice' }] as Record<string, unknown>[], delay_minutes: 5 } as Record<string, unknown>,
          { targets: [{ team: 'sre', role: 'lead' }] as Record<string, unknown>[] } as Record<string, unknown>,
        ],
      },
    ],
    services: [
      {
        name: 'Checkout API',
        escalation_policy: 'default',
        integrations: [{ name: 'events', type: 'events_v2', key: KEY_A }] as Record<string, unknown>[],
      } as Record<string, unknown>,
      { name: 'Payments', escalation_policy: 'default' } as Record<string, unknown>,
      { name: 'Search', escalation_policy: 'default', team: 'sre' } as Record<string, unknown>,
    ],
  } as {
    severities?: unknown;
    users: Record<string, unknown>[];
    teams: { name: string; members: { user: string; role?: string }[] }[];
    escalation_policies: { name: string; no_auto_escalate: unknown[]; levels: Record<string, unknown>[] }[];
    services: Record<string, unknown>[];
    [section: string]: unknown;
  };
}
type Org = ReturnType<typeof base>;

const level = (o: Org, i = 0): Record<string, unknown> => o.escalation_policies[0]!.levels[i]!;
const targets = (o: Org, i = 0): Record<string, unknown>[] => level(o, i).targets as Record<string, unknown>[];
const integration = (o: Org, s = 0, i = 0): Record<string, unknown> => (o.services[s]!.integrations as Record<string, unknown>[])[i]!;

describe('validateOrg', () => {
  it('accepts the base organisation', () => {
    const r = validateOrg(base());
    expect(r.ok ? [] : r.problems).toEqual([]);
  });

  it.each<[string, (o: Org) => void, string, string]>([
    ['bad policy reference', (o) => (o.services[2]!.escalation_policy = 'db'), 'services[2].escalation_policy', 'no policy named "db"'],
    ['bad team reference', (o) => (o.services[2]!.team = 'dba'), 'services[2].team', 'no team named "dba"'],
    ['team member who is not a user', (o) => (o.teams[0]!.members[1]!.user = 'erin'), 'teams[0].members[1].user', 'no user named "erin"'],
    ['target user who does not exist', (o) => (targets(o)[0]!.user = 'zed'), 'escalation_policies[0].levels[0].targets[0].user', 'no user named "zed"'],
    ['duplicate user name', (o) => (o.users[3]!.name = 'bob'), 'users[3].name', 'duplicate name "bob" (also users[1])'],
    ['duplicate service name, any case', (o) => (o.services[1]!.name = 'checkout api'), 'services[1].name', 'duplicate name "checkout api" (also services[0])'],
    [
      'duplicate contact method name',
      (o) => (o.users[0]!.contact_methods as unknown[]).push({ name: 'work-email', type: 'email', address: 'a2@example.com' }),
      'users[0].contact_methods[1].name',
      'duplicate name "work-email" (also users[0].contact_methods[0])',
    ],
    ['unknown field', (o) => (o.users[0]!.emial = 'alice@example.com'), 'users[0].emial', 'unknown field'],
    ['unknown section', (o) => (o.escalations = []), 'escalations', 'unknown field'],
    ['unknown field in a target', (o) => (targets(o)[0]!.delay = 5), 'escalation_policies[0].levels[0].targets[0].delay', 'unknown field'],
    ['missing required field', (o) => delete o.users[1]!.email, 'users[1].email', 'required'],
    ['bad email', (o) => (o.users[1]!.email = 'bob-at-example'), 'users[1].email', 'not a valid email address'],
    [
      'bad time zone',
      (o) => (o.users[0]!.time_zone = 'Mars/Olympus_Mons'),
      'users[0].time_zone',
      'unknown time zone "Mars/Olympus_Mons"; use an IANA name such as Europe/London',
    ],
    ['bad user role', (o) => (o.users[0]!.role = 'owner'), 'users[0].role', 'must be one of viewer, responder, manager, admin (got "owner")'],
    [
      'slack contact method that is a channel, not a member',
      (o) => (o.users[0]!.contact_methods = [{ name: 'work-email', type: 'slack', address: '#oncall' }]),
      'users[0].contact_methods[0].address',
      'must be a Slack member ID such as U024BE7LH (Slack profile → ⋯ → Copy member ID)',
    ],
    [
      'phone number that is not one',
      (o) => (o.users[0]!.contact_methods = [{ name: 'work-email', type: 'sms', address: '12345' }]),
      'users[0].contact_methods[0].address',
      'not a valid phone number; use international format such as +44 20 7946 0958',
    ],
    [
      'unknown contact method type',
      (o) => (o.users[0]!.contact_methods = [{ name: 'pager', type: 'pigeon', address: 'loft 3' }]),
      'users[0].contact_methods[0].type',
      'must be one of email, webhook, slack, sms, voice, teams (got "pigeon")',
    ],
    [
      'webhook address that is not a URL',
      (o) => (o.users[0]!.contact_methods = [{ name: 'work-email', type: 'webhook', address: 'example.com/hook' }]),
      'users[0].contact_methods[0].address',
      'must be an http:// or https:// URL',
    ],
    [
      'secret_env on an email contact method',
      (o) => ((o.users[0]!.contact_methods as Record<string, unknown>[])[0]!.secret_env = 'ALICE_SECRET'),
      'users[0].contact_methods[0].secret_env',
      'only webhook contact methods have a secret_env',
    ],
    [
      'notification rule for a missing contact method',
      (o) => (o.users[0]!.notification_rules = [{ contact_method: 'sms' }]),
      'users[0].notification_rules[0].contact_method',
      'no contact method named "sms" on this user',
    ],
    ['bad key length', (o) => (integration(o).key = KEY_A.slice(1)), 'services[0].integrations[0].key', 'must be exactly 32 letters or digits (got 31 characters)'],
    ['key with other characters', (o) => (integration(o).key = `${KEY_A.slice(2)}-_`), 'services[0].integrations[0].key', 'must contain only letters and digits'],
    ['key written as a number', (o) => (integration(o).key = 12345), 'services[0].integrations[0].key', 'expected text, got a number; put the value in quotes'],
    [
      'integration key used twice',
      (o) => (o.services[1]!.integrations = [{ name: 'events', type: 'events_v2', key: KEY_A }]),
      'services[1].integrations[0].key',
      'duplicate key (also services[0].integrations[0].key)',
    ],
    ['key and key_env both', (o) => (integration(o).key_env = 'CHECKOUT_KEY'), 'services[0].integrations[0]', 'set key or key_env, not both'],
    [
      'key_env that is not a variable name',
      (o) => (o.services[1]!.integrations = [{ name: 'events', type: 'events_v2', key_env: 'payments-key' }]),
      'services[1].integrations[0].key_env',
      'must look like an environment variable name (A-Z, 0-9 and _), e.g. ALICE_HOOK_SECRET',
    ],
    [
      'missing secret_env for generic',
      (o) => (o.services[1]!.integrations = [{ name: 'hook', type: 'generic' }]),
      'services[1].integrations[0].secret_env',
      'required for generic integrations: the environment variable holding the HMAC secret',
    ],
    [
      'secret_env on a non-generic integration',
      (o) => (integration(o).secret_env = 'CHECKOUT_SECRET'),
      'services[0].integrations[0].secret_env',
      'only generic integrations have a secret_env',
    ],
    [
      'unknown severity in a target filter',
      (o) => (targets(o)[0]!.severities = ['sev9']),
      'escalation_policies[0].levels[0].targets[0].severities[0]',
      'unknown severity "sev9"; use one of critical, high, medium, low, info or an alias',
    ],
    [
      'unknown severity in no_auto_escalate',
      (o) => (o.escalation_policies[0]!.no_auto_escalate = ['low', 'trivial']),
      'escalation_policies[0].no_auto_escalate[1]',
      'unknown severity "trivial"; use one of critical, high, medium, low, info or an alias',
    ],
    [
      'unknown severity in delay_by_severity',
      (o) => (level(o).delay_by_severity = { critical: 5, P9: 10 }),
      'escalation_policies[0].levels[0].delay_by_severity.P9',
      'unknown severity "P9"; use one of critical, high, medium, low, info or an alias',
    ],
    [
      'the same severity twice in delay_by_severity',
      (o) => (level(o).delay_by_severity = { critical: 5, P0: 10 }),
      'escalation_policies[0].levels[0].delay_by_severity.P0',
      '"P0" and "critical" are the same severity (critical)',
    ],
    [
      'target filter outside the level filter',
      (o) => {
        level(o, 1).severities = ['critical'];
        targets(o, 1)[0]!.severities = ['high'];
      },
      'escalation_policies[0].levels[1].targets[0].severities[0]',
      'the level applies only to critical; "high" never reaches this target',
    ],
    [
      'target naming a schedule that does not exist',
      (o) => targets(o).push({ schedule: 'primary' }),
      'escalation_policies[0].levels[0].targets[1].schedule',
      'no schedule named "primary"; escalation policy "default" targets it',
    ],
    ['target naming nobody', (o) => targets(o).push({ severities: ['critical'] }), 'escalation_policies[0].levels[0].targets[1]', 'name one of user, team, schedule or channel'],
    [
      'target naming a user and a team',
      (o) => targets(o).push({ user: 'bob', team: 'sre' }),
      'escalation_policies[0].levels[0].targets[1]',
      'name only one of user, team, schedule or channel',
    ],
    ['role on a user target', (o) => (targets(o)[0]!.role = 'lead'), 'escalation_policies[0].levels[0].targets[0].role', 'only team targets have a role'],
    [
      'team role nobody has',
      (o) => (targets(o, 1)[0]!.role = 'manager'),
      'escalation_policies[0].levels[1].targets[0].role',
      'no member of team "sre" has role "manager"',
    ],
    [
      'missing delay on a level that is not the last',
      (o) => delete level(o).delay_minutes,
      'escalation_policies[0].levels[0].delay_minutes',
      'required on every level but the last: minutes to wait for an acknowledgement before the next level',
    ],
    ['delay too long', (o) => (level(o).delay_minutes = 1441), 'escalation_policies[0].levels[0].delay_minutes', 'must be at most 1440'],
    ['delay not whole', (o) => (level(o).delay_minutes = 2.5), 'escalation_policies[0].levels[0].delay_minutes', 'must be a whole number'],
    ['no levels', (o) => (o.escalation_policies[0]!.levels = []), 'escalation_policies[0].levels', 'must list at least 1 entry'],
    [
      'unresolved_after_minutes on the first level',
      (o) => (level(o).unresolved_after_minutes = 30),
      'escalation_policies[0].levels[0].unresolved_after_minutes',
      'the first level is notified when the alert opens; put unresolved_after_minutes on a later level',
    ],
    ['repeat out of range', (o) => (o.escalation_policies[0]! as Record<string, unknown>).repeat = 10, 'escalation_policies[0].repeat', 'must be at most 9'],
    ['section that is not a list', (o) => (o.teams = 'sre' as never), 'teams', 'expected a list, got text'],
    [
      'severity alias used twice',
      (o) => (o.severities = { levels: [{ name: 'sev1', aliases: ['P1'] }, { name: 'sev2', aliases: ['p1'] }] }),
      'severities.levels[1].aliases[0]',
      'duplicate alias "p1" (also severities.levels[0].aliases[0])',
    ],
    [
      'severity alias that is another level\'s name',
      (o) => (o.severities = { levels: [{ name: 'critical', aliases: ['high'] }, { name: 'high' }] }),
      'severities.levels[0].aliases[0]',
      '"high" is the name of severities.levels[1]',
    ],
    [
      'unknown default severity',
      (o) => (o.severities = { levels: [{ name: 'critical' }, { name: 'high' }], default: 'medium' }),
      'severities.default',
      'unknown severity "medium"; use one of critical, high or an alias',
    ],
    [
      'severity name with capitals',
      (o) => (o.severities = { levels: [{ name: 'Critical' }] }),
      'severities.levels[0].name',
      'use lowercase letters, digits, "-" and "_"',
    ],
  ])('%s', (_title, breakIt, field, message) => {
    const org = base();
    breakIt(org);
    const r = validateOrg(org);
    expect(r.ok ? [] : r.problems).toEqual([{ field, message }]);
  });

  it('reports every problem at once, and parseOrgYaml throws them all', () => {
    const org = base();
    org.services[2]!.escalation_policy = 'db';
    org.users[0]!.emial = 'x';
    org.users[3]!.name = 'bob';
    const r = validateOrg(org);
    expect(r.ok ? [] : r.problems).toEqual([
      { field: 'users[0].emial', message: 'unknown field' },
      { field: 'users[3].name', message: 'duplicate name "bob" (also users[1])' },
      { field: 'services[2].escalation_policy', message: 'no policy named "db"' },
    ]);
  });

  it('does not blame references on an entry that has a shape error of its own', () => {
    const org = base();
    org.users[0]!.email = 'not-an-email'; // alice is still a team member and a target
    const r = validateOrg(org);
    expect(r.ok ? [] : r.problems).toEqual([{ field: 'users[0].email', message: 'not a valid email address' }]);
  });

  it('accepts an empty file and empty sections', () => {
    for (const raw of [null, undefined, {}, { users: null, teams: null }]) {
      const r = validateOrg(raw);
      expect(r.ok && r.config).toEqual({ severities: DEFAULT_SCALE, users: [], teams: [], schedules: [], escalationPolicies: [], services: [], channels: [], silencePolicy: null, inhibitRules: [], maintenancePolicy: null, maintenanceWindows: [], incidentPolicy: null, postmortems: null, statusPage: null, responseTargets: {}, compTime: null, review: null, routes: [] });
    }
  });

  it('rejects a file that is not a mapping', () => {
    expect(validateOrg(['users'])).toEqual({
      ok: false,
      problems: [{ field: '(root)', message: 'expected a mapping with the sections severities, users, teams, schedules, escalation_policies, services, channels, silence_policy, inhibit_rules, incident_policy, status_page, response_targets, comp_time, review, routes, maintenance_policy, maintenance_windows, postmortems, got a list' }],
    });
  });

  it('fills in defaults', () => {
    const org = base();
    org.services[1]!.integrations = [{ name: 'hook', type: 'generic', secret_env: 'HOOK_SECRET' }];
    const r = validateOrg(org);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const bob = r.config.users[1];
    expect(bob).toEqual({
      name: 'bob',
      fullName: null,
      email: 'bob@example.com',
      timeZone: 'UTC',
      role: 'responder',
      contactMethods: [],
      notificationRules: [],
    });
    const policy = r.config.escalationPolicies[0];
    expect(policy).toEqual({
      name: 'default',
      description: '',
      repeat: 0,
      noAutoEscalate: [],
      levels: [
        {
          targets: [{ kind: 'user', name: 'alice', role: null, severities: null }],
          delayMinutes: 5,
          delayBySeverity: null,
          severities: null,
          unresolvedAfterMinutes: null,
        },
        {
          targets: [{ kind: 'team', name: 'sre', role: 'lead', severities: null }],
          delayMinutes: 15,
          delayBySeverity: null,
          severities: null,
          unresolvedAfterMinutes: null,
        },
      ],
    });
    expect(r.config.services[1]).toEqual({
      name: 'Payments',
      description: '',
      escalationPolicy: 'default',
      team: null,
      integrations: [{ name: 'hook', type: 'generic', key: null, keyEnv: null, secretEnv: 'HOOK_SECRET' }],
    });
  });

  it('notifies every contact method at once when a user has no notification_rules', () => {
    const org = base();
    org.users[1]!.contact_methods = [
      { name: 'mail', type: 'email', address: 'bob@example.com' },
      { name: 'hook', type: 'webhook', address: 'https://hooks.example.com/bob', secret_env: 'BOB_HOOK_SECRET' },
    ];
    const r = validateOrg(org);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.users[1]?.notificationRules).toEqual([
      { contactMethod: 'mail', delayMinutes: 0, urgency: 'any' },
      { contactMethod: 'hook', delayMinutes: 0, urgency: 'any' },
    ]);
    expect(r.config.users[1]?.contactMethods[1]).toEqual({
      name: 'hook',
      type: 'webhook',
      address: 'https://hooks.example.com/bob',
      secretEnv: 'BOB_HOOK_SECRET',
    });
  });
});

describe('severity aliases', () => {
  it('normalise to canonical names everywhere they are referenced', () => {
    const config = parseOrgYaml(`
severities:
  levels:
    - name: critical
      aliases: [P0, Sev1]
    - name: high
      aliases: [P1]
    - name: low
      aliases: [P3, Warning]
      urgency: low
  default: p0
  unknown: WARNING
users:
  - name: alice
    email: alice@example.com
escalation_policies:
  - name: p
    no_auto_escalate: [p3, low]
    levels:
      - targets:
          - user: alice
            severities: [SEV1, p1, Critical]
        delay_minutes: 10
        delay_by_severity: {P0: 5, P1: 30}
        severities: [P1, p0, sev1]
`);
    expect(config.severities).toEqual({
      levels: [
        { name: 'critical', aliases: ['P0', 'Sev1'], urgency: 'high' },
        { name: 'high', aliases: ['P1'], urgency: 'high' },
        { name: 'low', aliases: ['P3', 'Warning'], urgency: 'low' },
      ],
      defaultSeverity: 'critical',
      unknownSeverity: 'low',
    });
    const [policy] = config.escalationPolicies;
    expect(policy?.noAutoEscalate).toEqual(['low']);
    expect(policy?.levels[0]).toMatchObject({
      severities: ['critical', 'high'],
      delayBySeverity: { critical: 5, high: 30 },
      targets: [{ kind: 'user', name: 'alice', role: null, severities: ['critical', 'high'] }],
    });
  });

  it('resolve through the default scale when the section is absent', () => {
    const org = base();
    level(org).severities = ['page', 'ERROR'];
    level(org).delay_by_severity = { sev1: 5 };
    const r = validateOrg(org);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.escalationPolicies[0]?.levels[0]).toMatchObject({ severities: ['critical', 'high'], delayBySeverity: { critical: 5 } });
  });
});

describe('parseOrgYaml', () => {
  it('reports a YAML syntax error with its line and column', () => {
    const text = 'users:\n  - name: alice\n  email: alice@example.com\n';
    const problems = (() => {
      try {
        parseOrgYaml(text, 'org.yaml');
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
        return (err as AppError).problems;
      }
      return [];
    })();
    expect(problems).toEqual([{ field: '(yaml)', message: 'org.yaml:3:1: All mapping items must start at the same column' }]);
    expect(() => parseOrgYaml(text)).toThrow('(yaml): line 3:1: All mapping items must start at the same column');
  });

  it('rejects duplicate keys', () => {
    expect(() => parseOrgYaml('users: []\nusers: []\n')).toThrow('(yaml): line 2:1: Map keys must be unique');
  });

  it('throws one invalid AppError listing every problem', () => {
    let error: AppError | undefined;
    try {
      parseOrgYaml(`
users:
  - name: alice
    emial: alice@example.com
services:
  - name: Checkout API
    escalation_policy: db
`);
    } catch (err) {
      error = err as AppError;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error?.code).toBe('invalid');
    expect(error?.message).toBe(
      '3 problems: users[0].email: required; users[0].emial: unknown field; services[0].escalation_policy: no policy named "db"',
    );
  });
});

describe('helpers', () => {
  it('formatPath writes indices in brackets', () => {
    expect(formatPath(['services', 2, 'escalation_policy'])).toBe('services[2].escalation_policy');
    expect(formatPath(['levels', 0, 'delay_by_severity', 'P1'])).toBe('levels[0].delay_by_severity.P1');
    expect(formatPath(['delay_by_severity', 'a b'])).toBe('delay_by_severity["a b"]');
    expect(formatPath([])).toBe('(root)');
  });

  it('resolveIntegrationKey reads key_env and names the variable when it is missing or bad', () => {
    const i = { name: 'events', key: null, keyEnv: 'CHECKOUT_KEY' };
    expect(resolveIntegrationKey(i, { CHECKOUT_KEY: KEY_A })).toBe(KEY_A);
    expect(() => resolveIntegrationKey(i, {})).toThrow(
      'CHECKOUT_KEY: environment variable is not set; integration "events" reads its 32-character key from it',
    );
    expect(() => resolveIntegrationKey(i, { CHECKOUT_KEY: 'short' })).toThrow(
      'CHECKOUT_KEY: must hold exactly 32 letters or digits (integration "events"; it has 5 characters)',
    );
    expect(resolveIntegrationKey({ name: 'x', key: KEY_A, keyEnv: null }, {})).toBe(KEY_A);
    expect(resolveIntegrationKey({ name: 'x', key: null, keyEnv: null }, {})).toBeNull();
  });

  it('toPolicySpec maps target names to ids', () => {
    const config = handbook('mother-harness');
    const spec = toPolicySpec(config.escalationPolicies[0]!, (kind, name) => `${kind}:${name}`);
    expect(spec.levels[0]?.targets).toEqual([
      { kind: 'user', id: 'user:primary-oncall', role: null, severities: null },
      { kind: 'user', id: 'user:secondary-oncall', role: null, severities: ['critical'] },
      { kind: 'user', id: 'user:eng-manager', role: null, severities: ['critical'] },
    ]);
  });

  it('orgJsonSchema describes the file for editors', () => {
    const schema = orgJsonSchema() as {
      type: string;
      additionalProperties: boolean;
      properties: Record<string, unknown>;
    };
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(['severities', 'users', 'teams', 'schedules', 'escalation_policies', 'services', 'channels', 'silence_policy', 'inhibit_rules', 'maintenance_policy', 'maintenance_windows', 'incident_policy', 'postmortems', 'status_page', 'response_targets', 'comp_time', 'review', 'routes']);
    expect(JSON.stringify(schema)).toContain('"pattern":"^[A-Za-z0-9]{32}$"');
  });
});
