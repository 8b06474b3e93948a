import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * POST /api/v1/escalation-policies/preview: the escalation an alert would go through if nobody
 * acknowledged it, from the real schedules, overrides and notification rules. The rotation hands
 * over on Monday 09:00 UTC, so a preview that starts on Monday 08:50 reaches alice at level 1 and,
 * twenty minutes later at the repeat, bob.
 */
const YAML = `
users:
  - name: alice
    email: alice@example.com
    contact_methods:
      - { name: work-email, type: email, address: alice@example.com }
      - { name: mobile, type: sms, address: "+14155550101" }
    notification_rules:
      - { contact_method: work-email, delay_minutes: 0, urgency: high }
      - { contact_method: mobile, delay_minutes: 5, urgency: high }
      - { contact_method: work-email, delay_minutes: 0, urgency: low }
  - name: bob
    email: bob@example.com
    contact_methods: [{ name: email, type: email, address: bob@example.com }]
  - name: lead
    email: lead@example.com
    contact_methods: [{ name: email, type: email, address: lead@example.com }]
  - name: nora
    email: nora@example.com
    notification_rules: []
teams:
  - name: platform
    members:
      - { user: alice }
      - { user: bob }
      - { user: lead, role: lead }
schedules:
  - name: primary
    time_zone: UTC
    layers:
      - { name: weekly, participants: [alice, bob], turn: 1 week, start: "2026-03-02T09:00" }
escalation_policies:
  - name: default
    repeat: 1
    no_auto_escalate: [info]
    levels:
      - targets: [{ schedule: primary }]
        delay_minutes: 5
      - targets: [{ user: nora }]
        delay_minutes: 5
      - targets: [{ team: platform, role: lead }]
        severities: [critical]
        delay_minutes: 10
`;

describe.each(storeKinds)('escalation preview on $name', (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start(kind, { orgYaml: YAML, listen: true });
  });
  afterEach(async () => {
    await h?.stop();
  });

  const preview = (body: Record<string, unknown>) => h.api('POST', '/api/v1/escalation-policies/preview', body);
  type Step = { offset_minutes: number; level: number; repeat: number; reason: string; recipients: { name: string; methods: { offset_minutes: number; kind: string }[] }[]; warnings: string[] };
  const brief = (raw: unknown) =>
    (raw as Step[]).map((s) => `${s.offset_minutes} L${s.level}${s.repeat ? `r${s.repeat}` : ''} ${s.reason}: ${s.recipients.map((r) => `${r.name}(${r.methods.map((m) => `${m.kind}+${m.offset_minutes}`).join(' ')})`).join(', ')}${s.warnings.length ? ` ! ${s.warnings.join('; ')}` : ''}`);

  it('walks a critical alert through every level and the repeat, with each person on call at that moment and their rules', async () => {
    const r = await preview({ policy: 'default', severity: 'critical', at: '2026-03-09T08:50:00Z' });
    expect(r.status).toBe(200);
    expect(r.body.policy).toBe('default');
    expect(r.body.at).toBe('2026-03-09T08:50:00.000Z');
    expect(brief(r.body.steps)).toEqual([
      '0 L1 opened: alice(email+0 sms+5)',
      '5 L2 unacknowledged: nora() ! no notification rule for high urgency: nora not paged; add a rule to their profile',
      '10 L3 unacknowledged: lead(email+10)',
      // 09:10: the rotation handed over to bob at 09:00.
      '20 L1r1 repeat: bob(email+20)',
      '25 L2r1 unacknowledged: nora() ! no notification rule for high urgency: nora not paged; add a rule to their profile',
      '30 L3r1 unacknowledged: lead(email+30)',
    ]);
    expect(r.body.end).toBe('stops after level 3 (repeat 1); nobody else is paged until someone escalates by hand');
  });

  it('skips levels that do not apply to the severity, follows the low-urgency rules, and says when a severity never escalates', async () => {
    const warning = await preview({ policy: 'default', severity: 'warning', at: '2026-03-09T08:00:00Z' });
    expect(brief(warning.body.steps)).toEqual([
      '0 L1 opened: alice(email+0)',
      '5 L2 unacknowledged: nora() ! no notification rule for low urgency: nora not paged; add a rule to their profile',
      '10 L1r1 repeat: alice(email+10)',
      '15 L2r1 unacknowledged: nora() ! no notification rule for low urgency: nora not paged; add a rule to their profile',
    ]);
    const info = await preview({ policy: 'default', severity: 'info', at: '2026-03-09T08:00:00Z' });
    expect(brief(info.body.steps)).toEqual(['0 L1 opened: alice(email+0)']);
    expect(info.body.end).toBe('info alerts never escalate by themselves: only level 1 is paged');
  });

  it('previews an unsaved draft, changes nothing, and names the draft field that is wrong', async () => {
    const draft = { name: 'default', levels: [{ targets: [{ user: 'bob' }], delay_minutes: 15 }, { targets: [{ team: 'platform', role: 'lead' }] }] };
    const r = await preview({ entry: draft, severity: 'critical', at: '2026-03-09T08:00:00Z' });
    expect(r.status).toBe(200);
    expect(brief(r.body.steps)).toEqual(['0 L1 opened: bob(email+0)', '15 L2 unacknowledged: lead(email+15)']);
    // The stored policy is untouched.
    const stored = await h.api('GET', '/api/v1/escalation-policies/default');
    expect(stored.body.levels).toHaveLength(3);

    const fieldsOf = async (entry: Record<string, unknown>) => {
      const bad = await preview({ entry, severity: 'critical' });
      expect(bad.status).toBe(400);
      return ((bad.body.error as { problems: { field: string }[] }).problems).map((p) => p.field);
    };
    expect(await fieldsOf({ name: 'default', levels: [{ targets: [{ user: 'bob' }], delay_minutes: -1 }] })).toEqual(['entry.levels[0].delay_minutes']);
    expect(await fieldsOf({ name: 'default', levels: [{ targets: [{ user: 'bob' }, { user: 'zed' }] }] })).toEqual(['entry.levels[0].targets[1].user']);

    const sev = await preview({ policy: 'default', severity: 'sev9' });
    expect(sev.status).toBe(400);
    const sevError = sev.body.error as { field?: string; problems?: { field: string }[] };
    expect(sevError.field ?? sevError.problems?.[0]?.field).toBe('severity');
    const none = await preview({ policy: 'nope', severity: 'critical' });
    expect(none.status).toBe(404);
  });

  it('lints policies: a service without one, severities never paged, levels that reach nobody, unused policies', async () => {
    const yaml = `${YAML}
  - name: critical-only
    levels:
      - targets: [{ user: alice }]
        severities: [critical, high]
services:
  - name: Checkout
    escalation_policy: critical-only
  - name: Batch
    escalation_policy: critical-only
`;
    await h.stop();
    h = await Harness.start(kind, { orgYaml: yaml, listen: true });
    // The file format requires a policy; a store written by an older version may lack one.
    await h.store.db.updateTable('services').set({ escalation_policy_id: null }).where('name', '=', 'Batch').execute();
    h.app.ctx.org.invalidate();
    const r = await h.api('GET', '/api/v1/lint/policies');
    expect(r.status).toBe(200);
    expect((r.body.findings as { message: string }[]).map((f) => f.message)).toEqual([
      'service "Batch" has no escalation policy: its alerts page nobody; set escalation_policy',
      'policy "critical-only" pages nobody for medium, low, info alerts: no level applies to them; add them to a level\'s severities, or route them elsewhere',
      'level 2 of "default" reaches nobody who can be paged now for critical, high, medium, low, info alerts (no notification rule for high urgency: nora not paged; add a rule to their profile; no notification rule for low urgency: nora not paged; add a rule to their profile)',
      'policy "default" is used by no service or routing rule',
    ]);
  });
});

