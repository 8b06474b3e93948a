import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * An alert keeps the policy it opened with: editing or deleting the policy, or removing a person,
 * must never make an escalation already under way skip, repeat or crash.
 */
const demo = fs.readFileSync('examples/demo.yaml', 'utf8');
const key = 'demo0checkout0events0v2000000000';

describe.each(storeKinds)('policy edits during an escalation on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  const trigger = async () => {
    const res = await h.enqueue({ routing_key: key, event_action: 'trigger', dedup_key: 'edit-test', payload: { summary: 'Checkout down', source: 'web-1', severity: 'critical' } });
    expect(res.status).toBe(202);
    await h.tick();
  };
  const apply = async (yaml: string) => {
    const res = await h.api('POST', '/api/v1/config/apply', { yaml });
    expect(res.status).toBe(200);
  };

  it('keeps escalating an open alert by the policy it opened with after the policy is edited', async () => {
    h = await Harness.start(kind, { orgYaml: demo });
    await trigger();
    expect(h.paged()).toEqual(['alice@example.com']);
    // Swap the first two levels' people: new alerts page bob first; the open one still goes alice -> bob.
    await apply(demo.replace(/- user: alice/, '- user: TMP').replace(/- user: bob/, '- user: alice').replace(/- user: TMP/, '- user: bob'));
    await h.advanceMinutes(5);
    expect(h.paged()).toEqual(['alice@example.com', 'bob@example.com']);

    h.smtp.clear();
    const res = await h.enqueue({ routing_key: key, event_action: 'trigger', dedup_key: 'after-edit', payload: { summary: 'Second', source: 'web-2', severity: 'critical' } });
    expect(res.status).toBe(202);
    await h.tick();
    expect(h.paged()).toEqual(['bob@example.com']);
  });

  it('notes on the timeline when a person the alert would page next has been removed, and goes on', async () => {
    h = await Harness.start(kind, { orgYaml: demo });
    await trigger();
    // Remove bob entirely (his user entry and the policy's reference to him).
    const withoutBob = demo
      .replace(/\n {2}- name: bob\n[\s\S]*?(?=\n {2}- name: carol)/, '')
      .replace(/\n {6}- targets:\n {10}- user: bob\n[^\n]*\n/, '\n');
    await apply(withoutBob);
    await h.advanceMinutes(5);
    expect(h.paged()).toEqual(['alice@example.com']);
    const alerts = (await h.api('GET', '/api/v1/alerts')).body.alerts as { id: number }[];
    const detail = await h.api('GET', `/api/v1/alerts/${alerts[0]?.id}`);
    const messages = (detail.body.timeline as { kind: string; message: string }[]).map((e) => `${e.kind}: ${e.message}`);
    expect(messages.some((m) => /^unreachable: escalation target no longer exists: user /.test(m))).toBe(true);
    await h.advanceMinutes(15);
    // The level after bob's (the SRE lead, critical only) still fires on time.
    expect(h.paged()).toEqual(['alice@example.com', 'carol@example.com']);
  });
});
