import { CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../client/client.js';
import { AppError } from '../domain/errors.js';
import { colourEnabled, EXIT, exitCodeOf, notFoundError, table } from './output.js';

describe('CLI output', () => {
  const tty = process.stdout.isTTY;
  const noColor = process.env.NO_COLOR;
  afterEach(() => {
    process.stdout.isTTY = tty;
    if (noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = noColor;
  });

  it('pads columns to the widest cell and leaves the last one unpadded', () => {
    expect(table([['ID', 'STATUS', 'SUMMARY'], ['#7', 'acknowledged', 'disk full'], ['#12', 'triggered', 'x']])).toEqual(['ID   STATUS        SUMMARY', '#7   acknowledged  disk full', '#12  triggered     x']);
  });

  it('colours only on a terminal and never with NO_COLOR set, keeping the columns aligned', () => {
    const rows = [['ID', 'STATUS', 'SUMMARY'], ['#12', 'triggered', 'x'], ['#7', 'resolved', 'y']];
    const colour = (col: number, cell: string) => (col === 1 ? (cell === 'triggered' ? 'red' : 'green') : null);
    process.stdout.isTTY = true;
    delete process.env.NO_COLOR;
    expect(colourEnabled()).toBe(true);
    const lines = table(rows, colour);
    expect(lines[1]).toBe('#12  \u001b[31mtriggered\u001b[0m  x');
    expect(lines[2]).toBe('#7   \u001b[32mresolved\u001b[0m   y');
    expect(lines[0]).toContain('\u001b[1m');

    process.env.NO_COLOR = '1';
    expect(colourEnabled()).toBe(false);
    expect(table(rows, colour)).toEqual(table(rows));
    process.env.NO_COLOR = ''; // an empty NO_COLOR does not count (no-color.org)
    expect(colourEnabled()).toBe(true);
    expect(colourEnabled({ isTTY: false })).toBe(false);
  });

  it('maps errors to the documented exit codes', () => {
    const api = (status: number) => new ApiError(status, `${status}: x`, null);
    expect([400, 404, 401, 403, 409, 500, 0].map((s) => exitCodeOf(api(s)))).toEqual([EXIT.usage, EXIT.notFound, EXIT.auth, EXIT.auth, EXIT.error, EXIT.error, EXIT.error]);
    expect(exitCodeOf(new CommanderError(1, 'commander.unknownOption', 'unknown option'))).toBe(EXIT.usage);
    expect(exitCodeOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(EXIT.ok);
    expect(exitCodeOf(notFoundError('no schedule'))).toBe(EXIT.notFound);
    expect(exitCodeOf(AppError.invalid('file', 'bad'))).toBe(EXIT.usage);
    expect(exitCodeOf(new Error('boom'))).toBe(EXIT.error);
  });
});
