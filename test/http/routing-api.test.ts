import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import { ROUTING_ORG } from '../helpers/routing-org.js';

/**
 * "Test route": POST /api/v1/routes/test answers which rules an example alert matches, in order,
 * and where it goes, without recording anything; GET /api/v1/routes lists the rules; amtool's
 * `config routes test` evaluates the same rules from GET /api/v2/status.
 */

const AMTOOL = '/usr/bin/amtool';
if (process.env.WATCHKEEPER_AMTOOL_TESTS === 'required' && !fs.existsSync(AMTOOL)) throw new Error(`${AMTOOL} is missing; install Debian's prometheus-alertmanager package`);

describe.each(storeKinds)('test route on $name', (kind) => {
  let h: Harness | null = null;
  let tmp: string | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    tmp = null;
  });

  it.skipIf(!fs.existsSync(AMTOOL))('amtool config routes test prints the receiver of the rule an alert hits', async () => {
    h = await Harness.start(kind, { orgYaml: ROUTING_ORG, listen: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-amtool-'));
    fs.writeFileSync(path.join(tmp, 'http.yml'), `authorization:\n  type: Bearer\n  credentials: ${h.adminToken}\n`);
    const amtool = async (...labels: string[]) => {
      const { stdout } = await promisify(execFile)(AMTOOL, ['config', 'routes', 'test', `--alertmanager.url=${h!.baseUrl}`, `--http.config.file=${path.join(tmp!, 'http.yml')}`, ...labels], { timeout: 20_000 });
      return stdout.trim();
    };
    // Prometheus sends the alias; the tree matches it as the rule does.
    expect(await amtool('alertname=HighErrorRate', 'severity=warn')).toBe('channels-only:slack+ops-hook');
    expect(await amtool('alertname=Watchdog')).toBe('drop');
    expect(await amtool('alertname=DiskFull', 'severity=critical')).toBe('watchkeeper');
    // A continue rule and the rule after it: amtool lists both receivers; Watchkeeper combines them
    // (service Database from the first, channels only from the second).
    expect(await amtool('alertname=PostgresDown', 'severity=warning')).toBe('page:Database:policy=sre,channels-only:slack+ops-hook');
  });

  it('shows the rules an example alert matches, in order, and the resulting service, policy and outcome', async () => {
    h = await Harness.start(kind, { orgYaml: ROUTING_ORG });
    let r = await h.api('POST', '/api/v1/routes/test', { labels: { alertname: 'HighErrorRate', service: 'backend', severity: 'warn' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      matched: ['warnings-to-slack'],
      service: 'backend',
      severity: 'warning',
      outcome: 'channels-only',
      escalation_policy: null,
      channels: ['ops-hook'],
      slack_channels: ['#alerts-warning'],
      summary: 'backend: Slack and ops-hook only, nobody paged',
    });
    expect((r.body.rules as { name: string; matched: boolean }[]).map((x) => [x.name, x.matched])).toEqual([
      ['watchdog', false],
      ['postgres-to-database', false],
      ['warnings-to-slack', true],
    ]);

    r = await h.api('POST', '/api/v1/routes/test', { labels: { alertname: 'PostgresDown', severity: 'critical' }, service: 'backend' });
    expect(r.body).toMatchObject({ matched: ['postgres-to-database'], service: 'Database', escalation_policy: 'sre', outcome: 'page', summary: 'Database: pages policy sre' });
    expect((r.body.rules as { decided: string[] }[])[1]!.decided).toEqual(['service', 'escalation_policy']);

    r = await h.api('POST', '/api/v1/routes/test', { labels: { alertname: 'Watchdog' } });
    expect(r.body).toMatchObject({ matched: ['watchdog'], outcome: 'drop', summary: "dropped by rule 'watchdog': recorded nowhere" });

    r = await h.api('POST', '/api/v1/routes/test', { labels: { alertname: 'DiskFull', severity: 'critical' } });
    expect(r.body).toMatchObject({ matched: [], service: null, outcome: 'page', summary: 'refused: no service; add a service label, or a rule that sets the service' });

    // Nothing was recorded.
    expect((await h.api('GET', '/api/v1/alerts?status=triggered,acknowledged,resolved')).body.alerts).toEqual([]);
  });

  it('lists the rules in order', async () => {
    h = await Harness.start(kind, { orgYaml: ROUTING_ORG });
    const r = await h.api('GET', '/api/v1/routes');
    expect((r.body.routes as { name: string; summary: string }[]).map((x) => `${x.name}: ${x.summary}`)).toEqual([
      'watchdog: {alertname="Watchdog"} → drop',
      'postgres-to-database: {alertname=~"Postgres.*"} → service Database; policy sre; continue',
      'warnings-to-slack: {severity="warning"} → page nobody; channels ops-hook',
    ]);
  });

  it('bad input names the field', async () => {
    h = await Harness.start(kind, { orgYaml: ROUTING_ORG });
    const problems = async (body: unknown) => {
      const r = await h!.api('POST', '/api/v1/routes/test', body);
      expect(r.status).toBe(400);
      return [(r.body as { error: { message: string } }).error.message];
    };
    expect(await problems({ labels: {} })).toEqual(['labels: give at least one label, e.g. {"alertname": "HighErrorRate", "severity": "warning"}']);
    expect(await problems({ labels: { 'bad-name': 'x' } })).toEqual([expect.stringMatching(/^labels\.bad-name: /)]);
    expect(await problems({ labels: { alertname: 'X', severity: 'apocalyptic' } })).toEqual(['labels.severity: unknown severity "apocalyptic"; use one of critical, warning, info or an alias']);
    expect(await problems({ labels: { alertname: 'X' }, service: 'nope' })).toEqual(['service: no service named "nope"']);
    expect(await problems({ labels: { alertname: 'X' }, extra: 1 })).toEqual(['extra: unknown field']);
  });
});
