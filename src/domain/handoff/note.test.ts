import { describe, expect, it } from 'vitest';
import { buildHandoffNote, MAX_LISTED, renderHandoffText, type NoteAlert, type NoteInput } from './note.js';

const H = 3_600_000;
const T0 = Date.parse('2026-02-16T00:00:00Z');
const T1 = Date.parse('2026-02-23T00:00:00Z');
const RANK = ['critical', 'high', 'medium', 'low'];

const alert = (id: number, severity: string, status: string, hours: number, extra: Partial<NoteAlert> = {}): NoteAlert => ({
  id,
  summary: `alert ${id}`,
  severity,
  status,
  service: 'Mahavishnu API',
  createdAt: T0 + hours * H,
  acknowledgedBy: status === 'acknowledged' ? 'alice' : null,
  count: 1,
  ...extra,
});

const input = (over: Partial<NoteInput> = {}): NoteInput => ({
  schedule: 'mahavishnu-primary',
  timeZone: 'UTC',
  outgoing: 'alice',
  incoming: 'charlie',
  shiftStart: T0,
  handoffAt: T1,
  duringShift: [],
  open: [],
  watchItems: [],
  changes: [],
  rank: (s) => (RANK.includes(s) ? RANK.indexOf(s) : RANK.length),
  ...over,
});

describe('handoff note builder', () => {
  it('groups the shift’s alerts by severity, most severe first, oldest first within one', () => {
    const c = buildHandoffNote(input({ duringShift: [alert(3, 'low', 'resolved', 5), alert(1, 'high', 'resolved', 9), alert(2, 'critical', 'acknowledged', 20), alert(4, 'high', 'triggered', 1), alert(5, 'sev9', 'resolved', 2)] }));
    expect(c.alertsBySeverity.map((g) => [g.severity, g.count, g.alerts.map((a) => a.id)])).toEqual([
      ['critical', 1, [2]],
      ['high', 2, [4, 1]],
      ['low', 1, [3]],
      ['sev9', 1, [5]],
    ]);
    expect(c.summary).toEqual({ total: 5, bySeverity: [{ severity: 'critical', count: 1 }, { severity: 'high', count: 2 }, { severity: 'low', count: 1 }, { severity: 'sev9', count: 1 }], triggered: 0, acknowledged: 0 });
  });

  it('counts what is open at the handoff, whenever it was opened, and orders it by severity then age', () => {
    const c = buildHandoffNote(input({ open: [alert(7, 'high', 'triggered', -48), alert(8, 'critical', 'acknowledged', 3), alert(9, 'high', 'acknowledged', -100)] }));
    expect(c.open.map((a) => a.id)).toEqual([8, 9, 7]);
    expect([c.summary.triggered, c.summary.acknowledged, c.summary.total]).toEqual([1, 2, 0]);
  });

  it('lists at most MAX_LISTED alerts of one severity and says how many more there were', () => {
    const many = Array.from({ length: MAX_LISTED + 5 }, (_, i) => alert(i + 1, 'medium', 'resolved', i));
    const c = buildHandoffNote(input({ duringShift: many }));
    expect(c.alertsBySeverity[0]?.alerts).toHaveLength(MAX_LISTED);
    expect(c.alertsBySeverity[0]?.count).toBe(MAX_LISTED + 5);
    expect(renderHandoffText(c)).toContain('- … and 5 more');
  });

  it('renders the handbook template: summary, open items, watch items, alerts, recent changes', () => {
    const c = buildHandoffNote(
      input({
        duringShift: [alert(1, 'critical', 'acknowledged', 30, { count: 3 }), alert(2, 'medium', 'resolved', 40)],
        open: [alert(1, 'critical', 'acknowledged', 30, { count: 3 })],
        watchItems: [{ id: 'w1', text: 'db1 disk grows 2% a day', alertId: 2, author: 'alice', createdAt: T0 + 41 * H }],
        changes: [
          { at: T0 + 50 * H, actor: 'alice', action: 'schedule_override.create', entityKind: 'schedule', entity: 'mahavishnu-primary' },
          { at: T0 + 60 * H, actor: 'admin', action: 'escalation_policy.update', entityKind: 'escalation_policy', entity: 'mahavishnu' },
        ],
        incidents: [
          { id: 3, title: 'Queue backlog', severity: 'high', status: 'resolved', declaredAt: T0 + 20 * H, resolvedAt: T0 + 22 * H, commander: 'alice' },
          { id: 5, title: 'API down', severity: 'critical', status: 'identified', declaredAt: T0 + 30 * H, resolvedAt: null, commander: null },
        ],
      }),
    );
    expect(renderHandoffText(c, 'http://wk.test/handoffs/4')).toBe(
      [
        '## On-Call Handoff: 2026-02-23 (mahavishnu-primary)',
        '',
        'alice -> charlie, shift Mon 16 Feb 00:00 – Mon 23 Feb 00:00 UTC',
        '',
        '### Summary',
        '- Total alerts: 2 alerts (critical 1, medium 1)',
        '- Incidents: 2 (1 still open)',
        '- Open now: 0 triggered, 1 acknowledged',
        '',
        '### Incidents',
        '- #5 [critical] API down: identified, declared Tue 17 Feb 06:00',
        '- #3 [high] Queue backlog: resolved, commander alice, declared Mon 16 Feb 20:00, resolved Mon 16 Feb 22:00',
        '',
        '### Open Items',
        '- [ ] #1 [critical] Mahavishnu API: alert 1, acknowledged (acknowledged by alice), fired 3 times',
        '',
        '### Watch Items',
        '- db1 disk grows 2% a day (alert #2) — alice',
        '',
        '### Alerts During The Shift',
        '#### critical (1)',
        '- #1 [critical] Mahavishnu API: alert 1, acknowledged (acknowledged by alice), fired 3 times, opened Tue 17 Feb 06:00',
        '#### medium (1)',
        '- #2 [medium] Mahavishnu API: alert 2, resolved, opened Tue 17 Feb 16:00',
        '',
        '### Recent Changes',
        '- Wed 18 Feb 02:00: override placed on mahavishnu-primary by alice',
        '- Wed 18 Feb 12:00: escalation policy mahavishnu changed by admin',
        '',
        'Read it, mark it read and take over acknowledged alerts: http://wk.test/handoffs/4',
        '',
      ].join('\n'),
    );
  });

  it('says so when a quiet shift had nothing to hand over', () => {
    const text = renderHandoffText(buildHandoffNote(input()));
    expect(text).toContain('- Total alerts: no alerts');
    expect(text).toContain('- Incidents: 0');
    expect(text).not.toContain('### Incidents');
    expect(text).toContain('- none: no alert is open');
    expect(text).toContain('- none written');
  });
});
