import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { alertmanagerFingerprint } from '../../src/domain/alert/fingerprint.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Watchkeeper where Alertmanager sits: Prometheus posts to /api/v2/alerts (with the service's
 * Alertmanager integration key as path prefix or bearer token), `amtool alert add` posts with an
 * API token and a service label. Debian's prometheus (2.42) and amtool are the real clients; with
 * WATCHKEEPER_AMTOOL_TESTS=required (CI) a missing binary fails instead of skipping.
 */
const DEMO = 'examples/demo.yaml';
const AM_KEY = 'demo0checkout0alertmanager000000';
const AMTOOL = '/usr/bin/amtool';
const PROMETHEUS = '/usr/bin/prometheus';
const required = process.env.WATCHKEEPER_AMTOOL_TESTS === 'required';
for (const bin of [AMTOOL, PROMETHEUS]) if (required && !fs.existsSync(bin)) throw new Error(`${bin} is missing; install Debian's prometheus-alertmanager and prometheus packages`);
const run = promisify(execFile);

interface Listed {
  id: number;
  status: string;
  summary: string;
  severity: string;
  dedup_key: string;
  service: { name: string };
  labels: Record<string, string>;
}

describe.each(storeKinds)('Alertmanager API v2 alerts on $name', (kind) => {
  let h: Harness | null = null;
  let tmp: string | null = null;
  let prom: ChildProcess | null = null;
  afterEach(async () => {
    prom?.kill('SIGKILL');
    prom = null;
    await h?.stop();
    h = null;
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    tmp = null;
  });

  const alerts = async (status = 'triggered,acknowledged,resolved') => (await h!.api('GET', `/api/v1/alerts?status=${status}`)).body.alerts as Listed[];
  const post = (url: string, body: unknown, auth?: string) =>
    h!.app.http.inject({ method: 'POST', url, headers: auth ? { authorization: auth } : {}, payload: body as Record<string, unknown> });

  it('opens, deduplicates and resolves alerts posted with the integration key, and pages', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const labels = { alertname: 'HighErrorRate', service: 'checkout', severity: 'critical', instance: 'api-1' };
    const firing = [{ labels, annotations: { summary: 'Error rate above 5%' }, startsAt: new Date(h.clock.now()).toISOString(), endsAt: new Date(h.clock.now() + 4 * 60_000).toISOString(), generatorURL: 'http://prometheus:9090/graph?g0.expr=x' }];
    let r = await post(`/integrations/alertmanager/${AM_KEY}/api/v2/alerts`, firing);
    expect([r.statusCode, r.body]).toEqual([200, '']);
    r = await post('/api/v2/alerts', firing, `Bearer ${AM_KEY}`);
    expect(r.statusCode).toBe(200);
    const [a] = await alerts();
    expect(await alerts()).toHaveLength(1);
    expect(a).toMatchObject({ status: 'triggered', summary: 'Error rate above 5%', severity: 'critical', dedup_key: alertmanagerFingerprint(labels), service: { name: 'Checkout API' } });
    await h.tick();
    expect(h.paged()).toEqual(['alice@example.com']);

    h.clock.advanceMinutes(2);
    r = await post('/api/v2/alerts', [{ ...firing[0], endsAt: new Date(h.clock.now() - 1000).toISOString() }], `Basic ${Buffer.from(`prometheus:${AM_KEY}`).toString('base64')}`);
    expect(r.statusCode).toBe(200);
    expect((await alerts())[0]!.status).toBe('resolved');
  });

  it('answers like Alertmanager to bad alerts and unknown keys, and stores nothing', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const auth = `Bearer ${AM_KEY}`;
    let r = await post('/api/v2/alerts', [{ labels: {} }], auth);
    expect([r.statusCode, r.json()]).toEqual([400, 'at least one label pair required']);
    r = await post('/api/v2/alerts', [{ labels: { 'bad-name': 'x' } }], auth);
    expect([r.statusCode, r.json()]).toEqual([400, 'invalid label set: invalid name "bad-name"']);
    r = await post('/api/v2/alerts', [{ labels: { alertname: 'X' }, startsAt: '2026-03-08T09:00:00Z', endsAt: '2026-03-08T08:00:00Z' }], auth);
    expect([r.statusCode, r.json()]).toEqual([400, 'start time must be before end time']);
    r = await post('/api/v2/alerts', [{ labels: { alertname: 'X', severity: 'apocalyptic' } }], auth);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatch(/^0\.labels\.severity: /);
    r = await post('/integrations/alertmanager/nope/api/v2/alerts', [{ labels: { alertname: 'X' } }]);
    expect(r.statusCode).toBe(401);
    r = await post('/api/v2/alerts', [{ labels: { alertname: 'X' } }]);
    expect(r.statusCode).toBe(401);
    // An API token is fine, but then the alert must name its service.
    r = await post('/api/v2/alerts', [{ labels: { alertname: 'X' } }], `Bearer ${h.adminToken}`);
    expect([r.statusCode, r.json()]).toEqual([400, "0.labels.service: is required when posting with an API token; or post with the service's Alertmanager integration key"]);
    expect(await alerts()).toEqual([]);
  });

  it.skipIf(!fs.existsSync(AMTOOL))('amtool alert add opens an alert on the service its label names, and amtool alert query lists it', async () => {
    h = await Harness.start(kind, { orgFile: DEMO, listen: true, start: new Date().toISOString() });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-amtool-'));
    fs.writeFileSync(path.join(tmp, 'http.yml'), `authorization:\n  type: Bearer\n  credentials: ${h.adminToken}\n`);
    const amtool = (...args: string[]) => run(AMTOOL, [`--alertmanager.url=${h!.baseUrl}`, `--http.config.file=${path.join(tmp!, 'http.yml')}`, ...args], { timeout: 20_000 });
    await amtool('alert', 'add', 'DiskFull', 'service=Payments', 'severity=warning', 'instance=db-2', '--annotation=summary=Disk 95% full on db-2');
    const [a] = await alerts();
    expect(a).toMatchObject({ status: 'triggered', summary: 'Disk 95% full on db-2', service: { name: 'Payments' }, labels: { alertname: 'DiskFull', instance: 'db-2' } });
    const { stdout } = await amtool('alert', 'query', 'alertname=DiskFull');
    expect(stdout).toContain('DiskFull');
    expect(stdout).toContain('Disk 95% full on db-2');
  });

  it.skipIf(!fs.existsSync(PROMETHEUS))('a Prometheus rule that fires reaches Watchkeeper through /api/v2/alerts and pages', async () => {
    h = await Harness.start(kind, { orgFile: DEMO, listen: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-prometheus-'));
    const { port } = new URL(h.baseUrl);
    fs.writeFileSync(
      path.join(tmp, 'rules.yml'),
      'groups:\n- name: watchkeeper-test\n  interval: 1s\n  rules:\n  - alert: CheckoutDown\n    expr: vector(1)\n    labels:\n      severity: critical\n    annotations:\n      summary: Checkout is down\n',
    );
    fs.writeFileSync(
      path.join(tmp, 'prometheus.yml'),
      `global:\n  evaluation_interval: 1s\nrule_files:\n- ${path.join(tmp, 'rules.yml')}\nalerting:\n  alertmanagers:\n  - api_version: v2\n    path_prefix: /integrations/alertmanager/${AM_KEY}/\n    static_configs:\n    - targets: ['127.0.0.1:${port}']\n`,
    );
    prom = spawn(PROMETHEUS, [`--config.file=${path.join(tmp, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(tmp, 'data')}`, '--web.listen-address=127.0.0.1:0', '--rules.alert.resend-delay=1s'], { stdio: 'ignore' });
    // Prometheus evaluates the rule every second. Its first send is dropped while it is still
    // discovering the (static) Alertmanager, so it re-sends every second: wait (real time, bounded).
    const deadline = Date.now() + 30_000;
    let found: Listed | undefined;
    while (!found && Date.now() < deadline) {
      found = (await alerts()).find((x) => x.summary === 'Checkout is down');
      if (!found) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found).toMatchObject({ status: 'triggered', severity: 'critical', service: { name: 'Checkout API' }, labels: { alertname: 'CheckoutDown' } });
    await h.tick();
    expect(h.paged()).toContain('alice@example.com');
  }, 60_000);
});
