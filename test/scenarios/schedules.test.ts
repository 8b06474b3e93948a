import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { PLATFORM_KEY, PLATFORM_YAML } from '../helpers/platform-org.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Escalation levels that target schedules, on the fake clock: whoever is on call when the level
 * is notified is paged, overrides included, even ones placed after the alert fired. The clock
 * starts Sunday 2026-03-08 08:00 UTC (see platform-org.ts for who is on call).
 */
describe.each(storeKinds)('schedule targets on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const trigger = async (dedupKey = 'disk-full') => {
    const res = await h.enqueue({ routing_key: PLATFORM_KEY, event_action: 'trigger', dedup_key: dedupKey, payload: { summary: 'Disk full on db1', source: 'db1', severity: 'critical' } });
    expect(res.status).toBe(202);
    await h.tick();
  };
  const timeline = async (id = 1) => ((await h.api('GET', `/api/v1/alerts/${id}`)).body.timeline as { kind: string; message: string }[]).map((e) => `${e.kind}: ${e.message}`);

  it('pages the primary on call, notes that nobody is on call in office hours on a Sunday, then pages the shadow', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    await trigger();
    expect(h.paged()).toEqual(['bob@example.com']);
    await h.advanceMinutes(5);
    // Office hours has nobody on a Sunday: no page, a note, and the level still times out.
    expect(h.paged()).toEqual(['bob@example.com']);
    await h.advanceMinutes(4);
    expect(h.paged()).toHaveLength(1);
    await h.advanceMinutes(1);
    expect(h.paged()).toEqual(['bob@example.com', 'alice@example.com']);
    expect(await timeline()).toEqual([
      'triggered: triggered via events (events_v2): Disk full on db1',
      'notified: alert opened: notifying level 1: bob',
      'page_sent: paged bob via email (bob@example.com): 250 OK: message queued',
      'notified: not acknowledged within 5 min: level 2 has no one to notify',
      'unreachable: nobody is on call in schedule office-hours',
      'notified: not acknowledged within 5 min: notifying level 3: alice',
      'page_sent: paged alice via email (alice@example.com): 250 OK: message queued',
    ]);
  });

  it('honours an override placed after the alert fired: the next level pages the cover, not the rotation', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    await trigger();
    expect(h.paged()).toEqual(['bob@example.com']);
    // Alice (the shadow this week) is off sick: erin covers her from now for a day.
    const start = new Date(h.clock.now()).toISOString();
    const end = new Date(h.clock.now() + 86_400_000).toISOString();
    const o = await h.api('POST', '/api/v1/schedules/platform-shadow/overrides', { start, end, user: 'erin', replaces: 'alice', note: 'alice is off sick' });
    expect(o.status).toBe(201);
    await h.advanceMinutes(5); // office hours: nobody
    await h.advanceMinutes(5);
    expect(h.paged()).toEqual(['bob@example.com', 'erin@example.com']);
  });

  it('pages whoever is on call at the moment of the level, across a handoff', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML, start: '2026-03-08T23:58:00Z' });
    await trigger();
    expect(h.paged()).toEqual(['bob@example.com']);
    // 00:00 Monday: the primary becomes diana and the shadow bob. Level 3 at 00:08 pages bob.
    await h.advanceMinutes(5);
    await h.advanceMinutes(5);
    expect(h.paged()).toEqual(['bob@example.com', 'bob@example.com']);
    // A new alert after the handoff pages the new primary.
    await trigger('another');
    expect(h.paged().at(-1)).toBe('diana@example.com');
  });

  it('Mahavishnu: the primary on call is paged at once and the shadow on call at 5 minutes', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/handbooks/mahavishnu.yaml', start: '2026-02-18T12:00:00Z' });
    const res = await h.enqueue({ routing_key: 'mahavishnu0events0v2000000000000', event_action: 'trigger', dedup_key: 'x', payload: { summary: 'API down', source: 'api', severity: 'critical' } });
    expect(res.status).toBe(202);
    await h.tick();
    // "Week of 2026-02-16: Primary @alice, Shadow @bob"
    expect(h.paged()).toEqual(['alice@mahavishnu.example.com']);
    await h.advanceMinutes(5);
    expect(h.paged()).toEqual(['alice@mahavishnu.example.com', 'bob@mahavishnu.example.com']);
  });
});
