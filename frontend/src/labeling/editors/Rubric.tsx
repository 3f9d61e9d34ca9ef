// Rubric: one row per criterion; ↑/↓ move between rows, number keys score
// the focused row (and move on to the next one).
import { useEffect, useState } from 'react';
import { scaleKeys } from '../keys';
import { convField, isPerTurnRubric } from '../conversation';
import { DEFAULT_KEYMAP, keyLabel, keyOf, slotKey, useKeymap } from '../keymap';
import type { Answer, Criterion, RubricSchema } from '../types';
import { AnswerLine, ItemText, Kbd, labelOf } from './common';
import { ItemTranscript } from './Conversation';
import { bySchema } from './dispatch';
import { scaleOf } from './rubricScale';
import { turnRubric } from './TurnRubric';
import { str, type EditorModule, type EditorProps } from './types';

type RubricAnswer = { scores: Record<string, number>; rationale: string };

export { scaleOf };

function RubricEditor({ schema, data, answer, onChange, keyRef, readOnly }: EditorProps<RubricAnswer>) {
  const s = schema as RubricSchema;
  const [row, setRow] = useState(0);
  const rationale = s.rationale ?? 'optional';
  const prompt = str(data, s.prompt_field ?? 'prompt');
  const setScore = (c: Criterion, v: number) => onChange({ ...answer, scores: { ...answer.scores, [c.id]: v } });
  const km = useKeymap();
  const keysOf = (c: Criterion) => scaleKeys(scaleOf(c)).map((k) => slotKey(km, k));
  useEffect(() => {
    keyRef.current = (e) => {
      const k = keyOf(e);
      if (readOnly || !k) return false;
      if (k === km.rubric_up || k === km.rubric_down) {
        setRow((r) => Math.max(0, Math.min(s.criteria.length - 1, r + (k === km.rubric_up ? -1 : 1))));
        return true;
      }
      const c = s.criteria[row];
      if (!c) return false;
      const sc = scaleOf(c);
      const i = keysOf(c).indexOf(k);
      if (i < 0) return false;
      setScore(c, sc[i].value);
      setRow((r) => Math.min(s.criteria.length - 1, r + 1));
      return true;
    };
    return () => {
      keyRef.current = null;
    };
  });
  return (
    <div className="editor editor-rubric">
      {convField(s) ? (
        <ItemTranscript schema={s} data={data} />
      ) : (
        <>
          {prompt && <ItemText label="Prompt" text={prompt} />}
          <ItemText label="Response" text={str(data, s.response_field ?? 'response')} />
        </>
      )}
      <div className="rubric" role="group" aria-label="Criteria">
        {s.criteria.map((c, ri) => {
          const sc = scaleOf(c);
          const keys = keysOf(c);
          return (
            <fieldset
              key={c.id}
              className={`rubric-row ${ri === row ? 'rubric-row-active' : ''}`}
              aria-current={ri === row ? 'step' : undefined}
              onFocus={() => setRow(ri)}
              onClick={() => setRow(ri)}
            >
              <legend>
                {labelOf({ value: c.id, label: c.label })}
                {c.optional ? <span className="muted small"> (optional)</span> : null}
                {ri === row && <span className="visually-hidden"> (focused row)</span>}
              </legend>
              {c.description && <p className="hint">{c.description}</p>}
              <div className="scale">
                {sc.map((p, i) => (
                  <label key={p.value} className={`choice ${answer.scores[c.id] === p.value ? 'choice-on' : ''}`}>
                    <input type="radio" name={`rubric-${c.id}`} checked={answer.scores[c.id] === p.value} disabled={readOnly} onChange={() => setScore(c, p.value)} />
                    <span className="choice-text">{labelOf(p)}</span>
                    {ri === row && <Kbd k={keys[i]} />}
                  </label>
                ))}
              </div>
            </fieldset>
          );
        })}
      </div>
      {rationale !== 'off' && (
        <div className="field">
          <label htmlFor="rubric-rationale">Rationale{rationale === 'required' ? ' (required)' : ' (optional)'}</label>
          <textarea id="rubric-rationale" rows={3} value={answer.rationale} readOnly={readOnly} onChange={(e) => onChange({ ...answer, rationale: e.target.value })} />
        </div>
      )}
      <AnswerLine>
        {s.criteria
          .map((c) => {
            const v = answer.scores[c.id];
            const p = scaleOf(c).find((x) => x.value === v);
            return `${labelOf({ value: c.id, label: c.label })}: ${p ? labelOf(p) : '—'}`;
          })
          .join(' · ')}
      </AnswerLine>
    </div>
  );
}

const flatRubric: EditorModule<RubricAnswer> = {
  Editor: RubricEditor,
  empty: () => ({ scores: {}, rationale: '' }),
  from: (schema, _d, _c, saved) => {
    const s = schema as RubricSchema;
    const scores: Record<string, number> = {};
    const got = (saved.scores ?? {}) as Record<string, unknown>;
    for (const c of s.criteria) {
      const v = got[c.id];
      if (typeof v === 'number' && scaleOf(c).some((p) => p.value === v)) scores[c.id] = v;
    }
    return { scores, rationale: typeof saved.rationale === 'string' ? saved.rationale : '' };
  },
  validate: (schema, _d, a) => {
    const s = schema as RubricSchema;
    const missing = s.criteria.filter((c) => !c.optional && a.scores[c.id] === undefined);
    if (missing.length) return `Score ${missing.map((c) => labelOf({ value: c.id, label: c.label })).join(', ')}.`;
    if ((s.rationale ?? 'optional') === 'required' && !a.rationale.trim()) return 'Write a short rationale.';
    return null;
  },
  toAnswer: (schema, _d, a) => {
    const s = schema as RubricSchema;
    const out: Answer = { scores: { ...a.scores } };
    if ((s.rationale ?? 'optional') !== 'off' && a.rationale.trim()) out.rationale = a.rationale.trim();
    return out;
  },
  shortcuts: (_schema, km = DEFAULT_KEYMAP) => [
    { keys: `${keyLabel(km.rubric_up)} / ${keyLabel(km.rubric_down)}`, action: 'Move between criteria' },
    { keys: `${keyLabel(km.option_1)} … ${keyLabel(km.option_9)} (or the scale value)`, action: 'Score the focused criterion' },
  ],
};

/** A rubric over a conversation with turn "each_assistant" rates every assistant turn (TurnRubric.tsx). */
export const rubric = bySchema(isPerTurnRubric, turnRubric, flatRubric);
