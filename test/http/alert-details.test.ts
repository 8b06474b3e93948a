import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

const KEY = 'demo0checkout0events0v2000000000';

describe.each(storeKinds)('alert details on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const send = (event_action: string, dedup_key: string) =>
    h.enqueue({ routing_key: KEY, event_action, dedup_key, payload: { summary: `disk ${dedup_key}`, source: 'db1', severity: 'critical' } });
  const detail = async (dedup: string) => {
    const list = (await h.api('GET', '/api/v1/alerts?status=triggered,acknowledged,resolved')).body.alerts as { id: number; dedup_key: string; status: string }[];
    const a = list.find((x) => x.dedup_key === dedup && x.status !== 'resolved') ?? list.find((x) => x.dedup_key === dedup);
    return (await h.api('GET', `/api/v1/alerts/${a?.id}`)).body as { alert: { id: number; status: string; snoozed_until: string | null }; recurrence: { window_days: number; alerts: number; fired: number } };
  };

  it('counts only firings inside the last 7 days as recurrence, across alerts with the same key', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/demo.yaml' });
    await send('trigger', 'disk');
    await send('trigger', 'disk'); // 2 firings, 8 days before the end
    await h.advanceMinutes(24 * 60);
    await send('trigger', 'disk'); // 3rd firing of the first alert, 7 days before the end
    await send('resolve', 'disk');
    await h.advanceMinutes(6 * 24 * 60);
    await send('trigger', 'disk'); // a new alert with the same key
    await send('trigger', 'disk');
    await h.advanceMinutes(1);
    const d = await detail('disk');
    expect(d.recurrence).toEqual({ window_days: 7, alerts: 2, fired: 3 });
  });

  it('ends a snooze when the snoozed alert is acknowledged, so it never re-triggers', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/demo.yaml' });
    await send('trigger', 'snoozy');
    await h.tick();
    const { alert } = await detail('snoozy');
    expect((await h.api('POST', `/api/v1/alerts/${alert.id}/snooze`, { minutes: 30 })).status).toBe(200);
    expect((await h.api('POST', `/api/v1/alerts/${alert.id}/acknowledge`, {})).status).toBe(200);
    const after = await detail('snoozy');
    expect(after.alert.status).toBe('acknowledged');
    expect(after.alert.snoozed_until).toBeNull();
    const before = h.paged().length;
    await h.advanceMinutes(120);
    expect((await detail('snoozy')).alert.status).toBe('acknowledged');
    expect(h.paged()).toHaveLength(before);
  });
});
