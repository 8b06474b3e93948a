import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dueSlaBreaches, recordSlaBreach } from '../../src/store/incident-sla.repo.js';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

const MIN = 60_000;
const ORG = `
users:
  - name: alice
    email: alice@example.com
escalation_policies:
  - name: p
    levels:
      - targets: [{ user: alice }]
services:
  - name: API
    escalation_policy: p
`;

/** The breach record: which incidents are past due on a clock, and a breach recorded once only. */
describe.each(storeKinds)('incident SLA breaches on $name', (kind) => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
  });
  afterEach(async () => {
    await h?.stop();
  });

  const declare = async (body: Record<string, unknown>) => ((await h.api('POST', '/api/v1/incidents', body)).body as { incident: { id: number } }).incident.id;
  const due = async (clock: 'acknowledge' | 'first_update' | 'resolve', target: number) => (await dueSlaBreaches(h.store.db, 'critical', clock, target, h.clock.now(), 50)).map((i) => Number(i.id));

  it('finds incidents past due whose clock did not stop in time, and not once the breach is recorded', async () => {
    const quiet = await declare({ title: 'Nobody looks', severity: 'critical' });
    const alert = ((await h.api('POST', '/api/v1/alerts', { service: 'API', summary: 'API down', severity: 'critical' })).body.alert as { id: number }).id;
    const acked = await declare({ title: 'Acknowledged in time', alerts: [alert] });
    await declare({ title: 'Not critical', severity: 'high' });
    h.clock.advanceMinutes(2);
    expect((await h.api('POST', `/api/v1/alerts/${alert}/acknowledge`, {})).status).toBe(200);
    expect(await due('acknowledge', 5 * MIN)).toEqual([]);
    h.clock.advanceMinutes(4);
    expect(await due('acknowledge', 5 * MIN)).toEqual([quiet]);
    expect(await due('resolve', 5 * MIN)).toEqual([quiet, acked]);
    expect(await recordSlaBreach(h.store.db, { incident_id: quiet, clock: 'acknowledge', target_ms: 5 * MIN, due_at: 0, breached_at: h.clock.now() })).toBe(true);
    expect(await recordSlaBreach(h.store.db, { incident_id: quiet, clock: 'acknowledge', target_ms: 5 * MIN, due_at: 0, breached_at: h.clock.now() })).toBe(false);
    expect(await due('acknowledge', 5 * MIN)).toEqual([]);
    expect(await h.store.db.selectFrom('incident_sla_breaches').selectAll().execute()).toHaveLength(1);
  });

  it('of two transactions recording the same breach at once, exactly one records it', async () => {
    const id = await declare({ title: 'Race', severity: 'critical' });
    const other = h.store.another ? await h.store.another() : null;
    if (!other) {
      // SQLite has one writer: the second insert simply finds the row.
      const results = await Promise.all([0, 1].map(() => h.store.tx((trx) => recordSlaBreach(trx, { incident_id: id, clock: 'resolve', target_ms: MIN, due_at: 0, breached_at: 0 }))));
      expect(results.sort()).toEqual([false, true]);
      return;
    }
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let firstInserted!: () => void;
    const inserted = new Promise<void>((r) => (firstInserted = r));
    const first = h.store.tx(async (trx) => {
      const ok = await recordSlaBreach(trx, { incident_id: id, clock: 'resolve', target_ms: MIN, due_at: 0, breached_at: 0 });
      firstInserted();
      await held;
      return ok;
    });
    await inserted;
    // The second waits on the first's uncommitted row, then finds it.
    const second = other.tx((trx) => recordSlaBreach(trx, { incident_id: id, clock: 'resolve', target_ms: MIN, due_at: 0, breached_at: 0 }));
    setTimeout(release, 100);
    expect([await first, await second]).toEqual([true, false]);
  });
});
