import { afterEach, describe, expect, it } from 'vitest';
import { emptyEvent } from '../../src/domain/alert/types.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Many events for the same few keys at once: on PostgreSQL several batches commit concurrently.
 * Every key still has exactly one open alert and no repeat is lost.
 */
describe.each(storeKinds)('concurrent ingest on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('opens one alert per key and counts every repeat when 600 events for 20 keys arrive together', async () => {
    h = await Harness.start(kind, { orgFile: 'examples/demo.yaml' });
    const org = await h.app.ctx.org.get(h.store.db);
    const service = [...org.services.values()].find((s) => s.name === 'Checkout API');
    const actor = { kind: 'system' as const, id: null, name: 'test', surface: 'api' as const };
    const results = await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        h.app.ingestor.submit({ serviceId: service!.id, integration: null, actor, event: { ...emptyEvent('trigger', `key-${i % 20}`), summary: `event ${i}`, severity: 'critical' } }),
      ),
    );
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(20);
    expect(results.filter((r) => r.outcome === 'deduplicated')).toHaveLength(580);
    const alerts = await h.store.db.selectFrom('alerts').select(['dedup_key', 'count']).execute();
    expect(alerts).toHaveLength(20);
    expect(alerts.every((a) => a.count === 30)).toBe(true);
    const pages = await h.store.db.selectFrom('pages').select('id').execute();
    expect(pages).toHaveLength(20);
  });
});
