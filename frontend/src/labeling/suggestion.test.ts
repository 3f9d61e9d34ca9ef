import { describe, expect, it } from 'vitest';
import { answerParts, diffParts, suggestedBy } from './suggestion';

describe('suggestions', () => {
  it('names the model and its confidence', () => {
    expect(suggestedBy({ source: 'endpoint', model: 'qwen-7b', confidence: 8249 })).toBe('Suggested by qwen-7b · 82 % confident');
    expect(suggestedBy({ source: 'import' })).toBe('Suggested by an imported prediction');
    expect(suggestedBy({ source: 'endpoint' })).toBe('Suggested by a model');
    expect(suggestedBy(null)).toBe('Suggested by an imported prediction');
  });
  it('reads the parts of every suggestible answer', () => {
    expect(answerParts({ choice: 'pos' })).toEqual(['pos']);
    expect(answerParts({ choices: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(answerParts({ categories: ['hate'], severity: 2 })).toEqual(['hate', 'severity 2']);
    expect(answerParts({ spans: [{ start: 0, end: 4, label: 'PER', text: 'Anna' }] })).toEqual(['PER: “Anna”']);
    expect(answerParts(null)).toEqual([]);
  });
  it('shows what the suggestion adds and what only the labeller chose', () => {
    expect(diffParts({ choices: ['a', 'b'] }, { choices: ['b', 'c'] })).toEqual([
      { part: 'b', kind: 'same' },
      { part: 'c', kind: 'added' },
      { part: 'a', kind: 'removed' },
    ]);
    expect(diffParts({ choice: '<img src=x>' }, { choice: 'pos' })).toEqual([
      { part: 'pos', kind: 'added' },
      { part: '<img src=x>', kind: 'removed' },
    ]);
  });
});
