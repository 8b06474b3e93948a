import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Maintenance windows end to end on the fake clock. The clock starts Sunday 2026-03-08 08:00 UTC:
 * 03:00 CDT in Chicago, the morning clocks sprang forward, so QAWave's Sundays 02:00–06:00
 * window runs 03:00–06:00 CDT (08:00–11:00 UTC) today. The on-call schedule hands over every
 * Monday 00:00 UTC (alice this week, bob the next).
 */
const KEY = 'backend0events0v2000000000000000';

const ORG = `
users:
  - name: alice
    email: alice@example.com
    role: admin
    contact_methods: [{ name: email, type: email, address: alice@example.com }]
  - name: bob
    email: bob@example.com
    role: responder
    contact_methods: [{ name: email, type: email, address: bob@example.com }]
  - name: carol
    email: carol@example.com
    role: manager
    contact_methods: [{ name: email, type: email, address: carol@example.com }]

schedules:
  - name: Platform Primary
    time_zone: UTC
    layers:
      - name: weekly
        participants: [alice, bob]
        turn: 1 week
        start: "2026-03-02T00:00"

escalation_policies:
  - name: backend
    levels:
      - targets: [{ schedule: Platform Primary }]
        delay_minutes: 10
      - targets: [{ user: carol }]

services:
  - name: Backend
    escalation_policy: backend
    integrations:
      - name: events
        type: events_v2
        key: ${KEY}
  - name: Frontend
    escalation_policy: backend

maintenance_policy:
  approval_over: 4h
  approvers: [{ role: manager }]
  preferred:
    rrule: FREQ=WEEKLY;BYDAY=SU
    time_zone: America/Chicago
    start: "02:00"
    duration: 4h

maintenance_windows:
  - name: sunday-maintenance
    services: [Backend]
    rrule: FREQ=WEEKLY;BYDAY=SU
    time_zone: America/Chicago
    start: "02:00"
    duration: 4h
    comment: Weekly patching
`;

describe.each(storeKinds)('maintenance windows on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const trigger = async (dedupKey: string, key = KEY) => {
    const res = await h!.enqueue({ routing_key: key, event_action: 'trigger', dedup_key: dedupKey, payload: { summary: `Backend ${dedupKey}`, source: 'prometheus', severity: 'critical' } });
    expect(res.status).toBe(202);
    const list = await h!.api('GET', '/api/v1/alerts');
    return (list.body.alerts as { id: number; dedup_key: string }[]).find((a) => a.dedup_key === dedupKey)!.id;
  };
  const timeline = async (id: number) => (await h!.api('GET', `/api/v1/alerts/${id}`)).body.timeline as { kind: string; message: string }[];
  const userToken = async (user: string, role: string) => (await createToken(h!.app.ctx, systemTestActor, { name: `${user} token`, role, user })).token;

  it('an alert inside the Sunday window is recorded and pages nobody; when the window ends it pages level 1', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const id = await trigger('disk-full');
    await h.tick();
    expect(h.paged()).toEqual([]);
    const events = await timeline(id);
    expect(events.map((e) => e.kind)).toEqual(['triggered', 'maintenance']);
    expect(events[1]!.message).toBe('in maintenance window sunday-maintenance until 2026-03-08T11:00Z (Weekly patching); nobody paged');
    const shown = await h.api('GET', '/api/v1/maintenance-windows');
    const w = (shown.body.windows as Record<string, unknown>[])[0]!;
    expect(w).toMatchObject({ name: 'sunday-maintenance', managed_by: 'file', state: 'active', held_alerts: 1, current: { starts_at: '2026-03-08T08:00:00.000Z', ends_at: '2026-03-08T11:00:00.000Z' } });
    // Next Sunday is CDT: 02:00-06:00 local is 07:00-11:00 UTC.
    expect((w.next as { starts_at: string }[])[1]).toEqual({ starts_at: '2026-03-15T07:00:00.000Z', ends_at: '2026-03-15T11:00:00.000Z' });
    expect((await h.api('GET', `/api/v1/alerts/${id}`)).body.alert).toMatchObject({ maintenance_by: w.id, escalation: { next_escalation_at: '2026-03-08T11:00:00.000Z' } });

    // The policy's 10-minute escalation does not run inside the window.
    await h.advanceMinutes(179);
    expect(h.paged()).toEqual([]);
    await h.advanceMinutes(1);
    expect(h.paged()).toEqual(['alice@example.com']);
    expect((await timeline(id)).map((e) => e.kind)).toEqual(expect.arrayContaining(['maintenance', 'maintenance_over', 'notified']));

    // Another service, and an alert after the window, page as usual.
    h.smtp.clear();
    await trigger('after-window');
    await h.tick();
    expect(h.paged()).toEqual(['alice@example.com']);
  });

  it('a silence that ends inside the window hands the alert to the window', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    expect((await h.api('POST', '/api/v1/silences', { matchers: 'service=Backend', duration: '30m', comment: 'deploy' })).status).toBe(201);
    const id = await trigger('deploy-noise');
    await h.advanceMinutes(31);
    expect(h.paged()).toEqual([]);
    const events = await timeline(id);
    expect(events.map((e) => e.kind)).toEqual(['triggered', 'silenced', 'maintenance']);
    await h.advanceMinutes(150);
    expect(h.paged()).toEqual(['alice@example.com']);
  });

  it('a silence that outlasts the window pages once when it ends, then escalates as usual', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const id = await trigger('long-work');
    expect((await h.api('POST', '/api/v1/silences', { matchers: 'service=Backend', duration: '4h', comment: 'deploy' })).status).toBe(201);
    await h.advanceMinutes(200);
    expect(h.paged()).toEqual([]);
    await h.advanceMinutes(40);
    expect(h.paged()).toEqual(['alice@example.com']);
    await h.advanceMinutes(10);
    expect(h.paged()).toEqual(['alice@example.com', 'carol@example.com']);
    expect((await h.api('GET', `/api/v1/alerts/${id}`)).body.alert).toMatchObject({ maintenance_by: null, silenced_by: null });
  });

  it('a window over 4h waits for a manager and mutes nothing until approved', async () => {
    h = await Harness.start(kind, { orgYaml: ORG, start: '2026-03-10T15:00:00Z' });
    const bob = await userToken('bob', 'responder');
    const created = await h.api('POST', '/api/v1/maintenance-windows', { services: ['Backend'], duration: '6h', comment: 'Database upgrade' }, bob);
    expect(created.status).toBe(201);
    const win = created.body.window as { id: string; state: string; approval: { state: string; reasons: string[]; waiting_for: string[] } };
    expect(win.state).toBe('pending-approval');
    expect(win.approval.reasons).toEqual([
      'longer than 4h (6h; maintenance_policy.approval_over)',
      'off-schedule: outside the preferred window (FREQ=WEEKLY;BYDAY=SU 02:00 for 4h, America/Chicago; maintenance_policy.preferred)',
    ]);
    expect(win.approval.waiting_for).toEqual(['a manager']);

    // Pending: alerts page as usual.
    // Bob is on call this week (alice was last week).
    await trigger('before-approval');
    await h.tick();
    expect(h.paged()).toEqual(['bob@example.com']);
    h.smtp.clear();

    // The author cannot approve, a responder cannot; a manager can.
    expect((await h.api('POST', `/api/v1/maintenance-windows/${win.id}/approve`, undefined, bob)).status).toBe(403);
    const carol = await userToken('carol', 'manager');
    const ok = await h.api('POST', `/api/v1/maintenance-windows/${win.id}/approve`, undefined, carol);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ approved: true, waiting_for: [], window: { state: 'active', approval: { state: 'approved' } } });

    const id = await trigger('after-approval');
    await h.tick();
    expect(h.paged()).toEqual([]);
    expect((await timeline(id)).map((e) => e.kind)).toEqual(['triggered', 'maintenance']);

    // Ended early: the alert it held pages at once.
    const end = await h.api('DELETE', `/api/v1/maintenance-windows/${win.id}`, undefined, bob);
    expect(end.status).toBe(200);
    expect((end.body.window as { state: string }).state).toBe('over');
    await h.tick();
    expect(h.paged()).toEqual(['bob@example.com']);
    expect((await timeline(id)).map((e) => e.kind)).toContain('maintenance_over');
  });

  it('warns about a shift change during the window, and still creates it', async () => {
    h = await Harness.start(kind, { orgYaml: ORG, start: '2026-03-10T15:00:00Z' });
    const res = await h.api('POST', '/api/v1/maintenance-windows', {
      name: 'Network cut-over',
      services: 'Backend',
      starts_at: '2026-03-15T22:00:00Z',
      ends_at: '2026-03-16T02:00:00Z',
      comment: 'Core switch replacement',
    });
    expect(res.status).toBe(201);
    expect(res.body.warnings).toEqual([
      {
        schedule: 'Platform Primary',
        at: '2026-03-16T00:00:00.000Z',
        outgoing: 'bob',
        incoming: 'alice',
        on_call: ['bob', 'alice'],
        window: { starts_at: '2026-03-15T22:00:00.000Z', ends_at: '2026-03-16T02:00:00.000Z' },
        message: 'Platform Primary hands over from bob to alice at Mon 2026-03-16 00:00 UTC, during this window: coordinate with bob and alice, on call for Platform Primary',
      },
    ]);
    expect((res.body.window as { state: string }).state).toBe('pending-approval');

    const quiet = await h.api('POST', '/api/v1/maintenance-windows/preview', { services: ['Backend'], starts_at: '2026-03-15T08:00:00Z', duration: '2h', comment: 'Patching' });
    expect(quiet.status).toBe(200);
    expect(quiet.body).toMatchObject({ warnings: [], needs_approval: [], occurrences: [{ starts_at: '2026-03-15T08:00:00.000Z', ends_at: '2026-03-15T10:00:00.000Z' }] });
  });

  it('QAWave: the handbook\'s Sunday 02:00-06:00 window holds an alert; off-schedule maintenance needs a manager', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/handbooks/qawave.yaml', start: '2026-03-15T03:00:00Z' });
    const id = await trigger('disk-full-db1', 'qawave0events0v20000000000000000');
    await h.tick();
    expect(h.paged()).toEqual([]);
    expect((await timeline(id)).at(-1)!.message).toBe('in maintenance window sunday-maintenance until 2026-03-15T06:00Z (Preferred window: Sundays 2:00 AM - 6:00 AM (lowest traffic)); nobody paged');
    await h.advanceMinutes(180);
    expect(h.paged()).toEqual(['primary-oncall@qawave.example.com']);

    const offSchedule = await h.api('POST', '/api/v1/maintenance-windows', { services: ['QAWave Backend'], starts_at: '2026-03-17T14:00:00Z', duration: '1h', comment: 'Hotfix deploy' });
    expect(offSchedule.status).toBe(201);
    expect(offSchedule.body.window).toMatchObject({
      state: 'pending-approval',
      approval: { reasons: ['off-schedule: outside the preferred window (FREQ=WEEKLY;BYDAY=SU 02:00 for 4h, UTC; maintenance_policy.preferred)'], waiting_for: ['a manager'] },
    });
  });

  it('the handoff note lists the maintenance of the coming shift', async () => {
    h = await Harness.start(kind, { orgYaml: ORG, start: '2026-03-08T23:30:00Z' });
    await h.tick();
    await h.advanceMinutes(31);
    const notes = (await h.api('GET', `/api/v1/handoffs?schedule=${encodeURIComponent('Platform Primary')}`)).body.notes as { id: number }[];
    expect(notes).toHaveLength(1);
    const note = await h.api('GET', `/api/v1/handoffs/${notes[0]!.id}`);
    expect(note.body.maintenance).toEqual([{ name: 'sunday-maintenance', scope: 'Backend', starts_at: '2026-03-15T07:00:00.000Z', ends_at: '2026-03-15T11:00:00.000Z', comment: 'Weekly patching' }]);
    expect(note.body.text).toContain('### Upcoming Maintenance\n- Sun 15 Mar 07:00 – 11:00 UTC: sunday-maintenance (Backend): Weekly patching; alerts opening in it page nobody\n');
  });

  it('windows made through the API are pruned with the record, once over for the retention period', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/demo.yaml' });
    expect((await h.api('POST', '/api/v1/maintenance-windows', { services: ['Checkout API'], duration: '1h', comment: 'Cache flush' })).status).toBe(201);
    const names = async () => ((await h!.api('GET', '/api/v1/maintenance-windows')).body.windows as { name: string }[]).map((w) => w.name);
    await h.advanceMinutes(24 * 60);
    expect(await names()).toEqual(['Cache flush']);
    // Listed for 5 days after it is over (it ended at 09:00 on the first day).
    await h.advanceMinutes(4 * 24 * 60 + 59);
    expect(await names()).toEqual(['Cache flush']);
    await h.advanceMinutes(2);
    expect(await names()).toEqual([]);
    expect(await h.store.db.selectFrom('maintenance_windows').select('id').execute()).toHaveLength(1);
    await h.advanceMinutes(180 * 24 * 60);
    expect(await h.store.db.selectFrom('maintenance_windows').select('id').execute()).toHaveLength(0);
  });

  it('file windows cannot be ended through the API; export then apply changes nothing', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const list = await h.api('GET', '/api/v1/maintenance-windows');
    const id = (list.body.windows as { id: string }[])[0]!.id;
    const end = await h.api('DELETE', `/api/v1/maintenance-windows/${id}`);
    expect(end.status).toBe(409);
    expect((end.body.error as { message: string }).message).toBe('window "sunday-maintenance" is defined in the org file; remove or change it there and apply the file');

    // An ad hoc window is not part of the file and survives an apply.
    expect((await h.api('POST', '/api/v1/maintenance-windows', { matchers: 'team="db"', duration: '1h', comment: 'Vacuum' })).status).toBe(201);
    const exported = await h.api('GET', '/api/v1/config');
    const file = exported.body as Record<string, unknown>;
    expect(file.maintenance_policy).toEqual({ approval_over: '4h', approvers: [{ role: 'manager' }], preferred: { rrule: 'FREQ=WEEKLY;BYDAY=SU', time_zone: 'America/Chicago', start: '02:00', duration: '4h' } });
    expect(file.maintenance_windows).toEqual([{ name: 'sunday-maintenance', services: ['Backend'], rrule: 'FREQ=WEEKLY;BYDAY=SU', time_zone: 'America/Chicago', start: '02:00', duration: '4h', comment: 'Weekly patching' }]);
    const again = await h.api('POST', '/api/v1/config/apply', { yaml: stringify(file) });
    expect(again.status).toBe(200);
    expect(again.body.changes).toEqual([]);

    // Removing the window from the file removes it; the ad hoc one stays.
    const edited = parseYaml(stringify(file)) as Record<string, unknown>;
    delete edited.maintenance_windows;
    const applied = await h.api('POST', '/api/v1/config/apply', { yaml: stringify(edited) });
    expect(applied.body.changes).toEqual([{ action: 'delete', kind: 'maintenance_window', name: 'sunday-maintenance' }]);
    const after = await h.api('GET', '/api/v1/maintenance-windows');
    expect((after.body.windows as { name: string }[]).map((w) => w.name)).toEqual(['Vacuum']);
  });
});
