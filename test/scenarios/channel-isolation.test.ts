import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * A channel that stops answering must not hold up the others: with every webhook send hanging,
 * email pages still go out.
 */
describe.each(storeKinds)('channel isolation on $name', (kind) => {
  let h: Harness;
  let server: http.Server | null = null;
  const held: http.ServerResponse[] = [];
  afterEach(async () => {
    for (const res of held.splice(0)) res.end();
    await h?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = null;
  });

  it('delivers email pages while 250 webhook sends hang', async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => held.push(res));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    h = await Harness.start(kind, {
      orgYaml: `
users:
  - name: oncall
    email: oncall@example.com
    contact_methods:
      - { name: mail, type: email, address: oncall@example.com }
      - { name: hook, type: webhook, address: "${hook}" }
    notification_rules:
      - { contact_method: hook, delay_minutes: 0 }
      - { contact_method: mail, delay_minutes: 0 }
escalation_policies:
  - name: p
    levels:
      - targets: [{ user: oncall }]
        delay_minutes: 30
services:
  - name: Svc
    escalation_policy: p
    integrations:
      - { name: pd, type: events_v2, key: isolation0events0v20000000000000 }
`,
    });
    for (let i = 0; i < 250; i++) {
      const res = await h.enqueue({ routing_key: 'isolation0events0v20000000000000', event_action: 'trigger', dedup_key: `a${i}`, payload: { summary: `alert ${i}`, source: 's', severity: 'critical' } });
      expect(res.status).toBe(202);
    }
    const ticking = h.tick();
    // Well inside the webhook sender's 10 s timeout, which would otherwise free the slots.
    const deadline = Date.now() + 8_000;
    while (h.smtp.messages.length < 250 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(h.smtp.messages).toHaveLength(250);
    // The webhook channel never had more than its share of the sends in flight.
    expect(held.length).toBeLessThanOrEqual(120 + 50); // the cap, overshot by at most one claim
    expect(held.length).toBeGreaterThan(0);
    for (const res of held.splice(0)) res.end();
    await ticking;
  });
});
