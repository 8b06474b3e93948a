/**
 * Keyboard selection in the alert list, kept pure so it can be tested without a browser.
 * `cursor` is the highlighted row (an index into the loaded list, -1 before the first move);
 * `selected` holds alert ids, so it survives rows being added above by live updates.
 */

export interface Selection {
  cursor: number;
  selected: ReadonlySet<number>;
}

export const emptySelection: Selection = { cursor: -1, selected: new Set() };

export type Command = 'down' | 'up' | 'toggle' | 'open' | 'acknowledge' | 'resolve' | 'help';

const KEYS: Record<string, Command> = { j: 'down', k: 'up', x: 'toggle', Enter: 'open', a: 'acknowledge', r: 'resolve', '?': 'help' };

interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  target?: EventTarget | null;
}

/** True where a key press is typing, not a command: text inputs, text areas, selects, editable content. */
export function isTypingTarget(target: EventTarget | null | undefined): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
  }
  return el.isContentEditable === true;
}

/** The command for a key press, or null when the key is not ours (or the user is typing). */
export function commandForKey(e: KeyLike): Command | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (isTypingTarget(e.target)) return null;
  const cmd = KEYS[e.key];
  if (!cmd) return null;
  // Enter on a link or button already does what that control says.
  if (cmd === 'open' && e.target && ['A', 'BUTTON'].includes((e.target as Element).tagName)) return null;
  // Inside an open dialog, the dialog owns the keyboard.
  if (e.target && typeof (e.target as Element).closest === 'function' && (e.target as Element).closest('dialog')) return null;
  return cmd;
}

export function moveCursor(sel: Selection, delta: number, length: number): Selection {
  if (length === 0) return { ...sel, cursor: -1 };
  const from = sel.cursor < 0 ? (delta > 0 ? -1 : length) : sel.cursor;
  const cursor = Math.min(length - 1, Math.max(0, from + delta));
  return cursor === sel.cursor ? sel : { ...sel, cursor };
}

export function toggleId(sel: Selection, id: number): Selection {
  const selected = new Set(sel.selected);
  if (selected.has(id)) selected.delete(id);
  else selected.add(id);
  return { ...sel, selected };
}

/** Toggles the row under the cursor. */
export function toggleAtCursor(sel: Selection, ids: readonly number[]): Selection {
  const id = ids[sel.cursor];
  return id === undefined ? sel : toggleId(sel, id);
}

/** What a bulk action acts on: the selected alerts in list order, else the highlighted one. */
export function actionTargets(sel: Selection, ids: readonly number[]): number[] {
  if (sel.selected.size) return ids.filter((id) => sel.selected.has(id));
  const id = ids[sel.cursor];
  return id === undefined ? [] : [id];
}

/** After the list changes: forget selected ids that left it, keep the cursor on the same alert. */
export function reconcile(sel: Selection, prevIds: readonly number[], ids: readonly number[]): Selection {
  const present = new Set(ids);
  const selected = new Set([...sel.selected].filter((id) => present.has(id)));
  let cursor = sel.cursor;
  const cursorId = prevIds[sel.cursor];
  if (cursorId !== undefined) {
    const i = ids.indexOf(cursorId);
    cursor = i >= 0 ? i : Math.min(sel.cursor, ids.length - 1);
  }
  if (cursor === sel.cursor && selected.size === sel.selected.size) return sel;
  return { cursor, selected };
}
