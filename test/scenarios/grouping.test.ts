import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { emptyEvent } from '../../src/domain/alert/types.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Alert grouping: alerts of a service with the same group-by labels page once, after the group
 * wait; later alerts join the group on its timeline and page nobody; acknowledging or resolving
 * the leader takes the members along.
 */
const AM_KEY = 'grp0backend0alertmanager00000000'.slice(0, 32);
const ORG = `
users:
  - { name: alice, email: alice@example.com, contact_methods: [{ name: work, type: email, address: alice@example.com }] }
  - { name: bob, email: bob@example.com, contact_methods: [{ name: work, type: email, address: bob@example.com }] }
escalation_policies:
  - name: ops
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 5
      - targets: [{ user: bob }]
services:
  - name: Platform
    escalation_policy: ops
    integrations: [{ name: am, type: alertmanager, key: ${AM_KEY} }]
    grouping:
      by: [alertname, service]
      wait: 30s
`;

interface ApiAlert {
  id: number;
  summary: string;
  status: string;
  grouping: { id: number; key: string; title: string; text: string; leader_id: number; leader: boolean; size: number; open: number; labels: Record<string, string> } | null;
}

describe.each(storeKinds)('alert grouping on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const fire = async (instance: string, opts: { service?: string; resolved?: boolean } = {}) => {
    const labels = { alertname: 'HighErrorRate', service: opts.service ?? 'backend', instance, severity: 'critical' };
    const alert = { labels, annotations: { summary: `errors on ${instance}` }, ...(opts.resolved ? { endsAt: new Date(h!.clock.now() - 1000).toISOString() } : {}) };
    const r = await h!.app.http.inject({ method: 'POST', url: '/api/v2/alerts', headers: { authorization: `Bearer ${AM_KEY}` }, payload: [alert] });
    expect(r.statusCode).toBe(200);
    await h!.tick();
  };
  const alert = async (instance: string): Promise<ApiAlert> => {
    const list = (await h!.api('GET', '/api/v1/alerts?status=triggered,acknowledged,resolved')).body.alerts as ApiAlert[];
    return list.filter((a) => a.summary === `errors on ${instance}`).sort((a, b) => b.id - a.id)[0]!;
  };
  const detail = async (id: number) => (await h!.api('GET', `/api/v1/alerts/${id}`)).body as { alert: ApiAlert; group_members: { id: number; status: string }[]; timeline: { kind: string; message: string }[] };
  const mails = () => h!.smtp.messages.map((m) => ({ to: m.to.join(','), text: m.text }));
  const seconds = async (s: number) => {
    h!.clock.advance(s * 1000);
    await h!.tick();
  };

  it('pages once for three alerts that arrive within the group wait, naming all three; a fourth joins without paging', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    await fire('a');
    await seconds(10);
    await fire('b');
    await fire('other', { service: 'frontend' });
    await seconds(10);
    await fire('c');
    expect(mails()).toEqual([]);
    const leader = await alert('a');
    expect(leader.grouping).toMatchObject({ leader: true, leader_id: leader.id, key: '{alertname="HighErrorRate", service="backend"}', labels: { alertname: 'HighErrorRate', service: 'backend' } });
    expect((await detail(leader.id)).timeline.map((e) => e.message)).toContain('opened group HighErrorRate / service=backend; pages after the 30s group wait, with the alerts that join meanwhile');

    // 30 s after the first alert: one page, for the group.
    await seconds(10);
    const pages = mails().filter((m) => m.text.includes('service=backend'));
    expect(pages).toHaveLength(1);
    expect(pages[0]!.to).toBe('alice@example.com');
    expect(pages[0]!.text).toContain('Group:     3 alerts in group HighErrorRate / service=backend');
    for (const i of ['a', 'b', 'c']) expect(pages[0]!.text).toContain(`errors on ${i}`);
    expect((await detail(leader.id)).timeline.map((e) => e.message)).toContain('group wait over: 3 alerts in group HighErrorRate / service=backend: notifying level 1: alice');
    // The other service's alert is a group of its own, paged at the end of its own wait.
    await seconds(10);
    expect(mails().filter((m) => m.text.includes('1 alert in group HighErrorRate / service=frontend'))).toHaveLength(1);

    const before = mails().length;
    await fire('d');
    const d = await alert('d');
    expect(d.grouping).toMatchObject({ leader: false, leader_id: leader.id, size: 4, open: 4, text: '4 alerts in group HighErrorRate / service=backend' });
    const shown = await detail(leader.id);
    expect(shown.alert.grouping).toMatchObject({ leader: true, size: 4, text: '4 alerts in group HighErrorRate / service=backend' });
    expect(shown.group_members.map((m) => m.id)).toEqual([leader.id, (await alert('b')).id, (await alert('c')).id, d.id]);
    expect(shown.timeline.map((e) => e.message)).toContain(`#${d.id} joined the group: errors on d`);
    expect((await detail(d.id)).timeline.map((e) => e.message)).toContain(`joined group HighErrorRate / service=backend led by #${leader.id}; pages nobody: the group's page covers it`);

    // Past level 1's timeout only the leader escalates: bob gets one page, for the group.
    await h.advanceMinutes(6);
    const later = mails().slice(before).filter((m) => m.text.includes('service=backend'));
    expect(later.map((m) => m.to)).toEqual(['bob@example.com']);
    expect(later[0]!.text).toContain('4 alerts in group HighErrorRate / service=backend');

    // The list can leave the members out.
    const leaders = (await h.api('GET', '/api/v1/alerts?members=hide')).body.alerts as ApiAlert[];
    expect(leaders.map((a) => a.summary).sort()).toEqual(['errors on a', 'errors on other']);
    expect((await h.api('GET', '/api/v1/alerts?members=some')).body).toMatchObject({ error: { code: 'invalid', field: 'members' } });
  });

  it('acknowledging the leader acknowledges its members; resolving it resolves them and ends the group', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    await fire('a');
    await fire('b');
    await seconds(30);
    const leader = await alert('a');
    expect(mails()).toHaveLength(1);

    expect((await h.api('POST', `/api/v1/alerts/${leader.id}/acknowledge`, {})).status).toBe(200);
    expect((await alert('a')).status).toBe('acknowledged');
    expect((await alert('b')).status).toBe('acknowledged');
    await fire('c');
    expect((await alert('c')).status).toBe('triggered');
    expect((await h.api('POST', `/api/v1/alerts/${leader.id}/acknowledge`, {})).status).toBe(200);
    expect((await alert('c')).status).toBe('acknowledged');

    expect((await h.api('POST', `/api/v1/alerts/${leader.id}/resolve`, { note: 'rolled back' })).status).toBe(200);
    for (const i of ['a', 'b', 'c']) expect((await alert(i)).status).toBe('resolved');
    const timeline = (await detail(leader.id)).timeline.map((e) => e.message);
    expect(timeline).toContain('resolved 2 open alerts of group HighErrorRate / service=backend with it');
    expect(timeline).toContain('group HighErrorRate / service=backend ended: no alert in it is open');
    expect((await detail((await alert('b')).id)).timeline.map((e) => e.message)).toContain(`resolved by test admin via api: with group leader #${leader.id}`);
    // Nobody was paged after the acknowledgement, members included, past every timeout.
    await h.advanceMinutes(30);
    expect(mails()).toHaveLength(1);

    // The same labels again open a new group, which pages again after its wait.
    await fire('a');
    const again = await alert('a');
    expect(again.id).not.toBe(leader.id);
    expect(again.grouping).toMatchObject({ leader: true, size: 1 });
    expect(again.grouping!.id).not.toBe(leader.grouping!.id);
    await seconds(30);
    expect(mails()).toHaveLength(2);
  });

  it('prunes an ended group with its alerts after the retention period, and keeps an open one', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    await fire('a');
    await fire('b');
    await fire('x', { service: 'frontend' });
    await fire('a', { resolved: true });
    await fire('b', { resolved: true });
    const groups = () => h!.store.db.selectFrom('alert_groups').select(['group_key', 'ended_at']).orderBy('id').execute();
    expect((await groups()).map((g) => [g.group_key, g.ended_at !== null])).toEqual([
      ['{alertname="HighErrorRate", service="backend"}', true],
      ['{alertname="HighErrorRate", service="frontend"}', false],
    ]);
    await h.advanceMinutes(181 * 24 * 60);
    expect((await groups()).map((g) => g.group_key)).toEqual(['{alertname="HighErrorRate", service="frontend"}']);
  });

  it("the page's resolve link resolves the whole group, as the API does", async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    await fire('a');
    await fire('b');
    await seconds(30);
    const page = mails()[0]!;
    expect(page.text).toContain('Acknowledging or resolving this alert does the same to the others in its group.');
    const link = /To resolve[\s\S]*?http:\/\/watchkeeper\.test(\/a\/[A-Za-z0-9_-]+)/.exec(page.text)?.[1];
    expect(link).toBeDefined();
    expect((await h.app.http.inject({ method: 'POST', url: link! })).statusCode).toBe(200);
    expect((await alert('a')).status).toBe('resolved');
    expect((await alert('b')).status).toBe('resolved');
    expect((await detail((await alert('b')).id)).timeline.map((e) => e.message)).toContain(`resolved by alice via email: with group leader #${(await alert('a')).id}`);
  });

  it('when the leader resolves by itself, the oldest open member leads the group and keeps its escalation without paging again', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    await fire('a');
    await fire('b');
    await fire('c');
    await seconds(30);
    expect(mails().map((m) => m.to)).toEqual(['alice@example.com']);
    const [a, b, c] = [await alert('a'), await alert('b'), await alert('c')];

    await h.advanceMinutes(2);
    await fire('a', { resolved: true });
    expect((await alert('a')).status).toBe('resolved');
    expect((await alert('b')).grouping).toMatchObject({ leader: true, leader_id: b.id, open: 2, size: 3 });
    expect((await detail(b.id)).timeline.map((e) => e.message)).toContain(`leads group HighErrorRate / service=backend now: #${a.id} resolved while 2 alerts were still open; no new page`);
    expect(mails()).toHaveLength(1);

    // A member that resolves by itself only shows on the leader.
    await fire('c', { resolved: true });
    expect((await detail(b.id)).timeline.map((e) => e.message)).toContain(`#${c.id} resolved (errors on c); 1 of 3 alerts in the group still open`);

    // Level 1 started when the group paged: 5 minutes after that the new leader pages level 2.
    await h.advanceMinutes(2);
    expect(mails()).toHaveLength(1);
    await h.advanceMinutes(2);
    expect(mails().map((m) => m.to)).toEqual(['alice@example.com', 'bob@example.com']);
    expect(mails()[1]!.text).toContain('errors on b');
  });

  it('opens one group with one leader when 300 alerts of it arrive together', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const org = await h.app.ctx.org.get(h.store.db);
    const service = [...org.services.values()].find((s) => s.name === 'Platform')!;
    const actor = { kind: 'system' as const, id: null, name: 'test', surface: 'api' as const };
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        h!.app.ingestor.submit({
          serviceId: service.id,
          integration: null,
          actor,
          event: { ...emptyEvent('trigger', `key-${i}`), summary: `errors on ${i}`, severity: 'critical', labels: { alertname: 'HighErrorRate', service: i % 2 ? 'backend' : 'frontend', instance: String(i) } },
        }),
      ),
    );
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(300);
    const groups = await h.store.db.selectFrom('alert_groups').selectAll().execute();
    expect(groups.map((g) => g.group_key).sort()).toEqual(['{alertname="HighErrorRate", service="backend"}', '{alertname="HighErrorRate", service="frontend"}']);
    const alerts = await h.store.db.selectFrom('alerts').select(['id', 'group_id', 'notify_seq']).execute();
    for (const g of groups) {
      expect(alerts.filter((a) => a.group_id === g.id)).toHaveLength(150);
      expect(alerts.find((a) => a.id === g.leader_id)?.group_id).toBe(g.id);
    }
    await seconds(30);
    expect(mails().map((m) => /Group: {5}(\d+ alerts in group HighErrorRate \/ service=\w+)/.exec(m.text)?.[1]).sort()).toEqual([
      '150 alerts in group HighErrorRate / service=backend',
      '150 alerts in group HighErrorRate / service=frontend',
    ]);
  });

  it('keeps the group wait across a restart', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    await fire('a');
    await fire('b');
    await h.app.stop();
    h.clock.advance(45_000);
    h.app = h.newApp(h.store);
    await h.tick();
    await h.tick();
    const pages = mails();
    expect(pages).toHaveLength(1);
    expect(pages[0]!.text).toContain('2 alerts in group HighErrorRate / service=backend');
  });

  it('an alert that pages nobody joins a group but opens none', async () => {
    h = await Harness.start(kind, { orgYaml: ORG.replace('      - targets: [{ user: alice }]\n        delay_minutes: 5\n      - targets: [{ user: bob }]\n', '      - targets: [{ user: alice }]\n        severities: [critical]\n') });
    const post = async (instance: string, severity: string) => {
      const body = [{ labels: { alertname: 'HighErrorRate', service: 'backend', instance, severity }, annotations: { summary: `errors on ${instance}` } }];
      expect((await h!.app.http.inject({ method: 'POST', url: '/api/v2/alerts', headers: { authorization: `Bearer ${AM_KEY}` }, payload: body })).statusCode).toBe(200);
      await h!.tick();
    };
    await post('w1', 'warning');
    expect((await alert('w1')).grouping).toBeNull();
    await post('c1', 'critical');
    await post('w2', 'warning');
    const c1 = await alert('c1');
    expect(c1.grouping).toMatchObject({ leader: true, size: 2 });
    expect((await alert('w2')).grouping).toMatchObject({ leader: false, leader_id: c1.id });
    await seconds(30);
    expect(mails().map((m) => m.text.includes('Group:     2 alerts in group HighErrorRate / service=backend'))).toEqual([true]);
  });

  it('leaves silenced alerts out of groups', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const s = await h.api('POST', '/api/v1/silences', { matchers: ['instance="a"'], duration: '1h', comment: 'rebuilding a' });
    expect(s.status).toBe(201);
    await fire('a');
    await fire('b');
    expect((await alert('a')).grouping).toBeNull();
    expect((await alert('b')).grouping).toMatchObject({ leader: true, size: 1 });
    await seconds(30);
    expect(mails().map((m) => m.text.includes('errors on b') && !m.text.includes('errors on a'))).toEqual([true]);
  });

  it('a member released from an inhibition pages nobody; its leader pages', async () => {
    h = await Harness.start(kind, { orgYaml: `${ORG}inhibit_rules:\n  - { source_matchers: ['alertname="ServiceDown"'], target_matchers: ['alertname="HighErrorRate"'], equal: [service] }\n` });
    await fire('a');
    await fire('b');
    const down = { labels: { alertname: 'ServiceDown', service: 'backend', severity: 'critical' }, annotations: { summary: 'backend down' } };
    const post = async (body: unknown) => expect((await h!.app.http.inject({ method: 'POST', url: '/api/v2/alerts', headers: { authorization: `Bearer ${AM_KEY}` }, payload: body as object })).statusCode).toBe(200);
    await post([down]);
    await h.tick();
    await seconds(30);
    // Only ServiceDown pages: its own group's wait is over; the inhibited group waits.
    expect(mails().map((m) => m.text.includes('backend down'))).toEqual([true]);
    await post([{ ...down, endsAt: new Date(h.clock.now() - 1000).toISOString() }]);
    await h.tick();
    await h.tick();
    const after = mails().slice(1);
    expect(after).toHaveLength(1);
    expect(after[0]!.text).toContain('errors on a');
    const b = await alert('b');
    expect((await detail(b.id)).timeline.map((e) => e.message)).toContain(`the inhibiting alert resolved; in the group #${(await alert('a')).id} leads: nobody paged`);
  });

  it('returns the groups through the Alertmanager API, labelled with the group-by labels', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    await fire('a');
    await fire('b');
    await fire('x', { service: 'frontend' });
    const r = await h.app.http.inject({ method: 'GET', url: '/api/v2/alerts/groups', headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(r.statusCode).toBe(200);
    const groups = r.json() as { labels: Record<string, string>; receiver: { name: string }; alerts: { labels: Record<string, string> }[] }[];
    expect(groups.map((g) => [g.labels, g.alerts.map((a) => a.labels.instance).sort()])).toEqual([
      [{ alertname: 'HighErrorRate', service: 'backend' }, ['a', 'b']],
      [{ alertname: 'HighErrorRate', service: 'frontend' }, ['x']],
    ]);
    const filtered = await h.app.http.inject({ method: 'GET', url: '/api/v2/alerts/groups?filter=instance%3D%22b%22', headers: { authorization: `Bearer ${h.adminToken}` } });
    expect((filtered.json() as { labels: Record<string, string>; alerts: unknown[] }[]).map((g) => [g.labels, g.alerts.length])).toEqual([[{ alertname: 'HighErrorRate', service: 'backend' }, 1]]);
  });

  it('checks grouping in the file, naming the field, and keeps it through export and apply', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const bad = await h.api('POST', '/api/v1/config/apply', { yaml: ORG.replace('wait: 30s', 'wait: 2h').replace('[alertname, service]', "[alertname, '...']"), dry_run: true });
    expect(bad.status).toBe(400);
    const text = JSON.stringify(bad.body);
    expect(text).toContain('services[0].grouping.wait');
    expect(text).toContain('services[0].grouping.by[1]');
    const exported = (await h.app.http.inject({ method: 'GET', url: '/api/v1/config/export', headers: { authorization: `Bearer ${h.adminToken}` } })).body;
    expect((YAML.parse(exported) as { services: { grouping: unknown }[] }).services[0]!.grouping).toEqual({ by: ['alertname', 'service'], wait: '30s' });
    const plan = await h.api('POST', '/api/v1/config/apply', { yaml: exported, dry_run: true, diff: true });
    expect(plan.body).toMatchObject({ changes: [] });
    const longer = await h.api('POST', '/api/v1/config/apply', { yaml: ORG.replace('wait: 30s', 'wait: 2m'), dry_run: true, diff: true });
    expect(longer.status).toBe(200);
    expect(JSON.stringify(longer.body)).toContain('grouping.wait');
    // Without the section the service stops grouping: each alert pages on its own at once.
    expect((await h.api('POST', '/api/v1/config/apply', { yaml: ORG.replace(/ {4}grouping:\n.*\n.*\n/, '') })).status).toBe(200);
    await fire('a');
    await fire('b');
    expect(mails()).toHaveLength(2);
    expect((await alert('a')).grouping).toBeNull();
  });
});
