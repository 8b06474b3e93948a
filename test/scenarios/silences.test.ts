import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Silences end to end: alerts a silence matches are recorded, shown as silenced and page nobody;
 * when the silence ends (or is expired early) an alert still open pages from its first level.
 * amtool, Alertmanager's own CLI from Debian's prometheus-alertmanager package, drives the
 * Alertmanager API v2 unchanged. With WATCHKEEPER_AMTOOL_TESTS=required (CI) a missing amtool
 * fails the run instead of skipping those tests.
 */
const DEMO = 'examples/demo.yaml';
const CHECKOUT_KEY = 'demo0checkout0events0v2000000000';
const AMTOOL = '/usr/bin/amtool';
const haveAmtool = fs.existsSync(AMTOOL);
if (!haveAmtool && process.env.WATCHKEEPER_AMTOOL_TESTS === 'required') throw new Error(`${AMTOOL} is missing; install Debian's prometheus-alertmanager package`);
const run = promisify(execFile);

describe.each(storeKinds)('silences on $name', (kind) => {
  let h: Harness | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  const trigger = async (dedupKey: string, severity = 'critical', custom: Record<string, unknown> = {}) => {
    const res = await h!.enqueue({
      routing_key: CHECKOUT_KEY,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary: `Checkout ${dedupKey}`, source: 'prometheus-eu-1', severity, custom_details: custom },
    });
    expect(res.status).toBe(202);
    const list = await h!.api('GET', '/api/v1/alerts');
    return (list.body.alerts as { id: number; dedup_key: string }[]).find((a) => a.dedup_key === dedupKey)!.id;
  };

  const timeline = async (id: number) => ((await h!.api('GET', `/api/v1/alerts/${id}`)).body.timeline as { kind: string; message: string }[]).map((e) => e.kind);

  const amtool = async (...args: string[]) => {
    if (!dir) {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-amtool-'));
      fs.writeFileSync(path.join(dir, 'http.yml'), `authorization:\n  type: Bearer\n  credentials: ${h!.adminToken}\n`);
    }
    const { stdout } = await run(AMTOOL, [`--alertmanager.url=${h!.baseUrl}`, `--http.config.file=${path.join(dir, 'http.yml')}`, ...args], { timeout: 20_000 });
    return stdout;
  };

  it('an alert under a silence pages nobody; when the silence ends it pages level 1', async () => {
    h = await Harness.start(kind, { orgFile: DEMO, listen: true });
    const res = await h.api('POST', '/api/v2/silences', {
      matchers: [{ name: 'service', value: 'Checkout API', isRegex: false, isEqual: true }],
      startsAt: '0001-01-01T00:00:00.000Z',
      endsAt: new Date(h.clock.now() + 2 * 3_600_000).toISOString(),
      createdBy: 'alice',
      comment: 'Checkout deployment in progress',
    });
    expect(res.status).toBe(200);
    const silenceId = res.body.silenceID as string;
    expect(silenceId).toMatch(/^[0-9a-f-]{36}$/);

    const id = await trigger('silenced-1');
    await h.tick();
    expect(h.paged()).toEqual([]);
    expect(await timeline(id)).toEqual(['triggered', 'silenced']);
    const am = await h.app.http.inject({ method: 'GET', url: '/api/v2/alerts', headers: { authorization: `Bearer ${h.adminToken}` } });
    const shown = am.json() as { status: { state: string; silencedBy: string[] }; labels: Record<string, string> }[];
    expect(shown).toHaveLength(1);
    expect(shown[0]!.status).toEqual({ state: 'suppressed', silencedBy: [silenceId], inhibitedBy: [] });
    expect(shown[0]!.labels).toMatchObject({ service: 'Checkout API', severity: 'critical' });

    // Escalation timers of the policy do not run while silenced.
    await h.advanceMinutes(60);
    expect(h.paged()).toEqual([]);
    await h.advanceMinutes(61);
    expect(h.paged()).toEqual(['alice@example.com']);
    expect(await timeline(id)).toEqual(expect.arrayContaining(['silenced', 'unsilenced', 'notified']));
  });

  it('a silence made while an alert is open stops its escalation; expiring it early pages again at once', async () => {
    h = await Harness.start(kind, { orgFile: DEMO, listen: true });
    const id = await trigger('open-first');
    await h.tick();
    expect(h.paged()).toEqual(['alice@example.com']);
    h.smtp.clear();
    const res = await h.api('POST', '/api/v2/silences', {
      matchers: [{ name: 'alertname', value: 'Checkout open-.*', isRegex: true }],
      startsAt: new Date(h.clock.now()).toISOString(),
      endsAt: new Date(h.clock.now() + 4 * 3_600_000).toISOString(),
      createdBy: 'bob',
      comment: 'known issue, fix rolling out',
    });
    // No alertname label on a PagerDuty event: the silence matches nothing and the alert escalates.
    expect(res.status).toBe(200);
    const bySummary = await h.api('POST', '/api/v2/silences', {
      matchers: [{ name: 'severity', value: 'critical', isRegex: false }, { name: 'service', value: 'Checkout.*', isRegex: true }],
      startsAt: new Date(h.clock.now()).toISOString(),
      endsAt: new Date(h.clock.now() + 4 * 3_600_000).toISOString(),
      createdBy: 'bob',
      comment: 'known issue, fix rolling out',
    });
    expect(bySummary.status).toBe(200);
    expect(await timeline(id)).toContain('silenced');
    await h.advanceMinutes(30);
    expect(h.paged()).toEqual([]);

    const del = await h.app.http.inject({ method: 'DELETE', url: `/api/v2/silence/${bySummary.body.silenceID as string}`, headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(del.statusCode).toBe(200);
    await h.tick();
    expect(h.paged()).toEqual(['alice@example.com']);
  });

  it('refuses silences that are malformed, match everything, lack a comment or end in the past, with Alertmanager status codes', async () => {
    h = await Harness.start(kind, { orgFile: DEMO, listen: true });
    const post = (body: unknown) => h!.app.http.inject({ method: 'POST', url: '/api/v2/silences', headers: { authorization: `Bearer ${h!.adminToken}` }, payload: body as Record<string, unknown> });
    const end = new Date(h.clock.now() + 3_600_000).toISOString();
    const start = new Date(h.clock.now()).toISOString();
    let r = await post({ matchers: [], startsAt: start, endsAt: end, createdBy: 'a', comment: 'c' });
    expect([r.statusCode, r.json()]).toEqual([422, { code: 612, message: 'matchers in body should have at least 1 items' }]);
    r = await post({ matchers: [{ name: 'a', value: 'b' }], startsAt: start, endsAt: end, createdBy: 'a', comment: 'c' });
    expect([r.statusCode, r.json()]).toEqual([422, { code: 602, message: 'matchers.0.isRegex in body is required' }]);
    r = await post({ matchers: [{ name: 'job', value: '.*', isRegex: true }], startsAt: start, endsAt: end, createdBy: 'a', comment: 'c' });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatch(/at least one matcher must not match the empty string/);
    r = await post({ matchers: [{ name: 'job', value: 'x', isRegex: false }], startsAt: start, endsAt: new Date(h.clock.now() - 1000).toISOString(), createdBy: 'a', comment: 'c' });
    expect([r.statusCode, r.json()]).toEqual([400, "Failed to create silence: end time can't be in the past"]);
    r = await post({ matchers: [{ name: 'job', value: 'x', isRegex: false }], startsAt: start, endsAt: end, createdBy: 'a', comment: ' ' });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatch(/comment/);
    r = await post({ id: '6f1c2b1e-0000-4000-8000-000000000000', matchers: [{ name: 'job', value: 'x', isRegex: false }], startsAt: start, endsAt: end, createdBy: 'a', comment: 'c' });
    expect([r.statusCode, r.json()]).toEqual([404, 'silence not found']);
    const get = await h.app.http.inject({ method: 'GET', url: '/api/v2/silence/not-a-uuid', headers: { authorization: `Bearer ${h.adminToken}` } });
    expect([get.statusCode, get.json()]).toEqual([422, { code: 601, message: 'silenceID in path must be of type uuid: "not-a-uuid"' }]);
    const anon = await h.app.http.inject({ method: 'GET', url: '/api/v2/silences' });
    expect(anon.statusCode).toBe(401);
    const listed = await h.app.http.inject({ method: 'GET', url: '/api/v2/silences', headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(listed.json()).toEqual([]);
  });

  it('updates in place when only the end changes, and replaces the silence when its matchers change', async () => {
    h = await Harness.start(kind, { orgFile: DEMO, listen: true });
    const auth = { authorization: `Bearer ${h.adminToken}` };
    const body = (over: Record<string, unknown>) => ({
      matchers: [{ name: 'alertname', value: 'HighErrorRate', isRegex: false, isEqual: true }],
      startsAt: new Date(h!.clock.now()).toISOString(),
      endsAt: new Date(h!.clock.now() + 3_600_000).toISOString(),
      createdBy: 'alice',
      comment: 'deploy',
      ...over,
    });
    const first = (await h.app.http.inject({ method: 'POST', url: '/api/v2/silences', headers: auth, payload: body({}) })).json() as { silenceID: string };
    const original = (await h.app.http.inject({ method: 'GET', url: `/api/v2/silence/${first.silenceID}`, headers: auth })).json() as { startsAt: string };
    h.clock.advanceMinutes(5);
    const extended = (await h.app.http.inject({ method: 'POST', url: '/api/v2/silences', headers: auth, payload: body({ id: first.silenceID, startsAt: original.startsAt, endsAt: new Date(h.clock.now() + 7_200_000).toISOString() }) })).json() as { silenceID: string };
    expect(extended.silenceID).toBe(first.silenceID);
    const changed = (await h.app.http.inject({ method: 'POST', url: '/api/v2/silences', headers: auth, payload: body({ id: first.silenceID, matchers: [{ name: 'alertname', value: 'HighLatency', isRegex: false }] }) })).json() as { silenceID: string };
    expect(changed.silenceID).not.toBe(first.silenceID);
    const all = (await h.app.http.inject({ method: 'GET', url: '/api/v2/silences', headers: auth })).json() as { id: string; status: { state: string } }[];
    expect(all.map((s) => [s.id, s.status.state])).toEqual([
      [changed.silenceID, 'active'],
      [first.silenceID, 'expired'],
    ]);
    const audit = await h.api('GET', '/api/v1/audit');
    expect(JSON.stringify(audit.body)).toContain('silence.create');
  });

  it("follows Clipper's silence policy: limits per severity, and approvals that hold a silence back until given", async () => {
    h = await Harness.start(kind, { orgFile: 'examples/handbooks/clipper.yaml' });
    const tokenOf = async (user: string) => ((await h!.api('POST', '/api/v1/tokens', { name: `${user} cli`, role: 'manager', user })).body.token as string);
    const [engA, engD, mgrX] = [await tokenOf('engineer-a'), await tokenOf('engineer-d'), await tokenOf('manager-x')];
    const silence = (body: Record<string, unknown>, token = engA) => h!.api('POST', '/api/v1/silences', { comment: 'deploy', ...body }, token);
    const fire = async (dedup: string, severity: string, custom: Record<string, string> = {}) => {
      expect((await h!.enqueue({ routing_key: 'clipper0events0v2000000000000000', event_action: 'trigger', dedup_key: dedup, payload: { summary: dedup, source: 's', severity, custom_details: custom } })).status).toBe(202);
    };

    // Critical: 1 hour at most.
    let r = await silence({ matchers: 'service="Clipper Backend"', duration: '2h' });
    expect(r.status).toBe(400);
    expect((r.body.error as { problems: unknown }).problems).toEqual([{ field: 'duration', message: expect.stringContaining('silences that can hide critical alerts last at most 1h (silence_policy.max_duration); shorten it, or narrow the matchers (e.g. severity!=critical)') }]);
    // Warnings only: 4 hours, no approval.
    // The handbook's P2 is the scale's warning: aliases are stored as the scale's names.
    r = await silence({ matchers: ['service="Clipper Backend"', 'severity=P2'], duration: '4h' });
    expect(r.status).toBe(201);
    expect(r.body.silence).toMatchObject({ state: 'active', approval: { state: 'approved' }, matchers: '{service="Clipper Backend",severity="warning"}' });
    // It does not hide security alerts: only a silence that names them can, with approval.
    const am = await h.app.http.inject({ method: 'POST', url: '/api/v2/alerts', headers: { authorization: 'Bearer clipper0alertmanager000000000000' }, payload: [{ labels: { alertname: 'Intrusion', category: 'security', severity: 'warning' } }, { labels: { alertname: 'QueueLag', severity: 'warning' } }] });
    expect(am.statusCode).toBe(200);
    await h.tick();
    const open = (await h.api('GET', '/api/v1/alerts')).body.alerts as { summary: string; silenced_by: string | null }[];
    expect(open.map((a) => [a.summary, a.silenced_by !== null])).toEqual([
      ['QueueLag', true],
      ['Intrusion', false],
    ]);
    expect(h.paged()).toEqual(['engineer-a@clipper.example.com']);
    h.smtp.clear();

    // Critical for 30 minutes: waits for a manager; the alert pages meanwhile.
    r = await silence({ matchers: 'service="Clipper Backend"', duration: '30m' });
    expect(r.status).toBe(201);
    const critical = r.body.silence as { id: string; approval: { state: string; waiting_for: string[] } };
    expect(critical.approval).toMatchObject({ state: 'pending', waiting_for: ['a manager (P1 critical silences need a manager)'] });
    await fire('db-down', 'critical');
    await h.tick();
    expect(h.paged()).toEqual(['engineer-a@clipper.example.com']);
    h.smtp.clear();
    // The author cannot approve their own silence; an engineer without the role cannot either.
    expect((await h.api('POST', `/api/v1/silences/${critical.id}/approve`, {}, engA)).status).toBe(403);
    const denied = await h.api('POST', `/api/v1/silences/${critical.id}/approve`, {}, engD);
    expect(denied.status).toBe(403);
    expect((denied.body.error as { message: string }).message).toBe('you cannot approve this silence; it waits for a manager (P1 critical silences need a manager)');
    r = await h.api('POST', `/api/v1/silences/${critical.id}/approve`, {}, mgrX);
    expect(r.body).toMatchObject({ approved: true, waiting_for: [], silence: { approval: { state: 'approved' }, silenced_alerts: 1 } });
    await h.advanceMinutes(20); // past the 15-minute escalation to the secondary: db-down stays quiet
    expect(h.smtp.messages.map((m) => m.text).join('\n')).not.toContain('db-down');

    // Security: a manager and a member of the security team, two different people.
    r = await silence({ matchers: ['category=security', 'severity=warning'], duration: '1h' });
    const sec = r.body.silence as { id: string; approval: { waiting_for: string[] } };
    expect(sec.approval.waiting_for).toEqual(['a manager (security silences need a manager and the security team)', 'a member of team security (security silences need a manager and the security team)']);
    r = await h.api('POST', `/api/v1/silences/${sec.id}/approve`, {}, mgrX);
    expect(r.body).toMatchObject({ approved: false, waiting_for: ['a member of team security (security silences need a manager and the security team)'] });
    expect((await h.api('POST', `/api/v1/silences/${sec.id}/approve`, {}, mgrX)).status).toBe(403);
    r = await h.api('POST', `/api/v1/silences/${sec.id}/approve`, {}, engD);
    expect(r.body).toMatchObject({ approved: true });
    const audit = JSON.stringify((await h.api('GET', '/api/v1/audit')).body);
    expect(audit).toContain('silence.approve');
  });

  it.skipIf(!haveAmtool)('amtool adds, queries, updates and expires a silence against Watchkeeper', async () => {
    // amtool reads the real clock for a silence's start and end; so does this test's fake one.
    h = await Harness.start(kind, { orgFile: DEMO, listen: true, start: new Date().toISOString() });
    const id = (await amtool('silence', 'add', 'service=Checkout API', 'severity=~"critical|high"', '--comment=Backend deployment in progress', '--duration=2h', '--author=alice')).trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const queried = JSON.parse(await amtool('silence', 'query', '-o', 'json')) as { id: string; comment: string; createdBy: string; matchers: { name: string; value: string; isRegex: boolean }[] }[];
    expect(queried).toHaveLength(1);
    expect(queried[0]).toMatchObject({ id, comment: 'Backend deployment in progress', createdBy: 'alice' });
    expect(queried[0]!.matchers).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'severity', value: 'critical|high', isRegex: true })]));

    // Its start is a moment after this test's clock started.
    h.clock.advanceMinutes(1);
    const alertId = await trigger('amtool-1');
    await h.tick();
    expect(h.paged()).toEqual([]);
    const alerts = await amtool('alert', 'query', '--silenced', 'service=Checkout API');
    expect(alerts).toContain('Checkout amtool-1');

    // Same matchers, still active: updated in place, so the id stays.
    const updated = await amtool('silence', 'update', id, '--duration=3h');
    expect(updated.split('\n')[1]).toMatch(new RegExp(`^${id}\\s+service="Checkout API" severity=~"critical\\|high"`));

    await amtool('silence', 'expire', id);
    // amtool's --expired filter compares with the real clock, which this test does not follow; ask the API.
    const after = await h.app.http.inject({ method: 'GET', url: `/api/v2/silence/${id}`, headers: { authorization: `Bearer ${h.adminToken}` } });
    expect((after.json() as { status: { state: string } }).status.state).toBe('expired');
    await h.tick();
    expect(h.paged()).toEqual(['alice@example.com']);
    expect(await timeline(alertId)).toContain('unsilenced');
  });
});
