import { describe, expect, it } from 'vitest';
import { answerSummary, clip, itemSummary } from './answerSummary';

const conv = {
  messages: [
    { role: 'user', content: 'Wie ist das Wetter in Zürich?' },
    { role: 'assistant', content: 'Sonnig in Zürich.' },
    { role: 'user', content: 'Und morgen?' },
    { role: 'assistant', content: 'Regen, sagt Anna.' },
  ],
};

describe('answerSummary', () => {
  it('classification: the chosen label', () => {
    const schema = { choices: [{ value: 'pos', label: 'Positive' }, { value: 'neg' }] };
    expect(answerSummary('classification', schema, { text: 'x' }, { choice: 'pos' })).toBe('Positive');
    expect(answerSummary('classification', schema, { text: 'x' }, { choice: 'neg' })).toBe('neg');
    expect(answerSummary('classification', schema, {}, {})).toBe('No label');
  });

  it('multilabel: the labels', () => {
    const schema = { choices: [{ value: 'a', label: 'Alpha' }, { value: 'b', label: 'Beta' }] };
    expect(answerSummary('multilabel', schema, {}, { choices: ['a', 'b'] })).toBe('Alpha, Beta');
    expect(answerSummary('multilabel', schema, {}, { choices: [] })).toBe('No labels');
  });

  it('spans: the count and each span by label and quote, code points counted', () => {
    const schema = { field: 'text', labels: [{ value: 'PER' }, { value: 'ORG', label: 'Organisation' }] };
    const data = { text: '🌦 Anna Schmidt works at ACME Corp' };
    const a = { spans: [{ start: 2, end: 14, label: 'PER' }, { start: 24, end: 33, label: 'ORG' }] };
    expect(answerSummary('spans', schema, data, a)).toBe('2 spans: PER “Anna Schmidt”, Organisation “ACME Corp”');
    expect(answerSummary('spans', schema, data, { spans: [] })).toBe('No spans');
  });

  it('spans over a conversation: per turn', () => {
    const schema = { conversation_field: 'messages', labels: [{ value: 'CITY' }, { value: 'PER' }] };
    const a = { spans: [{ turn_id: 't1', start: 10, end: 16, label: 'CITY' }, { turn_id: 't3', start: 12, end: 16, label: 'PER' }] };
    expect(answerSummary('spans', schema, conv, a)).toBe('2 spans: t1: CITY “Zürich”; t3: PER “Anna”');
  });

  it('pairwise: the preferred side and its strength', () => {
    expect(answerSummary('pairwise', {}, {}, { choice: 'a', strength: 2, shown_order: 'ba' })).toBe('A better (clearly)');
    expect(answerSummary('pairwise', {}, {}, { choice: 'b' })).toBe('B better');
    expect(answerSummary('pairwise', {}, {}, { choice: 'tie' })).toBe('Tie');
    expect(answerSummary('pairwise', {}, {}, { choice: 'both_bad' })).toBe('Both bad');
  });

  it('ranking: the order by short quotes, ties with =', () => {
    const data = { prompt: 'Pick', responses: [{ id: 'r1', text: 'Short answer' }, { id: 'r2', text: 'A much longer answer that goes on and on' }, { id: 'r3', text: 'Third' }] };
    expect(answerSummary('ranking', {}, data, { ranking: [['r2'], ['r1', 'r3']] })).toBe('“A much longer answer th…” > “Short answer” = “Third”');
    expect(answerSummary('ranking', {}, data, {})).toBe('No ranking');
  });

  it('rubric: scores by criterion, in schema order', () => {
    const schema = { criteria: [{ id: 'help', label: 'Helpfulness' }, { id: 'honest' }] };
    expect(answerSummary('rubric', schema, {}, { scores: { honest: 5, help: 4 } })).toBe('Helpfulness 4, honest 5');
    expect(answerSummary('rubric', schema, {}, { scores: {} })).toBe('No scores');
  });

  it('rubric per turn: scores per assistant turn, the exclude mark', () => {
    const schema = { conversation_field: 'messages', criteria: [{ id: 'help', label: 'Helpful' }] };
    const a = { turns: { t3: { scores: { help: 2 }, exclude: true }, t1: { scores: { help: 4 } } } };
    expect(answerSummary('rubric', schema, conv, a)).toBe('t1: Helpful 4; t3: Helpful 2 (excluded)');
  });

  it('rewrite: the first words, and whether the text was left unchanged', () => {
    const schema = { field: 'response' };
    const data = { response: 'Old text here' };
    expect(answerSummary('rewrite', schema, data, { text: 'Dear Sir, thank you for your letter of the fifth of May' })).toBe('“Dear Sir, thank you for your letter of”');
    expect(answerSummary('rewrite', schema, data, { text: 'Old text here' })).toBe('Unchanged: “Old text here”');
    expect(answerSummary('rewrite', schema, data, { text: ' ' })).toBe('Empty text');
  });

  it('moderation: the verdict and its severity', () => {
    const schema = { categories: [{ value: 'violence', label: 'Violence' }, { value: 'hate', label: 'Hate' }] };
    expect(answerSummary('moderation', schema, {}, { categories: ['violence', 'hate'], severity: 3 })).toBe('Violence, Hate · severity High');
    expect(answerSummary('moderation', schema, {}, { categories: [], severity: 0 })).toBe('No category · severity None');
    expect(answerSummary('moderation', { ...schema, severities: [{ value: 1, label: 'Mild' }] }, {}, { categories: ['hate'], severity: 1 })).toBe('Hate · severity Mild');
  });

  it('is cut to one line of at most max characters', () => {
    const long = answerSummary('multilabel', {}, {}, { choices: Array.from({ length: 60 }, (_, i) => `label${i}`) }, 40);
    expect([...long].length).toBe(40);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('itemSummary', () => {
  it('reads the text, the prompt, or the first user turn', () => {
    expect(itemSummary('classification', { field: 'body' }, { body: 'Lovely\n soup' })).toBe('Lovely soup');
    expect(itemSummary('pairwise', {}, { prompt: 'Which is better?', response_a: 'a' })).toBe('Which is better?');
    expect(itemSummary('rewrite', { prompt_field: '', field: 'response' }, { response: 'The original' })).toBe('The original');
    expect(itemSummary('rubric', { conversation_field: 'messages', criteria: [] }, conv)).toBe('Wie ist das Wetter in Zürich?');
    expect(itemSummary('classification', {}, { text: '<img src=x onerror=alert(1)>' })).toBe('<img src=x onerror=alert(1)>');
  });

  it('clip counts code points', () => {
    expect(clip('🌦🌦🌦🌦', 3)).toBe('🌦🌦…');
    expect(clip('abc', 3)).toBe('abc');
  });
});
