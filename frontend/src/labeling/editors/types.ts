import type { ComponentType, MutableRefObject } from 'react';
import type { Keymap } from '../keymap';
import type { Answer, ItemData } from '../types';

export interface EditorContext {
  memberId: number;
  itemId: number;
}

export type KeyHandler = (e: KeyboardEvent) => boolean;

export interface EditorProps<A = Answer> {
  schema: unknown;
  data: ItemData;
  answer: A;
  onChange: (a: A) => void;
  /** The editor puts its global key handler here; return true when a key was used. */
  keyRef: MutableRefObject<KeyHandler | null>;
  readOnly?: boolean;
}

export interface Shortcut {
  keys: string;
  action: string;
}

export interface EditorModule<A = Answer> {
  Editor: ComponentType<EditorProps<A>>;
  /** A fresh answer state for an item (pairwise records its shown order here). */
  empty: (schema: unknown, data: ItemData, ctx: EditorContext) => A;
  /** Starting state from a draft or pre-annotation (already in answer format). */
  from: (schema: unknown, data: ItemData, ctx: EditorContext, saved: Answer) => A;
  /** null when the answer can be submitted, else what is missing, in plain words. */
  validate: (schema: unknown, data: ItemData, answer: A) => string | null;
  /** The answer JSON sent to the server. */
  toAnswer: (schema: unknown, data: ItemData, answer: A) => Answer;
  /** The editor's keys for the help dialog, from the member's map (default: the defaults). */
  shortcuts: (schema: unknown, km?: Keymap) => Shortcut[];
  /**
   * A valid answer that may be an accident (an unchanged rewrite, an
   * untouched ranking): what to ask, and the label of the button that
   * submits it anyway. Enter alone never confirms.
   */
  confirm?: (schema: unknown, data: ItemData, answer: A) => { question: string; action: string } | null;
}

export function str(data: ItemData, field: string | undefined): string {
  if (!field) return '';
  const v = data[field];
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
