// Per-turn rating (rubric with turn "each_assistant"): the transcript with a
// rating panel under every assistant turn. J/K move between assistant
// turns, ↑/↓ between criteria, number keys score (and move on, to the next
// turn after the last criterion), E marks the turn "do not train on", N
// opens its rationale: the member's keys for these (keymap.ts). The answer is {"turns": {turn id: {scores, rationale?, exclude?}}}.
import { useEffect, useRef, useState } from 'react';
import { assistantIds, convField, messagesOf, stepTurn, turnsOf, type Message } from '../conversation';
import { scaleKeys } from '../keys';
import { DEFAULT_KEYMAP, keyLabel, keyOf, slotKey, useKeymap, type Keymap } from '../keymap';
import type { Answer, Criterion, RubricSchema } from '../types';
import { AnswerLine, Kbd, labelOf } from './common';
import { Transcript } from './Conversation';
import type { EditorModule, EditorProps } from './types';
import { scaleOf } from './rubricScale';

export interface TurnState {
  scores: Record<string, number>;
  rationale: string;
  exclude: boolean;
}
export type TurnsAnswer = { turns: Record<string, TurnState> };

const blank = (): TurnState => ({ scores: {}, rationale: '', exclude: false });

function TurnPanel({
  s,
  m,
  st,
  active,
  row,
  onSet,
  onRow,
  readOnly,
  km,
}: {
  s: RubricSchema;
  m: Message;
  st: TurnState;
  active: boolean;
  row: number;
  onSet: (t: TurnState) => void;
  onRow: (r: number) => void;
  readOnly?: boolean;
  km: Keymap;
}) {
  const rationale = s.rationale ?? 'optional';
  const id = m.id as string;
  return (
    <div className="turn-rating" role="group" aria-label={`Rating of assistant turn ${id}`}>
      {s.criteria.map((c: Criterion, ri) => {
        const sc = scaleOf(c);
        const keys = scaleKeys(sc).map((k) => slotKey(km, k));
        const focused = active && ri === row;
        return (
          <fieldset key={c.id} className={`rubric-row ${focused ? 'rubric-row-active' : ''}`} onClick={() => onRow(ri)}>
            <legend>
              {labelOf({ value: c.id, label: c.label })}
              {c.optional ? <span className="muted small"> (optional)</span> : null}
              {focused && <span className="visually-hidden"> (focused row)</span>}
            </legend>
            <div className="scale">
              {sc.map((p, i) => (
                <label key={p.value} className={`choice ${st.scores[c.id] === p.value ? 'choice-on' : ''}`}>
                  <input
                    type="radio"
                    name={`turn-${id}-${c.id}`}
                    checked={st.scores[c.id] === p.value}
                    disabled={readOnly}
                    onChange={() => onSet({ ...st, scores: { ...st.scores, [c.id]: p.value } })}
                  />
                  <span className="choice-text">{labelOf(p)}</span>
                  {focused && <Kbd k={keys[i]} />}
                </label>
              ))}
            </div>
          </fieldset>
        );
      })}
      <label className="choice turn-exclude">
        <input type="checkbox" checked={st.exclude} disabled={readOnly} onChange={() => onSet({ ...st, exclude: !st.exclude })} />
        <span className="choice-text">Do not train on this turn</span>
        {active && <Kbd k={km.turn_exclude} />}
      </label>
      {rationale !== 'off' && (
        <div className="field">
          <label htmlFor={`turn-rationale-${id}`}>
            Rationale for this turn{rationale === 'required' ? ' (required)' : ' (optional)'} {active && <Kbd k={km.turn_rationale} />}
          </label>
          <textarea id={`turn-rationale-${id}`} data-turn-rationale={id} rows={2} value={st.rationale} readOnly={readOnly} onChange={(e) => onSet({ ...st, rationale: e.target.value })} />
        </div>
      )}
    </div>
  );
}

function TurnRubricEditor({ schema, data, answer, onChange, keyRef, readOnly }: EditorProps<TurnsAnswer>) {
  const s = schema as RubricSchema;
  const msgs = messagesOf(data, convField(s));
  const ids = assistantIds(msgs);
  // Start at the first turn still to rate (a draft may have rated some).
  const [cur, setCur] = useState<string | null>(() => ids.find((id) => missingIn(s, answer.turns[id] ?? blank()).length > 0) ?? ids[0] ?? null);
  const [row, setRow] = useState(0);
  const rootRef = useRef<HTMLDivElement>(null);
  const km = useKeymap();
  const stateOf = (id: string) => answer.turns[id] ?? blank();
  const set = (id: string, t: TurnState) => onChange({ turns: { ...answer.turns, [id]: t } });
  const go = (id: string | null) => {
    setCur(id);
    setRow(0);
  };
  useEffect(() => {
    keyRef.current = (e) => {
      const k = keyOf(e);
      if (readOnly || !k) return false;
      if (k === km.turn_next || k === km.turn_prev) {
        go(stepTurn(ids, cur, k === km.turn_next ? 1 : -1));
        return true;
      }
      if (!cur) return false;
      if (k === km.rubric_up || k === km.rubric_down) {
        setRow((r) => Math.max(0, Math.min(s.criteria.length - 1, r + (k === km.rubric_up ? -1 : 1))));
        return true;
      }
      if (k === km.turn_exclude) {
        const st = stateOf(cur);
        set(cur, { ...st, exclude: !st.exclude });
        return true;
      }
      if (k === km.turn_rationale && (s.rationale ?? 'optional') !== 'off') {
        [...(rootRef.current?.querySelectorAll<HTMLTextAreaElement>('textarea[data-turn-rationale]') ?? [])].find((x) => x.dataset.turnRationale === cur)?.focus();
        return true;
      }
      const c = s.criteria[row];
      if (!c) return false;
      const sc = scaleOf(c);
      const i = scaleKeys(sc)
        .map((x) => slotKey(km, x))
        .indexOf(k);
      if (i < 0) return false;
      const st = stateOf(cur);
      set(cur, { ...st, scores: { ...st.scores, [c.id]: sc[i].value } });
      if (row + 1 < s.criteria.length) setRow(row + 1);
      else if (ids.indexOf(cur) + 1 < ids.length) go(stepTurn(ids, cur, 1));
      return true;
    };
    return () => {
      keyRef.current = null;
    };
  });
  const done = ids.filter((id) => !missingIn(s, stateOf(id)).length).length;
  return (
    <div className="editor editor-rubric editor-turns" ref={rootRef}>
      <p className="hint">
        {keyLabel(km.turn_next)} / {keyLabel(km.turn_prev)} move between assistant turns, {keyLabel(km.rubric_up)} / {keyLabel(km.rubric_down)} between criteria, number keys score.
      </p>
      <Transcript
        messages={msgs}
        active={cur}
        unbounded
        extra={(m) =>
          m.role === 'assistant' && m.id ? (
            <div onFocus={() => setCur(m.id as string)} onClick={() => cur !== m.id && go(m.id as string)}>
              <TurnPanel s={s} m={m} st={stateOf(m.id)} active={cur === m.id} row={row} onSet={(t) => set(m.id as string, t)} onRow={setRow} readOnly={readOnly} km={km} />
            </div>
          ) : null
        }
      />
      <AnswerLine>
        {done} of {ids.length} assistant turn{ids.length === 1 ? '' : 's'} rated
        {ids.some((id) => stateOf(id).exclude) ? ` · ${ids.filter((id) => stateOf(id).exclude).length} marked do not train` : ''}
      </AnswerLine>
    </div>
  );
}

function missingIn(s: RubricSchema, st: TurnState): Criterion[] {
  return s.criteria.filter((c) => !c.optional && st.scores[c.id] === undefined);
}

export const turnRubric: EditorModule<TurnsAnswer> = {
  Editor: TurnRubricEditor,
  empty: () => ({ turns: {} }),
  from: (schema, data, _c, saved) => {
    const s = schema as RubricSchema;
    const ids = new Set(assistantIds(messagesOf(data, convField(s))));
    const turns: Record<string, TurnState> = {};
    for (const [id, e] of Object.entries(turnsOf(saved))) {
      if (!ids.has(id)) continue;
      const scores: Record<string, number> = {};
      for (const c of s.criteria) {
        const v = e.scores[c.id];
        if (v !== undefined && scaleOf(c).some((p) => p.value === v)) scores[c.id] = v;
      }
      turns[id] = { scores, rationale: e.rationale ?? '', exclude: !!e.exclude };
    }
    return { turns };
  },
  validate: (schema, data, a) => {
    const s = schema as RubricSchema;
    const ids = assistantIds(messagesOf(data, convField(s)));
    for (const [n, id] of ids.entries()) {
      const st = a.turns[id] ?? blank();
      const missing = missingIn(s, st);
      if (missing.length) return `Assistant turn ${n + 1}: score ${missing.map((c) => labelOf({ value: c.id, label: c.label })).join(', ')}.`;
      if ((s.rationale ?? 'optional') === 'required' && !st.rationale.trim()) return `Assistant turn ${n + 1}: write a short rationale.`;
    }
    return null;
  },
  toAnswer: (schema, data, a) => {
    const s = schema as RubricSchema;
    const turns: Record<string, Answer> = {};
    for (const id of assistantIds(messagesOf(data, convField(s)))) {
      const st = a.turns[id] ?? blank();
      const e: Answer = { scores: { ...st.scores } };
      if ((s.rationale ?? 'optional') !== 'off' && st.rationale.trim()) e.rationale = st.rationale.trim();
      if (st.exclude) e.exclude = true;
      turns[id] = e;
    }
    return { turns };
  },
  shortcuts: (schema, km = DEFAULT_KEYMAP) => [
    { keys: `${keyLabel(km.turn_next)} / ${keyLabel(km.turn_prev)}`, action: 'Next / previous assistant turn' },
    { keys: `${keyLabel(km.rubric_up)} / ${keyLabel(km.rubric_down)}`, action: 'Move between criteria' },
    { keys: `${keyLabel(km.option_1)} … ${keyLabel(km.option_9)} (or the scale value)`, action: 'Score the focused criterion' },
    { keys: keyLabel(km.turn_exclude), action: 'Mark the turn “do not train on this turn” (or unmark)' },
    ...(((schema as RubricSchema).rationale ?? 'optional') !== 'off' ? [{ keys: keyLabel(km.turn_rationale), action: 'Write a rationale for the turn (Esc leaves the box)' }] : []),
  ],
};
