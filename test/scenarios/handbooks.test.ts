import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * The handbooks' "Escalation Paths" sections, run as written: fire an alert, move the clock, expect
 * the right person's email. Every page goes through a real SMTP server on loopback.
 */
const hb = (name: string) => `examples/handbooks/${name}.yaml`;

describe.each(storeKinds)('handbook escalation on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  /** PagerDuty severities go through Events v2; the handbooks' own words (P0…) through the API. */
  const trigger = async (routingKey: string, severity: string, dedupKey = 'disk-full-db1') => {
    if (['critical', 'error', 'warning', 'info'].includes(severity)) {
      const res = await h.enqueue({ routing_key: routingKey, event_action: 'trigger', dedup_key: dedupKey, payload: { summary: 'Disk full on db1', source: 'db1', severity } });
      expect(res.status).toBe(202);
    } else {
      const services = await h.api('GET', '/api/v1/services');
      const service = (services.body.services as { name: string }[])[0]?.name;
      const res = await h.api('POST', '/api/v1/alerts', { service, summary: 'Disk full on db1', source: 'db1', severity, dedup_key: dedupKey });
      expect(res.status).toBe(201);
    }
    await h.tick();
  };
  const at = (domain: string) => (user: string) => `${user}@${domain}`;

  it('Mahavishnu: pages the primary on call (bob, week of 2026-03-02) at once, the shadow (charlie) at 5 min, T2 at 20, T3 at 50 and T4 at 110 for critical', async () => {
    h = await Harness.start(kind, { orgFile: hb('mahavishnu') });
    const m = at('mahavishnu.example.com');
    await trigger('mahavishnu0events0v2000000000000', 'P0');
    expect(h.paged()).toEqual([m('bob')]);
    await h.advanceMinutes(4);
    expect(h.paged()).toHaveLength(1);
    await h.advanceMinutes(1); // 5
    expect(h.paged()).toEqual([m('bob'), m('charlie')]);
    await h.advanceMinutes(14); // 19
    expect(h.paged()).toHaveLength(2);
    await h.advanceMinutes(1); // 20
    expect(h.paged().at(-1)).toBe(m('team-lead'));
    await h.advanceMinutes(30); // 50
    expect(h.paged().at(-1)).toBe(m('eng-manager'));
    await h.advanceMinutes(59); // 109
    expect(h.paged()).toHaveLength(4);
    await h.advanceMinutes(1); // 110
    expect(h.paged()).toEqual([m('bob'), m('charlie'), m('team-lead'), m('eng-manager'), m('vp-eng')]);
    await h.advanceMinutes(600);
    expect(h.paged()).toHaveLength(5);
  });

  it('Mahavishnu: a P1 (high) alert stops at T3 and never reaches the VP', async () => {
    h = await Harness.start(kind, { orgFile: hb('mahavishnu') });
    const m = at('mahavishnu.example.com');
    await trigger('mahavishnu0events0v2000000000000', 'P1');
    for (const minutes of [5, 15, 30, 60, 60, 600]) await h.advanceMinutes(minutes);
    expect(h.paged()).toEqual([m('bob'), m('charlie'), m('team-lead'), m('eng-manager')]);
  });

  it('Mahavishnu: acknowledging at T1 stops every later page', async () => {
    h = await Harness.start(kind, { orgFile: hb('mahavishnu') });
    await trigger('mahavishnu0events0v2000000000000', 'P0');
    await h.advanceMinutes(5);
    expect(h.paged()).toHaveLength(2);
    const ack = await h.enqueue({ routing_key: 'mahavishnu0events0v2000000000000', event_action: 'acknowledge', dedup_key: 'disk-full-db1' });
    expect(ack.status).toBe(202);
    for (const minutes of [15, 30, 60, 600]) await h.advanceMinutes(minutes);
    expect(h.paged()).toHaveLength(2);
  });

  it('DeltaCrown: a critical alert unacknowledged for 5 minutes pages the secondary', async () => {
    h = await Harness.start(kind, { orgFile: hb('deltacrown') });
    const d = at('deltacrown.example.com');
    await trigger('deltacrown0events0v2000000000000', 'critical');
    expect(h.paged()).toEqual([d('primary-oncall')]);
    await h.advanceMinutes(4);
    expect(h.paged()).toHaveLength(1);
    await h.advanceMinutes(1);
    expect(h.paged()).toEqual([d('primary-oncall'), d('secondary-oncall')]);
  });

  it('DeltaCrown: acknowledged but unresolved after 30 minutes pages the secondary, after 60 the team lead', async () => {
    h = await Harness.start(kind, { orgFile: hb('deltacrown') });
    const d = at('deltacrown.example.com');
    await trigger('deltacrown0events0v2000000000000', 'critical');
    await h.advanceMinutes(2);
    const ack = await h.enqueue({ routing_key: 'deltacrown0events0v2000000000000', event_action: 'acknowledge', dedup_key: 'disk-full-db1' });
    expect(ack.status).toBe(202);
    await h.advanceMinutes(27); // 29: still quiet
    expect(h.paged()).toEqual([d('primary-oncall')]);
    await h.advanceMinutes(1); // 30
    expect(h.paged()).toEqual([d('primary-oncall'), d('secondary-oncall')]);
    await h.advanceMinutes(30); // 60
    expect(h.paged().at(-1)).toBe(d('team-lead'));
    const res = await h.enqueue({ routing_key: 'deltacrown0events0v2000000000000', event_action: 'resolve', dedup_key: 'disk-full-db1' });
    expect(res.status).toBe(202);
    const before = h.paged().length;
    await h.advanceMinutes(600);
    expect(h.paged()).toHaveLength(before);
  });

  it('DeltaCrown: a warning goes to Slack only and pages nobody', async () => {
    h = await Harness.start(kind, { orgFile: hb('deltacrown') });
    await trigger('deltacrown0events0v2000000000000', 'warning');
    await h.advanceMinutes(120);
    expect(h.paged()).toEqual([]);
    const [alert] = (await h.api('GET', '/api/v1/alerts')).body.alerts as { id: number; severity: string }[];
    expect(alert?.severity).toBe('warning');
    const timeline = (await h.api('GET', `/api/v1/alerts/${alert!.id}`)).body.timeline as { message: string }[];
    expect(timeline.map((e) => e.message)).toContain("routed by rule 'warnings-to-slack': Slack only, nobody paged");
  });

  it('Clipper: a P3 alert pages the primary on call (engineer-a) and never auto-escalates', async () => {
    h = await Harness.start(kind, { orgFile: hb('clipper') });
    const c = at('clipper.example.com');
    await trigger('clipper0events0v2000000000000000', 'P3');
    for (let i = 0; i < 48; i++) await h.advanceMinutes(30);
    expect(h.paged()).toEqual([c('engineer-a')]);
  });

  it('Clipper: the secondary is paged after 15 minutes for P1 and after an hour for P2', async () => {
    h = await Harness.start(kind, { orgFile: hb('clipper') });
    const c = at('clipper.example.com');
    await trigger('clipper0events0v2000000000000000', 'P1', 'p1-alert');
    await trigger('clipper0events0v2000000000000000', 'P2', 'p2-alert');
    // Pages only: engineer-b also hears at 09:00 that they are on call in 24 hours.
    const pagesTo = (address: string) => h.paged().filter((a) => a === address);
    expect(pagesTo(c('engineer-a'))).toHaveLength(2);
    await h.advanceMinutes(15);
    expect(pagesTo(c('engineer-b'))).toHaveLength(1);
    await h.advanceMinutes(44); // 59
    expect(pagesTo(c('engineer-b'))).toHaveLength(1);
    await h.advanceMinutes(1); // 60
    expect(pagesTo(c('engineer-b'))).toHaveLength(2);
  });

  it('Mother-Harness: a P1 pages primary, secondary and engineering manager at once', async () => {
    h = await Harness.start(kind, { orgFile: hb('mother-harness') });
    const mh = at('mother-harness.example.com');
    await trigger('motherharness0events0v2000000000', 'P1');
    expect(h.paged().sort()).toEqual([mh('eng-manager'), mh('primary-oncall'), mh('secondary-oncall')]);
  });

  it('Mother-Harness: a P2 pages only the primary, then the secondary when unresolved after 30 minutes', async () => {
    h = await Harness.start(kind, { orgFile: hb('mother-harness') });
    const mh = at('mother-harness.example.com');
    await trigger('motherharness0events0v2000000000', 'P2');
    expect(h.paged()).toEqual([mh('primary-oncall')]);
    await h.advanceMinutes(30);
    expect(h.paged()).toEqual([mh('primary-oncall'), mh('secondary-oncall')]);
  });

  it('QAWave: an alert the primary cannot resolve in 30 minutes goes to the secondary', async () => {
    h = await Harness.start(kind, { orgFile: hb('qawave') });
    const q = at('qawave.example.com');
    await trigger('qawave0events0v20000000000000000', 'high');
    const ack = await h.enqueue({ routing_key: 'qawave0events0v20000000000000000', event_action: 'acknowledge', dedup_key: 'disk-full-db1' });
    expect(ack.status).toBe(202);
    await h.advanceMinutes(29);
    expect(h.paged()).toEqual([q('primary-oncall')]);
    await h.advanceMinutes(1);
    expect(h.paged()).toEqual([q('primary-oncall'), q('secondary-oncall')]);
  });
});
