// The editors over a conversation field: transcript, per-turn rating with
// J/K, pairwise next turns, rewrite of the last turn, spans per turn.
import { act, cleanup, render, screen } from '@testing-library/react';
import { useRef, useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Answer, ItemData } from '../types';
import { classification, moderation } from './Choice';
import { pairwise } from './Compare';
import { Transcript } from './Conversation';
import { rewrite } from './Rewrite';
import { rubric } from './Rubric';
import { spansAny } from './TurnSpans';
import type { EditorModule, KeyHandler } from './types';

afterEach(cleanup);

function mount(mod: EditorModule, schema: unknown, data: ItemData, saved?: Answer) {
  const out: { answer: Answer; key: (key: string) => boolean } = { answer: {}, key: () => false };
  function Host() {
    const [a, setA] = useState<Answer>(() => (saved ? mod.from(schema, data, { memberId: 1, itemId: 1 }, saved) : mod.empty(schema, data, { memberId: 1, itemId: 1 })));
    const keyRef = useRef<KeyHandler | null>(null);
    out.answer = a;
    out.key = (key) => {
      let used = false;
      act(() => {
        used = keyRef.current?.(new KeyboardEvent('keydown', { key })) ?? false;
      });
      return used;
    };
    const E = mod.Editor;
    return <E schema={schema} data={data} answer={a} onChange={setA} keyRef={keyRef} />;
  }
  render(<Host />);
  return out;
}

const chat: ItemData = {
  messages: [
    { id: 't0', role: 'system', content: 'Sei knapp. <script>alert(1)</script>' },
    { id: 't1', role: 'user', content: 'Wetter in Zürich? 🌦' },
    { id: 't2', role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Zürich"}' } }] },
    { id: 't3', role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":7}' },
    { id: 't4', role: 'assistant', content: 'Es sind **7 °C** 🌥.' },
    { id: 't5', role: 'user', content: 'Danke! 🙏' },
    { id: 't6', role: 'assistant', content: 'Gern geschehen.' },
  ],
};

describe('Transcript', () => {
  it('shows roles, the system prompt collapsed, tool calls as formatted JSON with the result under them, markdown inert', () => {
    const { container } = render(<Transcript messages={(chat.messages as never[]).map((m) => m)} />);
    const sys = container.querySelector('details.conv-system') as HTMLDetailsElement;
    expect(sys.open).toBe(false);
    expect(container.querySelector('script')).toBeNull();
    expect(sys.textContent).toContain('<script>alert(1)</script>');
    const args = screen.getByLabelText('Arguments of get_weather');
    expect(args.textContent).toBe('{\n  "city": "Zürich"\n}');
    // The tool result sits under its call, not as a turn of its own.
    expect(container.querySelector('.conv-call .conv-result')?.textContent).toContain('"temp_c": 7');
    expect(container.querySelectorAll('li.conv-tool')).toHaveLength(0);
    expect(container.querySelector('li[data-turn="t4"] strong')?.textContent).toBe('7 °C');
    expect(screen.getAllByText(/^Assistant/)).toHaveLength(3);
  });
});

describe('a long transcript', () => {
  it('opens scrolled to its last turns; a candidate inside another box keeps its place', () => {
    // jsdom lays nothing out: give every box a height to scroll through.
    const height = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'scrollHeight');
    Object.defineProperty(HTMLElement.prototype, 'scrollHeight', { configurable: true, get: () => 4321 });
    try {
      const long = Array.from({ length: 40 }, (_, i) => ({ id: `t${i}`, role: i % 2 ? 'assistant' : 'user', content: `Zug ${i} 🚆` }));
      const { container } = render(<Transcript messages={long as never[]} />);
      const box = container.querySelector('ol.conv-turns') as HTMLOListElement;
      expect(box.scrollTop).toBe(4321);
      expect(box.getAttribute('aria-label')).toBe('Conversation, 40 messages');
      cleanup();
      const nested = render(<Transcript messages={long as never[]} compact />);
      expect((nested.container.querySelector('ol.conv-turns') as HTMLOListElement).scrollTop).toBe(0);
    } finally {
      if (height) Object.defineProperty(HTMLElement.prototype, 'scrollHeight', height);
      else delete (HTMLElement.prototype as { scrollHeight?: number }).scrollHeight;
    }
  });
});

describe('per-turn rating', () => {
  const schema = {
    conversation_field: 'messages',
    turn: 'each_assistant',
    criteria: [
      { id: 'helpful', label: 'Helpful' },
      { id: 'correct', label: 'Correct', scale: [{ value: 0, label: '👎' }, { value: 1, label: '👍' }] },
    ],
    rationale: 'optional',
  };
  it('J/K move between assistant turns, number keys score and move on, E marks a turn; the answer is keyed by turn id', () => {
    const h = mount(rubric, schema, chat);
    expect(rubric.validate(schema, chat, h.answer)).toMatch(/Assistant turn 1: score Helpful, Correct/);
    h.key('4'); // t2 helpful
    h.key('1'); // t2 correct → moves to t4
    h.key('5');
    h.key('1'); // → t6
    expect(h.key('k')).toBe(true); // back to t4
    expect(h.key('e')).toBe(true); // mark t4
    expect(h.key('j')).toBe(true); // t6
    h.key('2');
    expect(rubric.validate(schema, chat, h.answer)).toMatch(/Assistant turn 3: score Correct/);
    h.key('0');
    expect(rubric.validate(schema, chat, h.answer)).toBeNull();
    expect(rubric.toAnswer(schema, chat, h.answer)).toEqual({
      turns: {
        t2: { scores: { helpful: 4, correct: 1 } },
        t4: { scores: { helpful: 5, correct: 1 }, exclude: true },
        t6: { scores: { helpful: 2, correct: 0 } },
      },
    });
    expect(screen.getByRole('status').textContent).toMatch(/3 of 3 assistant turns rated · 1 marked do not train/);
  });
  it('restores a draft and drops turns that are not assistant turns', () => {
    const a = rubric.from(schema, chat, { memberId: 1, itemId: 1 }, { turns: { t1: { scores: { helpful: 3 } }, t4: { scores: { helpful: 3, correct: 9 }, rationale: 'ok' } } });
    expect(rubric.toAnswer(schema, chat, a)).toEqual({ turns: { t2: { scores: {} }, t4: { scores: { helpful: 3 }, rationale: 'ok' }, t6: { scores: {} } } });
  });
  it('a draft opens at the first turn still to rate', () => {
    const h = mount(rubric, schema, chat, { turns: { t2: { scores: { helpful: 3, correct: 1 } } } });
    h.key('5');
    expect(rubric.toAnswer(schema, chat, h.answer)).toMatchObject({ turns: { t2: { scores: { helpful: 3, correct: 1 } }, t4: { scores: { helpful: 5 } } } });
    expect(document.querySelector('li.conv-active')?.getAttribute('data-turn')).toBe('t4');
  });
  it('a last_assistant rubric stays a flat answer, over the transcript', () => {
    const flat = { ...schema, turn: 'last_assistant' };
    const h = mount(rubric, flat, chat);
    h.key('3');
    h.key('1');
    expect(rubric.toAnswer(flat, chat, h.answer)).toEqual({ scores: { helpful: 3, correct: 1 } });
    expect(screen.getByText(/being labelled/).closest('li')?.getAttribute('data-turn')).toBe('t6');
  });
});

describe('pairwise over next turns', () => {
  const schema = { conversation_field: 'messages', a_field: 'a', b_field: 'b' };
  const data = {
    messages: (chat.messages as unknown[]).slice(0, 6),
    a: 'Gern! 😊',
    b: [{ role: 'assistant', content: '', tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bern"}' } }] }],
  };
  it('shows the shared history and both candidates; the choice refers to the data fields', () => {
    const h = mount(pairwise as unknown as EditorModule, schema, data);
    expect(screen.getByRole('region', { name: 'Conversation so far' })).toBeTruthy();
    expect(screen.getByText('Gern! 😊')).toBeTruthy();
    // One call in the history, one in candidate b.
    expect(screen.getAllByLabelText('Arguments of get_weather').map((x) => x.textContent)).toEqual(['{\n  "city": "Zürich"\n}', '{\n  "city": "Bern"\n}']);
    h.key('a');
    const left = h.answer.shown_order === 'ba' ? 'b' : 'a';
    expect(pairwise.toAnswer(schema, data, h.answer as never)).toEqual({ choice: left, shown_order: h.answer.shown_order });
  });
});

describe('rewrite of the last assistant turn', () => {
  const schema = { conversation_field: 'messages', turn: 'last_assistant' };
  it('starts from the last assistant turn, shows the history before it and a diff', () => {
    const h = mount(rewrite as unknown as EditorModule, schema, chat);
    expect(h.answer).toEqual({ text: 'Gern geschehen.' });
    expect(rewrite.confirm?.(schema, chat, h.answer as never)).not.toBeNull();
    expect(screen.getByRole('region', { name: 'Conversation before the turn you rewrite' }).textContent).not.toContain('Gern geschehen');
    const next = { ...schema, turn: 'next' };
    expect(rewrite.empty(next, chat, { memberId: 1, itemId: 1 })).toEqual({ text: '' });
  });
});

describe('classification of one turn', () => {
  it('highlights the last assistant turn and answers as without a conversation', () => {
    const schema = { conversation_field: 'messages', turn: 'last_assistant', choices: [{ value: 'ok', hotkey: '1' }, { value: 'bad', hotkey: '2' }] };
    const h = mount(classification as unknown as EditorModule, schema, chat);
    h.key('2');
    expect(classification.toAnswer(schema, chat, h.answer as never)).toEqual({ choice: 'bad' });
    expect(document.querySelector('li.conv-highlight')?.getAttribute('data-turn')).toBe('t6');
  });

  it('moderates the whole conversation: the transcript, no turn highlighted, the flat answer', () => {
    const schema = {
      conversation_field: 'messages',
      turn: 'conversation',
      categories: [{ value: 'none', label: 'No violation', exclusive: true }, { value: 'spam', label: 'Spam' }],
      severities: [{ value: 0, label: 'None' }, { value: 1, label: 'High' }],
    };
    const h = mount(moderation as unknown as EditorModule, schema, chat);
    expect(screen.getByText('Danke! 🙏')).toBeTruthy();
    expect(document.querySelector('li.conv-highlight')).toBeNull();
    h.key('w');
    h.key('1');
    expect(moderation.toAnswer(schema, chat, h.answer as never)).toEqual({ categories: ['spam'], severity: 1 });
  });
});

describe('spans per turn', () => {
  const schema = { conversation_field: 'messages', labels: [{ value: 'CITY', hotkey: '1' }] };
  it('gives each span its turn_id with code-point offsets inside that turn', () => {
    const saved = { spans: [{ turn_id: 't1', start: 10, end: 16, label: 'CITY' }, { turn_id: 't9', start: 0, end: 1, label: 'CITY' }, { turn_id: 't5', start: 0, end: 99, label: 'CITY' }] };
    const a = spansAny.from(schema, chat, { memberId: 1, itemId: 1 }, saved);
    expect(spansAny.toAnswer(schema, chat, a)).toEqual({ spans: [{ turn_id: 't1', start: 10, end: 16, label: 'CITY', text: 'Zürich' }] });
  });
  it('J/K move between turns; the span box shows the current turn', () => {
    const h = mount(spansAny, schema, chat);
    expect(screen.getByTestId('span-text').textContent).toBe('Wetter in Zürich? 🌦');
    h.key('j');
    expect(screen.getByTestId('span-text').textContent).toBe('{"temp_c":7}');
    h.key('j');
    expect(screen.getByTestId('span-text').textContent).toBe('Es sind **7 °C** 🌥.');
  });
});
