// The form-based schema builder's model: which settings each task type's
// schema has, and pure edits of a schema object. The server's validator stays
// the judge (the form shows its verdict); keys the form does not know, such
// as conversation_field, are kept as they are.
import type { TaskType } from '../types';

export type Obj = Record<string, unknown>;

/** One setting of a schema, as the form shows it. */
export type Setting =
  | { kind: 'field'; key: string; label: string; hint?: string }
  | { kind: 'bool'; key: string; label: string; hint?: string }
  | { kind: 'int'; key: string; label: string; hint?: string }
  | { kind: 'select'; key: string; label: string; options: readonly (readonly [string, string])[] }
  | { kind: 'options'; key: string; label: string; exclusive?: boolean; color?: boolean }
  | { kind: 'scale'; key: string; label: string }
  | { kind: 'criteria'; key: string; label: string };

const RATIONALE = [
  ['off', 'Off'],
  ['optional', 'Optional'],
  ['required', 'Required'],
] as const;
const prompt: Setting = { kind: 'field', key: 'prompt_field', label: 'Prompt field', hint: 'Empty: the items have no prompt.' };
const text = (label = 'Text field'): Setting => ({ kind: 'field', key: 'field', label });

export const SCHEMA_SETTINGS: Record<TaskType, readonly Setting[]> = {
  classification: [text(), { kind: 'options', key: 'choices', label: 'Choices' }],
  multilabel: [
    text(),
    { kind: 'options', key: 'choices', label: 'Choices', exclusive: true },
    { kind: 'int', key: 'min', label: 'Fewest choices', hint: 'Empty: 0.' },
    { kind: 'int', key: 'max', label: 'Most choices', hint: 'Empty: all of them.' },
  ],
  spans: [
    text(),
    { kind: 'options', key: 'labels', label: 'Span labels', color: true },
    { kind: 'bool', key: 'allow_overlap', label: 'Spans may overlap' },
    { kind: 'bool', key: 'character_precise', label: 'Character-precise spans', hint: 'Off: spans snap to words and drop surrounding spaces.' },
  ],
  pairwise: [
    prompt,
    { kind: 'field', key: 'a_field', label: 'Response A field' },
    { kind: 'field', key: 'b_field', label: 'Response B field' },
    { kind: 'bool', key: 'strength', label: 'Ask how strong the preference is' },
    { kind: 'bool', key: 'allow_tie', label: 'Allow "tie"' },
    { kind: 'bool', key: 'allow_both_bad', label: 'Allow "both bad"' },
    { kind: 'select', key: 'rationale', label: 'Rationale', options: RATIONALE },
  ],
  ranking: [prompt, { kind: 'field', key: 'responses_field', label: 'Responses field' }, { kind: 'bool', key: 'allow_ties', label: 'Allow ties' }],
  rubric: [
    prompt,
    { kind: 'field', key: 'response_field', label: 'Response field' },
    { kind: 'criteria', key: 'criteria', label: 'Criteria' },
    { kind: 'select', key: 'rationale', label: 'Rationale', options: RATIONALE },
  ],
  rewrite: [
    text('Field to rewrite'),
    prompt,
    { kind: 'int', key: 'min_length', label: 'Shortest answer (characters)', hint: 'Empty: 1.' },
    { kind: 'int', key: 'max_length', label: 'Longest answer (characters)', hint: 'Empty: the server default.' },
  ],
  moderation: [
    text(),
    { kind: 'options', key: 'categories', label: 'Categories', exclusive: true },
    { kind: 'bool', key: 'multi', label: 'More than one category per item' },
    { kind: 'scale', key: 'severities', label: 'Severity scale' },
  ],
};

export interface OptionRow {
  value: string;
  label: string;
  hotkey?: string;
  description?: string;
  exclusive?: boolean;
  color?: string;
}

export interface ScaleRow {
  value: number;
  label: string;
  description?: string;
}

export interface CriterionRow {
  id: string;
  label: string;
  description?: string;
  optional?: boolean;
  scale?: ScaleRow[];
}

export function asObject(v: unknown): Obj {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

export function list<T>(schema: Obj, key: string): T[] {
  const v = schema[key];
  return Array.isArray(v) ? (v as T[]) : [];
}

/** schema with key set to v; undefined, null and '' remove the key. */
export function withKey(schema: Obj, key: string, v: unknown): Obj {
  const out = { ...schema };
  if (v === undefined || v === null || v === '') delete out[key];
  else out[key] = v;
  return out;
}

/** A value made from a label: lower case, words joined by underscores. */
export function slug(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
}

/** A row relabelled; its value follows the label while it was the old label's slug. */
export function relabel<T extends { label: string }>(row: T, label: string, idKey: 'value' | 'id'): T {
  const r = row as T & Record<string, unknown>;
  const follows = typeof r[idKey] === 'string' && (r[idKey] === '' || r[idKey] === slug(row.label));
  return follows ? { ...row, label, [idKey]: slug(label) } : { ...row, label };
}

export function replaceAt<T>(rows: readonly T[], i: number, row: T): T[] {
  return rows.map((r, j) => (j === i ? row : r));
}

export function removeAt<T>(rows: readonly T[], i: number): T[] {
  return rows.filter((_, j) => j !== i);
}

/** rows with row i moved by dir (−1 up, +1 down); unchanged at the ends. */
export function move<T>(rows: readonly T[], i: number, dir: -1 | 1): T[] {
  const j = i + dir;
  if (i < 0 || i >= rows.length || j < 0 || j >= rows.length) return [...rows];
  const out = [...rows];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

/** A new option whose value and label do not clash with the rows'. */
export function newOption(rows: readonly { value?: string; id?: string }[], noun = 'Option'): { value: string; label: string } {
  const taken = new Set(rows.map((r) => r.value ?? r.id));
  let n = rows.length + 1;
  while (taken.has(slug(`${noun} ${n}`))) n++;
  return { value: slug(`${noun} ${n}`), label: `${noun} ${n}` };
}

/** The 1–5 scale a criterion gets when it names none (the server's default). */
export const DEFAULT_SCALE: ScaleRow[] = [
  { value: 1, label: 'Very poor' },
  { value: 2, label: 'Poor' },
  { value: 3, label: 'Fair' },
  { value: 4, label: 'Good' },
  { value: 5, label: 'Excellent' },
];

/** The next scale point: one above the highest. */
export function newScalePoint(rows: readonly ScaleRow[]): ScaleRow {
  const top = rows.reduce((m, r) => Math.max(m, r.value), 0);
  return { value: top + 1, label: String(top + 1) };
}

/** A whole number from an input, or undefined when it is empty or not whole. */
export function intOrUndefined(s: string): number | undefined {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isInteger(n) ? n : undefined;
}
