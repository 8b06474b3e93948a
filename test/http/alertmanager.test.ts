import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';
import { CHECKOUT_ALERTMANAGER_KEY, DEMO, alertDetail, allAlerts, type ApiError } from './support.js';

/**
 * Alertmanager's webhook_configs receiver (payload version 4) at /integrations/alertmanager/<key>,
 * fed the batches a real Alertmanager sends while a group fires and recovers.
 */
const GO_ZERO = '0001-01-01T00:00:00Z';

interface AmAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

const diskAlert = (instance: string, fingerprint: string, severity: string, status: 'firing' | 'resolved' = 'firing'): AmAlert => ({
  status,
  labels: { alertname: 'DiskWillFillIn4Hours', cluster: 'eu-1', instance, job: 'node', severity, service: 'checkout' },
  annotations: {
    summary: `Disk on ${instance} will fill within 4 hours`,
    description: `Filesystem /var on ${instance} is predicted to run out of space.\nAct before it does.`,
    runbook_url: 'https://runbooks.example.com/disk',
  },
  startsAt: '2026-03-08T07:58:00Z',
  endsAt: status === 'resolved' ? '2026-03-08T08:30:00Z' : GO_ZERO,
  generatorURL: `http://prometheus.example.com/graph?g0.expr=predict_linear%28node_filesystem_free_bytes%7Binstance%3D%22${instance}%22%7D%5B1h%5D%2C+4*3600%29+%3C+0`,
  fingerprint,
});

const webhook = (alerts: AmAlert[]) => {
  const firing = alerts.some((a) => a.status === 'firing');
  return {
    receiver: 'watchkeeper',
    status: firing ? 'firing' : 'resolved',
    alerts,
    groupLabels: { alertname: 'DiskWillFillIn4Hours', cluster: 'eu-1' },
    commonLabels: { alertname: 'DiskWillFillIn4Hours', cluster: 'eu-1', job: 'node', service: 'checkout' },
    commonAnnotations: { runbook_url: 'https://runbooks.example.com/disk' },
    externalURL: 'http://alertmanager.example.com:9093',
    version: '4',
    groupKey: '{}/{severity=~"critical|warning"}:{alertname="DiskWillFillIn4Hours", cluster="eu-1"}',
    truncatedAlerts: 0,
  };
};

const FP_DB1 = 'a1b2c3d4e5f60718';
const FP_DB2 = '0f1e2d3c4b5a6978';

describe.each(storeKinds)('Alertmanager webhook on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const post = async (body: unknown, key = CHECKOUT_ALERTMANAGER_KEY) => {
    const res = await h.app.http.inject({ method: 'POST', url: `/integrations/alertmanager/${key}`, payload: body as Record<string, unknown> });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };
  const byKey = async () => Object.fromEntries((await allAlerts(h)).map((a) => [a.dedup_key, a]));

  it('opens one alert per fingerprint, resolves exactly the alert whose status turns resolved, then the rest', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });

    // 1. Two alerts of the group fire.
    const first = await post(webhook([diskAlert('db1:9100', FP_DB1, 'critical'), diskAlert('db2:9100', FP_DB2, 'critical')]));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'success', alerts: [{ dedup_key: FP_DB1, outcome: 'created' }, { dedup_key: FP_DB2, outcome: 'created' }] });
    await h.tick();
    let alerts = await byKey();
    expect(Object.keys(alerts).sort()).toEqual([FP_DB1, FP_DB2].sort());
    expect(alerts[FP_DB1]).toMatchObject({
      status: 'triggered',
      severity: 'critical',
      summary: 'Disk on db1:9100 will fill within 4 hours',
      service: { name: 'Checkout API' },
      source: 'db1:9100',
      component: 'checkout',
      class: 'DiskWillFillIn4Hours',
      count: 1,
      labels: { alertname: 'DiskWillFillIn4Hours', instance: 'db1:9100', severity: 'critical' },
    });
    expect(h.paged()).toEqual(['alice@example.com', 'alice@example.com']);

    // Alertmanager re-sends the whole group on its repeat interval: no new alerts, no new pages.
    h.clock.advanceMinutes(1);
    const resent = await post(webhook([diskAlert('db1:9100', FP_DB1, 'critical'), diskAlert('db2:9100', FP_DB2, 'critical')]));
    expect(resent.body).toMatchObject({ alerts: [{ outcome: 'deduplicated' }, { outcome: 'deduplicated' }] });
    await h.tick();
    alerts = await byKey();
    expect(Object.keys(alerts)).toHaveLength(2);
    expect(alerts[FP_DB1]?.count).toBe(2);
    expect(h.paged()).toHaveLength(2);

    // 2. db1 recovers: only its alert resolves.
    const second = await post(webhook([diskAlert('db1:9100', FP_DB1, 'critical', 'resolved'), diskAlert('db2:9100', FP_DB2, 'critical')]));
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ alerts: [{ dedup_key: FP_DB1, outcome: 'resolved' }, { dedup_key: FP_DB2, outcome: 'deduplicated' }] });
    alerts = await byKey();
    expect(alerts[FP_DB1]).toMatchObject({ status: 'resolved', resolved_by: 'alertmanager' });
    expect(alerts[FP_DB2]).toMatchObject({ status: 'triggered' });
    const timeline = (await alertDetail(h, alerts[FP_DB1]?.id ?? 0)).timeline;
    expect(timeline.find((e) => e.kind === 'resolved')).toMatchObject({ actor: { kind: 'integration', name: 'alertmanager' }, surface: 'alertmanager' });

    // 3. Everything recovers.
    const third = await post(webhook([diskAlert('db1:9100', FP_DB1, 'critical', 'resolved'), diskAlert('db2:9100', FP_DB2, 'critical', 'resolved')]));
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ alerts: [{ dedup_key: FP_DB1, outcome: 'ignored' }, { dedup_key: FP_DB2, outcome: 'resolved' }] });
    alerts = await byKey();
    expect(Object.values(alerts).map((a) => a.status)).toEqual(['resolved', 'resolved']);

    // Nothing keeps paging once resolved.
    await h.advanceMinutes(60);
    expect(h.paged()).toHaveLength(2);
  });

  it('maps the severity label through the scale’s aliases (warning becomes medium, error high)', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const res = await post(webhook([diskAlert('db1:9100', FP_DB1, 'warning'), diskAlert('db2:9100', FP_DB2, 'error')]));
    expect(res.status).toBe(200);
    const alerts = await byKey();
    expect(alerts[FP_DB1]?.severity).toBe('medium');
    expect(alerts[FP_DB2]?.severity).toBe('high');
  });

  it('computes a stable dedup key from the labels when an alert has no fingerprint', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const noFp = { ...diskAlert('db3:9100', FP_DB1, 'critical'), fingerprint: '' };
    const fired = await post(webhook([noFp]));
    const key = ((fired.body.alerts as { dedup_key: string }[])[0] as { dedup_key: string }).dedup_key;
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    const resolved = await post(webhook([{ ...noFp, status: 'resolved', endsAt: '2026-03-08T08:30:00Z' }]));
    expect(resolved.body).toMatchObject({ alerts: [{ dedup_key: key, outcome: 'resolved' }] });
    expect((await allAlerts(h)).map((a) => a.status)).toEqual(['resolved']);
  });

  it('refuses an unknown integration key with 401 and a JSON error, and stores nothing', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    for (const key of ['0'.repeat(32), 'short', 'demo0checkout0events0v2000000000']) {
      const res = await post(webhook([diskAlert('db1:9100', FP_DB1, 'critical')]), key);
      expect(res.status).toBe(401);
      const err = (res.body as unknown as ApiError).error;
      expect(err.code).toBe('unauthorized');
      expect(err.message).toMatch(/integration key/);
    }
    expect(await allAlerts(h)).toEqual([]);
  });

  it('rejects an invalid payload with 400 naming the field, and stores nothing from the batch', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const bad = { ...diskAlert('db2:9100', FP_DB2, 'critical'), status: 'burning' };
    const res = await post(webhook([diskAlert('db1:9100', FP_DB1, 'critical'), bad as unknown as AmAlert]));
    expect(res.status).toBe(400);
    const err = (res.body as unknown as ApiError).error;
    expect(err).toMatchObject({ code: 'invalid', field: 'alerts[1].status' });
    expect(err.message).toMatch(/firing.*resolved/);

    const missing = await post({ version: '4', receiver: 'watchkeeper' });
    expect(missing.status).toBe(400);
    expect((missing.body as unknown as ApiError).error.field).toBe('alerts');

    const badLabel = await post(webhook([{ ...diskAlert('db1:9100', FP_DB1, 'critical'), labels: { alertname: 'X', severity: 3 } as unknown as Record<string, string> }]));
    expect(badLabel.status).toBe(400);
    expect((badLabel.body as unknown as ApiError).error.field).toBe('alerts[0].labels.severity');

    const version = await post({ ...webhook([diskAlert('db1:9100', FP_DB1, 'critical')]), version: '3' });
    expect(version.status).toBe(400);
    expect((version.body as unknown as ApiError).error.field).toBe('version');

    expect(await allAlerts(h)).toEqual([]);
    await h.tick();
    expect(h.paged()).toEqual([]);
  });

  it('answers 429 with a JSON error once an integration key exceeds its rate limit, and stores nothing from the refused batch', async () => {
    h = await Harness.start(kind, { orgFile: DEMO, ingestRateLimit: 2 });
    expect((await post(webhook([diskAlert('db1:9100', FP_DB1, 'critical')]))).status).toBe(200);
    expect((await post(webhook([diskAlert('db1:9100', FP_DB1, 'critical')]))).status).toBe(200);
    const res = await post(webhook([diskAlert('db2:9100', FP_DB2, 'critical')]));
    expect(res.status).toBe(429);
    expect((res.body as unknown as ApiError).error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/retry later/) as unknown });
    const alerts = await allAlerts(h);
    expect(alerts.map((a) => [a.dedup_key, a.count])).toEqual([[FP_DB1, 2]]);
  });

  it('rejects a batch with an unknown severity label with 400 naming the alert, and stores none of it', async () => {
    h = await Harness.start(kind, { orgFile: DEMO });
    const res = await post(webhook([diskAlert('db1:9100', FP_DB1, 'critical'), diskAlert('db2:9100', FP_DB2, 'sev9')]));
    expect(res.status).toBe(400);
    const err = (res.body as unknown as ApiError).error;
    expect(await allAlerts(h)).toEqual([]);
    expect(err.field).toBe('alerts[1].labels.severity');
    expect(err.message).toMatch(/unknown severity "sev9"/);
    expect(await allAlerts(h)).toEqual([]);
    await h.tick();
    expect(h.paged()).toEqual([]);
  });
});
