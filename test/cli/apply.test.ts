import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

/** The CLI against a real listening server: `apply` goes through the API like any other client. */
describe('watchkeeper apply and validate', () => {
  let h: Harness;
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    process.exitCode = undefined;
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
    await h?.stop();
  });

  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args]);

  it('plans with --dry-run without changing anything, applies, then reports no changes', async () => {
    h = await Harness.start(sqliteKind, { listen: true });
    const file = 'examples/handbooks/clipper.yaml';
    await cli('apply', '-f', file, '--dry-run', '--server', h.baseUrl, '--token', h.adminToken);
    expect(out).toContain('  + service "Clipper Backend"');
    expect(out.at(-1)).toMatch(/Nothing changed \(dry run\)/);
    expect((await h.api('GET', '/api/v1/services')).body.services).toEqual([]);

    out.length = 0;
    await cli('apply', '-f', file, '--server', h.baseUrl, '--token', h.adminToken);
    expect(out).toContain('  ~ severities'); // Clipper's own scale replaces the default
    // The summary counts the lines above it: settings sections of the file are updates, the rest creates.
    const count = (sign: string) => out.filter((l) => l.startsWith(`  ${sign} `)).length;
    expect(count('~')).toBeGreaterThanOrEqual(3);
    expect(out.at(-1)).toBe(`Applied: ${count('+')} to create, ${count('~')} to update, 0 to delete.`);
    const services = (await h.api('GET', '/api/v1/services')).body.services as { name: string }[];
    expect(services.map((s) => s.name)).toEqual(['Clipper Backend']);

    out.length = 0;
    await cli('apply', '-f', file, '--server', h.baseUrl, '--token', h.adminToken);
    expect(out).toEqual(['No changes: the server already matches the file.']);
  });

  it('refuses a file with a bad reference, naming the path, and changes nothing', async () => {
    h = await Harness.start(sqliteKind, { listen: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-cli-'));
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, fs.readFileSync('examples/demo.yaml', 'utf8').replace('escalation_policy: default', 'escalation_policy: db'));
    await expect(cli('apply', '-f', file, '--server', h.baseUrl, '--token', h.adminToken)).rejects.toThrow(/services\[0\]\.escalation_policy: no policy named "db"/);
    expect((await h.api('GET', '/api/v1/users')).body.users).toEqual([]);

    await cli('validate', '-f', file);
    expect(err.join('\n')).toMatch(/services\[0\]\.escalation_policy: no policy named "db"/);
    expect(process.exitCode).toBe(2);
  });

  it('tells the operator how to authenticate when the token is missing', async () => {
    h = await Harness.start(sqliteKind, { listen: true });
    const saved = process.env.WATCHKEEPER_TOKEN;
    const savedConfig = process.env.XDG_CONFIG_HOME;
    delete process.env.WATCHKEEPER_TOKEN;
    process.env.XDG_CONFIG_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-config-')); // no saved login either
    try {
      await expect(cli('apply', '-f', 'examples/demo.yaml', '--server', h.baseUrl)).rejects.toThrow(/^no token: run watchkeeper login --server URL, or set WATCHKEEPER_TOKEN$/);
      expect((await h.api('GET', '/api/v1/users')).body.users).toEqual([]);
    } finally {
      if (saved !== undefined) process.env.WATCHKEEPER_TOKEN = saved;
      if (savedConfig === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = savedConfig;
    }
  });
});
