import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, defaultSenders } from '../../src/app.js';
import { applyOrg } from '../../src/commands/apply-org.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { FakeClock, MINUTE } from '../../src/domain/clock.js';
import { openStore, StoreLockedError, type Store } from '../../src/store/db.js';
import { claimDuePages } from '../../src/store/page.repo.js';
import { systemTestActor } from '../helpers/harness.js';
import { SmtpCapture } from '../helpers/smtp.js';
import { PG_URL } from '../helpers/stores.js';

/**
 * Watchkeeper stopped and started again on the same database: timers and the outbox are rows, so
 * what fell due while no process was running happens once on start, and a page a dead process had
 * claimed is sent once its lease runs out. SQLite runs on a file in a temp directory (one process
 * at a time); PostgreSQL on a schema of its own.
 */
interface Durable {
  name: string;
  /** Opens the same database again, as a restarted process would (migrations included). */
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

function sqliteFile(): Durable {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watchkeeper-restart-'));
  return {
    name: 'sqlite',
    open: () => openStore({ sqlitePath: path.join(dir, 'watchkeeper.db') }),
    dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresSchema(url: string): Promise<Durable> {
  const schema = `wk_restart_${randomBytes(6).toString('hex')}`;
  const admin = async (query: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(query);
    } finally {
      await c.end();
    }
  };
  await admin(`create schema ${schema}`);
  return {
    name: 'postgres',
    open: () => openStore({ databaseUrl: url, pgSchema: schema, poolSize: 3 }),
    dispose: () => admin(`drop schema ${schema} cascade`),
  };
}

const pgUrl = PG_URL;
const databases: { name: string; make: () => Promise<Durable> }[] = [
  { name: 'sqlite file', make: async () => sqliteFile() },
  ...(pgUrl === null ? [] : [{ name: 'postgres', make: () => postgresSchema(pgUrl) }]),
];

const MAHAVISHNU = fs.readFileSync('examples/handbooks/mahavishnu.yaml', 'utf8');
const KEY = 'mahavishnu0events0v2000000000000';
const m = (user: string) => `${user}@mahavishnu.example.com`;

describe.each(databases)('restart on $name', ({ make }) => {
  let db: Durable;
  let smtp: SmtpCapture;
  let smtpUrl: string;
  let clock: FakeClock;
  /** Everything opened by a test, closed in reverse order afterwards (already closed is fine). */
  let open: { app?: App; store: Store }[];

  beforeEach(async () => {
    db = await make();
    smtp = new SmtpCapture();
    smtpUrl = await smtp.start();
    clock = new FakeClock('2026-03-08T08:00:00Z');
    open = [];
  });

  afterEach(async () => {
    for (const o of open.reverse()) {
      await o.app?.stop().catch(() => undefined);
      await o.store.close().catch(() => undefined);
    }
    await smtp.stop();
    await db.dispose();
  });

  /** One watchkeeper process: a store on the database and an App over it, engines not started. */
  const startProcess = async () => {
    const store = await db.open();
    const log = pino({ level: process.env.WATCHKEEPER_TEST_LOG ?? 'silent' });
    const app = new App({ store, clock, log, publicUrl: 'http://watchkeeper.test', senders: defaultSenders(log, smtpUrl, null), ingestRateLimit: 0 });
    open.push({ app, store });
    return { app, store };
  };

  const stopProcess = async (p: { app: App; store: Store }) => {
    await p.app.stop();
    await p.store.close();
  };

  const trigger = async (app: App, dedupKey = 'disk-full-db1') => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: { routing_key: KEY, event_action: 'trigger', dedup_key: dedupKey, payload: { summary: 'Disk full on db1', source: 'db1', severity: 'critical' } },
    });
    expect(res.statusCode).toBe(202);
    const alert = await app.ctx.store.db.selectFrom('alerts').select('id').where('dedup_key', '=', dedupKey).executeTakeFirstOrThrow();
    return alert.id;
  };

  const ticks = async (app: App, n: number) => {
    for (let i = 0; i < n; i++) await app.tick();
  };

  it('an escalation that fell due while no process ran fires exactly once on start, and the next one a full delay later', async () => {
    const first = await startProcess();
    await applyOrg(first.app.ctx, parseOrgYaml(MAHAVISHNU), systemTestActor);
    const id = await trigger(first.app);
    await first.app.tick();
    expect(smtp.recipients()).toEqual([m('bob')]);
    await stopProcess(first);

    // Down for 30 minutes: the level-1 timer (5 min) fell due at 08:05. Had the process been up,
    // 08:05 would have paged the secondary and 08:20 the team lead; a restart must not replay
    // that backlog as a burst. The engine escalates once per due timer and restarts the level's
    // delay at the time it actually paged.
    clock.advanceMinutes(30);
    const second = await startProcess();
    await ticks(second.app, 5);
    expect(smtp.recipients()).toEqual([m('bob'), m('charlie')]);
    expect(smtp.to(m('charlie'))).toHaveLength(1);

    const alert = await second.store.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(alert.status).toBe('triggered');
    expect(alert.escalation_level).toBe(1);
    expect(alert.level_started_at).toBe(clock.now());
    expect(alert.next_escalation_at).toBe(clock.now() + 15 * MINUTE);
    const notified = await second.store.db.selectFrom('alert_events').select(['message', 'at']).where('alert_id', '=', id).where('kind', '=', 'notified').orderBy('id').execute();
    expect(notified.map((e) => e.message)).toEqual([
      'alert opened: notifying level 1: bob',
      'not acknowledged within 5 min: notifying level 2: charlie',
    ]);
    expect(notified[1]?.at).toBe(clock.now());

    clock.advanceMinutes(14);
    await ticks(second.app, 2);
    expect(smtp.recipients()).toHaveLength(2);
    clock.advanceMinutes(1); // a full 15 minutes after the restart
    await ticks(second.app, 2);
    expect(smtp.recipients()).toEqual([m('bob'), m('charlie'), m('team-lead')]);

    const pages = await second.store.db.selectFrom('pages').select(['user_id', 'status', 'attempts']).orderBy('id').execute();
    expect(pages.map((p) => [p.status, p.attempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
      ['sent', 1],
    ]);
  });

  it('a page left in sending by a process that died is delivered once after its 60 s lease runs out', async () => {
    const dead = await startProcess();
    await applyOrg(dead.app.ctx, parseOrgYaml(MAHAVISHNU), systemTestActor);
    const id = await trigger(dead.app);
    // The dead process claimed the page (the claim committed) and never got to send or record it.
    const claimed = await dead.store.tx((trx) => claimDuePages(trx, dead.store.dialect, 'notify-dead', clock.now(), 60_000, 100));
    expect(claimed.map((p) => [p.alert_id, p.status, p.lease_owner, p.lease_until])).toEqual([[id, 'sending', 'notify-dead', clock.now() + 60_000]]);
    await dead.store.close();

    clock.advance(1_000);
    const next = await startProcess();
    await ticks(next.app, 3);
    expect(smtp.recipients()).toEqual([]);
    clock.advance(58_000); // 59 s after the claim: still leased
    await ticks(next.app, 3);
    expect(smtp.recipients()).toEqual([]);

    clock.advance(2_000); // 61 s
    await ticks(next.app, 3);
    expect(smtp.recipients()).toEqual([m('bob')]);
    const deliveredAt = clock.now();
    clock.advance(60_000);
    await ticks(next.app, 3);
    expect(smtp.recipients()).toEqual([m('bob')]);

    const page = await next.store.db.selectFrom('pages').selectAll().where('alert_id', '=', id).executeTakeFirstOrThrow();
    expect(page).toMatchObject({ status: 'sent', attempts: 2, lease_owner: null, lease_until: null, sent_at: deliveredAt });
    const attempts = await next.store.db.selectFrom('page_attempts').select(['outcome']).where('page_id', '=', page.id).execute();
    expect(attempts).toEqual([{ outcome: 'sent' }]);
    // The link in the mail works: the new process made its own action tokens for the page.
    const ack = /http:\/\/watchkeeper\.test(\/a\/[A-Za-z0-9_-]+)/.exec(smtp.messages[0]?.text ?? '')?.[1];
    expect(ack).toBeDefined();
    expect((await next.app.http.inject({ method: 'POST', url: ack as string })).statusCode).toBe(200);
  });
});

describe('one process per SQLite file', () => {
  let dir: string;
  const opened: Store[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watchkeeper-lock-'));
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a second store on a file another store holds fails at once with StoreLockedError naming the file', async () => {
    const file = path.join(dir, 'watchkeeper.db');
    opened.push(await openStore({ sqlitePath: file }));

    const started = performance.now();
    const err = await openStore({ sqlitePath: file }).then(
      (s) => {
        opened.push(s);
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreLockedError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/in use by another watchkeeper process/);
    // Told at once, not after a busy-wait.
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('the file opens again once the store holding it is closed', async () => {
    const file = path.join(dir, 'watchkeeper.db');
    const first = await openStore({ sqlitePath: file });
    await first.tx((trx) => trx.insertInto('settings').values({ key: 'restart-probe', value: 'kept' }).execute());
    await first.close();

    const second = await openStore({ sqlitePath: file });
    opened.push(second);
    const row = await second.db.selectFrom('settings').select('value').where('key', '=', 'restart-probe').executeTakeFirst();
    expect(row?.value).toBe('kept');
    await expect(openStore({ sqlitePath: file })).rejects.toBeInstanceOf(StoreLockedError);
  });
});

describe.skipIf(pgUrl === null)('PostgreSQL schemas side by side', () => {
  it('a store migrates its own schema while another schema of the same database already holds watchkeeper tables', async () => {
    const a = await postgresSchema(pgUrl as string);
    const b = await postgresSchema(pgUrl as string);
    const first = await a.open();
    try {
      const second = await b.open();
      try {
        await second.tx((trx) => trx.insertInto('settings').values({ key: 'schema', value: 'b' }).execute());
        expect(await first.db.selectFrom('settings').select('value').where('key', '=', 'schema').executeTakeFirst()).toBeUndefined();
        // Opening again (a restart) finds the migrations done.
        const again = await b.open();
        expect(await again.db.selectFrom('settings').select('value').where('key', '=', 'schema').executeTakeFirst()).toEqual({ value: 'b' });
        await again.close();
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
      await a.dispose();
      await b.dispose();
    }
  });
});
