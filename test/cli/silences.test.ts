import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * `watchkeeper silence add|list|show|preview|expire` against a real listening server, and the
 * /api/v1/silences errors behind them. The clock starts Sunday 2026-03-08 08:00 UTC.
 */
const CHECKOUT_KEY = 'demo0checkout0events0v2000000000';
const PAYMENTS_KEY = 'demo0payments0events0v2000000000';

describe('watchkeeper silence', () => {
  let h: Harness;
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.stop();
  });

  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', h.adminToken]);
  const trigger = async (key: string, dedup: string, severity = 'critical') => {
    expect((await h.enqueue({ routing_key: key, event_action: 'trigger', dedup_key: dedup, payload: { summary: `${dedup} is failing`, source: 'test', severity } })).status).toBe(202);
  };

  it('adds a silence, lists it, shows what it holds, previews and expires it', async () => {
    h = await Harness.start(sqliteKind, { orgFile: 'examples/demo.yaml', listen: true });
    await trigger(CHECKOUT_KEY, 'checkout-5xx');
    await trigger(PAYMENTS_KEY, 'payments-latency');
    await h.tick();
    h.smtp.clear();

    await cli('silence', 'preview', 'service=Checkout API');
    expect(out[0]).toBe('{service="Checkout API"} matches 1 open alert(s):');
    expect(out[2]).toMatch(/^#1\s+triggered\s+critical\s+Checkout API\s+checkout-5xx is failing$/);
    out.length = 0;

    await cli('silence', 'add', 'service=Checkout API', 'severity=~"critical|high"', '--duration', '2h', '--comment', 'Backend deployment in progress');
    const id = /^silence (\S+) active until 2026-03-08 10:00Z: \{service="Checkout API",severity=~"critical\|high"\}$/.exec(out[0] ?? '')?.[1];
    expect(id, out.join('\n')).toBeDefined();
    expect(out[1]).toBe('1 open alert(s) silenced now');
    out.length = 0;

    await cli('silence', 'list');
    expect(out[0]).toMatch(/^ID\s+STATE\s+MATCHERS\s+STARTS\s+ENDS\s+ALERTS\s+BY\s+COMMENT$/);
    expect(out[1]).toContain(`${id}  active  {service="Checkout API",severity=~"critical|high"}  2026-03-08 08:00Z  2026-03-08 10:00Z  1       test admin  Backend deployment in progress`);
    out.length = 0;

    await cli('silence', 'show', id!);
    expect(out[0]).toBe(`silence ${id} (active) {service="Checkout API",severity=~"critical|high"}`);
    expect(out[3]).toMatch(/^#1\s+triggered/);
    out.length = 0;

    // The policy's timeouts pass: the silenced alert does not escalate; the other one does.
    await h.advanceMinutes(20);
    expect(h.smtp.messages.map((m) => m.text).join('\n')).not.toContain('checkout-5xx');

    await cli('silence', 'expire', id!);
    expect(out).toEqual([`silence ${id} expired`]);
    await h.tick();
    expect(h.smtp.messages.map((m) => m.text).join('\n')).toContain('checkout-5xx is failing');
    out.length = 0;
    await cli('silence', 'list');
    expect(out[0]).toMatch(/^No silences\./);
    out.length = 0;
    await cli('silence', 'query', '--expired'); // amtool's word for list
    expect(out[1]).toContain(`${id}  expired`);
  });

  it('bad input names the field and changes nothing', async () => {
    h = await Harness.start(sqliteKind, { orgFile: 'examples/demo.yaml', listen: true });
    await expect(cli('silence', 'add', 'service', '--comment', 'x')).rejects.toThrow(/400: matchers\[0\]: bad matcher format: service; write name="value"/);
    await expect(cli('silence', 'add', 'service=~".*"', '--comment', 'x')).rejects.toThrow(/400: matchers: at least one matcher must not match the empty string/);
    await expect(cli('silence', 'add', 'service=x', '--comment', ' ')).rejects.toThrow(/400: comment: is required/);
    await expect(cli('silence', 'add', 'service=x', '--comment', 'x', '--duration', 'soon')).rejects.toThrow(/400: duration: "soon" is not a duration; write e.g. 2h/);
    await expect(cli('silence', 'expire', 'nope')).rejects.toThrow(/404: silence nope not found/);
    const list = await h.api('GET', '/api/v1/silences?state=active,pending,expired');
    expect(list.body.silences).toEqual([]);
    const bad = await h.api('GET', '/api/v1/silences?state=live');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('unknown state \\"live\\"');
  });
});
