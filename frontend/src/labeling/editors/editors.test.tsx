import { act, fireEvent, render, screen } from '@testing-library/react';
import { useRef, useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { Answer, ItemData } from '../types';
import { classification, moderation, multilabel, toggleChoice } from './Choice';
import { dropItem, moveItem, pairwise, ranking, shownOrder, shuffledIds, toggleTie } from './Compare';
import { rewrite } from './Rewrite';
import { rubric } from './Rubric';
import { addSpan, assignTracks, spans } from './Spans';
import type { EditorModule, KeyHandler } from './types';

function mount(mod: EditorModule, schema: unknown, data: ItemData, ctx = { memberId: 1, itemId: 1 }) {
  const out: { answer: Answer; key: (key: string, opts?: Partial<KeyboardEventInit>) => boolean } = {
    answer: {},
    key: () => false,
  };
  function Host() {
    const [a, setA] = useState<Answer>(() => mod.empty(schema, data, ctx));
    const keyRef = useRef<KeyHandler | null>(null);
    out.answer = a;
    out.key = (key, opts = {}) => {
      let used = false;
      act(() => {
        used = keyRef.current?.(new KeyboardEvent('keydown', { key, ...opts })) ?? false;
      });
      return used;
    };
    const E = mod.Editor;
    return <E schema={schema} data={data} answer={a} onChange={setA} keyRef={keyRef} />;
  }
  render(<Host />);
  return out;
}

const answerOf = (mod: EditorModule, schema: unknown, data: ItemData, a: Answer) => mod.toAnswer(schema, data, a);

describe('classification', () => {
  const schema = { field: 'text', choices: [{ value: 'pos', label: 'Positive', hotkey: '1' }, { value: 'neg', label: 'Negative', hotkey: '2' }] };
  const data = { text: 'I <b>love</b> it' };
  it('number keys pick; the answer is {choice}', () => {
    const h = mount(classification as unknown as EditorModule, schema, data);
    expect(classification.validate(schema, data, h.answer as never)).toMatch(/Choose/);
    expect(h.key('2')).toBe(true);
    expect(answerOf(classification as unknown as EditorModule, schema, data, h.answer)).toEqual({ choice: 'neg' });
    expect(h.key('9')).toBe(false);
    expect(screen.getByText('I <b>love</b> it')).toBeTruthy();
    expect(screen.getByRole('radio', { name: /Negative/ })).toHaveProperty('checked', true);
  });
});

describe('multilabel', () => {
  const schema = {
    choices: [
      { value: 'a', label: 'A', hotkey: '1' },
      { value: 'b', label: 'B', hotkey: '2' },
      { value: 'none', label: 'None', hotkey: '3', exclusive: true },
    ],
    min: 1,
    max: 2,
  };
  it('toggles with keys, honours exclusive options, validates min/max', () => {
    const h = mount(multilabel as unknown as EditorModule, schema, { text: 't' });
    h.key('2');
    h.key('1');
    expect(h.answer).toEqual({ choices: ['a', 'b'] });
    h.key('3');
    expect(h.answer).toEqual({ choices: ['none'] });
    h.key('3');
    expect(multilabel.validate(schema, {}, h.answer as never)).toMatch(/at least 1/);
    expect(toggleChoice(schema.choices, ['none'], 'a')).toEqual(['a']);
  });
});

describe('moderation', () => {
  const schema = {
    categories: [
      { value: 'none', label: 'No violation', exclusive: true },
      { value: 'hate', label: 'Hate' },
    ],
    severities: [
      { value: 0, label: 'None' },
      { value: 1, label: 'Low' },
      { value: 2, label: 'High' },
    ],
  };
  it('letters pick categories, digits the severity; severity required for violations only', () => {
    const h = mount(moderation as unknown as EditorModule, schema, { text: 'x' });
    // Letters are assigned from the pool, skipping workbench keys.
    h.key('w');
    expect(h.answer.categories).toEqual(['hate']);
    expect(moderation.validate(schema, {}, h.answer as never)).toMatch(/severity/);
    h.key('2');
    expect(moderation.toAnswer(schema, {}, h.answer as never)).toEqual({ categories: ['hate'], severity: 2 });
    h.key('q');
    expect(moderation.validate(schema, {}, h.answer as never)).toBeNull();
    expect(moderation.toAnswer(schema, {}, h.answer as never)).toEqual({ categories: ['none'] });
  });
});

describe('spans', () => {
  const schema = { field: 'text', labels: [{ value: 'EMO', hotkey: '1' }, { value: 'PLACE', hotkey: '2' }], allow_overlap: true };
  const text = 'Hi 🙂 👩‍👩‍👧 cafe\u0301 東京';
  const data = { text };
  it('keyboard selection over an emoji, a ZWJ family, a combining accent and CJK gives code-point offsets', () => {
    const h = mount(spans as unknown as EditorModule, schema, data);
    const box = screen.getByTestId('span-text');
    act(() => box.focus());
    const k = (key: string, shift = false) => fireEvent.keyDown(box, { key, shiftKey: shift });
    k('ArrowRight');
    k('ArrowRight');
    k('ArrowRight'); // caret after "Hi "
    k('ArrowRight', true); // select 🙂 (one code point, two UTF-16 units)
    h.key('1');
    expect(h.answer.spans).toEqual([{ start: 3, end: 4, label: 'EMO', text: '🙂' }]);
    k('ArrowRight'); // caret after the space following 🙂
    k('ArrowRight', true); // the whole family is one grapheme: 5 code points
    h.key('1');
    k('ArrowRight');
    k('ArrowRight', true);
    k('ArrowRight', true);
    k('ArrowRight', true);
    k('ArrowRight', true); // "cafe\u0301" = 5 code points, 4 graphemes
    h.key('2');
    k('ArrowRight');
    k('ArrowRight', true);
    k('ArrowRight', true);
    h.key('2');
    const out = spans.toAnswer(schema, data, h.answer as never).spans as { start: number; end: number; text: string }[];
    expect(out.map((s) => [s.start, s.end, s.text])).toEqual([
      [3, 4, '🙂'],
      [5, 10, '👩‍👩‍👧'],
      [11, 16, 'cafe\u0301'],
      [17, 19, '東京'],
    ]);
    for (const s of out) expect(Array.from(text).slice(s.start, s.end).join('')).toBe(s.text);
  });

  it('Delete on a focused span removes it; overlaps get separate tracks', () => {
    const h = mount(spans as unknown as EditorModule, schema, data);
    const box = screen.getByTestId('span-text');
    act(() => box.focus());
    fireEvent.keyDown(box, { key: 'End', shiftKey: true });
    h.key('2');
    fireEvent.keyDown(box, { key: 'Home' });
    fireEvent.keyDown(box, { key: 'ArrowRight', shiftKey: true });
    h.key('1');
    expect(h.answer.spans).toHaveLength(2);
    expect(new Set(assignTracks(h.answer.spans as never)).size).toBe(2);
    const chip = screen.getAllByRole('button', { description: /Press Delete to remove/ })[0];
    fireEvent.keyDown(chip, { key: 'Delete' });
    expect(h.answer.spans).toHaveLength(1);
  });

  it('without allow_overlap a new span replaces the ones it overlaps', () => {
    const a = addSpan([{ start: 0, end: 4, label: 'A' }], { start: 2, end: 6, label: 'B' }, false);
    expect(a).toEqual([{ start: 2, end: 6, label: 'B' }]);
  });
});

describe('pairwise', () => {
  const schema = { strength: true, rationale: 'optional' };
  const data = { prompt: 'p', response_a: 'AAA', response_b: 'BBB' };
  it('records a deterministic shown order; keys refer to what is shown', () => {
    const orders = new Set<string>();
    for (let i = 0; i < 40; i++) orders.add(shownOrder({ memberId: 3, itemId: i }));
    expect(orders).toEqual(new Set(['ab', 'ba']));
    expect(shownOrder({ memberId: 3, itemId: 5 })).toBe(shownOrder({ memberId: 3, itemId: 5 }));
    let itemId = 0;
    while (shownOrder({ memberId: 1, itemId }) !== 'ba') itemId++;
    const h = mount(pairwise as unknown as EditorModule, schema, data, { memberId: 1, itemId });
    h.key('a'); // left is response b when shown "ba"
    h.key('3');
    expect(pairwise.toAnswer(schema, data, h.answer as never)).toEqual({ choice: 'b', strength: 3, shown_order: 'ba' });
    h.key('t');
    expect(pairwise.toAnswer(schema, data, h.answer as never)).toEqual({ choice: 'tie', shown_order: 'ba' });
    h.key('x');
    expect(h.answer.choice).toBe('both_bad');
  });
  it('requires a rationale when the schema says so', () => {
    expect(pairwise.validate({ rationale: 'required' }, data, { choice: 'a', rationale: ' ', shown_order: 'ab' })).toMatch(/rationale/);
  });
});

describe('ranking', () => {
  const schema = { responses_field: 'responses' };
  const data = { responses: [{ id: 'x', text: 'X' }, { id: 'y', text: 'Y' }, { id: 'z', text: 'Z' }] };
  it('moves, ties and unties with the keyboard, from the shuffled order it records', () => {
    const h = mount(ranking as unknown as EditorModule, schema, data);
    const [a, b, c] = h.answer.shown_order as string[];
    expect([a, b, c].sort()).toEqual(['x', 'y', 'z']);
    expect(h.answer.ranking).toEqual([[a], [b], [c]]);
    expect(ranking.confirm?.(schema, data, h.answer as never)?.action).toBe('Submit the order as shown');
    h.key('ArrowDown'); // select the second
    h.key('ArrowUp', { shiftKey: true }); // move it to the top
    expect(h.answer.ranking).toEqual([[b], [a], [c]]);
    expect(ranking.confirm?.(schema, data, h.answer as never)).toBeNull();
    h.key('ArrowDown');
    h.key('ArrowDown'); // select the third
    h.key('t'); // tie it with the one above
    expect(h.answer.ranking).toEqual([[b], [a, c]]);
    expect(ranking.validate(schema, data, h.answer as never)).toBeNull();
    h.key('t'); // untie
    expect(h.answer.ranking).toEqual([[b], [a], [c]]);
    expect(answerOf(ranking as unknown as EditorModule, schema, data, h.answer)).toEqual({ ranking: [[b], [a], [c]], shown_order: [a, b, c] });
    expect(screen.queryByText(/\bx\b/)).toBeNull();
  });
  it('shuffles per labeller and item, the same each time', () => {
    const ids = ['r1', 'r2', 'r3', 'r4', 'r5'];
    expect(shuffledIds(ids, { memberId: 3, itemId: 9 })).toEqual(shuffledIds(ids, { memberId: 3, itemId: 9 }));
    expect([...shuffledIds(ids, { memberId: 3, itemId: 9 })].sort()).toEqual(ids);
    const orders = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((itemId) => shuffledIds(ids, { memberId: 3, itemId }).join()));
    expect(orders.size).toBeGreaterThan(3);
  });
  it('tier operations', () => {
    expect(moveItem([['a', 'b'], ['c']], 'b', -1)).toEqual([['b'], ['a'], ['c']]);
    expect(toggleTie([['a'], ['b']], 'b')).toEqual([['a', 'b']]);
    expect(dropItem([['a'], ['b'], ['c']], 'c', 0, false)).toEqual([['c'], ['a'], ['b']]);
    expect(dropItem([['a'], ['b'], ['c']], 'a', 2, true)).toEqual([['b'], ['c', 'a']]);
    expect(ranking.validate(schema, data, { ranking: [['x'], ['y']], shown_order: ['x', 'y', 'z'] })).toMatch(/every/);
  });
});

describe('rubric', () => {
  const schema = { criteria: [{ id: 'help' }, { id: 'safe', scale: [{ value: 0, label: 'Unsafe' }, { value: 1, label: 'Safe' }] }], rationale: 'off' };
  const data = { response: 'r' };
  it('number keys score the focused row, arrows move rows', () => {
    const h = mount(rubric as unknown as EditorModule, schema, data);
    h.key('4'); // help = 4, moves to the next row
    h.key('1'); // safe = 1
    expect(rubric.toAnswer(schema, data, h.answer as never)).toEqual({ scores: { help: 4, safe: 1 } });
    h.key('ArrowUp');
    h.key('2');
    expect(h.answer.scores).toEqual({ help: 2, safe: 1 });
    expect(rubric.validate(schema, data, { scores: { help: 2 }, rationale: '' })).toMatch(/safe/);
  });
});

describe('rewrite', () => {
  it('is seeded with the original and shows a diff', () => {
    const schema = { field: 'response', prompt_field: 'prompt' };
    const data = { prompt: 'p', response: 'hello world' };
    mount(rewrite as unknown as EditorModule, schema, data);
    const box = screen.getByLabelText('Your rewrite') as HTMLTextAreaElement;
    expect(box.value).toBe('hello world');
    fireEvent.change(box, { target: { value: 'hello there world' } });
    expect(document.querySelector('ins.diff-add')?.textContent).toContain('there');
    expect(rewrite.validate(schema, data, { text: '  ' })).toMatch(/Write/);
    expect(rewrite.toAnswer(schema, data, { text: 'x' })).toEqual({ text: 'x' });
  });
});
