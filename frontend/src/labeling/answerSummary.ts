// One-line summaries of a My work line: the item's text and the answer as
// given, per task type ("2 spans: PER “Anna Schmidt”, …", "A better
// (clearly)"). Pure functions returning plain text; React renders it as text.
import { convField, messagesOf, turnsOf } from './conversation';
import { labelOf } from './editors/common';
import { quoteOf, responsesOf } from './editors/Compare';
import { originalOf } from './editors/Rewrite';
import { str } from './editors/types';
import type { Answer, ChoiceOption, Criterion, ItemData, ModerationSchema, RankingSchema, RubricSchema, ScalePoint, SpansSchema, TaskType } from './types';

/** Text longer than max characters, cut at max − 1 and ended with "…"; whitespace collapsed. */
export function clip(s: string, max: number): string {
  const t = s.trim().replace(/\s+/g, ' ');
  const cps = [...t];
  return cps.length > max ? `${cps.slice(0, max - 1).join('')}…` : t;
}

const quote = (s: string, max = 24) => `“${clip(s, max)}”`;

function optLabel(opts: ChoiceOption[] | undefined, v: string): string {
  return labelOf(opts?.find((o) => o.value === v) ?? { value: v });
}

const DEFAULT_SEVERITIES: ScalePoint[] = [
  { value: 0, label: 'None' },
  { value: 1, label: 'Low' },
  { value: 2, label: 'Medium' },
  { value: 3, label: 'High' },
];

/** The item's text in one line: the text, the prompt, or a conversation's first user turn. */
export function itemSummary(taskType: TaskType, schema: unknown, data: ItemData, max = 140): string {
  const s = (schema ?? {}) as Record<string, string | undefined>;
  const conv = convField(schema);
  if (conv) {
    const msgs = messagesOf(data, conv);
    const first = msgs.find((m) => m.role === 'user') ?? msgs[0];
    return clip(first ? first.content : '', max);
  }
  let t = '';
  switch (taskType) {
    case 'pairwise':
    case 'ranking':
    case 'rubric':
      t = str(data, s.prompt_field ?? 'prompt') || str(data, s.response_field ?? 'response');
      break;
    case 'rewrite':
      t = str(data, s.prompt_field === undefined ? 'prompt' : s.prompt_field) || originalOf(schema, data);
      break;
    default:
      t = str(data, s.field ?? 'text');
  }
  return clip(t, max);
}

interface Span {
  start: number;
  end: number;
  label: string;
  turn_id?: string;
  text?: string;
}

function spansSummary(schema: unknown, data: ItemData, answer: Answer): string {
  const s = (schema ?? {}) as SpansSchema;
  const spans = (Array.isArray(answer.spans) ? (answer.spans as Span[]) : []).filter((x) => x && Number.isInteger(x.start) && Number.isInteger(x.end));
  if (!spans.length) return 'No spans';
  const msgs = convField(schema) ? messagesOf(data, convField(schema)) : [];
  const textOf = (x: Span) => {
    if (typeof x.text === 'string' && x.text) return x.text;
    const src = x.turn_id ? (msgs.find((m) => m.id === x.turn_id)?.content ?? '') : str(data, s.field ?? 'text');
    return [...src].slice(x.start, x.end).join('');
  };
  const one = (x: Span) => `${labelOf(s.labels?.find((l) => l.value === x.label) ?? { value: x.label })} ${quote(textOf(x))}`;
  const head = `${spans.length} span${spans.length === 1 ? '' : 's'}: `;
  if (!spans.some((x) => x.turn_id)) return head + spans.map(one).join(', ');
  // Spans over a conversation: grouped per turn.
  const turns = new Map<string, Span[]>();
  for (const x of spans) turns.set(x.turn_id ?? '', [...(turns.get(x.turn_id ?? '') ?? []), x]);
  return head + [...turns].map(([id, xs]) => `${id}: ${xs.map(one).join(', ')}`).join('; ');
}

function scoresLine(criteria: Criterion[] | undefined, scores: Record<string, unknown>): string {
  const ids = criteria?.length ? criteria.map((c) => c.id) : Object.keys(scores).sort();
  return ids
    .filter((id) => typeof scores[id] === 'number')
    .map((id) => {
      const c = criteria?.find((x) => x.id === id);
      return `${labelOf({ value: id, label: c?.label })} ${scores[id] as number}`;
    })
    .join(', ');
}

function rubricSummary(schema: unknown, answer: Answer): string {
  const s = (schema ?? {}) as RubricSchema;
  if (answer.turns && typeof answer.turns === 'object') {
    const turns = turnsOf(answer);
    const parts = Object.keys(turns)
      .sort()
      .map((id) => `${id}: ${scoresLine(s.criteria, turns[id].scores) || 'no scores'}${turns[id].exclude ? ' (excluded)' : ''}`);
    return parts.length ? parts.join('; ') : 'No scores';
  }
  return scoresLine(s.criteria, (answer.scores ?? {}) as Record<string, unknown>) || 'No scores';
}

function rankingSummary(schema: unknown, data: ItemData, answer: Answer): string {
  const resps = responsesOf((schema ?? {}) as RankingSchema, data);
  const q = (id: string) => {
    const i = resps.findIndex((r) => r.id === id);
    return i < 0 ? `response ${id}` : quoteOf(resps[i], i + 1);
  };
  const tiers = Array.isArray(answer.ranking) ? (answer.ranking as unknown[]).filter(Array.isArray) : [];
  if (!tiers.length) return 'No ranking';
  return tiers.map((t) => (t as string[]).map(q).join(' = ')).join(' > ');
}

function moderationSummary(schema: unknown, answer: Answer): string {
  const s = (schema ?? {}) as ModerationSchema;
  const cats = Array.isArray(answer.categories) ? (answer.categories as string[]) : [];
  const sev = typeof answer.severity === 'number' ? answer.severity : undefined;
  const point = (s.severities ?? DEFAULT_SEVERITIES).find((p) => p.value === sev);
  const verdict = cats.length ? cats.map((c) => optLabel(s.categories, c)).join(', ') : 'No category';
  return sev === undefined ? verdict : `${verdict} · severity ${point ? labelOf(point) : sev}`;
}

const PAIR: Record<string, string> = { a: 'A better', b: 'B better', tie: 'Tie', both_bad: 'Both bad' };
const STRENGTH = ['slightly', 'clearly', 'much'];

/** The answer as given, in one line of plain text. */
export function answerSummary(taskType: TaskType, schema: unknown, data: ItemData, answer: Answer | null | undefined, max = 160): string {
  const a = answer ?? {};
  const s = (schema ?? {}) as { choices?: ChoiceOption[] };
  let out: string;
  switch (taskType) {
    case 'classification':
      out = typeof a.choice === 'string' && a.choice ? optLabel(s.choices, a.choice) : 'No label';
      break;
    case 'multilabel': {
      const cs = Array.isArray(a.choices) ? (a.choices as string[]) : [];
      out = cs.length ? cs.map((c) => optLabel(s.choices, c)).join(', ') : 'No labels';
      break;
    }
    case 'spans':
      out = spansSummary(schema, data, a);
      break;
    case 'pairwise': {
      const c = typeof a.choice === 'string' ? a.choice : '';
      const st = typeof a.strength === 'number' ? STRENGTH[a.strength - 1] : undefined;
      out = `${PAIR[c] ?? 'No choice'}${st ? ` (${st})` : ''}`;
      break;
    }
    case 'ranking':
      out = rankingSummary(schema, data, a);
      break;
    case 'rubric':
      out = rubricSummary(schema, a);
      break;
    case 'rewrite': {
      const t = typeof a.text === 'string' ? a.text : '';
      if (!t.trim()) out = 'Empty text';
      else out = `${t === originalOf(schema, data) ? 'Unchanged: ' : ''}${quote(t.trim().split(/\s+/).slice(0, 8).join(' '), 60)}`;
      break;
    }
    case 'moderation':
      out = moderationSummary(schema, a);
      break;
    default:
      out = JSON.stringify(a);
  }
  return clip(out, max);
}
