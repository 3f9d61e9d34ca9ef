// Read-only views of one submission's answer for the reviewer's side-by-side
// columns, per task type, with what differs from the others marked in text
// (a visible "differs" badge, not colour alone). All data is rendered as text.
import type { ReactNode } from 'react';
import { cpLength, cpSlice } from '../labeling/codepoints';
import { labelOf } from '../labeling/editors/common';
import { convField, isPerTurnRubric } from '../labeling/conversation';
import { DiffView, originalOf } from '../labeling/editors/Rewrite';
import { colorOf } from '../labeling/editors/Spans';
import { quoteOf, responsesOf } from '../labeling/editors/Compare';
import { str } from '../labeling/editors/types';
import type {
  Answer,
  ChoiceOption,
  ClassificationSchema,
  Criterion,
  ItemData,
  ModerationSchema,
  MultiLabelSchema,
  PairwiseSchema,
  RankingSchema,
  RewriteSchema,
  RubricSchema,
  ScalePoint,
  SpansSchema,
  TaskType,
} from '../labeling/types';
import type { Disagreement } from './api';
import { ConvItemView, TurnScoresView, TurnSpansView } from './ConvView';
import { boundaryZones, differingSet, fieldRows, ranksOf, spanKey, spanSegments, voteCounts, type OwnSpan } from './disagreement';

export function Differs({ on, votes, of }: { on: boolean; votes?: number; of?: number }) {
  if (!on) return null;
  return (
    <span className="rv-differs" title={votes !== undefined && of ? `${votes} of ${of} gave this` : undefined}>
      differs{votes !== undefined && of ? ` · ${votes}/${of}` : ''}
    </span>
  );
}

const DEFAULT_SEVERITIES: ScalePoint[] = [
  { value: 0, label: 'None' },
  { value: 1, label: 'Low' },
  { value: 2, label: 'Medium' },
  { value: 3, label: 'High' },
];
const DEFAULT_SCALE: ScalePoint[] = [
  { value: 1, label: 'Very poor' },
  { value: 2, label: 'Poor' },
  { value: 3, label: 'Fair' },
  { value: 4, label: 'Good' },
  { value: 5, label: 'Excellent' },
];

function optLabel(opts: ChoiceOption[] | undefined, v: string): string {
  return labelOf(opts?.find((o) => o.value === v) ?? { value: v });
}

function Block({ label, children }: { label: string; children: ReactNode }) {
  return (
    <section className="item-block" aria-label={label}>
      <h3 className="item-label">{label}</h3>
      <div className="item-text">{children}</div>
    </section>
  );
}

/** The item itself, shown once above the submissions. */
export function ItemView({ taskType, schema, data, d }: { taskType: TaskType; schema: unknown; data: ItemData; d?: Disagreement | null }) {
  if (convField(schema)) return <ConvItemView taskType={taskType} schema={schema} data={data} d={d} />;
  switch (taskType) {
    case 'classification':
    case 'multilabel':
    case 'moderation': {
      const s = schema as ClassificationSchema;
      return <Block label={taskType === 'moderation' ? 'Content' : 'Text'}>{str(data, s.field ?? 'text')}</Block>;
    }
    case 'spans':
      return null; // each submission shows the text with its own spans
    case 'pairwise': {
      const s = schema as PairwiseSchema;
      const prompt = str(data, s.prompt_field ?? 'prompt');
      return (
        <>
          {prompt && <Block label="Prompt">{prompt}</Block>}
          <div className="pair">
            <Block label="Response a">{str(data, s.a_field ?? 'response_a')}</Block>
            <Block label="Response b">{str(data, s.b_field ?? 'response_b')}</Block>
          </div>
        </>
      );
    }
    case 'ranking': {
      const s = schema as RankingSchema;
      const prompt = str(data, s.prompt_field ?? 'prompt');
      const v = data[s.responses_field ?? 'responses'];
      const resps = Array.isArray(v) ? (v as { id?: unknown; text?: unknown; title?: unknown; body?: unknown }[]) : [];
      return (
        <>
          {prompt && <Block label="Prompt">{prompt}</Block>}
          <section className="item-block" aria-label="Responses">
            <h3 className="item-label">Responses</h3>
            <dl className="rv-responses">
              {resps.map((r, i) => (
                <div key={String(r.id ?? i)}>
                  <dt className="mono">{String(r.id ?? '')}</dt>
                  <dd>{[r.title, r.text ?? r.body].filter((x) => typeof x === 'string' && x).join(' — ')}</dd>
                </div>
              ))}
            </dl>
          </section>
        </>
      );
    }
    case 'rubric': {
      const s = schema as RubricSchema;
      const prompt = str(data, s.prompt_field ?? 'prompt');
      return (
        <>
          {prompt && <Block label="Prompt">{prompt}</Block>}
          <Block label="Response">{str(data, s.response_field ?? 'response')}</Block>
        </>
      );
    }
    case 'rewrite': {
      const s = schema as RewriteSchema;
      const prompt = str(data, s.prompt_field === undefined ? 'prompt' : s.prompt_field);
      const original = str(data, s.field === undefined ? 'response' : s.field);
      return (
        <>
          {prompt && <Block label="Prompt">{prompt}</Block>}
          {original && <Block label="Original">{original}</Block>}
        </>
      );
    }
  }
  return <pre className="answer-pre">{JSON.stringify(data, null, 2)}</pre>;
}

/** The field table for ranking, rubric and moderation severity, all submissions at once. */
export function FieldTable({
  taskType,
  schema,
  d,
  columns,
  columnLabels,
}: {
  taskType: TaskType;
  schema: unknown;
  d: Disagreement;
  columns: number[];
  columnLabels: string[];
}) {
  const order = taskType === 'rubric' ? ((schema as RubricSchema).criteria ?? []).map((c) => c.id) : [];
  const rows = fieldRows(d, columns, order);
  if (!rows.length) return null;
  const rowLabel = (name: string) => {
    if (taskType === 'rubric') {
      // Per-turn scores are named "turn/criterion".
      const slash = name.indexOf('/');
      const cid = slash > 0 ? name.slice(slash + 1) : name;
      const c = (schema as RubricSchema).criteria?.find((x) => x.id === cid);
      if (slash > 0) return `Turn ${name.slice(0, slash)} · ${c ? labelOf({ value: c.id, label: c.label }) : cid}`;
      return c ? labelOf({ value: c.id, label: c.label }) : name;
    }
    if (taskType === 'ranking') return `Rank of ${name}`;
    return humanField(name);
  };
  return (
    <div className="table-wrap" role="region" aria-label="Side-by-side table (scrolls sideways)" tabIndex={0}>
      <table className="table rv-fields">
        <caption className="item-label">{taskType === 'ranking' ? 'Ranks side by side' : taskType === 'rubric' ? 'Scores side by side' : 'Side by side'}</caption>
        <thead>
          <tr>
            <th scope="col">{taskType === 'ranking' ? 'Response' : taskType === 'rubric' ? 'Criterion' : 'Field'}</th>
            {columnLabels.map((l, i) => (
              <th scope="col" key={columns[i]}>
                {l}
              </th>
            ))}
            <th scope="col">Spread</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} className={r.differ ? 'rv-row-differs' : undefined}>
              <th scope="row">
                {rowLabel(r.name)} <Differs on={r.differ} />
              </th>
              {r.values.map((v, i) => (
                <td key={columns[i]}>{v ?? '—'}</td>
              ))}
              <td>{r.spread === null ? 'differs' : r.spread === 0 ? 'same' : r.spread}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function humanField(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, ' ');
}

interface ViewProps {
  taskType: TaskType;
  schema: unknown;
  data: ItemData;
  answer: Answer;
  /** The submission's answer key (server-computed), for marking differences. */
  answerKey: readonly string[];
  d: Disagreement;
  /** Number of answers compared (submissions, plus gold when shown). */
  count: number;
}

/** One submission's answer, read-only, with differences marked. */
export function AnswerView(p: ViewProps) {
  const diff = differingSet(p.d);
  const votes = voteCounts(p.d);
  const mark = (k: string) => <Differs on={diff.has(k)} votes={votes.get(k)} of={p.count} />;
  const a = p.answer ?? {};
  if (convField(p.schema) && p.taskType === 'rubric' && isPerTurnRubric(p.schema)) return <TurnScoresView schema={p.schema} data={p.data} answer={a} d={p.d} />;
  if (convField(p.schema) && p.taskType === 'spans') return <TurnSpansView schema={p.schema} data={p.data} answer={a} d={p.d} count={p.count} />;
  switch (p.taskType) {
    case 'classification': {
      const s = p.schema as ClassificationSchema;
      const c = typeof a.choice === 'string' ? a.choice : '';
      return (
        <p className="rv-answer">
          <strong>{c ? optLabel(s.choices, c) : '—'}</strong> {c && mark(c)}
        </p>
      );
    }
    case 'multilabel': {
      const s = p.schema as MultiLabelSchema;
      const cs = Array.isArray(a.choices) ? (a.choices as string[]) : [];
      const others = (p.d.keys ?? []).map((k) => k.key).filter((k) => !cs.includes(k));
      return (
        <div className="rv-answer">
          {cs.length ? (
            <ul className="rv-keys">
              {cs.map((c) => (
                <li key={c}>
                  {optLabel(s.choices, c)} {mark(c)}
                </li>
              ))}
            </ul>
          ) : (
            <p>No labels</p>
          )}
          {others.length > 0 && <p className="muted small">Not chosen here, chosen by others: {others.map((k) => optLabel(s.choices, k)).join(', ')}</p>}
        </div>
      );
    }
    case 'moderation': {
      const s = p.schema as ModerationSchema;
      const cats = Array.isArray(a.categories) ? (a.categories as string[]) : [];
      const sev = typeof a.severity === 'number' ? a.severity : undefined;
      const sevPoint = (s.severities ?? DEFAULT_SEVERITIES).find((x) => x.value === sev);
      const sevField = p.d.fields?.find((f) => f.name === 'severity');
      return (
        <div className="rv-answer">
          <ul className="rv-keys" aria-label="Categories">
            {cats.map((c) => (
              <li key={c}>
                {optLabel(s.categories, c)} {mark(`category=${c}`)}
              </li>
            ))}
          </ul>
          {sev !== undefined && (
            <p>
              Severity: <strong>{sevPoint ? labelOf(sevPoint) : sev}</strong> <Differs on={!!sevField?.differ} />
            </p>
          )}
        </div>
      );
    }
    case 'pairwise': {
      const c = typeof a.choice === 'string' ? a.choice : '';
      const text = c === 'a' ? 'Response a is better' : c === 'b' ? 'Response b is better' : c === 'tie' ? 'A tie' : c === 'both_bad' ? 'Both are bad' : '—';
      const strength = typeof a.strength === 'number' ? ['slightly', 'clearly', 'much'][a.strength - 1] : '';
      return (
        <div className="rv-answer">
          <p>
            <strong>{text}</strong>
            {strength ? ` (${strength})` : ''} {c && mark(c)}
          </p>
          {typeof a.rationale === 'string' && a.rationale && <p className="rv-rationale">“{a.rationale}”</p>}
          {(a.shown_order === 'ab' || a.shown_order === 'ba') && <p className="muted small">Shown to the labeller as {a.shown_order === 'ab' ? 'a left, b right' : 'b left, a right'}.</p>}
        </div>
      );
    }
    case 'ranking': {
      const resps = responsesOf(p.schema as RankingSchema, p.data);
      const quote = (id: string) => {
        const i = resps.findIndex((r) => r.id === id);
        return i < 0 ? '' : quoteOf(resps[i], i + 1);
      };
      const ranks = ranksOf(a.ranking);
      const tiers = Array.isArray(a.ranking) ? (a.ranking as string[][]) : [];
      const fields = new Map((p.d.fields ?? []).map((f) => [f.name, f]));
      return (
        <ol className="rv-ranking rv-answer">
          {tiers.map((tier, t) => (
            <li key={t}>
              {tier.map((id, j) => (
                <span key={id}>
                  {j > 0 && ' = '}
                  {quote(id)} <span className="mono">{id}</span>
                  {fields.get(id)?.differ ? (
                    <>
                      {' '}
                      <Differs on />
                    </>
                  ) : null}
                </span>
              ))}
              {tier.length > 1 && <span className="muted small"> (tied at {ranks.get(tier[0])})</span>}
            </li>
          ))}
        </ol>
      );
    }
    case 'rubric': {
      const s = p.schema as RubricSchema;
      const scores = (a.scores ?? {}) as Record<string, number>;
      const fields = new Map((p.d.fields ?? []).map((f) => [f.name, f]));
      return (
        <div className="rv-answer">
          <dl className="facts rv-scores">
            {(s.criteria ?? []).map((c: Criterion) => {
              const v = scores[c.id];
              const pt = (c.scale ?? DEFAULT_SCALE).find((x) => x.value === v);
              const f = fields.get(c.id);
              return (
                <div key={c.id} className="rv-score">
                  <dt>{labelOf({ value: c.id, label: c.label })}</dt>
                  <dd>
                    {v === undefined ? '—' : `${v}${pt?.label ? ` (${pt.label})` : ''}`} <Differs on={!!f?.differ} />
                    {f?.differ && f.spread ? <span className="muted small"> spread {f.spread}</span> : null}
                  </dd>
                </div>
              );
            })}
          </dl>
          {typeof a.rationale === 'string' && a.rationale && <p className="rv-rationale">“{a.rationale}”</p>}
        </div>
      );
    }
    case 'rewrite': {
      const s = p.schema as RewriteSchema;
      const original = originalOf(s, p.data);
      const text = typeof a.text === 'string' ? a.text : '';
      return original ? <DiffView label="Rewrite against the original" before={original} after={text} /> : <Block label="Response">{text}</Block>;
    }
    case 'spans':
      return <SpansView {...p} />;
  }
  return <pre className="answer-pre">{JSON.stringify(a, null, 2)}</pre>;
}

function SpansView({ schema, data, answer, d, count }: ViewProps) {
  const s = schema as SpansSchema;
  const text = str(data, s.field ?? 'text');
  const n = cpLength(text);
  const own: OwnSpan[] = (Array.isArray(answer.spans) ? (answer.spans as OwnSpan[]) : [])
    .filter((x) => x && Number.isInteger(x.start) && Number.isInteger(x.end) && x.start < x.end && x.end <= n)
    .sort((x, y) => x.start - y.start || x.end - y.end);
  const zones = boundaryZones(d, count);
  const segs = spanSegments(n, own, zones);
  const diff = differingSet(d);
  const votes = voteCounts(d);
  return (
    <div className="rv-answer">
      <div className="item-text rv-span-text">
        {segs.map((g) => {
          const cls = ['rv-seg', g.labels.length ? 'rv-seg-on' : '', g.zone ? 'rv-zone' : ''].filter(Boolean).join(' ');
          const style = g.labels.length
            ? { boxShadow: g.labels.map((l, i) => `inset 0 -${(i + 1) * 3}px 0 ${colorOf(s.labels ?? [], l)}`).join(', ') }
            : undefined;
          return (
            <span key={g.start} className={cls} style={style}>
              {g.zone && <span className="visually-hidden">[boundaries differ: </span>}
              {cpSlice(text, g.start, g.end)}
              {g.zone && <span className="visually-hidden">]</span>}
            </span>
          );
        })}
      </div>
      {own.length === 0 ? (
        <p className="muted">No spans</p>
      ) : (
        <ul className="rv-keys rv-spans" aria-label="Spans">
          {own.map((x) => {
            const k = spanKey(x);
            return (
              <li key={k}>
                <span className="swatch" style={{ backgroundColor: colorOf(s.labels ?? [], x.label) }} aria-hidden="true" />
                <strong>{labelOf(s.labels?.find((l) => l.value === x.label) ?? { value: x.label })}</strong> “{cpSlice(text, x.start, x.end)}”{' '}
                <span className="muted small">
                  {x.start}–{x.end}
                </span>{' '}
                <Differs on={diff.has(k)} votes={votes.get(k)} of={count} />
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
