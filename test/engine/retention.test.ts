import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

describe.each(storeKinds)('retention on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('prunes resolved alerts older than the retention period with their timelines and pages, and keeps open ones', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/demo.yaml' });
    const key = 'demo0checkout0events0v2000000000';
    const send = (event_action: string, dedup_key: string) =>
      h.enqueue({ routing_key: key, event_action, dedup_key, payload: { summary: `alert ${dedup_key}`, source: 'web-1', severity: 'critical' } });
    await send('trigger', 'old');
    await send('trigger', 'still-open');
    await h.tick();
    await send('resolve', 'old');
    await h.advanceMinutes(179 * 24 * 60);
    const all = () => h.api('GET', '/api/v1/alerts?status=triggered,acknowledged,resolved');
    expect((await all()).body.alerts).toHaveLength(2);
    await h.advanceMinutes(2 * 24 * 60); // past 180 days
    const left = (await all()).body.alerts as { dedup_key: string }[];
    expect(left.map((a) => a.dedup_key)).toEqual(['still-open']);
    const orphanEvents = await h.store.db.selectFrom('alert_events').select('alert_id').where('alert_id', 'not in', h.store.db.selectFrom('alerts').select('id')).execute();
    const orphanPages = await h.store.db.selectFrom('pages').select('alert_id').where('alert_id', 'not in', h.store.db.selectFrom('alerts').select('id')).execute();
    expect(orphanEvents).toHaveLength(0);
    expect(orphanPages).toHaveLength(0);
  });
});
