import { afterEach, describe, expect, it } from 'vitest';
import { alertmanagerFingerprint } from '../../src/domain/alert/fingerprint.js';
import { matches, parseMatchers } from '../../src/domain/silence/matchers.js';
import { inhibits, type InhibitRule } from '../../src/domain/silence/inhibition.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Inhibition rules as Alertmanager has them: while ServiceDown fires for a service, that service's
 * HighErrorRate is recorded but pages nobody; when ServiceDown resolves, HighErrorRate (if still
 * open) pages from its first level.
 */
const AM_KEY = 'inh0backend0alertmanager00000000'.slice(0, 32);
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
inhibit_rules:
  - source_matchers: ['alertname="ServiceDown"']
    target_matchers: ['alertname=~"HighErrorRate|HighLatency"']
    equal: [service]
`;

const rule = (source: string, target: string, equal: string[]): InhibitRule => ({ source: parseMatchers(source), target: parseMatchers(target), equal });

describe('inhibition semantics', () => {
  const r = [rule('alertname=ServiceDown', 'alertname=~"HighErrorRate|HighLatency"', ['service'])];
  it.each([
    ['same service', { alertname: 'ServiceDown', service: 'a' }, { alertname: 'HighErrorRate', service: 'a' }, true],
    ['other service', { alertname: 'ServiceDown', service: 'a' }, { alertname: 'HighErrorRate', service: 'b' }, false],
    ['both lack the equal label', { alertname: 'ServiceDown' }, { alertname: 'HighLatency' }, true],
    ['one lacks it', { alertname: 'ServiceDown', service: 'a' }, { alertname: 'HighLatency' }, false],
    ['target not matched', { alertname: 'ServiceDown', service: 'a' }, { alertname: 'DiskFull', service: 'a' }, false],
    ['source not matched', { alertname: 'HighErrorRate', service: 'a' }, { alertname: 'HighLatency', service: 'a' }, false],
  ])('%s', (_name, source, target, want) => {
    expect(inhibits(r, source, target) !== null).toBe(want);
  });
  it('uses the same matcher semantics as silences', () => {
    expect(matches(parseMatchers('alertname=~"High.*"')[0]!, { alertname: 'HighLatency' })).toBe(true);
  });
});

describe.each(storeKinds)('inhibition on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const post = async (alerts: { labels: Record<string, string>; annotations?: Record<string, string>; endsAt?: string }[]) => {
    const r = await h!.app.http.inject({ method: 'POST', url: '/api/v2/alerts', headers: { authorization: `Bearer ${AM_KEY}` }, payload: alerts });
    expect(r.statusCode).toBe(200);
    await h!.tick();
  };
  const alert = async (summary: string) => {
    const list = (await h!.api('GET', '/api/v1/alerts?status=triggered,acknowledged,resolved')).body.alerts as { id: number; summary: string; status: string; inhibited_by: number | null }[];
    return list.find((a) => a.summary === summary)!;
  };
  const mailsAbout = (text: string) => h!.smtp.messages.filter((m) => m.text.includes(text)).flatMap((m) => m.to);

  it('a target that opens while its source fires pages nobody, and pages when the source resolves', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    await post([{ labels: { alertname: 'ServiceDown', service: 'backend', severity: 'critical' }, annotations: { summary: 'backend down' } }]);
    await post([
      { labels: { alertname: 'HighErrorRate', service: 'backend', severity: 'critical' }, annotations: { summary: 'backend errors' } },
      { labels: { alertname: 'HighErrorRate', service: 'frontend', severity: 'critical' }, annotations: { summary: 'frontend errors' } },
    ]);
    const down = await alert('backend down');
    const errors = await alert('backend errors');
    expect(errors.inhibited_by).toBe(down.id);
    expect((await alert('frontend errors')).inhibited_by).toBeNull();
    expect(mailsAbout('backend errors')).toEqual([]);
    expect(mailsAbout('frontend errors')).toEqual(['alice@example.com']);
    const timeline = (await h.api('GET', `/api/v1/alerts/${errors.id}`)).body.timeline as { kind: string; message: string }[];
    expect(timeline.find((e) => e.kind === 'inhibited')?.message).toBe(`inhibited by #${down.id} (backend down): pages nobody while that alert is open`);

    // Alertmanager's view: suppressed, inhibited by ServiceDown's fingerprint.
    const am = (await h.app.http.inject({ method: 'GET', url: '/api/v2/alerts?filter=alertname%3D%22HighErrorRate%22', headers: { authorization: `Bearer ${h.adminToken}` } })).json() as { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[];
    const shown = am.find((x) => x.labels.service === 'backend')!;
    expect(shown.status).toMatchObject({ state: 'suppressed', inhibitedBy: [alertmanagerFingerprint({ alertname: 'ServiceDown', service: 'backend', severity: 'critical' })] });

    // Past level 1's timeout: the inhibited alert still pages nobody.
    await h.advanceMinutes(6);
    expect(mailsAbout('backend errors')).toEqual([]);

    await post([{ labels: { alertname: 'ServiceDown', service: 'backend', severity: 'critical' }, annotations: { summary: 'backend down' }, endsAt: new Date(h.clock.now() - 1000).toISOString() }]);
    expect((await alert('backend down')).status).toBe('resolved');
    expect(mailsAbout('backend errors')).toEqual(['alice@example.com']);
    expect((await alert('backend errors')).inhibited_by).toBeNull();
  });

  it('a source that opens later mutes an open target: its escalation stops and a delayed page is cancelled', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    await post([{ labels: { alertname: 'HighLatency', service: 'api', severity: 'critical' }, annotations: { summary: 'api slow' } }]);
    expect(mailsAbout('api slow')).toEqual(['alice@example.com']);
    await post([{ labels: { alertname: 'ServiceDown', service: 'api', severity: 'critical' }, annotations: { summary: 'api down' } }]);
    expect((await alert('api slow')).inhibited_by).toBe((await alert('api down')).id);
    await h.advanceMinutes(10);
    expect(mailsAbout('api slow')).toEqual(['alice@example.com']);
  });

  it('checks rules in the file, naming the field, and keeps them through export and apply', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const bad = await h.api('POST', '/api/v1/config/apply', { yaml: ORG.replace(`['alertname="ServiceDown"']`, `['alertname=~"(unclosed"']`), dry_run: true });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('inhibit_rules[0].source_matchers[0]');
    // Changing a user re-applies the exported organisation: the rules survive it.
    expect((await h.api('PUT', '/api/v1/users/bob', { name: 'bob', email: 'bob@example.com', full_name: 'Bob' })).status).toBeLessThan(300);
    await post([{ labels: { alertname: 'ServiceDown', service: 'db', severity: 'critical' }, annotations: { summary: 'db down' } }]);
    await post([{ labels: { alertname: 'HighErrorRate', service: 'db', severity: 'critical' }, annotations: { summary: 'db errors' } }]);
    expect((await alert('db errors')).inhibited_by).toBe((await alert('db down')).id);
  });
});
