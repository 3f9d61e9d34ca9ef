// The reviewer's view of conversation items: the same transcript the
// labeller saw, turns whose answers differ marked "differs", and per-turn
// answers (rubric scores, spans) listed turn by turn. All data is text.
import { cpSlice } from '../labeling/codepoints';
import {
  assistantIds,
  candidateOf,
  convField,
  differingCriteria,
  isPerTurnRubric,
  lastAssistantIndex,
  messagesOf,
  turnSetting,
  turnsOf,
  type Message,
} from '../labeling/conversation';
import { labelOf } from '../labeling/editors/common';
import { ItemTranscript, Transcript } from '../labeling/editors/Conversation';
import { scaleOf } from '../labeling/editors/rubricScale';
import type { ItemData, PairwiseSchema, RankingSchema, RubricSchema, SpansSchema, TaskType } from '../labeling/types';
import type { Disagreement } from './api';
import { differingSet, voteCounts } from './disagreement';

function Differs({ on, votes, of }: { on: boolean; votes?: number; of?: number }) {
  if (!on) return null;
  return <span className="rv-differs">differs{votes !== undefined && of ? ` · ${votes}/${of}` : ''}</span>;
}

/** "Assistant turn 2" for an assistant message, else the role and position. */
function turnName(msgs: readonly Message[], id: string): string {
  const a = assistantIds(msgs).indexOf(id);
  if (a >= 0) return `Assistant turn ${a + 1}`;
  const i = msgs.findIndex((m) => m.id === id);
  return i >= 0 ? `Message ${i + 1} (${msgs[i].role})` : id;
}

/** The item of a conversation project, shown once above the submissions. */
export function ConvItemView({ taskType, schema, data, d }: { taskType: TaskType; schema: unknown; data: ItemData; d?: Disagreement | null }) {
  const field = convField(schema);
  const msgs = messagesOf(data, field);
  const differs = new Set(d?.turns ?? []);
  if (taskType === 'pairwise') {
    const s = schema as PairwiseSchema;
    return (
      <>
        <Transcript messages={msgs} label="Conversation so far" />
        <div className="pair">
          {(['a', 'b'] as const).map((x) => (
            <section key={x} className="item-block" aria-label={`Next turn ${x}`}>
              <h3 className="item-label">Next turn {x}</h3>
              <Transcript compact messages={candidateOf(data[x === 'a' ? (s.a_field ?? 'response_a') : (s.b_field ?? 'response_b')])} label={`Next turn ${x}`} />
            </section>
          ))}
        </div>
      </>
    );
  }
  if (taskType === 'ranking') {
    const v = data[(schema as RankingSchema).responses_field ?? 'responses'];
    const resps = Array.isArray(v) ? (v as { id?: unknown; text?: unknown; messages?: unknown }[]) : [];
    return (
      <>
        <Transcript messages={msgs} label="Conversation so far" />
        <section className="item-block" aria-label="Candidate next turns">
          <h3 className="item-label">Candidate next turns</h3>
          <dl className="rv-responses">
            {resps.map((r, i) => (
              <div key={String(r.id ?? i)}>
                <dt className="mono">{String(r.id ?? '')}</dt>
                <dd>
                  <Transcript compact messages={candidateOf(r.messages ?? r.text)} label={`Candidate ${String(r.id ?? i)}`} />
                </dd>
              </div>
            ))}
          </dl>
        </section>
      </>
    );
  }
  if (taskType === 'rewrite') {
    const i = turnSetting(schema, 'last_assistant') === 'last_assistant' ? lastAssistantIndex(msgs) : -1;
    return (
      <>
        <Transcript messages={i >= 0 ? msgs.slice(0, i) : msgs} label={i >= 0 ? 'Conversation before the rewritten turn' : 'Conversation so far'} />
        {i >= 0 && (
          <section className="item-block" aria-label="Original assistant turn">
            <h3 className="item-label">Original assistant turn</h3>
            <div className="item-text">{msgs[i].content}</div>
          </section>
        )}
      </>
    );
  }
  if (taskType === 'spans' || (taskType === 'rubric' && isPerTurnRubric(schema))) return <Transcript messages={msgs} differs={differs} />;
  return <ItemTranscript schema={schema} data={data} />;
}

/** One submission's per-turn rubric answer, turn by turn, differing scores marked. */
export function TurnScoresView({ schema, data, answer, d }: { schema: unknown; data: ItemData; answer: unknown; d: Disagreement }) {
  const s = schema as RubricSchema;
  const msgs = messagesOf(data, convField(s));
  const turns = turnsOf(answer);
  const turnDiffers = new Set(d.turns ?? []);
  return (
    <ol className="rv-answer rv-turns" aria-label="Scores per assistant turn">
      {assistantIds(msgs).map((id) => {
        const t = turns[id];
        const crit = differingCriteria(d.fields, id);
        return (
          <li key={id} data-turn={id}>
            <strong>{turnName(msgs, id)}</strong> <span className="muted small mono">{id}</span> <Differs on={turnDiffers.has(id)} />
            {t ? (
              <>
                <ul className="rv-keys">
                  {(s.criteria ?? []).map((c) => {
                    const v = t.scores[c.id];
                    const pt = scaleOf(c).find((x) => x.value === v);
                    return (
                      <li key={c.id}>
                        {labelOf({ value: c.id, label: c.label })}: {v === undefined ? '—' : `${v}${pt?.label ? ` (${pt.label})` : ''}`} <Differs on={crit.has(c.id)} />
                      </li>
                    );
                  })}
                </ul>
                {t.exclude && <p className="small">Marked: do not train on this turn</p>}
                {t.rationale && <p className="rv-rationale">“{t.rationale}”</p>}
              </>
            ) : (
              <p className="muted">Not rated</p>
            )}
          </li>
        );
      })}
    </ol>
  );
}

interface TurnSpan {
  turn_id: string;
  start: number;
  end: number;
  label: string;
}

/** One submission's spans over a conversation, grouped by turn; spans others did not give are marked. */
export function TurnSpansView({ schema, data, answer, d, count }: { schema: unknown; data: ItemData; answer: unknown; d: Disagreement; count: number }) {
  const s = schema as SpansSchema;
  const msgs = messagesOf(data, convField(s));
  const list = (Array.isArray((answer as { spans?: unknown })?.spans) ? (answer as { spans: TurnSpan[] }).spans : []).filter((x) => x && typeof x.turn_id === 'string');
  const diff = differingSet(d);
  const votes = voteCounts(d);
  const turnIds = msgs.map((m) => m.id as string).filter((id) => list.some((x) => x.turn_id === id));
  if (!turnIds.length) return <p className="rv-answer muted">No spans</p>;
  return (
    <ol className="rv-answer rv-turns" aria-label="Spans per turn">
      {turnIds.map((id) => {
        const m = msgs.find((x) => x.id === id) as Message;
        return (
          <li key={id} data-turn={id}>
            <strong>{turnName(msgs, id)}</strong> <Differs on={(d.turns ?? []).includes(id)} />
            <ul className="rv-keys">
              {list
                .filter((x) => x.turn_id === id)
                .map((x) => {
                  const k = `${id}/${x.start}:${x.end}:${x.label}`;
                  return (
                    <li key={k}>
                      <strong>{labelOf(s.labels?.find((l) => l.value === x.label) ?? { value: x.label })}</strong> “{cpSlice(m.content, x.start, x.end)}”{' '}
                      <span className="muted small">
                        {x.start}–{x.end}
                      </span>{' '}
                      <Differs on={diff.has(k)} votes={votes.get(k)} of={count} />
                    </li>
                  );
                })}
            </ul>
          </li>
        );
      })}
    </ol>
  );
}
