import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * The `watchkeeper` binary as users run it: bin/watchkeeper.js over a dist/ compiled from src/,
 * run as its own process. The sources are compiled file by file with esbuild (what Vite uses) into
 * a folder of its own, so building never races a `npm run build` into the real dist/ and a type
 * error in an unrelated file does not stop the CLI from being tested; `tsc` still typechecks in CI.
 */
export interface BuiltCli {
  root: string;
  run(args: string[], opts?: { env?: Record<string, string | undefined>; input?: string }): Promise<CliResult>;
  remove(): void;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const REPO = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.fixture.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f));
}

export async function buildCli(): Promise<BuiltCli> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-cli-bin-'));
  await build({
    entryPoints: sources(path.join(REPO, 'src')),
    outbase: path.join(REPO, 'src'),
    outdir: path.join(root, 'dist'),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  fs.mkdirSync(path.join(root, 'bin'));
  fs.copyFileSync(path.join(REPO, 'bin', 'watchkeeper.js'), path.join(root, 'bin', 'watchkeeper.js'));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ type: 'module' }));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');

  return {
    root,
    // Asynchronous on purpose: the server under test runs in this process and must keep answering.
    run: (args, opts = {}) =>
      new Promise((resolve, reject) => {
        const env: Record<string, string> = {};
        for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('WATCHKEEPER_') && k !== 'NO_COLOR' && k !== 'FORCE_COLOR') env[k] = v;
        for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete env[k];
        else env[k] = v;
        const child = spawn(process.execPath, [path.join(root, 'bin', 'watchkeeper.js'), ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
        child.stdin.end(opts.input ?? '');
      }),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
