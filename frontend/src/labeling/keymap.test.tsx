import { act, render, screen } from '@testing-library/react';
import { useRef, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { classification } from './editors/Choice';
import { pairwise } from './editors/Compare';
import type { EditorModule, KeyHandler } from './editors/types';
import { conflictFor, DEFAULT_KEYMAP, keyLabel, keyOf, KeymapContext, slotKey, type Binding, type Keymap } from './keymap';
import type { Answer } from './types';

const ev = (key: string, mods: Partial<KeyboardEventInit> = {}) => new KeyboardEvent('keydown', { key, ...mods });

describe('keyOf and keyLabel', () => {
  it('writes keys as the server stores them', () => {
    expect(keyOf(ev('S', { shiftKey: true }))).toBe('s');
    expect(keyOf(ev('?', { shiftKey: true }))).toBe('?');
    expect(keyOf(ev('z', { metaKey: true }))).toBe('Ctrl+z');
    expect(keyOf(ev('ArrowUp', { shiftKey: true }))).toBe('Shift+ArrowUp');
    expect(keyOf(ev('Shift', { shiftKey: true }))).toBe('');
    expect(keyLabel('Ctrl+z')).toBe('Ctrl+Z');
    expect(keyLabel('ArrowDown')).toBe('↓');
    expect(keyLabel(' ')).toBe('Space');
    expect(slotKey({ ...DEFAULT_KEYMAP, option_2: 'w' }, '2')).toBe('w');
    expect(slotKey(DEFAULT_KEYMAP, 'q')).toBe('q');
  });
  it('finds the action a key would clash with, by group', () => {
    const b: Binding[] = [
      { action: 'skip', key: 's', group: 'global', label: 'Skip' },
      { action: 'pair_tie', key: 't', group: 'pairwise', label: 'Tie' },
      { action: 'rank_tie', key: 't', group: 'ranking', label: 'Rank tie' },
      { action: 'option_1', key: '1', group: 'options', label: 'Option 1' },
    ];
    expect(conflictFor(b, DEFAULT_KEYMAP, 'skip', 't')?.action).toBe('pair_tie');
    expect(conflictFor(b, DEFAULT_KEYMAP, 'rank_tie', 'x')).toBeNull();
    expect(conflictFor(b, DEFAULT_KEYMAP, 'option_1', 't')?.action).toBe('pair_tie');
  });
});

function mountWith(mod: EditorModule, schema: unknown, km: Keymap) {
  const out = { answer: {} as Answer, key: (_k: string) => false };
  function Host() {
    const [a, setA] = useState<Answer>(() => mod.empty(schema, {}, { memberId: 1, itemId: 1 }));
    const keyRef = useRef<KeyHandler | null>(null);
    out.answer = a;
    out.key = (k) => {
      let used = false;
      act(() => {
        used = keyRef.current?.(ev(k)) ?? false;
      });
      return used;
    };
    const E = mod.Editor;
    return (
      <KeymapContext.Provider value={km}>
        <E schema={schema} data={{ text: 'x', response_a: 'A', response_b: 'B' }} answer={a} onChange={setA} keyRef={keyRef} />
      </KeymapContext.Provider>
    );
  }
  render(<Host />);
  return out;
}

describe('remapped keys in the editors', () => {
  it('an option slot moves to the member key, on the badge and in the help', () => {
    const km = { ...DEFAULT_KEYMAP, option_1: 'q' };
    const schema = { choices: [{ value: 'pos', label: 'Positive', hotkey: '1' }, { value: 'neg', label: 'Negative', hotkey: '2' }] };
    const h = mountWith(classification as unknown as EditorModule, schema, km);
    expect(h.key('1')).toBe(false);
    expect(h.key('q')).toBe(true);
    expect(h.answer).toEqual({ choice: 'pos' });
    expect(screen.getByRole('radio', { name: /Positive/ }).closest('label')?.textContent).toContain('Q');
    expect(classification.shortcuts(schema, km)[0].keys).toBe('Q');
  });
  it('pairwise uses the member keys', () => {
    const km = { ...DEFAULT_KEYMAP, pair_left: 'h', pair_right: 'l' };
    const h = mountWith(pairwise as unknown as EditorModule, {}, km);
    expect(h.key('a')).toBe(false);
    expect(h.key('l')).toBe(true);
    expect(['a', 'b']).toContain(h.answer.choice);
  });
});
