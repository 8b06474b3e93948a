import { describe, expect, it } from 'vitest';
import { actionItemsAssigned, deadlineDates, DEFAULT_DEADLINES, draftPostmortem, formatSpan, requirementReasons, sinceDeclared, type DraftInput, type PostmortemPolicy, type RequirementFacts } from './postmortem.js';

const MIN = 60_000;
const H = 60 * MIN;
const T0 = Date.parse('2026-03-08T08:00:00Z');

/** Clipper's rules: every P1, a P2 over 2 hours, security incidents, SLO breaches. */
const CLIPPER: PostmortemPolicy = {
  requiredFor: [{ severities: ['critical'] }, { severities: ['high'], lastingOverMs: 2 * H }, { class: 'security' }, { slaBreach: true }],
  deadlines: { ...DEFAULT_DEADLINES },
};

const facts = (f: Partial<RequirementFacts>): RequirementFacts => ({ severity: 'medium', declaredAt: T0, resolvedAt: T0 + 30 * MIN, alertClasses: [], slaBreaches: [], requested: [], ...f });

describe('when a post-mortem is required', () => {
  it.each<[string, Partial<RequirementFacts>, string[]]>([
    ['every critical incident', { severity: 'critical' }, ['critical incident']],
    ['a high incident open over 2 hours', { severity: 'high', resolvedAt: T0 + 2 * H + 10 * MIN }, ['high incident, open 2h 10m (over 2h)']],
    ['not a high incident open exactly 2 hours', { severity: 'high', resolvedAt: T0 + 2 * H }, []],
    ['not a high incident of 30 minutes', { severity: 'high' }, []],
    ['a security alert attached', { alertClasses: ['security'] }, ['security alert attached']],
    ['an SLA breach', { slaBreaches: ['resolve', 'resolve'] }, ['SLA breached (resolve)']],
    ['a request from an SLA breach action', { requested: ['SLA resolve breached for critical'] }, ['SLA resolve breached for critical']],
    ['nothing for a medium incident', {}, []],
  ])('%s', (_what, f, reasons) => {
    expect(requirementReasons(CLIPPER, facts(f))).toEqual(reasons);
  });

  it('lists every rule that applies, once', () => {
    expect(requirementReasons(CLIPPER, facts({ severity: 'critical', alertClasses: ['security'], slaBreaches: ['acknowledge'], requested: ['critical incident'] }))).toEqual([
      'critical incident',
      'security alert attached',
      'SLA breached (acknowledge)',
    ]);
  });

  it('requires nothing without rules, except an explicit request', () => {
    const none: PostmortemPolicy = { requiredFor: [], deadlines: DEFAULT_DEADLINES };
    expect(requirementReasons(none, facts({ severity: 'critical' }))).toEqual([]);
    expect(requirementReasons(none, facts({ requested: ['asked by the SLA'] }))).toEqual(['asked by the SLA']);
  });
});

describe('deadlines and stages', () => {
  it('counts the handbook deadlines from the resolution', () => {
    const d = deadlineDates(DEFAULT_DEADLINES, T0);
    expect(Object.fromEntries(Object.entries(d).map(([k, v]) => [k, new Date(v).toISOString()]))).toEqual({
      initial_report: '2026-03-09T08:00:00.000Z',
      draft: '2026-03-10T08:00:00.000Z',
      meeting: '2026-03-15T08:00:00.000Z',
      action_items_assigned: '2026-03-22T08:00:00.000Z',
    });
  });

  it('treats action items as assigned when there is one and every open one has an owner', () => {
    expect(actionItemsAssigned([])).toBe(false);
    expect(actionItemsAssigned([{ owner: 'alice', status: 'open' }])).toBe(true);
    expect(actionItemsAssigned([{ owner: 'alice', status: 'open' }, { owner: null, status: 'open' }])).toBe(false);
    expect(actionItemsAssigned([{ owner: 'alice', status: 'open' }, { owner: null, status: 'wont_do' }])).toBe(true);
  });

  it.each<[number, string]>([
    [0, '0m'],
    [59_000, '0m'],
    [65 * MIN, '1h 05m'],
    [2 * H, '2h 00m'],
    [51 * H, '2d 3h'],
    [48 * H, '2d'],
  ])('formats %d ms as %s', (ms, text) => expect(formatSpan(ms)).toBe(text));

  it('writes offsets from the declaration', () => {
    expect(sinceDeclared(T0 + 15 * MIN, T0)).toBe('+0:15');
    expect(sinceDeclared(T0 + 26 * H + 3 * MIN, T0)).toBe('+26:03');
    expect(sinceDeclared(T0 - 5 * MIN, T0)).toBe('-0:05');
  });
});

describe('the draft from the timeline', () => {
  const input: DraftInput = {
    incident: {
      number: '#7',
      title: 'Orchestrator down',
      severity: 'critical',
      status: 'resolved',
      summary: '',
      services: ['Orchestrator'],
      declaredAt: T0,
      declaredBy: 'alice',
      monitoringAt: T0 + 40 * MIN,
      resolvedAt: T0 + 65 * MIN,
      closedAt: null,
    },
    people: [{ role: 'Incident Commander', name: 'bob' }],
    events: [
      { at: T0, kind: 'declared', actor: 'alice', message: 'declared by alice via api: critical "Orchestrator down"', data: null },
      { at: T0 + 10 * MIN, kind: 'key_moment', actor: 'bob', message: 'Root cause identified: bad config | in 1.42', data: { moment: 'root_cause_identified', text: 'bad config | in 1.42' } },
      { at: T0 + 30 * MIN, kind: 'key_moment', actor: 'bob', message: 'Mitigation applied: rolled back', data: { moment: 'mitigation_applied', text: 'rolled back' } },
      { at: T0 + 65 * MIN, kind: 'status_changed', actor: 'bob', message: 'status monitoring → resolved by bob', data: null },
    ],
    updates: [
      { at: T0 + 5 * MIN, status: 'investigating', impact: 'All task executions fail', actions: 'Looking' },
      { at: T0 + 20 * MIN, status: 'identified', impact: 'All task executions fail', actions: 'Rolling back' },
      { at: T0 + 50 * MIN, status: 'monitoring', impact: 'Executions recovering', actions: 'Watching the queue drain' },
    ],
    alerts: [{ id: 3, summary: 'Orchestrator down', createdAt: T0 - 5 * MIN, acknowledgedAt: T0 - 2 * MIN }],
    actionItems: [
      { title: 'Validate config before deploy', owner: 'bob', dueAt: Date.parse('2026-03-20T00:00:00Z'), status: 'open', link: 'https://tracker.example.com/OPS-1' },
      { title: 'Alert on queue depth', owner: null, dueAt: null, status: 'done', link: null },
    ],
    requiredBecause: ['critical incident'],
  };

  it('fills in the handbook template: header, impact, key moments, durations, timeline, root cause, resolution, action items', () => {
    const md = draftPostmortem(input);
    expect(md.split('\n').slice(0, 9)).toEqual([
      '# Incident Post-Mortem: Orchestrator down',
      '',
      '**Incident:** #7',
      '**Date:** 2026-03-08',
      '**Duration:** 2026-03-08 08:00 - 2026-03-08 09:05 UTC (1h 05m)',
      '**Severity:** critical',
      '**Services:** Orchestrator',
      '**People:** bob (Incident Commander)',
      '**Required because:** critical incident',
    ]);
    expect(md).toContain('- Impact as reported in status updates:\n  - 2026-03-08 08:05 (+0:05): All task executions fail\n  - 2026-03-08 08:50 (+0:50): Executions recovering\n');
    expect(md).toContain(
      [
        '## Key moments',
        '',
        '- 2026-03-08 07:55 (-0:05) - First alert',
        '- 2026-03-08 08:00 (+0:00) - Declared',
        '- 2026-03-08 07:58 (-0:02) - Acknowledged',
        '- 2026-03-08 08:10 (+0:10) - Root cause identified',
        '- 2026-03-08 08:30 (+0:30) - Mitigation applied',
        '- 2026-03-08 09:05 (+1:05) - Resolved',
        '',
        '- Time to acknowledge: 3m (first alert to first acknowledgement)',
        '- Time to mitigate: 30m',
        '- Time to resolve: 1h 05m',
      ].join('\n'),
    );
    expect(md).toContain(
      [
        '| Time (UTC) | Since declared | Event | By | What happened |',
        '| --- | --- | --- | --- | --- |',
        '| 2026-03-08 08:00 | +0:00 | declared | alice | declared by alice via api: critical "Orchestrator down" |',
        '| 2026-03-08 08:10 | +0:10 | key moment | bob | Root cause identified: bad config \\| in 1.42 |',
        '| 2026-03-08 08:30 | +0:30 | key moment | bob | Mitigation applied: rolled back |',
        '| 2026-03-08 09:05 | +1:05 | status changed | bob | status monitoring → resolved by bob |',
      ].join('\n'),
    );
    expect(md).toContain('## Root Cause\n\nbad config | in 1.42\n');
    expect(md).toContain('## Resolution\n\n- rolled back\n- Watching the queue drain\n');
    expect(md).toContain('## Action Items\n\n- [ ] Validate config before deploy (https://tracker.example.com/OPS-1) - Owner: bob, Due: 2026-03-20\n- [x] Alert on queue depth - Owner: unassigned, Due: none\n');
    expect(md).toContain('## Lessons Learned');
  });

  it('says what the record lacks instead of inventing it', () => {
    const md = draftPostmortem({ ...input, events: input.events.slice(0, 1), updates: [], alerts: [], actionItems: [], requiredBecause: [], incident: { ...input.incident, monitoringAt: null } });
    expect(md).toContain('- Time to acknowledge: n/a (no attached alert was acknowledged)');
    expect(md).toContain('- Time to mitigate: n/a (no mitigation marked)');
    expect(md).toContain('## Root Cause\n\n_Not marked on the timeline.');
    expect(md).toContain('- [ ] _Action_ - Owner: _name_, Due: _date_');
    expect(md).not.toContain('Required because');
  });

  it('takes the time to mitigate from monitoring when no mitigation was marked', () => {
    const md = draftPostmortem({ ...input, events: input.events.filter((e) => e.kind !== 'key_moment') });
    expect(md).toContain('- Time to mitigate: 40m');
  });

  it('writes clock times in the zone asked for', () => {
    const md = draftPostmortem({ ...input, timeZone: 'Europe/Berlin' });
    expect(md).toContain('| Time (GMT+1) | Since declared |');
    expect(md).toContain('| 2026-03-08 09:00 | +0:00 | declared |');
  });
});
