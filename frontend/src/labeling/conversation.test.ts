import { describe, expect, it } from 'vitest';
import { diffWords, side } from './diff';
import {
  assistantIds,
  candidateOf,
  candidateSummary,
  differingCriteria,
  differingTurns,
  isPerTurnRubric,
  lastAssistantIndex,
  messagesOf,
  nestedResults,
  prettyJSON,
  resultsByCall,
  stepTurn,
} from './conversation';

const chat = {
  messages: [
    { id: 't0', role: 'system', content: 'Be brief.' },
    { id: 't1', role: 'user', content: 'Wetter in Zürich? 🌦' },
    { id: 't2', role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Zürich"}' } }] },
    { id: 't3', role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":7}' },
    { id: 't4', role: 'assistant', content: '7 °C 🌥' },
    { role: 'bogus', content: 'dropped' },
  ],
};

describe('reading a conversation', () => {
  it('keeps known roles and stored ids, and gives a missing id t<index> as import does', () => {
    const msgs = messagesOf({ c: [{ role: 'user', content: 'hi' }, { id: 'x9', role: 'assistant', content: 'yo' }] }, 'c');
    expect(msgs.map((m) => m.id)).toEqual(['t0', 'x9']);
    expect(messagesOf(chat, 'messages').map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
    expect(messagesOf({}, 'messages')).toEqual([]);
    expect(messagesOf({ messages: 'not a list' }, 'messages')).toEqual([]);
  });
  it('reads a candidate: a string is one assistant message; arguments given as an object become JSON text', () => {
    expect(candidateOf('Hallo 👋')).toEqual([{ role: 'assistant', content: 'Hallo 👋' }]);
    const c = candidateOf([{ role: 'assistant', content: null, tool_calls: [{ id: 'c', function: { name: 'f', arguments: { a: 1 } } }] }]);
    expect(c[0].content).toBe('');
    expect(c[0].tool_calls?.[0].function.arguments).toBe('{"a":1}');
    expect(c[0].id).toBeUndefined();
    expect(candidateSummary(c)).toBe('a call to f');
    expect(candidateSummary(candidateOf('一二三四五六七八九十一二三四五六七八九十一二三四五六七八'))).toBe('“一二三四五六七八九十一二三四五六七八九十一二三…”');
  });
  it('finds the assistant turns and the last one', () => {
    const msgs = messagesOf(chat, 'messages');
    expect(assistantIds(msgs)).toEqual(['t2', 't4']);
    expect(lastAssistantIndex(msgs)).toBe(4);
    expect(lastAssistantIndex(msgs.slice(0, 2))).toBe(-1);
  });
  it('pairs tool results with their calls, and only nests results whose call is shown', () => {
    const msgs = messagesOf(chat, 'messages');
    expect(resultsByCall(msgs).get('call_1')?.id).toBe('t3');
    expect([...nestedResults(msgs)].map((m) => m.id)).toEqual(['t3']);
    // A candidate whose tool message answers a call of the history: shown on its own.
    expect(nestedResults(candidateOf([{ role: 'tool', tool_call_id: 'call_1', content: '{}' }])).size).toBe(0);
  });
  it('pretty-prints JSON and leaves other text alone', () => {
    expect(prettyJSON('{"city":"Zürich","n":[1]}')).toBe('{\n  "city": "Zürich",\n  "n": [\n    1\n  ]\n}');
    expect(prettyJSON('{city:')).toBe('{city:');
    expect(prettyJSON('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });
  it('knows a per-turn rubric schema', () => {
    expect(isPerTurnRubric({ conversation_field: 'messages' })).toBe(true);
    expect(isPerTurnRubric({ conversation_field: 'messages', turn: 'last_assistant' })).toBe(false);
    expect(isPerTurnRubric({ criteria: [] })).toBe(false);
  });
});

describe('turn navigation (j/k)', () => {
  const ids = ['t2', 't4', 't6'];
  it('moves one turn and stops at both ends', () => {
    expect(stepTurn(ids, 't2', 1)).toBe('t4');
    expect(stepTurn(ids, 't4', -1)).toBe('t2');
    expect(stepTurn(ids, 't6', 1)).toBe('t6');
    expect(stepTurn(ids, 't2', -1)).toBe('t2');
  });
  it('starts at the first (j) or last (k) turn when none is current', () => {
    expect(stepTurn(ids, null, 1)).toBe('t2');
    expect(stepTurn(ids, 'gone', -1)).toBe('t6');
    expect(stepTurn([], 't2', 1)).toBeNull();
  });
});

describe('per-turn differences', () => {
  it('names the turns whose scores or exclude marks differ; the rationale does not count', () => {
    const a = { turns: { t2: { scores: { h: 4 }, rationale: 'ok' }, t4: { scores: { h: 2 } }, t6: { scores: { h: 1 } } } };
    const b = { turns: { t2: { scores: { h: 4 } }, t4: { scores: { h: 5 } }, t6: { scores: { h: 1 }, exclude: true } } };
    expect(differingTurns([a, b])).toEqual(['t4', 't6']);
    expect(differingTurns([a, a])).toEqual([]);
    // A turn one submission left out differs.
    expect(differingTurns([a, { turns: { t2: { scores: { h: 4 } }, t4: { scores: { h: 2 } } } }])).toEqual(['t6']);
  });
  it("reads a turn's differing criteria from the server's turn/criterion fields", () => {
    const fields = [
      { name: 't2/helpful', differ: true },
      { name: 't2/correct', differ: false },
      { name: 't4/helpful', differ: true },
      { name: 'helpful', differ: true },
    ];
    expect([...differingCriteria(fields, 't2')]).toEqual(['helpful']);
    expect([...differingCriteria(fields, 't9')]).toEqual([]);
  });
  it('diffs a rewritten last turn word by word, emoji and accents intact', () => {
    const before = 'Es sind 7 °C 🌥 in Zürich.';
    const after = 'In Zürich sind es 7 °C und bewölkt 🌥.';
    const parts = diffWords(before, after);
    expect(side(parts, 'before')).toBe(before);
    expect(side(parts, 'after')).toBe(after);
    expect(parts.some((p) => p.type === 'add' && p.text.includes('bewölkt'))).toBe(true);
  });
});
