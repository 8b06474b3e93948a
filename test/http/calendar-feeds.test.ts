import ICAL from 'ical.js';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { PLATFORM_YAML } from '../helpers/platform-org.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Calendar feeds: create, list and revoke through /api/v1 with their roles and bad input, and the
 * public /ical/<token>.ics parsed with a real iCalendar parser. The clock starts Sunday
 * 2026-03-08 08:00 UTC: platform-primary is bob's until Monday 03-09 00:00, then diana's week
 * (see test/helpers/platform-org.ts).
 */
interface ApiErr {
  error: { code: string; message: string; field?: string };
}
interface Feed {
  id: string;
  kind: string;
  schedule: string | null;
  user: string | null;
  created_by: string | null;
  revoked_at: string | null;
}
interface ParsedEvent {
  uid: string;
  summary: string;
  start: string;
  end: string;
  stamp: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function parseFeed(text: string): { name: unknown; events: ParsedEvent[] } {
  const cal = new ICAL.Component(ICAL.parse(text) as unknown[]);
  const events = cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    const stamp = v.getFirstPropertyValue('dtstamp') as ICAL.Time;
    return { uid: e.uid, summary: e.summary, start: e.startDate.toJSDate().toISOString(), end: e.endDate.toJSDate().toISOString(), stamp: stamp.toJSDate().toISOString() };
  });
  return { name: cal.getFirstPropertyValue('x-wr-calname'), events: events.sort((a, b) => a.start.localeCompare(b.start)) };
}

describe.each(storeKinds)('calendar feeds on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const errorOf = (res: { body: Record<string, unknown> }) => (res.body as unknown as ApiErr).error;
  const tokenFor = async (role: string, user?: string) => ((await h.api('POST', '/api/v1/tokens', { name: `${role} ${user ?? ''}`, role, ...(user ? { user } : {}) })).body as { token: string }).token;
  const feeds = async (token?: string) => ((await h.api('GET', '/api/v1/calendar-feeds', undefined, token)).body.feeds as Feed[]);
  const auditCount = async () => ((await h.api('GET', '/api/v1/audit?limit=1000')).body.entries as unknown[]).length;
  const fetchFeed = async (url: string, accept = 'text/calendar') => {
    const res = await h.app.http.inject({ method: 'GET', url: new URL(url).pathname, headers: { accept } });
    return { status: res.statusCode, type: String(res.headers['content-type']), body: res.body };
  };

  it('creates, lists and revokes feeds: your own shifts and any schedule, anyone’s shifts only as an admin; audited', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const alice = await tokenFor('viewer', 'alice');
    const bob = await tokenFor('responder', 'bob');

    const mine = await h.api('POST', '/api/v1/calendar-feeds', { user: 'alice' }, alice);
    expect(mine.status).toBe(201);
    expect(mine.body.url).toMatch(/^http:\/\/watchkeeper\.test\/ical\/[A-Za-z0-9]{43}\.ics$/);
    const schedule = await h.api('POST', '/api/v1/calendar-feeds', { schedule: 'platform-primary' }, alice);
    expect(schedule.status).toBe(201);

    const notMine = await h.api('POST', '/api/v1/calendar-feeds', { user: 'bob' }, alice);
    expect(notMine.status).toBe(403);
    expect(errorOf(notMine).field).toBe('user');

    // The bootstrap admin token has no person: it may create a feed of anyone's shifts.
    const forBob = await h.api('POST', '/api/v1/calendar-feeds', { user: 'bob' });
    expect(forBob.status).toBe(201);

    const aliceList = await feeds(alice);
    expect(aliceList.map((f) => [f.kind, f.schedule, f.user, f.created_by])).toEqual(
      expect.arrayContaining([
        ['user', null, 'alice', 'alice'],
        ['schedule', 'platform-primary', null, 'alice'],
      ]),
    );
    expect(aliceList).toHaveLength(2);
    // Bob sees the feed of his shifts an admin made, not alice's.
    expect((await feeds(bob)).map((f) => f.id)).toEqual([forBob.body.id]);
    expect(await feeds()).toHaveLength(3);
    // The secret is never listed.
    const listed = JSON.stringify(await feeds());
    for (const f of [mine, schedule, forBob]) expect(listed).not.toContain(new URL(f.body.url as string).pathname.slice(6, -4));

    // Someone else's feed is "not found"; its owner revokes it, and its URL stops working.
    expect((await fetchFeed(mine.body.url as string)).status).toBe(200);
    expect((await h.api('DELETE', `/api/v1/calendar-feeds/${String(mine.body.id)}`, undefined, bob)).status).toBe(404);
    const revoked = await h.api('DELETE', `/api/v1/calendar-feeds/${String(mine.body.id)}`, undefined, alice);
    expect(revoked.status).toBe(200);
    expect((revoked.body.feed as Feed).revoked_at).toBe('2026-03-08T08:00:00.000Z');
    expect((await fetchFeed(mine.body.url as string)).status).toBe(404);
    // An admin revokes anyone's.
    expect((await h.api('DELETE', `/api/v1/calendar-feeds/${String(schedule.body.id)}`)).status).toBe(200);

    const entries = ((await h.api('GET', '/api/v1/audit?limit=6')).body.entries as { action: string; actor: { name: string }; entity: { kind: string; name: string } }[]).filter((e) => e.entity.kind === 'calendar_feed');
    expect(entries.map((e) => [e.action, e.actor.name, e.entity.name])).toEqual([
      ['calendar_feed.revoke', 'test admin', 'platform-primary'],
      ['calendar_feed.revoke', 'alice', 'alice'],
      ['calendar_feed.create', 'test admin', 'bob'],
      ['calendar_feed.create', 'alice', 'platform-primary'],
      ['calendar_feed.create', 'alice', 'alice'],
    ]);
  });

  it('refuses bad input naming the field, and a token without a person, changing nothing', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const alice = await tokenFor('viewer', 'alice');
    const nobody = await tokenFor('manager');
    const before = { feeds: await feeds(), audit: await auditCount() };
    const cases: [unknown, string][] = [
      [{}, 'schedule'],
      [{ schedule: 'platform-primary', user: 'alice' }, 'user'],
      [{ schedule: 'nope' }, 'schedule'],
      [{ user: 'zed' }, 'user'],
      [{ user: '' }, 'user'],
      [{ schedule: 'platform-primary', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await h.api('POST', '/api/v1/calendar-feeds', body, alice);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(res).field, JSON.stringify(body)).toBe(field);
    }
    const noPerson = await h.api('POST', '/api/v1/calendar-feeds', { schedule: 'platform-primary' }, nobody);
    expect(noPerson.status).toBe(403);
    expect((await h.api('DELETE', '/api/v1/calendar-feeds/nope', undefined, alice)).status).toBe(404);
    expect((await h.api('POST', '/api/v1/calendar-feeds', { schedule: 'platform-primary' }, 'wk_wrong')).status).toBe(401);
    expect({ feeds: await feeds(), audit: await auditCount() }).toEqual(before);
  });

  it('serves a schedule’s final shifts, with an override, as iCalendar with stable UIDs; a person’s feed names the schedule', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    // erin covers diana for Tuesday 2026-03-10.
    const o = await h.api('POST', '/api/v1/schedules/platform-primary/overrides', { start: '2026-03-10T00:00Z', end: '2026-03-11T00:00Z', user: 'erin', replaces: 'diana' });
    expect(o.status).toBe(201);
    const scheduleFeed = (await h.api('POST', '/api/v1/calendar-feeds', { schedule: 'platform-primary' })).body.url as string;
    const erinFeed = (await h.api('POST', '/api/v1/calendar-feeds', { user: 'erin' })).body.url as string;

    const res = await fetchFeed(scheduleFeed);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/calendar; charset=utf-8');
    const feed = parseFeed(res.body);
    expect(feed.name).toBe('On call: platform-primary');
    const { events } = feed;
    // From 7 days ago (03-01 08:00) to 90 days ahead (06-06 08:00); the shift across the start keeps its real start.
    expect(events.slice(0, 5).map((e) => [e.summary, e.start, e.end])).toEqual([
      ['On call: charlie', '2026-02-23T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
      ['On call: bob', '2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z'],
      ['On call: diana', '2026-03-09T00:00:00.000Z', '2026-03-10T00:00:00.000Z'],
      ['On call: erin', '2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z'],
      ['On call: diana', '2026-03-11T00:00:00.000Z', '2026-03-16T00:00:00.000Z'],
    ]);
    const last = events[events.length - 1];
    expect(last && last.start < '2026-06-06T08:00:00.000Z' && last.end > '2026-06-06T08:00:00.000Z').toBe(true);
    expect(events.every((e) => e.stamp === '2026-03-08T08:00:00.000Z')).toBe(true);
    expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);
    expect(events[3]?.uid).toMatch(new RegExp(`^[0-9a-f-]{36}-${Date.parse('2026-03-10T00:00Z')}-[0-9a-f-]{36}@watchkeeper$`));
    // Times go out in UTC.
    expect(res.body).toContain('DTSTART:20260310T000000Z');

    const erin = parseFeed((await fetchFeed(erinFeed)).body);
    expect(erin.events.map((e) => [e.summary, e.start, e.end, e.uid])).toEqual([['On call: platform-primary (erin)', '2026-03-10T00:00:00.000Z', '2026-03-11T00:00:00.000Z', events[3]?.uid]]);

    // A day later charlie's shift has left the window, the same shifts keep their UIDs, and DTSTAMP follows the clock.
    h.clock.advanceMinutes(24 * 60);
    const later = parseFeed((await fetchFeed(scheduleFeed)).body).events;
    expect(later.slice(0, 4).map((e) => [e.uid, e.start, e.end])).toEqual(events.slice(1, 5).map((e) => [e.uid, e.start, e.end]));
    expect(later[0]?.stamp).toBe(new Date(Date.parse('2026-03-08T08:00Z') + DAY).toISOString());
  });

  it('answers an unknown or revoked token with a bare 404, never with the web UI', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML });
    const created = await h.api('POST', '/api/v1/calendar-feeds', { schedule: 'office-hours' });
    const url = created.body.url as string;
    const unknown = await fetchFeed('http://x/ical/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics', 'text/html');
    expect(unknown.status).toBe(404);
    expect(unknown.type).toMatch(/^text\/plain/);
    await h.api('DELETE', `/api/v1/calendar-feeds/${String(created.body.id)}`);
    const revoked = await fetchFeed(url, 'text/html');
    expect([revoked.status, revoked.type, revoked.body]).toEqual([unknown.status, unknown.type, unknown.body]);
    expect((await fetchFeed('http://x/ical/short.ics')).status).toBe(404);
  });
});
