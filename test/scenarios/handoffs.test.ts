import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { PLATFORM_YAML } from '../helpers/platform-org.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Shift handoffs on the fake clock with the Mahavishnu handbook's schedules: primary and shadow
 * rotate weekly on Monday 00:00 UTC, and the outgoing person is reminded on Sunday at 23:00.
 * Week of 2026-02-16: primary alice, shadow bob; week of 2026-02-23: primary charlie, shadow alice.
 * Every notice is read back from the real SMTP capture, after the notice outbox delivered it.
 */
const MAHAVISHNU = 'examples/handbooks/mahavishnu.yaml';
const KEY = 'mahavishnu0events0v2000000000000';
const mail = (user: string, domain = 'mahavishnu.example.com') => `${user}@${domain}`;

interface Notice {
  to: string;
  kind: string;
  subject: string;
  text: string;
}

describe.each(storeKinds)('shift handoffs on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  /** Every notice delivered so far, decoded. */
  const notices = async (): Promise<Notice[]> =>
    Promise.all(
      h.smtp.messages
        .filter((m) => /^X-Watchkeeper-Notice: /m.test(m.raw))
        .map(async (m) => {
          const p = await simpleParser(m.raw);
          return { to: m.to[0] ?? '', kind: String(p.headers.get('x-watchkeeper-notice')), subject: p.subject ?? '', text: p.text ?? '' };
        }),
    );
  const of = async (user: string, k?: string, domain?: string) => (await notices()).filter((n) => n.to === mail(user, domain) && (k === undefined || n.kind === k));
  const summary = async () => (await notices()).map((n) => `${n.kind} -> ${n.to.split('@')[0]}`).sort();

  const tokenFor = async (user: string, role = 'responder') => (await createToken(h.app.ctx, systemTestActor, { name: `${user}'s token`, role, user })).token;
  const trigger = async (dedupKey: string, summaryText: string, severity: string) => {
    const res = await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: dedupKey, payload: { summary: summaryText, source: 'prod', severity } });
    expect(res.status).toBe(202);
    await h.tick();
  };
  const at = async (isoTime: string) => {
    const t = Date.parse(isoTime);
    expect(t).toBeGreaterThanOrEqual(h.clock.now());
    h.clock.advance(t - h.clock.now());
    await h.tick();
  };

  it('reminds the outgoing person at Sunday 23:00, hands the note to the incoming one at Monday 00:00, each notice once', async () => {
    h = await Harness.start(kind, { orgFile: MAHAVISHNU, start: '2026-02-21T22:00:00Z' });
    await h.tick();
    const alice = await tokenFor('alice');
    const charlie = await tokenFor('charlie');

    // Sunday 00:00: the people on call from Monday hear it 24 hours ahead.
    await at('2026-02-22T00:00:00Z');
    expect(await summary()).toEqual(['oncall_soon -> alice', 'oncall_soon -> charlie']);
    const [soon] = await of('charlie', 'oncall_soon');
    expect(soon?.subject).toBe('You are on call for mahavishnu-primary in 24 hours (Mon 23 Feb 00:00 UTC – Mon 2 Mar 00:00 UTC)');
    expect(soon?.text).toContain('You take over from alice');

    // Alice's Sunday: three real alerts through the Events API.
    await at('2026-02-22T09:00:00Z');
    await trigger('api-down', 'API down in eu-west-1', 'critical');
    await trigger('queue-lag', 'Task queue lag above 5 minutes', 'error');
    await trigger('disk-db1', 'db1 disk 85% full', 'warning');
    const ids = ((await h.api('GET', '/api/v1/alerts?status=triggered')).body.alerts as { id: number; dedup_key: string }[]).reduce<Record<string, number>>((m, a) => ({ ...m, [a.dedup_key]: a.id }), {});
    expect((await h.api('POST', `/api/v1/alerts/${ids['api-down']}/acknowledge`, {}, alice)).status).toBe(200);
    expect((await h.api('POST', `/api/v1/alerts/${ids['disk-db1']}/resolve`, {}, alice)).status).toBe(200);
    const watch = await h.api('POST', '/api/v1/handoffs/watch-items', { text: 'db1 disk grows 2% a day: expand the volume before Wednesday', alert_id: ids['disk-db1'], schedule: 'mahavishnu-primary' }, alice);
    expect(watch.status).toBe(201);

    // Sunday noon: alice, shadow from Monday, is off sick on Monday; diana covers her first day.
    // Placed after the 24-hour notice: diana, not alice, hears that the shift has started.
    await at('2026-02-22T12:00:00Z');
    const cover = await h.api('POST', '/api/v1/schedules/mahavishnu-shadow/overrides', { start: '2026-02-23T00:00Z', end: '2026-02-24T00:00Z', user: 'diana', replaces: 'alice', note: 'alice is off sick' });
    expect(cover.status).toBe(201);
    await h.tick();
    expect((await of('diana', 'schedule_change'))[0]?.subject).toBe('Schedule change: you are on call for mahavishnu-shadow Mon 23 Feb 00:00 UTC – Tue 24 Feb 00:00 UTC');
    expect((await of('alice', 'schedule_change'))[0]?.subject).toBe('Schedule change: you are no longer on call for mahavishnu-shadow Mon 23 Feb 00:00 UTC – Tue 24 Feb 00:00 UTC');

    // Not yet at 22:59; at 23:00 both outgoing people are reminded.
    await at('2026-02-22T22:59:00Z');
    expect(await of('alice', 'handoff_reminder')).toEqual([]);
    await at('2026-02-22T23:00:00Z');
    const [reminder] = await of('alice', 'handoff_reminder');
    expect(reminder?.subject).toBe('Handoff in 1 hour: mahavishnu-primary passes to charlie at Mon 23 Feb 00:00 UTC');
    expect(reminder?.text).toContain('Open now on the schedule\'s services: 1 triggered, 1 acknowledged.');
    expect((await of('bob', 'handoff_reminder'))[0]?.subject).toBe('Handoff in 1 hour: mahavishnu-shadow passes to diana at Mon 23 Feb 00:00 UTC');

    // Monday 00:00: the handoff, with a second process on the same database ticking at the same
    // moment (on PostgreSQL through its own connection pool).
    const second = h.newApp((await h.store.another?.()) ?? h.store);
    await second.tick();
    h.clock.advance(Date.parse('2026-02-23T00:00:00Z') - h.clock.now());
    await Promise.all([h.tick(), second.tick()]);
    await h.tick();
    const [noteMail] = await of('charlie', 'handoff_note');
    expect(noteMail?.subject).toBe('Handoff note for mahavishnu-primary from alice: 3 alerts (critical 1, high 1, medium 1), 2 open');
    expect(noteMail?.text).toContain('## On-Call Handoff: 2026-02-23 (mahavishnu-primary)');
    expect(noteMail?.text).toContain('- db1 disk grows 2% a day: expand the volume before Wednesday (alert #');
    expect(noteMail?.text).toMatch(/- \[ \] #\d+ \[critical\] Mahavishnu API: API down in eu-west-1, acknowledged \(acknowledged by alice\)/);
    const noteUrl = /http:\/\/watchkeeper\.test\/handoffs\/(\d+)/.exec(noteMail?.text ?? '');
    expect(noteUrl).not.toBeNull();
    const noteId = Number(noteUrl?.[1]);
    expect((await of('charlie', 'shift_started'))[0]?.subject).toBe('Your shift has started: on call for mahavishnu-primary until Mon 2 Mar 00:00 UTC');
    expect((await of('diana', 'shift_started'))[0]?.subject).toBe('Your shift has started: on call for mahavishnu-shadow until Tue 24 Feb 00:00 UTC');
    expect((await of('diana', 'handoff_note'))[0]?.subject).toBe('Handoff note for mahavishnu-shadow from bob: 3 alerts (critical 1, high 1, medium 1), 2 open');
    expect(await of('alice', 'shift_started')).toEqual([]);
    // Alice's shadow shift now starts after diana's cover: she hears it 24 hours ahead again.
    expect((await of('alice', 'oncall_soon')).map((n) => n.subject)).toEqual([
      'You are on call for mahavishnu-shadow in 24 hours (Mon 23 Feb 00:00 UTC – Mon 2 Mar 00:00 UTC)',
      'You are on call for mahavishnu-shadow in 24 hours (Tue 24 Feb 00:00 UTC – Mon 2 Mar 00:00 UTC)',
    ]);

    // The note through the API: the shift's real alerts, grouped by severity.
    const note = await h.api('GET', `/api/v1/handoffs/${noteId}`, undefined, charlie);
    expect(note.status).toBe(200);
    expect(note.body).toMatchObject({
      schedule: 'mahavishnu-primary',
      outgoing: 'alice',
      incoming: 'charlie',
      handoff_at: '2026-02-23T00:00:00.000Z',
      shift_start: '2026-02-16T00:00:00.000Z',
      read_at: null,
      summary: { total: 3, triggered: 1, acknowledged: 1 },
      hand_over: { count: 1, alerts: [{ id: ids['api-down'], summary: 'API down in eu-west-1' }] },
    });
    const b = note.body as { alerts_by_severity: { severity: string; alerts: { summary: string; status: string }[] }[]; open: { summary: string; status: string }[]; watch_items: { text: string; author: string }[]; changes: { action: string; actor: string }[] };
    expect(b.alerts_by_severity.map((g) => [g.severity, g.alerts.map((a) => `${a.summary} (${a.status})`)])).toEqual([
      ['critical', ['API down in eu-west-1 (acknowledged)']],
      ['high', ['Task queue lag above 5 minutes (triggered)']],
      ['medium', ['db1 disk 85% full (resolved)']],
    ]);
    expect(b.open.map((a) => a.status)).toEqual(['acknowledged', 'triggered']);
    expect(b.watch_items).toMatchObject([{ text: 'db1 disk grows 2% a day: expand the volume before Wednesday', author: 'alice' }]);
    // The organisation was set up during alice's shift: those are its recent changes.
    expect(b.changes.map((c) => `${c.action} by ${c.actor}`)).toEqual(['team.create by test', 'schedule.create by test', 'escalation_policy.create by test', 'service.create by test']);
    // The shadow's note lists the override placed on Sunday as a recent change.
    const shadowNotes = (await h.api('GET', '/api/v1/handoffs?schedule=mahavishnu-shadow')).body.notes as { id: number }[];
    const shadowNote = await h.api('GET', `/api/v1/handoffs/${shadowNotes[0]?.id}`);
    expect((shadowNote.body.changes as { action: string; actor: string }[]).map((c) => `${c.action} by ${c.actor}`).at(-1)).toBe('schedule_override.create by test admin');
    expect(shadowNote.body.text).toContain('override placed on mahavishnu-shadow by test admin');

    // Many ticks of both processes: nothing more is sent.
    const before = await summary();
    for (let i = 0; i < 5; i++) {
      h.clock.advanceMinutes(1);
      await Promise.all([h.tick(), second.tick()]);
    }
    await h.tick();
    await second.stop();
    expect(await summary()).toEqual(before);
    expect(before).toEqual([
      'handoff_note -> charlie',
      'handoff_note -> diana',
      'handoff_reminder -> alice',
      'handoff_reminder -> bob',
      'oncall_soon -> alice',
      'oncall_soon -> alice',
      'oncall_soon -> charlie',
      'schedule_change -> alice',
      'schedule_change -> diana',
      'shift_started -> charlie',
      'shift_started -> diana',
    ]);

    // Charlie reads it and takes over alice's acknowledged alert in one action.
    expect((await h.api('GET', '/api/v1/handoffs?unread=true', undefined, charlie)).body.unread).toBe(1);
    const read = await h.api('POST', `/api/v1/handoffs/${noteId}/read`, {}, charlie);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ read_at: '2026-02-23T00:05:00.000Z', read_by: 'charlie' });
    expect((await h.api('GET', '/api/v1/handoffs', undefined, charlie)).body.unread).toBe(0);
    const moved = await h.api('POST', `/api/v1/handoffs/${noteId}/hand-over`, {}, charlie);
    expect(moved.status).toBe(200);
    expect(moved.body.handed_over).toEqual([ids['api-down']]);
    const alert = await h.api('GET', `/api/v1/alerts/${ids['api-down']}`);
    expect((alert.body.alert as { status: string; acknowledged_by: string }).acknowledged_by).toBe('charlie');
    expect((alert.body.timeline as { kind: string; message: string }[]).at(-1)).toMatchObject({
      kind: 'handed_over',
      message: 'handed over from alice to charlie by charlie via api (handoff of mahavishnu-primary at Mon 23 Feb 00:00 UTC); acknowledged by charlie',
    });
    const auditEntries = (await h.api('GET', '/api/v1/audit?limit=5')).body.entries as { action: string; actor: { name: string } | string }[];
    expect(auditEntries.map((e) => e.action)).toContain('handoff_note.hand_over');
    // Nothing left to hand over.
    expect((await h.api('GET', `/api/v1/handoffs/${noteId}`)).body.hand_over).toEqual({ count: 0, alerts: [] });
    expect((await h.api('POST', `/api/v1/handoffs/${noteId}/hand-over`, {}, charlie)).body.handed_over).toEqual([]);
  });

  it('lists the incidents open during the shift in the handoff note: still open first, with their commander', async () => {
    h = await Harness.start(kind, { orgFile: MAHAVISHNU, start: '2026-02-21T22:00:00Z' });
    await h.tick();
    const alice = await tokenFor('alice');
    const charlie = await tokenFor('charlie');
    await at('2026-02-22T09:00:00Z');
    await trigger('api-down', 'API down in eu-west-1', 'critical');
    const [apiDown] = (await h.api('GET', '/api/v1/alerts?status=triggered')).body.alerts as { id: number }[];
    const open = await h.api('POST', '/api/v1/incidents', { title: 'API down in eu-west-1', severity: 'critical', alerts: [apiDown?.id], commander: 'alice' }, alice);
    expect(open.status).toBe(201);
    await at('2026-02-22T10:00:00Z');
    const brief = await h.api('POST', '/api/v1/incidents', { title: 'Slow logins', severity: 'high', services: ['Mahavishnu API'], commander: 'alice' }, alice);
    expect(brief.status).toBe(201);
    const briefId = (brief.body.incident as { id: number }).id;
    await at('2026-02-22T10:40:00Z');
    expect((await h.api('PATCH', `/api/v1/incidents/${briefId}`, { status: 'resolved' }, alice)).status).toBe(200);
    // Declared and resolved before the shift: not in the note.
    await at('2026-02-23T00:00:00Z');
    await h.tick();
    const [noteMail] = await of('charlie', 'handoff_note');
    expect(noteMail?.text).toContain('- Incidents: 2 (1 still open)');
    expect(noteMail?.text).toMatch(/### Incidents\n- #\d+ \[critical\] API down in eu-west-1: investigating, commander alice, declared Sun 22 Feb 09:00\n- #\d+ \[high\] Slow logins: resolved, commander alice, declared Sun 22 Feb 10:00, resolved Sun 22 Feb 10:40\n/);
    const noteId = Number(/\/handoffs\/(\d+)/.exec(noteMail?.text ?? '')?.[1]);
    const note = await h.api('GET', `/api/v1/handoffs/${noteId}`, undefined, charlie);
    expect((note.body.incidents as { title: string; status: string; commander: string; resolved_at: string | null }[]).map((i) => [i.title, i.status, i.commander, i.resolved_at])).toEqual([
      ['API down in eu-west-1', 'investigating', 'alice', null],
      ['Slow logins', 'resolved', 'alice', '2026-02-22T10:40:00.000Z'],
    ]);
  });

  it('tells the people an override, its removal and a swap move, but not the person who made the change about their own time', async () => {
    h = await Harness.start(kind, { orgFile: MAHAVISHNU, start: '2026-02-17T12:00:00Z' });
    await h.tick();
    const alice = await tokenFor('alice');
    // Alice (primary this week) asks diana to cover her Wednesday: diana hears it, alice made it.
    const o = await h.api('POST', '/api/v1/schedules/mahavishnu-primary/overrides', { start: '2026-02-18T00:00Z', end: '2026-02-19T00:00Z', user: 'diana', replaces: 'alice', note: 'dentist' }, alice);
    expect(o.status).toBe(201);
    await h.tick();
    expect(await summary()).toEqual(['schedule_change -> diana']);
    const [toDiana] = await of('diana');
    expect(toDiana?.subject).toBe('Schedule change: you are on call for mahavishnu-primary Wed 18 Feb 00:00 UTC – Thu 19 Feb 00:00 UTC');
    expect(toDiana?.text).toContain('alice placed an override on mahavishnu-primary (note: dentist).');

    // An admin removes it: both hear it, the other way round.
    h.smtp.clear();
    const id = (o.body.override as { id: string }).id;
    expect((await h.api('DELETE', `/api/v1/schedules/mahavishnu-primary/overrides/${id}`)).status).toBe(200);
    await h.tick();
    expect(await summary()).toEqual(['schedule_change -> alice', 'schedule_change -> diana']);
    expect((await of('diana'))[0]?.subject).toBe('Schedule change: you are no longer on call for mahavishnu-primary Wed 18 Feb 00:00 UTC – Thu 19 Feb 00:00 UTC');
    expect((await of('alice'))[0]?.subject).toBe('Schedule change: you are on call for mahavishnu-primary Wed 18 Feb 00:00 UTC – Thu 19 Feb 00:00 UTC');

    // A swap: alice's Friday for charlie's Tuesday next week. Each gains one day and loses one.
    h.smtp.clear();
    const swap = await h.api('POST', '/api/v1/schedules/mahavishnu-primary/swaps', {
      a: { user: 'alice', start: '2026-02-20T00:00Z', end: '2026-02-21T00:00Z' },
      b: { user: 'charlie', start: '2026-02-24T00:00Z', end: '2026-02-25T00:00Z' },
      note: 'trading days',
    });
    expect(swap.status).toBe(201);
    await h.tick();
    expect(await summary()).toEqual(['schedule_change -> alice', 'schedule_change -> charlie']);
    const [toCharlie] = await of('charlie');
    expect(toCharlie?.subject).toBe('Schedule change: your shifts in mahavishnu-primary changed');
    expect(toCharlie?.text).toContain('You are now on call:\n  Fri 20 Feb 00:00 UTC – Sat 21 Feb 00:00 UTC');
    expect(toCharlie?.text).toContain('You are no longer on call:\n  Tue 24 Feb 00:00 UTC – Wed 25 Feb 00:00 UTC');
    // Once each, however often the engine ticks.
    await h.advanceMinutes(2);
    expect(await summary()).toHaveLength(2);
  });

  it('office hours: the shift-started notice each morning, no handoff note without an outgoing person, no 24-hour notice while on call', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML, start: '2026-03-09T08:00:00Z' });
    await h.tick();
    for (let i = 0; i < 26; i++) await h.advanceMinutes(60); // to Tuesday 10:00
    const toDiana = (await of('diana', undefined, 'example.com')).map((n) => `${n.kind}: ${n.subject}`);
    expect(toDiana).toEqual([
      'shift_started: Your shift has started: on call for office-hours until Mon 9 Mar 17:00 UTC',
      'shift_started: Your shift has started: on call for office-hours until Tue 10 Mar 17:00 UTC',
    ]);
    expect(((await h.api('GET', '/api/v1/handoffs?schedule=office-hours')).body.notes as unknown[]).length).toBe(0);
  });

  it('after downtime over a shift change, sends that change’s notices once on restart; beyond the catch-up limit it skips them', async () => {
    h = await Harness.start(kind, { orgFile: MAHAVISHNU, start: '2026-02-22T22:30:00Z' });
    await h.tick();
    // The only process stops at 22:30 and is down for three hours, over the 23:00 reminder and
    // the Monday 00:00 handoff.
    await h.app.stop();
    h.clock.advanceMinutes(180);
    h.app = h.newApp(h.store);
    await h.tick();
    await h.tick();
    h.clock.advanceMinutes(2);
    await h.tick();
    // The reminder is for a handoff that has passed: not sent. The handoff itself is.
    expect(await summary()).toEqual(['handoff_note -> alice', 'handoff_note -> charlie', 'shift_started -> alice', 'shift_started -> charlie']);

    // A cover for two hours at Monday noon; then down again from 01:32 to 23:32, 22 hours, past
    // the 6-hour catch-up limit: the noon and 14:00 changes are not announced late.
    const cover = await h.api('POST', '/api/v1/schedules/mahavishnu-shadow/overrides', { start: '2026-02-23T12:00Z', end: '2026-02-23T14:00Z', user: 'diana', replaces: 'alice' });
    expect(cover.status).toBe(201);
    await h.tick();
    await h.app.stop();
    h.clock.advanceMinutes(22 * 60);
    h.app = h.newApp(h.store);
    await h.tick();
    expect(await summary()).toEqual([
      'handoff_note -> alice',
      'handoff_note -> charlie',
      'schedule_change -> alice',
      'schedule_change -> diana',
      'shift_started -> alice',
      'shift_started -> charlie',
    ]);
    // The scan goes on from there: nothing is owed.
    await h.advanceMinutes(5);
    expect(await summary()).toHaveLength(6);
  });
});
