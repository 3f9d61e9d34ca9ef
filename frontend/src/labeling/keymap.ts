// The member's keyboard map: which key does each workbench action. The
// actions, their defaults and the rules live on the server
// (labeling/shortcut, GET/PUT /api/me/shortcuts); Keymap is typed from the
// API document, so an action added there breaks the build until it has a
// default here.
import { createContext, useContext } from 'react';
import type { Schema } from '../schema';

export type Binding = Schema<'Binding'>;
export type ShortcutAction = Binding['action'];
export type Keymap = Record<ShortcutAction, string>;

export const DEFAULT_KEYMAP: Keymap = {
  submit: 'Enter',
  skip: 's',
  undo: 'Ctrl+z',
  instructions: 'i',
  help: '?',
  prediction: 'p',
  reveal: 'r',
  option_1: '1',
  option_2: '2',
  option_3: '3',
  option_4: '4',
  option_5: '5',
  option_6: '6',
  option_7: '7',
  option_8: '8',
  option_9: '9',
  pair_left: 'a',
  pair_right: 'b',
  pair_tie: 't',
  pair_both_bad: 'x',
  rank_up: 'k',
  rank_down: 'j',
  rank_tie: 't',
  rubric_up: 'ArrowUp',
  rubric_down: 'ArrowDown',
  turn_next: 'j',
  turn_prev: 'k',
  turn_exclude: 'e',
  turn_rationale: 'n',
};

/** The global actions: live on every task, so editors keep their generated keys off them. */
export const GLOBAL_ACTIONS: ShortcutAction[] = ['submit', 'skip', 'undo', 'instructions', 'help', 'prediction', 'reveal'];

export function keymapOf(bindings: readonly Binding[]): Keymap {
  const km = { ...DEFAULT_KEYMAP };
  for (const b of bindings) km[b.action] = b.key;
  return km;
}

const MODIFIERS = ['Shift', 'Control', 'Alt', 'Meta', 'AltGraph', 'CapsLock', 'Dead', 'Unidentified', 'Process'];

/**
 * The key of a keyboard event in the form the server stores: Ctrl+ (Ctrl or
 * Cmd), Alt+, Shift+ only before a named key (a character is what Shift
 * gives), then one lower-case character or a named key. '' for a modifier alone.
 */
export function keyOf(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }): string {
  if (MODIFIERS.includes(e.key)) return '';
  const single = [...e.key].length === 1;
  const base = single ? e.key.toLowerCase() : e.key;
  return (e.ctrlKey || e.metaKey ? 'Ctrl+' : '') + (e.altKey ? 'Alt+' : '') + (e.shiftKey && !single ? 'Shift+' : '') + base;
}

/** Whether the event is the key (as keyOf writes it). */
export function isKey(e: KeyboardEvent, key: string): boolean {
  return key !== '' && keyOf(e) === key;
}

const ARROWS: Record<string, string> = { ArrowUp: '↑', ArrowDown: '↓', ArrowLeft: '←', ArrowRight: '→' };

/** How a key is shown on a badge: S, Ctrl+Z, F2, ↑, Space. */
export function keyLabel(key: string): string {
  if (!key) return '';
  const parts = key.split('+');
  let base = parts.pop() ?? '';
  if (key.endsWith('++')) base = '+';
  if (base === ' ') base = 'Space';
  else if (ARROWS[base]) base = ARROWS[base];
  else if ([...base].length === 1) base = base.toUpperCase();
  return [...parts.filter(Boolean), base].join('+');
}

/** A digit hotkey is an option slot: the member's key for that slot. Others stay. */
export function slotKey(km: Keymap, k: string): string {
  return /^[1-9]$/.test(k) ? km[`option_${k}` as ShortcutAction] : k;
}

/** The single characters of the global actions, which generated hotkeys avoid. */
export function globalChars(km: Keymap): string[] {
  return GLOBAL_ACTIONS.map((a) => km[a]).filter((k) => [...k].length === 1);
}

/** Which groups' actions can be live at once (labeling/shortcut live). */
function live(a: Binding['group'], b: Binding['group']): boolean {
  if (a === b || a === 'global' || b === 'global') return true;
  const pair = (x: string, y: string) => (a === x && b === y) || (a === y && b === x);
  return pair('options', 'pairwise') || pair('options', 'rubric') || pair('options', 'conversation') || pair('rubric', 'conversation');
}

/** The action that already has key where action would be live with it, if any. */
export function conflictFor(bindings: readonly Binding[], km: Keymap, action: ShortcutAction, key: string): Binding | null {
  const group = bindings.find((b) => b.action === action)?.group;
  if (!group) return null;
  return bindings.find((b) => b.action !== action && km[b.action] === key && live(group, b.group)) ?? null;
}

export const KeymapContext = createContext<Keymap>(DEFAULT_KEYMAP);

export function useKeymap(): Keymap {
  return useContext(KeymapContext);
}
