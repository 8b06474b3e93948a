import { describe, expect, it } from 'vitest';
import { actionTargets, commandForKey, emptySelection, moveCursor, reconcile, toggleAtCursor, type Selection } from './selection';

const ids = [50, 40, 30, 20];

describe('alert list keyboard', () => {
  it('maps j, k, x, Enter, a, r and ? to commands', () => {
    expect(['j', 'k', 'x', 'Enter', 'a', 'r', '?'].map((key) => commandForKey({ key }))).toEqual(['down', 'up', 'toggle', 'open', 'acknowledge', 'resolve', 'help']);
    expect(commandForKey({ key: 'q' })).toBeNull();
  });

  it('ignores keys while typing and with modifiers', () => {
    const input = document.createElement('input');
    const textarea = document.createElement('textarea');
    const select = document.createElement('select');
    expect(commandForKey({ key: 'j', target: input })).toBeNull();
    expect(commandForKey({ key: 'a', target: textarea })).toBeNull();
    expect(commandForKey({ key: 'r', target: select })).toBeNull();
    expect(commandForKey({ key: 'r', ctrlKey: true })).toBeNull();
    expect(commandForKey({ key: 'a', metaKey: true })).toBeNull();
    const box = document.createElement('input');
    box.type = 'checkbox';
    expect(commandForKey({ key: 'j', target: box })).toBe('down');
  });

  it('leaves Enter on links and buttons to the control, and keys inside a dialog to the dialog', () => {
    expect(commandForKey({ key: 'Enter', target: document.createElement('a') })).toBeNull();
    expect(commandForKey({ key: 'Enter', target: document.createElement('button') })).toBeNull();
    const dialog = document.createElement('dialog');
    const inner = document.createElement('div');
    dialog.append(inner);
    expect(commandForKey({ key: 'r', target: inner })).toBeNull();
  });

  it('moves the cursor within the list, starting at the first row on j and the last on k', () => {
    let s = moveCursor(emptySelection, 1, ids.length);
    expect(s.cursor).toBe(0);
    s = moveCursor(s, -1, ids.length);
    expect(s.cursor).toBe(0);
    for (let i = 0; i < 10; i++) s = moveCursor(s, 1, ids.length);
    expect(s.cursor).toBe(3);
    expect(moveCursor(emptySelection, -1, ids.length).cursor).toBe(3);
    expect(moveCursor(emptySelection, 1, 0).cursor).toBe(-1);
  });

  it('x toggles the highlighted alert by id', () => {
    let s: Selection = { cursor: 1, selected: new Set() };
    s = toggleAtCursor(s, ids);
    expect([...s.selected]).toEqual([40]);
    s = toggleAtCursor(s, ids);
    expect([...s.selected]).toEqual([]);
    expect(toggleAtCursor(emptySelection, ids)).toBe(emptySelection);
  });

  it('acts on the selected alerts in list order, or on the highlighted one when none is selected', () => {
    expect(actionTargets({ cursor: 0, selected: new Set([20, 50]) }, ids)).toEqual([50, 20]);
    expect(actionTargets({ cursor: 2, selected: new Set() }, ids)).toEqual([30]);
    expect(actionTargets(emptySelection, ids)).toEqual([]);
  });

  it('keeps the cursor on the same alert when new alerts arrive above, and forgets alerts that left', () => {
    const s: Selection = { cursor: 1, selected: new Set([40, 20]) };
    const next = reconcile(s, ids, [60, 50, 40, 30]);
    expect(next.cursor).toBe(2);
    expect([...next.selected]).toEqual([40]);
  });
});
