import { describe, expect, it, vi } from 'vitest';
import { ChangeBus, type ChangeEvent } from './context.js';

/** Two buses joined the way PostgreSQL joins processes: every relay message reaches every bus. */
function joined(n: number) {
  const buses = Array.from({ length: n }, () => new ChangeBus());
  const payloads: string[] = [];
  for (const b of buses) {
    b.relayTo((p) => {
      payloads.push(p);
      for (const other of buses) other.receive(p);
    });
  }
  const heard = buses.map((b) => {
    const got: ChangeEvent[] = [];
    b.on('change', (e) => got.push(e));
    return got;
  });
  return { buses, heard, payloads };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ChangeBus relay', () => {
  it('delivers each change once to every process, the publishing one included', async () => {
    const { buses, heard } = joined(3);
    buses[0]!.publish([
      { type: 'alert.created', alertId: 7, status: 'triggered', at: 1000 },
      { type: 'config.changed', at: 1001 },
    ]);
    await tick();
    for (const got of heard) {
      expect(got).toEqual([
        { type: 'alert.created', alertId: 7, status: 'triggered', at: 1000 },
        { type: 'config.changed', at: 1001 },
      ]);
    }
  });

  it('sends one message per tick for a burst, in chunks under the NOTIFY limit', async () => {
    const { buses, heard, payloads } = joined(2);
    for (let i = 0; i < 500; i++) buses[0]!.publish([{ type: 'page.updated', alertId: 100_000 + i, at: 1_700_000_000_000 + i }]);
    await tick();
    expect(payloads.length).toBeGreaterThan(1);
    expect(payloads.length).toBeLessThan(10);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(8000);
    expect(heard[1]!.map((e) => e.alertId)).toEqual(Array.from({ length: 500 }, (_, i) => 100_000 + i));
  });

  it('ignores messages it cannot read', () => {
    const bus = new ChangeBus();
    const onChange = vi.fn();
    bus.on('change', onChange);
    bus.receive('not json');
    bus.receive('{"o":"x"}');
    expect(onChange).not.toHaveBeenCalled();
  });

  it('does not relay without a relay (SQLite: one process)', async () => {
    const bus = new ChangeBus();
    const onChange = vi.fn();
    bus.on('change', onChange);
    bus.publish([{ type: 'config.changed', at: 1 }]);
    await tick();
    expect(onChange).toHaveBeenCalledTimes(1);
  });
});
