// Starting schemas and sample items for the project editor's live preview.
import type { ItemData, TaskType } from '../types';

export const DEFAULT_SCHEMAS: Record<TaskType, unknown> = {
  classification: {
    field: 'text',
    choices: [
      { value: 'positive', label: 'Positive' },
      { value: 'negative', label: 'Negative' },
      { value: 'neutral', label: 'Neutral' },
    ],
  },
  multilabel: {
    field: 'text',
    choices: [
      { value: 'billing', label: 'Billing' },
      { value: 'bug', label: 'Bug report' },
      { value: 'feature', label: 'Feature request' },
      { value: 'none', label: 'None of these', exclusive: true },
    ],
  },
  spans: {
    field: 'text',
    labels: [
      { value: 'PER', label: 'Person' },
      { value: 'ORG', label: 'Organisation' },
      { value: 'LOC', label: 'Place' },
    ],
    allow_overlap: true,
  },
  pairwise: { prompt_field: 'prompt', a_field: 'response_a', b_field: 'response_b', strength: true, rationale: 'optional' },
  ranking: { prompt_field: 'prompt', responses_field: 'responses', allow_ties: true },
  rubric: {
    prompt_field: 'prompt',
    response_field: 'response',
    criteria: [
      { id: 'helpful', label: 'Helpfulness' },
      { id: 'honest', label: 'Honesty' },
      { id: 'harmless', label: 'Harmlessness' },
    ],
    rationale: 'optional',
  },
  rewrite: { field: 'response', prompt_field: 'prompt' },
  moderation: {
    field: 'text',
    categories: [
      { value: 'none', label: 'No violation', exclusive: true },
      { value: 'hate', label: 'Hate' },
      { value: 'harassment', label: 'Harassment' },
      { value: 'violence', label: 'Violence' },
    ],
  },
};

function f(schema: Record<string, unknown>, key: string, def: string): string {
  const v = schema[key];
  return typeof v === 'string' ? v : def;
}

/** A sample item that fits the schema's fields. */
export function sampleItem(t: TaskType, schemaIn: unknown): ItemData {
  const s = (schemaIn && typeof schemaIn === 'object' ? schemaIn : {}) as Record<string, unknown>;
  const prompt = f(s, 'prompt_field', 'prompt');
  const out: ItemData = {};
  switch (t) {
    case 'classification':
    case 'multilabel':
    case 'moderation':
      out[f(s, 'field', 'text')] = 'The delivery was late again, but the support team sorted it out within an hour.';
      break;
    case 'spans':
      out[f(s, 'field', 'text')] = 'Ada Lovelace met Charles Babbage in London 🙂 — 東京 next.';
      break;
    case 'pairwise':
      if (prompt) out[prompt] = 'Explain what a co-operative is in one sentence.';
      out[f(s, 'a_field', 'response_a')] = 'A co-operative is a business owned and run by its members, who share its profits.';
      out[f(s, 'b_field', 'response_b')] = 'It is a company.';
      break;
    case 'ranking':
      if (prompt) out[prompt] = 'Suggest a name for a labelling co-op.';
      out[f(s, 'responses_field', 'responses')] = [
        { id: 'r1', text: 'copyhold' },
        { id: 'r2', text: 'LabelCo' },
        { id: 'r3', text: 'The Annotators’ Guild' },
      ];
      break;
    case 'rubric':
      if (prompt) out[prompt] = 'How do I boil an egg?';
      out[f(s, 'response_field', 'response')] = 'Put the egg in boiling water for 7 minutes, then cool it in cold water.';
      break;
    case 'rewrite': {
      if (prompt) out[prompt] = 'Say hello politely.';
      const fld = s.field === undefined ? 'response' : f(s, 'field', '');
      if (fld) out[fld] = 'hey what do u want';
      break;
    }
  }
  return out;
}
