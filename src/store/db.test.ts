import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore, type Store } from './db.js';

/** A SQLite commit is reported only after its WAL frames were flushed to disk. */
describe('SQLite durable commits', () => {
  let store: Store | null = null;
  afterEach(async () => {
    vi.restoreAllMocks();
    await store?.close();
    store = null;
  });

  it('flushes the WAL before a transaction returns, and one flush covers commits made together', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-db-'));
    store = await openStore({ sqlitePath: path.join(dir, 'wk.db') });
    const flushes: number[] = [];
    const real = fs.fdatasync;
    vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      flushes.push(fd);
      real(fd, cb);
    }) as typeof fs.fdatasync);
    const put = (i: number) => store!.tx((trx) => trx.insertInto('settings').values({ key: `k${i}`, value: 'v' }).execute());

    await put(0);
    expect(flushes).toHaveLength(1);

    await Promise.all(Array.from({ length: 20 }, (_, i) => put(i + 1)));
    // Twenty commits, far fewer flushes: each flush covers every commit before it.
    expect(flushes.length).toBeGreaterThan(1);
    expect(flushes.length).toBeLessThan(20);

    const relaxed = flushes.length;
    await store.relaxedTx((trx) => trx.insertInto('settings').values({ key: 'relaxed', value: 'v' }).execute());
    expect(flushes).toHaveLength(relaxed);
  });
});
