// Shared plumbing for the benchmarks: start and stop a real `watchkeeper serve` child process,
// free ports, temporary directories, cleanup on every way out, and small statistics helpers.
// Benchmarks print figures; nothing here asserts anything.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(ROOT, 'bin', 'watchkeeper.js');

// ---------------------------------------------------------------------------------------------
// Cleanup: every resource registers an undo step; they run once, newest first, whether the
// benchmark ends normally, throws, is interrupted or runs past its time limit.

const cleanups = [];
let cleaning = null;

export function onCleanup(fn) {
  cleanups.push(fn);
}

export function cleanup() {
  if (!cleaning) {
    cleaning = (async () => {
      while (cleanups.length > 0) {
        const fn = cleanups.pop();
        try {
          await fn();
        } catch (err) {
          console.error(`cleanup step failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
  }
  return cleaning;
}

/**
 * Runs main() with cleanup on success, error, Ctrl-C and a hard time limit. The limit is a
 * backstop: a benchmark that hangs (a server that never answers) still ends and cleans up.
 */
export function runBenchmark(name, main, { timeLimitMs }) {
  const fail = async (why, code) => {
    console.error(`\n${name}: ${why}`);
    await cleanup();
    process.exit(code);
  };
  process.on('SIGINT', () => void fail('interrupted', 130));
  process.on('SIGTERM', () => void fail('terminated', 143));
  process.on('unhandledRejection', (err) => void fail(`unhandled rejection: ${err instanceof Error ? err.stack : String(err)}`, 1));
  process.on('uncaughtException', (err) => void fail(`uncaught exception: ${err.stack ?? String(err)}`, 1));
  const limit = setTimeout(() => void fail(`gave up after ${Math.round(timeLimitMs / 1000)} s (time limit)`, 1), timeLimitMs);
  limit.unref();
  main()
    .then(async () => {
      clearTimeout(limit);
      await cleanup();
      // Open keep-alive sockets or timers in libraries must not keep a finished benchmark alive.
      process.exit(0);
    })
    .catch((err) => fail(err instanceof Error ? `${err.stack ?? err.message}${err.cause ? `\ncaused by: ${err.cause instanceof Error ? err.cause.message : String(err.cause)}` : ""}` : String(err), 1));
}

// ---------------------------------------------------------------------------------------------
// Environment

export function makeTempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A port that was free a moment ago on loopback (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function machineLines() {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() ?? 'unknown';
  return [
    `machine: ${cpus.length} CPU(s), ${model}; ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM; ${os.type()} ${os.release()} (${os.arch()})`,
    `node:    ${process.version}`,
    `loadavg: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (1/5/15-min load average at start)`,
    `tmpdir:  ${os.tmpdir()}`,
  ];
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// The server under test

/**
 * Starts `node bin/watchkeeper.js serve <args>` and keeps its output: the last lines are shown if
 * it fails, and warnings and errors it logs during the run are reported at the end (they are
 * often the first sign of something slow or wrong).
 */
export function startServer({ args, env, label = 'server' }) {
  // Extra node flags for the server only, e.g. WK_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
  // to profile it under load (--cpu-prof is not allowed in NODE_OPTIONS).
  const nodeArgs = (process.env.WK_BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, WATCHKEEPER_LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = {
    child,
    label,
    tail: [],
    logged: { warn: 0, error: 0, fatal: 0 },
    samples: [],
    exited: null,
  };
  const keep = (line) => {
    if (!line.trim()) return;
    server.tail.push(line);
    if (server.tail.length > 40) server.tail.shift();
    let level = null;
    let msg = line;
    try {
      const j = JSON.parse(line);
      level = j.level >= 60 ? 'fatal' : j.level >= 50 ? 'error' : j.level >= 40 ? 'warn' : null;
      msg = j.msg ?? line;
      if (j.err?.message) msg += ` (${j.err.message})`;
    } catch {
      level = 'error'; // not pino JSON: the CLI printing a startup failure or a crash
    }
    if (level) {
      server.logged[level]++;
      if (server.samples.length < 8) server.samples.push(`${level}: ${msg.slice(0, 300)}`);
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        keep(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  }
  server.exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      server.exited = { code, signal };
      resolve(server.exited);
    });
  });
  onCleanup(async () => {
    if (server.exited) return;
    child.kill('SIGKILL');
    await server.exit;
  });
  return server;
}

export async function waitHealthy(server, baseUrl, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exited) {
      throw new Error(`${server.label} exited during start (code ${server.exited.code}, signal ${server.exited.signal}):\n${server.tail.join('\n')}`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${server.label} did not answer /healthz within ${timeoutMs} ms:\n${server.tail.join('\n')}`);
    await sleep(100);
  }
}

/** SIGTERM, then SIGKILL if the server has not stopped within graceMs. Returns how it ended. */
export async function stopServer(server, graceMs = 15_000) {
  if (server.exited) return { ...server.exited, ms: 0, killed: false };
  const t0 = performance.now();
  server.child.kill('SIGTERM');
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const r = await Promise.race([server.exit, timedOut]);
  clearTimeout(timer);
  if (r === 'timeout') {
    server.child.kill('SIGKILL');
    const e = await server.exit;
    return { ...e, ms: Math.round(performance.now() - t0), killed: true };
  }
  return { ...r, ms: Math.round(performance.now() - t0), killed: false };
}

export function serverLogLines(server) {
  const { warn, error, fatal } = server.logged;
  if (warn + error + fatal === 0) return [`${server.label} log: no warnings or errors`];
  return [`${server.label} log: ${warn} warning(s), ${error} error(s), ${fatal} fatal; first ones:`, ...server.samples.map((s) => `  ${s}`)];
}

// ---------------------------------------------------------------------------------------------
// Measurements

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc; null elsewhere. */
export function cpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * CPU seconds all processes on the machine have used so far (busy = everything but idle and
 * iowait), from /proc/stat; null elsewhere. With cpuSeconds() it shows how much of the machine
 * other processes took during a run: a benchmark on a shared machine is only as good as that.
 */
export function systemCpu() {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: (total - idle) / CLOCK_TICKS };
  } catch {
    return null;
  }
}

/** Sum and count of a Prometheus histogram (or a counter's value) from the server's /metrics. */
export async function scrapeMetrics(baseUrl) {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const values = new Map();
    for (const line of text.split('\n')) {
      if (line.startsWith('#') || !line.trim()) continue;
      const i = line.lastIndexOf(' ');
      values.set(line.slice(0, i), Number(line.slice(i + 1)));
    }
    return values;
  } catch {
    return new Map();
  }
}

/**
 * How long the disk under dir takes to make a small write durable (write + fdatasync), which is
 * what every durable SQLite commit waits for at least once.
 */
export function fsyncProbe(dir, rounds = 200) {
  const file = path.join(dir, 'fsync-probe');
  const fd = fs.openSync(file, 'w');
  const buf = Buffer.alloc(4096, 1);
  const times = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      fs.writeSync(fd, buf, 0, buf.length, (i % 16) * buf.length);
      fs.fdatasyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return times.sort((a, b) => a - b);
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

/** Prints aligned "label  value" rows. */
export function table(rows, indent = '  ') {
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [k, v] of rows) console.log(`${indent}${k.padEnd(w)}  ${v}`);
}

/** Positive number from a flag, with a readable error. */
export function positive(name, value, fallback) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got "${value}")`);
  return n;
}
