import { act, cleanup, render, screen } from '@testing-library/react';
import { useRef, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { classification } from './editors/Choice';
import { pairwise } from './editors/Compare';
import { rubric } from './editors/Rubric';
import { spansAny } from './editors/TurnSpans';
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

function mountWith(mod: EditorModule, schema: unknown, km: Keymap, data: Record<string, unknown> = { text: 'x', response_a: 'A', response_b: 'B' }) {
  const out = { answer: {} as Answer, key: (_k: string) => false };
  function Host() {
    const [a, setA] = useState<Answer>(() => mod.empty(schema, data, { memberId: 1, itemId: 1 }));
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
        <E schema={schema} data={data} answer={a} onChange={setA} keyRef={keyRef} />
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
  describe('conversation keys', () => {
    const chat = {
      messages: [
        { id: 't1', role: 'user', content: 'Weather in Oslo?' },
        { id: 't2', role: 'assistant', content: 'Cold.' },
        { id: 't3', role: 'user', content: 'And Rome?' },
        { id: 't4', role: 'assistant', content: 'Warm.' },
      ],
    };
    const remapped = { ...DEFAULT_KEYMAP, turn_next: 'l', turn_prev: 'h', turn_exclude: 'x', turn_rationale: 'w', rubric_down: 'PageDown', option_1: 'q' };
    it('per-turn rating moves, marks and scores with the member keys; the defaults no longer do', () => {
      const schema = { conversation_field: 'messages', turn: 'each_assistant', criteria: [{ id: 'ok', label: 'OK', scale: [{ value: 1, label: 'yes' }, { value: 2, label: 'no' }] }] };
      const h = mountWith(rubric as unknown as EditorModule, schema, remapped, chat);
      expect(h.key('j')).toBe(false);
      expect(h.key('e')).toBe(false);
      expect(h.key('1')).toBe(false);
      expect(h.key('l')).toBe(true); // to t4
      expect(h.key('x')).toBe(true); // do not train on t4
      expect(h.key('q')).toBe(true); // t4 scored 1
      expect(h.key('h')).toBe(true); // back to t2
      expect(h.key('2')).toBe(true);
      expect(rubric.toAnswer(schema, chat, h.answer)).toEqual({ turns: { t2: { scores: { ok: 2 } }, t4: { scores: { ok: 1 }, exclude: true } } });
      // The badges and the help show the member keys.
      expect([...document.querySelectorAll('.turn-exclude kbd')].map((k) => k.textContent)).toEqual(['X']);
      expect(rubric.shortcuts(schema, remapped).map((x) => x.keys)).toEqual(['L / H', '↑ / PageDown', 'Q … 9 (or the scale value)', 'X', 'W']);
    });
    it('spans per turn move with the member keys, unless a label takes the key', () => {
      const schema = { conversation_field: 'messages', labels: [{ value: 'CITY', hotkey: 'l' }] };
      const h = mountWith(spansAny as unknown as EditorModule, schema, remapped, chat);
      expect(screen.getByTestId('span-text').textContent).toBe('Weather in Oslo?');
      expect(h.key('j')).toBe(false);
      expect(h.key('l')).toBe(true); // the label's hotkey (no selection: it says so), not the next turn
      expect(screen.getByTestId('span-text').textContent).toBe('Weather in Oslo?');
      expect(spansAny.shortcuts(schema, remapped)[0]).toEqual({ keys: 'H', action: 'Previous turn' });
      cleanup();
      const plain = { conversation_field: 'messages', labels: [{ value: 'CITY' }] };
      const p = mountWith(spansAny as unknown as EditorModule, plain, remapped, chat);
      expect(p.key('l')).toBe(true);
      expect(screen.getByTestId('span-text').textContent).toBe('Cold.');
      expect(spansAny.shortcuts(plain, remapped)[0]).toEqual({ keys: 'L / H', action: 'Next / previous turn' });
    });
    it('clash with the option slots and the rubric keys, not with ranking', () => {
      const b: Binding[] = [
        { action: 'turn_next', key: 'j', group: 'conversation', label: 'Next turn' },
        { action: 'rank_down', key: 'j', group: 'ranking', label: 'Rank down' },
        { action: 'option_1', key: '1', group: 'options', label: 'Option 1' },
        { action: 'rubric_up', key: 'ArrowUp', group: 'rubric', label: 'Criterion above' },
      ];
      expect(conflictFor(b, DEFAULT_KEYMAP, 'turn_next', '1')?.action).toBe('option_1');
      expect(conflictFor(b, DEFAULT_KEYMAP, 'turn_next', 'ArrowUp')?.action).toBe('rubric_up');
      expect(conflictFor(b, DEFAULT_KEYMAP, 'rank_down', 'j')).toBeNull();
    });
  });
});
