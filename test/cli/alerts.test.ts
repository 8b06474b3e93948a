import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type BuiltCli } from '../helpers/cli-binary.js';
import { createToken } from '../../src/commands/tokens.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { PLATFORM_YAML } from '../helpers/platform-org.js';
import { sqliteKind, storeKinds } from '../helpers/stores.js';

/**
 * `watchkeeper trigger` and `watchkeeper alerts …` as operators run them: the built binary in its
 * own process against a server listening on loopback, every change checked through the API. The
 * clock starts Sunday 2026-03-08 08:00 UTC; bob is the platform primary. Each case starts the
 * binary a dozen times or more, about a second apiece, hence the long timeouts. The whole flow
 * runs on both stores; the exit codes, which do not depend on the store, on SQLite.
 */
let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCli();
});
afterAll(() => cli?.remove());

interface Alert {
  id: number;
  status: string;
  severity: string;
  labels: Record<string, string>;
  snoozed_until: string | null;
  silenced_by: string | null;
}

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const run = (...args: string[]) => cli.run([...args, '--server', h.baseUrl, '--token', h.adminToken], { env: { XDG_CONFIG_HOME: cli.root } });
const alert = async (id: number) => (await h.api('GET', `/api/v1/alerts/${id}`)).body as { alert: Alert; timeline: { kind: string; message: string }[] };

describe.each(storeKinds)('watchkeeper trigger and alerts ($name)', (kind) => {

  it('triggers, lists with filters, acknowledges, snoozes, notes, escalates and resolves', async () => {
    h = await Harness.start(kind, { orgYaml: PLATFORM_YAML, listen: true });

    const t1 = await run('trigger', '--service', 'Platform API', '--severity', 'critical', '--summary', 'Error rate above 5%', '--dedup-key', 'api-5xx', 'alertname=HighErrorRate', 'env=prod');
    expect(t1.stderr).toBe('');
    expect(t1.code).toBe(0);
    const id1 = Number(/^alert #(\d+) opened/.exec(t1.stdout)?.[1]);
    expect(t1.stdout.split('\n')).toEqual([`alert #${id1} opened (critical, Platform API, dedup key api-5xx)`, `${h.baseUrl}/alerts/${id1}`, '']);
    expect((await alert(id1)).alert).toMatchObject({ status: 'triggered', severity: 'critical', labels: { alertname: 'HighErrorRate', env: 'prod' } });

    const again = await run('trigger', '--service', 'Platform API', '--dedup-key', 'api-5xx', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'deduplicated', alert: { id: id1 } });

    const t2 = JSON.parse((await run('trigger', '--service', 'Platform API', '--severity', 'medium', '--json')).stdout) as { outcome: string; alert: Alert };
    expect(t2.outcome).toBe('created');
    const id2 = t2.alert.id;
    expect(String(id2)).toHaveLength(String(id1).length);

    expect((await run('alerts', 'list')).stdout.split('\n')).toEqual([
      'ID  STATUS     SEVERITY  SERVICE       CREATED            SUMMARY',
      `#${id2}  triggered  medium    Platform API  2026-03-08 08:00Z  Test alert sent with watchkeeper trigger`,
      `#${id1}  triggered  critical  Platform API  2026-03-08 08:00Z  Error rate above 5%`,
      '',
    ]);
    const critical = JSON.parse((await run('alerts', 'list', '--severity', 'critical', '--json')).stdout) as { alerts: Alert[] };
    expect(critical.alerts.map((a) => a.id)).toEqual([id1]);

    // A silence holds the medium alert: --silenced and --no-silenced split the list.
    expect((await h.api('POST', '/api/v1/silences', { matchers: ['severity=medium'], duration: '1h', comment: 'noisy' })).status).toBe(201);
    const ids = async (...args: string[]) => (JSON.parse((await run('alerts', 'list', ...args, '--json')).stdout) as { alerts: Alert[] }).alerts.map((a) => a.id);
    expect(await ids('--silenced')).toEqual([id2]);
    expect(await ids('--no-silenced')).toEqual([id1]);
    expect((await run('alerts', 'list', '--silenced')).stdout).toContain(`#${id2}  triggered (silenced)  medium`);
    const silences = JSON.parse((await run('silence', 'list', '--json')).stdout) as { silences: { matchers: string; silenced_alerts: number }[] };
    expect(silences.silences).toMatchObject([{ matchers: '{severity="medium"}', silenced_alerts: 1 }]);

    const ack = await run('alerts', 'ack', String(id1), `#${id2}`);
    expect(ack.stdout.split('\n')).toEqual([`#${id1} acknowledged by test admin`, `#${id2} acknowledged by test admin`, '']);
    expect((await alert(id1)).alert.status).toBe('acknowledged');
    expect((await alert(id2)).alert.status).toBe('acknowledged');

    const snooze = await run('alerts', 'snooze', String(id2), '--for', '30m');
    expect(snooze.stdout).toBe(`#${id2} snoozed until 2026-03-08 08:30Z\n`);
    expect((await alert(id2)).alert.snoozed_until).toBe('2026-03-08T08:30:00.000Z');

    expect((await run('alerts', 'note', String(id1), 'rolled back 4.2.1')).stdout).toBe(`note added to #${id1}\n`);
    expect((await alert(id1)).timeline.some((e) => e.kind === 'note' && e.message.includes('rolled back 4.2.1'))).toBe(true);

    const esc = await run('alerts', 'escalate', String(id1), '--level', '3');
    expect(esc.stdout).toBe(`#${id1} escalated to level 3 of 3\n`);

    const resolved = await run('alerts', 'resolve', String(id1), '--note', 'fixed by rollback');
    expect(resolved.stdout).toBe(`#${id1} resolved by test admin\n`);
    expect((await alert(id1)).alert.status).toBe('resolved');

    const show = await run('alerts', 'show', String(id1));
    expect(show.code).toBe(0);
    const lines = show.stdout.split('\n');
    expect(lines[0]).toBe(`#${id1} resolved critical Platform API: Error rate above 5%`);
    expect(lines).toContain('  labels        alertname=HighErrorRate env=prod');
    expect(lines).toContain('  dedup key     api-5xx');
    expect(lines.some((l) => /^ {2}2026-03-08 08:00Z {2}note +test admin +.*rolled back 4\.2\.1/.test(l))).toBe(true);
    expect(lines.slice(lines.indexOf('Pages:'))).toEqual(expect.arrayContaining([expect.stringMatching(/^ {2}1 +bob +email email +/)]));
    const detail = JSON.parse((await run('alerts', 'show', String(id1), '--json')).stdout) as { alert: Alert; timeline: unknown[]; pages: unknown[] };
    expect(detail.alert.status).toBe('resolved');
    expect(detail.pages.length).toBeGreaterThan(0);

    expect(await ids('--status', 'all')).toEqual([id2, id1]);
    expect(await ids('--status', 'resolved')).toEqual([id1]);
  }, 180_000);
});

describe('watchkeeper alerts exit codes', () => {
  it('ends with the exit code scripts rely on: 3 not found, 2 bad input, 1 conflict, 4 bad token', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: PLATFORM_YAML, listen: true });
    const id = Number(JSON.parse((await run('trigger', '--service', 'Platform API', '--json')).stdout).alert.id);

    const missing = await run('alerts', 'show', '999');
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([3, '', 'alert #999 not found; see open alerts with: watchkeeper alerts list\n']);

    // Several ids: each is tried; the good one is acknowledged, the exit code is the missing one's.
    const mixed = await run('alerts', 'ack', '999', String(id));
    expect(mixed.code).toBe(3);
    expect(mixed.stdout).toBe(`#${id} acknowledged by test admin\n`);
    expect(mixed.stderr).toBe('#999: not found; see open alerts with: watchkeeper alerts list\n');
    expect((await alert(id)).alert.status).toBe('acknowledged');

    const notNumber = await run('alerts', 'ack', 'twelve');
    expect([notNumber.code, notNumber.stderr]).toEqual([2, '"twelve" is not an alert number; give the number shown by watchkeeper alerts list, e.g. 12\n']);

    const badDuration = await run('alerts', 'snooze', String(id), '--for', 'soon');
    expect([badDuration.code, badDuration.stderr]).toEqual([2, '--for: "soon" is not a duration of whole minutes from 1m to 7d; write it like 30m, 2h or 1h30m\n']);
    expect((await alert(id)).alert.snoozed_until).toBeNull();

    const badStatus = await run('alerts', 'list', '--status', 'open');
    expect([badStatus.code, badStatus.stderr]).toEqual([2, '400: status: unknown status "open"; use triggered, acknowledged or resolved\n']);

    const badService = await run('trigger', '--service', 'Nope');
    expect([badService.code, badService.stderr]).toEqual([2, '400: service: no service named "Nope"\n']);

    const badLabel = await run('trigger', '--service', 'Platform API', 'prod');
    expect([badLabel.code, badLabel.stderr]).toEqual([2, 'label "prod" is not key=value; write it like env=prod\n']);

    const badFlag = await run('alerts', 'list', '--colour');
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("error: unknown option '--colour'");

    await run('alerts', 'resolve', String(id));
    const conflict = await run('alerts', 'ack', String(id));
    expect([conflict.code, conflict.stderr]).toEqual([1, `#${id}: 409: alert #${id} is already resolved\n`]);

    const viewer = (await createToken(h.app.ctx, systemTestActor, { name: 'wallboard', role: 'viewer' })).token;
    const other = Number(JSON.parse((await run('trigger', '--service', 'Platform API', '--json')).stdout).alert.id);
    const forbidden = await cli.run(['alerts', 'ack', String(other), String(other), '--server', h.baseUrl, '--token', viewer], { env: { XDG_CONFIG_HOME: cli.root } });
    expect(forbidden.code).toBe(4);
    expect(forbidden.stderr.split('\n')[0]).toMatch(/^403: /);
    expect((await alert(other)).alert.status).toBe('triggered');

    const badToken = await cli.run(['alerts', 'list', '--server', h.baseUrl, '--token', 'not-a-token'], { env: { XDG_CONFIG_HOME: cli.root } });
    expect(badToken.code).toBe(4);
    expect(badToken.stderr).toMatch(/^401: token is unknown or revoked.*\nnext: run watchkeeper login to save a working token, or check --token and WATCHKEEPER_TOKEN, which beat the saved one\n$/);
  }, 180_000);
});
