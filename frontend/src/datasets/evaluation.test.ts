import { describe, expect, it } from 'vitest';
import { buildEvaluationRequest, EvaluationFileError, promptsFromJsonl, rubricSchema } from './evaluation';

const releases = [
  { id: 7, version: 'v1' },
  { id: 9, version: 'v2' },
  { id: 12, version: 'v3' },
];

describe('evaluation JSONL → request', () => {
  it('maps versions to release ids and skips blank lines', () => {
    const jsonl = [
      JSON.stringify({ prompt: 'Capital of France?', outputs: { v1: 'Paris.', v2: 'Lyon.' } }),
      '',
      JSON.stringify({ prompt: 'A prime?', outputs: { v2: '4', v1: '7' } }),
      '',
    ].join('\n');
    const req = buildEvaluationRequest({ modelId: 3, name: ' Eval 1 ', taskType: 'pairwise', releases, ticked: [9, 7], jsonl });
    expect(req).toEqual({
      model_id: 3,
      name: 'Eval 1',
      task_type: 'pairwise',
      release_ids: [7, 9],
      prompts: [
        { prompt: 'Capital of France?', outputs: { '7': 'Paris.', '9': 'Lyon.' } },
        { prompt: 'A prime?', outputs: { '7': '7', '9': '4' } },
      ],
    });
  });

  it('names the line of an unknown version', () => {
    const jsonl = [
      JSON.stringify({ prompt: 'p1', outputs: { v1: 'a', v2: 'b' } }),
      JSON.stringify({ prompt: 'p2', outputs: { v1: 'a', v9: 'b' } }),
    ].join('\n');
    let err: unknown;
    try {
      promptsFromJsonl(jsonl, releases, [7, 9]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EvaluationFileError);
    expect((err as EvaluationFileError).line).toBe(2);
    expect((err as Error).message).toBe('Line 2: unknown release version "v9"');
  });

  it('names the line that misses a ticked release, and bad JSON', () => {
    const missing = JSON.stringify({ prompt: 'p', outputs: { v1: 'a' } });
    expect(() => promptsFromJsonl(missing, releases, [7, 9])).toThrow('Line 1: no output from release "v2"');
    const ok = JSON.stringify({ prompt: 'p', outputs: { v1: 'a', v2: 'b' } });
    expect(() => promptsFromJsonl(`${ok}\n{oops`, releases, [7, 9])).toThrow('Line 2: not valid JSON');
    expect(() => promptsFromJsonl(JSON.stringify({ prompt: 'p', outputs: { v1: 'a', v2: 'b', v3: 'c' } }), releases, [7, 9])).toThrow(
      'Line 1: release "v3" is not ticked',
    );
  });

  it('needs two releases, and criteria for a rubric', () => {
    const jsonl = JSON.stringify({ prompt: 'p', outputs: { v1: 'a', v2: 'b' } });
    expect(() => buildEvaluationRequest({ modelId: 1, name: 'e', taskType: 'pairwise', releases, ticked: [7], jsonl })).toThrow(/two or more/);
    expect(() => buildEvaluationRequest({ modelId: 1, name: 'e', taskType: 'rubric', criteria: ' ', releases, ticked: [7, 9], jsonl })).toThrow(/criterion/);
    expect(rubricSchema('Helpful\nHarmless!\n')).toEqual({
      response_field: 'response',
      criteria: [{ id: 'helpful', label: 'Helpful' }, { id: 'harmless', label: 'Harmless!' }],
    });
  });
});
