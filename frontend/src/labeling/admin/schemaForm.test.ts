import { describe, expect, it } from 'vitest';
import { TASK_TYPES } from '../types';
import { DEFAULT_SCHEMAS } from './samples';
import { SCHEMA_SETTINGS, intOrUndefined, move, newOption, newScalePoint, relabel, removeAt, slug, withKey } from './schemaForm';

describe('the schema builder model', () => {
  it('has settings for every task type, and knows every key of the default schemas', () => {
    for (const t of TASK_TYPES) {
      const keys = new Set(SCHEMA_SETTINGS[t].map((s) => s.key));
      expect(keys.size, t).toBeGreaterThan(0);
      for (const k of Object.keys(DEFAULT_SCHEMAS[t] as object)) expect(keys.has(k), `${t}.${k}`).toBe(true);
    }
  });

  it('sets and removes keys without touching the ones the form does not know', () => {
    const s = { field: 'text', conversation_field: 'messages', turn: 'last_assistant' };
    expect(withKey(s, 'field', 'body')).toEqual({ field: 'body', conversation_field: 'messages', turn: 'last_assistant' });
    expect(withKey(s, 'field', '')).toEqual({ conversation_field: 'messages', turn: 'last_assistant' });
    expect(withKey(s, 'min', null)).toEqual(s);
    expect(s.field).toBe('text'); // never mutated
  });

  it('makes values from labels, and keeps a value the coordinator typed', () => {
    expect(slug('Very Good!')).toBe('very_good');
    expect(slug('Café crème')).toBe('cafe_creme');
    expect(slug('  東京 tower ')).toBe('東京_tower');
    expect(relabel({ value: 'pos', label: 'Pos' }, 'Positive', 'value')).toEqual({ value: 'positive', label: 'Positive' });
    expect(relabel({ value: 'P1', label: 'Pos' }, 'Positive', 'value')).toEqual({ value: 'P1', label: 'Positive' });
    expect(relabel({ id: 'helpful', label: 'Helpful' }, 'Helpfulness', 'id')).toEqual({ id: 'helpfulness', label: 'Helpfulness' });
  });

  it('adds options that do not clash, moves and removes rows', () => {
    expect(newOption([{ value: 'option_2' }], 'Option')).toEqual({ value: 'option_3', label: 'Option 3' });
    expect(newOption([{ id: 'criterion_1' }], 'Criterion')).toEqual({ value: 'criterion_2', label: 'Criterion 2' });
    expect(move(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(move(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(move(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
    expect(removeAt(['a', 'b', 'c'], 1)).toEqual(['a', 'c']);
    expect(newScalePoint([{ value: 1, label: 'low' }, { value: 4, label: 'high' }])).toEqual({ value: 5, label: '5' });
    expect(newScalePoint([])).toEqual({ value: 1, label: '1' });
  });

  it('reads whole numbers only', () => {
    expect(intOrUndefined('')).toBeUndefined();
    expect(intOrUndefined('2.5')).toBeUndefined();
    expect(intOrUndefined('3')).toBe(3);
    expect(intOrUndefined('0')).toBe(0);
  });
});
