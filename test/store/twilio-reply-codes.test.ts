import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveAlert } from '../../src/commands/alert-actions.js';
import { findReplyCode, REUSE_AFTER_MS, replyCodeFor } from '../../src/store/twilio.repo.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

const KEY = 'codes000events0v2000000000000000';
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
    integrations:
      - { name: events, type: events_v2, key: ${KEY} }
`;
const PHONE = '+14155550101';
const OTHER = '+14155550102';

/** Reply codes: short per number, one per open alert, never handed to a new alert too soon. */
describe.each(storeKinds)('reply codes on $name', (kind) => {
  let h: Harness;
  let alice = '';
  beforeEach(async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    alice = (await h.store.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
  });
  afterEach(async () => {
    await h?.stop();
  });

  const alerts = async (n: number): Promise<number[]> => {
    for (let i = 0; i < n; i++) {
      await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: `a${Date.now()}-${Math.random()}`, payload: { summary: `alert ${i}`, source: 's', severity: 'critical' } });
    }
    return (await h.store.db.selectFrom('alerts').select('id').orderBy('id').execute()).map((a) => a.id).slice(-n);
  };
  const code = (alertId: number, phone = PHONE) => replyCodeFor(h.store, phone, alertId, alice, h.clock.now());

  it('gives an alert one code per number, counting up from 1, each number on its own', async () => {
    const [a, b, c] = await alerts(3);
    expect([await code(a!), await code(b!), await code(a!), await code(c!)]).toEqual([1, 2, 1, 3]);
    expect(await code(c!, OTHER)).toBe(1);
    expect(await findReplyCode(h.store.db, PHONE, 3)).toEqual({ phone: PHONE, code: 3, alertId: c, userId: alice });
    expect(await findReplyCode(h.store.db, OTHER, 2)).toBeNull();
  });

  it('reuses the code of a resolved alert only a day after it was last sent', async () => {
    const [a, b, c] = await alerts(3);
    expect(await code(a!)).toBe(1);
    await resolveAlert(h.app.ctx, a!, systemTestActor);
    h.clock.advance(REUSE_AFTER_MS - 60_000);
    expect(await code(b!)).toBe(2);
    h.clock.advance(120_000);
    expect(await code(c!)).toBe(1);
    expect((await findReplyCode(h.store.db, PHONE, 1))?.alertId).toBe(c);
  });

  it('hands out distinct codes to alerts sent to one number at the same moment', async () => {
    const ids = await alerts(8);
    const codes = await Promise.all(ids.map((id) => code(id)));
    expect([...codes].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // And the same alert sent twice at once (its SMS and its call) shares one code.
    const [again] = await alerts(1);
    const twice = await Promise.all([code(again!), code(again!)]);
    expect(twice[0]).toBe(twice[1]);
  });
});
