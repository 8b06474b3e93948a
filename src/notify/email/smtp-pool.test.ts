import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpPool } from './smtp-pool.js';

/** The pool against a real SMTP server on loopback. */
interface Server {
  port: number;
  received: string[];
  connections: number;
  close: () => Promise<void>;
}

const servers: Server[] = [];
const pools: SmtpPool[] = [];

async function smtpServer(opts: Partial<SMTPServerOptions> = {}, onMessage?: (n: number, done: (err?: Error) => void) => void): Promise<Server> {
  const s: Server = { port: 0, received: [], connections: 0, close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect: (_session, cb) => {
      s.connections++;
      cb();
    },
    onData: (stream, _session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        s.received.push(Buffer.concat(chunks).toString('utf8'));
        if (onMessage) onMessage(s.received.length, (err) => cb(err ?? null));
        else cb();
      });
    },
    ...opts,
  });
  server.on('error', () => {});
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  s.port = (server.server.address() as AddressInfo).port;
  s.close = () => new Promise((resolve) => server.close(() => resolve()));
  servers.push(s);
  return s;
}

function pool(port: number, maxConnections = 3): SmtpPool {
  const p = new SmtpPool({ connection: { host: '127.0.0.1', port, connectionTimeout: 2000, greetingTimeout: 2000, socketTimeout: 2000, logger: false }, maxConnections });
  pools.push(p);
  return p;
}

const message = (n: number) => `Subject: page ${n}\r\nMessage-ID: <p${n}@test>\r\n\r\nbody ${n}\r\n`;
const env = { from: 'wk@localhost', to: ['alice@example.com'] };

afterEach(async () => {
  for (const p of pools.splice(0)) p.close();
  for (const s of servers.splice(0)) await s.close();
});

describe('SmtpPool', () => {
  it('delivers many messages over at most maxConnections reused connections', async () => {
    const s = await smtpServer();
    const p = pool(s.port, 3);
    const infos = await Promise.all(Array.from({ length: 60 }, (_, i) => p.send(env, message(i))));
    expect(infos.every((i) => i.response.startsWith('250'))).toBe(true);
    expect(s.received).toHaveLength(60);
    expect(new Set(s.received.map((m) => /Subject: page (\d+)/.exec(m)![1])).size).toBe(60);
    expect(s.connections).toBeLessThanOrEqual(3);
    // A second wave reuses the same connections.
    await Promise.all(Array.from({ length: 30 }, (_, i) => p.send(env, message(100 + i))));
    expect(s.connections).toBeLessThanOrEqual(3);
  });

  it('never has more than maxConnections messages in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const held: (() => void)[] = [];
    const s = await smtpServer({}, (_n, done) => {
      inFlight++;
      most = Math.max(most, inFlight);
      held.push(() => {
        inFlight--;
        done();
      });
    });
    const p = pool(s.port, 2);
    const all = Promise.all(Array.from({ length: 6 }, (_, i) => p.send(env, message(i))));
    while (s.received.length < 6) {
      await new Promise((r) => setTimeout(r, 20));
      held.splice(0).forEach((release) => release());
    }
    await all;
    expect(most).toBe(2);
  });

  it('opens a fresh connection after the server closed an idle one', async () => {
    const s = await smtpServer({ socketTimeout: 150 });
    const p = pool(s.port, 1);
    await p.send(env, message(1));
    await new Promise((r) => setTimeout(r, 400)); // the server times the idle connection out
    await p.send(env, message(2));
    expect(s.received).toHaveLength(2);
    expect(s.connections).toBe(2);
  });

  it('gives up on a send when its signal fires, and the next send uses a new connection', async () => {
    let hang = true;
    const s = await smtpServer({}, (_n, done) => {
      if (!hang) done();
      // else: never answer the end of DATA
    });
    const p = pool(s.port, 1);
    const err = await p.send(env, message(1), AbortSignal.timeout(200)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETIMEDOUT' });
    hang = false;
    const info = await p.send(env, message(2), AbortSignal.timeout(2000));
    expect(info.response).toMatch(/^250/);
    expect(s.connections).toBe(2);
  });

  it('keeps working after the server refuses a recipient', async () => {
    const s = await smtpServer({
      onRcptTo: (addr, _session, cb) => (addr.address === 'gone@example.com' ? cb(Object.assign(new Error('no such user'), { responseCode: 550 })) : cb()),
    });
    const p = pool(s.port, 1);
    const err = await p.send({ from: 'wk@localhost', to: ['gone@example.com'] }, message(1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 550 });
    await p.send(env, message(2));
    expect(s.received).toHaveLength(1);
  });

  it('fails every waiting send, one connection attempt each, when nothing listens', async () => {
    const probe = net.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const p = pool(port, 2);
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => p.send(env, message(i)).catch((e: unknown) => e)));
    for (const r of results) expect(r).toMatchObject({ code: 'ESOCKET' });
  });

  it('refuses sends after close', async () => {
    const s = await smtpServer();
    const p = pool(s.port, 1);
    await p.send(env, message(1));
    p.close();
    await expect(p.send(env, message(2))).rejects.toThrow('email sender is closed');
  });
});
