import { CommanderError, type Command } from 'commander';
import { ApiError } from '../client/client.js';
import { AppError } from '../domain/errors.js';

/**
 * How every command speaks: aligned tables for people, the API's JSON for scripts (`--json`),
 * colour only on a terminal that has not asked for none (NO_COLOR, https://no-color.org), errors
 * on stderr in operators' words, and exit codes a script can branch on.
 */

/** Exit codes scripts can rely on; printed in `watchkeeper --help`. */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  error (server unreachable, conflict, findings to fix)
  2  usage or validation: a bad flag or argument, or the server refused a field
  3  not found: no such alert, schedule, team or service
  4  authentication: no token, or the token is unknown, revoked or lacks the role`;

/** An error the CLI raises itself, with the exit code it should end with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
export const notFoundError = (message: string) => new CliError(message, EXIT.notFound);
export const authError = (message: string) => new CliError(message, EXIT.auth);

/** The exit code for an error that ended a command. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  // Commander has already printed its message; --help and --version end with 0.
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (err instanceof ApiError) {
    if (err.status === 400 || err.status === 413 || err.status === 415 || err.status === 422) return EXIT.usage;
    if (err.status === 404) return EXIT.notFound;
    if (err.status === 401 || err.status === 403) return EXIT.auth;
    return EXIT.error;
  }
  if (err instanceof AppError) {
    if (err.code === 'invalid') return EXIT.usage;
    if (err.code === 'not_found') return EXIT.notFound;
    if (err.code === 'unauthorized' || err.code === 'forbidden') return EXIT.auth;
  }
  return EXIT.error;
}

/** What to print on stderr for an error; null when commander has printed it already. */
export function errorMessage(err: unknown): string | null {
  if (err instanceof CommanderError) return null;
  if (err instanceof ApiError && err.status === 401) return `${err.message}\nnext: run watchkeeper login to save a working token, or check --token and WATCHKEEPER_TOKEN, which beat the saved one`;
  return err instanceof Error ? err.message : String(err);
}

/** Runs the CLI as the binary does: the error on stderr, the exit code from {@link exitCodeOf}. */
export async function runCli(main: (argv: string[]) => Promise<void>, argv: string[]): Promise<number> {
  try {
    await main(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const message = errorMessage(err);
    if (message) console.error(message);
    return exitCodeOf(err);
  }
}

/** Colour on a terminal only, and never when NO_COLOR is set to anything. */
export function colourEnabled(stream: { isTTY?: boolean } = process.stdout): boolean {
  const noColor = process.env.NO_COLOR;
  return Boolean(stream.isTTY) && (noColor === undefined || noColor === '') && process.env.TERM !== 'dumb';
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, dim: 2, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function paint(text: string, colour: Colour | null, enabled = colourEnabled()): string {
  return enabled && colour ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text;
}

/** The colour an alert or page status reads best in: red needs someone, green is done. */
export function statusColour(status: string): Colour | null {
  if (status === 'triggered' || status === 'failed') return 'red';
  if (status === 'acknowledged' || status === 'pending' || status === 'sending') return 'yellow';
  if (status === 'resolved' || status === 'sent' || status === 'delivered') return 'green';
  return null;
}

/**
 * Columns padded to their widest cell, two spaces apart, the last column unpadded. `colour` picks
 * a colour per body cell; it is applied after padding so escape codes never skew the alignment.
 */
export function table(rows: string[][], colour?: (column: number, cell: string, row: number) => Colour | null): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const on = colour !== undefined && colourEnabled();
  return rows.map((row, r) =>
    row
      .map((cell, i) => {
        const padded = i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0);
        if (!on) return padded;
        if (r === 0) return paint(padded, 'bold', true);
        const c = colour(i, cell, r);
        return c ? paint(cell, c, true) + padded.slice(cell.length) : padded;
      })
      .join('  ')
      .trimEnd(),
  );
}

export function printTable(rows: string[][], colour?: (column: number, cell: string, row: number) => Colour | null): void {
  for (const line of table(rows, colour)) console.log(line);
}

/** `--json`: the API's answer, pretty-printed, nothing else on stdout. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** "2026-03-09T00:00:00.000Z" -> "2026-03-09 00:00Z": short, still exact, still UTC. */
export const shortTime = (isoTime: string | null | undefined, none = '-'): string => (isoTime ? `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)}Z` : none);

/** The connection flags every server command takes. */
export function withConnection(c: Command): Command {
  return c.option('--server <url>', 'server URL (WATCHKEEPER_SERVER, or the one saved by watchkeeper login)').option('--token <token>', 'API token (WATCHKEEPER_TOKEN, or the one saved by watchkeeper login)');
}

/** Adds `--json` to a command. */
export function withJson(c: Command): Command {
  return c.option('--json', 'print the API’s JSON instead of a table (for scripts)');
}

export interface ConnectionOptions {
  server?: string;
  token?: string;
}
